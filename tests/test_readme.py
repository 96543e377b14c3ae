"""The README's Python example runs as written (the docs stay true to the API)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_example_runs_and_tells_the_fall(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("the regime fell: ") and "last events" in printed
    assert re.match(r"the regime fell: (\d{4}-\d{2}|never);", printed)
