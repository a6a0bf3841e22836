"""Containers for the synthetic world: its configuration, its planted truth and its tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import pandas as pd

__all__ = ["WorldConfig", "Truth", "World", "TABLE_NAMES", "text_column"]


def text_column(codes, categories) -> pd.Series:
    """A pandas ``str`` Series from integer codes into ``categories`` (code -1 means missing).

    Goes through an Arrow dictionary array, which is an order of magnitude faster and far lighter
    than materialising a Python object per row (it matters for the 60-million-row events table of a
    one-million-customer world).
    """
    import numpy as np
    import pyarrow as pa

    codes = np.asarray(codes)
    mask = codes < 0
    idx = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask if mask.any() else None)
    arr = pa.DictionaryArray.from_arrays(idx, pa.array(list(categories), type=pa.large_string()))
    plain = arr.cast(pa.large_string())
    return pd.Series(plain.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get))

#: The world's tables, in the order the data card documents them.
TABLE_NAMES: tuple[str, ...] = (
    "customers",
    "accounts",
    "crm_customers",
    "erp_customers",
    "products",
    "stores",
    "orders",
    "order_items",
    "events",
    "campaigns",
    "campaign_exposures",
    "tickets",
    "surveys",
)


@dataclass(frozen=True)
class WorldConfig:
    """The arguments a world was generated with (enough to regenerate it exactly)."""

    n_customers: int
    start: str
    end: str
    seed: int
    locale: str

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Truth:
    """Everything the generator planted, so that lessons and tests can check estimates against it.

    Attributes
    ----------
    params : dict
        Nested, JSON-serialisable mapping of every planted parameter and effect
        (for example ``params["bgnbd"] == {"r": ..., "alpha": ..., "a": ..., "b": ...}``).
        The data card (``datasets/README.md``) documents each key.
    account_map : pandas.DataFrame
        The true ``account_id -> customer_id`` mapping, which the ``accounts`` table hides.
    """

    params: dict[str, Any]
    account_map: pd.DataFrame = field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the account map as two lists)."""
        return {
            "params": self.params,
            "account_map": {c: self.account_map[c].astype(str).tolist() for c in self.account_map.columns},
        }

    def to_json(self) -> str:
        return json.dumps(self.params, ensure_ascii=False, indent=2, sort_keys=True)


@dataclass(frozen=True)
class World:
    """One generated omnichannel world: thirteen tables plus the truth behind them."""

    customers: pd.DataFrame = field(repr=False)
    accounts: pd.DataFrame = field(repr=False)
    crm_customers: pd.DataFrame = field(repr=False)
    erp_customers: pd.DataFrame = field(repr=False)
    products: pd.DataFrame = field(repr=False)
    stores: pd.DataFrame = field(repr=False)
    orders: pd.DataFrame = field(repr=False)
    order_items: pd.DataFrame = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    campaigns: pd.DataFrame = field(repr=False)
    campaign_exposures: pd.DataFrame = field(repr=False)
    tickets: pd.DataFrame = field(repr=False)
    surveys: pd.DataFrame = field(repr=False)
    truth: Truth = field(repr=False)
    config: WorldConfig

    TABLES: ClassVar[tuple[str, ...]] = TABLE_NAMES

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the thirteen tables as a name -> DataFrame dict (same objects, not copies)."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    def summary(self) -> pd.DataFrame:
        """One row per table: its name, row count and column count."""
        return pd.DataFrame(
            [(n, len(t), t.shape[1]) for n, t in self.tables().items()],
            columns=["table", "rows", "columns"],
        )
