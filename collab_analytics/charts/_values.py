"""Chart data frames → Vega-Lite inline rows, column by column (what Altair's default data
transformer produces, without its row-by-row pandas sanitising).

Altair's ``to_values`` copies the frame, rewrites every column as Python objects
(``sanitize_pandas_dataframe``) and then builds the rows with ``DataFrame.to_dict("records")``,
boxing each cell; for the small frames of a chart that costs several milliseconds per chart
on every dashboard update. :func:`frame_values` builds the same rows from one ``tolist()`` per
column:

* text (``str``/``string``/``category``) → ``str``, missing → ``None``;
* integers → ``int``; booleans → ``bool``; floats → ``float`` with NaN and ±inf → ``None``;
* datetimes without time zone and whole seconds → ISO text ``"2024-07-05T00:00:00"``
  (``Timestamp.isoformat()``, as Altair writes them), ``NaT`` → ``""``;

Any other column type (``object``, nullable integers, time zones, sub-second times, Arrow
types …), a non-string or repeated column name: ``None`` — the caller then uses Altair's own
converter. (Under pandas 3 Altair's handling of ``object`` columns depends on the type pandas
infers for them: missing values come out as ``None`` or ``NaN``; that is left to Altair.)
The chart tests compare both converters on every chart of the report.

Examples
--------
>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"d": ["a", None], "n": [1, 2], "x": [0.5, np.nan],
...                    "t": pd.to_datetime(["2024-07-05", None])})
>>> frame_values(df)
[{'d': 'a', 'n': 1, 'x': 0.5, 't': '2024-07-05T00:00:00'}, {'d': None, 'n': 2, 'x': None, 't': ''}]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []  # private module

_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _column(s: pd.Series) -> list | None:
    dtype = s.dtype
    name = str(dtype)
    if name in ("str", "string"):
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if name == "category":
        cats = s.cat.categories
        if len(cats) == 0:
            return [None] * len(s)
        if not (cats.dtype == object or str(cats.dtype) in ("str", "string")):
            return None  # non-text categories: boxed by Altair
        table = [*cats.to_numpy(dtype=object).tolist(), None]
        codes = s.cat.codes.to_numpy()
        return [table[c] for c in codes.tolist()]
    if isinstance(dtype, np.dtype):
        kind = dtype.kind
        if kind in "biu":
            return s.to_numpy().tolist()
        if kind == "f":
            arr = s.to_numpy()
            out = arr.tolist()
            for i in np.flatnonzero(~np.isfinite(arr)):
                out[i] = None
            return out
        if kind == "M":
            unit = np.datetime_data(dtype)[0]
            if unit not in _SECOND:
                return None
            arr = s.to_numpy()
            nat = np.isnat(arr)
            ticks = arr.view("int64")
            if np.any(ticks[~nat] % _SECOND[unit]):
                return None  # sub-second parts: isoformat adds a fraction
            out = np.datetime_as_string(arr.astype("datetime64[s]"), unit="s").tolist()
            for i in np.flatnonzero(nat):
                out[i] = ""
            return out
    return None


def frame_values(frame: pd.DataFrame) -> list[dict[str, Any]] | None:
    """The rows Altair's default transformer embeds for ``frame`` (see the module notes), or
    ``None`` when the frame has a column this converter does not handle."""
    if not isinstance(frame, pd.DataFrame):
        return None
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex | pd.RangeIndex) or isinstance(frame.index, pd.MultiIndex):
        return None
    names = cols.tolist()
    if not all(type(c) is str for c in names) or len(set(names)) != len(names):
        return None
    lists = []
    for name in names:  # unique names: one column each
        values = _column(frame[name])
        if values is None:
            return None
        lists.append(values)
    if not names:
        return None
    return [dict(zip(names, row, strict=True)) for row in zip(*lists, strict=True)]
