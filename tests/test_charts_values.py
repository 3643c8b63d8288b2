"""``charts.to_spec`` builds the inline rows itself (``charts._values.frame_values``): the specs
must be exactly what Altair's own default data transformer gives, for every chart of the
report and for frames of every column type the charts use."""

from __future__ import annotations

import copy
import json

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics import sample
from collab_analytics.charts._values import frame_values
from collab_analytics.charts.theme import theme_config, to_spec
from collab_analytics.export.report import build_charts, compute_metrics


def _altair_spec(chart) -> dict:
    """The themed spec as Altair's default transformer makes it (no shortcut)."""
    assert alt.data_transformers.active == "default"
    spec = chart.to_dict(validate=False)
    cfg = copy.deepcopy(theme_config()["config"])

    def merge(base, extra):
        for k, v in extra.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                merge(base[k], v)
            else:
                base[k] = v

    merge(cfg, spec.get("config", {}))
    spec["config"] = cfg
    return spec


def _same(a: dict, b: dict) -> bool:
    # the same values in the same key order (the JSON text the front end receives)
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def _check_report_charts(td, lang: str) -> int:
    metrics = compute_metrics(td, lang=lang)
    charts = build_charts(td, metrics, lang=lang)
    # as the dashboard builds them: outside Altair's debug mode (properties not validated)
    with alt.utils.schemapi.debug_mode(False):
        quick = build_charts(td, metrics, lang=lang)
    assert len(charts) >= 15 and set(quick) == set(charts)
    for key, chart in charts.items():
        fast, ref = to_spec(chart), _altair_spec(chart)
        assert _same(fast, ref), key
        assert _same(to_spec(quick[key]), ref), key
        assert sum(len(v) for v in fast.get("datasets", {}).values()) > 0, key
    return len(charts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_report_chart_of_the_sample_is_altairs_spec(sample_data, lang):
    assert _check_report_charts(sample_data, lang) >= 15


@pytest.mark.parametrize(
    ("seed", "lang", "bottleneck"), [(3, "zh", "技术部"), (11, "en", None), (5, "zh", None)]
)
def test_every_report_chart_of_a_portfolio_is_altairs_spec(seed, lang, bottleneck):
    td = sample.portfolio(
        n_projects=6,
        tasks_per_project=30,
        seed=seed,
        lang=lang,
        bottleneck=bottleneck,
        cadence_failures=0.2,
    )
    assert _check_report_charts(td, lang) >= 15


def _reference(frame: pd.DataFrame) -> list[dict]:
    return alt.utils.data.to_values(frame)["values"]


def test_values_by_column_type():
    df = pd.DataFrame(
        {
            "text": pd.array(["客服部", None, "a"], dtype="str"),
            "cat": pd.Categorical(["x", None, "y"]),
            "n": np.array([1, -2, 3], dtype="int32"),
            "u": np.array([1, 2, 3], dtype="uint8"),
            "b": [True, False, True],
            "x": [0.5, np.nan, np.inf],
            "f32": np.array([0.1, -np.inf, 2.0], dtype="float32"),
            "t": pd.to_datetime(["2024-07-05 00:00:00", None, "2024-07-06 13:45:10"]),
        },
        index=[7, 3, 5],
    )
    rows = frame_values(df)
    assert rows == _reference(df)
    assert rows[0] == {
        "text": "客服部",
        "cat": "x",
        "n": 1,
        "u": 1,
        "b": True,
        "x": 0.5,
        "f32": pytest.approx(0.1, rel=1e-6),
        "t": "2024-07-05T00:00:00",
    }
    assert rows[1]["t"] == "" and rows[1]["x"] is None and rows[1]["cat"] is None
    assert rows[1]["text"] is None and rows[2]["x"] is None and rows[2]["f32"] == 2.0
    assert rows[2]["t"] == "2024-07-06T13:45:10"
    assert type(rows[0]["n"]) is int and type(rows[0]["b"]) is bool


@pytest.mark.parametrize(
    "column",
    [
        pd.array([1, None], dtype="Int64"),
        pd.to_datetime(["2024-07-05", "2024-07-06"]).tz_localize("Asia/Shanghai"),
        pd.to_datetime(["2024-07-05 00:00:00.5", "2024-07-06 00:00:00.0"]),
        pd.Categorical([1, 2]),
        pd.array([True, None], dtype="boolean"),
        pd.array([np.array([1, 2]), None], dtype="object"),
        pd.Series(["a", None], dtype="object"),
    ],
)
def test_other_column_types_are_left_to_altair(column):
    df = pd.DataFrame({"v": column})
    assert frame_values(df) is None
    chart = alt.Chart(df).mark_point().encode(x=alt.X("v:N"))
    assert _same(to_spec(chart), _altair_spec(chart))


def test_bad_column_names_and_row_limit_behave_as_in_altair():
    assert frame_values(pd.DataFrame({0: [1]})) is None
    with pytest.raises(ValueError, match="Column names must be strings"):
        to_spec(alt.Chart(pd.DataFrame({0: [1]})).mark_point())
    big = pd.DataFrame({"a": np.arange(5001)})
    with pytest.raises(alt.MaxRowsError):
        to_spec(alt.Chart(big).mark_point().encode(x="a:Q"))
    with alt.data_transformers.disable_max_rows():
        assert len(to_spec(alt.Chart(big).mark_point().encode(x="a:Q"))["datasets"]) == 1


_text = st.one_of(st.none(), st.text(max_size=6))
_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(-1000, 1000)
)
_day = st.one_of(
    st.none(),
    st.datetimes(
        min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2040-12-31").to_pydatetime(),
    ).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(_text, _float, st.integers(-(2**40), 2**40), st.booleans(), _day, _text),
        max_size=12,
    )
)
def test_values_equal_altairs_on_random_frames(rows):
    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(6)]
    texts, floats, ints, bools, days, cats = cols
    df = pd.DataFrame(
        {
            "text": pd.Series(texts, dtype="str"),
            "x": pd.Series(floats, dtype="float64"),
            "n": pd.Series(ints, dtype="int64"),
            "b": pd.Series(bools, dtype="bool"),
            "t": pd.Series(pd.to_datetime(days), dtype="datetime64[us]"),
            "cat": pd.Series(cats, dtype="category"),
        }
    )
    assert frame_values(df) == _reference(df)
