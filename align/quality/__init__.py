"""Quality estimation of machine translation: which rows need a look, and why.

Importing the package is cheap; the estimator and its signals load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from align.quality.estimate import Estimate, QualityReport, estimate_rows, with_estimates

__all__ = ["Estimate", "QualityReport", "estimate_rows", "with_estimates"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from align.quality import estimate

        return getattr(estimate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
