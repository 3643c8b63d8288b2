"""Words of the widgets (controls, tabs, buttons) from :mod:`collab_analytics.labels`.

The dashboard's and loader's own words live in the shared labels under ``ui_<key>``; other
keys (columns, KPIs, chart words) are the labels every layer uses.
"""

from __future__ import annotations

from collab_analytics.labels import LABELS, label

__all__ = ["text"]


def text(key: str, lang: str = "zh", **fmt: object) -> str:
    """The widget word ``ui_<key>`` in ``lang``, else the shared label ``key``.

    >>> text("tab_delivery", "en"), text("department", "zh")
    ('Delivery', '负责部门')
    """
    ui = f"ui_{key}"
    return label(ui if ui in LABELS["zh"] else key, lang, **fmt)
