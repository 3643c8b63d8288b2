"""Seeded sample data: a multi-project portfolio and the seed's own project.

* :func:`portfolio` — a PMO portfolio of many projects and 6+ departments, with an optional
  planted bottleneck department and missed meetings; fast enough for benchmarks (1M tasks).
* :func:`smart_cs_launch` — the template's own example project, 智能客服系统上线, whose
  simulated story a retrospective should uncover (see ``data/README.md``).

Both return clean canonical :class:`~collab_analytics.TrackingData`. ``python -m
collab_analytics.sample write data/`` regenerates the bundled files (:func:`main`).

Examples
--------
>>> from collab_analytics import sample
>>> td = sample.portfolio(n_projects=2, tasks_per_project=10, seed=3, lang="en")
>>> sorted(td.tasks["department"].unique())[:2]
['Customer Service', 'Engineering']
"""

from __future__ import annotations

from collab_analytics.sample._portfolio import portfolio
from collab_analytics.sample._story import STORY_SEED, smart_cs_launch
from collab_analytics.sample._write import (
    PORTFOLIO_ARGS,
    main,
    write_csv_folder,
    write_sample_files,
)

__all__ = [
    "PORTFOLIO_ARGS",
    "STORY_SEED",
    "main",
    "portfolio",
    "smart_cs_launch",
    "write_csv_folder",
    "write_sample_files",
]
