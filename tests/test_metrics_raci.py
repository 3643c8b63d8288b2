"""RACI validation and conformance."""

from __future__ import annotations

import pandas as pd
import pytest

from collab_analytics.metrics.raci import (
    CONFORMANCE_COLUMNS,
    PROBLEM_COLUMNS,
    raci_conformance,
    raci_conformance_by_department,
    raci_problems,
)


def _raci(rows):
    return pd.DataFrame(rows, columns=["task_id", "task", "department", "role"]).astype("str")


# the seed's matrix: 收集客户痛点 R/C/I, 输出需求文档 A/R/C, 开发测试 I/A/R — plus broken rows
RACI = _raci(
    [
        ("T1", "收集客户痛点", "客服部", "R"),
        ("T1", "收集客户痛点", "产品部", "C"),
        ("T1", "收集客户痛点", "技术部", "I"),
        ("T2", "输出需求文档", "客服部", "A"),
        ("T2", "输出需求文档", "产品部", "R"),
        ("T2", "输出需求文档", "技术部", "C"),
        ("T3", "开发测试", "客服部", "I"),
        ("T3", "开发测试", "产品部", "A"),
        ("T3", "开发测试", "技术部", "R"),
        ("T3", "开发测试", "技术部", "A"),
        ("T5", "幽灵任务", "法务部", "X"),
    ]
)
TASKS = pd.DataFrame(
    {
        "task_id": ["T1", "T2", "T3", "T4"],
        "task": ["收集客户痛点", "输出需求文档", "开发测试", "上线推广"],
        "department": ["客服部", "产品部", "技术部", "市场部"],
    }
)
CONTACTS = pd.DataFrame(
    {
        "department": ["客服部", "产品部", "产品部", "技术部"],
        "contact": ["张三", "李四", "王五", "赵六"],
    }
)


def test_raci_problems_lists_everything():
    p = raci_problems(RACI, tasks=TASKS, contacts=CONTACTS, max_r=1, max_c=None)
    assert list(p.columns) == list(PROBLEM_COLUMNS)
    got = set(zip(p["code"], p["task_id"].fillna("-"), p["department"].fillna("-"), strict=True))
    assert got == {
        ("invalid_role", "T5", "法务部"),
        ("no_accountable", "T1", "-"),
        ("no_accountable", "T5", "-"),
        ("multiple_accountable", "T3", "-"),
        ("no_responsible", "T5", "-"),
        ("empty_row", "T4", "市场部"),
        ("unknown_task", "T5", "-"),
        ("empty_column", "-", "市场部"),
        ("unknown_department", "-", "法务部"),
        ("missing_contact", "-", "市场部"),
        ("missing_contact", "-", "法务部"),
        ("multiple_contacts", "-", "产品部"),
    }
    assert (p["severity"].iloc[:6] == "error").all()
    multi = p[p["code"] == "multiple_accountable"].iloc[0]
    assert multi["count"] == 2
    assert multi["message"] == "task has 2 accountable (A) departments; exactly one is expected"


def test_overload_limits_and_chinese_messages():
    p = raci_problems(RACI.iloc[:10], max_r=0, max_c=0, max_i=0, lang="zh")
    over = p[p["code"].str.startswith("overload")]
    assert sorted(zip(over["code"], over["department"], over["count"], strict=True)) == [
        ("overload_c", "产品部", 1),
        ("overload_c", "技术部", 1),
        ("overload_i", "客服部", 1),
        ("overload_i", "技术部", 1),
        ("overload_r", "产品部", 1),
        ("overload_r", "客服部", 1),
        ("overload_r", "技术部", 1),
    ]
    assert "部门负责(R) 1 个任务(上限 0)" in over["message"].tolist()
    assert (
        len(
            raci_problems(RACI.iloc[:10], max_r=None, max_c=None)[
                lambda d: d["code"].str.startswith("overload")
            ]
        )
        == 0
    )
    with pytest.raises(ValueError, match="lang must be"):
        raci_problems(RACI, lang="fr")


def test_clean_matrix_has_no_problems_and_empty_input():
    clean = RACI[RACI["task_id"].isin(["T2"])]
    assert len(raci_problems(clean)) == 0
    empty = raci_problems(RACI.iloc[:0])
    assert list(empty.columns) == list(PROBLEM_COLUMNS) and len(empty) == 0
    codes = raci_problems(RACI.iloc[:0], tasks=TASKS)["code"].tolist()
    assert codes == ["empty_row"] * 4 + ["empty_column"] * 4


def test_conformance_with_meetings():
    meetings = pd.DataFrame(
        {
            "topic": ["开发测试进度", "需求文档评审", "周会"],
            "related_tasks": [["T3"], ["T2"], []],
            "departments": [["技术部"], ["产品部", "客服部", "技术部"], ["客服部"]],
        }
    )
    c = raci_conformance(RACI, TASKS, meetings)
    assert list(c.columns) == list(CONFORMANCE_COLUMNS)
    c = c.set_index("task_id")
    assert c["owner_holds_r"].to_dict() == {"T1": True, "T2": True, "T3": True, "T4": False}
    assert c["n_meetings"].to_dict() == {"T1": 0, "T2": 1, "T3": 1, "T4": 0}
    # T3: A 产品部 absent, R/A 技术部 present → 0.5; I 客服部 absent → 0
    assert c.loc["T3", "ar_departments"] == "产品部、技术部"
    assert c.loc["T3", "ar_attended"] == "技术部"
    assert c.loc["T3", "ar_attendance"] == 0.5 and c.loc["T3", "i_informed"] == 0.0
    assert c.loc["T2", "ar_attendance"] == 1.0
    assert pd.isna(c.loc["T1", "ar_attendance"])  # no meeting about T1
    by = raci_conformance_by_department(RACI, TASKS, meetings).set_index("department")
    assert by.loc["产品部", "n_ar_roles"] == 2 and by.loc["产品部", "ar_attendance_rate"] == 0.5
    assert by.loc["市场部", "owner_holds_r_rate"] == 0.0


def test_owner_holds_r_via_combined_cell_and_empty():
    raci = _raci([("T1", "a", "客服部", "A"), ("T1", "a", "客服部", "R")])  # an "A/R" cell
    tasks = pd.DataFrame({"task_id": ["T1"], "task": ["a"], "department": ["客服部"]})
    assert raci_conformance(raci, tasks)["owner_holds_r"].tolist() == [True]
    empty = raci_conformance(raci, tasks.iloc[:0])
    assert list(empty.columns) == list(CONFORMANCE_COLUMNS) and len(empty) == 0


def test_rows_not_grouped_by_task_give_the_same_answers():
    # keys are coded once per run of equal keys: interleaved rows and split runs must not matter
    order = [3, 0, 6, 1, 4, 7, 2, 10, 5, 8, 9]
    mixed = RACI.iloc[order].reset_index(drop=True)
    meetings = pd.DataFrame(
        {
            "topic": ["需求评审", "开发进度"],
            "related_tasks": [["T2", "T1"], ["T3"]],
            "departments": [["产品部", "客服部"], ["技术部"]],
        }
    )
    cols = ["owner_holds_r", "n_meetings", "ar_departments", "ar_attended", "ar_attendance"]
    cols += ["i_departments", "i_informed"]
    pd.testing.assert_frame_equal(
        raci_conformance(mixed, TASKS, meetings)[cols],
        raci_conformance(RACI, TASKS, meetings)[cols],
    )
    got = raci_conformance(mixed, TASKS, meetings)
    assert got["ar_attendance"].tolist()[:3] == [1.0, 1.0, 0.5]
    assert got["n_meetings"].tolist() == [1, 1, 1, 0]

    def _set(p):
        return set(zip(p["code"], p["task_id"].fillna("-"), p["count"], strict=True))

    kw = {"tasks": TASKS, "contacts": CONTACTS, "max_r": 1, "max_c": None}
    assert _set(raci_problems(mixed, **kw)) == _set(raci_problems(RACI, **kw))
    counts = raci_problems(mixed, **kw).set_index(["code", "task_id"])["count"]
    assert counts[("multiple_accountable", "T3")] == 2


def test_missing_task_id_falls_back_to_the_name_in_every_run():
    raci = _raci(
        [
            ("T1", "收集客户痛点", "客服部", "R"),
            (None, "开发测试", "技术部", "R"),
            ("T1", "收集客户痛点", "产品部", "A"),
            (None, "开发测试", "产品部", "A"),
        ]
    )
    raci.loc[raci["task_id"] == "None", "task_id"] = None
    tasks = pd.DataFrame(
        {"task": ["收集客户痛点", "开发测试"], "department": ["客服部", "技术部"]}
    ).assign(task_id=pd.Series(["T1", None], dtype="str"))
    got = raci_conformance(raci, tasks)
    assert got["owner_holds_r"].tolist() == [True, True]
    assert got["ar_departments"].tolist() == ["客服部、产品部", "技术部、产品部"]
    # 产品部 holds roles but owns no task and has no contact list to be known from
    assert raci_problems(raci, tasks=tasks)["code"].tolist() == ["unknown_department"]


def test_roles_are_trimmed_and_upper_cased():
    raci = _raci(
        [
            ("T1", "收集客户痛点", "客服部", " r"),
            ("T1", "收集客户痛点", "产品部", "a "),
            ("T2", "输出需求文档", "产品部", "R"),
            ("T2", "输出需求文档", "客服部", " q "),
        ]
    )
    p = raci_problems(raci)
    assert list(zip(p["code"], p["task_id"], strict=True)) == [
        ("invalid_role", "T2"),
        ("no_accountable", "T2"),
    ]
    assert "'Q'" in p["message"].iloc[0]
    got = raci_conformance(raci, TASKS.iloc[:2])
    assert got["owner_holds_r"].tolist() == [True, True]
    assert got["ar_departments"].tolist() == ["客服部、产品部", "产品部"]


@pytest.mark.parametrize(
    ("ids", "want"),
    [
        (["T1", "T2"], set()),  # runs are the task list itself
        (["T2", "T1"], set()),  # same tasks, other order
        (["T1", "T3"], {("empty_row", "T2"), ("unknown_task", "T3")}),  # same length, other task
    ],
)
def test_task_list_checks_whatever_the_order(ids, want):
    raci = _raci([(t, t, d, r) for t in ids for d, r in (("客服部", "R"), ("产品部", "A"))])
    tasks = pd.DataFrame({"task_id": ["T1", "T2"], "task": ["T1", "T2"], "department": "客服部"})
    p = raci_problems(raci, tasks=tasks)
    p = p[p["code"] != "unknown_department"]  # 产品部 owns no task
    assert set(zip(p["code"], p["task_id"], strict=True)) == want
    conf = raci_conformance(raci, tasks)
    holds = [t in ids for t in ("T1", "T2")]
    assert conf["owner_holds_r"].tolist() == holds
    assert conf["ar_departments"].tolist() == ["客服部、产品部" if h else "" for h in holds]


def test_by_department_with_a_missing_department_cell():
    raci = _raci([("T1", "收集客户痛点", "客服部", "R"), ("T1", "收集客户痛点", None, "A")])
    raci.loc[1, "department"] = None
    got = raci_conformance_by_department(raci, TASKS.iloc[:1])
    assert got["department"].tolist() == ["客服部"]
    assert got["n_ar_roles"].tolist() == [1]
    assert raci_conformance(raci, TASKS.iloc[:1])["ar_departments"].tolist() == ["客服部"]
