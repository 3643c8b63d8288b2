"""Real-browser harness: JupyterLab and Voila servers driven by headless Debian Chromium.

Used by ``tests/test_browser.py``. Nothing here downloads a browser: Chromium is the Debian
package at ``/usr/bin/chromium`` and Playwright only drives it.

* :func:`require_chromium` — fail (``COLLAB_REQUIRE_BROWSER=1``, as in CI) or skip (locally)
  when the browser is missing, with the install hint.
* :func:`start_jupyter_lab` / :func:`start_voila` — a server on ``127.0.0.1`` in its own
  process group, with private ``JUPYTER_CONFIG_DIR`` / ``JUPYTER_RUNTIME_DIR`` /
  ``IPYTHONDIR``; :meth:`Server.stop` ends the whole group (server and its kernels).
* :func:`fontconfig_env` — a ``FONTCONFIG_FILE`` that adds the pip-shipped Noto Sans SC to the
  system fonts, so Chinese is drawn as glyphs, not boxes, in screenshots.
* :func:`launch_chromium` — a persistent context on a fresh profile with the flags that work
  headless, offline and as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Install the Debian package: `apt-get install -y chromium` "
    "(do not run `playwright install`: it downloads a browser)."
)
BIN = Path(sys.executable).parent


def browser_required() -> bool:
    """True when the environment demands browser tests (CI sets ``COLLAB_REQUIRE_BROWSER=1``)."""
    return os.environ.get("COLLAB_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def require_chromium() -> Path:
    """Path of Chromium; fails the test when it is missing and required, skips otherwise."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    msg = f"Chromium not found at {CHROMIUM}. {INSTALL_HINT}"
    if browser_required():
        pytest.fail(f"{msg} COLLAB_REQUIRE_BROWSER=1, so browser tests may not be skipped.")
    pytest.skip(msg)
    raise AssertionError  # unreachable: pytest.skip raises


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fontconfig_env(workdir: Path) -> dict[str, str]:
    """``{"FONTCONFIG_FILE": conf}`` where conf = system fonts + the bundled Noto Sans SC."""
    import pylopdf_fonts_zh_cn

    font_dir = Path(pylopdf_fonts_zh_cn.sans_path()).parent
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{escape(str(font_dir))}</dir>\n"
        f"  <cachedir>{escape(str(workdir / 'fc-cache'))}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


def jupyter_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment with private Jupyter/IPython dirs under ``workdir``; the venv first on PATH."""
    dirs = {
        "JUPYTER_CONFIG_DIR": workdir / "jupyter-config",
        "JUPYTER_RUNTIME_DIR": workdir / "jupyter-runtime",
        "JUPYTER_DATA_DIR": workdir / "jupyter-data",
        "IPYTHONDIR": workdir / "ipython",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **{k: str(v) for k, v in dirs.items()})
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("JUPYTER_PATH", None)
    env.update(extra or {})
    return env


@dataclass
class Server:
    """A running Jupyter server process (its own process group)."""

    proc: subprocess.Popen
    base_url: str
    token: str
    log_path: Path

    def stop(self) -> None:
        """Stop the server and every kernel it started (SIGTERM to the group, then SIGKILL)."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log_tail(self, n: int = 4000) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-n:]


def _start(
    cmd: list[str], *, cwd: Path, env: dict, ready_url: str, log_path: Path, token: str, base: str
) -> Server:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logf = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    logf.close()  # the child holds its own descriptor
    server = Server(proc=proc, base_url=base, token=token, log_path=log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"{cmd[0]} exited with code {proc.returncode}:\n{server.log_tail()}"
            raise RuntimeError(msg)
        try:
            urllib.request.urlopen(ready_url, timeout=2).close()
            return server
        except urllib.error.HTTPError:
            return server  # any HTTP answer (even 404) means it is serving
        except OSError:
            time.sleep(0.3)
    server.stop()
    msg = f"{cmd[0]} did not answer {ready_url} within 90 s:\n{server.log_tail()}"
    raise TimeoutError(msg)


def start_jupyter_lab(root_dir: Path, workdir: Path, *, token: str = "collab-test") -> Server:
    """JupyterLab serving ``root_dir`` on a free port of 127.0.0.1 (news and update checks off)."""
    port = free_port()
    cmd = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--allow-root",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    base = f"http://127.0.0.1:{port}"
    return _start(
        cmd,
        cwd=root_dir,
        env=jupyter_env(workdir),
        ready_url=f"{base}/api?token={token}",
        log_path=ARTIFACTS / "jupyter_lab.log",
        token=token,
        base=base,
    )


def start_voila(notebook: Path, workdir: Path) -> Server:
    """Voila serving one notebook; readiness is checked on a static URL (``/`` would execute it)."""
    port = free_port()
    cmd = [
        str(BIN / "voila"),
        notebook.name,
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--ServerApp.allow_root=True",
    ]
    base = f"http://127.0.0.1:{port}"
    return _start(
        cmd,
        cwd=notebook.parent,
        env=jupyter_env(workdir),
        ready_url=f"{base}/voila/static/no-such-file",
        log_path=ARTIFACTS / f"voila_{notebook.stem}.log",
        token="",
        base=base,
    )


def copy_notebooks(dest: Path) -> Path:
    """Copy ``notebooks/*.ipynb`` to ``dest/notebooks`` and the bundled workbooks to
    ``dest/data`` (the notebooks read ``../data``), so a live server never autosaves into the
    repository; returns the notebooks folder."""
    nbdir = dest / "notebooks"
    nbdir.mkdir(parents=True, exist_ok=True)
    for nb in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy2(nb, nbdir / nb.name)
    shutil.copytree(ROOT / "data", dest / "data", ignore=shutil.ignore_patterns("csv"))
    return nbdir


def launch_chromium(pw, workdir: Path, env_extra: dict[str, str] | None = None):
    """A Playwright persistent context on Debian Chromium with a fresh profile."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir))
    return pw.chromium.launch_persistent_context(
        user_data_dir=str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        env=dict(os.environ, **(env_extra or {})),
        viewport={"width": 1400, "height": 1000},
    )


def dismiss_lab_popups(page) -> None:
    """Close the first-run news toast and any dialog JupyterLab may show."""
    no_news = page.get_by_role("button", name="No")
    if no_news.count():
        no_news.first.click()
    dialog_ok = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog_ok.count():
        dialog_ok.first.click()


def _kernel_idle(page, timeout: int) -> None:
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=timeout
    )


def open_in_lab(page, server: Server, name: str) -> None:
    """Open ``name`` in JupyterLab and wait until its kernel is idle and no dialog is up."""
    page.goto(f"{server.base_url}/lab/tree/{name}?token={server.token}&reset")
    page.locator(".jp-NotebookPanel").first.wait_for(timeout=90_000)
    _kernel_idle(page, 90_000)
    # JupyterLab may start a second session while restoring the workspace and show a
    # "Kernel Terminating" dialog for the first one: let it settle, dismiss, check again.
    page.wait_for_timeout(1500)
    dismiss_lab_popups(page)
    _kernel_idle(page, 90_000)


def _execution_started(page) -> bool:
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    return any("*" in p or any(ch.isdigit() for ch in p) for p in prompts)


def lab_run_all(page, *, attempts: int = 3) -> None:
    """Run → Run All Cells through the menu bar, as a user would (retried if a dialog ate
    the click)."""
    for _ in range(attempts):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        for _ in range(20):
            page.wait_for_timeout(500)
            if _execution_started(page):
                return
        dismiss_lab_popups(page)
        page.keyboard.press("Escape")
        _kernel_idle(page, 60_000)
    msg = "Run All did not start executing the notebook."
    raise AssertionError(msg)


def lab_error_outputs(page) -> list[str]:
    """Texts of error outputs (tracebacks) currently shown in the notebook."""
    loc = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    return [t for t in loc.all_inner_texts() + tracebacks.all_inner_texts() if "Error" in t]
