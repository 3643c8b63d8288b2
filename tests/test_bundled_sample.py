"""End-to-end checks on the bundled sample: both header languages load cleanly and tell the same
story, and the metrics find what the sample's simulation planted (see data/README.md)."""

from __future__ import annotations

import pandas as pd

from collab_analytics import metrics


def test_sample_loads_without_errors_or_warnings(sample_data):
    assert not sample_data.has_errors
    assert sample_data.warnings.empty, sample_data.warnings[["code", "message"]]
    acc = sample_data.accounting
    assert (acc["rows_read"] == acc["rows_loaded"] + acc["rows_rejected"]).all()
    assert len(sample_data.tasks) == 39


def test_both_languages_give_the_same_numbers(sample_pair):
    zh, en = sample_pair
    cols = ["n_due", "n_on_time", "n_late", "n_overdue_open", "n_early", "n_cancelled"]
    pd.testing.assert_frame_equal(
        metrics.delivery_summary(zh.tasks)[cols], metrics.delivery_summary(en.tasks)[cols]
    )
    assert zh.tasks["task_id"].tolist() == en.tasks["task_id"].tolist()
    assert len(zh.departments) == len(en.departments) == 6


def test_the_short_staffed_department_is_the_bottleneck(sample_data, sample_lang):
    ranking = metrics.bottleneck_ranking(sample_data.tasks, sample_data.updates)
    top = ranking.iloc[0]
    assert top["department"] == {"zh": "技术部", "en": "Engineering"}[sample_lang]
    assert top["share_of_attributable_delay"] > 0.5


def test_the_seed_task_finished_early(sample_data):
    first = sample_data.tasks.loc[sample_data.tasks["task_id"] == "T01"].iloc[0]
    assert first["planned_finish"] == pd.Timestamp("2024-07-10")
    assert first["actual_finish"] == pd.Timestamp("2024-07-09")
    assert first["status"] == "done_early"
