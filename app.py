"""The live dashboard: `solara run app.py` or `python run.py dashboard` (docs/dashboard.md).

The page (dashboard/views.py) keeps one model per browser session; the model's numba kernels
start compiling as the server starts, so the first Step does not wait for them unseen.
"""

from __future__ import annotations

from dashboard.model import warm_kernels
from dashboard.views import Page

warm_kernels()

__all__ = ["Page"]
