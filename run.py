#!/usr/bin/env python3
"""Command line for the Syria realism simulation.

A thin layer: each sub-command lives in its own module under ``cli/`` and registers itself
there. Bad input (a malformed scenario, an unknown key, a bad ``--set``) ends with one message
naming the file, the key and what was expected, and exit status 2.
"""

from __future__ import annotations

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
