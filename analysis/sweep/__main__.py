"""`python -m analysis.sweep sweep SPEC ...` and `python -m analysis.sweep analyze DB ...`."""

import sys

from analysis.sweep.cli import main

if __name__ == "__main__":  # spawned workers import this module too: only the parent runs it
    sys.exit(main())
