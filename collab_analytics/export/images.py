"""PNG and SVG export of any chart through vl-convert, with real Chinese glyphs.

The CJK font comes from the pip package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, SIL OFL 1.1),
so exports draw Chinese on a machine without any system CJK font. It is registered with
vl-convert once per process (:func:`register_fonts`), before the first conversion.

Examples
--------
>>> import altair as alt, pandas as pd
>>> from collab_analytics.export.images import chart_to_png, chart_to_svg
>>> df = pd.DataFrame({"部门": ["客服部"], "n": [3]})
>>> ch = alt.Chart(df).mark_bar().encode(x="部门:N", y="n:Q")
>>> chart_to_png(ch)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> "<svg" in chart_to_svg(ch)
True
"""

from __future__ import annotations

import threading
from pathlib import Path

import altair as alt
import vl_convert as vlc

from collab_analytics._errors import CollabError
from collab_analytics.charts.theme import to_spec

__all__ = [
    "VL_VERSION",
    "chart_to_png",
    "chart_to_svg",
    "font_directory",
    "register_fonts",
    "save_chart",
    "spec_to_png",
    "spec_to_svg",
]

#: Vega-Lite version matching the installed Altair (e.g. ``"6.4"``).
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

_LOCK = threading.Lock()
_REGISTERED: list[str] = []


def font_directory() -> Path:
    """Folder holding the bundled Noto Sans SC font (from ``pylopdf-fonts-zh-cn``)."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path()).resolve().parent


def register_fonts() -> Path:
    """Register the bundled CJK font with vl-convert; a no-op after the first call.

    >>> register_fonts() == register_fonts()
    True
    """
    with _LOCK:
        if not _REGISTERED:
            d = font_directory()
            vlc.register_font_directory(str(d))
            _REGISTERED.append(str(d))
        return Path(_REGISTERED[0])


def _locale(lang: str) -> dict:
    if lang == "zh":
        return {"format_locale": "zh-CN", "time_format_locale": "zh-CN"}
    return {"format_locale": "en-US", "time_format_locale": "en-US"}


def spec_to_png(spec: dict, *, scale: float = 2.0, lang: str = "zh") -> bytes:
    """Render a Vega-Lite dict to PNG bytes (``scale`` ≥ 2 for slides).

    No external data is fetched (``allowed_base_urls=[]``).
    """
    if scale < 1:
        msg = f"scale must be >= 1, got {scale}."
        raise CollabError(msg)
    register_fonts()
    return vlc.vegalite_to_png(
        spec, vl_version=VL_VERSION, scale=scale, allowed_base_urls=[], **_locale(lang)
    )


def spec_to_svg(spec: dict, *, lang: str = "zh") -> str:
    """Render a Vega-Lite dict to an SVG string (text stays text: viewers need the font)."""
    register_fonts()
    return vlc.vegalite_to_svg(spec, vl_version=VL_VERSION, allowed_base_urls=[], **_locale(lang))


def chart_to_png(chart: alt.TopLevelMixin, *, scale: float = 2.0, lang: str = "zh") -> bytes:
    """PNG bytes of a chart with the theme applied."""
    return spec_to_png(to_spec(chart), scale=scale, lang=lang)


def chart_to_svg(chart: alt.TopLevelMixin, *, lang: str = "zh") -> str:
    """SVG text of a chart with the theme applied."""
    return spec_to_svg(to_spec(chart), lang=lang)


def png_with_text(png: bytes, text: dict[str, str]) -> bytes:
    r"""``png`` with UTF-8 text chunks (``iTXt``: e.g. ``Title``, ``Description``) inserted
    after its header, so an image file keeps its caption without drawing it.

    >>> import struct, zlib
    >>> def chunk(t, d):
    ...     return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    >>> png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes(13)) + chunk(b"IEND", b"")
    >>> out = png_with_text(png, {"Title": "瓶颈部门"})
    >>> "瓶颈部门".encode() in out, out[:8] == png[:8], len(out) > len(png)
    (True, True, True)
    """
    import struct
    import zlib

    head = 8 + 8 + 13 + 4  # signature + IHDR chunk
    if png[12:16] != b"IHDR":
        msg = "Not a PNG: no IHDR chunk after the signature."
        raise CollabError(msg)
    chunks = []
    for key, value in text.items():
        if not value:
            continue
        data = key.encode("latin-1") + b"\0\0\0\0\0" + str(value).encode("utf-8")
        chunks.append(
            struct.pack(">I", len(data))
            + b"iTXt"
            + data
            + struct.pack(">I", zlib.crc32(b"iTXt" + data))
        )
    return png[:head] + b"".join(chunks) + png[head:]


def save_chart(
    chart: alt.TopLevelMixin, path: str | Path, *, scale: float = 2.0, lang: str = "zh"
) -> Path:
    """Write ``chart`` to ``path``; the format follows the suffix (``.png`` or ``.svg``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(chart_to_png(chart, scale=scale, lang=lang))
    elif suffix == ".svg":
        path.write_text(chart_to_svg(chart, lang=lang), encoding="utf-8")
    else:
        msg = f"Unsupported image format {suffix!r} for {path.name}. Expected '.png' or '.svg'."
        raise CollabError(msg)
    return path
