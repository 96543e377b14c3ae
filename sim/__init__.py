"""A realist agent-based model of the Syrian war, 2011-2025.

Six states (Iran, Russia, Syria, Turkey, Israel, the United States) choose action portfolios on
realist payoffs (survival, balancing, influence, minus costs); armed forces fight over Syria's 14
governorates; cooperation between the states emerges from what they do. See README.md.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__version__ = "0.1.0"


def _refresh_compiled_cache(package: Path = Path(__file__).parent) -> None:
    """Drop numba's on-disk cache when any module of the package has changed.

    Numba checks only the file of a cached function, so a kernel that calls a kernel in
    another module (`decisions._decide` calls `theatre._situation`) would keep running stale
    code after an edit of the callee. A stamp of all the sources decides for the whole
    package at once.
    """
    cache = package / "__pycache__"
    digest = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    stamp = cache / "numba-sources.sha256"
    try:
        if stamp.read_text() == digest.hexdigest():
            return
    except OSError:
        pass
    try:
        cache.mkdir(exist_ok=True)
        for stale in (*cache.glob("*.nbi"), *cache.glob("*.nbc")):
            stale.unlink(missing_ok=True)
        temporary = stamp.with_suffix(f".{os.getpid()}")
        temporary.write_text(digest.hexdigest())
        temporary.replace(stamp)
    except OSError:  # a read-only install: numba then compiles in memory or uses its own dir
        pass


_refresh_compiled_cache()
