"""Privacy and security: role-based views, masking, keyed pseudonyms, k-anonymity and deletion.

The source material (seed 001) lists three practices for customer data, and this module gives each
of them a small, testable tool:

* **layered permissions** (分层权限体系) -- sales sees transactions, marketing sees marketing data,
  management sees everything: :data:`ACCESS_POLICY` and :func:`role_view`, with :func:`mask_phone`,
  :func:`mask_name` and :func:`mask_email` for the columns a role may see only in part;
* **de-identification** (去标识化) -- :func:`pseudonymize` replaces an identifier by a keyed
  HMAC-SHA256 pseudonym; :func:`generalize_age` coarsens a quasi-identifier; :func:`k_anonymity`,
  :func:`l_diversity`, :func:`equivalence_classes` and :func:`suppress_small_classes` measure and
  enforce how well a release table hides individuals;
* **the right to deletion** (删除权) -- :func:`forget_customer` removes one person from every table,
  following links such as ``order_items`` -> ``orders``, and returns a :class:`ForgetAudit` that
  records what was removed without keeping the person's id in clear.

Masking versus pseudonymisation versus anonymisation
----------------------------------------------------
Masking (``138****5678``) is for **display** to staff: it keeps part of the value so that a person can
recognise it, and is not a protection for data that leaves the brand. A pseudonym is a stable
stand-in for an identifier that lets analysts join tables without seeing the id; with the key, the
brand can recompute it, so pseudonymised data is still personal information (PIPL distinguishes
de-identified 去标识化 from anonymised 匿名化 information). Only a release in which no one can be
singled out -- measured here by k-anonymity and l-diversity -- comes close to anonymous.

Why a key? An unkeyed hash of a phone number is **not** a pseudonym: the space of valid numbers is
small (7 x 10^9 mainland mobile numbers), so anyone can hash every candidate and look the result
up. An HMAC with a secret key cannot be recomputed without the key.

Examples
--------
>>> import pandas as pd
>>> from opsutils.privacy import k_anonymity, mask_phone, pseudonymize
>>> mask_phone(["+86 138 1234 5678", "139-0000-1111", None]).tolist()
['138****5678', '139****1111', nan]
>>> pseudonymize(["C0000001"], key="course-demo-key", length=12).tolist()
['724be33f7c49']
>>> release = pd.DataFrame({"gender": ["F", "F", "M", "M"], "age_band": ["30-39"] * 4})
>>> k_anonymity(release, ["gender", "age_band"])
2
"""

from __future__ import annotations

import hashlib
import hmac
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opsutils._validation import (
    require_1d,
    require_columns,
    require_frame,
    require_option,
    require_positive_int,
    require_text,
    require_timestamp,
)
from opsutils.identity import REGIONS, normalize_email, normalize_phone

__all__ = [
    "ALL",
    "TREATMENTS",
    "ACCESS_POLICY",
    "DEFAULT_CASCADE",
    "ForgetAudit",
    "mask_phone",
    "mask_name",
    "mask_email",
    "pseudonymize",
    "generalize_age",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "suppress_small_classes",
    "role_view",
    "forget_customer",
]

#: Wildcard of an access policy: every table (as a table name) or every column (as a table's spec).
ALL = "*"

#: What a policy may do with a column a role can see: show it in clear, or mask it for display.
TREATMENTS: tuple[str, ...] = ("show", "mask_phone", "mask_name", "mask_email")

#: Default access policy for the synthetic world, after seed 001's layered permissions.
#:
#: ``role -> table -> spec``; a spec is :data:`ALL` (every column in clear) or a mapping
#: ``column -> treatment`` (one of :data:`TREATMENTS`; columns not listed are not shown). The table
#: name :data:`ALL` stands for every table. Tables a role does not list are closed to it.
#:
#: * ``sales`` -- the transactions (orders, order lines, products, stores) and, to serve a customer at
#:   the counter, a customer card with the name and phone masked;
#: * ``marketing`` -- the marketing data (campaigns, exposures, behavioural events, products) and the
#:   customer profile needed to build audiences, including the consent flag but no contact details:
#:   the sending platform, not the marketer, looks up the phone of a selected customer;
#: * ``management`` -- every table, every column (the source's "comprehensive data").
#:
#: Service records (tickets), surveys, channel accounts and the CRM/ERP masters are management-only;
#: add a role (for example a ``service`` role with the tickets) by copying and extending the dict.
ACCESS_POLICY: dict[str, dict[str, Any]] = {
    "sales": {
        "orders": ALL,
        "order_items": ALL,
        "products": ALL,
        "stores": ALL,
        "customers": {
            "customer_id": "show",
            "name": "mask_name",
            "phone": "mask_phone",
            "city": "show",
            "member_level": "show",
        },
    },
    "marketing": {
        "campaigns": ALL,
        "campaign_exposures": ALL,
        "events": ALL,
        "products": ALL,
        "customers": {
            "customer_id": "show",
            "gender": "show",
            "birth_year": "show",
            "birth_month": "show",
            "city": "show",
            "province": "show",
            "city_tier": "show",
            "signup_channel": "show",
            "member_level": "show",
            "marketing_consent": "show",
        },
    },
    "management": {ALL: ALL},
}

#: How :func:`forget_customer` follows a person into tables beyond the direct ``customer_id`` match:
#: ``(child table, key column, parent table)``. Rows of the child whose key appears among the
#: *removed* rows of the parent are removed too. Links are applied in this order, so a later link
#: sees the rows earlier links removed; links whose parent table is not passed are skipped.
#:
#: * order lines of the person's orders;
#: * anonymous events (before log-in or sign-up) in the person's sessions;
#: * the channel accounts that placed the person's orders or appear in the person's events, and --
#:   if you pass the brand's account -> person map as a table named ``identity_map`` (for example the
#:   output of :func:`opsutils.identity.resolve_identities` or the world's ``truth.account_map``) --
#:   every account that map assigns to the person.
DEFAULT_CASCADE: tuple[tuple[str, str, str], ...] = (
    ("order_items", "order_id", "orders"),
    ("events", "session_id", "events"),
    ("accounts", "account_id", "orders"),
    ("accounts", "account_id", "events"),
    ("accounts", "account_id", "identity_map"),
)

_NAME_MASK = "*"
_HEX_DIGITS = 64


# --------------------------------------------------------------------------- #
# Private helpers
# --------------------------------------------------------------------------- #
def _blank_to_missing(series: pd.Series) -> pd.Series:
    return series.where(series.str.strip().str.len() > 0)


def _check_key(key: Any) -> bytes:
    """The HMAC key as bytes; a missing or empty key is refused."""
    if key is None:
        raise ValueError("`key` is required: pass a secret str or bytes (kept in a key vault, never next to "
                         "the data). There is no default key on purpose.")
    if not isinstance(key, (str, bytes)):
        raise TypeError(f"`key` must be a str or bytes secret, got {type(key).__name__}.")
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("`key` is empty; pass a non-empty secret (for example 32 random bytes from "
                         "secrets.token_bytes(32)).")
    return raw


def _hmac_hex(raw_key: bytes, text: str) -> str:
    return hmac.new(raw_key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_qis(df: pd.DataFrame, quasi_identifiers: Any, *, name: str) -> list[str]:
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    if not isinstance(quasi_identifiers, Iterable):
        raise TypeError("`quasi_identifiers` must be a column name or a list of column names, got "
                        f"{type(quasi_identifiers).__name__}.")
    qis = list(quasi_identifiers)
    if not qis:
        raise ValueError("`quasi_identifiers` is empty; name at least one column (e.g. ['gender', 'age_band']).")
    repeated = sorted({q for q in qis if qis.count(q) > 1}, key=str)
    if repeated:
        raise ValueError(f"`quasi_identifiers` names {repeated} more than once; name each column once.")
    require_columns(df, qis, name=name)
    return qis


def _groups(df: pd.DataFrame, qis: list[str]):
    # dropna=False: a missing quasi-identifier is a value of its own (it is visible in the release);
    # observed=True: categorical bands that no row has are not classes of size 0.
    return df.groupby(qis, dropna=False, observed=True, sort=True)


# --------------------------------------------------------------------------- #
# Masking (display)
# --------------------------------------------------------------------------- #
def mask_phone(values: Any, *, region: str = "CN") -> pd.Series:
    """Mask phone numbers for display: ``138****5678`` (CN) or ``***-***-0123`` (US).

    Each number is first brought to its canonical form with
    :func:`opsutils.identity.normalize_phone`, so every house format (``+86 138 1234 5678``,
    ``138-1234-5678``, full-width digits ...) gives the same masked text.

    * CN mobile numbers keep the first three digits (the carrier prefix) and the last four; the
      middle four, which identify the number's home region, are hidden.
    * US numbers keep only the last four digits: the area code and the exchange reveal where a
      person lives.
    * A value that is present but not a valid number keeps only its last four digits, every other
      digit becoming ``*`` (separators and letters dropped); with four digits or fewer it becomes
      ``****``. Masking never reveals more of an invalid value than of a valid one.
    * Missing and blank values stay missing.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        Phone numbers as stored. A Series keeps its index and name.
    region : {"CN", "US"}, default "CN"
        Numbering plan (the ``en_US`` world uses ``"US"``).

    Returns
    -------
    pandas.Series
        dtype ``str``, the masked text or NaN.

    Raises
    ------
    TypeError
        If ``values`` is not one-dimensional array-like.
    ValueError
        If ``values`` holds floats or booleans, or ``region`` is unknown.

    See Also
    --------
    mask_name, mask_email, pseudonymize

    Examples
    --------
    >>> from opsutils.privacy import mask_phone
    >>> mask_phone(["13812345678", "+86 138 1234 5678", "138-1234-5678", "1381O345678", None]).tolist()
    ['138****5678', '138****5678', '138****5678', '******5678', nan]
    >>> mask_phone(["(415) 555-0123", "+1 415 555 0123"], region="US").tolist()
    ['***-***-0123', '***-***-0123']
    """
    require_option(region, REGIONS, name="region")
    series = _blank_to_missing(require_text(values, name="values", what="phone numbers"))
    canonical = normalize_phone(series, region=region)
    if region == "CN":
        masked_valid = canonical.str.slice(0, 3) + "****" + canonical.str.slice(-4)
    else:
        masked_valid = "***-***-" + canonical.str.slice(-4)
    digits = series.str.replace(r"[^0-9]", "", regex=True)
    n = digits.str.len().fillna(0).astype(int)
    stars = pd.Series(["*"] * len(series), index=series.index, dtype="str").str.repeat((n - 4).clip(lower=0))
    masked_invalid = (stars + digits.str.slice(-4)).where(n > 4, "****")
    out = masked_valid.where(canonical.notna(), masked_invalid).where(series.notna())
    return out.astype("str").rename(series.name)


def _mask_words(text: str) -> str:
    return " ".join(word[0] + _NAME_MASK * (len(word) - 1) for word in text.split())


def mask_name(values: Any) -> pd.Series:
    """Mask names for display: keep the first character of each word, e.g. ``张**``, ``J*** S****``.

    Chinese names are written without spaces, so only the first character (usually the family name)
    stays: ``张三丰`` -> ``张**``. Latin names keep their initials: ``John Smith`` -> ``J*** S****``.
    The number of stars follows the name's length, as Chinese apps usually display it. Missing and
    blank values stay missing; runs of spaces become one space.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        Names as stored. A Series keeps its index and name.

    Returns
    -------
    pandas.Series
        dtype ``str``, the masked names or NaN.

    Raises
    ------
    TypeError
        If ``values`` is not one-dimensional array-like.
    ValueError
        If ``values`` holds floats or booleans.

    See Also
    --------
    mask_phone, mask_email

    Examples
    --------
    >>> from opsutils.privacy import mask_name
    >>> mask_name(["张三丰", "李娜", "John Smith", "  Mary  ", None]).tolist()
    ['张**', '李*', 'J*** S****', 'M***', nan]
    """
    series = _blank_to_missing(require_text(values, name="values", what="names"))
    out = series.map(_mask_words, na_action="ignore")
    return out.astype("str").rename(series.name)


def _mask_address(text: str) -> str:
    local, at, domain = text.strip().partition("@")
    return (local[:1] or "*") + "***" + (at + domain if at else "")


def mask_email(values: Any) -> pd.Series:
    """Mask e-mail addresses for display: ``li.na@example.com`` -> ``l***@example.com``.

    The first character of the local part and the whole domain stay; the rest of the local part
    becomes three stars whatever its length. A value without ``@`` keeps only its first character.
    Missing and blank values stay missing.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        E-mail addresses as stored. A Series keeps its index and name.

    Returns
    -------
    pandas.Series
        dtype ``str``, the masked addresses or NaN.

    Raises
    ------
    TypeError
        If ``values`` is not one-dimensional array-like.
    ValueError
        If ``values`` holds floats or booleans.

    Examples
    --------
    >>> from opsutils.privacy import mask_email
    >>> mask_email(["li.na@example.com", " Bo@163.com", "not-an-address", None]).tolist()
    ['l***@example.com', 'B***@163.com', 'n***', nan]
    """
    series = _blank_to_missing(require_text(values, name="values", what="e-mail addresses"))
    out = series.map(_mask_address, na_action="ignore")
    return out.astype("str").rename(series.name)


_MASKERS = {"mask_name": mask_name, "mask_email": mask_email}


# --------------------------------------------------------------------------- #
# Pseudonymisation
# --------------------------------------------------------------------------- #
def pseudonymize(
    values: Any,
    key: str | bytes,
    *,
    normalize: str | None = None,
    region: str = "CN",
    length: int = _HEX_DIGITS,
) -> pd.Series:
    """Keyed pseudonyms: the HMAC-SHA256 of each value under a secret key, as hexadecimal text.

    The same value and key always give the same pseudonym, so pseudonymised tables still join on
    it; without the key nobody can recompute a pseudonym from a guessed value, which is what makes
    it safe for identifiers with few possible values (phone numbers, national ids, birthdays). Keep
    the key in a key vault, never in the notebook or next to the data; a new key gives new,
    unlinkable pseudonyms.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        The identifiers. Integers are accepted (as their decimal text); floats are rejected. A
        Series keeps its index and name. Text is encoded as UTF-8.
    key : str or bytes
        The secret. Required, non-empty; a str is encoded as UTF-8.
    normalize : {None, "phone", "email"}, default None
        Bring each value to its canonical form first (:func:`opsutils.identity.normalize_phone` or
        :func:`opsutils.identity.normalize_email`), so that ``+86 138 1234 5678`` and
        ``138-1234-5678`` -- one person, two house styles -- get the same pseudonym. Values that
        are not a valid phone or address then become missing, as in those functions.
    region : {"CN", "US"}, default "CN"
        Numbering plan for ``normalize="phone"``.
    length : int, default 64
        Keep the first ``length`` hexadecimal digits (8 to 64). Shorter pseudonyms are easier to
        read; 16 digits (64 bits) make an accidental collision among a million ids about one in
        thirty million.

    Returns
    -------
    pandas.Series
        dtype ``str``, one pseudonym per value; missing values stay missing.

    Raises
    ------
    ValueError
        If ``key`` is missing or empty, ``normalize`` or ``region`` is unknown, ``length`` is
        outside 8-64, or ``values`` holds floats or booleans.
    TypeError
        If ``key`` is not str/bytes, ``length`` not an integer, or ``values`` not array-like.

    See Also
    --------
    hmac.new : the standard-library HMAC used here (RFC 2104; test vectors in RFC 4231).

    Examples
    --------
    >>> from opsutils.privacy import pseudonymize
    >>> pseudonymize(["what do ya want for nothing?"], key="Jefe").iloc[0]  # RFC 4231, test case 2
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    >>> pseudonymize(["+86 138 1234 5678", "138-1234-5678", None], key="k", normalize="phone",
    ...              length=16).tolist()
    ['c365caf352e309a6', 'c365caf352e309a6', nan]
    """
    raw_key = _check_key(key)
    require_option(normalize, (None, "phone", "email"), name="normalize")
    require_option(region, REGIONS, name="region")
    length = require_positive_int(length, name="length", minimum=8)
    if length > _HEX_DIGITS:
        raise ValueError(f"`length` must be an integer from 8 to {_HEX_DIGITS} (hex digits of SHA-256); got {length}.")
    series = require_text(values, name="values", what="identifiers")
    if normalize == "phone":
        series = normalize_phone(series, region=region)
    elif normalize == "email":
        series = normalize_email(series)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    digests = np.array([_hmac_hex(raw_key, str(u))[:length] for u in uniques] + [np.nan], dtype=object)
    out = pd.Series(digests[codes], index=series.index, name=series.name, dtype="str")
    return out


# --------------------------------------------------------------------------- #
# Generalisation
# --------------------------------------------------------------------------- #
def _band_label(start: int, width: int) -> str:
    return str(start) if width == 1 else f"{start}-{start + width - 1}"


def generalize_age(
    values: Any,
    *,
    width: int = 10,
    as_of: Any = None,
    top: int | None = None,
) -> pd.Series:
    """Generalise ages (or birth years) into bands such as ``30-39``: an ordered categorical.

    Bands start at multiples of ``width`` (0-9, 10-19, ... for ``width=10``). With ``as_of``, the
    values are **birth years** and the age is the one reached in the calendar year of ``as_of``
    (``as_of.year - birth_year``): without a birth date it is exact to one year, which a 5- or
    10-year band absorbs. Without ``as_of`` the values are ages in years (fractions are floored).

    Parameters
    ----------
    values : pandas.Series or array-like of numbers
        Ages, or birth years when ``as_of`` is given. Missing values stay missing. A Series keeps
        its index; the result is named ``"age_band"``.
    width : int, default 10
        Band width in years, at least 1.
    as_of : date-like, optional
        Reference date that turns birth years into ages (no ``today()``: the result must not
        change when the notebook is re-run next year).
    top : int, optional
        Open-ended top band: every age ``>= top`` becomes ``"<top>+"`` (top-coding, so that the few
        oldest customers are not singled out). Must be a positive multiple of ``width``.

    Returns
    -------
    pandas.Series
        Ordered categorical; the categories run from the lowest to the highest band observed.

    Raises
    ------
    TypeError
        If ``width`` or ``top`` is not an integer, or ``values`` is not array-like.
    ValueError
        If ``width < 1``, ``top`` is not a positive multiple of ``width``, the values are not
        numeric, an age is negative, or a birth year lies after ``as_of``.

    Examples
    --------
    >>> from opsutils.privacy import generalize_age
    >>> generalize_age([19, 34, 35.5, 71, None], width=10).tolist()
    ['10-19', '30-39', '30-39', '70-79', nan]
    >>> generalize_age([1990, 1986, 1950], as_of="2025-12-31", width=5, top=60).tolist()
    ['35-39', '35-39', '60+']
    """
    width = require_positive_int(width, name="width")
    if top is not None:
        top = require_positive_int(top, name="top")
        if top % width:
            raise ValueError(f"`top` must be a multiple of `width` ({width}) so that bands do not overlap; got {top}.")
    series = require_1d(values, name="values", what="ages or birth years")
    what = "birth year" if as_of is not None else "age"
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            raise ValueError(f"`values` must be numeric {what}s; got {series[bad].iloc[0]!r}.")
        series = converted
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise ValueError(f"`values` must be numeric {what}s, got dtype {series.dtype}.")
    numbers_ = series.astype("float64")
    if as_of is not None:
        year = require_timestamp(as_of, name="as_of").year
        future = numbers_ > year
        if future.any():
            raise ValueError(f"`values` holds {int(future.sum())} birth year(s) after `as_of` ({year}), "
                             f"e.g. {numbers_[future].iloc[0]:.0f}; check the column or the date.")
        ages = year - numbers_
    else:
        ages = numbers_
    if not np.isfinite(ages.dropna()).all():
        raise ValueError("`values` holds infinite numbers; ages must be finite.")
    if (ages < 0).any():
        raise ValueError(f"`values` holds negative ages (min {ages.min():g}); ages must be >= 0.")
    start = np.floor(ages / width) * width
    labels = pd.Series(np.nan, index=series.index, dtype="object")
    present = start.notna()
    if present.any():
        lo, hi = int(start[present].min()), int(start[present].max())
        categories = [_band_label(s, width) for s in range(lo, hi + 1, width) if top is None or s < top]
        if top is not None and hi >= top:
            categories.append(f"{top}+")
        text = start[present].astype(int).map(
            lambda s: f"{top}+" if top is not None and s >= top else _band_label(s, width))
        labels[present] = text
    else:
        categories = []
    return pd.Series(pd.Categorical(labels, categories=categories, ordered=True),
                     index=series.index, name="age_band")


# --------------------------------------------------------------------------- #
# k-anonymity and l-diversity
# --------------------------------------------------------------------------- #
def equivalence_classes(
    df: pd.DataFrame,
    quasi_identifiers: Any,
    *,
    sensitive: str | None = None,
) -> pd.DataFrame:
    """One row per equivalence class: the rows that share every quasi-identifier value.

    A quasi-identifier (准标识符) is a column that does not name anyone by itself but, combined with
    others, can single a person out (gender, age, city). Everyone in a class is indistinguishable by
    those columns; a class of size 1 is a re-identified person for anyone who knows the values.
    Missing values are a value of their own (they are visible in a release).

    Parameters
    ----------
    df : pandas.DataFrame
        The release table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    sensitive : str, optional
        A sensitive column; adds ``distinct_sensitive``, its number of distinct values in the class
        (missing counts as one value).

    Returns
    -------
    pandas.DataFrame
        The quasi-identifier columns, ``size`` and (with ``sensitive``) ``distinct_sensitive``,
        smallest classes first.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ``df`` is empty, ``quasi_identifiers`` is empty or repeats a column, or ``sensitive``
        is one of the quasi-identifiers.

    See Also
    --------
    k_anonymity, l_diversity, suppress_small_classes

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import equivalence_classes
    >>> release = pd.DataFrame({"gender": ["F", "F", "F", "M"], "tier": [1, 1, 1, 2],
    ...                         "level": ["gold", "bronze", "gold", "bronze"]})
    >>> equivalence_classes(release, ["gender", "tier"], sensitive="level")
      gender  tier  size  distinct_sensitive
    0      M     2     1                   1
    1      F     1     3                   2
    """
    require_frame(df, name="df")
    qis = _check_qis(df, quasi_identifiers, name="df")
    groups = _groups(df, qis)
    out = groups.size().rename("size").to_frame()
    if sensitive is not None:
        require_columns(df, [sensitive], name="df")
        if sensitive in qis:
            raise ValueError(f"`sensitive` column {sensitive!r} is also a quasi-identifier; "
                             "a column cannot be both.")
        out["distinct_sensitive"] = groups[sensitive].nunique(dropna=False)
    out = out.reset_index().sort_values("size", kind="stable").reset_index(drop=True)
    return out


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Any) -> int:
    """The k of a release table: the size of its smallest equivalence class.

    A table is *k-anonymous* (K-匿名) when every combination of quasi-identifier values is shared by
    at least k rows, so that anyone who knows a person's values still faces k candidates. ``k = 1``
    means at least one person is unique. Missing values are a value of their own.

    Parameters
    ----------
    df : pandas.DataFrame
        The release table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.

    Returns
    -------
    int

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ``df`` is empty or ``quasi_identifiers`` is empty.

    See Also
    --------
    equivalence_classes, l_diversity, generalize_age, suppress_small_classes

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import k_anonymity
    >>> release = pd.DataFrame({"gender": ["F", "F", "M", "M", "M"], "band": ["30-39"] * 5})
    >>> k_anonymity(release, ["gender", "band"])
    2
    >>> k_anonymity(release, "band")
    5
    """
    classes = equivalence_classes(df, quasi_identifiers)
    return int(classes["size"].min())


def l_diversity(df: pd.DataFrame, quasi_identifiers: Any, sensitive: str) -> int:
    """Distinct l-diversity: the fewest distinct sensitive values found in any equivalence class.

    k-anonymity hides *who* a row is, but not *what* it says: if every member of a class has the
    same sensitive value, knowing that someone is in the class reveals it (attribute disclosure).
    ``l = 1`` means at least one class is uniform. Missing sensitive values count as one value.

    Parameters
    ----------
    df : pandas.DataFrame
        The release table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    sensitive : str
        The sensitive column.

    Returns
    -------
    int

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ``df`` is empty, ``quasi_identifiers`` is empty, or ``sensitive`` is a quasi-identifier.

    See Also
    --------
    k_anonymity, equivalence_classes

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import k_anonymity, l_diversity
    >>> release = pd.DataFrame({"band": ["30-39"] * 4 + ["40-49"] * 4,
    ...                         "complaint": ["refund"] * 4 + ["refund", "quality", "refund", "delay"]})
    >>> k_anonymity(release, "band"), l_diversity(release, "band", "complaint")
    (4, 1)
    """
    if not isinstance(sensitive, str) and not isinstance(sensitive, numbers.Integral):
        raise TypeError(f"`sensitive` must be one column name, got {type(sensitive).__name__}.")
    classes = equivalence_classes(df, quasi_identifiers, sensitive=sensitive)
    return int(classes["distinct_sensitive"].min())


def suppress_small_classes(df: pd.DataFrame, quasi_identifiers: Any, *, k: int) -> pd.DataFrame:
    """Drop the rows of every equivalence class smaller than ``k`` (suppression).

    Generalisation coarsens values for everyone; suppression removes the few rows that are still
    rare. Together they make a table k-anonymous while keeping detail for the common cases.
    Report how many rows were suppressed: a release that silently loses its rare customers is
    biased.

    Parameters
    ----------
    df : pandas.DataFrame
        The release table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    k : int
        Smallest class size to keep (at least 1; ``k=1`` keeps every row).

    Returns
    -------
    pandas.DataFrame
        A new frame with the rows of the remaining classes, in their original order and index. It
        may be empty if no class reaches ``k``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ``df`` is empty, ``quasi_identifiers`` is empty, or ``k < 1``.

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import k_anonymity, suppress_small_classes
    >>> release = pd.DataFrame({"city": ["Hangzhou"] * 3 + ["Huangshan"], "band": ["30-39"] * 4})
    >>> kept = suppress_small_classes(release, ["city", "band"], k=2)
    >>> len(kept), k_anonymity(kept, ["city", "band"])
    (3, 3)
    """
    require_frame(df, name="df")
    qis = _check_qis(df, quasi_identifiers, name="df")
    k = require_positive_int(k, name="k")
    sizes = _groups(df, qis)[qis[0]].transform("size")
    return df.loc[(sizes >= k).to_numpy()].copy()


# --------------------------------------------------------------------------- #
# Role-based views
# --------------------------------------------------------------------------- #
def _table_spec(policy: Mapping[str, Any], role: str, table: str) -> Any:
    if not isinstance(policy, Mapping) or not policy:
        raise TypeError("`policy` must be a non-empty mapping role -> table -> spec, like ACCESS_POLICY.")
    require_option(role, tuple(policy), name="role")
    grants = policy[role]
    if not isinstance(grants, Mapping):
        raise TypeError(f"policy[{role!r}] must be a mapping table -> spec, got {type(grants).__name__}.")
    if table in grants:
        return grants[table]
    if ALL in grants:
        return grants[ALL]
    allowed = ", ".join(repr(t) for t in grants) or "(none)"
    raise PermissionError(f"Role {role!r} has no access to table {table!r} under this policy. "
                          f"Tables open to {role!r}: {allowed}.")


def role_view(
    df: pd.DataFrame,
    role: str,
    *,
    table: str,
    policy: Mapping[str, Any] = ACCESS_POLICY,
    region: str = "CN",
) -> pd.DataFrame:
    """The part of a table that a role may see: allowed columns only, masked where the policy says.

    Parameters
    ----------
    df : pandas.DataFrame
        The full table.
    role : str
        A role of ``policy`` (by default ``"sales"``, ``"marketing"`` or ``"management"``).
    table : str
        Which table ``df`` is (the policy is written per table).
    policy : mapping, default :data:`ACCESS_POLICY`
        ``role -> table -> spec``, where a spec is :data:`ALL` or ``{column: treatment}`` with a
        treatment from :data:`TREATMENTS`; the table name :data:`ALL` stands for every table.
    region : {"CN", "US"}, default "CN"
        Numbering plan for ``"mask_phone"``.

    Returns
    -------
    pandas.DataFrame
        A new frame with the visible columns, in the order of ``df``.

    Raises
    ------
    ValueError
        If ``df`` is empty, ``role`` is not in the policy (the message lists the roles), or a
        treatment is unknown.
    PermissionError
        If the policy does not open ``table`` to ``role`` (the message lists the role's tables).
    KeyError
        If the policy names a column that ``df`` lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import role_view
    >>> customers = pd.DataFrame({"customer_id": ["C1"], "name": ["张三丰"], "phone": ["13812345678"],
    ...                           "city": ["杭州"], "member_level": ["gold"], "address": ["西湖区1号"]})
    >>> role_view(customers, "sales", table="customers")
      customer_id name        phone city member_level
    0          C1  张**  138****5678   杭州         gold
    >>> role_view(customers, "marketing", table="orders")
    Traceback (most recent call last):
    ...
    PermissionError: Role 'marketing' has no access to table 'orders' under this policy. Tables open to 'marketing': 'campaigns', 'campaign_exposures', 'events', 'products', 'customers'.
    """
    require_frame(df, name="df")
    require_option(region, REGIONS, name="region")
    spec = _table_spec(policy, role, table)
    if spec == ALL:
        return df.copy()
    if not isinstance(spec, Mapping):
        raise TypeError(f"policy[{role!r}][{table!r}] must be ALL ('*') or a mapping column -> treatment, "
                        f"got {type(spec).__name__}.")
    for column, treatment in spec.items():
        require_option(treatment, TREATMENTS, name=f"policy[{role!r}][{table!r}][{column!r}]")
    require_columns(df, list(spec), name="df")
    out = df[[c for c in df.columns if c in spec]].copy()
    for column, treatment in spec.items():
        if treatment == "mask_phone":
            out[column] = mask_phone(out[column], region=region)
        elif treatment != "show":
            out[column] = _MASKERS[treatment](out[column])
    return out


# --------------------------------------------------------------------------- #
# Right to deletion
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ForgetAudit:
    """Audit record of one deletion request, free of the person's identifier.

    Attributes
    ----------
    reference : str
        HMAC-SHA256 of the forgotten id under the brand's key: the audit can prove that a given id
        was forgotten (:meth:`verify`) without storing that id.
    customer_col : str
        The id column that was matched.
    as_of : pandas.Timestamp
        When the deletion was carried out.
    tables, keys : tuple of str
        Every table passed, and how its rows were found (``"customer_id"``, ``"order_id via
        orders"`` ...; ``"none"`` for tables with no link to people).
    rows_removed, rows_kept : tuple of int
        Rows removed from and kept in each table.
    """

    reference: str
    customer_col: str
    as_of: pd.Timestamp
    tables: tuple[str, ...]
    keys: tuple[str, ...]
    rows_removed: tuple[int, ...]
    rows_kept: tuple[int, ...]

    @property
    def total_removed(self) -> int:
        """Rows removed over all tables."""
        return int(sum(self.rows_removed))

    def verify(self, customer_id: Any, key: str | bytes) -> bool:
        """Whether this record is the deletion of ``customer_id`` (recomputes the keyed reference).

        Examples
        --------
        >>> import pandas as pd
        >>> from opsutils.privacy import forget_customer
        >>> tables = {"customers": pd.DataFrame({"customer_id": ["C1", "C2"]})}
        >>> _, audit = forget_customer(tables, "C1", key="k", as_of="2025-12-31")
        >>> audit.verify("C1", key="k"), audit.verify("C2", key="k")
        (True, False)
        """
        candidate = _hmac_hex(_check_key(key), str(customer_id))
        return hmac.compare_digest(candidate, self.reference)

    def to_frame(self) -> pd.DataFrame:
        """One row per table: table, key, rows_removed, rows_kept, as_of, reference."""
        return pd.DataFrame({
            "table": list(self.tables),
            "key": list(self.keys),
            "rows_removed": np.array(self.rows_removed, dtype="int64"),
            "rows_kept": np.array(self.rows_kept, dtype="int64"),
            "as_of": [self.as_of] * len(self.tables),
            "reference": [self.reference] * len(self.tables),
        })


def _check_cascade(cascade: Any) -> list[tuple[str, str, str]]:
    if isinstance(cascade, (str, bytes)) or not isinstance(cascade, Iterable):
        raise TypeError("`cascade` must be a sequence of (child table, key column, parent table) triples.")
    links = []
    for link in cascade:
        if (not isinstance(link, Sequence) or isinstance(link, str) or len(link) != 3
                or not all(isinstance(part, str) for part in link)):
            raise ValueError(f"Each `cascade` link must be (child table, key column, parent table) as three "
                             f"strings, e.g. ('order_items', 'order_id', 'orders'); got {link!r}.")
        links.append(tuple(link))
    return links


def _describe_links(links: list[tuple[str, str | None]]) -> str:
    """``[("customer_id", None), ("session_id", "events")]`` -> ``"customer_id; session_id via events"``."""
    if not links:
        return "none"
    parts: dict[str, list[str]] = {}
    for column, parent in links:
        parts.setdefault(column, [])
        if parent is not None and parent not in parts[column]:
            parts[column].append(parent)
    return "; ".join(f"{column} via {', '.join(parents)}" if parents else column for column, parents in parts.items())


def forget_customer(
    tables: Mapping[str, pd.DataFrame],
    customer_id: Any,
    *,
    key: str | bytes,
    as_of: Any,
    customer_col: str = "customer_id",
    cascade: Iterable[tuple[str, str, str]] = DEFAULT_CASCADE,
) -> tuple[dict[str, pd.DataFrame], ForgetAudit]:
    """Remove one person from every table (right to deletion, 删除权) and return an audit record.

    1. In every table that has ``customer_col``, the rows with ``customer_id`` are removed.
    2. The ``cascade`` links then follow the person into tables that hold them only through another
       key: ``order_items`` through the ``order_id`` of the removed orders, anonymous events through
       the person's sessions, channel accounts through the removed orders, events and (if passed)
       an ``identity_map`` table. See :data:`DEFAULT_CASCADE`.
    3. Every other row is kept exactly as it was, with its index; tables with no link to people
       (products, stores, campaigns) are returned as copies.

    Deletion is only as complete as the links: a channel account the brand never linked to the
    person stays. Pass the brand's identity map (account -> customer) as ``tables["identity_map"]``
    to catch those. Where a law requires keeping a record (accounting, tax), anonymise or restrict
    it instead; that policy decision sits outside this function.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Table name -> table, e.g. ``world.tables()``. Not modified.
    customer_id : str or int
        The id to forget. Must occur in at least one table.
    key : str or bytes
        Secret for the audit's keyed reference (:func:`pseudonymize`); required.
    as_of : date-like
        Time of the deletion, recorded in the audit.
    customer_col : str, default "customer_id"
        The person-id column.
    cascade : sequence of (child, key column, parent), default :data:`DEFAULT_CASCADE`
        Links to follow, in order; pass ``()`` to remove direct matches only.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        New tables, same names and order.
    audit : ForgetAudit
        Rows removed and kept per table, the key used, ``as_of`` and the keyed reference.

    Raises
    ------
    TypeError
        If ``tables`` is not a mapping of DataFrames, or ``cascade`` is malformed.
    ValueError
        If ``tables`` is empty, ``customer_id`` is missing or not found in any table, ``key`` is
        missing or empty, ``as_of`` is not a date, or a cascade child is passed without any of its
        parents (its rows could not be found).
    KeyError
        If no table has ``customer_col``, or a cascade key column is missing (message lists the
        table's columns).

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.privacy import forget_customer
    >>> tables = {
    ...     "customers": pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["Li", "Wang"]}),
    ...     "orders": pd.DataFrame({"order_id": ["O1", "O2", "O3"], "customer_id": ["C1", "C2", "C1"]}),
    ...     "order_items": pd.DataFrame({"order_id": ["O1", "O1", "O2", "O3"], "product_id": list("ABCD")}),
    ... }
    >>> kept, audit = forget_customer(tables, "C1", key="secret", as_of="2025-12-31")
    >>> kept["order_items"]
      order_id product_id
    2       O2          C
    >>> audit.to_frame()[["table", "key", "rows_removed", "rows_kept"]]
             table                  key  rows_removed  rows_kept
    0    customers          customer_id             1          1
    1       orders          customer_id             2          1
    2  order_items  order_id via orders             3          1
    """
    if not isinstance(tables, Mapping):
        raise TypeError(f"`tables` must be a mapping table name -> DataFrame (e.g. world.tables()), "
                        f"got {type(tables).__name__}.")
    if not tables:
        raise ValueError("`tables` is empty; pass at least one table.")
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"`tables[{name!r}]` must be a pandas DataFrame, got {type(df).__name__}.")
    if customer_id is None or customer_id is pd.NA or (isinstance(customer_id, float) and math.isnan(customer_id)):
        raise ValueError("`customer_id` is missing; pass the id to forget, e.g. 'C0000042'.")
    if isinstance(customer_id, (bool, np.bool_)) or not isinstance(customer_id, (str, numbers.Integral)):
        raise TypeError(f"`customer_id` must be a str or int id, got {type(customer_id).__name__}.")
    raw_key = _check_key(key)
    when = require_timestamp(as_of, name="as_of")
    links = _check_cascade(cascade)

    holders = [name for name, df in tables.items() if customer_col in df.columns]
    if not holders:
        raise KeyError(f"Column {customer_col!r} not found in any table of `tables` "
                       f"({', '.join(repr(n) for n in tables)}); set `customer_col`.")
    removed: dict[str, np.ndarray] = {name: np.zeros(len(df), dtype=bool) for name, df in tables.items()}
    how: dict[str, list[tuple[str, str | None]]] = {name: [] for name in tables}
    for name in holders:
        removed[name] = (tables[name][customer_col] == customer_id).to_numpy(dtype=bool, na_value=False)
        how[name].append((customer_col, None))
    if not any(removed[name].any() for name in holders):
        raise ValueError(f"`customer_id` {customer_id!r} was not found in column {customer_col!r} of any table "
                         f"({', '.join(repr(n) for n in holders)}); nothing to forget. Check the id "
                         "(ids are case-sensitive, e.g. 'C0000042').")

    orphans = sorted({child for child, _, _ in links
                      if child in tables and customer_col not in tables[child].columns
                      and not any(c == child and p in tables for c, _, p in links)})
    if orphans:
        parents = {c: sorted({p for cc, _, p in links if cc == c}) for c in orphans}
        raise ValueError(f"Cannot find the person's rows in {orphans}: none of their parent tables {parents} "
                         "was passed. Pass the parent table(s), or drop the link from `cascade`.")

    for child, child_key, parent in links:
        if child not in tables or parent not in tables:
            continue
        require_columns(tables[parent], [child_key], name=f"tables[{parent!r}]")
        require_columns(tables[child], [child_key], name=f"tables[{child!r}]")
        parent_keys = tables[parent][child_key][removed[parent]].dropna().unique()
        removed[child] = removed[child] | tables[child][child_key].isin(parent_keys).to_numpy(dtype=bool)
        how[child].append((child_key, parent))
    out = {name: df.loc[~removed[name]].copy() for name, df in tables.items()}
    audit = ForgetAudit(
        reference=_hmac_hex(raw_key, str(customer_id)),
        customer_col=customer_col,
        as_of=when,
        tables=tuple(tables),
        keys=tuple(_describe_links(how[name]) for name in tables),
        rows_removed=tuple(int(removed[name].sum()) for name in tables),
        rows_kept=tuple(int((~removed[name]).sum()) for name in tables),
    )
    return out, audit
