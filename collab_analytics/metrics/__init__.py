"""Pure metric functions: canonical DataFrames in, tidy DataFrames out.

See ``docs/metrics.md`` for every definition with a worked example.
"""

from __future__ import annotations

import importlib

# modules whose public names (their ``__all__``) are re-exported here, resolved lazily
_MODULES = (
    "delivery",
    "attribution",
    "handoffs",
    "bottleneck",
    "progress",
    "forecast",
    "schedule",
    "cadence",
    "escalation",
    "actions",
    "raci",
    "communication",
    "distributions",
    "report",
)


def _exports() -> dict[str, str]:
    out = {}
    for mod in _MODULES:
        try:
            m = importlib.import_module(f"collab_analytics.metrics.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"collab_analytics.metrics.{mod}":
                raise
            continue
        for name in getattr(m, "__all__", ()):
            out[name] = mod
    return out


def __getattr__(name: str):
    exports = _exports()
    if name not in exports:
        msg = f"module 'collab_analytics.metrics' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"collab_analytics.metrics.{exports[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_exports()))
