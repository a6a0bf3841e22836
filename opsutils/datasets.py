"""Generate, cache and load the course datasets: the synthetic omnichannel world on disk.

The course notebooks all work on one default world (20,000 customers, 2024-2025, seed 2025,
Chinese locale). Generating it takes a while, so :func:`generate` writes every table once as a
Parquet file and :func:`load` / :func:`load_world` read them back. Any other world (a different
seed, size, window or locale) is cached in its own sub-folder, so experiments never overwrite
the default data.

Where the files live (see :func:`data_dir`):

1. the folder in the ``OPSUTILS_DATA_DIR`` environment variable, if set;
2. otherwise the repository's ``datasets/`` folder, when it exists and is writable;
3. otherwise a per-user cache folder (``$XDG_CACHE_HOME/opsutils`` or ``~/.cache/opsutils``).

Each world folder holds ``<table>.parquet`` for the thirteen tables, ``truth.json`` (the planted
parameters), ``truth_account_map.parquet`` (the true account -> customer map) and
``world_config.json`` (the arguments, the generator fingerprint and the software versions).
A folder is regenerated automatically when a file is missing, when it was written for other
arguments, or when the generator's source code (``opsutils/synth``) has changed since.

Command line::

    python -m opsutils.datasets generate [--force] [--n-customers N] [--seed S]
                                         [--locale L] [--start D] [--end D]
    python -m opsutils.datasets manifest [--check]

Examples
--------
>>> from opsutils import datasets
>>> orders = datasets.load("orders")                      # doctest: +SKIP
>>> world = datasets.load_world()                         # doctest: +SKIP
>>> small = datasets.load_world(n_customers=2_000, seed=7)  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import datetime as _dt
import difflib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsutils import _validation as v
from opsutils.synth._types import TABLE_NAMES, Truth, World, WorldConfig

__all__ = [
    "DEFAULT_CONFIG",
    "MANIFEST_PATH",
    "TABLE_NAMES",
    "content_hash",
    "data_dir",
    "generate",
    "load",
    "load_cdnow",
    "load_truth",
    "load_world",
    "manifest",
    "write_manifest",
]

#: The arguments of the default world that every notebook uses (do not modify; pass keyword
#: arguments to :func:`load` / :func:`generate` instead).
DEFAULT_CONFIG: dict[str, Any] = {
    "n_customers": 20_000,
    "start": "2024-01-01",
    "end": "2025-12-31",
    "seed": 2025,
    "locale": "zh_CN",
}

_REPO_ROOT = Path(__file__).resolve().parents[1]
_REPO_DATASETS = _REPO_ROOT / "datasets"

#: The pinned content hashes of the default world (``python -m opsutils.datasets manifest``).
MANIFEST_PATH: Path = _REPO_DATASETS / "manifest.json"

_DATA_DIR_ENV = "OPSUTILS_DATA_DIR"
_FORMAT_VERSION = 1  # bump when the on-disk layout below changes
_CONFIG_FILE = "world_config.json"
_TRUTH_FILE = "truth.json"
_ACCOUNT_MAP_FILE = "truth_account_map.parquet"
_ACCOUNT_MAP_KEY = "truth_account_map"
_GENERATED_SUBDIR = "_generated"
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 24 * 3600
_HASH_DECIMALS = 6
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$")


# --- argument checks -------------------------------------------------------------------------------
def _require_date(value: Any, *, name: str) -> str:
    """Normalise a date-like value to ``"YYYY-MM-DD"`` (so equal dates give equal configs)."""
    ts = v.require_timestamp(value, name=name)
    if ts.tz is not None or ts != ts.normalize():
        raise ValueError(f"`{name}` must be a calendar date such as '2024-01-01' (no time of day, "
                         f"no time zone); got {value!r}.")
    return ts.strftime("%Y-%m-%d")


def _world_config(kwargs: Mapping[str, Any], *, func: str) -> dict[str, Any]:
    """Check the world keyword arguments and return the complete, normalised configuration."""
    unknown = [k for k in kwargs if k not in DEFAULT_CONFIG]
    if unknown:
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(k, list(DEFAULT_CONFIG), n=1)
            hints.append(f"{k!r} (did you mean {close[0]!r}?)" if close else repr(k))
        valid = ", ".join(DEFAULT_CONFIG)
        raise TypeError(f"{func}() got unexpected keyword argument(s) {', '.join(hints)}; "
                        f"the world arguments are {valid}.")
    cfg = {**DEFAULT_CONFIG, **kwargs}
    locale = cfg["locale"]
    if not isinstance(locale, str) or not _LOCALE_RE.match(locale):
        raise ValueError(f"`locale` must be a locale name such as 'zh_CN' or 'en_US'; got {locale!r}.")
    return {
        "n_customers": v.require_positive_int(cfg["n_customers"], name="n_customers", minimum=1),
        "start": _require_date(cfg["start"], name="start"),
        "end": _require_date(cfg["end"], name="end"),
        "seed": v.require_positive_int(cfg["seed"], name="seed", minimum=0),
        "locale": locale,
    }


# --- where the files live --------------------------------------------------------------------------
def data_dir() -> Path:
    """Return the folder that holds the generated datasets.

    Returns
    -------
    pathlib.Path
        ``$OPSUTILS_DATA_DIR`` if that environment variable is set; otherwise the repository's
        ``datasets/`` folder when it exists and is writable; otherwise a per-user cache folder
        (``$XDG_CACHE_HOME/opsutils``, by default ``~/.cache/opsutils``). The folder may not
        exist yet: :func:`generate` creates it.

    Examples
    --------
    >>> import os
    >>> os.environ["OPSUTILS_DATA_DIR"] = "/tmp/opsutils-data"
    >>> str(data_dir())
    '/tmp/opsutils-data'
    >>> del os.environ["OPSUTILS_DATA_DIR"]
    """
    env = os.environ.get(_DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().absolute()
    if _REPO_DATASETS.is_dir() and os.access(_REPO_DATASETS, os.W_OK | os.X_OK):
        return _REPO_DATASETS
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser().absolute() / "opsutils"


def _folder_name(cfg: Mapping[str, Any]) -> str:
    return f"n{cfg['n_customers']}_seed{cfg['seed']}_{cfg['locale']}_{cfg['start']}_{cfg['end']}"


def _world_folder(cfg: Mapping[str, Any]) -> Path:
    """The default world lives in :func:`data_dir` itself, every other one in a sub-folder."""
    root = data_dir()
    if dict(cfg) == _world_config({}, func="generate"):
        return root
    return root / _GENERATED_SUBDIR / _folder_name(cfg)


def _data_files() -> list[str]:
    return [f"{name}.parquet" for name in TABLE_NAMES] + [_ACCOUNT_MAP_FILE, _TRUTH_FILE]


def _generator_fingerprint() -> str:
    """sha256 of the generator's source files, so that a changed generator invalidates the cache."""
    import opsutils.synth as synth

    root = Path(synth.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n"))
        h.update(b"\0")
    return h.hexdigest()


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / _CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _is_fresh(folder: Path, cfg: Mapping[str, Any]) -> bool:
    meta = _read_meta(folder)
    return (
        meta is not None
        and meta.get("format") == _FORMAT_VERSION
        and meta.get("request") == dict(cfg)
        and meta.get("generator") == _generator_fingerprint()
        and all((folder / f).is_file() for f in _data_files())
    )


# --- writing ---------------------------------------------------------------------------------------
def _make_world(**cfg: Any) -> World:
    """Indirection so that tests can substitute a tiny fake world."""
    from opsutils.synth import make_world

    return make_world(**cfg)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (pd.Timestamp, _dt.date, _dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"truth parameter of type {type(obj).__name__} is not JSON-serialisable: {obj!r}")


def _dump_json(obj: Any, path: Path) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text + "\n")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, engine="pyarrow", compression="zstd", index=False)


def _read_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")


def _sweep_stale_tmp(folder: Path) -> None:
    """Remove temporary folders left behind by a generation that was killed long ago."""
    now = time.time()
    for tmp in folder.glob(_TMP_PREFIX + "*"):
        try:
            if tmp.is_dir() and now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def _versions() -> dict[str, str]:
    import pyarrow

    import opsutils

    return {
        "opsutils": opsutils.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
    }


def _generate(cfg: dict[str, Any], *, force: bool, progress: bool = False) -> tuple[Path, dict[str, Any] | None]:
    """Write the world for ``cfg`` unless it is already fresh; return the folder and a report."""
    folder = _world_folder(cfg)
    if not force and _is_fresh(folder, cfg):
        return folder, None

    t0 = time.perf_counter()
    world = _make_world(**cfg, progress=True) if progress else _make_world(**cfg)
    if not isinstance(world, World):
        raise TypeError(f"make_world() must return a World; got {type(world).__name__}.")
    report: dict[str, Any] = {"generate_seconds": time.perf_counter() - t0, "files": []}

    folder.mkdir(parents=True, exist_ok=True)
    _sweep_stale_tmp(folder)
    # Everything is written to a temporary folder inside the target folder (same file system),
    # then moved into place file by file with os.replace, which is atomic: a reader or a crash
    # never sees a half-written file. world_config.json is removed first and moved in last, so
    # an interrupted swap leaves a folder that is recognised as stale and regenerated.
    tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=folder))
    try:
        parts = [*world.tables().items(), (_ACCOUNT_MAP_KEY, world.truth.account_map)]
        for name, df in parts:
            if not isinstance(df, pd.DataFrame):
                raise TypeError(f"world table {name!r} must be a DataFrame; got {type(df).__name__}.")
            t = time.perf_counter()
            _write_parquet(df, tmp / f"{name}.parquet")
            report["files"].append((f"{name}.parquet", len(df), time.perf_counter() - t))
        _dump_json(world.truth.params, tmp / _TRUTH_FILE)
        report["files"].append((_TRUTH_FILE, None, 0.0))
        meta = {
            "format": _FORMAT_VERSION,
            "request": cfg,
            "config": world.config.to_dict(),
            "generator": _generator_fingerprint(),
            "versions": _versions(),
            "tables": {name: {"rows": len(df), "columns": int(df.shape[1])} for name, df in parts},
        }
        _dump_json(meta, tmp / _CONFIG_FILE)

        (folder / _CONFIG_FILE).unlink(missing_ok=True)
        for name in _data_files():
            os.replace(tmp / name, folder / name)
        os.replace(tmp / _CONFIG_FILE, folder / _CONFIG_FILE)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["total_seconds"] = time.perf_counter() - t0
    return folder, report


def generate(*, force: bool = False, **world_kwargs: Any) -> Path:
    """Generate a world and write it to disk, unless an up-to-date copy is already there.

    Parameters
    ----------
    force : bool, default False
        Regenerate even if the files exist and are up to date.
    **world_kwargs
        Arguments of :func:`opsutils.synth.make_world` that differ from :data:`DEFAULT_CONFIG`:
        ``n_customers``, ``start``, ``end``, ``seed``, ``locale``.

    Returns
    -------
    pathlib.Path
        The world's folder: :func:`data_dir` for the default world, otherwise a sub-folder
        ``_generated/n<N>_seed<S>_<locale>_<start>_<end>`` of it.

    Raises
    ------
    TypeError
        For an unknown keyword argument, or a non-integer ``n_customers`` / ``seed``.
    ValueError
        For an invalid argument value (for example ``start="yesterday"``).

    Notes
    -----
    Files are written atomically (to a temporary folder, then moved into place one by one),
    so an interrupted run never leaves a half-written table behind. A folder counts as up to
    date when every file exists and ``world_config.json`` records the same arguments and the
    same generator source code.

    Examples
    --------
    >>> folder = generate()                               # doctest: +SKIP
    >>> sorted(p.name for p in folder.glob("*.parquet"))[:3]  # doctest: +SKIP
    ['accounts.parquet', 'campaign_exposures.parquet', 'campaigns.parquet']
    >>> generate(n_customers=2_000, seed=7).name          # doctest: +SKIP
    'n2000_seed7_zh_CN_2024-01-01_2025-12-31'
    """
    folder, _ = _generate(_world_config(world_kwargs, func="generate"), force=bool(force))
    return folder


def _ensure(world_kwargs: Mapping[str, Any], *, func: str) -> Path:
    folder, _ = _generate(_world_config(world_kwargs, func=func), force=False)
    return folder


# --- reading ---------------------------------------------------------------------------------------
def load(name: str, **world_kwargs: Any) -> pd.DataFrame:
    """Load one table of a world, generating the world first if it is not on disk yet.

    Parameters
    ----------
    name : str
        One of :data:`TABLE_NAMES`: ``"customers"``, ``"accounts"``, ``"crm_customers"``,
        ``"erp_customers"``, ``"products"``, ``"stores"``, ``"orders"``, ``"order_items"``,
        ``"events"``, ``"campaigns"``, ``"campaign_exposures"``, ``"tickets"``, ``"surveys"``.
    **world_kwargs
        Which world (see :func:`generate`); by default the course's default world.

    Returns
    -------
    pandas.DataFrame
        A fresh DataFrame read from disk: changing it never affects the next ``load``.

    Raises
    ------
    ValueError
        If ``name`` is not a table name.

    Examples
    --------
    >>> orders = load("orders")                           # doctest: +SKIP
    >>> small_orders = load("orders", n_customers=2_000, seed=7)  # doctest: +SKIP
    >>> load("custmers")
    Traceback (most recent call last):
    ...
    ValueError: `name` must be one of 'customers', 'accounts', 'crm_customers', 'erp_customers', 'products', 'stores', 'orders', 'order_items', 'events', 'campaigns', 'campaign_exposures', 'tickets', 'surveys'; got 'custmers'.
    """
    v.require_option(name, TABLE_NAMES, name="name")
    folder = _ensure(world_kwargs, func="load")
    return _read_parquet(folder / f"{name}.parquet")


def load_world(**world_kwargs: Any) -> World:
    """Load every table of a world plus its planted truth and configuration.

    Parameters
    ----------
    **world_kwargs
        Which world (see :func:`generate`); by default the course's default world.

    Returns
    -------
    opsutils.synth.World
        The thirteen tables, ``truth`` (``params`` read from ``truth.json`` and the true
        ``account_map``) and ``config``. JSON turns tuples in ``truth.params`` into lists.

    Examples
    --------
    >>> world = load_world()                              # doctest: +SKIP
    >>> world.summary().head(2)                           # doctest: +SKIP
    >>> world.truth["bgnbd"]                              # doctest: +SKIP
    """
    folder = _ensure(world_kwargs, func="load_world")
    meta = _read_meta(folder)
    if meta is None:  # pragma: no cover - only if another process is regenerating right now
        raise FileNotFoundError(f"{folder / _CONFIG_FILE} is missing; run `python -m opsutils.datasets generate`.")
    tables = {name: _read_parquet(folder / f"{name}.parquet") for name in TABLE_NAMES}
    return World(**tables, truth=_read_truth(folder), config=WorldConfig(**meta["config"]))


def _read_truth(folder: Path) -> Truth:
    params = json.loads((folder / _TRUTH_FILE).read_text(encoding="utf-8"))
    return Truth(params=params, account_map=_read_parquet(folder / _ACCOUNT_MAP_FILE))


def load_truth(**world_kwargs: Any) -> Truth:
    """Load only a world's planted truth (parameters and the true account map), not its tables.

    Much lighter than :func:`load_world` when a lesson or a check needs the truth alone.

    Parameters
    ----------
    **world_kwargs
        Which world (see :func:`generate`); by default the course's default world.

    Returns
    -------
    opsutils.synth.Truth

    Examples
    --------
    >>> truth = load_truth()                              # doctest: +SKIP
    >>> truth["experiments"]["EXP-1"]["planted_lift_7d_conversion"]   # doctest: +SKIP
    0.015
    """
    return _read_truth(_ensure(world_kwargs, func="load_truth"))


# --- real data: the CDNOW sample --------------------------------------------------------------------
#: The CDNOW calibration and holdout periods of Fader, Hardie & Lee (2005): 39 + 39 weeks.
CDNOW_CALIBRATION_END = "1997-09-30"
CDNOW_OBSERVATION_END = "1998-06-30"
_CDNOW_DIST = "lifetimes"
_CDNOW_FILE = "lifetimes/datasets/CDNOW_sample.txt"


def _cdnow_path() -> Path:
    """Locate CDNOW_sample.txt in the installed ``lifetimes`` distribution, without importing it."""
    from importlib import metadata

    try:
        dist = metadata.distribution(_CDNOW_DIST)
    except metadata.PackageNotFoundError:
        raise ModuleNotFoundError(
            "The CDNOW sample ships inside the 'lifetimes' distribution, which is not installed; "
            "run `pip install lifetimes` (only its data files are used)."
        ) from None
    for f in dist.files or ():
        if str(f).replace("\\", "/") == _CDNOW_FILE:
            return Path(dist.locate_file(f))
    raise FileNotFoundError(f"{_CDNOW_FILE} is not in lifetimes {dist.version}'s file list.")


def load_cdnow(kind: str = "summary") -> pd.DataFrame:
    """The CDNOW sample (Fader & Hardie): 2,357 customers of an online CD store, 1997-1998.

    A 1/10th sample of the cohort of customers who made their first purchase at CDNOW in the first
    quarter of 1997, with every purchase to the end of June 1998. It is the data set of Fader,
    Hardie & Lee (2005) "Counting your customers the easy way" and a standard benchmark for the
    BG/NBD and Gamma-Gamma models. The file ships inside the ``lifetimes`` distribution on PyPI
    (MIT licence); it is read from the installed files, and ``lifetimes`` itself is never imported.

    Parameters
    ----------
    kind : {"summary", "transactions"}, default "summary"
        ``"transactions"``: one row per purchase, columns ``customer_id`` (1..2357), ``order_ts``
        (the day), ``n_cds`` and ``amount`` (US dollars). ``"summary"``: one row per customer, built
        from those transactions with :func:`opsutils.clv.summary_from_transactions` in weeks at full
        precision, calibration to 1997-09-30 (39 weeks) and holdout to 1998-06-30: ``frequency``,
        ``recency``, ``T``, ``monetary_value``, ``frequency_holdout``, ``duration_holdout`` and
        ``monetary_holdout``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> s = load_cdnow()
    >>> len(s), int(s["frequency"].sum()), round(float(s["T"].max()), 2)
    (2357, 2457, 38.86)
    >>> load_cdnow("transactions").shape
    (6919, 4)
    """
    kind = v.require_option(kind, ("summary", "transactions"), name="kind")
    tx = pd.read_csv(_cdnow_path(), sep=r"\s+", header=None, dtype={2: str},
                     names=["master_id", "customer_id", "date", "n_cds", "amount"])
    tx = pd.DataFrame({
        "customer_id": tx["customer_id"].astype("int64"),
        "order_ts": pd.to_datetime(tx["date"], format="%Y%m%d"),
        "n_cds": tx["n_cds"].astype("int64"),
        "amount": tx["amount"].astype("float64"),
    })
    if kind == "transactions":
        return tx
    from opsutils.clv import summary_from_transactions

    return summary_from_transactions(tx, amount_col="amount", calibration_end=CDNOW_CALIBRATION_END,
                                     observation_end=CDNOW_OBSERVATION_END, freq="W")


# --- content hashes and the manifest ---------------------------------------------------------------
def content_hash(df: pd.DataFrame) -> str:
    """Return a machine-independent sha256 fingerprint of a table's content.

    The hash covers the column names, the dtypes (for categoricals also the categories and
    whether they are ordered), the number of rows and every value, row by row, in order.
    Floating-point columns are rounded to 6 decimals first, so noise below about 1e-7 does
    not change the hash. The index is ignored, and so is how the data sit in memory (copies,
    slices and re-indexed frames with the same content hash the same).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.

    Returns
    -------
    str
        64 hexadecimal characters.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    >>> b = a.set_axis([10, 11]).copy()
    >>> content_hash(a) == content_hash(b)
    True
    >>> content_hash(a) == content_hash(a.assign(x=[1.0, 2.5]))
    False
    >>> content_hash(a) == content_hash(a.assign(x=a["x"] + 1e-9))
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"`df` must be a pandas DataFrame; got {type(df).__name__}.")
    columns = []
    for col, dtype in df.dtypes.items():
        entry: dict[str, Any] = {"name": str(col), "dtype": str(dtype)}
        if isinstance(dtype, pd.CategoricalDtype):
            entry["categories"] = [str(c) for c in dtype.categories]
            entry["ordered"] = bool(dtype.ordered)
        columns.append(entry)
    header = {"content_hash": 1, "rows": len(df), "columns": columns}
    h = hashlib.sha256(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    if df.shape[1] == 0 or len(df) == 0:
        return h.hexdigest()

    canon = df.set_axis(range(df.shape[1]), axis=1)  # unique labels, even if df has duplicates
    for i, dtype in enumerate(df.dtypes):
        if pd.api.types.is_float_dtype(dtype):
            canon[i] = canon[i].round(_HASH_DECIMALS)
    rows = pd.util.hash_pandas_object(canon, index=False, categorize=True)
    h.update(np.ascontiguousarray(rows.to_numpy(dtype=np.uint64), dtype="<u8").tobytes())
    return h.hexdigest()


def manifest(world_or_folder: World | str | os.PathLike[str]) -> dict[str, str]:
    """Return the content hash of every table of a world, in memory or on disk.

    Parameters
    ----------
    world_or_folder : World or path-like
        A world (for example from :func:`opsutils.synth.make_world` or :func:`load_world`) or a
        world folder written by :func:`generate`.

    Returns
    -------
    dict of str to str
        Table name -> :func:`content_hash`, for the thirteen tables (in :data:`TABLE_NAMES`
        order) plus ``"truth_account_map"``.

    Examples
    --------
    >>> m = manifest(generate())                          # doctest: +SKIP
    >>> m == manifest(load_world())                       # doctest: +SKIP
    True
    """
    if isinstance(world_or_folder, World):
        frames = {**world_or_folder.tables(), _ACCOUNT_MAP_KEY: world_or_folder.truth.account_map}
        return {name: content_hash(df) for name, df in frames.items()}
    if isinstance(world_or_folder, (str, os.PathLike)):
        folder = Path(world_or_folder)
        out = {}
        for name in [*TABLE_NAMES, _ACCOUNT_MAP_KEY]:
            path = folder / f"{name}.parquet"
            if not path.is_file():
                raise FileNotFoundError(f"{path} does not exist; is {folder} a world folder written by generate()?")
            out[name] = content_hash(_read_parquet(path))
        return out
    raise TypeError(f"`world_or_folder` must be a World or a folder path; got {type(world_or_folder).__name__}.")


def write_manifest(path: str | os.PathLike[str] | None = None) -> Path:
    """Write the manifest of the default world (generating it if needed) as JSON.

    Parameters
    ----------
    path : path-like, optional
        Where to write; by default :data:`MANIFEST_PATH` (``datasets/manifest.json``), which the
        test suite compares against a freshly generated default world.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> write_manifest()                                  # doctest: +SKIP
    PosixPath('.../datasets/manifest.json')
    """
    target = Path(path) if path is not None else MANIFEST_PATH
    m = manifest(_ensure({}, func="write_manifest"))
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(m, indent=2) + "\n")
    return target


# --- command line ----------------------------------------------------------------------------------
def _cmd_generate(args: argparse.Namespace) -> int:
    cfg = _world_config({"n_customers": args.n_customers, "seed": args.seed, "locale": args.locale,
                         "start": args.start, "end": args.end}, func="generate")
    print("world: " + ", ".join(f"{k}={v}" for k, v in cfg.items()), flush=True)
    # Large worlds take minutes: report the generator's stages on stderr.
    folder, report = _generate(cfg, force=args.force, progress=cfg["n_customers"] >= 100_000)
    if report is None:
        print(f"up to date: {folder} (use --force to regenerate)")
        return 0
    print(f"generated in {report['generate_seconds']:.1f} s; wrote to {folder}:")
    for name, rows, seconds in report["files"]:
        rows_txt = f"{rows:>12,} rows" if rows is not None else " " * 17
        print(f"  {name:<32}{rows_txt}  {seconds:6.2f} s")
    print(f"total {report['total_seconds']:.1f} s")
    return 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    if args.check:
        if not MANIFEST_PATH.is_file():
            print(f"{MANIFEST_PATH} does not exist; run `python -m opsutils.datasets manifest`.", file=sys.stderr)
            return 1
        pinned = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
        current = manifest(_ensure({}, func="manifest"))
        diff = sorted(k for k in set(pinned) | set(current) if pinned.get(k) != current.get(k))
        if diff:
            print(f"default world differs from {MANIFEST_PATH} in: {', '.join(diff)}", file=sys.stderr)
            return 1
        print(f"default world matches {MANIFEST_PATH} ({len(current)} tables)")
        return 0
    t0 = time.perf_counter()
    path = write_manifest()
    print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m opsutils.datasets``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m opsutils.datasets",
                                     description="Generate the course datasets and their manifest.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write a world's tables to disk (skipped when up to date)")
    g.add_argument("--force", action="store_true", help="regenerate even if the files are up to date")
    g.add_argument("--n-customers", type=int, default=DEFAULT_CONFIG["n_customers"])
    g.add_argument("--seed", type=int, default=DEFAULT_CONFIG["seed"])
    g.add_argument("--locale", default=DEFAULT_CONFIG["locale"])
    g.add_argument("--start", default=DEFAULT_CONFIG["start"])
    g.add_argument("--end", default=DEFAULT_CONFIG["end"])
    g.set_defaults(func=_cmd_generate)
    m = sub.add_parser("manifest", help=f"write {MANIFEST_PATH.name} for the default world")
    m.add_argument("--check", action="store_true", help="compare with the pinned manifest instead of writing it")
    m.set_defaults(func=_cmd_manifest)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
