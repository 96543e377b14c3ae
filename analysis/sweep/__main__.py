"""`python -m analysis.sweep sweep SPEC ...` and `python -m analysis.sweep analyze DB ...`."""

import sys

from analysis.sweep.cli import main

if __name__ == "__main__":  # workers started by spawn (off Linux) import this module too
    sys.exit(main())
