"""List columns (``depends_on``, ``related_tasks``, meeting ``departments``) as Arrow lists.

The loader stores list cells as one Arrow ``list<large_string>`` column (:data:`LIST_DTYPE`)
instead of one Python list per row: a million rows of lists then cost two buffers, not a
million objects for the garbage collector to walk. Cells still read back as Python lists
(``series.tolist()``, ``series.iloc[0]``), and a missing cell is an empty list.

Metrics accept either form: an Arrow list column, or an ``object`` column of Python lists (as
people write in tests and notebooks). :func:`flatten` reads both without a Python loop for the
Arrow form.

Examples
--------
>>> import pandas as pd
>>> s = from_flat(3, [0, 0, 2], ["T1", "T2", "T3"])
>>> s.tolist()
[['T1', 'T2'], [], ['T3']]
>>> lengths, flat = flatten(s)
>>> lengths.tolist(), flat.to_pylist()
([2, 0, 1], ['T1', 'T2', 'T3'])
>>> flatten(pd.Series([["a"], [], None], dtype=object))[0].tolist()
[1, 0, 0]
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "LIST_DTYPE",
    "as_list_column",
    "flatten",
    "from_flat",
    "from_mask",
    "is_list_column",
    "join_text",
    "rows_of",
    "with_list_columns",
]

#: dtype of the loader's list columns
LIST_DTYPE = pd.ArrowDtype(pa.list_(pa.large_string()))


def is_list_column(col: pd.Series) -> bool:
    """True when ``col`` is an Arrow list column."""
    return isinstance(col.dtype, pd.ArrowDtype) and pa.types.is_list(col.dtype.pyarrow_dtype)


def _arrow_list(col: pd.Series) -> pa.ListArray:
    arr = col.array.__arrow_array__()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if arr.type != LIST_DTYPE.pyarrow_dtype:
        arr = arr.cast(LIST_DTYPE.pyarrow_dtype)
    return arr


def flatten(col: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Items per row (``int64``, 0 for a missing cell) and all items as one ``large_string``
    array in row order (missing items stay null).

    Arrow list columns are read from their buffers; ``object`` columns of lists are converted
    by Arrow in C, with a Python fallback for cells that are not lists of text (numbers,
    scalars: a scalar counts as a one-item list).
    """
    if len(col) == 0:
        return np.zeros(0, dtype="int64"), pa.array([], type=pa.large_string())
    if is_list_column(col):
        arr = _arrow_list(col)
        lengths = arr.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
        return lengths.astype("int64"), arr.flatten()
    vals = col.to_numpy(dtype=object)
    try:
        arr = pa.array(vals, type=LIST_DTYPE.pyarrow_dtype, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        cells = [_as_cell(v) for v in vals]  # mixed content only: the rare, slow path
        lengths = np.fromiter(map(len, cells), dtype="int64", count=len(cells))
        items = [None if _missing(x) else str(x) for x in chain.from_iterable(cells)]
        return lengths, pa.array(items, type=pa.large_string())
    lengths = arr.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
    return lengths.astype("int64"), arr.flatten()


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA


def _as_cell(v) -> list:
    if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        return list(v)
    return [] if _missing(v) else [v]


def rows_of(lengths: np.ndarray) -> np.ndarray:
    """Row position of every flattened item (``np.repeat`` of the row numbers)."""
    return np.repeat(np.arange(len(lengths), dtype="int64"), lengths)


def from_flat(
    n: int, rowpos, tokens, *, index: pd.Index | None = None, name: str | None = None
) -> pd.Series:
    """An Arrow list column of ``n`` rows from (row position, item) pairs sorted by row.

    Rows without items get an empty list.
    """
    pos = np.asarray(rowpos, dtype="int64")
    counts = np.bincount(pos, minlength=n)[:n] if len(pos) else np.zeros(n, dtype="int64")
    offsets = np.zeros(n + 1, dtype="int32")
    offsets[1:] = np.cumsum(counts)  # summed in int64, then narrowed (cumsum into int32 is slow)
    values = tokens if isinstance(tokens, pa.Array) else pa.array(tokens, pa.large_string())
    return _list_series(offsets, values, index, name)


def from_mask(
    keep: np.ndarray, values: pa.Array, *, index: pd.Index | None = None, name: str | None = None
) -> pd.Series:
    """An Arrow list column with one item on each row where ``keep`` holds and none elsewhere:
    ``from_flat(len(keep), np.flatnonzero(keep), values)`` without counting items per row.

    ``values`` are the kept rows' items, in row order.

    Examples
    --------
    >>> import numpy as np
    >>> from_mask(np.array([True, False, True]), pa.array(["T1", "T3"])).tolist()
    [['T1'], [], ['T3']]
    """
    keep = np.asarray(keep, dtype=bool)
    n = len(keep)
    if int(keep.sum()) != len(values):
        msg = f"{len(values)} values for {int(keep.sum())} kept rows."
        raise ValueError(msg)
    offsets = np.zeros(n + 1, dtype="int32")
    np.cumsum(keep, out=offsets[1:])
    return _list_series(offsets, values, index, name)


def _list_series(offsets: np.ndarray, values, index, name) -> pd.Series:
    """A Series of :data:`LIST_DTYPE` from int32 ``offsets`` and the items (large strings)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    arr = pa.ListArray.from_arrays(pa.array(offsets), values)
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=index, name=name)


def as_list_column(col: pd.Series) -> pd.Series:
    """``col`` as an Arrow list column (missing cells → empty lists); index and name kept."""
    if is_list_column(col) and col.dtype == LIST_DTYPE:
        return col
    lengths, flat = flatten(col)
    return from_flat(len(col), rows_of(lengths), flat, index=col.index, name=col.name)


def with_list_columns(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` (those present) are Arrow list columns."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame
    return frame.assign(**{c: as_list_column(frame[c]) for c in present})


def join_text(col: pd.Series, sep: str = "、") -> pd.Series:
    """Each list cell as one text (items joined by ``sep``; empty list → missing).

    >>> join_text(from_flat(2, [0, 0], ["T1", "T2"])).tolist()
    ['T1、T2', nan]
    """
    import pyarrow.compute as pc

    lengths, flat = flatten(col)
    arr = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype("int32")),
        pc.fill_null(flat, "") if len(flat) else flat,
    )
    text = pc.binary_join(arr, pa.scalar(sep, pa.large_string()))
    text = pc.if_else(pc.equal(pa.array(lengths), 0), pa.scalar(None, pa.large_string()), text)
    return pd.Series(pd.array(text, dtype="str"), index=col.index, name=col.name)
