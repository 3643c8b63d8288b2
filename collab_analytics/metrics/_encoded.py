"""Text columns encoded to integer codes once, shared by the communication metrics.

The escalation, RACI and cadence functions all join on the same text columns (task ids,
departments, roles) of the same frames. Hashing a million distinct ids costs far more than
everything done with the codes afterwards, so each encoding is computed once and kept in a
small cache keyed on the *identity of the Arrow buffers* behind the column: pandas' Arrow-backed
``str`` columns are immutable (an edit builds new buffers), and the cache holds a reference to
the buffers it was computed from, so their addresses cannot be reused for other data while the
entry lives. Columns without Arrow storage (``object`` columns) get fresh buffers on every
conversion, so they never hit the cache — results stay correct, only the sharing is lost.
Entries are dropped when the frame they were computed for is garbage-collected, and the cache
keeps at most :data:`MAX_ENTRIES` of them (least recently used first out);
:func:`clear_cache` empties it.

Key columns (``task_id``, else the task name) are encoded run by run: logs and RACI tables list
a task's rows together, so only the first row of each run of equal keys is looked at. When
those run heads are strictly increasing and all have the same byte width (ids such as
``P00001-T01`` in task order), they are distinct and sorted: their codes are their positions,
with no hashing at all, and other ids are found among them by binary search on fixed-width
bytes.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics._encoded import find_keys, task_keys
>>> raci = pd.DataFrame({"task_id": ["T1", "T1", "T2", "T3", "T3"]})
>>> k = task_keys(raci)
>>> k.codes.tolist(), k.uniq.to_pylist(), k.first_row.tolist()
([0, 0, 1, 2, 2], ['T1', 'T2', 'T3'], [0, 2, 3])
>>> import pyarrow as pa
>>> find_keys(k, pa.array(["T3", "T9", None], pa.large_string())).tolist()
[2, -1, -1]
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collab_analytics._threads import in_worker, pool
from collab_analytics.io._arrow import fixed_width

__all__ = [
    "MAX_ENTRIES",
    "THREADS",
    "Keys",
    "cached",
    "cached_columns",
    "clear_cache",
    "compact",
    "find_keys",
    "from_fixed",
    "key_map",
    "parallel",
    "task_keys",
    "text_codes",
]

#: Most cache entries kept at once.
MAX_ENTRIES = 32

_CACHE: OrderedDict[tuple, tuple[object, object]] = OrderedDict()
_LOCK = threading.Lock()


def _new_lock() -> None:
    """A fresh lock in a forked child: the parent's may have been held by one of its threads,
    which do not exist in the child."""
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


def clear_cache() -> None:
    """Forget every cached encoding."""
    with _LOCK:
        _CACHE.clear()


#: Two threads in :func:`parallel`: ``None`` when a core is idle, or always / never.
THREADS: bool | None = None


def _spare_core() -> bool:
    if THREADS is not None:
        return THREADS
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): trust the core count
        return True
    return load <= cores - 1


def parallel(*calls):
    """Results of ``calls`` (functions without arguments), in order.

    The first runs in the calling thread while the others run, one after the other, on one
    worker thread: Arrow's kernels and numpy's array loops release the GIL, so two independent
    encodings of large columns take the time of the longer one on a two-core machine. When no
    core is idle (1-minute load average above the number of cores minus one), or when called
    from the worker itself, everything runs in turn instead: a second thread then only adds
    contention. The results are the same either way.
    """
    if len(calls) < 2 or in_worker("encode") or not _spare_core():
        return [c() for c in calls]
    futures = [pool("encode").submit(c) for c in calls[1:]]
    try:
        first = calls[0]()
    finally:
        rest = [f.result() for f in futures]  # always wait: no work left running behind
    return [first, *rest]


# ------------------------------------------------------------------------------ arrow basics


def arrow_text(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow large strings (no copy for pandas' Arrow-backed ``str``)."""
    arr = pa.array(s.astype("str").array)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return arr


def _combined(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            return arr.chunk(0)
        if arr.num_chunks == 0:
            return pa.array([], type=arr.type)
        return arr.combine_chunks()
    return arr


def _one_byte_codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """:func:`dictionary_codes` read straight from the bytes when every value is exactly one
    byte (an ASCII letter such as a RACI role) and none is missing; else ``None``."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = []
    for c in chunks:
        if len(c) == 0:
            continue
        if c.null_count or not pa.types.is_large_string(c.type):
            return None
        bufs = c.buffers()
        offs = np.frombuffer(bufs[1], dtype="int64")[c.offset : c.offset + len(c) + 1]
        if int(offs[-1] - offs[0]) != len(c) or not np.all(np.diff(offs) == 1):
            return None
        parts.append(np.frombuffer(bufs[2], dtype=np.uint8, count=len(c), offset=int(offs[0])))
    b = np.concatenate(parts) if len(parts) != 1 else parts[0]
    vals = np.flatnonzero(np.bincount(b, minlength=256))
    if len(vals) > 16 or vals.max() >= 0x80:
        return None
    firsts = np.array([np.argmax(b == v) for v in vals])
    vals = vals[np.argsort(firsts)]  # in order of first appearance
    # every byte is one of the values: a code per value by comparisons (cheaper than a gather)
    codes = np.zeros(len(b), dtype=np.int8)
    for i, v in enumerate(vals.tolist()):
        if i:
            codes += (b == v).view(np.int8) * np.int8(i)
    uniq = pa.array([chr(v) for v in vals.tolist()], type=pa.large_string())
    return codes, uniq


#: Rows looked at for the candidate values of :func:`_few_fixed_codes`, and most candidates.
_SAMPLE, _FEW = 4096, 64


def _distinct_bytes(rows: np.ndarray) -> tuple[int, ...] | None:
    """Byte positions (one or two) at which the rows of a ``(k, w)`` uint8 array all differ."""
    k, w = rows.shape
    for j in range(w):
        if len(np.unique(rows[:, j])) == k:
            return (j,)
    for j in range(w):
        for i in range(j + 1, w):
            if len(np.unique(rows[:, j].astype(np.int64) << 8 | rows[:, i])) == k:
                return (j, i)
    return None


def _fixed_chunks(arr) -> tuple[list[pa.Array], list[tuple]] | None:
    """The non-empty chunks of ``arr`` and their
    :func:`~collab_analytics.io._arrow.fixed_width` views, when every value of every chunk
    has one and the same byte width (else ``None``)."""
    chunks = [c for c in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]) if len(c)]
    if not chunks:
        return None
    info = [fixed_width(c) for c in chunks]
    if any(i is None for i in info) or len({i[0] for i in info}) != 1:
        return None
    return chunks, info


def _few_fixed_codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """Small-integer codes in order of first appearance and the distinct values of a text
    column whose values all have one byte width and are few (departments, roles), read
    straight from the bytes: no hashing. ``None`` when the column is not of that form.

    The distinct values of the first :data:`_SAMPLE` rows are the candidates; one or two
    byte positions that tell them apart give each row its candidate through a lookup table,
    and every row is then compared with its candidate word by word. Any row that is not a
    candidate (or a missing value, or another width) sends the column back to hashing.
    """
    got = _fixed_chunks(arr)
    if got is None:
        return None
    chunks, info = got
    w = info[0][0]
    _, off0, buf0 = info[0]
    k0 = min(len(chunks[0]), _SAMPLE)
    raw = memoryview(buf0)[off0 : off0 + k0 * w].tobytes()
    seen = dict.fromkeys(raw[i : i + w] for i in range(0, k0 * w, w))  # first-appearance order
    if len(seen) > _FEW:
        return None
    cand = np.frombuffer(b"".join(seen), dtype=np.uint8).reshape(len(seen), w)
    at = _distinct_bytes(cand)
    if at is None:
        return None
    nc = len(cand)
    lut = np.full(256 if len(at) == 1 else 65536, -1, dtype=np.int8)
    if len(at) == 1:
        lut[cand[:, at[0]]] = np.arange(nc)
    else:
        lut[cand[:, at[0]].astype(np.int64) << 8 | cand[:, at[1]]] = np.arange(nc)
    # the candidates as native words (equality only), one table per word of the row
    cwords = [x.copy() for x in _native_words(cand.tobytes(), 0, nc, w)]
    parts = []
    for c, (_, off, buf) in zip(chunks, info, strict=True):
        n = len(c)
        b = np.ndarray((n,), dtype=np.uint8, buffer=buf, offset=off + at[0], strides=(w,))
        if len(at) == 1 and nc <= 16:  # a code per candidate by comparisons (no gather)
            b = np.ascontiguousarray(b)
            codes = np.full(n, -1, dtype=np.int8)
            for i, v in enumerate(cand[:, at[0]].tolist()):
                codes += (b == v).view(np.int8) * np.int8(i + 1)
        elif len(at) == 1:
            codes = lut[b]
        else:
            b2 = np.ndarray((n,), dtype=np.uint8, buffer=buf, offset=off + at[1], strides=(w,))
            codes = lut[(b.astype(np.uint16) << 8) | b2]
        if codes.min() < 0:
            return None
        at_c = codes.astype(np.intp)  # gathers index fastest with native integers
        for cw, x in zip(cwords, _native_words(buf, off, n, w), strict=True):
            if not (cw[at_c] == x).all():
                return None
        parts.append(codes)
    codes = np.concatenate(parts) if len(parts) > 1 else parts[0]
    uniq = pa.array(
        [bytes(r).decode() for r in cand], type=pa.large_string()
    )  # valid UTF-8: the bytes of values of the column
    return codes, uniq


def _native_words(buf, base: int, n: int, w: int) -> list[np.ndarray]:
    """:func:`_words` in native byte order (for equality tests: no byte swapping)."""
    out, pos = [], 0
    for size in (8, 4, 2, 1):
        while w - pos >= size:
            out.append(
                np.ndarray((n,), dtype=f"u{size}", buffer=buf, offset=base + pos, strides=(w,))
            )
            pos += size
    return out


def _small_codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """:func:`dictionary_codes` as ``int8`` codes for a long column of few values of one
    byte width (read from the bytes, no hashing); ``None`` when it is not of that form."""
    if len(arr) >= _SAMPLE and arr.type == pa.large_string() and not arr.null_count:
        return _one_byte_codes(arr) or _few_fixed_codes(arr)
    return None


def dictionary_codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes (int64, -1 = missing) in order of first appearance, and the distinct values."""
    got = _small_codes(arr)
    if got is not None:
        return got[0].astype("int64"), got[1]
    de = pc.dictionary_encode(arr)
    if isinstance(de, pa.ChunkedArray):
        if de.num_chunks == 0:
            return np.zeros(0, dtype="int64"), pa.array([], type=arr.type)
        # the chunks of a dictionary-encoded ChunkedArray share one (final) dictionary
        values = de.chunk(de.num_chunks - 1).dictionary
        idx = pa.chunked_array([c.indices for c in de.chunks], type=de.type.index_type)
    else:
        values, idx = de.dictionary, de.indices
    return idx.fill_null(-1).to_numpy().astype("int64", copy=False), values


def from_fixed(values: np.ndarray) -> pa.Array:
    """A numpy ``S<w>`` array (every value exactly ``w`` bytes) as Arrow large strings."""
    w = values.dtype.itemsize
    n = len(values)
    offsets = np.arange(0, (n + 1) * w, w, dtype="int64")
    data = np.ascontiguousarray(values).view(np.uint8)
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def take_fixed(arr: pa.Array, idx: np.ndarray) -> pa.Array | None:
    """``arr.take(idx)`` by a numpy gather when every value of ``arr`` (large strings, none
    missing) has the same byte width and every position is valid; else ``None``."""
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks != 1:
            return None
        arr = arr.chunk(0)
    view = _fixed_view(arr)
    if view is None or view.dtype.itemsize > 64:
        return None
    if len(idx) and (idx.min() < 0 or idx.max() >= len(view)):
        return None
    return from_fixed(view[idx])


def take_text(arr: pa.Array | pa.ChunkedArray, idx: np.ndarray) -> pa.Array | pa.ChunkedArray:
    """``arr.take(idx)``; sorted positions into a ChunkedArray are taken chunk by chunk."""
    idx = np.asarray(idx, dtype="int64")
    if not isinstance(arr, pa.ChunkedArray):
        return arr.take(pa.array(idx))
    if arr.num_chunks == 1:
        return arr.chunk(0).take(pa.array(idx))
    if len(idx) == 0 or np.all(idx[1:] >= idx[:-1]):
        bounds = np.cumsum([0, *(len(c) for c in arr.chunks)])
        cut = np.searchsorted(idx, bounds)
        parts = [
            c.take(pa.array(idx[cut[i] : cut[i + 1]] - bounds[i]))
            for i, c in enumerate(arr.chunks)
            if cut[i + 1] > cut[i]
        ]
        return pa.chunked_array(parts, type=arr.type)
    return arr.combine_chunks().take(pa.array(idx))


def _words(buf, base: int, n: int, w: int) -> list[np.ndarray]:
    """The ``n`` values of width ``w`` starting at byte ``base`` of ``buf`` as big-endian
    unsigned words (8, 4, 2 or 1 bytes; strided views, no copy): comparing the words in turn
    compares the values byte by byte."""
    out, pos = [], 0
    for size in (8, 4, 2, 1):
        while w - pos >= size:
            dt = np.dtype(f">u{size}") if size > 1 else np.dtype("u1")
            out.append(np.ndarray((n,), dtype=dt, buffer=buf, offset=base + pos, strides=(w,)))
            pos += size
    return out


def _increasing(words: list[np.ndarray]) -> bool:
    """Whether the values given as :func:`_words` are strictly increasing."""
    if len(words[0]) < 2:
        return True
    gt = np.zeros(len(words[0]) - 1, dtype=bool)
    eq = np.ones(len(words[0]) - 1, dtype=bool)
    for x in words:
        a, b = x[1:], x[:-1]
        gt |= eq & (a > b)
        eq &= a == b
    return bool(gt.all())


def _fixed_runs(arr) -> tuple[np.ndarray, pa.Array] | None:
    """:func:`runs` for text whose values all have one byte width (ids such as
    ``P00001-T01``): adjacent values compared as machine words, heads gathered as bytes.
    ``None`` when a chunk is not of that form."""
    got = _fixed_chunks(arr)
    if got is None:
        return None
    chunks, info = got
    w = info[0][0]
    heads, views, base = [], [], 0
    prev_last = None
    for c, (_, off, buf) in zip(chunks, info, strict=True):
        n = len(c)
        view = np.ndarray((n,), dtype=f"V{w}", buffer=buf, offset=off)
        head = np.empty(n, dtype=bool)
        head[0] = True
        if n > 1:
            words = _native_words(buf, off, n, w)  # equality only: no byte swapping
            np.not_equal(words[0][1:], words[0][:-1], out=head[1:])
            for x in words[1:]:
                head[1:] |= x[1:] != x[:-1]
        if prev_last is not None and bytes(view[0]) == prev_last:
            head[0] = False
        prev_last = bytes(view[n - 1])
        st = np.flatnonzero(head)
        heads.append(st + base if base else st)
        # every value a run of its own (distinct ids): the chunk's bytes as they are
        views.append(view if len(st) == n else view[st])
        base += n
    starts = np.concatenate(heads) if len(heads) > 1 else heads[0]
    data = np.concatenate(views) if len(views) > 1 else views[0]
    k = len(starts)
    offsets = np.arange(0, (k + 1) * w, w, dtype="int64")
    out = pa.Array.from_buffers(
        pa.large_string(), k, [None, pa.py_buffer(offsets), pa.py_buffer(data.view(np.uint8))]
    )
    return starts, out


def runs(arr) -> tuple[np.ndarray, pa.Array | pa.ChunkedArray]:
    """Run heads of a text array: (start of every run of equal values, head values).

    Adjacent values are compared in Arrow (no hashing), or as machine words when every value
    has the same byte width; a missing value is a run of its own.
    """
    n = len(arr)
    if n > 1:
        got = _fixed_runs(arr)
        if got is not None:  # the heads as one fixed-width array, even when they are all
            return got
    head = np.ones(n, dtype=bool)
    if n > 1:
        # chunked arrays are compared chunk by chunk (combining them copies the text)
        eq = pc.equal(arr.slice(1), arr.slice(0, n - 1)).fill_null(False)
        head[1:] = ~eq.to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(head)
    if len(starts) == n:
        return starts, arr
    return starts, take_text(arr, starts)


def same_text(a, b) -> bool:
    """Equal length and equal, non-missing values at every position (no hashing)."""
    if len(a) != len(b) or len(a) == 0 or a.null_count or b.null_count:
        return False
    return bool(pc.all(pc.equal(a, b)).as_py())


def _fixed_view(arr: pa.Array) -> np.ndarray | None:
    """The values of a string array as a numpy ``S<w>`` view when every value has ``w > 0``
    bytes and none is missing; else ``None``."""
    info = fixed_width(arr)
    if info is None:
        return None
    w, first, buf = info
    return np.frombuffer(buf, dtype=f"S{w}", count=len(arr), offset=first)


# --------------------------------------------------------------------------------- the cache


def _fingerprint(arr) -> tuple:
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    return tuple(
        (len(c), c.offset, tuple(b.address if b is not None else 0 for b in c.buffers()))
        for c in chunks
    )


def _drop(key: tuple) -> None:
    with _LOCK:
        _CACHE.pop(key, None)


def _cached(kind: str, owner, arrays: tuple, compute, extra: tuple = ()):
    """``compute()`` once per ``kind``, identity of ``arrays`` and the hashable ``extra``
    options; the entry lives while ``owner`` (the frame it was computed for) does."""
    key = (kind, extra, *(_fingerprint(a) for a in arrays))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit[1]
    value = compute()
    with _LOCK:
        _CACHE[key] = (arrays, value)  # the arrays keep their buffers (and addresses) alive
        while len(_CACHE) > MAX_ENTRIES:
            _CACHE.popitem(last=False)
    if owner is not None:
        with contextlib.suppress(TypeError):  # frames take weak references
            weakref.finalize(owner, _drop, key)
    return value


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# ----------------------------------------------------------------------------- encodings


def compact(codes: np.ndarray, n: int) -> np.ndarray:
    """``codes`` (-1 .. n-1) in the smallest signed integer type that holds them."""
    for dt in (np.int8, np.int16, np.int32):
        if n < np.iinfo(dt).max:
            return codes.astype(dt)
    return codes


def text_codes(
    frame: pd.DataFrame, column: str, *, small: bool = False
) -> tuple[np.ndarray, pa.Array]:
    """:func:`dictionary_codes` of ``frame[column]`` (cached; codes are read-only).

    ``small``: the codes in the smallest integer type that holds them (less memory to move for
    a low-cardinality column; do no arithmetic on them that could overflow it).
    """
    arr = arrow_text(frame[column])

    def compute():
        got = _small_codes(arr) if small else None
        if got is not None:
            return _frozen(got[0]), got[1]
        codes, uniq = dictionary_codes(arr)
        return _frozen(compact(codes, len(uniq)) if small else codes), uniq

    return _cached("small" if small else "text", frame, (arr,), compute)


@dataclass(frozen=True)
class Keys:
    """A key column encoded: per-row ``codes`` (int64, -1 = missing) in order of first
    appearance, the distinct values ``uniq``, the ``first_row`` of every code, ``fixed``:
    a sorted fixed-width byte view of ``uniq`` when it is strictly increasing (else ``None``),
    which lets :func:`find_keys` search it without hashing, the ``starts`` of the runs of equal
    keys, and ``grouped``: every key is one run and none is missing (so ``codes`` is
    non-decreasing and the runs are the keys).

    ``codes`` is spread from the code of every run (``head_codes``) on first use only: a
    caller that works run by run never pays for the per-row array.
    """

    uniq: pa.Array
    first_row: np.ndarray
    fixed: np.ndarray | None
    starts: np.ndarray
    grouped: bool
    head_codes: np.ndarray
    n: int

    def codes_at(self, rows: np.ndarray) -> np.ndarray:
        """``codes[rows]``, found among the run starts when the per-row codes were never
        spread (a binary search per row touches far less memory than spreading them)."""
        if "codes" in self.__dict__ or len(self.starts) == self.n:
            return self.codes[rows]
        return self.head_codes[np.searchsorted(self.starts, rows, side="right") - 1]

    @cached_property
    def codes(self) -> np.ndarray:
        if len(self.starts) == self.n:
            return self.head_codes
        lengths = np.diff(np.append(self.starts, self.n))
        return _frozen(np.repeat(self.head_codes, lengths))


def key_arrow(frame: pd.DataFrame) -> pa.Array | pa.ChunkedArray:
    """task_id where present, else the task name, as Arrow large strings."""
    if "task_id" in frame.columns:
        key = arrow_text(frame["task_id"])
    else:
        key = pa.nulls(len(frame), type=pa.large_string())
    if "task" in frame.columns and key.null_count:
        key = pc.coalesce(key, arrow_text(frame["task"]))
    return key


def encode_keys(key: pa.Array | pa.ChunkedArray) -> Keys:
    """Encode a key column run by run (see the module notes); not cached."""
    n = len(key)
    if n == 0:
        e = _frozen(np.zeros(0, dtype="int64"))
        return Keys(pa.array([], type=pa.large_string()), e, None, e, True, e, 0)
    starts, heads = runs(key)
    heads = _combined(heads)
    fixed = _fixed_view(heads)
    if fixed is not None and _increasing(_words(fixed, 0, len(fixed), fixed.itemsize)):
        head_codes = np.arange(len(heads), dtype="int64")
        uniq = heads
    else:
        fixed = None
        head_codes, uniq = dictionary_codes(heads)
        uniq = _combined(uniq)
        if len(uniq) == len(heads) and not (head_codes < 0).any():
            uniq = heads  # every head distinct: the heads are the dictionary
    if fixed is not None:  # distinct, sorted heads: the runs are the keys, in order
        first_row, grouped = starts, True
    else:
        nu = len(uniq)
        first_head = np.full(nu, -1, dtype="int64")
        ok = head_codes >= 0
        hc = head_codes[ok]
        first_head[hc[::-1]] = np.flatnonzero(ok)[::-1]
        first_row = starts[first_head]
        grouped = len(uniq) == len(starts) and not (head_codes < 0).any()
    return Keys(uniq, _frozen(first_row), fixed, _frozen(starts), grouped, _frozen(head_codes), n)


def task_keys(frame: pd.DataFrame) -> Keys:
    """:class:`Keys` of the frame's task key (``task_id``, else ``task``), cached."""
    tid = arrow_text(frame["task_id"]) if "task_id" in frame.columns else None
    name = arrow_text(frame["task"]) if "task" in frame.columns else None

    def compute():
        key = tid if tid is not None else pa.nulls(len(frame), type=pa.large_string())
        if name is not None and key.null_count:
            key = pc.coalesce(key, name)
        return encode_keys(key)

    arrays = tuple(a for a in (tid, name) if a is not None)
    return _cached("keys", frame, arrays, compute)


def cached(kind: str, frame: pd.DataFrame, columns, compute):
    """``compute()`` cached on ``kind`` and the identity of ``frame[columns]``' buffers."""
    arrays = tuple(arrow_text(frame[c]) for c in columns)
    return _cached(kind, frame, arrays, compute)


def _arrow_backed(s: pd.Series):
    """The Arrow data behind an Arrow-backed column (text or list), else ``None``."""
    dt = s.dtype
    if isinstance(dt, pd.ArrowDtype) or (
        isinstance(dt, pd.StringDtype) and dt.storage == "pyarrow"
    ):
        return s.array.__arrow_array__()
    return None


def cached_columns(kind: str, frame: pd.DataFrame, columns, compute, extra: tuple = ()):
    """``compute()`` cached on ``kind``, ``extra`` and the identity of the buffers of the
    ``columns`` present in ``frame``; computed afresh (not cached) when one of them is not
    Arrow-backed (an ``object`` column of Python lists can change in place)."""
    arrays, present = [], []
    for c in columns:
        present.append(c in frame.columns)
        if c in frame.columns:
            a = _arrow_backed(frame[c])
            if a is None:
                return compute()
            arrays.append(a)
    return _cached(kind, frame, tuple(arrays), compute, (tuple(present), len(frame), *extra))


def find_keys(keys: Keys, values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Position of each value in ``keys.uniq`` (-1 = absent or missing)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype="int64")
    if len(keys.uniq) == 0:
        return np.full(n, -1, dtype="int64")
    if keys.fixed is None:
        pos = pc.index_in(values, value_set=keys.uniq, skip_nulls=True)
        return pos.fill_null(-1).to_numpy().astype("int64", copy=False)
    table = keys.fixed
    w = table.dtype.itemsize
    values = _combined(values)
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    out = np.full(n, -1, dtype="int64")
    # only values of the table's byte width can be in it
    cand = pc.equal(pc.binary_length(values), w).fill_null(False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(cand)
    if len(rows) == 0:
        return out
    sub = values if len(rows) == n else values.take(pa.array(rows))
    q = _fixed_view(sub)
    if q is None:  # pragma: no cover - every value has width w
        q = np.asarray(sub.to_pylist(), dtype=object).astype(f"S{w}")
    pos = np.searchsorted(table, q)
    pos_c = np.minimum(pos, len(table) - 1)
    hit = table[pos_c] == q
    out[rows[hit]] = pos_c[hit]
    return out


def key_map(into: Keys, keys: Keys, into_owner=None, owner=None) -> np.ndarray:
    """Position in ``into.uniq`` of every value of ``keys.uniq`` (-1 = absent), cached."""

    def compute():
        if same_text(into.uniq, keys.uniq):
            return _frozen(np.arange(len(keys.uniq), dtype="int64"))
        return _frozen(find_keys(into, keys.uniq))

    if into_owner is None or owner is None:
        return compute()
    arrays = (into.uniq, keys.uniq)
    return _cached("map", owner, arrays, compute)
