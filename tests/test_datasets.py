"""opsutils.datasets: parquet round trip, caching, atomic writes, content hashes and argument checks.

All tests run on a tiny fake world (``make_world`` is replaced), in a temporary data folder.
"""

import json
import os
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from opsutils import datasets
from opsutils.synth._types import TABLE_NAMES, Truth, World, WorldConfig


def fake_world(n_customers=20_000, *, start="2024-01-01", end="2025-12-31", seed=2025, locale="zh_CN"):
    """A World with all thirteen tables, a few rows each, and every dtype the real world uses."""
    rng = np.random.default_rng(seed)
    n = 6
    base = pd.DataFrame({
        "id": pd.Series([f"C{i:05d}" for i in range(n)], dtype="str"),
        "ts_us": pd.to_datetime(["2024-01-01 09:30:00", "2024-02-29 00:00:00", "2024-12-31 23:59:59.5",
                                 "2025-01-01 00:00:00", "2025-06-30 12:00:00", "2025-12-31 00:00:00"],
                                format="ISO8601").astype("datetime64[us]"),
        "ts_ns": pd.Series(pd.date_range("2024-03-01", periods=n, freq="37min"), dtype="datetime64[ns]"),
        "label": pd.Series(["a", None, "乌龙茶", "b", "a", ""], dtype="str"),
        "tier": pd.Categorical(["gold", "silver", "gold", None, "bronze", "silver"],
                               categories=["bronze", "silver", "gold"], ordered=True),
        "flag": [True, False, True, True, False, False],
        "maybe": pd.array([True, None, False, True, None, False], dtype="boolean"),
        "qty": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
        "amount": rng.normal(100, 10, n).round(2),
        "score": [0.5, np.nan, 1.25, -0.0, 3.0, 2.0],
    })
    tables = {name: base.assign(table=name).iloc[: 3 + i % 4].reset_index(drop=True)
              for i, name in enumerate(TABLE_NAMES)}
    account_map = pd.DataFrame({"account_id": pd.Series(["A1", "A2", "A3"], dtype="str"),
                                "customer_id": pd.Series(["C00000", "C00000", "C00001"], dtype="str")})
    params = {"bgnbd": {"r": 0.25, "alpha": 4.5, "a": 0.8, "b": 2.4, "time_unit": "week"},
              "seed": seed, "n": n_customers, "effects": {"uplift": [0.01, 0.02]}}
    config = WorldConfig(n_customers=n_customers, start=start, end=end, seed=seed, locale=locale)
    return World(**tables, truth=Truth(params=params, account_map=account_map), config=config)


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """Point the data folder at a temp dir and record the calls to the (fake) generator."""
    calls = []

    def make(**kw):
        calls.append(kw)
        return fake_world(**kw)

    root = tmp_path / "data"
    monkeypatch.setenv("OPSUTILS_DATA_DIR", str(root))
    monkeypatch.setattr(datasets, "_make_world", make)
    return SimpleNamespace(path=root, calls=calls)


def _tmp_leftovers(root):
    return [p for p in root.rglob(".tmp-*")]


# --- round trip ----------------------------------------------------------------------------------
def test_generate_writes_every_file_and_round_trips(data_root):
    folder = datasets.generate()
    assert folder == data_root.path
    expected = {f"{t}.parquet" for t in TABLE_NAMES} | {"truth_account_map.parquet", "truth.json", "world_config.json"}
    assert {p.name for p in folder.iterdir()} == expected
    assert _tmp_leftovers(data_root.path) == []
    assert data_root.calls == [datasets.DEFAULT_CONFIG]

    original = fake_world()
    for name in TABLE_NAMES:
        got = datasets.load(name)
        pd.testing.assert_frame_equal(got, getattr(original, name), check_exact=True)
        assert got.index.equals(pd.RangeIndex(len(got)))
    assert datasets.load("orders")["tier"].cat.ordered

    world = datasets.load_world()
    assert isinstance(world, World)
    assert world.config == original.config
    assert world.truth.params == original.truth.params
    pd.testing.assert_frame_equal(world.truth.account_map, original.truth.account_map, check_exact=True)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(world, name), getattr(original, name), check_exact=True)
    assert data_root.calls == [datasets.DEFAULT_CONFIG]  # loads never regenerate a fresh folder
    assert datasets.manifest(world) == datasets.manifest(original) == datasets.manifest(folder)

    truth = datasets.load_truth()
    assert truth.params == original.truth.params
    pd.testing.assert_frame_equal(truth.account_map, original.truth.account_map, check_exact=True)


def test_dtypes_survive_parquet(data_root):
    got = datasets.load("customers").dtypes.astype(str).to_dict()
    assert got == {"id": "str", "ts_us": "datetime64[us]", "ts_ns": "datetime64[ns]", "label": "str",
                   "tier": "category", "flag": "bool", "maybe": "boolean", "qty": "Int64",
                   "amount": "float64", "score": "float64", "table": "str"}


def test_load_returns_independent_copies(data_root):
    a = datasets.load("orders")
    a.loc[0, "amount"] = -1.0
    a["new"] = 1
    b = datasets.load("orders")
    assert "new" not in b.columns
    assert b.loc[0, "amount"] != -1.0
    w1, w2 = datasets.load_world(), datasets.load_world()
    assert w1.orders is not w2.orders


# --- caching and freshness -----------------------------------------------------------------------
def test_generate_skips_fresh_folder_and_regenerates_stale_one(data_root):
    datasets.generate()
    datasets.generate()
    datasets.load("orders")
    assert len(data_root.calls) == 1

    datasets.generate(force=True)
    assert len(data_root.calls) == 2

    (data_root.path / "events.parquet").unlink()
    datasets.load("orders")  # a missing file makes the folder stale
    assert len(data_root.calls) == 3

    meta_path = data_root.path / "world_config.json"
    meta = json.loads(meta_path.read_text())
    meta["generator"] = "0" * 64  # as if opsutils/synth had changed since
    meta_path.write_text(json.dumps(meta))
    datasets.generate()
    assert len(data_root.calls) == 4
    assert _tmp_leftovers(data_root.path) == []


def test_non_default_world_goes_to_its_own_folder(data_root):
    folder = datasets.generate(n_customers=500, seed=7, locale="en_US")
    assert folder == data_root.path / "_generated" / "n500_seed7_en_US_2024-01-01_2025-12-31"
    assert data_root.calls == [{**datasets.DEFAULT_CONFIG, "n_customers": 500, "seed": 7, "locale": "en_US"}]
    assert not (data_root.path / "orders.parquet").exists()  # the default world is untouched
    w = datasets.load_world(n_customers=500, seed=7, locale="en_US")
    assert w.config == WorldConfig(500, "2024-01-01", "2025-12-31", 7, "en_US")
    # equal dates in another spelling are the same world
    datasets.load("orders", n_customers=500, seed=7, locale="en_US", start=pd.Timestamp("2024-01-01"))
    assert len(data_root.calls) == 1


# --- atomic writes -------------------------------------------------------------------------------
def test_failed_generation_leaves_previous_files_intact(data_root, monkeypatch):
    datasets.generate()
    before = {p.name: p.read_bytes() for p in data_root.path.iterdir()}

    def broken(**kw):
        w = fake_world(**kw)
        # an object column pyarrow cannot store: the write of `orders` fails half-way through
        w.orders["bad"] = [object()] * len(w.orders)
        return w

    monkeypatch.setattr(datasets, "_make_world", broken)
    with pytest.raises(Exception):
        datasets.generate(force=True)
    after = {p.name: p.read_bytes() for p in data_root.path.iterdir()}
    assert after == before
    assert _tmp_leftovers(data_root.path) == []


def test_failed_first_generation_writes_nothing(data_root, monkeypatch):
    def broken(**kw):
        w = fake_world(**kw)
        w.surveys["bad"] = [object()] * len(w.surveys)
        return w

    monkeypatch.setattr(datasets, "_make_world", broken)
    with pytest.raises(Exception):
        datasets.generate()
    assert list(data_root.path.iterdir()) == []


def test_interrupted_swap_is_detected_as_stale(data_root, monkeypatch):
    datasets.generate()
    real_replace = os.replace
    moved = []

    def flaky_replace(src, dst):
        if len(moved) == 3:
            raise OSError("disk full")
        moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(datasets.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        datasets.generate(force=True)
    monkeypatch.setattr(datasets.os, "replace", real_replace)
    assert not (data_root.path / "world_config.json").exists()
    assert _tmp_leftovers(data_root.path) == []
    datasets.load("orders")  # regenerates
    assert len(data_root.calls) == 3
    assert (data_root.path / "world_config.json").exists()


# --- content hash --------------------------------------------------------------------------------
def _frame():
    return fake_world().customers


def test_content_hash_ignores_index_and_memory_layout():
    df = _frame()
    h = datasets.content_hash(df)
    assert len(h) == 64 and int(h, 16) >= 0
    assert datasets.content_hash(df.copy()) == h
    assert datasets.content_hash(df.set_axis(range(100, 100 + len(df)))) == h
    bigger = pd.concat([df, df], ignore_index=True)
    assert datasets.content_hash(bigger.iloc[len(df):]) == h  # a slice of a larger frame
    assert datasets.content_hash(df.iloc[::-1].iloc[::-1]) == h
    fortran = pd.DataFrame(np.asfortranarray(np.arange(12.0).reshape(4, 3)), columns=list("abc"))
    assert datasets.content_hash(fortran) == datasets.content_hash(fortran.copy())


def test_content_hash_changes_with_content():
    df = _frame()
    h = datasets.content_hash(df)
    changed = df.copy()
    changed.loc[2, "amount"] += 0.01
    assert datasets.content_hash(changed) != h
    assert datasets.content_hash(df.assign(label=df["label"].str.upper())) != h
    assert datasets.content_hash(df.rename(columns={"qty": "quantity"})) != h
    assert datasets.content_hash(df.iloc[::-1]) != h  # row order matters
    assert datasets.content_hash(df.astype({"qty": "float64"})) != h  # dtype matters
    assert datasets.content_hash(df.iloc[:-1]) != h
    reordered_cats = df.assign(tier=df["tier"].cat.reorder_categories(["gold", "silver", "bronze"]))
    assert datasets.content_hash(reordered_cats) != h


def test_content_hash_tolerates_float_noise_below_1e7():
    df = _frame()
    h = datasets.content_hash(df)
    noisy = df.assign(amount=df["amount"] + 3e-8, score=df["score"] - 2e-8)
    assert datasets.content_hash(noisy) == h
    neg_zero = df.assign(score=df["score"].where(df["score"] != 0, -0.0))
    assert datasets.content_hash(neg_zero) == h


def test_content_hash_is_pinned():
    """The same content must hash the same on every machine (regenerate only on purpose)."""
    df = pd.DataFrame({
        "s": pd.Series(["a", "b", None], dtype="str"),
        "i": [1, 2, 3],
        "f": [0.1, 0.2, np.nan],
        "t": pd.to_datetime(["2024-01-01", "2024-06-30", "2025-12-31"]).astype("datetime64[us]"),
        "c": pd.Categorical(["x", "y", "x"]),
        "n": pd.array([1, None, 3], dtype="Int64"),
    })
    assert datasets.content_hash(df) == PINNED_HASH


PINNED_HASH = "af4e11a3ea4703549c711b70ae2d73986344e78f69d068a1a7fd7d996485940c"


def test_content_hash_edge_cases():
    assert datasets.content_hash(pd.DataFrame()) == datasets.content_hash(pd.DataFrame())
    empty = pd.DataFrame({"a": pd.Series([], dtype="float64")})
    assert datasets.content_hash(empty) != datasets.content_hash(pd.DataFrame({"a": [1.0]}))
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    assert datasets.content_hash(dup) != datasets.content_hash(pd.DataFrame([[2, 1]], columns=["a", "a"]))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        datasets.content_hash(pd.Series([1]))


# --- manifest ------------------------------------------------------------------------------------
def test_manifest_of_world_and_folder_agree_and_write(data_root, tmp_path):
    m = datasets.manifest(datasets.generate())
    assert list(m) == [*TABLE_NAMES, "truth_account_map"]
    assert m == datasets.manifest(fake_world())
    out = datasets.write_manifest(tmp_path / "manifest.json")
    assert json.loads(out.read_text()) == m
    assert out.read_bytes().endswith(b"}\n")
    with pytest.raises(FileNotFoundError, match="world folder"):
        datasets.manifest(tmp_path)
    with pytest.raises(TypeError, match="World or a folder"):
        datasets.manifest(42)


# --- arguments -----------------------------------------------------------------------------------
def test_unknown_table_name(data_root):
    with pytest.raises(ValueError, match=r"`name` must be one of 'customers', 'accounts', .*got 'custmers'"):
        datasets.load("custmers")
    assert data_root.calls == []  # checked before anything is generated


def test_unknown_and_invalid_world_arguments(data_root):
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) 'sed' \(did you mean 'seed'\?\)"):
        datasets.generate(sed=1)
    with pytest.raises(TypeError, match="'colour'"):
        datasets.load("orders", colour="red")
    with pytest.raises(TypeError, match="load_world"):
        datasets.load_world(n=5)
    with pytest.raises(ValueError, match="`n_customers` must be an integer >= 1; got 0"):
        datasets.generate(n_customers=0)
    with pytest.raises(TypeError, match="`seed` must be an integer"):
        datasets.generate(seed=1.5)
    with pytest.raises(ValueError, match="`start` must be a date"):
        datasets.generate(start="not a date")
    with pytest.raises(ValueError, match="`end` must be a calendar date"):
        datasets.generate(end="2025-12-31 12:00")
    with pytest.raises(ValueError, match="`locale` must be a locale name"):
        datasets.generate(locale="../etc")
    assert data_root.calls == []


# --- where the data live -------------------------------------------------------------------------
def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSUTILS_DATA_DIR", str(tmp_path / "x"))
    assert datasets.data_dir() == tmp_path / "x"
    monkeypatch.delenv("OPSUTILS_DATA_DIR")
    repo = tmp_path / "repo_datasets"
    repo.mkdir()
    monkeypatch.setattr(datasets, "_REPO_DATASETS", repo)
    assert datasets.data_dir() == repo
    monkeypatch.setattr(datasets, "_REPO_DATASETS", tmp_path / "missing")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert datasets.data_dir() == tmp_path / "cache" / "opsutils"


# --- command line --------------------------------------------------------------------------------
def test_cli_generate_and_skip(data_root, capsys):
    assert datasets.main(["generate", "--n-customers", "600", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "orders.parquet" in out and "rows" in out and "_generated" in out
    assert datasets.main(["generate", "--n-customers", "600", "--seed", "3"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert len(data_root.calls) == 1
    assert datasets.main(["generate", "--start", "yesterday-ish"]) == 2
    assert "`start` must be a date" in capsys.readouterr().err


# --- the CDNOW sample --------------------------------------------------------------------------------
def test_load_cdnow_reads_the_data_without_importing_lifetimes():
    import subprocess
    import sys

    code = ("import sys; from opsutils.datasets import load_cdnow; t = load_cdnow('transactions'); "
            "s = load_cdnow(); print(len(t), len(s), 'lifetimes' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["6919", "2357", "False"]


def test_load_cdnow_transactions_schema():
    from opsutils.datasets import load_cdnow

    t = load_cdnow("transactions")
    assert list(t.columns) == ["customer_id", "order_ts", "n_cds", "amount"]
    assert t["order_ts"].min() == pd.Timestamp("1997-01-01") and t["order_ts"].max() <= pd.Timestamp("1998-06-30")
    assert t["customer_id"].nunique() == 2357 and (t["amount"] >= 0).all()


def test_load_cdnow_unknown_kind():
    from opsutils.datasets import load_cdnow

    with pytest.raises(ValueError, match="`kind` must be one of 'summary', 'transactions'; got 'sumary'"):
        load_cdnow("sumary")
