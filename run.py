#!/usr/bin/env python3
"""Command line for the Syria realism simulation.

A thin layer: each sub-command lives in its own module under ``cli/`` and registers itself
there. Bad input (a malformed scenario, an unknown key, a bad ``--set``) ends with one message
naming the file, the key and what was expected, and exit status 2.
"""

from __future__ import annotations

import signal
import sys

from sim import interrupt

interrupt.install()  # before the heavy imports: a Ctrl-C from here on ends with exit 130

from cli.main import main  # noqa: E402

if __name__ == "__main__":
    code = main()
    # The command is done and has said so. Python's shutdown puts back the default SIGINT
    # handler, under which a late Ctrl-C would kill the process (exit -2) after its work
    # was complete; an ignored signal stays ignored through the shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
