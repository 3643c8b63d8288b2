"""Template and workbook writing round-trips; property: row order and header language do
not change the canonical tables."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from _io_builders import seed_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_analytics import CollabError
from collab_analytics.data import TABLE_NAMES
from collab_analytics.io import load, read_csv, write_template, write_workbook
from collab_analytics.io.template import HEADERS, SHEETS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_reads_back_empty_without_errors(tmp_path, lang):
    p = write_template(tmp_path / f"t_{lang}.xlsx", lang=lang)
    td = load(p)
    assert not td.has_errors and td.warnings.empty
    assert all(len(td.table(t)) == 0 for t in TABLE_NAMES)
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames[:3] == [
        SHEETS[lang]["overview"],
        SHEETS[lang]["tasks"],
        SHEETS[lang]["updates"],
    ]
    ws = wb[SHEETS[lang]["tasks"]]
    assert ws.freeze_panes == "A3"
    assert [c.value for c in ws[2]][:3] == list(HEADERS[lang]["tasks"].values())[:3]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any(("已完成" if lang == "zh" else "Done") in f for f in lists)
    raci = wb[SHEETS[lang]["raci"]]
    assert any("A/R" in dv.formula1 for dv in raci.data_validations.dataValidation)
    date_col = list(HEADERS[lang]["tasks"]).index("planned_finish") + 1
    letter = openpyxl.utils.get_column_letter(date_col)
    assert ws.column_dimensions[letter].number_format == "yyyy-mm-dd"


def test_template_rejects_unknown_language(tmp_path):
    with pytest.raises(CollabError, match="Unknown language 'fr'"):
        write_template(tmp_path / "t.xlsx", lang="fr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_read_write_read_is_identical(tmp_path, lang):
    first = load(seed_workbook(tmp_path / "seed.xlsx"))
    second = load(write_workbook(first, tmp_path / f"out_{lang}.xlsx", lang=lang))
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(first.table(name), second.table(name), obj=name)
    assert not second.has_errors


def test_round_trip_of_all_tables_and_odd_values(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tasks.csv").write_text(
        "项目名称,任务编号,任务名称,负责部门,计划开始,计划完成,实际完成,状态,进度,前置任务,预算\n"
        "P1,A1,需求,产品部,2024-07-01,2024-07-05,2024-07-05 18:30,已完成,120%,,3\n"
        "P1,A2,开发,技术部,2024-07-06,2024-07-20,,阻塞,-0.05,A1,4.5\n"
        "P2,A1,培训,客服部,2024-07-01,2024-07-02,,,,,\n",
        encoding="utf-8",
    )
    (folder / "updates.csv").write_text(
        "日期,任务编号,进度,状态,备注\n2024-07-08 17:00,A2,30%,阻塞,等待接口\n", encoding="utf-8"
    )
    (folder / "plan.csv").write_text(
        "沟通环节,频率,参与人员\n日常进度同步,每日17:00,各部门对接人\n", encoding="utf-8"
    )
    (folder / "meetings.csv").write_text(
        "日期,时间,沟通主题,参与部门/人员,沟通环节,时长(分钟),相关任务\n"
        "2024-07-08,17:00,同步,各部门对接人,日常进度同步,30,A2\n",
        encoding="utf-8",
    )
    (folder / "actions.csv").write_text(
        "待办事项,负责人,部门,截止时间,关闭日期\n补接口文档,张伟,技术部,2024-07-10,\n",
        encoding="utf-8",
    )
    (folder / "contacts.csv").write_text(
        "部门,对接人\n产品部,李强\n技术部,张伟\n客服部,王敏\n", encoding="utf-8"
    )
    (folder / "raci.csv").write_text(
        "任务编号,任务名称,部门,角色\nA1,需求,产品部,A/R\nA2,开发,技术部,R\n", encoding="utf-8"
    )
    (folder / "project.csv").write_text("项目名称,项目负责人\nP1,王敏\nP2,李强\n", encoding="utf-8")
    first = load(folder)
    assert len(first.project) == 2 and first.tasks["预算"].tolist()[:2] == [3.0, 4.5]
    assert first.tasks["progress"].tolist()[:2] == [1.2, -0.05]
    assert first.updates["department"].tolist() == ["技术部"]
    second = load(write_workbook(first, tmp_path / "all.xlsx"))
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(first.table(name), second.table(name), obj=name)


# --------------------------------------------------------------------- property test

ALIASES = {
    "task": ["任务名称", "任务", "Task", "task name"],
    "department": ["负责部门", "部门", "Department", "dept"],
    "planned_start": ["计划开始", "计划开始时间", "Planned start", "start"],
    "planned_finish": ["计划完成", "计划完成（时间）", "Planned finish", "due date"],
    "status": ["状态", "Status"],
    "progress": ["进度", "完成度", "Progress", "% complete"],
    "depends_on": ["前置任务", "依赖", "Depends on", "predecessors"],
}
STATUS_WORDS = {
    "on_track": ["正常", "On track"],
    "done": ["已完成", "Done"],
    "delayed": ["滞后", "Delayed"],
}

task_rows = st.lists(
    st.tuples(
        st.sampled_from(["客服部", "产品部", "技术部"]),
        st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 1)),
        st.integers(0, 30),
        st.sampled_from(list(STATUS_WORDS)),
        st.integers(0, 100),
    ),
    min_size=1,
    max_size=12,
)


def _write(path, rows, names, perm, lang_pick, word_pick):
    cols = list(ALIASES)
    header = [ALIASES[c][lang_pick[c] % len(ALIASES[c])] for c in cols]
    lines = []
    for i, (dept, start, dur, status, prog) in enumerate(rows):
        dep = names[i - 1] if i else ""
        lines.append(
            [
                names[i],
                dept,
                start.isoformat(),
                (start + dt.timedelta(days=dur)).isoformat(),
                STATUS_WORDS[status][word_pick % 2],
                f"{prog}%" if word_pick % 2 else str(prog / 100),
                dep,
            ]
        )
    lines = [lines[j] for j in perm]
    text = "\n".join(",".join(x) for x in [header, *lines]) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=task_rows, data=st.data())
def test_shuffled_rows_and_equivalent_headers_give_same_tables(tmp_path, rows, data):
    names = [f"任务{i}" for i in range(len(rows))]
    perm = data.draw(st.permutations(range(len(rows))))
    picks_a = {c: 0 for c in ALIASES}
    picks_b = {c: data.draw(st.integers(0, 3)) for c in ALIASES}
    a = read_csv(
        _write(tmp_path / "a.csv", rows, names, range(len(rows)), picks_a, 0), table="tasks"
    )
    b = read_csv(
        _write(tmp_path / "b.csv", rows, names, perm, picks_b, data.draw(st.integers(0, 1))),
        table="tasks",
    )
    ta = a.tasks.sort_values("task_id").reset_index(drop=True)
    tb = b.tasks.sort_values("task_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(ta, tb)
    assert set(a.issues["code"]) == set(b.issues["code"])


def test_tables_saved_as_parquet_load_back_with_their_list_columns(tmp_path, sample_data):
    # pandas cannot restore the list dtype it writes into Parquet metadata by itself
    tasks = sample_data.tasks
    tasks.to_parquet(tmp_path / "tasks.parquet")
    back = load(tmp_path / "tasks.parquet")
    assert len(back.errors) == 0
    got = back.tasks[list(tasks.columns)]
    pd.testing.assert_frame_equal(got, tasks.reset_index(drop=True))
    assert got["depends_on"].dtype == tasks["depends_on"].dtype
    meetings = sample_data.meetings.drop(columns=["departments", "start"])
    meetings.to_parquet(tmp_path / "meetings.parquet")
    m = load(tmp_path / "meetings.parquet").meetings
    assert m["related_tasks"].tolist() == meetings["related_tasks"].tolist()
