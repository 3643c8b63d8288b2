"""Shared fixtures: the bundled sample, loaded once per test session, in both header languages."""

from __future__ import annotations

from pathlib import Path

import pytest

import collab_analytics as ca

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE_FILES = {"zh": DATA / "smart_cs_launch.xlsx", "en": DATA / "smart_cs_launch_en.xlsx"}


@pytest.fixture(scope="session")
def sample_paths() -> dict[str, Path]:
    """Paths of the bundled sample workbook, by header language."""
    return dict(SAMPLE_FILES)


@pytest.fixture(scope="session", params=["zh", "en"])
def sample_lang(request) -> str:
    """Each test using this runs once with the Chinese and once with the English workbook."""
    return request.param


@pytest.fixture(scope="session")
def _loaded_samples() -> dict[str, ca.TrackingData]:
    return {lang: ca.load(path) for lang, path in SAMPLE_FILES.items()}


@pytest.fixture(scope="session")
def sample_data(_loaded_samples, sample_lang) -> ca.TrackingData:
    """The bundled sample project 智能客服系统上线, loaded from the zh or the en workbook."""
    return _loaded_samples[sample_lang]


@pytest.fixture(scope="session")
def sample_pair(_loaded_samples) -> tuple[ca.TrackingData, ca.TrackingData]:
    """(zh, en) loads of the same sample."""
    return _loaded_samples["zh"], _loaded_samples["en"]


@pytest.fixture(scope="session")
def playwright_sync():
    """The one Playwright (sync API) instance of the test session.

    Playwright's sync API cannot be started twice in one thread while an instance is alive, so
    every browser test takes this fixture instead of entering ``sync_playwright()`` itself.
    Chromium itself is launched per test or per module (see ``tests/_browser.py``).
    """
    from _browser import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw
