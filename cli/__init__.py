"""Sub-commands of ``run.py``; one module per capability."""
