"""Ctrl-C as a request the program answers between months, never an exception thrown into
compiled code.

Python raises KeyboardInterrupt wherever the main thread happens to be; inside a numba kernel's
dispatch that surfaces as `SystemError: CPUDispatcher(...)` tracebacks, and it has crashed or
been swallowed. While `deferred()` is active, SIGINT only sets a flag; the ensemble loop calls
`check()` between months and between runs (pure Python), which raises `Interrupted` there, and
the command line turns that into one line and exit status 130.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_requested = threading.Event()


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, raised at a safe point (a KeyboardInterrupt, so `except Exception` never
    swallows it and every cleanup written for Ctrl-C runs)."""


def _on_sigint(signum, frame) -> None:  # only sets the flag: safe whatever code is running
    _requested.set()


def install() -> None:
    """Defer Ctrl-C from now on (a process's first act, before its heavy imports)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)


def requested() -> bool:
    return _requested.is_set()


def check() -> None:
    """Raise `Interrupted` if Ctrl-C was pressed since the flag was last cleared."""
    if _requested.is_set():
        raise Interrupted()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C only sets the flag inside the block; the previous handler comes back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: nothing to defer here
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def immediate() -> Iterator[None]:
    """The ordinary KeyboardInterrupt inside the block (commands with their own Ctrl-C
    handling, such as `sweep`); a Ctrl-C already deferred is raised on entry."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        check()
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


__all__ = ["Interrupted", "check", "deferred", "immediate", "install", "requested"]
