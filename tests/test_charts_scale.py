"""Charts stay small whatever the data size: at 1M tasks every report chart serialises under
Altair's default 5,000-row limit (metrics aggregate first; charts only draw)."""

from __future__ import annotations

import altair as alt
import pytest

from collab_analytics import sample
from collab_analytics.export.report import build_content, compute_metrics


@pytest.mark.slow
def test_no_report_chart_exceeds_the_row_limit_at_one_million_tasks():
    td = sample.portfolio(n_projects=400, tasks_per_project=2500, seed=3, bottleneck="技术部")
    assert len(td.tasks) == 1_000_000
    content = build_content(td, lang="zh", metrics=compute_metrics(td, lang="zh"))
    assert len(content.charts) >= 15
    assert alt.data_transformers.active == "default"  # the one that raises MaxRowsError
    for item in content.charts:
        spec = item.chart.to_dict()  # raises MaxRowsError above 5,000 rows
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows <= 5_000, (item.key, rows)
