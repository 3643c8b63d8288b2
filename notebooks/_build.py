"""Write the notebooks in this folder from plain Python cell lists (the reviewable source).

usage: python notebooks/_build.py [--out DIR]

Each notebook is a list of ``md(...)`` / ``code(...)`` cells below; the ``.ipynb`` files are
generated, stored without outputs, with stable cell ids, so a diff of this file is the review
and ``tests/test_notebooks.py`` checks the stored files are exactly what this script writes.
Notebooks use only the public API and start with one variable pointing at the user's workbook
(``None`` = the bundled sample).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def md(text: str) -> tuple[str, str]:
    return ("markdown", text.strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", text.strip("\n"))


SETUP = """\
from pathlib import Path

import altair as alt
import pandas as pd
from IPython.display import Markdown, display

import collab_analytics as ca
from collab_analytics import charts
from collab_analytics.labels import label

alt.renderers.enable("jupyter", offline=True)  # charts render without internet (no CDN)
charts.enable_theme()  # one font list with CJK fallbacks, slide-readable sizes
pd.set_option("display.max_columns", 30)
"""

# ------------------------------------------------------------------------ retrospective
RETROSPECTIVE = [
    md("""
# 跨部门协作复盘 · Cross-department retrospective

这本笔记本带着复盘会从头走到尾:**目标与范围 → 核心指标 → 延误与滑期 → 延误归因与瓶颈部门 →
沟通节奏与出席 → 48 小时升级 → 待办与 RACI → 完成预测 → 复盘发现 → 导出汇报材料**,最后是一个可以现场
筛选的看板。

*This notebook walks a retrospective meeting through the project's numbers. Set `LANG = "en"`
below for English tables and charts.*

**怎么用**:把下面的 `WORKBOOK` 改成你们自己的《跨部门协作沟通计划与跟踪表》路径,然后
「Run → Run All」。保持 `None` 则读取仓库自带的示例工作簿 `data/smart_cs_launch.xlsx`
(项目「智能客服系统上线」;`LANG = "en"` 时读英文表头的 `smart_cs_launch_en.xlsx`)——
和读你自己的文件走的是同一个 `ca.load`。路径相对于本笔记本所在的 `notebooks/` 文件夹。
"""),
    code("""
WORKBOOK = None  # ← 你的跟踪表,例如 "跨部门协作沟通计划与跟踪表.xlsx";None = 自带示例
LANG = "zh"  # "zh" 中文 / "en" English
AS_OF = None  # 数据截至日期,如 "2024-10-15";None = 数据中最晚的日期(不是今天)
CALENDAR = "calendar"  # "calendar" 日历日 / "cn" 中国工作日(含法定假日与调休)
OUT = "out/retrospective"  # 导出文件夹
"""),
    code(
        SETUP
        + """
from collab_analytics.export.report import build_report, compute_metrics, headline
from collab_analytics.findings import findings
from collab_analytics.metrics.communication import communication_report
from collab_analytics.metrics.distributions import headline_kpis, slippage_histogram
from collab_analytics.metrics.report import delivery_report

SAMPLES = Path("..") / "data"  # the bundled workbooks, next to notebooks/ in the repository
path = Path(WORKBOOK) if WORKBOOK else SAMPLES / (
    "smart_cs_launch.xlsx" if LANG == "zh" else "smart_cs_launch_en.xlsx")
data = ca.load(path)
print(path)
print(data.summary(lang=LANG))
"""
    ),
    md("""
## 1. 目标与范围 · Goal and scope

先对齐「我们要复盘的是什么」:项目目标、发起部门、参与部门,以及统计周期。所有指标都以
**数据截至日**(默认是表里最晚的一个日期,而不是今天)为准,这样同一份表任何时候算出来都一样。
"""),
    code("""
display(data.project)
tasks = data.tasks
as_of = pd.Timestamp(AS_OF) if AS_OF else data.as_of
print(f"{label('report_period', LANG)}: {tasks['planned_start'].min():%Y-%m-%d} – "
      f"{tasks['planned_finish'].max():%Y-%m-%d}")
print(f"{label('report_as_of', LANG)}: {as_of:%Y-%m-%d}")
print(f"{label('department', LANG)}: {', '.join(data.departments)}")
"""),
    md("""
## 2. 核心指标 · Headline KPIs

一次算好全部指标,后面各节直接取用。**按时完成率** = 按时完成 / 到期任务;**延误率** =
(延期完成 + 逾期未完成) / 到期任务;已取消的任务不进任何分母。
"""),
    code("""
delivery = delivery_report(data, as_of=AS_OF, calendar=CALENDAR, forecast_sims=2000)
comm = communication_report(data, as_of=AS_OF, delivery_calendar=CALENDAR, lang=LANG)
m = compute_metrics(data, as_of=AS_OF, calendar=CALENDAR)
kpis = headline(m, lang=LANG)
kpis[["label", "display"]]
"""),
    md("""
每个比率都可以追溯:`numerator`(分子)/ `denominator`(分母),会上被问到「这个 62% 怎么算的」
时直接指给大家看。
"""),
    code("""
headline_kpis(delivery, comm)
"""),
    md("""
## 3. 延误与滑期 · Delays and slippage

哪些部门按时交付、哪些部门延误最多?延误天数是带符号的:负数表示提前完成。
"""),
    code("""
display(delivery.summary[["department", "n_due", "n_on_time", "n_late", "n_overdue_open",
                          "on_time_rate", "delay_rate"]])
charts.delivery_rates(delivery.summary, lang=LANG, departments=data.departments)
"""),
    code("""
charts.slippage(delivery.slippage, lang=LANG, departments=data.departments)
"""),
    md("""
延误天数的分布:大多数任务差几天,还是有一小批任务拖了几周?(负数 = 提前完成)
"""),
    code("""
charts.slippage_histogram_chart(slippage_histogram(delivery.tasks), lang=LANG)
"""),
    md("""
**累计完成(burn-up)**:计划线是「按计划此时应完成多少任务」,实际线停在数据截至日。两线之间的
距离就是进度落后的任务数;**状态分布**显示滞后和阻塞是哪几周冒出来的。
"""),
    code("""
charts.burnup_chart(delivery.burnup, lang=LANG, as_of=delivery.as_of)
"""),
    code("""
charts.status_mix_chart(delivery.status_mix, lang=LANG)
"""),
    code("""
charts.gantt(data.tasks, lang=LANG, delivery=delivery.tasks, as_of=delivery.as_of,
             departments=data.departments)
"""),
    md("""
## 4. 延误归因与瓶颈部门 · Delay attribution and bottleneck departments

一个部门开工晚,可能只是因为上游交付晚了——那不是它的责任。沿着任务依赖把延误拆成
**自身延误**和**继承延误**,再把自身延误、阻塞天数、交接等待、逾期未完成和受影响的下游任务
合成一个可以解释的瓶颈得分。
"""),
    code("""
charts.delay_attribution_chart(delivery.departments, lang=LANG, departments=data.departments)
"""),
    md("""
**瓶颈排名及构成**:每个部门的得分拆成五部分(自身延误、阻塞、交接等待、逾期未完成、受影响的
下游任务),鼠标悬停可以看到原始天数。排名第一的部门未必「做得差」——先看是哪一部分把它推上去的。
"""),
    code("""
display(delivery.bottlenecks[["rank", "department", "score", "own_delay_days", "blocked_days",
                              "handoff_wait_days", "downstream_tasks_hit",
                              "share_of_attributable_delay"]])
charts.bottleneck_chart(delivery.bottlenecks, lang=LANG)
"""),
    code("""
charts.handoff_heatmap(delivery.handoff_pairs, lang=LANG, departments=data.departments)
"""),
    md("""
## 5. 沟通节奏与出席 · Communication cadence and attendance

沟通计划里写的「每日 17:00 同步」「每周五 15:00 风险排查」真的开了吗?每个沟通环节:应开、
已开、执行率、缺席的日期、最长间隔;以及各部门按计划应出席的会议里实际出席了多少。
"""),
    code("""
display(comm.cadence[["item", "expected", "held", "adherence", "missed", "gap_max_days",
                      "output_share"]])
charts.cadence_calendar(comm.matches, comm.missed, lang=LANG,
                        items=comm.plan["item"].astype("str").tolist())
"""),
    code("""
charts.attendance_matrix(comm.attendance, lang=LANG, departments=data.departments)
"""),
    md("""
## 6. 48 小时升级规则 · The 48-hour escalation rule

模板约定:任务一旦「滞后」或「阻塞」,48 小时内要开专项会。每一次转为滞后/阻塞,找到之后第一次
有该部门参加、且涉及这个任务的会议,看它是否在 48 小时之内。
"""),
    code("""
display(comm.escalation_overall)
display(comm.escalation)
charts.escalation_chart(comm.escalation_distribution, lang=LANG)
"""),
    md("""
## 7. 待办事项与 RACI · Action items and RACI

会议纪要里的待办有没有按时关闭?RACI 矩阵是否每个任务恰好一个 A、至少一个 R?
"""),
    code("""
display(comm.actions)
charts.actions_chart(comm.actions, lang=LANG, departments=data.departments)
"""),
    code("""
display(comm.raci_problems)
charts.raci_heatmap(data.raci, comm.raci_problems, lang=LANG, departments=data.departments)
"""),
    md("""
## 8. 还要多久 · When will it finish?

按最近的日完成速度做蒙特卡洛模拟(2000 次):剩余任务在 P50 / P85 / P95 的把握下分别哪天完成,
虚线是截止日期。P85 是对外承诺时比较稳妥的日期。
"""),
    code("""
fc = delivery.forecast
display(fc.summary)
charts.forecast_chart(fc, lang=LANG)
"""),
    md("""
## 9. 复盘发现 · Findings

规则化的发现,每条都带着证据数字:哪些做得好,哪些要改进。会上逐条过,决定下一步。
"""),
    code("""
found = findings(
    delivery=m["summary"],
    delivery_by_department=m["by_department"],
    attribution=m["attribution"],
    escalation=m.get("escalation_overall"),
    cadence=m.get("cadence"),
    handoffs=m["handoff_pairs"],
    actions=m.get("actions_overall"),
    lang=LANG,
)
for polarity in ("went_well", "to_improve"):
    display(Markdown(f"**{label(polarity, LANG)}**"))
    for text in found.loc[found["polarity"] == polarity, "text"]:
        display(Markdown(f"- {text}"))
"""),
    md("""
## 10. 导出汇报材料 · Export the deck

一行生成 16:9 的 PPTX 和离线可看的 HTML 报告(中文字体已内置)。单独的 PNG/SVG 见
`export_to_slides.ipynb`。
"""),
    code("""
paths = build_report(data, OUT, lang=LANG, formats=("pptx", "html"), as_of=AS_OF,
                     calendar=CALENDAR, progress=False)
for p in paths:
    print(p)
"""),
    md("""
## 11. 看板 · Dashboard

会上现场筛选:选项目、部门、统计周期和数据截至日,切换日历日/工作日和语言;点击图中的部门
(或在「下钻部门」里选择)查看背后的任务;「导出当前视图」把当前标签页的图表写成 PPTX/PNG。
看板默认只到部门层面(对事不对人);勾选「显示负责人」才会出现负责人,任务少于 5 个的负责人
不单独列出。
"""),
    code("""
dash = ca.widgets.RetrospectiveDashboard(data, lang=LANG)
dash
"""),
]

# ------------------------------------------------------------------------ PMO portfolio
PMO = [
    md("""
# PMO 项目组合分析 · Portfolio analysis

多个项目放在一起看:**项目之间、部门之间**的交付对比,**按月趋势**,**最慢的部门交接**,以及
「沟通跟不上的部门,是不是也更容易延误」。最后是几种常用的临时切片方法。

*Many projects at once: compare projects and departments, monthly trends, worst hand-offs, and
whether communication gaps go with delays. Set `LANG = "en"` for English.*
"""),
    code("""
WORKBOOK = None  # ← 组合数据:一个工作簿或一个文件夹;None = 自带示例 ../data/portfolio.xlsx
LANG = "zh"
AS_OF = None
"""),
    code(
        SETUP
        + """
from collab_analytics.metrics.communication import communication_report
from collab_analytics.metrics.delivery import delivery_summary
from collab_analytics.metrics.report import delivery_report

# the bundled portfolio: 8 projects, 7 departments, 技术部 planted as the bottleneck, 10 % of
# planned meetings missing (its texts are Chinese; LANG switches the labels)
path = Path(WORKBOOK) if WORKBOOK else Path("..") / "data" / "portfolio.xlsx"
data = ca.load(path)
data
"""
    ),
    md("""
## 1. 项目对比 · Compare projects

每个项目的到期任务、按时完成率和延误率。先看延误率最高的几个。
"""),
    code("""
by_project = delivery_summary(data.tasks, by="project", as_of=AS_OF)
by_project.sort_values("delay_rate", ascending=False)[
    ["project", "n_tasks", "n_due", "n_on_time", "n_late", "n_overdue_open", "on_time_rate",
     "delay_rate"]].head(10)
"""),
    md("""
## 2. 部门对比与瓶颈 · Compare departments, find the bottleneck

跨项目汇总到部门:瓶颈得分把自身延误、阻塞、交接等待、逾期未完成和下游影响合在一起。
两张图联动:点击任一张图里的部门,两边同时高亮(Shift 多选,双击清除)。
"""),
    code("""
rep = delivery_report(data, as_of=AS_OF, forecast_sims=1000)
display(rep.bottlenecks[["rank", "department", "score", "own_delay_days", "blocked_days",
                         "handoff_wait_days", "share_of_attributable_delay"]])
charts.linked_departments(rep.summary, rep.bottlenecks, lang=LANG)
"""),
    md("""
## 3. 按月趋势 · Trends by month

按计划完成月份分组:按时率在变好还是变差?下面是整个组合的任务状态随时间的分布。
"""),
    code("""
by_month = delivery_summary(data.tasks, by="month", as_of=AS_OF)
charts.delivery_trend(by_month, lang=LANG, period="month")
"""),
    code("""
charts.status_mix_chart(rep.status_mix, lang=LANG)
"""),
    md("""
## 4. 最慢的交接 · Worst hand-offs

跨部门依赖上,上游完成到下游开工之间等了多久。平均等待最长的部门对:
"""),
    code("""
pairs = rep.handoff_pairs.sort_values("mean_wait_days", ascending=False)
display(pairs.head(8))
charts.handoff_heatmap(rep.handoff_pairs, lang=LANG, departments=data.departments)
"""),
    md("""
## 5. 沟通缺口与延误 · Communication gaps vs delays

每个部门一行:沟通计划执行率、出席率、48 小时升级合规率、待办关闭率,旁边是它的延误率和自身
延误天数。相关系数只是提示,样本很小时不要过度解读。
"""),
    code("""
comm = communication_report(data, as_of=AS_OF, lang=LANG)
dept = comm.departments
display(dept[["department", "attendance_rate", "escalation_compliance", "action_closure_rate",
              "delay_rate", "own_delay_days"]])
cols = ["attendance_rate", "escalation_compliance", "action_closure_rate"]
dept[cols + ["delay_rate"]].corr(method="spearman")["delay_rate"].drop("delay_rate")
"""),
    md("""
## 6. 临时切片 · Ad-hoc slicing

`TrackingData` 里都是普通的 pandas 表,切片后用 `replace` 组成新的数据,所有函数照常可用。
"""),
    code("""
# 例 1:只看「开发测试」阶段
phase = data.tasks["phase"].dropna().unique()[3]
build_phase = data.replace(tasks=data.tasks[data.tasks["phase"] == phase])
delivery_summary(build_phase.tasks, by="department", as_of=AS_OF)
"""),
    code("""
# 例 2:延误最多的 10 个任务(按延误天数)
late = rep.tasks[rep.tasks["is_late"] | rep.tasks["is_overdue_open"]]
late.sort_values("delay_days", ascending=False).head(10)[
    ["task_id", "task", "department", "planned_finish", "actual_finish", "delay_days"]]
"""),
    code("""
# 例 3:在看板里按项目/部门自由筛选
dash = ca.widgets.RetrospectiveDashboard(data, lang=LANG, tab="bottlenecks")
dash
"""),
]

# ------------------------------------------------------------------------ export to slides
EXPORT = [
    md("""
# 导出到幻灯片 · Export to slides

选择要放进汇报的图表和语言,写出 PNG / SVG(中文字形已内置,不依赖系统字体)和 16:9 的 PPTX。

*Choose charts and language; write PNG, SVG and a 16:9 PPTX deck.*
"""),
    code("""
WORKBOOK = None  # ← 你的跟踪表路径;None = 自带示例 ../data/smart_cs_launch.xlsx
LANG = "zh"
CHARTS = ["delivery_by_department", "slippage", "bottleneck", "burnup", "cadence", "escalation",
          "forecast"]
OUT = "out/slides"
"""),
    code(
        SETUP
        + """
from collab_analytics.export.images import save_chart
from collab_analytics.export.pptx import write_deck
from collab_analytics.export.report import build_content, build_report

SAMPLES = Path("..") / "data"  # the bundled workbooks, next to notebooks/ in the repository
path = Path(WORKBOOK) if WORKBOOK else SAMPLES / (
    "smart_cs_launch.xlsx" if LANG == "zh" else "smart_cs_launch_en.xlsx")
data = ca.load(path)
content = build_content(data, lang=LANG)
available = [item.key for item in content.charts]
print("可选图表 / available charts:", available)
"""
    ),
    md("""
## 1. 选择图表 · Choose charts

只保留 `CHARTS` 里列出的图;每张图的结论(takeaway)来自复盘发现。
"""),
    code("""
content.charts = [item for item in content.charts if item.key in CHARTS]
for item in content.charts:
    print(f"{item.key:<24} {item.title}  —  {item.takeaway}")
"""),
    md("""
## 2. 写出 PNG 与 SVG · Write PNG and SVG

PNG 按 2 倍分辨率渲染,适合插入任何幻灯片;SVG 保留文字,便于再编辑。
"""),
    code("""
out = Path(OUT)
out.mkdir(parents=True, exist_ok=True)
images = []
for item in content.charts:
    images.append(save_chart(item.chart, out / f"{item.key}.png", lang=LANG))
    images.append(save_chart(item.chart, out / f"{item.key}.svg", lang=LANG))
[p.name for p in images]
"""),
    md("""
## 3. 写出 PPTX · Write the deck

标题页、核心指标、每张图一页(附结论)、复盘发现和延误/阻塞任务附录。
"""),
    code("""
deck = write_deck(content, out / f"retrospective_{LANG}.pptx")
print(deck, f"{deck.stat().st_size / 1024:.0f} KB")
"""),
    md("""
## 4. 一次全部导出 · Everything in one call

`build_report` 把 PPTX、HTML、PNG、SVG 和 XLSX 表格一起写到一个文件夹(只写它自己的文件)。
"""),
    code("""
paths = build_report(data, out / "all", lang=LANG, formats=("pptx", "html", "svg", "xlsx"),
                     progress=False)
[p.name for p in paths]
"""),
]

# ------------------------------------------------------------------------ data quality
QUALITY = [
    md("""
# 数据质量检查 · Data quality

真实的跟踪表总有问题:日期写成「待定」、状态写成自造的词、任务名称空着……这本笔记本演示
**读取 → 看校验报告 → 修正 → 重新读取**。每个问题都带着工作表、行号、列名和修改建议。

*Load a workbook, read the validation report, fix the cells, reload.*

这里先把自带的示例工作簿 `data/smart_cs_launch.xlsx` 复制一份并改坏几个单元格;换成你自己的
文件,只需设置 `WORKBOOK`。
"""),
    code("""
WORKBOOK = None  # ← 你的跟踪表路径;None = 用自带示例制造一份带错误的副本
LANG = "zh"
"""),
    code("""
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from IPython.display import display

import collab_analytics as ca

work = Path(tempfile.mkdtemp(prefix="collab-quality-"))
"""),
    md("""
## 1. 准备一份有问题的工作簿 · Make a messy copy

复制自带的示例工作簿(模板格式,表头上方有标题行),再用 openpyxl 改坏几个单元格:一个计划完成
日期写成「待定」、一个状态写成「差不多了」、一个任务名称清空。
"""),
    code("""
def find_header(ws, name):
    \"\"\"(row, column) of the header cell whose text is ``name`` (first 10 rows).\"\"\"
    for row in ws.iter_rows(min_row=1, max_row=10):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == name:
                return cell.row, cell.column
    raise LookupError(name)


def task_sheet(wb):
    \"\"\"The task tracking sheet: the one with a 计划完成 (planned finish) header.\"\"\"
    for ws in wb.worksheets:
        try:
            find_header(ws, "计划完成")
            return ws
        except LookupError:
            continue
    raise LookupError("计划完成")


if WORKBOOK:
    path = Path(WORKBOOK)
else:
    clean = shutil.copy(Path("..") / "data" / "smart_cs_launch.xlsx", work / "clean.xlsx")
    path = work / "messy.xlsx"
    wb = openpyxl.load_workbook(clean)
    ws = task_sheet(wb)
    hdr_row, c_finish = find_header(ws, "计划完成")
    _, c_status = find_header(ws, "状态")
    _, c_task = find_header(ws, "任务名称")
    bad = {"finish": hdr_row + 3, "status": hdr_row + 5, "task": hdr_row + 7}
    original = {
        "finish": ws.cell(bad["finish"], c_finish).value,
        "status": ws.cell(bad["status"], c_status).value,
        "task": ws.cell(bad["task"], c_task).value,
    }
    ws.cell(bad["finish"], c_finish).value = "待定"
    ws.cell(bad["status"], c_status).value = "差不多了"
    ws.cell(bad["task"], c_task).value = None
    wb.save(path)
print(path)
"""),
    md("""
## 2. 读取并查看校验报告 · Load and read the report

`load` 不会因为几个坏单元格就整体失败:能读的行照常读入,每个问题记在 `data.issues` 里
(错误 error / 警告 warning),并指出位置和建议。
"""),
    code("""
data = ca.load(path)
print(data.summary(lang=LANG))
"""),
    code("""
cols = ["severity", "sheet", "row", "column", "value", "message", "hint"]
display(data.errors[cols])
display(data.warnings[cols])
"""),
    md("""
## 3. 修正后重新读取 · Fix and reload

按报告里的行号回到工作簿改正(这里用 openpyxl 还原原值;你也可以直接在 Excel 里改),
再读一次,确认错误清零。
"""),
    code("""
if not WORKBOOK:
    wb = openpyxl.load_workbook(path)
    ws = task_sheet(wb)
    ws.cell(bad["finish"], c_finish).value = original["finish"]
    ws.cell(bad["status"], c_status).value = original["status"]
    ws.cell(bad["task"], c_task).value = original["task"]
    fixed = work / "fixed.xlsx"
    wb.save(fixed)
    data = ca.load(fixed)
    print(data.summary(lang=LANG))
    assert not data.has_errors, data.errors
"""),
    md("""
## 4. 在笔记本里上传 · Upload from the notebook

不想写路径?用上传控件:选择文件后先显示校验报告,没有错误就直接打开看板。
"""),
    code("""
loader = ca.widgets.WorkbookLoader(lang=LANG)
loader
"""),
]

# ------------------------------------------------------------------------ dashboard (Voila)
DASHBOARD = [
    md("""
# 跨部门协作复盘看板 · Retrospective dashboard

会议室大屏用:`make dashboard` 用 Voila 打开本页(只显示看板,不显示代码)。
*For the meeting-room screen: `make dashboard` serves this page with Voila.*
"""),
    code("""
WORKBOOK = None  # ← 你的跟踪表路径;None = 自带示例 ../data/smart_cs_launch.xlsx
LANG = "zh"
"""),
    code("""
from pathlib import Path

import collab_analytics as ca

SAMPLES = Path("..") / "data"  # the bundled workbooks, next to notebooks/ in the repository
path = Path(WORKBOOK) if WORKBOOK else SAMPLES / (
    "smart_cs_launch.xlsx" if LANG == "zh" else "smart_cs_launch_en.xlsx")
data = ca.load(path)
dash = ca.widgets.RetrospectiveDashboard(data, lang=LANG)
dash
"""),
]

NOTEBOOKS = {
    "retrospective.ipynb": RETROSPECTIVE,
    "pmo_portfolio.ipynb": PMO,
    "export_to_slides.ipynb": EXPORT,
    "data_quality.ipynb": QUALITY,
    "dashboard.ipynb": DASHBOARD,
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    stem = name.removesuffix(".ipynb").replace("_", "-")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    for i, (kind, src) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(src)
        cell.id = f"{stem}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write the notebooks from their cell lists.")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(name, cells), args.out / name)
        print("wrote", args.out / name)


if __name__ == "__main__":
    main()
