"""Text helpers of :mod:`~collab_analytics.metrics.cadence`: normalised names, the
topic → plan item similarity (substrings and character bigrams, on integer codes) and the
departments named (or implied) in free text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

_PUNCT = r"[\s!-/:-@\[-`{-~\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
_ALL_DEPTS_RE = (
    r"各部门|各个部门|所有部门|全部部门|全体部门|各方|全员|[0-9一二三四五六七八九十两]+个?部门|"
    r"all\s+(?:the\s+)?(?:departments?|depts?|teams?|parties)|each\s+(?:department|team)|"
    r"every\s+(?:department|team)|\b(?:two|three|four|five|six|\d+)\s+departments"
)
_SPONSOR_RE = r"项目发起方|发起方|发起部门|sponsor"


# ---------------------------------------------------------------------------- text helpers


def _per_distinct(s: pd.Series, func) -> pd.Series | pd.DataFrame:
    """``func(s)`` computed once per distinct value (log columns repeat a few values)."""
    codes, uniq = pd.factorize(s)
    if len(uniq) * 2 > len(s):
        return func(s)
    res = func(pd.Series(uniq, dtype=s.dtype))
    take = np.where(codes >= 0, codes, len(uniq))
    res = pd.concat([res, func(pd.Series([None], dtype=s.dtype))], ignore_index=True)
    out = res.iloc[take]
    out.index = s.index
    return out


def _distinct(s: pd.Series, func) -> np.ndarray:
    """``func`` (text Series → numpy array) of every row, computed once per distinct value;
    a missing value gets ``func`` of a missing value."""
    codes, uniq = pd.factorize(s.astype("str"))
    vals = np.asarray(func(pd.Series([*uniq, None], dtype="str")))
    return vals[np.where(codes >= 0, codes, len(uniq))]


def _norm_text(s: pd.Series) -> pd.Series:
    """NFKC, lower case, no whitespace or punctuation; missing → ``""``."""

    def _norm(x: pd.Series) -> pd.Series:
        x = x.fillna("")
        return x.str.normalize("NFKC").str.lower().str.replace(_PUNCT, "", regex=True)

    return _per_distinct(s.astype("str"), _norm)


def _norm_one(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(_PUNCT, "", s)


def _bigram_pairs(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique (text position, bigram code) pairs for an array of normalised strings."""
    if len(texts) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="uint64")
    arr = np.asarray(texts, dtype="U")
    width = arr.dtype.itemsize // 4
    if width < 2:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="uint64")
    codes = arr.view(np.uint32).reshape(len(arr), width).astype("uint64")
    a, b = codes[:, :-1], codes[:, 1:]
    valid = (a > 0) & (b > 0)
    big = (a << np.uint64(21)) | b
    rows = np.broadcast_to(np.arange(len(arr))[:, None], big.shape)[valid]
    grams = big[valid]
    key = np.unique(np.stack([rows.astype("uint64"), grams], axis=1), axis=0)
    return key[:, 0].astype("int64"), key[:, 1]


#: Bigrams held by the most plan items are counted through one 64-bit mask per text (their
#: share of an intersection is a popcount); the others through their (topic, item) postings.
_MASK_BITS = 128
#: A bigram held by at most this many items is always counted through its postings.
_POSTING_DF = 16
#: Topics × item-groups cells scored at once.
_BLOCK_CELLS = 1 << 21


def _code_matrix(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Texts as a (n × width) matrix of code points (0-padded) and their lengths."""
    arr = np.asarray(texts, dtype="U")
    width = max(arr.dtype.itemsize // 4, 1)
    mat = arr.view(np.uint32).reshape(len(arr), width) if len(arr) else np.zeros((0, width))
    mat = np.asarray(mat, dtype=np.uint32)
    return mat, (mat > 0).sum(axis=1) if mat.size else np.zeros(len(arr), dtype="int64")


def _prefix_hash(mat: np.ndarray) -> np.ndarray:
    """Polynomial prefix hashes (mod 2**64) of each row: column ``c`` hashes the first ``c``
    code points."""
    n, w = mat.shape
    pref = np.zeros((n, w + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(w):
            pref[:, c + 1] = pref[:, c] * _HASH_BASE + mat[:, c].astype(np.uint64) + np.uint64(1)
    return pref


_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


def _substring_hits(topics: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (topic, item) pair where the (non-empty) item is a substring of the topic.

    Windows of each item length are hashed from prefix hashes and looked up among the items'
    hashes; every hit is then compared character by character (exact)."""
    none = (np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"))
    imat, ilen = _code_matrix(items)
    if len(topics) == 0 or not (ilen > 0).any():
        return none
    ipref = _prefix_hash(imat)
    ihash = ipref[np.arange(len(items)), ilen]
    cand_items = np.flatnonzero(ilen > 0)
    io = cand_items[np.lexsort((ihash[cand_items],))]
    sorted_hash = ihash[io]
    lengths = np.unique(ilen[cand_items])
    hits_t, hits_j = [], []
    tmat_all, tlen_all = _code_matrix(topics)
    width = tmat_all.shape[1]
    step = max(1, (1 << 21) // max(width, 1))
    for b in range(0, len(topics), step):
        tmat, tlen = tmat_all[b : b + step], tlen_all[b : b + step]
        tpref = _prefix_hash(tmat)
        for size in lengths.tolist():
            if size > width:
                break
            with np.errstate(over="ignore"):
                shift = _HASH_BASE ** np.uint64(size)
                win = tpref[:, size:] - tpref[:, : width + 1 - size] * shift
            ok = np.arange(width + 1 - size)[None, :] + size <= tlen[:, None]
            lo = np.searchsorted(sorted_hash, win)
            found = ok & (lo < len(sorted_hash))
            found &= sorted_hash[np.minimum(lo, len(sorted_hash) - 1)] == win
            rt, st = np.nonzero(found)
            if len(rt) == 0:
                continue
            h = win[rt, st]
            first = np.searchsorted(sorted_hash, h, side="left")
            cnt = np.searchsorted(sorted_hash, h, side="right") - first
            pt = np.repeat(rt, cnt)
            ps = np.repeat(st, cnt)
            pj = io[
                np.repeat(first, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            ]
            same = ilen[pj] == size
            cols = np.arange(size)
            window = tmat[pt[:, None], ps[:, None] + cols[None, :]]
            same &= (window == imat[pj][:, :size]).all(axis=1)
            hits_t.append(pt[same] + b)
            hits_j.append(pj[same])
    if not hits_t:
        return none
    return np.concatenate(hits_t), np.concatenate(hits_j)


def _bit_masks(rows: np.ndarray, bits: np.ndarray, n: int, words: int) -> np.ndarray:
    """(n × words) uint64 masks with bit ``bits[i]`` set in row ``rows[i]`` (pairs unique)."""
    mask = np.zeros(n * words, dtype=np.uint64)
    f = bits >= 0
    b = bits[f]
    one = np.left_shift(np.uint64(1), (b % 64).astype(np.uint64))
    np.add.at(mask, rows[f] * words + b // 64, one)  # unique bits: sum = or
    return mask.reshape(n, words)


def _popcount_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise ``popcount(a[i] & b[j])`` summed over the words: (len(a) × len(b))."""
    out = np.zeros((len(a), len(b)), dtype=np.int64)
    for w in range(a.shape[1]):
        out += np.bitwise_count(a[:, w, None] & b[None, :, w])
    return out


def _best_items(topics: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each topic, the item with the highest similarity (1 when the item is a substring of
    the topic, else the Jaccard index of the bigram sets) and that similarity; ties go to the
    longer item, then to the earlier one. Exact: the key (similarity, length, -position) is
    compared as a tuple, similarities as correctly rounded quotients of the same integers.

    No topics × items matrix: the bigrams costing most (items holding them × topics holding
    them) are counted by popcounts of bit masks, between distinct topic masks and one
    representative per distinct (mask, bigram count) group of items; the other bigrams
    through their (topic, item) postings; substrings through hashed windows checked exactly.
    """
    n, k = len(topics), len(items)
    ilen = np.array([len(x) for x in items], dtype="int64")
    # the best of all items when nothing is similar: the longest, then the first
    default = int(np.argmax(ilen)) if k else 0
    best = np.full(n, default, dtype="int64")
    best_sim = np.zeros(n, dtype="float64")
    if n == 0 or k == 0:
        return best, best_sim
    t_rows, t_grams = _bigram_pairs(topics)
    i_rows, i_grams = _bigram_pairs(items)
    nt = np.bincount(t_rows, minlength=n)
    ni = np.bincount(i_rows, minlength=k)
    vocab, i_gid = np.unique(i_grams, return_inverse=True)
    i_gid = i_gid.reshape(-1)
    df = np.bincount(i_gid, minlength=len(vocab))
    # topic bigrams among the items' vocabulary
    pos = np.searchsorted(vocab, t_grams)
    known = pos < len(vocab)
    known[known] = vocab[pos[known]] == t_grams[known]
    t_gid = np.where(known, pos, -1)
    tf = np.bincount(t_gid[known], minlength=len(vocab))
    # the costliest bigrams become mask bits
    cost = df * tf
    by_cost = np.argsort(-cost, kind="stable")[:_MASK_BITS]
    by_cost = by_cost[(df[by_cost] > _POSTING_DF) & (tf[by_cost] > 0)]
    words = max(1, -(-len(by_cost) // 64))
    bit_of = np.full(len(vocab) + 1, -1, dtype="int64")  # (a last slot for no bigram)
    bit_of[by_cost] = np.arange(len(by_cost))
    mi = _bit_masks(i_rows, bit_of[i_gid], k, words)
    t_bit = np.where(known, bit_of[np.maximum(t_gid, 0)], -1)
    mt = _bit_masks(t_rows, t_bit, n, words)

    cand_t, cand_j, cand_s = [], [], []
    # (a) pairs sharing a posting bigram: their whole intersection
    post = known & (t_bit < 0)
    pt_rows, pt_gid = t_rows[post], t_gid[post]
    cnt = df[pt_gid]
    if cnt.sum():
        o = np.argsort(i_gid, kind="stable")
        start_of = np.cumsum(df) - df
        pt = np.repeat(pt_rows, cnt)
        at = np.repeat(start_of[pt_gid] - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())
        pj = i_rows[o[at]]
        key, rare = np.unique(pt * k + pj, return_counts=True)
        ct, cj = key // k, key % k
        inter = rare.astype("int64")
        for w in range(words):
            inter += np.bitwise_count(mt[ct, w] & mi[cj, w]).astype("int64")
        cand_t.append(ct)
        cand_j.append(cj)
        cand_s.append(inter / (nt[ct] + ni[cj] - inter))
    # (b) the rest: one representative per (mask, bigram count) group of items — the longest,
    # then the first; an item of the group also found in (a) scores higher there. Topics
    # with the same (mask, bigram count) share the result.
    has = np.flatnonzero((ni > 0) & mi.any(axis=1))
    t_has = np.flatnonzero(mt.any(axis=1))
    if len(has) and len(t_has):
        ikey = np.column_stack([mi[has].view(np.int64), ni[has]])
        _, grp = np.unique(ikey, axis=0, return_inverse=True)
        grp = grp.reshape(-1)
        order = np.lexsort((has, -ilen[has], grp))
        head = np.ones(len(order), dtype=bool)
        head[1:] = grp[order][1:] != grp[order][:-1]
        reps = has[order[head]]
        reps = reps[np.lexsort((reps, -ilen[reps]))]  # columns in tie-break order
        gm, gn = mi[reps], ni[reps]
        tkey = np.column_stack([mt[t_has].view(np.int64), nt[t_has]])
        tu, tinv = np.unique(tkey, axis=0, return_inverse=True)
        tinv = tinv.reshape(-1)
        um = np.ascontiguousarray(tu[:, :words]).view(np.uint64)
        un = tu[:, words]
        col = np.zeros(len(tu), dtype="int64")
        val = np.zeros(len(tu), dtype="float64")
        step = max(1, _BLOCK_CELLS // len(reps))
        for b in range(0, len(tu), step):
            inter = _popcount_and(um[b : b + step], gm)
            sim = inter / (un[b : b + step, None] + gn[None, :] - inter)
            c = np.argmax(sim, axis=1)  # the first column of the highest similarity
            col[b : b + step] = c
            val[b : b + step] = sim[np.arange(len(c)), c]
        cand_t.append(t_has)
        cand_j.append(reps[col[tinv]])
        cand_s.append(val[tinv])
    # (c) substrings: similarity 1
    st, sj = _substring_hits(topics, items)
    cand_t.append(st)
    cand_j.append(sj)
    cand_s.append(np.ones(len(st)))
    ct = np.concatenate(cand_t)
    if len(ct) == 0:
        return best, best_sim
    cj, cs = np.concatenate(cand_j), np.concatenate(cand_s)
    o = np.lexsort((cj, -ilen[cj], -cs, ct))
    ct, cj, cs = ct[o], cj[o], cs[o]
    first = np.ones(len(ct), dtype=bool)
    first[1:] = ct[1:] != ct[:-1]
    ct, cj, cs = ct[first], cj[first], cs[first]
    # a topic's best beats the default only with a positive similarity
    win = cs > 0
    best[ct[win]] = cj[win]
    best_sim[ct[win]] = cs[win]
    return best, best_sim


def _text_departments(
    text: pd.Series, departments: Sequence[str], sponsor: str | None = None
) -> pd.DataFrame:
    """Long pairs ``[row, department]`` of departments named (or implied) in free text.

    "各部门对接人", "三部门负责人", "all departments" → every department; an explicit name →
    that department; "项目发起方"/"sponsor" → ``sponsor``.
    """
    depts = [d for d in dict.fromkeys(departments) if isinstance(d, str) and d]
    if len(text) == 0 or not depts:
        return pd.DataFrame(
            {"row": pd.Series([], dtype="int64"), "department": pd.Series([], dtype="str")}
        )
    # each distinct text read once (a plan repeats a few participant phrases)
    codes, uniq = pd.factorize(text.astype("str").fillna(""))
    if len(uniq) < len(text):
        pairs = _text_departments(pd.Series(uniq, dtype="str"), depts, sponsor)
        u_rows = pairs["row"].to_numpy(dtype="int64")
        u_cols = pd.Index(depts).get_indexer(pairs["department"].astype("object"))
        cnt = np.bincount(u_rows, minlength=len(uniq))
        start_at = np.cumsum(cnt) - cnt
        rows = np.repeat(np.arange(len(text), dtype="int64"), cnt[codes])
        at = np.repeat(start_at[codes] - (np.cumsum(cnt[codes]) - cnt[codes]), cnt[codes])
        cols = u_cols[at + np.arange(len(rows))]
        return pd.DataFrame(
            {
                "row": rows,
                "department": pd.Series(np.asarray(depts, dtype=object)[cols], dtype="str"),
            }
        )
    s = text.astype("str").fillna("").str.normalize("NFKC").str.lower()
    all_mask = s.str.contains(_ALL_DEPTS_RE, regex=True).to_numpy(dtype=bool)
    sponsor_mask = (
        s.str.contains(_SPONSOR_RE, regex=True).to_numpy(dtype=bool)
        if sponsor
        else np.zeros(len(s), dtype=bool)
    )
    mat = np.zeros((len(s), len(depts)), dtype=bool)
    for j, d in enumerate(depts):
        dn = unicodedata.normalize("NFKC", d).lower()
        mat[:, j] = s.str.contains(dn, regex=False).to_numpy(dtype=bool) | all_mask
        if sponsor and d == sponsor:
            mat[:, j] |= sponsor_mask
    rows, cols = np.nonzero(mat)
    return pd.DataFrame(
        {
            "row": rows.astype("int64"),
            "department": pd.Series(np.asarray(depts, dtype=object)[cols], dtype="str"),
        }
    )
