"""Readers: the template workbook's quirks, CSV encodings/delimiters, Parquet, folders, and
located errors for files that cannot be read."""

from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest
from _io_builders import TASK_HEADERS, TASKS, seed_workbook, tasks_csv, write_csv

from collab_analytics import FileFormatError
from collab_analytics._errors import SchemaError
from collab_analytics.io import load, read_csv, read_folder, read_workbook
from collab_analytics.schema import empty_table


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return load(seed_workbook(tmp_path_factory.mktemp("wb") / "seed.xlsx"))


def test_seed_tables_and_dtypes(seed):
    for name in ("tasks", "meetings", "raci", "contacts", "project"):
        df = seed.table(name)
        canon = list(empty_table(name).columns)
        assert list(df.columns[: len(canon)]) == canon
        assert (
            df.dtypes.iloc[: len(canon)].astype(str).tolist()
            == empty_table(name).dtypes.astype(str).tolist()
        )


def test_project_block_of_the_overview_sheet(seed):
    p = seed.project.iloc[0]
    assert (p.project, p.sponsor_department, p.lead, p.goal) == (
        "智能客服系统上线",
        "客服部",
        "王敏",
        "Q3完成智能客服系统上线",
    )
    assert seed.contacts.to_numpy().tolist() == [
        ["客服部", "王敏"],
        ["产品部", "李强"],
        ["技术部", "张伟"],
    ]
    assert (seed.tasks["project"] == "智能客服系统上线").all()


def test_task_sheet_quirks(seed):
    t = seed.tasks
    assert t["task"].tolist() == ["客户痛点收集", "输出需求文档", "开发测试", "联调"]
    # merged 负责部门 cell covers 开发测试 and 联调
    assert t["department"].tolist() == ["客服部", "产品部", "技术部", "技术部"]
    # 7.11 / serial 45494 / datetime cell / 2024年7月23日 / 2024/7/11
    assert t["planned_start"].dt.strftime("%m-%d").tolist() == ["07-01", "07-11", "07-21", "08-01"]
    assert t["actual_finish"].iloc[1] == pd.Timestamp("2024-07-23")
    assert t["progress"].tolist() == [1.0, 1.0, 0.5, 0.3]
    assert t["status"].astype(str).tolist() == ["done_early", "done", "delayed", "on_track"]
    assert t["depends_on"].tolist() == [[], ["T1"], ["T2"], ["T3"]]
    assert t["我的备注"].tolist()[0] == "首批"  # extra column kept, after the canonical ones
    assert seed.sources["tasks"]["row"].tolist() == [3, 4, 5, 6]
    assert set(seed.sources["tasks"]["sheet"].astype(str)) == {"表2 任务跟踪子表"}


def test_row_accounting_skips_spacers_and_notes(seed):
    acc = seed.accounting.set_index("table")
    assert (acc.rows_read == acc.rows_loaded + acc.rows_rejected).all()
    assert acc.loc["tasks"].tolist() == [5, 4, 1, 3]  # read, loaded, rejected, skipped
    assert seed.rejected["row"].tolist() == [8]


def test_meetings_from_the_overview(seed):
    m = seed.meetings
    assert m["start"].dt.strftime("%m-%d %H:%M").tolist() == [
        "07-01 17:00",
        "07-11 17:00",
        "07-15 14:00",
        "07-20 17:00",
    ]
    assert m["departments"].tolist() == [
        ["客服部", "产品部"],
        ["客服部", "产品部", "技术部"],
        ["客服部", "产品部", "技术部"],
        ["产品部", "技术部"],
    ]
    assert m["related_tasks"].tolist() == [[], ["T2"], ["T2"], ["T3"]]
    assert "year_inferred" in set(seed.issues["code"])


def test_raci_wide_to_long(seed):
    r = seed.raci
    assert list(r.columns) == ["task_id", "task", "department", "role"]
    dev = r[r["task"] == "开发测试"]
    assert dev[["department", "role"]].to_numpy().tolist() == [
        ["客服部", "I"],
        ["产品部", "A"],
        ["技术部", "R"],
        ["技术部", "A"],
    ]
    assert set(r["task_id"]) == {"T1", "T2", "T3"}


def test_raci_long_form_and_combined_letters(tmp_path):
    tasks_csv(tmp_path)
    write_csv(
        tmp_path / "raci.csv",
        ["任务编号", "部门", "角色"],
        [("T1", "客服部", "A/R"), ("T1", "产品部", "c")],
    )
    r = read_folder(tmp_path).raci
    assert r[["task_id", "department", "role"]].to_numpy().tolist() == [
        ["T1", "客服部", "R"],
        ["T1", "客服部", "A"],
        ["T1", "产品部", "C"],
    ]


def test_sheets_found_by_header_content_and_english_headers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Some title"])
    ws.append([])
    ws.append(TASK_HEADERS["en"])
    for r in TASKS:
        ws.append(list(r))
    wb.save(tmp_path / "x.xlsx")
    td = read_workbook(tmp_path / "x.xlsx")
    assert td.tasks["task_id"].tolist() == ["T1", "T2", "T3"]
    assert td.sources["tasks"]["row"].tolist() == [4, 5, 6]


def test_two_row_header_with_merged_group(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务"
    ws.append(["任务名称", "负责部门", "计划", None, "实际", None])
    ws.append([None, None, "开始", "完成", "开始", "完成"])
    ws.merge_cells("C1:D1")
    ws.merge_cells("E1:F1")
    ws.append(["需求评审", "产品部", "2024-07-01", "2024-07-05", "2024-07-02", "2024-07-06"])
    wb.save(tmp_path / "g.xlsx")
    t = read_workbook(tmp_path / "g.xlsx").tasks
    assert t[["planned_start", "planned_finish", "actual_start", "actual_finish"]].iloc[
        0
    ].dt.day.tolist() == [1, 5, 2, 6]


def test_hidden_sheet_is_read_and_reported(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("任务跟踪表")
    ws.append(TASK_HEADERS["zh"])
    ws.append(list(TASKS[0]))
    ws.sheet_state = "hidden"
    wb.save(tmp_path / "h.xlsx")
    td = read_workbook(tmp_path / "h.xlsx")
    assert len(td.tasks) == 1 and "hidden_sheet" in set(td.issues["code"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    td = read_csv(tasks_csv(tmp_path, encoding=encoding))
    assert td.tasks["task"].tolist() == ["客户痛点收集", "输出需求文档", "开发测试"]
    assert td.issues.empty


def test_csv_explicit_encoding_and_unknown_encoding(tmp_path):
    p = tasks_csv(tmp_path, encoding="gbk")
    assert len(read_csv(p, encoding="gbk").tasks) == 3
    with pytest.raises(FileFormatError, match=r"Unknown encoding 'klingon'"):
        read_csv(p, encoding="klingon")


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_delimiters_are_sniffed(tmp_path, delimiter):
    td = read_csv(tasks_csv(tmp_path, delimiter=delimiter))
    assert td.tasks["department"].tolist() == ["客服部", "产品部", "技术部"]


def test_csv_title_line_blank_lines_notes_and_line_numbers(tmp_path):
    p = tmp_path / "任务跟踪表.csv"
    head = ",".join(TASK_HEADERS["zh"])
    rows = [",".join(r) for r in TASKS]
    p.write_text(
        "\n".join(
            [
                "表2:任务跟踪子表",
                head,
                rows[0],
                "",
                rows[1],
                rows[2],
                "",
                "注:状态填 正常/滞后/阻塞",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    td = read_csv(p)
    assert td.sources["tasks"]["row"].tolist() == [3, 5, 6]
    acc = td.accounting.set_index("table").loc["tasks"]
    assert (acc.rows_read, acc.rows_loaded, acc.rows_skipped) == (3, 3, 3)


def test_csv_ragged_rows_fall_back_and_keep_line_numbers(tmp_path):
    p = tmp_path / "tasks.csv"
    head = ",".join(TASK_HEADERS["zh"])
    p.write_text(
        "\n".join([head, ",".join(TASKS[0]), "T2,输出需求文档,产品部", ",".join(TASKS[2])]) + "\n",
        encoding="utf-8",
    )
    td = read_csv(p)
    assert td.sources["tasks"]["row"].tolist() == [2, 3, 4]
    assert "ragged_rows" in set(td.issues["code"])


def test_csv_table_inferred_from_headers(tmp_path):
    p = write_csv(
        tmp_path / "export.csv",
        ["日期", "时间", "沟通主题", "参与部门/人员"],
        [("2024-07-01", "17:00", "启动会", "各部门")],
    )
    assert len(read_csv(p).meetings) == 1
    p = write_csv(
        tmp_path / "export2.csv",
        ["Date", "Task", "Progress", "Status"],
        [("2024-07-01", "x", "50%", "On track")],
    )
    assert read_csv(p).updates["progress"].tolist() == [0.5]


def test_parquet_tasks(tmp_path):
    df = pd.DataFrame(TASKS, columns=TASK_HEADERS["en"])
    df.to_parquet(tmp_path / "tasks.parquet")
    td = load(tmp_path / "tasks.parquet")
    assert td.tasks["task_id"].tolist() == ["T1", "T2", "T3"] and td.issues.empty


def test_folder_recognises_files_by_name_in_both_languages(tmp_path):
    tasks_csv(tmp_path, name="任务跟踪表.csv")
    write_csv(tmp_path / "contacts.csv", ["Department", "Contact"], [("客服部", "王敏")])
    write_csv(tmp_path / "meeting log.csv", ["Date", "Topic"], [("2024-07-01", "Kick-off")])
    (tmp_path / "readme.md").write_text("x")
    td = load(tmp_path)
    assert (len(td.tasks), len(td.contacts), len(td.meetings)) == (3, 1, 1)
    assert "unrecognised_file" in set(td.issues["code"])


def test_generated_task_ids_are_stable(tmp_path):
    rows = [r[1:] for r in TASKS]
    p1 = write_csv(tmp_path / "a.csv", TASK_HEADERS["zh"][1:], rows)
    p2 = write_csv(tmp_path / "b.csv", TASK_HEADERS["zh"][1:], rows[::-1])
    a = read_csv(p1, table="tasks").tasks.set_index("task")["task_id"]
    b = read_csv(p2, table="tasks").tasks.set_index("task")["task_id"]
    assert a.sort_index().equals(b.sort_index())
    assert a.str.fullmatch(r"T[0-9a-f]{12}").all()


# ---------------------------------------------------------------- unreadable files


def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match=r"File or folder not found: .*nope.xlsx"):
        load(tmp_path / "nope.xlsx")
    with pytest.raises(FileFormatError, match=r"File not found: .*nope.xlsx"):
        read_workbook(tmp_path / "nope.xlsx")


def test_csv_renamed_to_xlsx(tmp_path):
    p = tasks_csv(tmp_path, name="tasks.xlsx")
    with pytest.raises(FileFormatError, match=r"'tasks.xlsx' is not an Excel workbook.*read_csv"):
        load(p)


def test_truncated_workbook(tmp_path):
    good = seed_workbook(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
    with pytest.raises(FileFormatError, match=r"'cut.xlsx' is a damaged workbook"):
        load(tmp_path / "cut.xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    with pytest.raises(FileFormatError, match=r"zip file but not an Excel workbook"):
        load(tmp_path / "doc.xlsx")


def test_encrypted_workbook(tmp_path):
    blob = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 512
    )
    (tmp_path / "secret.xlsx").write_bytes(blob)
    with pytest.raises(FileFormatError, match=r"'secret.xlsx' is password-protected"):
        load(tmp_path / "secret.xlsx")


def test_workbook_given_to_csv_reader(tmp_path):
    p = seed_workbook(tmp_path / "wb.csv")
    with pytest.raises(FileFormatError, match=r"'wb.csv' is an Excel workbook, not CSV text"):
        load(p)


def test_workbook_without_tables(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(tmp_path / "x.xlsx")
    td = read_workbook(tmp_path / "x.xlsx")
    assert td.has_errors and "no_tables" in set(td.errors["code"])


def test_csv_title_and_note_lines_are_skipped_not_reported_as_ragged(tmp_path):
    p = tmp_path / "tasks.csv"
    head = ",".join(TASK_HEADERS["zh"])
    rows = [",".join(TASKS[0]), ",".join(TASKS[1])]
    p.write_text(
        "\n".join(["表2:任务跟踪子表", head, *rows, "", "注:进度填 80%"]) + "\n", encoding="utf-8"
    )
    td = read_csv(p)
    assert len(td.tasks) == 2
    assert "ragged_rows" not in set(td.issues["code"])
    acc = td.accounting.set_index("table").loc["tasks"]
    assert (acc.rows_read, acc.rows_loaded, acc.rows_skipped) == (2, 2, 2)
    # a data line of the wrong width is still reported
    p.write_text("\n".join([head, *rows, "T9,多出来的一行"]) + "\n", encoding="utf-8")
    assert "ragged_rows" in set(read_csv(p).issues["code"])


JIRA = (
    "Issue key,Summary,Status,Assignee,Component/s,Created,Due date,Resolved,Custom field (Start)\n"
    "PROJ-1,Collect pain points,Done,Alice,Support,2024-07-01 09:00,2024-07-10,2024-07-09,"
    "2024-07-02\n"
    "PROJ-2,Write requirements,Resolved,Bob,Product,2024-07-03 10:00,2024-07-20,2024-07-25,"
    "2024-07-11\n"
    "PROJ-3,Build & test,In Progress,Carol,Engineering,2024-07-15 10:00,2024-08-20,,2024-07-21\n"
)


def test_jira_export_reads_with_built_in_aliases_and_own_column_names(tmp_path):
    p = tmp_path / "jira.csv"
    p.write_text(JIRA, encoding="utf-8")
    td = load(
        p,
        status_map={"Resolved": "done"},
        columns={"Custom field (Start)": "planned_start"},
    )
    t = td.tasks
    assert len(td.errors) == 0
    assert t["task_id"].tolist() == ["PROJ-1", "PROJ-2", "PROJ-3"]
    assert t["task"].iloc[2] == "Build & test"
    assert t["department"].tolist() == ["Support", "Product", "Engineering"]
    assert t["owner"].tolist() == ["Alice", "Bob", "Carol"]
    assert t["status"].astype("object").tolist() == ["done", "done", "on_track"]
    assert t["planned_start"].dt.strftime("%m-%d").tolist() == ["07-02", "07-11", "07-21"]
    assert t["actual_finish"].dt.strftime("%m-%d").fillna("").tolist() == ["07-09", "07-25", ""]
    assert "Created" in t.columns  # extra columns are kept
    # without the mapping, the custom field is an extra column and planned_start stays empty
    plain = load(p, status_map={"Resolved": "done"})
    assert plain.tasks["planned_start"].isna().all()
    assert "Custom field (Start)" in plain.tasks.columns


def test_own_column_names_reach_every_reader(tmp_path):
    p = write_csv(
        tmp_path / "tasks.csv",
        ["工作内容", "负责部门", "计划完成"],
        [("开发", "技术部", "2024-07-01")],
    )
    assert load(p, columns={"工作内容": "task"}).tasks["task"].tolist() == ["开发"]
    assert read_csv(p, columns={"工作内容": "task"}).tasks["task"].tolist() == ["开发"]
    assert read_folder(tmp_path, columns={"工作内容": "task"}).tasks["task"].tolist() == ["开发"]
    assert len(load(p).tasks) == 0  # the mapping applies only to the call that names it


def test_own_column_names_must_be_canonical(tmp_path):
    p = write_csv(
        tmp_path / "tasks.csv",
        ["任务名称", "负责部门", "计划完成"],
        [("开发", "技术部", "2024-07-01")],
    )
    with pytest.raises(SchemaError, match=r"'summary' is not a canonical column of any table"):
        load(p, columns={"Summary": "summary"})


def test_excel_error_cells_and_uncalculated_formulas_are_reported_not_dropped(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务跟踪子表"
    ws.append(["表2:任务跟踪子表"])
    ws.append(["任务名称", "负责部门", "计划完成", "进度"])
    ws.append(["需求", "产品部", "2024-07-01", "#REF!"])
    ws.append(["开发", "#N/A", "2024-07-09", 0.5])
    ws.append(["测试", "技术部", "2024-07-20", "=B3*2"])
    ws["D3"].data_type = "e"
    ws["B4"].data_type = "e"
    p = tmp_path / "errors.xlsx"
    wb.save(p)
    td = load(p)
    odd = td.issues[td.issues["code"].isin(["excel_error", "uncalculated_formula"])]
    got = odd[["code", "table", "sheet", "row", "column", "value"]].astype("object").to_numpy()
    assert [list(r) for r in got] == [
        ["excel_error", "tasks", "任务跟踪子表", 3, "进度", "#REF!"],
        ["excel_error", "tasks", "任务跟踪子表", 4, "负责部门", "#N/A"],
        ["uncalculated_formula", "tasks", "任务跟踪子表", 5, "进度", "=B3*2"],
    ]
    assert (odd["severity"] == "warning").all()
    assert td.tasks["progress"].isna().tolist() == [True, False, True]  # read as empty
    assert "missing_value" in set(td.issues["code"])  # the empty department is an error too


def test_loading_in_a_forked_child_after_the_parent_used_the_worker_threads(tmp_path):
    import multiprocessing as mp

    from collab_analytics.io import _build

    rows = [(f"任务{i}", "产品部", "2024-07-01") for i in range(_build._BACKGROUND_ROWS)]
    p = write_csv(tmp_path / "tasks.csv", ["任务名称", "负责部门", "计划完成"], rows)
    assert len(load(p).tasks) == len(rows)  # the parent starts its worker threads
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        n = pool.apply_async(_count_tasks, (str(p),)).get(timeout=120)
    assert n == len(rows)


def _count_tasks(path: str) -> int:
    return len(load(path).tasks)
