"""Identity resolution: one person behind many channel accounts.

A customer who shops in the app, the WeChat mini-program and a store holds three accounts, each
with whatever keys that channel collects, written in that channel's house format. Identity
resolution (身份识别 / ID-Mapping) links the accounts that belong to one person, so that every later
metric counts people rather than accounts.

This module implements the deterministic, rule-based approach most customer data platforms (CDP)
start with:

* :func:`normalize_phone` and :func:`normalize_email` -- bring keys to one canonical form
  (``"+86 139 1234 5678"`` and ``"139-1234-5678"`` are the same number);
* :func:`link_accounts` -- the edges of the identity graph: each account that shares a normalised
  strong key (phone, e-mail, WeChat UnionID, device id) with another account is linked to the first
  account (smallest id) that holds the same value;
* :func:`resolve_identities` -- the connected components of that graph
  (:func:`scipy.sparse.csgraph.connected_components`): one ``person_id`` per component;
* :func:`fuzzy_links` -- a weaker rule to try on top: accounts whose names are within a few edits
  of each other (Levenshtein distance, computed by ``rapidfuzz``) inside a block such as the same city;
  its links can be added to the graph with ``resolve_identities(..., links=...)``;
* :func:`linkage_scores` -- pairwise precision, recall and F1 of a resolution against a known
  truth, computed from cluster sizes without enumerating pairs.

Linking is transitive: if A shares a phone with B and B shares a device with C, all three become
one person. That is what makes strong keys powerful, and what makes one bad key (a device shared
by a household, a placeholder phone number typed in by store staff) merge strangers. Probabilistic
record linkage (Fellegi-Sunter; e.g. the ``splink`` or ``recordlinkage`` packages) weighs partial
evidence such as names and addresses with learned weights instead; it is beyond this module, which
only lets you measure what a simple fuzzy rule does to precision and recall.

Examples
--------
>>> import pandas as pd
>>> from opsutils.identity import resolve_identities
>>> accounts = pd.DataFrame({
...     "account_id": ["A1", "A2", "A3", "A4"],
...     "phone": ["139-1234-5678", "+86 139 1234 5678", None, "13800001111"],
...     "email": [None, "li.na@example.com", " LI.NA@example.com", None],
... })
>>> resolve_identities(accounts, keys=("phone", "email"))
  account_id person_id
0         A1  P0000001
1         A2  P0000001
2         A3  P0000001
3         A4  P0000002
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process as _rf_process
from rapidfuzz.distance import Levenshtein as _Levenshtein
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from opsutils._validation import (
    require_columns,
    require_frame,
    require_no_missing,
    require_option,
    require_positive_int,
    require_text,
)

__all__ = [
    "REGIONS",
    "STRONG_KEYS",
    "LinkageScores",
    "normalize_phone",
    "normalize_email",
    "link_accounts",
    "fuzzy_links",
    "resolve_identities",
    "linkage_scores",
]

#: Phone-number conventions understood by :func:`normalize_phone`.
REGIONS: tuple[str, ...] = ("CN", "US")

#: The strong keys of the synthetic world's ``accounts`` table, in the order they are linked.
STRONG_KEYS: tuple[str, ...] = ("phone", "email", "wechat_unionid", "device_id")

# Separators people and systems put inside phone numbers: ASCII whitespace (NFKC has already turned
# full-width spaces into ASCII ones), ASCII and Unicode dashes, dots, round and square brackets. The
# class avoids \\s and look-arounds so that pandas can run it with pyarrow's fast regex engine.
_PHONE_SEPARATORS = "[ \t\n\r\f\v\\-\u2010-\u2015.()\\[\\]]"
# Per region: a number written with its country prefix, the national length, and the national rule.
_PHONE_RULES: dict[str, tuple[str, int, str]] = {
    # Mainland mobile numbers: 11 digits, 1 then 3-9; written with +86, 0086 or 86 in front.
    "CN": (r"(?:\+86|0086|86)\d{11}", 11, r"1[3-9]\d{9}"),
    # North American numbers: 10 digits, area code starting 2-9; written with +1 or 1 in front.
    "US": (r"(?:\+1|1)\d{10}", 10, r"[2-9]\d{9}"),
}
_EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s.]+"


# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #
def normalize_phone(values: Any, *, region: str = "CN") -> pd.Series:
    """Canonical national phone numbers (digits only), NaN where missing or invalid.

    The steps are vectorised pandas string operations (no Python loop per row):

    1. Unicode NFKC normalisation (full-width ``１３９`` and ``＋`` become ASCII);
    2. remove separators: whitespace, dashes, dots and brackets;
    3. strip the country prefix when what follows has the national length
       (CN: ``+86``, ``0086`` or ``86`` before 11 digits; US: ``+1`` or ``1`` before 10 digits);
    4. keep the result only if it matches the national rule (CN: mainland mobile numbers, 11 digits
       ``1[3-9]xxxxxxxxx``; US: 10 digits with an area code starting 2-9). Anything else -- wrong
       length, letters (``O`` for ``0``), an extension -- becomes NaN.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        Phone numbers as typed. Integers are accepted (converted to text); floats are rejected.
        A Series keeps its index and name.
    region : {"CN", "US"}, default "CN"
        Numbering plan to apply.

    Returns
    -------
    pandas.Series
        dtype ``str``, one canonical number per input value or NaN.

    Raises
    ------
    TypeError
        If ``values`` is not one-dimensional array-like (a scalar, a string, a DataFrame).
    ValueError
        If ``values`` holds floats or booleans, or ``region`` is unknown.

    See Also
    --------
    normalize_email, resolve_identities

    Examples
    --------
    >>> from opsutils.identity import normalize_phone
    >>> normalize_phone(["+86 139 1234 5678", "139-1234-5678", "0086 13912345678", "1391234567", None]).tolist()
    ['13912345678', '13912345678', '13912345678', nan, nan]
    >>> normalize_phone(["(415) 555-0123", "+1 415 555 0123", "555-0123"], region="US").tolist()
    ['4155550123', '4155550123', nan]
    """
    require_option(region, REGIONS, name="region")
    series = require_text(values, name="values", what="phone numbers")
    with_prefix, length, rule = _PHONE_RULES[region]
    digits = series.str.normalize("NFKC").str.replace(_PHONE_SEPARATORS, "", regex=True)
    digits = digits.where(~digits.str.fullmatch(with_prefix, na=False), digits.str.slice(start=-length))
    return digits.where(digits.str.fullmatch(rule, na=False))


def normalize_email(values: Any) -> pd.Series:
    """Canonical e-mail addresses: trimmed and lower-cased, NaN where missing or invalid.

    An address is valid when it has exactly one ``@``, something before it, a domain with a dot
    after it, and no whitespace inside. Providers' aliasing rules (dots or ``+tag`` in Gmail
    addresses) are not applied: they differ by provider and would merge addresses wrongly elsewhere.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        E-mail addresses as typed. A Series keeps its index and name.

    Returns
    -------
    pandas.Series
        dtype ``str``, one canonical address per input value or NaN.

    Raises
    ------
    TypeError
        If ``values`` is not one-dimensional array-like.
    ValueError
        If ``values`` holds floats or booleans.

    See Also
    --------
    normalize_phone, resolve_identities

    Examples
    --------
    >>> from opsutils.identity import normalize_email
    >>> normalize_email([" Li.Na@Example.COM ", "li.na@example.com", "li.na at example.com", "", None]).tolist()
    ['li.na@example.com', 'li.na@example.com', nan, nan, nan]
    """
    series = require_text(values, name="values", what="e-mail addresses")
    clean = series.str.normalize("NFKC").str.strip().str.lower()
    return clean.where(clean.str.fullmatch(_EMAIL_PATTERN, na=False))


def _normalize_other(values: pd.Series) -> pd.Series:
    """Other keys (UnionID, device id ...): text, trimmed, empty strings treated as missing."""
    series = values.astype("str").str.strip()
    return series.where(series.str.len() > 0)


# --------------------------------------------------------------------------- #
# Linking
# --------------------------------------------------------------------------- #
def _duplicates_message(ids: pd.Series, duplicated: pd.Series, column: str, name: str) -> str:
    n = int(duplicated.sum())
    examples = ", ".join(map(repr, ids[duplicated].drop_duplicates().iloc[:3].tolist()))
    return (f"Column {column!r} of `{name}` has {n} duplicated {'id' if n == 1 else 'ids'} (e.g. {examples}); "
            "every account must appear once.")


def _account_ids(accounts: pd.DataFrame, account_col: str) -> pd.Series:
    """The account id column, checked: no missing and no duplicated ids."""
    require_no_missing(accounts, account_col, name="accounts")
    ids = accounts[account_col]
    duplicated = ids.duplicated()
    if duplicated.any():
        raise ValueError(_duplicates_message(ids, duplicated, account_col, "accounts"))
    return ids


def _check_keys(keys: Any) -> tuple[str, ...]:
    if isinstance(keys, (str, bytes)):
        raise TypeError(f"`keys` must be a list or tuple of column names, got the string {keys!r}; "
                        f"write keys=({keys!r},).")
    if not isinstance(keys, Iterable):
        raise TypeError(f"`keys` must be a list or tuple of column names, got {type(keys).__name__}.")
    keys = tuple(keys)
    if not keys:
        raise ValueError("`keys` is empty; name at least one key column, e.g. keys=('phone',).")
    duplicated = sorted({k for k in keys if keys.count(k) > 1}, key=str)
    if duplicated:
        raise ValueError(f"`keys` names {', '.join(map(repr, duplicated))} more than once; list each key once.")
    return keys


def _prepare(accounts: Any, keys: Any, account_col: str, region: str, phone_col: str, email_col: str,
             max_accounts_per_value: int | None) -> tuple[tuple[str, ...], pd.Series, dict[str, pd.Series], np.ndarray]:
    """Validate; return the keys, the account ids sorted, the normalised keys in that order, the sort order."""
    require_frame(accounts, name="accounts")
    keys = _check_keys(keys)
    require_option(region, REGIONS, name="region")
    if max_accounts_per_value is not None:
        require_positive_int(max_accounts_per_value, name="max_accounts_per_value", minimum=2)
    require_columns(accounts, [account_col, *keys], name="accounts")
    ids = _account_ids(accounts, account_col)
    order = ids.argsort(kind="stable").to_numpy()
    normalised = {}
    for key in keys:
        column = accounts[key].iloc[order].reset_index(drop=True)
        if key == phone_col:
            value = normalize_phone(column, region=region)
        elif key == email_col:
            value = normalize_email(column)
        else:
            value = _normalize_other(column)
        if max_accounts_per_value is not None:
            size = value.groupby(value, sort=False).transform("size")
            value = value.where(size <= max_accounts_per_value)
        normalised[key] = value
    return keys, ids.iloc[order].reset_index(drop=True), normalised, order


def _edges(normalised: dict[str, pd.Series]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (sorted order) of each linked account, of the first account with its value, and key number."""
    src, dst, key_no = [], [], []
    for k, value in enumerate(normalised.values()):
        present = value.notna().to_numpy()
        pos = pd.Series(np.flatnonzero(present))
        first = pos.groupby(value[present].to_numpy(), sort=False).transform("first").to_numpy()
        linked = first != pos.to_numpy()
        src.append(pos.to_numpy()[linked])
        dst.append(first[linked])
        key_no.append(np.full(int(linked.sum()), k, dtype=np.int64))
    return np.concatenate(src), np.concatenate(dst), np.concatenate(key_no)


def link_accounts(
    accounts: pd.DataFrame,
    *,
    keys: Iterable[str] = STRONG_KEYS,
    account_col: str = "account_id",
    region: str = "CN",
    phone_col: str = "phone",
    email_col: str = "email",
    max_accounts_per_value: int | None = None,
) -> pd.DataFrame:
    """The edges of the identity graph: which account is linked to which, by which key.

    For every key, the accounts holding the same normalised value are linked in a star: each one
    to the *first* account (smallest ``account_col``) with that value. A star needs one edge per
    account instead of one per pair, and gives the same connected components as linking every pair.

    Parameters
    ----------
    accounts : pandas.DataFrame
        One row per channel account.
    keys : iterable of str, default ("phone", "email", "wechat_unionid", "device_id")
        Columns whose equal values link accounts, in the order they are reported.
    account_col : str, default "account_id"
        Account id column (unique, no missing values).
    region : {"CN", "US"}, default "CN"
        Numbering plan for the phone column (see :func:`normalize_phone`).
    phone_col, email_col : str, default "phone", "email"
        Which key (if listed in ``keys``) is normalised as a phone number and which as an e-mail
        address. Every other key is compared as text after trimming spaces.
    max_accounts_per_value : int, optional
        Ignore key values held by more accounts than this (at least 2), e.g. a placeholder phone
        number staff type for walk-in customers. ``None`` (default) uses every value.

    Returns
    -------
    pandas.DataFrame
        One row per edge, sorted by key then account: ``account_id`` (the linked account; the
        column is named after ``account_col``), ``linked_to`` (the first account with the same
        value), ``key`` (the column) and ``value`` (the normalised value they share).

    Raises
    ------
    TypeError
        If ``accounts`` is not a DataFrame or ``keys`` is a single string.
    KeyError
        If ``account_col`` or a key column is missing.
    ValueError
        If ``accounts`` is empty, account ids are missing or duplicated, ``keys`` is empty or
        repeats a column, ``region`` is unknown or ``max_accounts_per_value`` is below 2.

    See Also
    --------
    resolve_identities

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.identity import link_accounts
    >>> accounts = pd.DataFrame({"account_id": ["A1", "A2", "A3"],
    ...                          "phone": ["139-1234-5678", "+86 139 1234 5678", None],
    ...                          "device_id": ["D1", None, "D1"]})
    >>> link_accounts(accounts, keys=("phone", "device_id"))
      account_id linked_to        key        value
    0         A2        A1      phone  13912345678
    1         A3        A1  device_id           D1
    """
    keys, ids, normalised, _ = _prepare(accounts, keys, account_col, region, phone_col, email_col,
                                        max_accounts_per_value)
    src, dst, key_no = _edges(normalised)
    values = pd.concat([normalised[key].iloc[src[key_no == k]] for k, key in enumerate(keys)],
                       ignore_index=True).astype("str")
    return pd.DataFrame({
        account_col: ids.iloc[src].reset_index(drop=True),
        "linked_to": ids.iloc[dst].reset_index(drop=True),
        "key": pd.Series(np.asarray(keys, dtype=object)[key_no], dtype="str"),
        "value": values,
    })


def _link_positions(links: Any, ids: pd.Series, account_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in the sorted account order) of both ends of each extra link."""
    if not isinstance(links, pd.DataFrame):
        raise TypeError(f"`links` must be a pandas DataFrame (e.g. the output of fuzzy_links), got "
                        f"{type(links).__name__}.")
    require_columns(links, [account_col, "linked_to"], name="links")
    index = pd.Index(ids)
    ends = []
    for col in (account_col, "linked_to"):
        require_no_missing(links, col, name="links")
        pos = index.get_indexer(links[col])
        unknown = links[col][pos < 0]
        if len(unknown):
            shown = ", ".join(map(repr, unknown.unique()[:3].tolist()))
            raise ValueError(f"Column {col!r} of `links` holds {len(unknown):,} id(s) that are not in column "
                             f"{account_col!r} of `accounts` (e.g. {shown}); links must join accounts of "
                             "the same table.")
        ends.append(pos.astype(np.int64))
    return ends[0], ends[1]


def _normalize_name(values: pd.Series) -> pd.Series:
    """Names compared by :func:`fuzzy_links`: NFKC, trimmed, case-folded, inner spaces collapsed."""
    text = values.astype("str").str.normalize("NFKC").str.strip().str.casefold()
    return text.str.replace(r"\s+", " ", regex=True).replace("", None)


def fuzzy_links(
    accounts: pd.DataFrame,
    *,
    name_col: str = "name",
    block_cols: Iterable[str] = ("city",),
    account_col: str = "account_id",
    max_distance: int = 1,
    min_length: int = 2,
    chunk_size: int = 2_048,
) -> pd.DataFrame:
    """Pairs of accounts with nearly the same name inside the same block (e.g. the same city).

    A weak, "fuzzy" rule (模糊匹配) for accounts that share no strong key: two accounts are linked when
    their normalised names (NFKC, trimmed, case-folded) are at most ``max_distance`` edits apart
    (Levenshtein distance: insertions, deletions, substitutions) and they agree exactly on every
    blocking column. Blocking (分块) keeps the comparison affordable, only accounts of one block are
    compared with each other, and is itself a rule: a person whose accounts carry different cities is
    never linked. Distances are computed with :func:`rapidfuzz.process.cdist`, block by block.

    Whether such a rule helps depends on the names: one edit is a typo in ``"Jonathan Smith"`` but
    turns ``"王伟"`` into ``"王强"``, a different person of a two-character name. Measure it with
    :func:`linkage_scores` before using it, see the chapter 2 notebook on the unified customer view.

    Parameters
    ----------
    accounts : pandas.DataFrame
        One row per channel account.
    name_col : str, default "name"
        Column holding the name as typed.
    block_cols : iterable of str, default ("city",)
        Columns that must be equal (after trimming) for two accounts to be compared; accounts with a
        missing blocking value are not compared. An empty tuple compares every pair, which is only
        sensible for small tables.
    account_col : str, default "account_id"
        Account id column (unique, no missing values).
    max_distance : int, default 1
        Largest Levenshtein distance between two names that still links them (0 = exact match after
        normalisation).
    min_length : int, default 2
        Names shorter than this (after normalisation) are not compared.
    chunk_size : int, default 2048
        Rows of a block compared at once (bounds memory: ``chunk_size`` x block size distances).

    Returns
    -------
    pandas.DataFrame
        One row per linked pair, each pair once: ``account_id`` (named after ``account_col``; the
        larger id), ``linked_to`` (the smaller id), ``key`` (``"name~"`` plus the blocking columns) and
        ``distance`` (int), sorted by ``linked_to`` then ``account_id``. Pass it to
        ``resolve_identities(..., links=...)``.

    Raises
    ------
    TypeError
        If ``accounts`` is not a DataFrame or ``block_cols`` is a single string.
    KeyError
        If ``account_col``, ``name_col`` or a blocking column is missing.
    ValueError
        If ``accounts`` is empty, account ids are missing or duplicated, ``block_cols`` repeats a
        column, or ``max_distance``, ``min_length`` or ``chunk_size`` is out of range.

    See Also
    --------
    resolve_identities, linkage_scores

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.identity import fuzzy_links
    >>> accounts = pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4"],
    ...                          "name": ["Li Na", "li  na", "Li Nan", "Li Na"],
    ...                          "city": ["Hangzhou", "Hangzhou", "Hangzhou", "Suzhou"]})
    >>> fuzzy_links(accounts, max_distance=0)
      account_id linked_to        key  distance
    0         A2        A1  name~city         0
    >>> fuzzy_links(accounts)
      account_id linked_to        key  distance
    0         A2        A1  name~city         0
    1         A3        A1  name~city         1
    2         A3        A2  name~city         1
    """
    require_frame(accounts, name="accounts")
    if isinstance(block_cols, str):
        raise TypeError(f"`block_cols` must be a list or tuple of column names, not the string {block_cols!r}; "
                        f"write block_cols=({block_cols!r},).")
    block_cols = tuple(block_cols)
    repeated = sorted({c for c in block_cols if block_cols.count(c) > 1}, key=str)
    if repeated:
        raise ValueError(f"`block_cols` names {', '.join(map(repr, repeated))} more than once; list each once.")
    require_positive_int(max_distance, name="max_distance", minimum=0)
    require_positive_int(min_length, name="min_length", minimum=1)
    require_positive_int(chunk_size, name="chunk_size", minimum=1)
    require_columns(accounts, [account_col, name_col, *block_cols], name="accounts")
    ids = _account_ids(accounts, account_col)

    order = ids.argsort(kind="stable").to_numpy()
    ids_sorted = ids.iloc[order].to_numpy()
    names = _normalize_name(accounts[name_col].iloc[order].reset_index(drop=True))
    usable = names.notna() & (names.str.len() >= min_length)
    blocks = [_normalize_other(accounts[c].iloc[order].reset_index(drop=True)) for c in block_cols]
    for block in blocks:
        usable &= block.notna()
    frame = pd.DataFrame({"pos": np.arange(len(names)), "name": names})
    for k, block in enumerate(blocks):
        frame[f"b{k}"] = block
    frame = frame[usable.to_numpy()]
    groups = frame.groupby([f"b{k}" for k in range(len(blocks))], sort=True) if blocks else [(None, frame)]

    left, right, dist = [], [], []
    for _, block in groups:
        pos = block["pos"].to_numpy()
        choices = block["name"].tolist()
        for start in range(0, len(choices), chunk_size):
            d = _rf_process.cdist(choices[start:start + chunk_size], choices, scorer=_Levenshtein.distance,
                                  score_cutoff=max_distance, dtype=np.int32, workers=1)
            i, j = np.nonzero(d <= max_distance)
            i_global = i + start
            keep = j > i_global  # each unordered pair once; positions are in account-id order
            left.append(pos[i_global[keep]])
            right.append(pos[j[keep]])
            dist.append(d[i[keep], j[keep]])
    if left:
        first, second, distance = np.concatenate(left), np.concatenate(right), np.concatenate(dist)
    else:
        first = second = np.array([], dtype=np.int64)
        distance = np.array([], dtype=np.int32)
    sort = np.lexsort((second, first))
    key = "~".join(["name", *map(str, block_cols)])
    return pd.DataFrame({
        account_col: pd.Series(ids_sorted[second[sort]], dtype=ids.dtype),
        "linked_to": pd.Series(ids_sorted[first[sort]], dtype=ids.dtype),
        "key": pd.Series([key] * len(sort), dtype="str"),
        "distance": distance[sort].astype(np.int64),
    })


def resolve_identities(
    accounts: pd.DataFrame,
    *,
    keys: Iterable[str] = STRONG_KEYS,
    account_col: str = "account_id",
    region: str = "CN",
    phone_col: str = "phone",
    email_col: str = "email",
    max_accounts_per_value: int | None = None,
    links: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assign one ``person_id`` to all accounts connected by a shared normalised key.

    Accounts are the nodes of a graph; :func:`link_accounts` gives its edges (shared phone, e-mail,
    UnionID, device ...). Every connected component (:func:`scipy.sparse.csgraph.connected_components`)
    is one person: linking is transitive, so A-B by phone and B-C by device make A, B and C one person.

    Person ids are ``"P"`` followed by the component's number, zero-padded to at least 7 digits,
    numbered in the order of each component's smallest account id. They depend only on the
    accounts and their keys, not on the row order.

    Parameters
    ----------
    accounts : pandas.DataFrame
        One row per channel account.
    keys : iterable of str, default ("phone", "email", "wechat_unionid", "device_id")
        Columns whose equal (normalised) values link accounts. To try an extra rule, add a column
        that holds its blocking key (e.g. a cleaned name) and list it here.
    account_col : str, default "account_id"
        Account id column (unique, no missing values).
    region : {"CN", "US"}, default "CN"
        Numbering plan for the phone column (see :func:`normalize_phone`).
    phone_col, email_col : str, default "phone", "email"
        Which key (if listed in ``keys``) is normalised as a phone number and which as an e-mail
        address. Every other key is compared as text after trimming spaces.
    max_accounts_per_value : int, optional
        Ignore key values held by more accounts than this (at least 2), e.g. a placeholder phone
        number. ``None`` (default) uses every value.
    links : pandas.DataFrame, optional
        Extra edges from another rule, such as the output of :func:`fuzzy_links` (or of
        :func:`link_accounts` on other keys): one row per link, with the columns ``account_col`` and
        ``linked_to``, both holding account ids of ``accounts``. They join the graph like key links
        (and chain like them).

    Returns
    -------
    pandas.DataFrame
        ``account_id`` (named after ``account_col``) and ``person_id``, one row per account in the
        input's row order, with a fresh RangeIndex. Accounts without any usable key are persons of
        their own.

    Raises
    ------
    TypeError
        If ``accounts`` is not a DataFrame or ``keys`` is a single string.
    KeyError
        If ``account_col`` or a key column is missing.
    ValueError
        If ``accounts`` is empty, account ids are missing or duplicated, ``keys`` is empty or
        repeats a column, ``region`` is unknown, ``max_accounts_per_value`` is below 2, or ``links``
        names accounts that are not in ``accounts``.

    See Also
    --------
    link_accounts, fuzzy_links, linkage_scores

    Examples
    --------
    A shares a phone with B (written differently) and B a device with C: one person. D stands alone.

    >>> import pandas as pd
    >>> from opsutils.identity import resolve_identities
    >>> accounts = pd.DataFrame({"account_id": ["A4", "A1", "A2", "A3"],
    ...                          "phone": [None, "139-1234-5678", "+86 139 1234 5678", None],
    ...                          "device_id": ["D9", None, "D1", "D1"]})
    >>> resolve_identities(accounts, keys=("phone", "device_id"))
      account_id person_id
    0         A4  P0000002
    1         A1  P0000001
    2         A2  P0000001
    3         A3  P0000001
    """
    _, ids, normalised, order = _prepare(accounts, keys, account_col, region, phone_col, email_col,
                                         max_accounts_per_value)
    n = len(ids)
    src, dst, _ = _edges(normalised)
    if links is not None:
        extra_src, extra_dst = _link_positions(links, ids, account_col)
        src, dst = np.concatenate([src, extra_src]), np.concatenate([dst, extra_dst])
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    # Number components by their smallest account id (positions are in account-id order).
    codes, uniques = pd.factorize(labels)
    width = max(7, len(str(len(uniques))))
    person_sorted = "P" + pd.Series(codes + 1).astype("str").str.zfill(width)
    person = np.empty(n, dtype=object)
    person[order] = person_sorted.to_numpy()
    return pd.DataFrame({
        account_col: accounts[account_col].reset_index(drop=True),
        "person_id": pd.Series(person, dtype="str"),
    })


# --------------------------------------------------------------------------- #
# Scoring
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class LinkageScores:
    """Pairwise quality of an identity resolution (result of :func:`linkage_scores`).

    A *pair* is two accounts. The truth links a pair when both belong to the same customer; the
    resolution links it when both got the same person id.

    Attributes
    ----------
    precision : float
        ``correct_pairs / predicted_pairs``: of the pairs we merged, the share that are the same
        customer (1 - the false-merge share). NaN when nothing was merged.
    recall : float
        ``correct_pairs / true_pairs``: of the pairs that are the same customer, the share we merged.
        NaN when the truth has no pairs.
    f1 : float
        Harmonic mean of precision and recall, ``2 * correct / (predicted + true)``: 0 when no
        merged pair is correct, NaN only when both counts are 0.
    true_pairs : int
        Pairs of accounts that belong to one customer.
    predicted_pairs : int
        Pairs of accounts that got one person id.
    correct_pairs : int
        Pairs in both.
    """

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    def to_frame(self) -> pd.DataFrame:
        """One row with the three scores and the three pair counts.

        Returns
        -------
        pandas.DataFrame
            Columns ``precision, recall, f1, true_pairs, predicted_pairs, correct_pairs``.

        Examples
        --------
        >>> from opsutils.identity import LinkageScores
        >>> LinkageScores(0.5, 1.0, 2 / 3, 1, 2, 1).to_frame().columns.tolist()
        ['precision', 'recall', 'f1', 'true_pairs', 'predicted_pairs', 'correct_pairs']
        """
        return pd.DataFrame([{
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "true_pairs": self.true_pairs, "predicted_pairs": self.predicted_pairs,
            "correct_pairs": self.correct_pairs,
        }])


def _pairs(sizes: pd.Series) -> int:
    """Number of unordered pairs inside groups of the given sizes: sum of n (n - 1) / 2."""
    n = sizes.to_numpy(dtype=np.int64)
    return int((n * (n - 1) // 2).sum())


def _check_labels(df: Any, name: str, account_col: str, label_col: str) -> None:
    require_frame(df, name=name)
    require_columns(df, [account_col, label_col], name=name)
    require_no_missing(df, account_col, name=name)
    require_no_missing(df, label_col, name=name)
    duplicated = df[account_col].duplicated()
    if duplicated.any():
        raise ValueError(_duplicates_message(df[account_col], duplicated, account_col, name))


def linkage_scores(
    predicted: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    account_col: str = "account_id",
    predicted_col: str = "person_id",
    truth_col: str = "customer_id",
) -> LinkageScores:
    """Pairwise precision, recall and F1 of an identity resolution against the truth.

    Counting pairs never lists them. A cluster of ``n`` accounts holds ``n (n - 1) / 2`` pairs, so:

    * predicted pairs = sum over predicted persons of ``n (n - 1) / 2``;
    * true pairs = the same over true customers;
    * correct pairs = the same over the cells of the contingency table (predicted person x true
      customer): a pair is correct exactly when both accounts fall into one cell.

    Parameters
    ----------
    predicted : pandas.DataFrame
        One row per account with its predicted person (e.g. from :func:`resolve_identities`).
    truth : pandas.DataFrame
        One row per account with its true customer (e.g. ``world.truth.account_map``).
    account_col : str, default "account_id"
        Account id column in both frames; both must hold the same accounts.
    predicted_col : str, default "person_id"
        Predicted person column of ``predicted``.
    truth_col : str, default "customer_id"
        True customer column of ``truth``.

    Returns
    -------
    LinkageScores
        Precision, recall, F1 and the three pair counts.

    Raises
    ------
    TypeError
        If either input is not a DataFrame.
    KeyError
        If a column is missing.
    ValueError
        If a frame is empty, has missing or duplicated account ids or missing labels, or the two
        frames do not hold the same accounts.

    See Also
    --------
    resolve_identities
    sklearn.metrics.cluster.pair_confusion_matrix : the same counts (as ordered pairs).

    Examples
    --------
    Five accounts of two customers (x: a1, a2, a3; y: a4, a5). The resolution merged a1 with a2 and
    a3 with a4 and a5: 4 predicted pairs, 4 true pairs, 2 correct (a1-a2 and a4-a5).

    >>> import pandas as pd
    >>> from opsutils.identity import linkage_scores
    >>> truth = pd.DataFrame({"account_id": ["a1", "a2", "a3", "a4", "a5"],
    ...                       "customer_id": ["x", "x", "x", "y", "y"]})
    >>> predicted = pd.DataFrame({"account_id": ["a1", "a2", "a3", "a4", "a5"],
    ...                           "person_id": ["P1", "P1", "P2", "P2", "P2"]})
    >>> s = linkage_scores(predicted, truth)
    >>> s.precision, s.recall, s.f1, s.correct_pairs
    (0.5, 0.5, 0.5, 2)
    """
    _check_labels(predicted, "predicted", account_col, predicted_col)
    _check_labels(truth, "truth", account_col, truth_col)
    pred_ids = pd.Index(predicted[account_col])
    true_ids = pd.Index(truth[account_col])
    only_pred = pred_ids.difference(true_ids)
    only_true = true_ids.difference(pred_ids)
    if len(only_pred) or len(only_true):
        parts = []
        for extra, where in ((only_pred, "predicted"), (only_true, "truth")):
            if len(extra):
                verb = "account is" if len(extra) == 1 else "accounts are"
                examples = ", ".join(map(repr, extra[:3].tolist()))
                parts.append(f"{len(extra)} {verb} only in `{where}` (e.g. {examples})")
        raise ValueError("`predicted` and `truth` must hold the same accounts: " + "; ".join(parts) + ".")
    pred_labels = pd.Series(predicted[predicted_col].to_numpy(), index=pred_ids)
    true_labels = pd.Series(truth[truth_col].to_numpy(), index=true_ids).reindex(pred_ids)
    both = pd.DataFrame({"predicted": pd.factorize(pred_labels)[0], "truth": pd.factorize(true_labels)[0]})
    predicted_pairs = _pairs(both.groupby("predicted").size())
    true_pairs = _pairs(both.groupby("truth").size())
    correct_pairs = _pairs(both.groupby(["predicted", "truth"]).size())
    precision = correct_pairs / predicted_pairs if predicted_pairs else float("nan")
    recall = correct_pairs / true_pairs if true_pairs else float("nan")
    denominator = predicted_pairs + true_pairs
    f1 = 2 * correct_pairs / denominator if denominator else float("nan")
    return LinkageScores(precision=float(precision), recall=float(recall), f1=float(f1),
                         true_pairs=true_pairs, predicted_pairs=predicted_pairs, correct_pairs=correct_pairs)
