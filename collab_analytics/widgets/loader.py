"""Upload a tracking workbook, read its validation report, then open the dashboard on it.

:class:`WorkbookLoader` wires an ``ipywidgets.FileUpload`` to :func:`collab_analytics.load`:
the uploaded bytes are written to a private temporary folder under the file's own name, loaded,
and every problem found (``TrackingData.issues``: severity, sheet, row, column, value, message,
hint) is listed. Without errors the dashboard opens at once; with errors, a button opens it
anyway on the rows that did load.

Examples
--------
>>> import tempfile, pathlib
>>> from collab_analytics import sample, write_workbook
>>> from collab_analytics.widgets import WorkbookLoader
>>> path = write_workbook(sample.smart_cs_launch(), pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
>>> loader = WorkbookLoader(open_dashboard=False)
>>> data = loader.load_bytes("跟踪表.xlsx", path.read_bytes())
>>> len(data.tasks), loader.data is data, data.has_errors
(39, True, False)
"""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

import ipywidgets as W
import pandas as pd

from collab_analytics._errors import CollabError
from collab_analytics.data import TrackingData
from collab_analytics.labels import check_lang
from collab_analytics.widgets._text import text

__all__ = ["WorkbookLoader"]

_ACCEPT = ".xlsx,.xlsm,.xls,.ods,.csv,.tsv,.parquet"
_ISSUE_COLUMNS = ("severity", "sheet", "row", "column", "value", "message", "hint")
_MAX_ROWS = 200


def _safe_name(name: str) -> str:
    """The uploaded file's base name only (no folders), never empty."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    return base if base and base not in {".", ".."} else "upload.xlsx"


class WorkbookLoader:
    """FileUpload → validation report → :class:`RetrospectiveDashboard`.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the report and of the dashboard it opens.
    open_dashboard : bool
        Open the dashboard automatically when the file has no errors.
    **dashboard_options
        Passed to :class:`~collab_analytics.widgets.RetrospectiveDashboard`.

    Attributes
    ----------
    widget : ipywidgets.VBox
    upload : ipywidgets.FileUpload
    data : TrackingData or None
        The last loaded data.
    issues : DataFrame
        Its issues (empty before a load).
    dashboard : RetrospectiveDashboard or None
    """

    def __init__(self, *, lang: str = "zh", open_dashboard: bool = True, **dashboard_options):
        check_lang(lang)
        self.lang = lang
        self.open_dashboard = open_dashboard
        self.dashboard_options = dashboard_options
        self.data: TrackingData | None = None
        self.issues: pd.DataFrame = pd.DataFrame(columns=list(_ISSUE_COLUMNS))
        self.dashboard = None
        self.error: str | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix="collab-upload-"))

        self.upload = W.FileUpload(accept=_ACCEPT, multiple=False, description=text("upload", lang))
        self.upload.add_class("collab-upload")
        self.hint = W.HTML(f"<i>{html.escape(text('upload_hint', lang))}</i>")
        self.report = W.HTML()
        self.report.add_class("collab-validation-report")
        self.open_button = W.Button(description=text("open_dashboard", lang), disabled=True)
        self.open_button.layout.display = "none"
        self.open_button.on_click(lambda _b: self.show_dashboard())
        self.dashboard_box = W.VBox()
        self.widget = W.VBox(
            [self.hint, self.upload, self.report, self.open_button, self.dashboard_box]
        )
        self.widget.add_class("collab-loader")
        self.upload.observe(self._on_upload, names="value")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ loading
    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        self.load_bytes(f["name"], bytes(f["content"]))

    def load_bytes(self, name: str, content: bytes) -> TrackingData | None:
        """Load an uploaded file's bytes; shows the report and returns the data (``None`` when
        the file cannot be read at all)."""
        from collab_analytics.io import load

        for old in self._tmp.iterdir():
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        path = self._tmp / _safe_name(name)
        path.write_bytes(content)
        self.dashboard = None
        self.dashboard_box.children = []
        try:
            data = load(path)
        except CollabError as exc:
            self.data, self.error = None, str(exc)
            self.issues = pd.DataFrame(columns=list(_ISSUE_COLUMNS))
            self.report.value = (
                f"<div style='color:#b00'><b>{html.escape(text('load_failed', self.lang))}</b>: "
                f"{html.escape(str(exc))}</div>"
            )
            self.open_button.layout.display = "none"
            return None
        self.data, self.error = data, None
        self.issues = data.issues
        self.report.value = self._report_html(data)
        has_errors = data.has_errors
        self.open_button.description = text(
            "open_anyway" if has_errors else "open_dashboard", self.lang
        )
        self.open_button.disabled = False
        self.open_button.layout.display = None
        if self.open_dashboard and not has_errors:
            self.show_dashboard()
        return data

    def show_dashboard(self):
        """Open the dashboard on the loaded data (below the report)."""
        from collab_analytics.widgets.dashboard import RetrospectiveDashboard

        if self.data is None:
            msg = "Nothing loaded yet: upload a workbook first."
            raise CollabError(msg)
        self.dashboard = RetrospectiveDashboard(self.data, lang=self.lang, **self.dashboard_options)
        self.dashboard_box.children = [self.dashboard.widget]
        return self.dashboard

    # ------------------------------------------------------------------ report
    def _report_html(self, data: TrackingData) -> str:
        lang = self.lang
        n_err = int((data.issues["severity"] == "error").sum())
        n_warn = int((data.issues["severity"] == "warning").sum())
        head = (
            f"<h4>{html.escape(text('validation_report', lang))}</h4>"
            f"<div><b>{html.escape(text('errors', lang))}: {n_err}</b> · "
            f"{html.escape(text('warnings', lang))}: {n_warn}</div>"
        )
        acc = data.accounting
        sizes = ""
        if len(acc):
            sizes = acc.to_html(index=False, border=0, classes="collab-accounting")
        if len(data.issues) == 0:
            return f"{head}<div>{html.escape(text('no_issues', lang))}</div>{sizes}"
        shown = data.issues.loc[:, list(_ISSUE_COLUMNS)].head(_MAX_ROWS).copy()
        shown["row"] = shown["row"].astype("object").where(shown["row"].notna(), "")
        shown = shown.rename(columns={c: text(c, lang) for c in _ISSUE_COLUMNS})
        table = shown.to_html(
            index=False, escape=True, border=0, na_rep="", classes="collab-issues"
        )
        more = ""
        if len(data.issues) > _MAX_ROWS:
            more = f"<div>… {len(data.issues) - _MAX_ROWS}</div>"
        return f"{head}{table}{more}{sizes}"
