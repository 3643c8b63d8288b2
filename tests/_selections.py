"""Random dashboard selections (and meetings), and the direct report of a dashboard context,
for tests that compare a derived result with the direct one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

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


#: Departments of :func:`random_department_meetings`.
MEETING_DEPARTMENTS = ("客服部", "技术部", "产品部", "运营部")


def random_department_meetings(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` meetings whose ``departments`` lists (of :data:`MEETING_DEPARTMENTS`, blanks
    among them) are missing 30 % of the time, with a ``participants`` text that names
    everyone, two departments, one, nobody or is missing."""
    lists = [
        list(rng.choice([*MEETING_DEPARTMENTS, ""], rng.integers(0, 3), replace=False))
        if rng.random() < 0.7
        else None
        for _ in range(n)
    ]
    text = rng.choice(["各部门", "技术部、产品部", "运营部负责人", "", None], n)
    return pd.DataFrame(
        {
            "departments": pd.Series(lists, dtype=object),
            "participants": pd.Series(text, dtype="str"),
        }
    )


def context_report(ctx, *, hours: str = "calendar"):
    """The one-call communication report of a dashboard context's data, with the arguments
    the dashboard gives its metrics (what its tabs are compared with)."""
    from collab_analytics.metrics.communication import communication_report

    return communication_report(
        ctx.data.to_tracking_data(),
        as_of=ctx.as_of,
        calendar="cn",
        hours=hours,
        delivery_calendar=ctx.calendar,
        lang=ctx.lang,
    )
