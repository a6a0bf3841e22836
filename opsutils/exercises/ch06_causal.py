"""Exercises for chapter 6, notebook 3: causal evaluation without randomisation (the BOPIS roll-out).

Usage in ``notebooks/06_evaluation/03_causal_evaluation_without_randomisation.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch06_causal as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions build the notebook's city x month panel of online orders once per session
(``functools.lru_cache``); every solution then takes a fraction of a second.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from opsutils import datasets
from opsutils.causal import diff_in_diff
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4", "PLACEBO_LAUNCH"]

#: The fake launch date of exercise 3.
PLACEBO_LAUNCH = "2024-07-01"


# --------------------------------------------------------------------------- #
# Cached shared computations (the notebook's LAUNCH, TREATED_CITIES, STORE_CITIES and panel)
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _setting() -> tuple[pd.Timestamp, tuple[str, ...], tuple[str, ...]]:
    """Launch date, treated cities and cities with a store, from the world's stores table."""
    stores = datasets.load("stores")
    launch = pd.Timestamp(stores["bopis_launch_date"].dropna().min())
    treated = tuple(sorted(stores.loc[stores["bopis_launch_date"].notna(), "city"].unique()))
    return launch, treated, tuple(sorted(stores["city"].unique()))


@lru_cache(maxsize=1)
def _panel() -> pd.DataFrame:
    """The notebook's `panel`: online orders (app, mini-program, web) per home city and month."""
    launch, treated, _ = _setting()
    orders, customers = datasets.load("orders"), datasets.load("customers")
    home = customers.set_index("customer_id")["city"]
    online = orders[orders["channel"].isin(["app", "miniprogram", "web"])]
    months = pd.period_range(orders["order_ts"].min(), orders["order_ts"].max(), freq="M").to_timestamp()
    grid = pd.MultiIndex.from_product([sorted(home.unique()), months], names=["city", "period"])
    panel = (online.assign(city=online["customer_id"].map(home),
                           period=online["order_ts"].dt.to_period("M").dt.to_timestamp())
             .groupby(["city", "period"]).size().reindex(grid, fill_value=0).rename("orders").reset_index())
    panel["treated"] = panel["city"].isin(treated).astype(int)
    panel["post"] = (panel["period"] >= launch).astype(int)
    return panel


def _panel_copy() -> pd.DataFrame:
    return _panel().copy()


# --------------------------------------------------------------------------- #
# Questions
# --------------------------------------------------------------------------- #
def _q1_solution():
    panel, (LAUNCH, TREATED_CITIES, STORE_CITIES) = _panel_copy(), _setting()  # as in the notebook
    store_panel = panel[panel["city"].isin(STORE_CITIES)]
    return diff_in_diff(store_panel, log=True).relative


q1 = register(
    Question(
        "ch06_causal.q1",
        "BOPIS needs a store, so perhaps the fairest comparison cities are the 11 cities that have stores "
        "but did not get BOPIS. Re-estimate the notebook's difference-in-differences (log orders, city and "
        "month fixed effects, city-clustered errors) on the 17 cities with a store (`STORE_CITIES`) only. "
        "What relative effect on online orders do you find? Answer a share such as 0.05 for +5%.",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Keep the rows of `panel` whose city is in `STORE_CITIES`, then call `diff_in_diff` exactly as in "
            "section 3, with `log=True`.",
            "`diff_in_diff(panel[panel['city'].isin(STORE_CITIES)], log=True)`: the answer is the `relative` "
            "attribute (exp(estimate) - 1), not the `estimate` in log points.",
        ),
        wrong_answers=(0.0924, 0.0768, 0.0884, 0.2133, 0.15, 0.5907),
        explanation=(
            "About +8.0% (95% CI roughly +0.3% to +16%), against +9.2% with all 26 comparison cities. The "
            "answer hardly moves, which is reassuring: the 15 cities without a store, where customers shop "
            "online more, do not drive the result. The interval is about as wide as before although there are now "
            "only 17 clusters; both intervals cover the planted +15%. A robustness check like this one should "
            "be reported next to the main estimate, whatever it shows."
        ),
    )
)


def _q2_solution():
    panel = _panel_copy()  # the notebook's `panel`
    treated = panel[panel["treated"] == 1].groupby("period")["orders"].sum()
    after = treated["2025-04-01":"2025-09-01"].sum()   # April-September 2025
    before = treated["2024-04-01":"2024-09-01"].sum()  # the same months a year earlier
    return after / before - 1


q2 = register(
    Question(
        "ch06_causal.q2",
        "A dashboard reports BOPIS with a year-on-year comparison: online orders of the six BOPIS cities in "
        "April-September 2025 against the same months of 2024. What growth does it show? Answer a share "
        "such as 0.25 for +25%.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Sum the treated cities' orders by month, then add up April to September of each year. Same months "
            "in both years: the seasons (618 falls in both) cancel out, the growth of the brand does not.",
            "`treated = panel[panel['treated'] == 1].groupby('period')['orders'].sum()`, then "
            "`treated['2025-04-01':'2025-09-01'].sum() / treated['2024-04-01':'2024-09-01'].sum() - 1`.",
        ),
        wrong_answers=(0.4779, 0.0660, 0.5907, 1.5755, 0.4520),
        explanation=(
            "+57.5% (5,084 orders against 3,227). Comparing the same months removes the seasons but not the "
            "brand's growth: the comparison cities grew +47.8% over the same months without BOPIS. The ratio "
            "of the two growth factors, 1.575 / 1.478 - 1 = +6.6%, is a quick difference-in-differences by "
            "hand, close to the regression's estimate. A year-on-year dashboard would have credited BOPIS "
            "with about eight times its effect."
        ),
    )
)


def _q3_solution():
    panel, (LAUNCH, TREATED_CITIES, STORE_CITIES) = _panel_copy(), _setting()  # as in the notebook
    before = panel[panel["period"] < LAUNCH].copy()  # only months before the real launch
    before["post"] = (before["period"] >= PLACEBO_LAUNCH).astype(int)  # ex.PLACEBO_LAUNCH, 2024-07-01
    return diff_in_diff(before, log=True).relative


q3 = register(
    Question(
        "ch06_causal.q3",
        "Run a placebo test with a fake launch on 1 July 2024 (`ex.PLACEBO_LAUNCH`): keep only the months "
        "before the real launch, mark July 2024 onwards as 'post', and estimate the same log "
        "difference-in-differences. What relative 'effect' do you find? Answer a share (negative if the "
        "treated cities fell behind).",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Drop every month from the real launch (April 2025) on, otherwise the real effect leaks into the "
            "placebo's 'after' period. Then overwrite `post` with the fake date and call `diff_in_diff(..., "
            "log=True)`.",
            "`before = panel[panel['period'] < LAUNCH].copy()`; "
            "`before['post'] = (before['period'] >= ex.PLACEBO_LAUNCH).astype(int)`; "
            "`diff_in_diff(before, log=True).relative`.",
        ),
        wrong_answers=(-0.1007, -0.0594, -0.0357, 0.0288, 0.0924, 0.0),
        explanation=(
            "About -9.6% (95% CI -19.1% to +1.0%, p = 0.07): no significant 'effect' at a date when nothing "
            "happened, so the placebo passes, but only just, and the gap is as large as the real estimate. "
            "It is the same slow drift seen in the event study: the BOPIS cities lost ground against the others "
            "during 2024. If that drift went on after April 2025, the simple difference-in-differences "
            "understates the effect (the trend-adjusted estimate is about +15%). Placebo tests do not prove a "
            "design right; they show how large the gaps are that arise without any cause."
        ),
    )
)


def _q4_solution():
    # The difference-in-differences: about +9% (95% CI +1% to +18%), roughly 700 extra orders in nine
    # months in six cities; the event study shows no clear pre-trend, and the effect persists to December.
    return "C"


q4 = register(
    Question(
        "ch06_causal.q4",
        "The COO asks whether to launch BOPIS in every other city. Based on this notebook, what do you "
        "recommend?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Launch everywhere now: online orders in the BOPIS cities grew by 59% after the launch, far "
                 "more than any cost of running pickup counters.",
            "B": "Do not launch: with only six treated cities the estimate is unreliable, and the permutation test "
                 "over all 32 cities is not significant (p about 0.19), so BOPIS has no proven effect.",
            "C": "Launch in the cities that have stores, in waves whose order is drawn at random: the evidence "
                 "points to roughly +10% online orders (95% CI about +1% to +18%, some 700 extra orders in six "
                 "cities over nine months), with no clear pre-trend and an effect that lasts. Check that the "
                 "extra margin covers the cost of pickup, and let the random waves measure the effect again "
                 "as a proper experiment.",
            "D": "Launch in all 32 cities at once, including those without a store: the effect is 15%, the "
                 "planted truth, so the same gain can be expected everywhere.",
        },
        choice_feedback={
            "A": "The 59% compares months after April 2025 with months before, and the later months include the "
                 "brand's growth and Double 11. The comparison cities grew almost as much without BOPIS; the "
                 "effect is about a sixth of that.",
            "B": "Few clusters call for care, not for ignoring the evidence. The permutation among all 32 cities "
                 "mixes in tiny cities whose noisy orders widen the placebo distribution; among the 17 cities "
                 "that could have had BOPIS (those with a store) the same test gives p of about 0.03. "
                 "And 'not significant' would not mean 'no effect' anyway.",
            "D": "A real analysis never sees the planted truth, and BOPIS cannot work where there is no store to "
                 "pick up from. The estimate applies to cities like the treated ones: large cities with stores.",
        },
        hints=(
            "Weigh the size of the effect and its uncertainty (section 3), the event study (section 4) and the "
            "checks of section 5. Which cities could BOPIS work in at all?",
            "A staggered roll-out is also a chance: if the order of the next cities is drawn at random, each wave "
            "is a randomised experiment (notebook 6.2), the gold standard the first launch could not be.",
        ),
        wrong_answers=("A", "B", "D"),
        explanation=(
            "The difference-in-differences says about +9% online orders in the BOPIS cities (95% CI +1% to +18%); "
            "the planted effect is +15%, inside the interval. The checks do not overturn it: no significant "
            "pre-trend or placebo effect, robust to the choice of comparison cities, and a randomisation test "
            "among store cities of p = 0.03. The uncertainty is large, so roll out in random waves: each wave "
            "then becomes an experiment and narrows the estimate. Before that, put the effect in money, as "
            "seed 004's marketing ROI asks: some 700 orders of about 190 CNY in nine months, against the cost "
            "of pickup counters and staff; and watch the long-term effect on repeat purchases too."
        ),
    )
)
