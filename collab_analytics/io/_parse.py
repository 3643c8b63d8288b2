"""Vectorised cell parsers: dates, times, percentages, statuses, lists and text.

Every parser takes a :class:`pandas.Series` of raw cells (strings from CSV, mixed Python
objects from Excel, or already-typed columns) and returns the parsed values plus boolean masks
of the cells that failed, so the caller can report them with their row. Parsers never raise on
bad cells and never loop over rows in Python (the few slow formats are only tried on the cells
the fast path could not parse).

Rules (documented in ``docs/data-model.md``):

* **Dates** — datetime cells, ISO strings (``2024-07-01``, ``2024-07-01 17:00``), ``2024/7/1``,
  ``2024.7.1``, ``2024年7月1日``, year-less ``7月15日`` / ``7.15`` / ``7/15`` (year filled in later
  from context), Excel serial numbers (20000–80000) and ``20240701``. Time zones are dropped,
  never converted.
* **Percentages** — ``"80%"`` is 0.8; a bare number ``v`` is a fraction when ``|v| ≤ 1`` and a
  percent when ``|v| > 1`` (``0.8`` and ``80`` are both 0.8; ``1`` is 100 %).

Examples
--------
>>> import pandas as pd
>>> from collab_analytics.io._parse import parse_dates, parse_pct
>>> r = parse_dates(pd.Series(["2024-07-01", "2024年7月2日", "7月15日", "待定", None]))
>>> r.parsed.dt.strftime("%m-%d").tolist()
['07-01', '07-02', nan, nan, nan]
>>> r.bad.tolist(), r.yearless.tolist()
([False, False, False, True, False], [False, False, True, False, False])
>>> r.fill_year(2024).dt.strftime("%Y-%m-%d").tolist()[2]
'2024-07-15'
>>> parse_pct(pd.Series(["80%", 0.8, 80, "x"])).parsed.tolist()
[0.8, 0.8, 0.8, nan]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab_analytics._lists import flatten, from_flat, from_mask, is_list_column, rows_of
from collab_analytics.schema import DATE_DTYPE, STATUS_CODES, STATUS_DTYPE, status_code

__all__ = [
    "DateParse",
    "ParseResult",
    "parse_dates",
    "parse_list",
    "parse_pct",
    "parse_status",
    "parse_time",
    "to_text",
]

_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_US_PER_DAY = 86_400_000_000
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954-10-03 … 2119-01-10

_DATE_RE = (
    r"^(?:(?P<y>\d{4})\s*[年/.\-]\s*)?(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})\s*[:：点时]\s*(?P<M>\d{1,2})?\s*分?"
    r"(?:\s*[:：]\s*(?P<S>\d{1,2})\s*秒?)?)?$"
)
_NUMERIC_RE = r"^[+-]?\d+(?:\.\d+)?$"
_TZ_RE = r"(?:Z|[+-]\d{2}:?\d{2})$"
_LIST_SPLIT = r"\s*[,、;，；\n]\s*"
_LIST_SPLIT_ANY = r"[,、;，；\n]"
_LIST_SEPARATORS = ",、;，；\n"  # the characters of ``_LIST_SPLIT_ANY``
_TIME_RE = r"^(?P<H>\d{1,2})\s*[:：点时]\s*(?P<M>\d{1,2})?\s*分?(?:\s*[:：]\s*\d{1,2})?$"


@dataclass(frozen=True)
class ParseResult:
    """Parsed values of one column and the mask of cells that could not be parsed."""

    parsed: pd.Series
    bad: pd.Series


@dataclass(frozen=True)
class DateParse:
    """Result of :func:`parse_dates`.

    ``parsed`` holds every fully dated cell; ``yearless`` marks cells like ``7月15日`` whose
    year must come from context (``parts`` keeps their month/day/time); ``bad`` marks cells
    that are not dates at all.
    """

    parsed: pd.Series
    bad: pd.Series
    yearless: pd.Series
    parts: pd.DataFrame

    def years(self) -> pd.Series:
        """Years of the fully dated cells (for year inference)."""
        return self.parsed.dt.year.dropna()

    def fill_year(self, year: int | None) -> pd.Series:
        """Values with the year-less cells completed with ``year`` (left NaT when ``None``)."""
        if year is None or not self.yearless.any():
            return self.parsed
        p = self.parts
        built = _build_dates(pd.Series(year, index=p.index, dtype="float64"), p)
        out = self.parsed.copy()
        out.loc[built.index] = built
        return out


# ------------------------------------------------------------------------------- helpers


def _is_blank(s: pd.Series) -> pd.Series:
    """Null or whitespace-only cells."""
    blank = s.isna()
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        # object columns may hold only numbers (is_string_dtype says True for object)
        st = _obj_strip(s) if s.dtype == object else s.str.strip()
        blank = blank | st.eq("").fillna(False).astype(bool)
    return blank


def _obj_strip(s: pd.Series) -> pd.Series:
    """``str.strip`` for an object column that may mix strings and other values."""
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in ("string", "mixed", "mixed-integer", "mixed-integer-float"):
        return s.str.strip()
    return pd.Series(np.nan, index=s.index, dtype=object)


def _split_object(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Split a column into masks: datetime-like, numeric, string, other (non-null only)."""
    if s.dtype != object:
        idx = s.index
        false = pd.Series(False, index=idx)
        notna = s.notna()
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return notna, false, false, false
        if pd.api.types.is_bool_dtype(s.dtype):
            return false, false, false, notna
        if pd.api.types.is_numeric_dtype(s.dtype):
            return false, notna, false, false
        return false, false, notna, false
    types = s.map(type)
    is_dt = types.isin([dt.datetime, dt.date, pd.Timestamp, np.datetime64])
    is_num = types.isin([float, int, np.float64, np.int64])
    is_str = types.eq(str)
    other = ~(is_dt | is_num | is_str) & s.notna()
    return is_dt, is_num & s.notna(), is_str, other


def _build_dates(year: pd.Series, p: pd.DataFrame) -> pd.Series:
    """Assemble datetimes from numeric parts; invalid combinations (2024-02-30) become NaT."""
    frame = pd.DataFrame(
        {
            "year": year.astype("float64"),
            "month": p["m"].astype("float64"),
            "day": p["d"].astype("float64"),
            "hour": p["H"].astype("float64").fillna(0),
            "minute": p["M"].astype("float64").fillna(0),
            "second": p["S"].astype("float64").fillna(0),
        },
        index=p.index,
    )
    if frame.empty:
        return pd.Series([], index=p.index, dtype=DATE_DTYPE)
    ok = (
        frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
        & frame["hour"].between(0, 23)
        & frame["minute"].between(0, 59)
        & frame["second"].between(0, 59)
        & frame["year"].between(1900, 2200)
    )
    out = pd.Series(pd.NaT, index=p.index, dtype=DATE_DTYPE)
    if ok.any():
        built = pd.to_datetime(frame[ok], errors="coerce")
        out.loc[ok] = built.astype(DATE_DTYPE)
    return out


def _parse_iso(text: pd.Series) -> pd.Series:
    """ISO-8601 strings → datetime64[us]; time zones are dropped (wall clock kept)."""
    try:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # mixed time zones
        stripped = text.str.replace(_TZ_RE, "", regex=True)
        parsed = pd.to_datetime(stripped, format="ISO8601", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype(DATE_DTYPE)


def _numeric_dates(num: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers → dates: Excel serials and yyyymmdd. Returns (values, handled mask)."""
    v = num.astype("float64")
    out = pd.Series(pd.NaT, index=num.index, dtype=DATE_DTYPE)
    serial = v.between(_SERIAL_MIN, _SERIAL_MAX)
    if serial.any():
        us = np.round(v[serial].to_numpy() * _US_PER_DAY).astype("int64")
        out.loc[serial] = pd.Series(
            _EXCEL_EPOCH + us.astype("timedelta64[us]"), index=v.index[serial]
        )
    ymd = v.between(19_000_101, 22_001_231) & (v % 1 == 0)
    if ymd.any():
        iv = v[ymd].astype("int64")
        parts = pd.DataFrame(
            {"m": (iv // 100) % 100, "d": iv % 100, "H": np.nan, "M": np.nan, "S": np.nan}
        )
        out.loc[ymd] = _build_dates(iv // 10_000, parts)
    return out, serial | ymd


# ------------------------------------------------------------------------------- public


def parse_dates(s: pd.Series) -> DateParse:
    """Parse a column of date cells (see the module docstring for the accepted forms).

    Parameters
    ----------
    s : Series
        Raw cells.

    Returns
    -------
    DateParse
        ``parsed`` (datetime64[us], NaT where missing, bad or year-less), ``bad`` mask,
        ``yearless`` mask and the year-less cells' ``parts`` (month, day, time).

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_dates(pd.Series([45474, "2024/7/1 17:00", "7.15"], dtype=object))
    >>> r.parsed.astype(str).tolist()
    ['2024-07-01 00:00:00', '2024-07-01 17:00:00', nan]
    >>> r.yearless.tolist()
    [False, False, True]
    """
    idx = s.index
    empty_parts = pd.DataFrame({k: pd.Series([], dtype="float64") for k in "mdHMS"})
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        v = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        false = pd.Series(False, index=idx)
        return DateParse(v.astype(DATE_DTYPE), false, false, empty_parts)

    out = pd.Series(pd.NaT, index=idx, dtype=DATE_DTYPE)
    is_dt, is_num, is_str, other = _split_object(s)
    bad = other.copy()
    if is_dt.any():
        conv = pd.to_datetime(s[is_dt], errors="coerce", format="mixed")
        if getattr(conv.dt, "tz", None) is not None:
            conv = conv.dt.tz_localize(None)
        out.loc[is_dt] = conv.astype(DATE_DTYPE)

    text_parts: list[pd.Series] = []
    if is_num.any():
        num = pd.to_numeric(s[is_num], errors="coerce")
        vals, handled = _numeric_dates(num)
        out.loc[vals.index[handled]] = vals[handled]
        rest = num[~handled]
        if len(rest):  # 7.15 typed as a number → month.day via its text form
            text_parts.append(rest.map(repr))
    if is_str.any():
        text = s[is_str].astype("str").str.strip()
        text = text[text != ""]
        if len(text):
            numeric = text.str.fullmatch(_NUMERIC_RE).fillna(False).astype(bool)
            if numeric.any():
                num = pd.to_numeric(text[numeric], errors="coerce")
                vals, handled = _numeric_dates(num)
                out.loc[vals.index[handled]] = vals[handled]
                text_parts.append(text[numeric][~handled.to_numpy()])
            rest = text[~numeric]
            if len(rest):
                iso = _parse_iso(rest)
                ok = iso.notna()
                out.loc[rest.index[ok]] = iso[ok]
                text_parts.append(rest[~ok])

    yearless = pd.Series(False, index=idx)
    parts = empty_parts
    texts = [t for t in text_parts if len(t)]
    if texts:
        text = pd.concat(texts).astype("str")
        m = text.str.extract(_DATE_RE)
        matched = m["m"].notna()
        bad.loc[text.index[~matched.to_numpy()]] = True
        m = m[matched].astype("float64")
        has_year = m["y"].notna()
        full = m[has_year]
        if len(full):
            built = _build_dates(full["y"], full)
            out.loc[built.index] = built
            bad.loc[built.index[built.isna().to_numpy()]] = True
        noyear = m[~has_year]
        if len(noyear):
            check = _build_dates(pd.Series(2024.0, index=noyear.index), noyear)  # leap year
            okmd = check.notna()
            bad.loc[noyear.index[~okmd.to_numpy()]] = True
            yearless.loc[noyear.index[okmd.to_numpy()]] = True
            parts = noyear[okmd.to_numpy()][["m", "d", "H", "M", "S"]]
    return DateParse(out, bad.astype(bool), yearless, parts)


def parse_time(s: pd.Series) -> ParseResult:
    """Parse time-of-day cells to ``"HH:MM"`` strings (``17:00``, ``17点``, Excel fractions).

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> cells = ["17:00", "9:5", dt.time(14, 30), 0.5, "下午", None]
    >>> r = parse_time(pd.Series(cells, dtype=object))
    >>> r.parsed.tolist(), r.bad.tolist()
    (['17:00', '09:05', '14:30', '12:00', nan, nan], [False, False, False, False, True, False])
    """
    idx = s.index
    hours = pd.Series(np.nan, index=idx)
    minutes = pd.Series(np.nan, index=idx)
    bad = pd.Series(False, index=idx)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        hours, minutes = s.dt.hour.astype("float64"), s.dt.minute.astype("float64")
    else:
        if s.dtype == object:
            types = s.map(type)
            is_t = types.isin([dt.time, dt.datetime, pd.Timestamp])
            if is_t.any():
                hours.loc[is_t] = s[is_t].map(lambda t: t.hour).astype("float64")
                minutes.loc[is_t] = s[is_t].map(lambda t: t.minute).astype("float64")
            rest = s[~is_t & s.notna()]
        else:
            rest = s[s.notna()]
        num = pd.to_numeric(rest, errors="coerce") if len(rest) else rest
        is_frac = num.notna() & num.between(0, 1, inclusive="left")
        if is_frac.any():
            mins = np.round(num[is_frac].astype("float64") * 24 * 60)
            hours.loc[mins.index] = mins // 60
            minutes.loc[mins.index] = mins % 60
        text = rest[~is_frac].astype("str").str.strip()
        text = text[text != ""]
        if len(text):
            m = text.str.extract(_TIME_RE).astype("float64")
            ok = m["H"].between(0, 23) & m["M"].fillna(0).between(0, 59)
            hours.loc[m.index[ok]] = m.loc[ok, "H"]
            minutes.loc[m.index[ok]] = m.loc[ok, "M"].fillna(0)
            bad.loc[m.index[~ok]] = True
    has = hours.notna()
    values = pd.Series(np.nan, index=idx, dtype="str")
    if has.any():
        h = hours[has].astype("int64").astype("str").str.zfill(2)
        mm = minutes[has].astype("int64").astype("str").str.zfill(2)
        values.loc[has] = h + ":" + mm
    return ParseResult(values, bad)


def parse_pct(s: pd.Series) -> ParseResult:
    """Parse percentages to fractions: ``"80%"`` → 0.8; numbers ``|v| > 1`` are percents.

    Text around an explicit percent is allowed (``"完成80%"`` → 0.8).

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_pct(pd.Series(["完成80%", "120%", -5, 1, "几乎完成"], dtype=object))
    >>> r.parsed.tolist(), r.bad.tolist()
    ([0.8, 1.2, -0.05, 1.0, nan], [False, False, False, False, True])
    """
    idx = s.index
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        np.divide(v, 100, out=v, where=(v > 1) | (v < -1))  # in place; NaN stays NaN
        return ParseResult(
            pd.Series(v, index=idx, name=s.name, copy=False), pd.Series(False, index=idx)
        )
    out = pd.Series(np.nan, index=idx, dtype="float64")
    bad = pd.Series(False, index=idx)
    _, is_num, is_str, other = _split_object(s)
    bad.loc[other] = True
    if is_num.any():
        v = pd.to_numeric(s[is_num], errors="coerce").astype("float64")
        out.loc[v.index] = v.where(v.abs() <= 1, v / 100)
    if is_str.any():
        text = s[is_str].astype("str").str.strip()
        text = text[text != ""]
        pct = text.str.extract(r"(-?\d+(?:\.\d+)?)\s*[%％]", expand=False).astype("float64")
        out.loc[pct.index[pct.notna()]] = pct[pct.notna()] / 100
        rest = text[pct.isna()]
        v = pd.to_numeric(
            rest.where(rest.str.fullmatch(_NUMERIC_RE).fillna(False).astype(bool)), errors="coerce"
        ).astype("float64")
        out.loc[v.index] = v.where(v.abs() <= 1, v / 100)
        bad.loc[v.index[v.isna().to_numpy()]] = True
    return ParseResult(out, bad)


def parse_status(s: pd.Series, mapping: dict[str, str] | None = None) -> ParseResult:
    """Map status words to codes (categorical); unknown words are flagged and left missing.

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_status(pd.Series(["正常", "Resolved", "滞后", "??", None]), {"Resolved": "done"})
    >>> r.parsed.tolist(), r.bad.tolist()
    (['on_track', 'done', 'delayed', nan, nan], [False, False, False, True, False])
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        if set(s.cat.categories) <= set(STATUS_CODES):
            return ParseResult(s.astype(STATUS_DTYPE), pd.Series(False, index=s.index))
        if pd.api.types.is_string_dtype(s.cat.categories.dtype):
            # words as categories (a Parquet dictionary column): mapped once per word
            words = s.cat.categories.to_numpy(dtype=object, na_value=None)
            return _status_of_words(words, s.cat.codes.to_numpy(), mapping, s.index)
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return _status_arrow(s, mapping)
    cats = STATUS_DTYPE.categories
    blank = _is_blank(s)
    codes, uniques = pd.factorize(s.where(~blank), use_na_sentinel=True)
    mapped = [status_code(u, mapping) for u in uniques]
    # category code per distinct word (-1: unknown word), then per cell: no per-cell objects
    cat_of = np.array([-1 if m is None else cats.get_loc(m) for m in mapped], dtype="int64")
    codes = np.asarray(codes)
    has = codes >= 0
    cell = np.where(has, cat_of[np.maximum(codes, 0)] if len(cat_of) else -1, -1)
    bad = has & (cell < 0)
    values = pd.Series(pd.Categorical.from_codes(cell, dtype=STATUS_DTYPE), index=s.index)
    return ParseResult(values, pd.Series(bad, index=s.index))


def _status_arrow(s: pd.Series, mapping: dict[str, str] | None) -> ParseResult:
    """:func:`parse_status` for a ``str`` column: the raw cells are dictionary-encoded once
    and only the distinct words are stripped and looked up (blank words count as missing)."""
    import pyarrow.compute as pc

    from collab_analytics.io._arrow import as_arrow, dictionary_of

    a = as_arrow(s)
    known = dictionary_of(a)  # read from a dictionary: its words are the distinct texts
    words, idx = known if known is not None else _encoded(pc.dictionary_encode(a))
    idx = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False)
    return _status_of_words(words.to_pylist(), idx, mapping, s.index)


def _status_of_words(
    words: list, idx: np.ndarray, mapping: dict[str, str] | None, index: pd.Index
) -> ParseResult:
    """:func:`parse_status` of cells given as distinct ``words`` and each cell's word
    (``idx``, ``-1``: null): each word is stripped and looked up once (a blank word counts
    as missing, not as unknown)."""
    cats = STATUS_DTYPE.categories
    # per distinct word: category code, -1 unknown, -2 blank (missing, not bad)
    cat_of = np.array(
        [
            -2
            if w is None or not str(w).strip()
            else (-1 if (m := status_code(w, mapping)) is None else cats.get_loc(m))
            for w in words
        ],
        dtype="int64",
    )
    cat_of = np.append(cat_of, -2)  # null cells (index -1)
    cell = cat_of[idx]
    bad = cell == -1
    cell[cell < 0] = -1
    values = pd.Series(pd.Categorical.from_codes(cell, dtype=STATUS_DTYPE), index=index)
    return ParseResult(values, pd.Series(bad, index=index))


def _encoded(d) -> tuple[object, object]:
    return d.dictionary, d.indices


@dataclass(frozen=True)
class ListParse:
    """Result of :func:`parse_list`: the lists plus the flat (row position, token) pairs."""

    parsed: pd.Series
    pos: np.ndarray
    tokens: object  # pyarrow string array, aligned with ``pos``


def parse_list(s: pd.Series, *, trimmed: bool = False) -> ListParse:
    """Split list cells on ``, 、 ; ， ；`` (and line breaks) into an Arrow list column
    (:data:`~collab_analytics._lists.LIST_DTYPE`; ``[]`` if blank).

    ``trimmed``: the caller knows every cell is trimmed and none is blank (a ``str``
    column as a reader checked it), so single-item cells are not trimmed again.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_list(pd.Series(["T1, T2", "需求评审、开发；测试", None, "T3"])).parsed.tolist()
    [['T1', 'T2'], ['需求评审', '开发', '测试'], [], ['T3']]
    """
    import pyarrow.compute as pc

    if is_list_column(s):  # already lists (a Parquet list column): items trimmed, blanks dropped
        lengths, flat = flatten(s)
        flat = pc.utf8_trim_whitespace(flat)
        keep = pc.fill_null(pc.not_equal(flat, ""), False)
        pos = rows_of(lengths)[keep.to_numpy(zero_copy_only=False).astype(bool)]
        flat = flat.filter(keep)
        return ListParse(from_flat(len(s), pos, flat, index=s.index), pos, flat)
    from collab_analytics.io._arrow import as_arrow, contains_any, strip_blank, valid_values

    # text columns go to Arrow as they are: tokens are trimmed and blank ones dropped below
    text = s if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object else to_text(s)
    arr = as_arrow(text.astype("str"))
    if not contains_any(arr, _LIST_SEPARATORS):  # one item per cell: no split
        flat = arr if trimmed and text is s else strip_blank(arr)
        keep = flat.is_valid().to_numpy(zero_copy_only=False)
        pos = np.flatnonzero(keep)
        flat = valid_values(flat, keep, pos)
        return ListParse(from_mask(keep, flat, index=s.index), pos, flat)
    sp = pc.split_pattern_regex(arr, _LIST_SPLIT_ANY)
    parents = pc.list_parent_indices(sp).to_numpy(zero_copy_only=False).astype("int64")
    flat = pc.utf8_trim_whitespace(pc.list_flatten(sp))
    keep = pc.not_equal(flat, "")
    pos = parents[keep.to_numpy(zero_copy_only=False).astype(bool)]
    flat = flat.filter(keep)
    return ListParse(from_flat(len(text), pos, flat, index=s.index), pos, flat)


def _strip_arrow(s: pd.Series) -> pd.Series:
    """``str`` column stripped, blanks missing, in Arrow. When no cell changes, the result
    wraps the column's own (single-chunk) Arrow array: no second copy of the texts."""
    from collab_analytics.io._arrow import as_arrow, strip_blank

    t = strip_blank(as_arrow(s))
    return pd.Series(pd.array(t, dtype=s.dtype), index=s.index, name=s.name)


def to_text(s: pd.Series) -> pd.Series:
    """Cells → ``str`` dtype: stripped, blanks missing, integral numbers without ``.0``.

    Examples
    --------
    >>> import pandas as pd
    >>> to_text(pd.Series([" a ", 1.0, 2.5, "", None], dtype=object)).tolist()
    ['a', '1', '2.5', nan, nan]
    """
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return _strip_arrow(s)
    if pd.api.types.is_float_dtype(s.dtype):
        integral = s.notna() & (s % 1 == 0)
        out = s.astype("str")
        out = out.where(~integral, s.where(integral).astype("Int64").astype("str"))
        return out.where(s.notna())
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s.dt.strftime("%Y-%m-%d")
        return t.astype("str")
    if s.dtype != object:
        return s.astype("str").where(s.notna())
    types = s.map(type)
    is_float = types.isin([float, np.float64])
    obj = s.copy()
    if is_float.any():
        f = s[is_float].astype("float64")
        integral = f % 1 == 0
        obj.loc[f.index[integral]] = f[integral].astype("int64").astype("str").astype(object)
    is_dt = types.isin([dt.datetime, pd.Timestamp])
    if is_dt.any():
        obj.loc[is_dt] = s[is_dt].map(
            lambda x: (
                x.strftime("%Y-%m-%d")
                if (x.hour, x.minute, x.second) == (0, 0, 0)
                else x.strftime("%Y-%m-%d %H:%M")
            )
        )
    t = obj.astype("str").str.strip()
    return t.where(s.notna() & (t != ""))


def normalise_key(s: pd.Series) -> pd.Series:
    """Comparison key for names (NFKC, no spaces, lower case) — used to match tasks and items."""
    t = to_text(s)
    return t.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.lower()
