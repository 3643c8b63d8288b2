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

import weakref
from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "as_arrow",
    "contains_any",
    "duplicated",
    "duplicated_codes",
    "encode",
    "encode_runs",
    "fingerprint",
    "first_positions",
    "join",
    "key",
    "lookup",
    "lookup_codes",
    "pair_codes",
    "repeated",
    "strip_blank",
]

SEP = "\x1f"
#: any character NFKC may change or that may be whitespace (see :func:`key`)
_PLAIN = r"[^\x21-\x7e\x{4e00}-\x{9fff}]"


def as_arrow(s: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A string Arrow array for a Series (zero-copy for Arrow-backed ``str`` columns)."""
    if isinstance(s, (pa.Array, pa.ChunkedArray)):
        a = s
    elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        a = pa.array(s)
    else:
        a = pa.array(s.astype("str"), from_pandas=True)
    if isinstance(a, pa.ChunkedArray):
        # one chunk: taken as it is (``combine_chunks`` would copy the character data)
        a = a.chunk(0) if a.num_chunks == 1 else a.combine_chunks()
    if not pa.types.is_large_string(a.type):
        a = a.cast(pa.large_string())
    return a


#: text arrays decoded from a dictionary by a reader, with their dictionary (see
#: :func:`remember_dictionary`); the arrays are held, so their buffers are not reused
_DICTIONARIES: list[tuple[pa.Array, pa.Array, pa.Array]] = []
_MAX_DICTIONARIES = 8


def _same_buffers(a: pa.Array, b: pa.Array) -> bool:
    if len(a) != len(b) or a.offset != b.offset or a.type != b.type:
        return False
    return all(
        (x is None and y is None) or (x is not None and y is not None and x.address == y.address)
        for x, y in zip(a.buffers(), b.buffers(), strict=True)
    )


def same_array(a: pa.Array, b: pa.Array) -> bool:
    """``a`` and ``b`` are the same array (the same buffers, offset and length).

    Examples
    --------
    >>> a = pa.array(["x", "y"], pa.large_string())
    >>> same_array(a, a.slice(0)), same_array(a, pa.array(["x", "y"], pa.large_string()))
    (True, False)
    """
    return a is b or _same_buffers(a, b)


def remember_dictionary(dense: pa.Array, words: pa.Array, indices: pa.Array) -> None:
    """Note that ``dense`` is ``words.take(indices)``, so that per-distinct-word work on it
    (status words) can skip hashing every cell. Only the last few arrays are kept."""
    _DICTIONARIES.append((dense, words, indices))
    del _DICTIONARIES[:-_MAX_DICTIONARIES]


def forget_dictionaries() -> None:
    """Drop the arrays noted by :func:`remember_dictionary` and every :class:`_LastAnswer`
    (of :func:`sorted_fixed`, :func:`lookup_sorted`, :func:`encode_runs`): the load that read
    them ended."""
    _DICTIONARIES.clear()
    for note in _LastAnswer.notes:
        note.forget()


class _LastAnswer:
    """The last answer of one computation, with the arguments it was for: a second call with
    the very same arguments takes it (a reader computes while it reads the other columns, the
    loader asks again later). Arrow arrays match when they are the same array (same buffers),
    numpy arrays when they are the same object or equal, anything else when it is the same
    object. The arguments are held (their buffers are not reused while noted) until
    :func:`forget_dictionaries`. One tuple, read and replaced whole (threads)."""

    notes: ClassVar[list[_LastAnswer]] = []

    def __init__(self) -> None:
        self._last: tuple | None = None
        _LastAnswer.notes.append(self)

    def get(self, *args) -> tuple[bool, object]:
        last = self._last
        if (
            last is not None
            and len(last[0]) == len(args)
            and all(_same_argument(a, b) for a, b in zip(last[0], args, strict=True))
        ):
            return True, last[1]
        return False, None

    def put(self, args: tuple, answer: object) -> None:
        self._last = (args, answer)

    def forget(self) -> None:
        self._last = None


def _same_argument(a: object, b: object) -> bool:
    if a is b:
        return True
    if isinstance(a, pa.Array) and isinstance(b, pa.Array):
        return same_array(a, b)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))
    return False


def dictionary_of(a: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """``(words, indices)`` with ``words.take(indices)`` equal to ``a``, when a reader noted
    it; the words may repeat.

    Examples
    --------
    >>> words = pa.array(["x", "y"], pa.large_string())
    >>> dense = words.take(pa.array([1, 0, None]))
    >>> remember_dictionary(dense, words, pa.array([1, 0, None]))
    >>> dictionary_of(dense)[1].to_pylist(), dictionary_of(words) is None
    ([1, 0, None], True)
    >>> forget_dictionaries()
    """
    for dense, words, indices in reversed(_DICTIONARIES):
        if dense is a or _same_buffers(dense, a):
            return words, indices
    return None


#: bytes (or rows) per block in the byte scans: the passes over one block stay in cache
_BLOCK = 1 << 16


def _buffers(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (``n + 1``, int64) and character bytes of a large-string array."""
    n = len(a)
    off = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset : a.offset + n + 1]
    data = a.buffers()[2]
    return off, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, "u1"))


def contains_any(a: pa.Array, chars: str) -> bool:
    """Does any text of ``a`` contain one of ``chars``? Read from the character bytes (a
    null cell's bytes, normally none, count too: ``True`` is only ever a maybe).

    Examples
    --------
    >>> contains_any(pa.array(["T1", "T2、T3"], pa.large_string()), ",、")
    True
    >>> contains_any(pa.array(["T1", "任务"], pa.large_string()), ",、")
    False
    """
    if len(a) == 0:
        return False
    off, data = _buffers(a)
    data = data[off[0] : off[-1]]
    enc = [c.encode() for c in chars]
    leads = {b[0] for b in enc}
    for i in range(0, len(data), _BLOCK):  # blocks that stay in cache for every comparison
        block = data[i : i + _BLOCK]
        hit = np.zeros(len(block), dtype=bool)
        for lead in leads:
            hit |= block == lead
        hits = np.flatnonzero(hit) + i
        for b in enc:
            at = hits[data[hits] == b[0]]
            for k in range(1, len(b)):
                at = at[at + k < len(data)]
                at = at[data[at + k] == b[k]]
            if len(at):
                return True
    return False


def _untrimmed(a: pa.Array) -> np.ndarray | None:
    """Rows whose text may start or end with white space, read from the first and last
    bytes of each text (a superset: the caller trims them to be sure); ``None`` when some
    text is empty (blank: the full trim decides).

    White space is what ``utf8_trim_whitespace`` trims (Python's ``str.isspace``): ASCII
    characters up to the space, and U+0085, U+00A0 (bytes ``C2 xx``), U+1680, U+2000–U+200A,
    U+2028, U+2029, U+202F, U+205F and U+3000 (bytes ``E1``–``E3``, then ``80``, ``81`` or
    ``9A``, then a last byte up to ``AF``). The byte tests below admit all of them.

    Examples
    --------
    >>> _untrimmed(pa.array(["a", " b", "c\u3000", "需求", None], pa.large_string())).tolist()
    [1, 2]
    """
    off, data = _buffers(a)
    width = _one_width(off) if not a.null_count else 0
    if width:  # every text `width` bytes long: first and last bytes by strided slices
        d = data[int(off[0]) : int(off[-1])]
        # contiguous copies of the strided bytes: the tests below then read 1 byte per row
        first = np.ascontiguousarray(d[::width])
        last = np.ascontiguousarray(d[width - 1 :: width])
        if width > 1:
            prev = np.ascontiguousarray(d[width - 2 :: width])
        else:
            prev = np.zeros(len(first), dtype=np.uint8)
        return np.flatnonzero(_maybe_blank(first, last, prev))
    start, end = off[:-1], off[1:]
    filled = end > start
    if a.null_count:
        if (~filled & a.is_valid().to_numpy(zero_copy_only=False)).any():
            return None
    elif not filled.all():
        return None
    if len(data) == 0 or not _space_leads(data[int(off[0]) : int(off[-1])]):
        return np.zeros(0, dtype="int64")  # no white space anywhere (nor an empty text)
    first = np.take(data, start, mode="clip")  # a null's (empty) slot reads a neighbour
    last = np.take(data, end - 1, mode="clip")
    prev = np.take(data, end - 2, mode="clip")
    maybe = _maybe_blank(first, last, prev)
    return np.flatnonzero(maybe & filled) if a.null_count else np.flatnonzero(maybe)


def _space_leads(d: np.ndarray) -> bool:
    """Does any byte of ``d`` start a white-space character (see :func:`_untrimmed`): a byte
    up to 0x20, C2 or E1–E3? Read over blocks that stay in cache; stops at the first."""
    for i in range(0, len(d), _BLOCK):
        c = d[i : i + _BLOCK]
        if ((c <= 0x20) | (c == 0xC2) | ((c - np.uint8(0xE1)) <= 2)).any():
            return True
    return False


def _maybe_blank(first: np.ndarray, last: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """From each text's first, last and next-to-last bytes: may it start or end with white
    space (see :func:`_untrimmed`)?"""
    # uint8 arithmetic wraps: ``x - lo <= hi - lo`` tests ``lo <= x <= hi`` in two passes
    maybe = (first <= 0x20) | (first == 0xC2) | ((first - np.uint8(0xE1)) <= 2)
    maybe |= last <= 0x20
    multi = (last - np.uint8(0x80)) <= 0x2F
    multi &= ((prev - np.uint8(0x80)) <= 1) | (prev == 0x9A) | (prev == 0xC2)
    maybe |= multi
    return maybe


def _one_width(off: np.ndarray) -> int:
    """The byte length shared by every text with these offsets, else 0 (checked over
    blocks that stay in cache)."""
    n = len(off) - 1
    if n < 1:
        return 0
    width = int(off[1] - off[0])
    if width <= 0 or int(off[-1] - off[0]) != width * n:
        return 0
    for i in range(0, n, _BLOCK):
        if not (np.diff(off[i : i + _BLOCK + 1]) == width).all():
            return 0
    return width


def strip_blank(a: pa.Array) -> pa.Array:
    """Texts trimmed of white space at both ends, blank ones null; ``a`` itself when no text
    changes (the common case: the caller keeps its column, no second copy).

    Examples
    --------
    >>> strip_blank(pa.array([" a ", "b", "  ", None], pa.large_string())).to_pylist()
    ['a', 'b', None, None]
    >>> x = pa.array(["a", "b"], pa.large_string()); strip_blank(x) is x
    True
    """
    if len(a) == 0:
        return a
    cand = _untrimmed(a)
    if cand is not None:
        if len(cand) == 0:
            return a
        # the few texts that may start or end with white space, trimmed exactly
        sub = a.take(pa.array(cand))
        s_off, _ = _buffers(sub)
        t_off, _ = _buffers(pc.utf8_trim_whitespace(sub))
        if int(s_off[-1] - s_off[0]) == int(t_off[-1] - t_off[0]):
            return a
    t = pc.utf8_trim_whitespace(a)
    off, _ = _buffers(t)
    blank = off[1:] == off[:-1]  # empty once trimmed (or null)
    if t.null_count:
        blank &= t.is_valid().to_numpy(zero_copy_only=False)
    if not blank.any():
        # trimming only shortens texts: the same total length means no text changed
        a_off, _ = _buffers(a)
        return a if int(a_off[-1] - a_off[0]) == int(off[-1] - off[0]) else t
    return pc.if_else(pa.array(blank), pa.scalar(None, t.type), t)


def valid_values(a: pa.Array, valid: np.ndarray, rows: np.ndarray | None = None) -> pa.Array:
    """``a.filter(valid)`` for a large-string array whose ``valid`` rows are its non-null
    ones: when the null rows hold no bytes (as readers write them), the kept values are
    contiguous in the data buffer and the result shares it (only the offsets are gathered);
    otherwise a filtered copy. ``rows``: ``np.flatnonzero(valid)``, when the caller has it.

    Examples
    --------
    >>> a = pa.array(["T1", None, "T22"], pa.large_string())
    >>> valid_values(a, np.array([True, False, True])).to_pylist()
    ['T1', 'T22']
    """
    a = as_arrow(a)
    rows = np.flatnonzero(valid) if rows is None else rows  # ``rows``: the caller's own
    if len(rows) == 0 or a.type != pa.large_string():
        return a.filter(pa.array(valid))
    off = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset : a.offset + len(a) + 1]
    starts = off[rows]
    ends = off[rows + 1]
    if not (starts[1:] == ends[:-1]).all():
        return a.filter(pa.array(valid))
    out_off = np.empty(len(rows) + 1, dtype=np.int64)
    out_off[:-1] = starts
    out_off[-1] = ends[-1]
    return pa.LargeStringArray.from_buffers(
        len(rows), pa.py_buffer(out_off), a.buffers()[2], null_count=0
    )


def key(s: pd.Series | pa.Array, *, scan: tuple[np.ndarray, bool] | None = None) -> pa.Array:
    """Comparison key for names: NFKC, no whitespace, lower case (nulls stay null).

    Printable ASCII without spaces and CJK unified ideographs (U+4E00–U+9FFF) are unchanged
    by NFKC and hold no whitespace, so texts made only of them are just lower-cased (ASCII
    lower-casing: ideographs have no case); NFKC and whitespace removal run only on the
    other texts, found from their bytes (:func:`_odd_rows`; ``scan``: its answer for these
    texts, when the caller has it).
    """
    a = as_arrow(s)
    odd, upper = _odd_rows(a) if scan is None else scan
    n_odd = int(odd.sum())
    if n_odd * 4 > len(a):
        out = _key_full(a)
    else:
        out = pc.ascii_lower(a) if upper else a  # no capital letter: the texts themselves
        if n_odd:
            m = pa.array(odd)
            out = pc.replace_with_mask(out, m, _key_full(a.filter(m)))
    off, _ = _buffers(out)
    empty = np.diff(off) == 0
    if out.null_count:
        empty &= out.is_valid().to_numpy(zero_copy_only=False)
    if empty.any():
        out = pc.if_else(pa.array(empty), pa.scalar(None, pa.large_string()), out)
    return out


def plain_trimmed(a: pa.Array, odd: np.ndarray) -> bool:
    """Given :func:`_odd_rows` of ``a``: no text holds an odd character (so none holds white
    space: every byte that starts one is odd) and none is empty — ``a`` is trimmed, with no
    blank text, as :func:`strip_blank` would find it."""
    if odd.any():
        return False
    off, _ = _buffers(a)
    empty = off[1:] == off[:-1]
    if a.null_count:
        empty &= a.is_valid().to_numpy(zero_copy_only=False)
    return not empty.any()


def _odd_rows(a: pa.Array) -> tuple[np.ndarray, bool]:
    """Texts holding a character outside printable ASCII (U+0021–U+007E) and the CJK
    unified ideographs (U+4E00–U+9FFF): what the regular expression ``_PLAIN`` finds, read
    from the UTF-8 bytes. Such a character starts with a byte below 0x21, 0x7F, a lead
    byte C0–E3 or EA–FF, or E4 followed by a byte below B8 (U+4000–U+4DFF). Also: does any
    text hold a capital ASCII letter?

    Examples
    --------
    >>> _odd_rows(pa.array(["ab", "a b", "任务", "\u3400", "ｂ", None], pa.large_string()))
    (array([False,  True, False,  True,  True, False]), False)
    >>> _odd_rows(pa.array(["aB"], pa.large_string()))[1]
    True
    """
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=bool), False
    off, data = _buffers(a)
    d = data[int(off[0]) : int(off[-1])]
    parts = []
    upper = False
    for i in range(0, len(d), _BLOCK):  # blocks that stay in cache for the nine passes
        c = d[i : i + _BLOCK]
        nxt = d[i + 1 : i + _BLOCK + 1]  # each byte's successor (one short at the end)
        # uint8 arithmetic wraps: ``x - lo <= hi - lo`` tests ``lo <= x <= hi``
        bad = (c < 0x21) | (c == 0x7F) | ((c - np.uint8(0xC0)) <= 0x23) | (c >= 0xEA)
        bad[: len(nxt)] |= (c[: len(nxt)] == 0xE4) & (nxt < 0xB8)
        upper = upper or bool(((c - np.uint8(0x41)) <= 25).any())
        if bad.any():
            parts.append(np.flatnonzero(bad) + i)
    pos = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    odd = np.zeros(n, dtype=bool)
    if len(pos):
        odd[np.searchsorted(off, pos + off[0], side="right") - 1] = True
        if a.null_count:
            odd &= a.is_valid().to_numpy(zero_copy_only=False)
    return odd, upper


def _key_full(a: pa.Array) -> pa.Array:
    a = pc.utf8_normalize(a, "NFKC")
    a = pc.replace_substring_regex(a, r"\s+", "")
    return pc.utf8_lower(a)


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
    return duplicated_codes(encode(values)[0])


# ------------------------------------------------------------------ factorised keys
#
# Hashing a million strings is the expensive step of loading (about as long as parsing the
# CSV). The helpers below hash a string column once (Arrow ``dictionary_encode``: codes in
# order of first appearance) and answer duplicate and look-up questions on the integer codes.


def encode(values: pd.Series | pa.Array) -> tuple[np.ndarray, int]:
    """Dense codes in order of first appearance (``-1`` for null) and the number of codes.

    Examples
    --------
    >>> codes, n = encode(pd.Series(["b", "a", None, "b"]))
    >>> codes.tolist(), n
    ([0, 1, -1, 0], 2)
    """
    a = as_arrow(values)
    if len(a) == 0:
        return np.zeros(0, dtype="int64"), 0
    d = pc.dictionary_encode(a)
    codes = pc.fill_null(d.indices, -1).to_numpy(zero_copy_only=False).astype("int64")
    return codes, len(d.dictionary)


def encode_runs(values: pd.Series | pa.Array) -> tuple[np.ndarray, int]:
    """:func:`encode` for a column kept in runs of equal values (a project's rows together):
    only the first value of each run is hashed. Falls back to :func:`encode` when runs are
    short.

    Examples
    --------
    >>> codes, n = encode_runs(pd.Series(["P2"] * 3 + [None] * 2 + ["P1", "P2"]))
    >>> codes.tolist(), n
    ([0, 0, 0, -1, -1, 1, 0], 2)
    """
    a = as_arrow(values)
    n = len(a)
    if n < 2:
        return encode(a)
    hit, noted = _RUNS.get(a)
    if hit:
        return noted[0].copy(), noted[1]
    codes, k = _encode_runs(a)
    _RUNS.put((a,), (codes.copy(), k))
    return codes, k


#: :func:`encode_runs`: a reader groups the tasks by project while it reads the other
#: columns; the loader asks again later
_RUNS = _LastAnswer()


def _encode_runs(a: pa.Array) -> tuple[np.ndarray, int]:
    n = len(a)
    known = dictionary_of(a)
    if known is not None:
        # runs of equal dictionary indices (null: -1) are runs of equal texts; a word
        # repeated in the dictionary only cuts a run, and the heads are hashed as texts
        idx = pc.fill_null(known[1], -1).to_numpy(zero_copy_only=False)
        change = np.flatnonzero(idx[1:] != idx[:-1]) + 1
    else:
        same = pc.equal(a.slice(1), a.slice(0, n - 1))
        if a.null_count:  # null next to null continues a run; null next to text does not
            both = pc.and_(a.slice(1).is_null(), a.slice(0, n - 1).is_null())
            same = pc.or_kleene(same, both)
        change = np.flatnonzero(~pc.fill_null(same, False).to_numpy(zero_copy_only=False)) + 1
    if len(change) * 4 > n:
        return encode(a)
    starts = np.concatenate([[0], change])
    head_codes, k = encode(a.take(pa.array(starts)))
    # each run's code from its start on: the steps between runs, summed (np.repeat is
    # several times slower for many short runs)
    step = np.zeros(n, dtype=np.int64)
    step[starts[1:]] = np.diff(head_codes)
    step[0] = head_codes[0]
    return np.cumsum(step, out=step), k


def duplicated_codes(codes: np.ndarray) -> np.ndarray:
    """:func:`duplicated` for codes in order of first appearance (``-1`` never counts).

    A row holds a first occurrence exactly when its code exceeds every code before it.

    Examples
    --------
    >>> duplicated_codes(np.array([0, 1, -1, 0, 2, -1, 2])).tolist()
    [False, False, False, True, False, False, True]
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=bool)
    prior = np.empty_like(codes)
    prior[0] = -1
    np.maximum.accumulate(codes[:-1], out=prior[1:])
    return (codes >= 0) & (codes <= prior)


def first_positions(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Row of each code's first occurrence (``-1`` for codes that do not occur).

    Examples
    --------
    >>> first_positions(np.array([1, 0, -1, 1, 0]), 3).tolist()
    [1, 0, -1]
    """
    n = len(codes)
    first = np.full(n_codes, n, dtype="int64")
    ok = codes >= 0
    np.minimum.at(first, codes[ok], np.flatnonzero(ok))
    first[first == n] = -1
    return first


# ------------------------------------------------------------------ fingerprints
#
# Finding the few repeated texts among a million distinct ones does not need a hash table of
# the texts: a 64-bit fingerprint per text (read from its length and first, middle and last
# eight bytes) and one sort of the fingerprints leave only the texts whose fingerprint
# repeats, and only those are compared exactly.

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_M3 = np.uint64(0xBF58476D1CE4E5B9 * 0x94D049BB133111EB % 2**64)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (``uint64``, wrapping)."""
    x = x ^ (x >> np.uint64(30))
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def fingerprint(a: pa.Array, group: np.ndarray | None = None) -> np.ndarray:
    """64-bit fingerprint of each text (and its ``group`` code): equal inputs give equal
    fingerprints; different ones almost always differ. Nulls share one fingerprint.

    Texts up to 16 bytes are read whole; longer ones by their first, middle and last eight
    bytes (texts that differ elsewhere only share a fingerprint: callers compare exactly).

    Examples
    --------
    >>> f = fingerprint(pa.array(["需求评审", "开发", "需求评审", None, None], pa.large_string()))
    >>> bool(f[0] == f[2]), bool(f[0] == f[1]), bool(f[3] == f[4])
    (True, False, True)
    """
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    off, data = _buffers(a)
    width = _one_width(off) if not a.null_count else 0
    if width >= 8:
        return _fingerprint_fixed(data, int(off[0]), n, width, group)
    start, end = off[:-1], off[1:]
    length = end - start
    total = int(off[-1])
    if total < 8:  # too few bytes for one word: a padded copy
        data = np.concatenate([data[:total], np.zeros(8, dtype=np.uint8)])
        total = 8
    # every byte position's next eight bytes as one little-endian word (a strided view)
    words = np.ndarray((total - 7,), dtype="<u8", buffer=data, strides=(1,))
    out = np.empty(n, dtype=np.uint64)
    step = _BLOCK // 2
    for i in range(0, n, step):  # blocks of rows: the arithmetic stays in cache
        j = min(i + step, n)
        g = None if group is None else group[i:j]
        out[i:j] = _fingerprint_block(words, total, start[i:j], end[i:j], length[i:j], g)
    if a.null_count:  # after mixing: one fixed value (per group) for every null
        valid = a.is_valid().to_numpy(zero_copy_only=False)
        out[~valid] = _GOLD if group is None else _mix(group[~valid].astype(np.uint64) ^ _GOLD)
    return out


def _fingerprint_fixed(
    data: np.ndarray, base: int, n: int, width: int, group: np.ndarray | None
) -> np.ndarray:
    """:func:`fingerprint` of ``n`` texts of ``width >= 8`` bytes each, starting at byte
    ``base``: each text's first, last (and middle) eight bytes are strided views, copied in
    one pass each instead of gathered (the same values as :func:`_fingerprint_block`)."""

    def word(at: int) -> np.ndarray:
        return np.ndarray((n,), dtype="<u8", buffer=data, offset=base + at, strides=(width,))

    first, last = word(0), word(width - 8)
    mid = word((width - 8) // 2) if width > 16 else None
    out = np.empty(n, dtype=np.uint64)
    step = _BLOCK // 2
    for i in range(0, n, step):  # blocks of rows: the arithmetic stays in cache
        j = min(i + step, n)
        h = first[i:j].copy()  # a copy even when contiguous: the texts' buffer is not written
        h += np.uint64(width * int(_GOLD) % 2**64)
        t = last[i:j] * _M1
        h += t
        if mid is not None:
            np.multiply(mid[i:j], _M2, out=t)
            h += t
        if group is not None:
            h += (group[i:j].astype(np.int64) + 2).astype(np.uint64) * _M3
        out[i:j] = _mix(h)
    return out


def _fingerprint_block(words, total, start, end, length, group) -> np.ndarray:
    """:func:`fingerprint` of one block of rows (nulls not yet set)."""
    short = length < 8
    tail = start > total - 8
    first = words[np.minimum(start, total - 8)]
    if tail.any():  # texts starting in the last eight bytes: their word, shifted down
        first[tail] >>= ((start[tail] - (total - 8)) * 8).astype(np.uint64)
    if short.any():  # bytes past a short text's end belong to the next text: masked off
        bits = (length[short] * 8).astype(np.uint64)
        first[short] &= (np.uint64(1) << bits) - np.uint64(1)
    h = first + length.astype(np.uint64) * _GOLD
    if not short.all():
        last = words[np.maximum(end - 8, 0)]
        last[short] = 0
        h += last * _M1
    if (length > 16).any():
        mid = words[np.minimum(start + np.maximum((length - 8) // 2, 0), total - 8)]
        mid[length <= 16] = 0
        h += mid * _M2
    if group is not None:
        h += (group.astype(np.int64) + 2).astype(np.uint64) * _M3
    return _mix(h)


def repeated(h: np.ndarray) -> np.ndarray:
    """Mask of the entries of ``h`` whose value occurs more than once (one sort).

    Examples
    --------
    >>> repeated(np.array([5, 3, 5, 1], dtype=np.uint64)).tolist()
    [True, False, True, False]
    """
    if len(h) < 2:
        return np.zeros(len(h), dtype=bool)
    s = np.sort(h)
    rep = s[1:][s[1:] == s[:-1]]
    if not len(rep):
        return np.zeros(len(h), dtype=bool)
    return pd.Series(h, copy=False).isin(np.unique(rep)).to_numpy()


def pair_codes(a: np.ndarray, b: np.ndarray, *, null_b: bool = True) -> tuple[np.ndarray, int]:
    """Codes (first-appearance order) of the pairs ``(a, b)`` of two code arrays.

    A null ``a`` (``-1``) is a value of its own, as in :func:`join`; a null ``b`` is a value
    too when ``null_b`` is true, else the pair is null (``-1``).

    Examples
    --------
    >>> pair_codes(np.array([0, 0, 1, 0]), np.array([0, 1, 0, 0]))[0].tolist()
    [0, 1, 2, 0]
    """
    if len(a) == 0:
        return np.zeros(0, dtype="int64"), 0
    width = int(b.max(initial=-1)) + 2
    k = (a + 1) * width + (b + 1)
    codes, uniq = pd.factorize(k)
    codes = codes.astype("int64")
    if not null_b:
        codes[b < 0] = -1
    return codes, len(uniq)


def lookup_codes(table: np.ndarray, values: np.ndarray, n_codes: int) -> np.ndarray:
    """:func:`lookup` on codes from one shared encoding of table and values."""
    first = first_positions(table, n_codes)
    return np.where(values >= 0, first[np.maximum(values, 0)], -1)


# ------------------------------------------------------------------ sorted fixed-width ids
#
# Task ids kept in order (T0001, T0002, …) are the common case. When every id has the same
# byte length and the column is strictly increasing, the ids are unique and references
# resolve by binary search on a zero-copy numpy ``S<width>`` view — no hashing at all.


def fixed_width(
    a: pa.Array, width: int | None = None, *, checked: bool = False
) -> tuple[int, int, pa.Buffer] | None:
    """``(byte width, byte offset of the first value, data buffer)`` of a large-string array
    whose values all have the same byte width ``> 0`` (``width`` when given) and none is
    missing; else ``None``. The offsets are checked in blocks that stay in cache;
    ``checked``: the caller knows every value has that width (only the total is read).

    Examples
    --------
    >>> fixed_width(pa.array(["T01", "T02"], pa.large_string()))[:2]
    (3, 0)
    >>> fixed_width(pa.array(["T1", "T02"], pa.large_string())) is None
    True
    """
    n = len(a)
    if n == 0 or a.null_count or not pa.types.is_large_string(a.type):
        return None
    bufs = a.buffers()
    off = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=8 * a.offset)
    w = int(off[1] - off[0])
    if w <= 0 or (width is not None and w != width) or int(off[-1] - off[0]) != w * n:
        return None
    if not checked:
        for i in range(0, n, _BLOCK):
            o = off[i : i + _BLOCK + 1]
            if not (o[1:] - o[:-1] == w).all():
                return None
    return w, int(off[0]), bufs[2]


def _fixed_view(a: pa.Array, known_width: int | None = None) -> np.ndarray | None:
    """Zero-copy ``S<width>`` view of a large-string array whose values all have one byte
    length (no nulls, no NUL bytes); ``None`` otherwise. ``known_width``: the caller has
    checked that every value is non-null and that long (the lengths are not read again)."""
    info = fixed_width(a, known_width, checked=known_width is not None)
    if info is None:
        return None
    w, first, buf = info
    data = np.frombuffer(buf, dtype=np.uint8, count=w * len(a), offset=first)
    if not data.all():  # a NUL byte: numpy's S comparisons would ignore trailing NULs
        return None
    return data.view(f"S{w}")


def _increasing(view: np.ndarray) -> bool:
    """Strictly increasing ``S<w>`` values (compared as integers when ``w <= 8``)."""
    if view.dtype.itemsize <= 8:
        u = _as_u8(view)
        return bool((u[1:] > u[:-1]).all())
    return bool((view[1:] > view[:-1]).all())


#: :func:`sorted_fixed`: a reader checks the task ids while it reads the other columns; the
#: loader asks again later
_SORTED = _LastAnswer()


def sorted_fixed(values: pd.Series | pa.Array) -> np.ndarray | None:
    """``S<width>`` view of strictly increasing, equal-length, non-null texts, else ``None``.
    The answer for the last array checked is kept until :func:`forget_dictionaries`.

    Examples
    --------
    >>> sorted_fixed(pd.Series(["T01", "T02", "T10"])).tolist()
    [b'T01', b'T02', b'T10']
    >>> sorted_fixed(pd.Series(["T02", "T01"])), sorted_fixed(pd.Series(["T1", "T10"]))
    (None, None)
    """
    a = as_arrow(values)
    hit, view = _SORTED.get(a)
    if hit:
        return view
    view = _fixed_view(a)
    if view is not None and not _increasing(view):
        view = None
    _SORTED.put((a,), view)
    return view


#: the last (``S<w>`` view, its :func:`_as_u8`) pair, so a table checked by
#: :func:`sorted_fixed` is not converted again by :func:`lookup_sorted`
_U8_LAST: list = [(None, None)]


def _as_u8(fixed: np.ndarray) -> np.ndarray:
    """``S<w>`` values (``w <= 8``) as big-endian ``uint64``, zero-padded on the right, so
    integer order is byte order (as numpy compares ``S`` values). The last conversion is
    remembered (weakly) for the same array object, which must not be written to."""
    ref, u = _U8_LAST[0]  # one tuple: read and replaced whole (threads)
    if ref is not None and ref() is fixed:
        return u
    u = _to_u8(fixed)
    _U8_LAST[0] = (weakref.ref(fixed), u)
    return u


def _to_u8(fixed: np.ndarray) -> np.ndarray:
    w = fixed.dtype.itemsize
    if w == 8:
        return fixed.view(">u8").astype(np.uint64)
    buf = np.zeros((len(fixed), 8), dtype=np.uint8)
    buf[:, :w] = fixed.view(np.uint8).reshape(len(fixed), w)
    return buf.view(">u8").ravel().astype(np.uint64)


def lookup_sorted(
    table: np.ndarray, values: pd.Series | pa.Array, guess: np.ndarray | None = None
) -> np.ndarray:
    """:func:`lookup` against a :func:`sorted_fixed` table, by binary search.

    ``guess`` (optional, per value) is the table row most likely to hold the value, e.g.
    the row above a dependency's own row (a task usually depends on the one before it).
    Values found there are not searched for; the others are bisected in the whole table
    (a search touching twenty cache lines each). The answer is the same either way.

    Examples
    --------
    >>> t = sorted_fixed(pd.Series(["T01", "T02", "T10"]))
    >>> lookup_sorted(t, pd.Series(["T10", "T1", None, "T03", "T01"])).tolist()
    [2, -1, -1, -1, 0]
    >>> lookup_sorted(t, pd.Series(["T10", "T01"]), guess=np.array([2, 5])).tolist()
    [2, 0]
    """
    v = as_arrow(values)
    g = None if guess is None else np.asarray(guess)
    hit, pos = _LOOKUP.get(table, v, g)
    if hit:
        return pos.copy()
    pos = _lookup_sorted(table, v, g)
    _LOOKUP.put((table, v, None if g is None else g.copy()), pos.copy())
    return pos


#: :func:`lookup_sorted`: a reader resolves the dependency references while it reads the
#: other columns; the loader asks again later
_LOOKUP = _LastAnswer()


def _lookup_sorted(table: np.ndarray, v: pa.Array, guess: np.ndarray | None) -> np.ndarray:
    pos = np.full(len(v), -1, dtype="int64")
    width = table.dtype.itemsize
    if len(v) == 0 or len(table) == 0:
        return pos
    sel = pc.fill_null(pc.equal(pc.binary_length(v), width), False)
    if pc.all(sel).as_py():
        idx, sub = None, v
    else:
        idx = np.flatnonzero(sel.to_numpy(zero_copy_only=False))
        if len(idx) == 0:
            return pos
        sub = v.filter(sel)
    view = _fixed_view(sub, width) if idx is None else _fixed_view(sub)
    if view is None:  # a value with a NUL byte: compare those few as Python strings
        return lookup(
            v, pa.array(table.astype(object), type=pa.large_binary()).cast(pa.large_string())
        )
    if width <= 8:  # short ids: bisect on big-endian integers (byte order = integer order)
        keys, want = _as_u8(table), _as_u8(view)
    else:
        keys, want = table, view
    if guess is not None:
        g = np.asarray(guess, dtype="int64")
        g = np.clip(g if idx is None else g[idx], 0, len(keys) - 1)
        i = np.where(keys[g] == want, g, -1)
    else:
        i = np.full(len(want), -1, dtype="int64")
    far = np.flatnonzero(i < 0)
    if len(far):
        i[far] = np.minimum(np.searchsorted(keys, want[far]), len(keys) - 1)
    hit = keys[i] == want
    if idx is None:
        pos[hit] = i[hit]
    else:
        pos[idx[hit]] = i[hit]
    return pos
