"""Small pyarrow.compute helpers for the hot paths (1M-row tables): string keys, lookups,
duplicates. pandas' ``str`` dtype is Arrow-backed, so these run in C++ without Python objects.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.io._arrow import lookup, duplicated, key
>>> lookup(pd.Series(["b", "x", None]), pd.Series(["a", "b"])).tolist()
[1, -1, -1]
>>> duplicated(pd.Series(["a", "b", "a"])).tolist()
[False, False, True]
>>> key(pd.Series([" 需求 评审 ", "ABC"])).to_pylist()
['需求评审', 'abc']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["as_arrow", "duplicated", "join", "key", "lookup"]

SEP = "\x1f"


def as_arrow(s: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A string Arrow array for a Series (zero-copy for Arrow-backed ``str`` columns)."""
    if isinstance(s, (pa.Array, pa.ChunkedArray)):
        a = s
    elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        a = pa.array(s)
    else:
        a = pa.array(s.astype("str"), from_pandas=True)
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if not pa.types.is_large_string(a.type):
        a = a.cast(pa.large_string())
    return a


def key(s: pd.Series | pa.Array) -> pa.Array:
    """Comparison key for names: NFKC, no whitespace, lower case (nulls stay null)."""
    a = as_arrow(s)
    a = pc.utf8_normalize(a, "NFKC")
    a = pc.replace_substring_regex(a, r"\s+", "")
    a = pc.utf8_lower(a)
    return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.large_string()), a)


def join(*parts: pd.Series | pa.Array) -> pa.Array:
    """Element-wise ``a SEP b …`` (null parts count as empty strings)."""
    arrs = [pc.fill_null(as_arrow(p), "") for p in parts]
    return pc.binary_join_element_wise(*arrs, pa.scalar(SEP, pa.large_string()))


def lookup(values: pd.Series | pa.Array, table: pd.Series | pa.Array) -> np.ndarray:
    """Position of each value's first occurrence in ``table``; -1 if absent or null."""
    v, t = as_arrow(values), as_arrow(table)
    if len(v) == 0:
        return np.zeros(0, dtype="int64")
    idx = pc.index_in(v, options=pc.SetLookupOptions(value_set=t, skip_nulls=True))
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype("int64")


def duplicated(values: pd.Series | pa.Array) -> np.ndarray:
    """True for every occurrence after the first (nulls never count as duplicates)."""
    v = as_arrow(values)
    if len(v) == 0:
        return np.zeros(0, dtype=bool)
    first = lookup(v, v)
    return (first >= 0) & (first != np.arange(len(v)))
