"""The 48-hour escalation rule: was every delayed or blocked task met about within 48 hours?

The template asks: "对滞后或阻塞的任务,48小时内组织专项会议". The rule as measured here:

- **Episode.** Each time a task's status in the updates log turns 滞后 ``delayed`` or 阻塞
  ``blocked`` from any other status (so ``on_track → delayed`` and ``delayed → blocked`` both
  start an episode; ``delayed → delayed`` does not). The episode starts at the update's
  timestamp. A task whose *current* status is delayed/blocked but which has no update rows at
  all gives an episode with an unknown start (``start_source = "task_status"``): it is listed,
  its first meeting is reported, but it is left out of compliance (``within_threshold`` is
  missing) because the time to the meeting cannot be known.
- **Meeting.** The first meeting at or after the episode start that (a) concerns the task —
  its ``related_tasks`` lists the task id, or, for meetings that list no related tasks, the
  task's name appears in the topic or the minutes (``output``) — and (b) involves the task's
  department (``meetings.departments``, else the participants text). Meetings after the as-of
  day are ignored. A meeting with no recorded time counts from midnight of its day.
- **Time to meeting.** Calendar hours, or *working hours*: the elapsed time with every
  non-working day of the calendar cut out (a Friday 17:00 episode met on Monday 10:00 took
  65 calendar hours but 17 working hours in the ``cn`` calendar).
- **Verdict.** ``within_threshold`` = met within ``threshold_hours`` (default 48); ``never`` =
  no meeting up to the as-of day and more than the threshold has elapsed; ``pending`` = no
  meeting yet, but the threshold has not elapsed by the end of the as-of day (not judged).
  compliance = within / judged.

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.metrics.escalation import escalation_episodes
>>> updates = pd.DataFrame({
...     "date": pd.to_datetime(["2024-07-01 17:00", "2024-07-02 17:00"]),
...     "task_id": ["T1", "T1"], "task": ["开发测试", "开发测试"],
...     "status": ["on_track", "blocked"], "department": ["技术部", "技术部"]})
>>> meetings = pd.DataFrame({
...     "date": pd.to_datetime(["2024-07-04"]), "time": ["19:00"], "topic": ["开发测试阻塞专项会"],
...     "start": pd.to_datetime(["2024-07-04 19:00"]),
...     "related_tasks": [["T1"]], "departments": [["技术部", "产品部"]]})
>>> ep = escalation_episodes(updates, meetings=meetings)
>>> ep[["task_id", "status", "hours_to_meeting", "within_threshold"]]
  task_id   status  hours_to_meeting  within_threshold
0      T1  blocked              50.0             False
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import collab_analytics.metrics._encoded as enc
from collab_analytics.calendar import get_calendar
from collab_analytics.metrics._cadence_codes import (
    _arrow_text,
    _concat_text,
    _lookup,
    _meeting_dept_codes,
    _member,
    _str_series,
    _unique_pairs,
)
from collab_analytics.metrics.cadence import _related_items

__all__ = [
    "DISTRIBUTION_COLUMNS",
    "EPISODE_COLUMNS",
    "ESCALATION_COLUMNS",
    "escalation_compliance",
    "escalation_distribution",
    "escalation_episodes",
    "task_meeting_pairs",
    "working_hours",
]

#: Columns of :func:`escalation_episodes`.
EPISODE_COLUMNS: tuple[str, ...] = (
    "task_id",
    "task",
    "department",
    "status",
    "start",
    "start_source",
    "meeting_date",
    "meeting_topic",
    "hours_to_meeting",
    "within_threshold",
    "never",
    "pending",
)
#: Columns of :func:`escalation_compliance` (after the group keys).
ESCALATION_COLUMNS: tuple[str, ...] = (
    "episodes",
    "judged",
    "within",
    "late",
    "never",
    "pending",
    "unknown_start",
    "compliance",
    "hours_median",
    "hours_p85",
    "hours_max",
)
#: Columns of :func:`escalation_distribution` (after the group keys).
DISTRIBUTION_COLUMNS: tuple[str, ...] = (
    "bucket",
    "lower_hours",
    "upper_hours",
    "episodes",
    "share",
)

_ESCALATE = ("delayed", "blocked")
_US_PER_HOUR = 3_600_000_000


def _empty_episodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task_id": pd.Series([], dtype="str"),
            "task": pd.Series([], dtype="str"),
            "department": pd.Series([], dtype="str"),
            "status": pd.Series([], dtype="str"),
            "start": pd.Series([], dtype="datetime64[us]"),
            "start_source": pd.Series([], dtype="str"),
            "meeting_date": pd.Series([], dtype="datetime64[us]"),
            "meeting_topic": pd.Series([], dtype="str"),
            "hours_to_meeting": pd.Series([], dtype="float64"),
            "within_threshold": pd.Series([], dtype="boolean"),
            "never": pd.Series([], dtype="bool"),
            "pending": pd.Series([], dtype="bool"),
        }
    )


def working_hours(start, end, *, calendar="cn") -> np.ndarray:
    """Hours from ``start`` to ``end`` counting only working days of ``calendar``.

    Each day contributes the part of ``[start, end)`` that falls on it if it is a working day,
    nothing otherwise. Vectorised; NaN where either side is missing or ``end < start``.

    >>> import pandas as pd
    >>> working_hours(pd.to_datetime(["2024-07-05 17:00"]), pd.to_datetime(["2024-07-08 10:00"]),
    ...               calendar="cn").tolist()
    [17.0]
    """
    s = pd.to_datetime(pd.Series(np.asarray(start))).to_numpy(dtype="datetime64[us]")
    e = pd.to_datetime(pd.Series(np.asarray(end))).to_numpy(dtype="datetime64[us]")
    out = np.full(len(s), np.nan)
    ok = ~np.isnat(s) & ~np.isnat(e)
    ok[ok] = e[ok] >= s[ok]
    if not ok.any():
        return out
    cal = get_calendar(calendar)
    s, e = s[ok], e[ok]
    if cal.is_calendar_days:
        out[ok] = (e - s).astype("int64") / _US_PER_HOUR
        return out
    sd, ed = s.astype("datetime64[D]"), e.astype("datetime64[D]")
    lo, hi = sd.min(), ed.max()
    grid = np.arange(lo, hi + 1, dtype="datetime64[D]")
    work = cal.is_workday(grid)
    cum = np.concatenate([[0], np.cumsum(work.astype("int64"))])
    si, ei = (sd - lo).astype("int64"), (ed - lo).astype("int64")
    day_us = 24 * _US_PER_HOUR
    s_in = (s - sd.astype("datetime64[us]")).astype("int64")  # µs into the start day
    e_in = (e - ed.astype("datetime64[us]")).astype("int64")
    same = si == ei
    hours = np.where(
        same,
        np.where(work[si], (e_in - s_in), 0),
        np.where(work[si], day_us - s_in, 0)
        + np.where(work[ei], e_in, 0)
        + (cum[ei] - cum[np.minimum(si + 1, len(work))]) * day_us,
    )
    out[ok] = hours / _US_PER_HOUR
    return out


_P = np.uint64(1_000_003)


def _codepoints(texts: np.ndarray) -> np.ndarray:
    arr = np.asarray(texts, dtype="U")
    width = max(arr.dtype.itemsize // 4, 1)
    if arr.dtype.itemsize == 0:
        return np.zeros((len(arr), 1), dtype="uint64")
    return arr.view(np.uint32).reshape(len(arr), width).astype("uint64")


def _substring_hits(texts: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (text index, name index) where the name occurs in the text.

    Vectorised: for each distinct name length ``L``, every length-``L`` window of every text is
    hashed (polynomial hash of code points, arithmetic mod 2**64) and looked up among the hashes
    of the names of that length, then confirmed by comparing the code points.
    """
    if len(texts) == 0 or len(names) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    T = _codepoints(texts)
    N = _codepoints(names)
    n_len = (N > 0).sum(axis=1)
    out_t, out_n = [], []
    with np.errstate(over="ignore"):
        for L in np.unique(n_len):
            L = int(L)
            if L < 2 or T.shape[1] < L:
                continue
            sel = np.flatnonzero(n_len == L)
            pw = _P ** np.arange(L, dtype="uint64")
            nh = (N[sel, :L] * pw).sum(axis=1)
            order = np.argsort(nh)
            nh_sorted = nh[order]
            win = np.lib.stride_tricks.sliding_window_view(T, L, axis=1)  # [U, W-L+1, L]
            step = max(1, 2_000_000 // max(win.shape[1] * L, 1))
            for a in range(0, len(T), step):
                w = win[a : a + step]
                valid = w[:, :, -1] > 0
                wh = (w * pw).sum(axis=2)
                pos = np.searchsorted(nh_sorted, wh)
                pos_c = np.minimum(pos, len(nh_sorted) - 1)
                hit = valid & (nh_sorted[pos_c] == wh)
                ti, wi = np.nonzero(hit)
                if not len(ti):
                    continue
                ni = sel[order[pos_c[ti, wi]]]
                same = (w[ti, wi] == N[ni, :L]).all(axis=1)
                out_t.append(ti[same] + a)
                out_n.append(ni[same])
    if not out_t:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    return (np.concatenate(out_t).astype("int64"), np.concatenate(out_n).astype("int64"))


def _task_key(frame: pd.DataFrame) -> pd.Series:
    """task_id where present, else the task name."""
    tid = (
        frame["task_id"].astype("str")
        if "task_id" in frame.columns
        else pd.Series([None] * len(frame), dtype="str", index=frame.index)
    )
    if "task" in frame.columns:
        tid = tid.fillna(frame["task"].astype("str"))
    return tid


def _task_key_arrow(frame: pd.DataFrame) -> pa.Array | pa.ChunkedArray:
    """:func:`_task_key` as an Arrow string array (no per-row Python work)."""
    if "task_id" in frame.columns:
        key = _arrow_text(frame["task_id"])
    else:
        key = pa.nulls(len(frame), type=pa.large_string())
    if "task" in frame.columns and key.null_count:
        key = pc.coalesce(key, _arrow_text(frame["task"]))
    return key


def _bigrams(texts: np.ndarray) -> pa.Array:
    """Every distinct two-character substring of ``texts`` (a numpy ``U`` array)."""
    cp = _codepoints(texts)
    if cp.shape[1] < 2:
        return pa.array([], type=pa.large_string())
    a, b = cp[:, :-1], cp[:, 1:]
    big = np.unique(((a << np.uint64(21)) | b)[(a > 0) & (b > 0)])
    hi, lo = (big >> np.uint64(21)).tolist(), (big & np.uint64(0x1FFFFF)).tolist()
    return pa.array([chr(x) + chr(y) for x, y in zip(hi, lo, strict=True)], pa.large_string())


_SUBSTRINGS_MAX = 2_000_000
# first bytes of the characters str.strip() removes: ASCII white space, \x1c-\x1f, and the lead
# bytes of U+0085 and U+00A0 (C2), U+1680 (E1), U+2000-U+205F (E2) and U+3000 (E3)
_WS_FIRST = np.zeros(256, dtype=bool)
_WS_FIRST[[9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]] = True
_WS_LAST = np.zeros(256, dtype=bool)
_WS_LAST[[9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
# the white space of two or three bytes (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
# U+2029, U+202F, U+205F, U+3000), as integers of their UTF-8 bytes, and their last bytes
_WS_MULTI = np.array(
    sorted(
        int.from_bytes(c.encode(), "big")
        for c in (
            "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
            "\u200a\u2028\u2029\u202f\u205f\u3000"
        )
    ),
    dtype="int64",
)
_WS_TAIL = np.zeros(256, dtype=bool)
_WS_TAIL[_WS_MULTI & 0xFF] = True


def _combined_text(arr) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return arr


def _edge_space(names: pa.Array) -> tuple[np.ndarray, int] | None:
    """Names that may start or end with a character ``str.strip()`` removes (a superset,
    judged from their first and last bytes), and the longest name's byte length; ``None``
    when a name holds a NUL byte."""
    n = len(names)
    bufs = names.buffers()
    offs = np.frombuffer(bufs[1], dtype="int64")[names.offset : names.offset + n + 1]
    lo, hi = int(offs[0]), int(offs[-1])
    if hi == lo:
        return np.zeros(n, dtype=bool), 0
    data = np.frombuffer(bufs[2], dtype=np.uint8)[lo:hi]
    if not data.all():
        return None
    start, end = offs[:-1] - lo, offs[1:] - lo
    longest = int((end - start).max())
    # an empty name's "first byte" is another name's: a needless candidate, never a lost one
    last = data.take(end - 1, mode="clip")
    flag = _WS_FIRST[data.take(start, mode="clip")] | _WS_LAST[last]
    tail = np.flatnonzero(_WS_TAIL[last])  # names that may end with multi-byte white space
    if len(tail):
        e = end[tail]
        b2 = data.take(e - 2, mode="clip").astype("int64")
        b3 = data.take(e - 3, mode="clip").astype("int64")
        lt = last[tail].astype("int64")
        flag[tail] |= np.isin((b2 << 8) | lt, _WS_MULTI) | np.isin(
            (b3 << 16) | (b2 << 8) | lt, _WS_MULTI
        )
    return flag, longest


def _substring_set(utext: np.ndarray, top: int) -> pa.Array | None:
    """The distinct substrings of two to ``top`` characters of the texts ``utext`` (a numpy
    ``U`` array); ``None`` when there would be more than :data:`_SUBSTRINGS_MAX`."""
    cp = _codepoints(utext)
    top = min(cp.shape[1], top)
    lens = (cp > 0).sum(axis=1)
    if sum(int(np.maximum(lens - L + 1, 0).sum()) for L in range(2, top + 1)) > _SUBSTRINGS_MAX:
        return None
    subs = []
    for L in range(2, top + 1):
        win = np.lib.stride_tricks.sliding_window_view(cp, L, axis=1)
        sel = win[win[:, :, -1] > 0]
        if len(sel):
            u = np.ascontiguousarray(sel.astype(np.uint32)).view(f"U{L}").ravel()
            subs.append(pa.array(u, type=pa.large_string()))
    if not subs:
        return pa.array([], type=pa.large_string())
    return pc.unique(pa.chunked_array(subs, type=pa.large_string()).combine_chunks())


def _names_in_texts(substrings, name_text, name_code: np.ndarray) -> np.ndarray | None:
    """Positions of the names (with a key) that occur in one of the texts: exactly the names
    :func:`_substring_hits` can find, by looking every name up among the texts' distinct
    substrings of two or more characters (one hash pass). Names that may carry white space at
    either end (searched stripped) are kept as candidates. ``substrings(top)`` gives the
    texts' substrings of up to ``top`` characters (:func:`_substring_set`). ``None`` when the
    texts have too many substrings or a name holds a NUL byte."""
    if name_text.type != pa.large_string():
        name_text = name_text.cast(pa.large_string())
    chunks = name_text.chunks if isinstance(name_text, pa.ChunkedArray) else [name_text]
    flags, longest = [], 0
    for c in chunks:  # chunk by chunk: the names are never combined (copied)
        if len(c) == 0:
            continue
        edge = _edge_space(c)
        if edge is None:
            return None
        flags.append(edge[0])
        if edge[1]:  # the longest name in characters (substrings longer than it never match)
            longest = max(longest, int(pc.max(pc.utf8_length(c)).as_py() or 0))
    flag = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    value_set = substrings(longest)
    if value_set is None:
        return None
    found = np.zeros(len(name_text), dtype=bool)
    if len(value_set):
        hit = pc.is_in(name_text, value_set=value_set)
        if isinstance(hit, pa.ChunkedArray):
            found = np.concatenate(
                [c.fill_null(False).to_numpy(zero_copy_only=False) for c in hit.chunks] or [found]
            )
        else:
            found = hit.fill_null(False).to_numpy(zero_copy_only=False)
    return np.flatnonzero((found | flag) & (name_code >= 0))


def _bigram_candidates(grams: pa.Array, name_text, name_code: np.ndarray) -> np.ndarray:
    """Positions of the names (with a key) whose first and last two characters (white space
    trimmed) are among the texts' bigrams ``grams``: every name that can occur in a text, and
    some that cannot."""
    # leading bigram first (on every name), then the trailing one on the survivors only; the
    # first two characters of a name of two or more characters do not depend on trailing
    # spaces, so trimming the left side is enough for the first test
    lead = pc.utf8_slice_codeunits(name_text, 0, 2)
    first_ok = pc.is_in(lead, value_set=grams).fill_null(False).to_numpy(zero_copy_only=False)
    # names starting with white space (their first two characters hold some): trimmed first
    spaced = pc.not_equal(pc.utf8_ltrim_whitespace(lead), lead).fill_null(False)
    spaced = np.flatnonzero(spaced.to_numpy(zero_copy_only=False))
    if len(spaced):
        lead_s = pc.utf8_slice_codeunits(
            pc.utf8_ltrim_whitespace(enc.take_text(name_text, spaced)), 0, 2
        )
        first_ok[spaced] = (
            pc.is_in(lead_s, value_set=grams).fill_null(False).to_numpy(zero_copy_only=False)
        )
    pick = np.flatnonzero(first_ok & (name_code >= 0))
    if len(pick):
        stripped = pc.utf8_trim_whitespace(enc.take_text(name_text, pick))
        cand = pc.and_(
            pc.is_in(pc.utf8_slice_codeunits(stripped, -2), value_set=grams),
            pc.greater_equal(pc.utf8_length(stripped), 2),
        )
        pick = pick[cand.fill_null(False).to_numpy(zero_copy_only=False)]
    return pick


def _meeting_texts(meetings: pd.DataFrame, idx: np.ndarray):
    """The texts searched for task names in the meetings ``idx``: the distinct " topic
    output" texts (sorted, a numpy ``U`` array), each meeting's position among them, and
    their bigrams (cached per meetings frame and ``idx`` by :func:`_named_pairs`)."""
    # " topic output" per meeting (missing parts empty), joined in Arrow
    parts = [
        enc.take_text(_arrow_text(meetings[col]), idx).fill_null("")
        for col in ("topic", "output")
        if col in meetings.columns
    ]
    if parts:
        empty = pa.array([""] * len(idx), type=pa.large_string())
        text = pc.binary_join_element_wise(empty, *parts, pa.scalar(" ", pa.large_string()))
    else:
        text = pa.array([""] * len(idx), type=pa.large_string())
    tcodes, tuniq = enc.dictionary_codes(text)
    u = np.asarray(tuniq.to_pylist(), dtype=object).astype(str)
    srt = np.argsort(u, kind="stable")
    utext = u[srt]
    rank = np.empty(len(srt), dtype="int64")
    rank[srt] = np.arange(len(srt))
    tinv = rank[tcodes]
    for a in (utext, tinv):
        a.setflags(write=False)
    return utext, tinv, _bigrams(utext)


def _log_texts(meetings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The distinct " topic output" texts of the meetings listing no related task (sorted,
    a numpy ``U`` array) and each meeting's position among them (-1: it lists a task): what
    :func:`_texts_within` cuts a selection's texts from.

    >>> m = pd.DataFrame({"topic": ["周会", "评审", "周会"], "output": ["", "", ""],
    ...                   "related_tasks": [[], ["T1"], []]})
    >>> u, code = _log_texts(m)
    >>> u.tolist(), code.tolist()
    ([' 周会 '], [0, -1, 0])
    """
    rel_rows, _ = _related_items(meetings)
    has_rel = np.zeros(len(meetings), dtype=bool)
    has_rel[rel_rows] = True
    idx = np.flatnonzero(~has_rel)
    code = np.full(len(meetings), -1, dtype="int64")
    if len(idx) == 0:
        return np.zeros(0, dtype="U1"), code
    utext, tinv, _ = _meeting_texts(meetings, idx)
    code[idx] = tinv
    return utext, code


def _texts_within(
    texts: tuple[np.ndarray, np.ndarray, np.ndarray], idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, pa.Array] | None:
    """:func:`_meeting_texts` of the meetings ``idx`` of a selection, cut from a whole
    log's (``texts``: :func:`_log_texts` of the log, and the log position of each of the
    selection's meetings): the selection's distinct texts are the log's at the codes it
    uses, in the same (sorted) order. ``None`` when a meeting has no code there."""
    utext_all, code_all, rows = texts
    codes = code_all[rows[idx]]
    if len(codes) and codes.min() < 0:
        return None
    used, tinv = np.unique(codes, return_inverse=True)
    utext = utext_all[used]
    return utext, tinv.astype("int64"), _bigrams(utext)


def _named_pairs(
    meetings: pd.DataFrame,
    idx: np.ndarray,
    name_code: np.ndarray,
    name_text,
    superset: tuple[pa.Array, int] | None = None,
    texts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(meeting, name code) where a task name (≥ 2 characters) occurs in the topic/minutes of
    the meetings ``idx``.

    Candidate names are narrowed first, in Arrow: a name occurs in a text only when it is one
    of the texts' substrings, so only names found among them (one hash lookup each,
    :func:`_names_in_texts`) go to the exact search (:func:`_substring_hits`); when the texts
    have too many substrings, names whose leading and trailing bigrams are among the texts'
    bigrams go instead (:func:`_bigram_candidates`). The texts' side is cached per meetings
    frame, so the escalation and RACI functions share it. ``superset``: (the distinct
    substrings of up to ``top`` characters of texts including those of the meetings ``idx``,
    ``top``) (:func:`_text_substrings` of a log they are rows of), used instead of the
    meetings' own when no name is longer than ``top``: more names may be searched exactly,
    the pairs found are the same, in the same order. ``texts``: see :func:`_texts_within`.
    """
    none = np.zeros(0, dtype="int64")
    digest = hashlib.blake2b(np.ascontiguousarray(idx, dtype="int64").tobytes()).digest()
    got = _texts_within(texts, idx) if texts is not None else None
    if got is not None:
        utext, tinv, grams = got
    else:
        utext, tinv, grams = enc.cached_columns(
            "meeting_texts",
            meetings,
            ("topic", "output"),
            lambda: _meeting_texts(meetings, idx),
            (digest,),
        )
    if len(grams) == 0 or len(name_text) == 0:
        return none, none

    def substrings(top: int):
        if superset is not None and top <= superset[1]:
            return superset[0]
        return enc.cached_columns(
            "meeting_substrings",
            meetings,
            ("topic", "output"),
            lambda: _substring_set(utext, top),
            (digest, min(top, utext.dtype.itemsize // 4), _SUBSTRINGS_MAX),
        )

    pick = _names_in_texts(substrings, name_text, name_code)
    if pick is None:  # too many substrings: narrow by the leading and trailing bigrams
        pick = _bigram_candidates(grams, name_text, name_code)
    if len(pick) == 0:
        return none, none
    nm = pd.DataFrame(
        {
            "task_key": name_code[pick],
            "task": _str_series(enc.take_text(name_text, pick)),
        }
    ).drop_duplicates()
    nm = nm.assign(task=nm["task"].str.strip())
    uname, ninv = np.unique(nm["task"].to_numpy(dtype=object).astype(str), return_inverse=True)
    ti, ni = _substring_hits(utext, uname)
    if not len(ti):
        return none, none
    hit = pd.DataFrame({"t": ti, "n": ni})
    rows_of_text = pd.DataFrame({"t": tinv, "meeting": idx})
    keys_of_name = pd.DataFrame({"n": ninv, "task_key": nm["task_key"].to_numpy()})
    got = hit.merge(rows_of_text, on="t").merge(keys_of_name, on="n")
    return got["meeting"].to_numpy(dtype="int64"), got["task_key"].to_numpy(dtype="int64")


def _text_substrings(meetings: pd.DataFrame, top: int) -> tuple[pa.Array, int] | None:
    """The distinct substrings of two to ``top`` characters of the " topic output" texts of
    the meetings listing no related task, and ``top``: the ``substrings`` :func:`_episodes`
    takes for any selection of these meetings' rows, used when no task name searched is
    longer than ``top`` (``None`` when there are more than :data:`_SUBSTRINGS_MAX`).

    >>> m = pd.DataFrame({"topic": ["周会", "评审"], "output": ["", ""],
    ...                   "related_tasks": [[], ["T1"]]})
    >>> values, top = _text_substrings(m, 2)
    >>> sorted(values.to_pylist()), top
    ([' 周', '会 ', '周会'], 2)
    """
    rel_rows, _ = _related_items(meetings)
    has_rel = np.zeros(len(meetings), dtype=bool)
    has_rel[rel_rows] = True
    idx = np.flatnonzero(~has_rel)
    if len(idx) == 0:
        return pa.array([], type=pa.large_string()), top
    utext, _, _ = _meeting_texts(meetings, idx)
    values = _substring_set(utext, max(top, 2))
    return None if values is None else (values, top)


def _concern_codes(
    meetings: pd.DataFrame,
    rel_rows: np.ndarray,
    rel_codes: np.ndarray,
    nkeys: int,
    name_code: np.ndarray | None = None,
    name_text=None,
    *,
    substrings: tuple[pa.Array, int] | None = None,
    texts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`task_meeting_pairs` on codes: (meeting, key code, named?).

    ``rel_rows``/``rel_codes`` are the meetings' ``related_tasks`` entries
    (:func:`~collab_analytics.metrics.cadence._related_items`) coded among ``nkeys`` task keys
    (-1: unknown id, dropped); ``name_code``/``name_text`` the task names searched in meetings
    without related tasks (``substrings``, ``texts``: see :func:`_named_pairs`). Pairs are unique,
    related ones first.
    """
    ok = rel_codes >= 0
    m_l, k_l = [rel_rows[ok]], [rel_codes[ok]]
    if name_code is not None and len(name_code) and len(meetings):
        has_rel = np.zeros(len(meetings), dtype=bool)
        has_rel[rel_rows] = True
        idx = np.flatnonzero(~has_rel)
        if len(idx):
            nm_m, nm_k = _named_pairs(meetings, idx, name_code, name_text, substrings, texts)
            m_l.append(nm_m)
            k_l.append(nm_k)
    meeting, code = np.concatenate(m_l), np.concatenate(k_l)
    named = np.zeros(len(meeting), dtype=bool)
    named[len(m_l[0]) :] = True
    keep = _unique_pairs(meeting, code, nkeys)
    return meeting[keep], code[keep], named[keep]


def task_meeting_pairs(
    meetings: pd.DataFrame,
    tasks: pd.DataFrame | None = None,
    *,
    names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which meeting concerns which task: ``[meeting, task_key, rule]``.

    ``rule = "related_tasks"`` for ids listed in the meeting's ``related_tasks``; for meetings
    listing no related tasks, ``rule = "named"`` when a task name (at least two characters)
    appears in the topic or the minutes (``output``). ``task_key`` is the task id (or the task
    name for tasks without id). ``names`` (``[task_key, task]``) restricts the names searched;
    default: every task in ``tasks``.

    >>> import pandas as pd
    >>> meetings = pd.DataFrame({"topic": ["开发测试专项会", "周会"],
    ...                          "related_tasks": [[], ["T9"]]})
    >>> tasks = pd.DataFrame({"task_id": ["T1"], "task": ["开发测试"]})
    >>> task_meeting_pairs(meetings, tasks).to_dict("list")
    {'meeting': [1, 0], 'task_key': ['T9', 'T1'], 'rule': ['related_tasks', 'named']}
    """
    if names is None and tasks is not None and len(tasks):
        names = pd.DataFrame({"task_key": _task_key(tasks), "task": tasks["task"]})
    rel_rows, rel = _related_items(meetings)
    chunks, name_text = [rel], None
    if names is not None and len(names):
        name_text = _arrow_text(names["task"])
        chunks.append(_arrow_text(names["task_key"]))
    all_codes, keys = enc.dictionary_codes(_concat_text(chunks))
    name_code = all_codes[len(rel) :] if name_text is not None else None
    meeting, code, named = _concern_codes(
        meetings, rel_rows, all_codes[: len(rel)], len(keys), name_code, name_text
    )
    return pd.DataFrame(
        {
            "meeting": meeting.astype("int64"),
            "task_key": _str_series(keys.take(pa.array(code))),
            "rule": pd.Series(np.where(named, "named", "related_tasks"), dtype="str"),
        }
    )


def _status_codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer status codes (-1 = missing) and their names, without a per-row conversion
    (a categorical keeps its compact code type)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.asarray(s.cat.codes), pd.Index(s.cat.categories.astype("str"))
    codes, names = pd.factorize(s.astype("str"))
    return codes.astype("int64"), pd.Index(names)


def _us(s: pd.Series) -> np.ndarray:
    """A datetime column as ``datetime64[us]`` values (no copy when it is one already)."""
    if s.dtype == "datetime64[us]":
        return s.to_numpy()
    return pd.to_datetime(s).to_numpy(dtype="datetime64[us]")


def _latest(values: np.ndarray) -> pd.Timestamp | float:
    """The latest of ``datetime64[us]`` values (NaT skipped; NaN when there is none): NaT is
    the smallest int64, so the largest integer is the latest date whenever one exists."""
    if len(values) == 0:
        return np.nan
    m = values.view("int64").max()
    return np.nan if m == np.iinfo(np.int64).min else pd.Timestamp(m, unit="us")


def _stable_order(key: np.ndarray) -> np.ndarray | None:
    """``np.argsort(key, kind="stable")`` for int64 keys (``None`` when already sorted).

    Timestamps in µs are mostly whole hours or minutes: divided by the largest such unit
    that divides every offset from the smallest key, they often fit 16 or 32 bits, where a
    stable sort is one or two passes of numpy's radix sort instead of a merge sort.
    """
    n = len(key)
    if n < 2 or bool(np.all(key[1:] >= key[:-1])):
        return None
    lo, hi = int(key.min()), int(key.max())
    off = key - lo  # hi - lo may exceed int64: only the small-range paths use it
    if 0 <= hi - lo < 2**62:
        for unit in (_US_PER_HOUR, 60_000_000, 1_000_000, 1):
            # a unit that fails on the first offsets is not tried on all of them
            if (
                (hi - lo) // unit < 2**32
                and not np.any(off[:1024] % unit)
                and not np.any(off % unit)
            ):
                r = off // unit if unit > 1 else off
                if (hi - lo) // unit < 2**16:
                    return np.argsort(r.astype(np.uint16), kind="stable")
                o1 = np.argsort((r & 0xFFFF).astype(np.uint16), kind="stable")
                o2 = np.argsort((r[o1] >> 16).astype(np.uint16), kind="stable")
                return o1[o2]
    return np.argsort(key, kind="stable")


def _as_of(as_of, updates, meetings, latest=None) -> pd.Timestamp | None:
    """``as_of`` (midnight), else the latest update or meeting date; ``latest``: the
    updates' latest date, when known already."""
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    cands = []
    for frame, col in ((updates, "date"), (meetings, "date")):
        if frame is updates and latest is not None:
            if not pd.isna(latest):
                cands.append(pd.Timestamp(latest))
            continue
        if frame is not None and col in frame.columns and len(frame):
            m = frame[col].max()
            if not pd.isna(m):
                cands.append(pd.Timestamp(m))
    return max(cands).normalize() if cands else None


def escalation_episodes(
    updates: pd.DataFrame,
    *,
    meetings: pd.DataFrame | None = None,
    tasks: pd.DataFrame | None = None,
    as_of=None,
    threshold_hours: float = 48,
    hours: str = "calendar",
    calendar="cn",
    departments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every moment a task turned delayed or blocked, and the first meeting that handled it.

    Parameters
    ----------
    updates : DataFrame
        Canonical updates ``[date, task_id, task, status, department]``.
    meetings : DataFrame, optional
        Canonical meetings (``start`` or ``date``/``time``, ``related_tasks``,
        ``departments``/``participants``, ``topic``, ``output``).
    tasks : DataFrame, optional
        Canonical tasks: departments for updates without one, task names for the "named in the
        topic" rule, and the current status of tasks that have no update rows.
    as_of : date-like, optional
        Default: the latest update or meeting date.
    threshold_hours : float, default 48
    hours : {"calendar", "working"}
        How ``hours_to_meeting`` is counted (see :func:`working_hours`).
    calendar : calendar spec, default ``"cn"``
        Used for working hours.
    departments : sequence of str, optional
        Department names to find in a meeting's participants text when it has no
        ``departments`` list (default: those of the updates and tasks).

    Returns
    -------
    DataFrame
        One row per episode, ordered by start: ``[task_id, task, department, status, start,
        start_source, meeting_date, meeting_topic, hours_to_meeting, within_threshold, never,
        pending]``. ``start_source`` is ``updates`` or ``task_status``; ``within_threshold`` is a
        nullable boolean (missing when pending or the start is unknown).
    """
    return _episodes(
        updates,
        meetings=meetings,
        tasks=tasks,
        as_of=as_of,
        threshold_hours=threshold_hours,
        hours=hours,
        calendar=calendar,
        departments=departments,
    )


def _episodes(
    updates: pd.DataFrame,
    *,
    meetings: pd.DataFrame | None = None,
    tasks: pd.DataFrame | None = None,
    as_of=None,
    threshold_hours: float = 48,
    hours: str = "calendar",
    calendar="cn",
    departments: Sequence[str] | None = None,
    substrings: tuple[pa.Array, int] | None = None,
    meeting_depts: tuple[np.ndarray, np.ndarray, list[str]] | None = None,
    texts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """:func:`escalation_episodes`, the task names searched in the meetings narrowed by
    ``substrings`` when given: (the distinct substrings of up to ``top`` characters of a set
    of texts holding every " topic output" text of the ``meetings`` listing no related task,
    ``top``), e.g. those of a whole log these meetings are rows of
    (:func:`_text_substrings`). A name is searched exactly only when it is one of them; a
    superset admits more names to the exact search, never another result. Not used when a
    name is longer than ``top``.

    ``meeting_depts`` (read only when ``departments`` is given): the (row, department code,
    names) pairs of ``meetings`` that ``cadence._meeting_dept_codes(meetings, departments)``
    gives, in any order and with any codes (only whether a meeting has a department is
    read), e.g. ``cadence._subset_dept_codes`` of a whole log's listed departments.

    ``texts``: (:func:`_log_texts` of a whole log, the log position of each of the
    ``meetings``): the texts searched for task names are cut from the log's
    (:func:`_texts_within`)."""
    if hours not in ("calendar", "working"):
        msg = f"hours must be 'calendar' or 'working', not {hours!r}."
        raise ValueError(msg)
    u = updates if updates is not None else pd.DataFrame()
    use_log = len(u) > 0 and "status" in u.columns
    # every task key (log, status-only tasks, meetings' related ids) coded in one Arrow hash
    # pass; the log's keys come first, so its codes are 0..n_logged-1
    t_cand = np.zeros(0, dtype="int64")
    if tasks is not None and len(tasks) and "status" in tasks.columns:
        tc, tnames = _status_codes(tasks["status"])
        esc = np.isin(np.asarray(tnames, dtype=object), _ESCALATE)
        sel = np.zeros(len(tasks), dtype=bool)
        sel[tc >= 0] = esc[tc[tc >= 0]]
        t_cand = np.flatnonzero(sel)
    has_meetings = meetings is not None and len(meetings) > 0

    def _side():  # what does not wait for the log's keys, on the second thread
        if len(t_cand):
            enc.task_keys(tasks)
        if has_meetings and departments is not None and meeting_depts is None:
            _meeting_dept_codes(meetings, list(departments))
        if has_meetings:
            return _related_items(meetings)
        return np.zeros(0, dtype="int64"), pa.array([], type=pa.large_string())

    ukeys, (rel_rows, rel) = enc.parallel(lambda: enc.task_keys(u) if use_log else None, _side)
    # the log's keys (shared encoding, one per run of equal keys) are codes 0..n_logged-1;
    # status-only task keys and related ids that are not in the log follow, in that order
    if use_log:
        n_logged = len(ukeys.uniq)
        kdict = ukeys.uniq
    else:
        ukeys = None
        n_logged = 0
        kdict = pa.array([], type=pa.large_string())
    tk_codes = np.full(len(t_cand), -1, dtype="int64")
    t_null = np.zeros(len(t_cand), dtype=bool)
    if len(t_cand):
        tkeys = enc.task_keys(tasks)
        t_null = tkeys.codes[t_cand] < 0
        if ukeys is not None:
            tk_codes = np.append(enc.key_map(ukeys, tkeys, u, tasks), -1)[tkeys.codes[t_cand]]
    rel_codes = enc.find_keys(ukeys, rel) if ukeys is not None else np.full(len(rel), -1)
    t_new = (tk_codes < 0) & ~t_null
    r_new = rel_codes < 0
    if t_new.any() or r_new.any():
        t_key = enc.take_text(_task_key_arrow(tasks), t_cand[t_new]) if t_new.any() else None
        parts = [
            x
            for x in (t_key, rel.filter(pa.array(r_new)) if r_new.any() else None)
            if x is not None
        ]
        new_codes, new_keys = enc.dictionary_codes(_concat_text(parts))
        new_codes = new_codes + n_logged
        k_t = int(t_new.sum())
        tk_codes[t_new] = new_codes[:k_t]
        rel_codes = rel_codes.copy()
        rel_codes[r_new] = new_codes[k_t:]
        kdict = _concat_text([kdict, new_keys]).combine_chunks()

    ep_rows: list[dict] = []
    if use_log:
        scodes, snames = _status_codes(u["status"])
        tfull = _us(u["date"])
        ok = ~np.isnat(tfull)
        ok &= scodes >= 0
        if not ukeys.grouped:  # grouped keys are never missing
            ok &= ukeys.codes >= 0
        all_ok = bool(ok.all())
        idx = None if all_ok else np.flatnonzero(ok)
        if idx is None or len(idx):
            t = (tfull if idx is None else tfull[idx]).view("int64")
            # the per-row key codes are only needed when the log is not one run per task
            runs_only = all_ok and ukeys.grouped
            codes = None if runs_only else ukeys.codes if idx is None else ukeys.codes[idx]
            if runs_only:
                # one run per task: in time order when time only goes back where a run starts
                back = t[1:] < t[:-1]
                forward = not back.any()
                if not forward:
                    run_start = np.zeros(len(t), dtype=bool)
                    run_start[ukeys.starts] = True
                    back &= ~run_start[1:]
                in_order = forward or not back.any()
            else:
                dt = np.diff(t)
                dc = np.diff(codes)
                in_order = np.all(dc >= 0) and np.all((dc > 0) | (dt >= 0))
                forward = bool(np.all(dt >= 0))
            if not in_order and codes is None:
                codes = ukeys.codes
            if in_order:
                order = None  # already grouped by task (first-appearance codes) in time order
            elif forward:
                order = np.argsort(codes, kind="stable")
            else:
                order = np.lexsort((t, codes))
            if order is None:
                s_codes = scodes if idx is None else scodes[idx]
            else:
                idx = order if idx is None else idx[order]
                codes, s_codes = codes[order], scodes[idx]
            esc_codes = np.flatnonzero(np.isin(np.asarray(snames, dtype=object), _ESCALATE))
            changed = np.empty(len(s_codes), dtype=bool)
            changed[0] = True
            np.not_equal(s_codes[1:], s_codes[:-1], out=changed[1:])
            if order is None and all_ok and ukeys.grouped:
                changed[ukeys.starts] = True  # the first update of each task
            else:
                changed[1:] |= codes[1:] != codes[:-1]
            turned = np.zeros(len(s_codes), dtype=bool)
            for c in esc_codes.tolist():  # a few comparisons, not a gather
                turned |= s_codes == c
            sel = np.flatnonzero(turned & changed)
            pick = sel if idx is None else idx[sel]
            ep_rows.append(
                {
                    "frame": u,
                    "pick": pick,
                    "status": pa.array(np.asarray(snames, dtype=object), pa.large_string()),
                    "scode": scodes[pick],
                    "start": tfull[pick],
                    "key": ukeys.codes_at(pick),
                }
            )
    if len(t_cand):
        keep = tk_codes >= n_logged  # not in the log (and a key at all)
        if keep.any():
            pick = t_cand[keep]
            ep_rows.append(
                {
                    "frame": tasks,
                    "pick": pick,
                    "status": pa.array(np.asarray(tnames, dtype=object), pa.large_string()),
                    "scode": tc[pick],
                    "start": np.full(len(pick), np.datetime64("NaT"), dtype="datetime64[us]"),
                    "key": tk_codes[keep],
                }
            )
    ep_rows = [p for p in ep_rows if len(p["pick"])]
    if not ep_rows:
        return _empty_episodes()

    def _col(name: str) -> pa.ChunkedArray:
        parts = []
        for p in ep_rows:
            f = p["frame"]
            if name in f.columns:
                parts.append(enc.take_text(_arrow_text(f[name]), p["pick"]))
            else:
                parts.append(pa.nulls(len(p["pick"]), type=pa.large_string()))
        return _concat_text(parts)

    # task ids straight from the key dictionary when every key is a task id (no text taken)
    ids_are_keys = all(
        "task_id" in p["frame"].columns and _arrow_text(p["frame"]["task_id"]).null_count == 0
        for p in ep_rows
    )
    e_task_id = None if ids_are_keys else _col("task_id")
    e_task, e_dept = enc.parallel(lambda: _col("task"), lambda: _col("department"))
    # status codes among the status names of every part, one after the other
    s_off = np.cumsum([0, *(len(p["status"]) for p in ep_rows)])
    e_scode = np.concatenate([p["scode"].astype("int64") + s_off[i] for i, p in enumerate(ep_rows)])
    s_names = _concat_text([p["status"] for p in ep_rows]).combine_chunks()
    start = np.concatenate([p["start"] for p in ep_rows])
    e_key = np.concatenate([p["key"] for p in ep_rows])
    source = np.concatenate(
        [np.full(len(p["pick"]), p["frame"] is tasks, dtype="int64") for p in ep_rows]
    )
    n = len(e_key)
    # departments missing in the log: take the task's department
    if tasks is not None and len(tasks) and e_dept.null_count:
        miss = pc.is_null(e_dept).to_numpy(zero_copy_only=False)
        tkeys = enc.task_keys(tasks)
        at = enc.find_keys(tkeys, kdict.take(pa.array(e_key[miss])))
        at = np.append(tkeys.first_row, -1)[at]
        fill = _arrow_text(tasks["department"]).take(pa.array(np.where(at >= 0, at, 0)))
        fill = pc.if_else(pa.array(at >= 0), fill, pa.nulls(len(at), type=pa.large_string()))
        d = e_dept.to_numpy(zero_copy_only=False).astype(object)
        d[miss] = fill.to_numpy(zero_copy_only=False)
        e_dept = pa.chunked_array([pa.array(d, type=pa.large_string(), from_pandas=True)])
    dcodes, dvals = enc.dictionary_codes(e_dept)

    latest = None
    if use_log and as_of is None and u["date"].dtype == "datetime64[us]":
        latest = _latest(tfull)  # what u["date"].max() gives, from the array
    as_of_ts = _as_of(as_of, updates, meetings, latest)
    horizon = (
        (as_of_ts + pd.Timedelta(days=1)).to_datetime64().astype("datetime64[us]")
        if as_of_ts is not None
        else np.datetime64("NaT")
    )
    known = ~np.isnat(start)

    def _match() -> tuple[np.ndarray, np.ndarray]:
        """Date and row of each episode's first meeting (NaT / -1: none)."""
        m_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        m_pick = np.full(n, -1, dtype="int64")
        if meetings is None or len(meetings) == 0:
            return m_date, m_pick
        mt = meetings
        if "start" in mt.columns:
            mstart = pd.to_datetime(mt["start"]).fillna(pd.to_datetime(mt["date"]))
        else:
            mstart = pd.to_datetime(mt["date"])
        mstart = mstart.to_numpy(dtype="datetime64[us]")
        p_m, p_k, _ = _concern_codes(
            mt,
            rel_rows,
            rel_codes,
            len(kdict),
            e_key,
            e_task,
            substrings=substrings,
            texts=texts,
        )
        if departments is not None:
            depts = list(departments)
        else:
            pool = [pd.Series(pd.array(e_dept, dtype="str"))]
            if tasks is not None:
                pool.append(tasks["department"].astype("str"))
            depts = list(pd.unique(pd.concat(pool, ignore_index=True).dropna()))
        if meeting_depts is not None and departments is not None:
            d_rows, d_codes, d_names = meeting_depts
        else:
            d_rows, d_codes, d_names = _meeting_dept_codes(mt, depts)
        if len(p_m) and len(d_rows):
            # department of each episode as a code among the meeting departments (-1: none)
            e_d = np.append(_lookup(dvals, pa.array(d_names, type=pa.large_string())), -1)
            e_d = e_d[dcodes]
            nd = max(len(d_names), 1)
            dept_key = d_rows * nd + d_codes
            # candidate (episode, meeting) pairs: episodes × the meetings about their task
            ps = np.argsort(p_k, kind="stable")
            pm_s = p_m[ps]
            # each episode's slice of the pairs sorted by key: a dense table per key code
            per_key = np.bincount(p_k, minlength=len(kdict))
            first = np.cumsum(per_key) - per_key
            lo, cnt = first[e_key], per_key[e_key]
            ce = np.repeat(np.arange(n, dtype="int64"), cnt)
            if len(ce):
                offs = np.arange(len(ce)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                cm = pm_s[np.repeat(lo, cnt) + offs]
                mt_start = mstart[cm]
                keep = ~np.isnat(mt_start)
                if as_of_ts is not None:
                    keep &= mt_start < horizon
                keep &= ~known[ce] | (mt_start >= start[ce])
                keep &= e_d[ce] >= 0
                keep[keep] = _member(cm[keep] * nd + e_d[ce[keep]], dept_key)
                ce, cm, mt_start = ce[keep], cm[keep], mt_start[keep]
                if len(ce):
                    by = np.lexsort((mt_start.view("int64"), ce))
                    ce, cm = ce[by], cm[by]
                    firsts = np.r_[True, ce[1:] != ce[:-1]]
                    m_date[ce[firsts]] = mstart[cm[firsts]]
                    m_pick[ce[firsts]] = cm[firsts]
        return m_date, m_pick

    def _static() -> tuple[np.ndarray | None, dict]:
        """The order by start (unknown starts last, stable) and the columns that do not
        depend on the meetings, in that order."""
        if known.all():
            order = _stable_order(start.view("int64"))
        else:
            kn = np.flatnonzero(known)
            o = _stable_order(start[kn].view("int64"))
            order = np.concatenate([kn if o is None else kn[o], np.flatnonzero(~known)])

        def _o(a):
            return a if order is None else a[order]

        def _os(arr, coded=None) -> pd.Series:
            # permuted through the codes when the column is coded already (the few distinct
            # texts are moved, not every row's); else taken in order
            if order is None:
                return _str_series(arr)
            if coded is None:
                return _str_series(_combined_text(arr).take(pa.array(order)))
            codes, values = coded
            return _str_series(_take_small(values, codes[order]))

        if e_task_id is None:
            fixed = ukeys.fixed if ukeys is not None and kdict is ukeys.uniq else None
            if fixed is not None:  # the log's sorted fixed-width ids: their bytes gathered
                task_id = _str_series(enc.from_fixed(fixed[_o(e_key)]))
            else:
                task_id = _str_series(_take_small(kdict, _o(e_key)))
        else:
            task_id = _str_series(e_task_id if order is None else e_task_id.take(pa.array(order)))
        sources = pa.array(["updates", "task_status"], pa.large_string())
        return order, {
            "task_id": task_id,
            "task": _os(e_task),
            "department": _os(e_dept, (dcodes, dvals)),
            "status": _str_series(_take_small(s_names, _o(e_scode))),
            "start": pd.Series(_o(start), dtype="datetime64[us]"),
            "start_source": _str_series(_take_small(sources, _o(source))),
        }

    # the meeting side and the columns that need no meeting: two threads when a core is idle
    (m_date, m_pick), (order, cols) = enc.parallel(_match, _static)

    def _o(a):
        return a if order is None else a[order]

    has_m = ~np.isnat(m_date)
    hrs = np.full(n, np.nan)
    both = has_m & known
    if both.any():
        if hours == "working":
            hrs[both] = working_hours(start[both], m_date[both], calendar=calendar)
        else:
            hrs[both] = (m_date[both] - start[both]).astype("int64") / _US_PER_HOUR
    if hours == "working" and as_of_ts is not None:
        elapsed = np.full(n, np.nan)
        elapsed[known] = working_hours(
            start[known], np.full(int(known.sum()), horizon), calendar=calendar
        )
    elif as_of_ts is not None:
        elapsed = np.where(known, (horizon - start).astype("int64") / _US_PER_HOUR, np.nan)
    else:
        elapsed = np.full(n, np.inf)
    pending = known & ~has_m & (elapsed <= threshold_hours)
    never = known & ~has_m & ~pending
    within = np.where(both, hrs <= threshold_hours, False)
    within_na = ~known | pending

    if meetings is not None and len(meetings) and "topic" in meetings.columns:
        topic = _arrow_text(meetings["topic"])
        if isinstance(topic, pa.ChunkedArray):
            topic = topic.combine_chunks()
        mp = _o(m_pick)
        topic = _str_series(topic.take(pa.array(mp, mask=mp < 0)))
    else:
        topic = pd.Series([None] * n, dtype="str")
    return pd.DataFrame(
        {
            **cols,
            "meeting_date": pd.Series(_o(m_date), dtype="datetime64[us]"),
            "meeting_topic": topic,
            "hours_to_meeting": _o(hrs),
            "within_threshold": pd.arrays.BooleanArray(_o(within), _o(within_na)),
            "never": _o(never),
            "pending": _o(pending),
        },
        copy=False,  # every array is this call's own: wrapped, not copied
    )


def _take_small(values: pa.Array, codes: np.ndarray) -> pa.Array:
    """``values[codes]`` (-1: missing) as large strings; a gather of bytes when the values
    taken all have one byte width (ids, department names, statuses)."""
    codes = np.asarray(codes, dtype="int64")
    values = _combined_text(values)
    if len(codes) >= 1024 and len(values):
        lo, hi = int(codes.min()), int(codes.max())
        if lo >= 0 and lo == hi and values[lo].is_valid:  # a single value: its bytes repeated
            raw = values[lo].as_py().encode()
            w, n = len(raw), len(codes)
            offsets = np.arange(0, (n + 1) * w, w, dtype="int64")
            return pa.Array.from_buffers(
                pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw * n)]
            )
        got = enc.take_fixed(values, codes) if lo >= 0 else None
        if got is not None:
            return got
    return values.take(pa.array(codes, mask=codes < 0))


def _keys(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


#: Up to this many groups, :func:`escalation_compliance` takes the hour statistics group by
#: group with partial sorts (O(n) each); beyond, through a pandas groupby.
_FEW_GROUPS = 64


def _hour_stats(h: np.ndarray, gc: np.ndarray, ng: int) -> tuple[np.ndarray, ...]:
    """Median, 85th percentile and maximum of ``h`` (NaN skipped) per group code ``0..ng-1``,
    computed exactly as pandas' groupby ``median`` / ``quantile(0.85)`` (linear) / ``max`` do,
    from the few order statistics they read (:func:`numpy.partition`, no full sort)."""
    out = np.full((3, ng), np.nan)
    ok = ~np.isnan(h)
    if not ok.all():
        h, gc = h[ok], gc[ok]
    order = None
    if ng > 1:
        order = np.argsort(gc.astype(np.int8), kind="stable")  # a radix sort: ng <= 64
        bounds = np.searchsorted(gc[order], np.arange(ng + 1))
    for g in range(ng):
        v = h if order is None else h[order[bounds[g] : bounds[g + 1]]]
        n = len(v)
        if n == 0:
            continue
        q = 0.85 * (n - 1)
        lo = int(q)
        frac = q % 1
        kth = {n // 2, (n - 1) // 2, lo, min(lo + 1, n - 1), n - 1}
        p = np.partition(v, sorted(kth))
        med = p[n // 2] if n % 2 else (p[n // 2] + p[n // 2 - 1]) / 2
        p85 = p[lo] if frac == 0.0 else p[lo] + (p[lo + 1] - p[lo]) * frac
        out[:, g] = (med, p85, p[n - 1])
    return out[0], out[1], out[2]


def escalation_compliance(episodes: pd.DataFrame, *, by="department") -> pd.DataFrame:
    """Compliance with the escalation rule per group (``by=None``: overall, one row).

    Returns
    -------
    DataFrame
        ``[*by, episodes, judged, within, late, never, pending, unknown_start, compliance,
        hours_median, hours_p85, hours_max]``: ``judged = within + late + never`` (pending and
        unknown-start episodes are not judged); ``compliance = within / judged``; the hour
        statistics are over episodes that got a meeting.

    Examples
    --------
    >>> import pandas as pd
    >>> ep = pd.DataFrame({"department": ["技术部", "技术部", "产品部"],
    ...     "hours_to_meeting": [50.0, 20.0, None],
    ...     "within_threshold": pd.array([False, True, False], dtype="boolean"),
    ...     "never": [False, False, True], "pending": [False, False, False],
    ...     "start": pd.to_datetime(["2024-07-01", "2024-07-02", "2024-07-03"])})
    >>> escalation_compliance(ep)[["department", "judged", "within", "compliance"]]
      department  judged  within  compliance
    0        技术部       2       1         0.5
    1        产品部       1       0         0.0
    """
    keys = _keys(by)
    cols = [*keys, *ESCALATION_COLUMNS]
    if len(episodes) == 0:
        out = {k: pd.Series([], dtype="str") for k in keys}
        for c in ESCALATION_COLUMNS:
            out[c] = pd.Series(
                [],
                dtype="float64"
                if c in ("compliance", "hours_median", "hours_p85", "hours_max")
                else "int64",
            )
        return pd.DataFrame(out)[cols]
    w = episodes["within_threshold"].astype("boolean")
    never = episodes["never"].to_numpy(dtype=bool)
    flags = {
        "within": w.fillna(False).to_numpy(dtype=bool),
        "late": (w.fillna(True) == False).to_numpy(dtype=bool) & ~never,  # noqa: E712
        "never": never,
        "pending": episodes["pending"].to_numpy(dtype=bool),
        "unknown_start": episodes["start"].isna().to_numpy(),
    }
    # one integer code per group, numbered in order of first appearance (missing keys too)
    col = episodes[keys[0]] if len(keys) == 1 else None
    if col is not None and col.dtype == "str" and not col.hasnans:
        gc = enc.dictionary_codes(_arrow_text(col))[0]  # no missing key: same codes, no hashing
    elif len(keys) == 1:
        gc = pd.factorize(episodes[keys[0]], use_na_sentinel=False)[0]
    elif keys:
        gc = (
            episodes[keys]
            .reset_index(drop=True)
            .groupby(keys, sort=False, dropna=False)
            .ngroup()
            .to_numpy()
        )
    else:
        gc = np.zeros(len(episodes), dtype="int64")
    gc = np.asarray(gc, dtype="int64")
    ng = int(gc.max()) + 1
    # every flag counted per group in one pass: a count per (group, combination of flags)
    combo = gc * (1 << len(flags))
    for j, flag in enumerate(flags.values()):
        combo |= flag.astype(np.int64) << j
    per = np.bincount(combo, minlength=ng << len(flags)).reshape(ng, 1 << len(flags))
    res = pd.DataFrame({"episodes": per.sum(axis=1).astype("int64")})
    has = (np.arange(1 << len(flags))[:, None] >> np.arange(len(flags))) & 1
    for j, name in enumerate(flags):
        res[name] = per[:, has[:, j] == 1].sum(axis=1).astype("int64")
    h = episodes["hours_to_meeting"].to_numpy(dtype="float64")
    if ng <= _FEW_GROUPS:
        res["hours_median"], res["hours_p85"], res["hours_max"] = _hour_stats(h, gc, ng)
    else:
        g = pd.Series(h).groupby(gc)
        res["hours_median"] = g.median().to_numpy()
        res["hours_p85"] = g.quantile(0.85).to_numpy()
        res["hours_max"] = g.max().to_numpy()
    res["judged"] = res["within"] + res["late"] + res["never"]
    with np.errstate(invalid="ignore", divide="ignore"):
        res["compliance"] = np.where(
            res["judged"] > 0, res["within"] / res["judged"].where(res["judged"] > 0, 1), np.nan
        )
    first = np.full(ng, -1, dtype="int64")  # first row of each group (codes are in order)
    first[gc[::-1]] = np.arange(len(gc) - 1, -1, -1)
    for k in keys:
        res[k] = episodes[k].iloc[first].astype("str").to_numpy()
        res[k] = res[k].astype("str")
    return res[cols].reset_index(drop=True)


def escalation_distribution(
    episodes: pd.DataFrame,
    *,
    by=None,
    bins: Sequence[float] = (24, 48, 72, 168),
) -> pd.DataFrame:
    """Distribution of the time to the first meeting, in hour buckets plus ``never``.

    Buckets are ``(lower, upper]`` hours: with the default bins ``0–24``, ``24–48``, ``48–72``,
    ``72–168`` and ``>168``; episodes that never got a meeting form the bucket ``never``
    (``lower_hours = upper_hours = inf``). Pending and unknown-start episodes are left out.

    Returns
    -------
    DataFrame
        ``[*by, bucket, lower_hours, upper_hours, episodes, share]``; every bucket appears in
        every group (zero counts included); ``share`` is within the group.

    >>> import pandas as pd
    >>> ep = pd.DataFrame({"hours_to_meeting": [3.0, 50.0, None], "never": [False, False, True],
    ...                    "pending": [False] * 3, "start": pd.to_datetime(["2024-07-01"] * 3)})
    >>> escalation_distribution(ep)[["bucket", "episodes"]].T.values.tolist()
    [['0–24', '24–48', '48–72', '72–168', '>168', 'never'], [1, 0, 1, 0, 0, 1]]
    """
    keys = _keys(by)
    edges = [0.0, *[float(b) for b in bins], np.inf]
    labels = [f"{edges[i]:g}–{edges[i + 1]:g}" for i in range(len(edges) - 2)]
    labels.append(f">{edges[-2]:g}")
    labels.append("never")
    lower = np.array([*edges[:-1], np.inf])
    upper = np.array([*edges[1:], np.inf])
    cols = [*keys, *DISTRIBUTION_COLUMNS]
    use = episodes
    if len(use):
        use = use[~use["pending"].to_numpy(dtype=bool) & use["start"].notna().to_numpy()]
    if len(use) == 0:
        out = {k: pd.Series([], dtype="str") for k in keys}
        out.update(
            {
                "bucket": pd.Series([], dtype="str"),
                "lower_hours": pd.Series([], dtype="float64"),
                "upper_hours": pd.Series([], dtype="float64"),
                "episodes": pd.Series([], dtype="int64"),
                "share": pd.Series([], dtype="float64"),
            }
        )
        return pd.DataFrame(out)[cols]
    h = use["hours_to_meeting"].to_numpy(dtype="float64")
    b = np.searchsorted(np.asarray(edges[1:-1]), h, side="left")  # (lower, upper]
    b = np.where(np.isnan(h), len(labels) - 1, b)
    frame = pd.DataFrame({"_b": b})
    for k in keys:
        frame[k] = use[k].to_numpy()
    if keys:
        counts = frame.groupby([*keys, "_b"], sort=False, dropna=False).size()
        groups = frame[keys].drop_duplicates()
    else:
        counts = pd.Series(np.bincount(b, minlength=len(labels)))
        groups = pd.DataFrame(index=[0])
    grid = groups.merge(pd.DataFrame({"_b": np.arange(len(labels))}), how="cross")
    if keys:
        grid["episodes"] = counts.reindex(
            pd.MultiIndex.from_frame(grid[[*keys, "_b"]]), fill_value=0
        ).to_numpy()
        tot = grid.groupby(keys, sort=False, dropna=False)["episodes"].transform("sum")
    else:
        grid["episodes"] = counts.reindex(grid["_b"], fill_value=0).to_numpy()
        tot = grid["episodes"].sum()
    grid["share"] = grid["episodes"] / tot
    grid["bucket"] = np.asarray(labels, dtype=object)[grid["_b"]]
    grid["lower_hours"] = lower[grid["_b"]]
    grid["upper_hours"] = upper[grid["_b"]]
    grid["episodes"] = grid["episodes"].astype("int64")
    grid["bucket"] = grid["bucket"].astype("str")
    for k in keys:
        grid[k] = grid[k].astype("str")
    return grid[cols].reset_index(drop=True)
