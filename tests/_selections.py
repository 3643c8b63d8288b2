"""Random dashboard selections for tests that compare a derived result with the direct one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: A period that cuts the sample portfolios' tasks and meetings in two.
PERIOD = ("2024-06-01", "2024-08-31")


def random_selection(
    rng: np.random.Generator,
    projects: Sequence[str],
    departments: Sequence[str],
    *,
    period_share: float = 0.3,
) -> dict:
    """Keyword arguments of ``FilterIndex.scope``: about 40 % of the projects and of the
    departments (each list left empty, i.e. unrestricted, 30 % of the time), and
    :data:`PERIOD` in ``period_share`` of the selections."""
    sel = {
        "projects": [p for p in projects if rng.random() < 0.4] if rng.random() < 0.7 else [],
        "departments": [d for d in departments if rng.random() < 0.4] if rng.random() < 0.7 else [],
    }
    if rng.random() < period_share:
        sel["period"] = PERIOD
    return sel
