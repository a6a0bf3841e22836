"""The committed data card documents every table, column and planted truth of the default world."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _render():
    spec = importlib.util.spec_from_file_location("make_data_card", ROOT / "scripts" / "make_data_card.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_data_card_is_current(world):
    mod = _render()
    committed = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert committed == mod.render(world), "data card is stale: run `make data-card`"


def test_every_truth_key_is_documented(world):
    mod = _render()
    assert set(world.truth.params) <= set(mod.TRUTH_DOCS)
