"""Render ``datasets/README.md`` (the data card) from the schema, the default world and its truth.

Run with ``make data-card`` after a deliberate generator change; ``tests/test_data_card.py`` fails when
the committed card no longer matches what this script renders.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opsutils.synth._schema import GRAIN, SCHEMA  # noqa: E402

INTRO = """\
# Data card: the Yunxi Tea & Living synthetic world

**Purpose.** Every notebook of the omnichannel customer-operations kit works on one fictional brand,
*Yunxi Tea & Living* (云溪茶生活), a Chinese tea and lifestyle retailer selling through its app, a WeChat
mini-program, a web shop, Tmall, Douyin live commerce and its own stores, and reaching customers through
Xiaohongshu, a WeChat official account, SMS, e-mail and a call centre. The data is **synthetic**: no real
person is in it. Because we generated it, we know the truth behind it (the *planted* parameters and
effects below), so every estimate in the course can be checked against what was planted.

**Licence.** Synthetic data, free to reuse for any purpose (CC0-1.0). The generator is part of `opsutils`
(MIT).

**How it is made.** `opsutils.synth.make_world(n_customers=20_000, start="2024-01-01",
end="2025-12-31", seed=2025, locale="zh_CN")`. One seed drives every numpy `Generator` and
`Faker.seed_instance`; Faker only builds pools of names, streets and user names that numpy samples from.
Purchases follow a BG/NBD process (per-customer rate λ ~ Gamma(r, α), dropout p ~ Beta(a, b)) in an
"operational time" that carries the weekly rhythm, a growth trend and the 618 and Double 11 peaks;
spend per order follows a Gamma-Gamma process. A latent engagement trait drives both how many sales
channels a person uses and how much they buy, so the raw multichannel gap overstates the causal one.
Campaign effects are planted as incremental (or suppressed) orders in the treatment groups, so campaign
conversion, orders and events stay consistent with each other.

**Regenerate / other sizes.**

```bash
make data                                   # the default world, cached as Parquet in datasets/
.venv/bin/python -m opsutils.datasets generate --n-customers 100000 --seed 7 --locale en_US
```

```python
from opsutils.datasets import load, load_world
orders = load("orders")                     # one table (generated on first use)
world = load_world()                        # all tables + world.truth
world = load_world(n_customers=5_000, seed=1, locale="en_US")   # cached in a subfolder
```

The default world's per-table content hashes are pinned in `datasets/manifest.json`; a test fails if the
generator's output changes by accident. `locale="en_US"` gives the same world in English (names,
addresses, US phone formats, ticket texts, survey comments, campaign and product names); codes such as
channel names are English in both locales.
"""

TRUTH_DOCS = {
    "brand": "brand name in the world's locale",
    "config": "arguments the world was generated with",
    "bgnbd": "planted BG/NBD parameters (weeks): λ ~ Gamma(r, α) purchase rate, p ~ Beta(a, b) dropout after each repeat purchase",
    "gamma_gamma": "planted Gamma-Gamma spend parameters: spend per order ~ Gamma(p, ν), ν ~ Gamma(q, γ)",
    "engagement": "how the latent engagement trait and being multichannel shift the purchase rate and basket value (latent-score weights)",
    "multichannel": "raw repurchase and AOV gaps between multichannel and single-channel buyers, and the causal effects (ATT) on purchase rate and spend per order",
    "activation": "7-day activation (first order within 7 days of sign-up): target 65%, planted probabilities by sign-up channel, realised rates",
    "value_concentration": "share of revenue of the top 1% and top 19% of buyers (seed 004: diamond tier brings 30%+)",
    "personas": "latent shopping personas that drive category choice",
    "cross_sell": "planted cross-sell pairs (product ids) and the probability the consequent joins a basket holding the antecedent",
    "outage": "the mini-program outage: window, share of orders lost, orders lost",
    "friction": "Android mini-program checkout friction after an app release: step, rates before/after, orders lost (total and per week)",
    "funnel_step_rates": "planted funnel step probabilities by sales channel",
    "markov": "the first-order Markov chain behind marketing touch paths (states, start distribution, transition matrix with conversion and null columns), its conversion probability and exact removal effects; touch events are the event types listed, with a 30-day lookback",
    "experiments": "EXP-1 coupon push A/B (+1.5 pp), EXP-2 with a sample-ratio mismatch (a logging bug drops 5% of treatment rows), EXP-3 win-back with effects by value tier; sizes and natural conversion rates",
    "campaigns": "every campaign's planted 7-day conversion lift, holdout share, sizes and added orders",
    "bopis": "buy-online-pick-up-in-store roll-out: launch date, treated cities, relative effect on online orders (app, mini-program, web)",
    "service": "ticket SLAs by tier (first response), breach multipliers (weekend, refund, Double 11 fortnight) and realised breach rates",
    "surveys": "planted slope of 90-day repurchase on the 1-5 service score (+5.3 pp per point, seed 000) and the premium-for-seamless shares by generation (Gen Z 85%)",
    "identity": "what makes identity resolution hard: shared household devices, duplicate accounts, changed phone numbers",
    "data_quality": "planted CRM/ERP defects (seed 001 checklist): missing addresses, malformed phones, name mismatches, late syncs, duplicate records",
    "tiers": "value-tier rule and shares (seed 004) and first-response SLAs",
    "status_shares": "order status shares",
}


CDNOW = """\
## Real data: the CDNOW sample

Chapter 2's customer-lifetime-value notebook also fits its models to real data: the **CDNOW sample**
used by Fader, Hardie and Lee (2005), "'Counting your customers' the easy way: an alternative to the
Pareto/NBD model", *Marketing Science* 24(2), 275-284 — 2,357 customers who made their first purchase
at the online music retailer CDNOW in the first quarter of 1997, followed for 78 weeks (6,919 purchase
records: customer, date, number of CDs, dollar value). The file is distributed by Bruce Hardie and ships
inside the `lifetimes` package on PyPI (MIT licence); `opsutils.datasets.load_cdnow()` reads it from the
installed distribution without importing `lifetimes`. Nothing of it is stored in this repository.

- `load_cdnow("transactions")`: one row per purchase record: `customer_id` (1-2357), `order_ts` (the
  day), `n_cds`, `amount` (US dollars; 8 records are 0).
- `load_cdnow("summary")` (the default): one row per customer, built from those records by
  `opsutils.clv.summary_from_transactions` in weeks at full precision (days / 7, purchases on the same
  day merged): calibration from 1997-01-01 to 1997-09-30 (39 weeks) gives `frequency`, `recency`, `T`
  and `monetary_value` (mean value of the repeat purchase days); the holdout to 1998-06-30 gives
  `frequency_holdout`, `duration_holdout` (39) and `monetary_holdout`. 946 customers made a repeat
  purchase in calibration (2,457 repeat purchases); 1,882 repeat purchases fall in the holdout.
- Fitted to it, `opsutils.clv.BetaGeo` reproduces the published BG/NBD estimates (r 0.2426, alpha
  4.4136, a 0.7929, b 2.4259, log-likelihood -9582.43; published r 0.243, alpha 4.414, a 0.793, b 2.426)
  and `GammaGamma` those of Fader & Hardie's Gamma-Gamma note (p 6.25, q 3.74, gamma 15.44), as
  `tests/test_clv.py` checks.
"""

USES = """\
## Where the course uses the data

| notebook | tables | truths it checks against |
|---|---|---|
| `00_start_here` | a first look at all thirteen | `bgnbd` (what a planted truth is) |
| `01_trends/01_omnichannel_landscape` | `customers`, `accounts`, `orders`, `events`, `surveys` | `multichannel`, `surveys` |
| `01_trends/02_business_case` | `orders`, `order_items`, `products`, `customers`, `campaigns`, `surveys`, `tickets` | |
| `02_data_foundation/01_unified_customer_view` | `accounts`, `customers`, `orders`, `order_items`, `events`, `tickets`, `surveys`, `crm_customers`, `erp_customers` | `truth.account_map`, `identity` |
| `02_data_foundation/02_data_quality` | `crm_customers`, `erp_customers`, `customers`, `orders` | `data_quality` |
| `02_data_foundation/03_privacy_and_security` | `customers`, `orders`, `accounts`, `tickets`, `campaign_exposures`; every table for the deletion | `truth.account_map` (the accounts a deletion must find) |
| `02_data_foundation/04_rfm_value_tiers_personas` | `orders`, `order_items`, `products`, `customers`, `events`, `tickets`, `campaign_exposures` | `tiers`, `value_concentration`, `personas` |
| `02_data_foundation/05_customer_lifetime_value` | `orders`, `order_items`, `products`, `customers`; the CDNOW sample | `bgnbd`, `gamma_gamma` (and `campaigns`, `bopis`, `outage`, `friction` to explain the gaps) |
| `03_journey/01_journey_mapping` | `events`, `surveys`, `tickets`, `orders`, `order_items`, `products`, `customers` | `surveys` (service score and repurchase), `markov` |
| `03_journey/02_funnels_and_friction` | `events`, `orders` | `funnel_step_rates`, `friction` |
| `03_journey/03_multi_touch_attribution` | `events`, `campaign_exposures` | `markov` |
| `03_journey/04_lifecycle_and_cohorts` | `orders`, `customers` | `activation` (realised rates reproduced exactly) |
| `06_evaluation/01_kpi_system_and_monitoring` | `orders`, `events`, `customers` | `outage` |
| `06_evaluation/02_ab_testing` | `campaign_exposures`, `campaigns`, `orders` | `experiments` (EXP-1 lift, EXP-2 sample-ratio mismatch, EXP-3 by tier) |
| `06_evaluation/03_causal_evaluation_without_randomisation` | `orders`, `customers`, `stores` | `bopis` |
| `06_evaluation/04_roi_and_optimisation_loop` | `campaign_exposures`, `campaigns`, `orders`, `order_items`, `products`, `customers` | `campaigns` (planted lifts and added orders) |
"""


def render(world) -> str:
    out = [INTRO, "\n## Tables\n"]
    counts = {name: len(df) for name, df in world.tables().items()}
    out.append("| table | one row is | rows (default world) |\n|---|---|---:|")
    for name, grain in GRAIN.items():
        out.append(f"| `{name}` | {grain} | {counts[name]:,} |")
    for name, cols in SCHEMA.items():
        out.append(f"\n### `{name}`\n\n{GRAIN[name][0].upper() + GRAIN[name][1:]}. {counts[name]:,} rows.\n")
        out.append("| column | type | meaning |\n|---|---|---|")
        for col, (dtype, meaning) in cols.items():
            out.append(f"| `{col}` | {dtype} | {meaning} |")
    out.append("\nThe true link from `accounts` to people is not in the tables: it is `world.truth.account_map` "
               "(`truth_account_map.parquet`).\n")
    out.append("## Planted truths (`world.truth`)\n")
    out.append("Values of the default world. Keys ending in `_realised` are measured on the generated data; "
               "the others are parameters the generator used.\n")
    params = world.truth.params
    for key, value in params.items():
        doc = TRUTH_DOCS.get(key, "(undocumented)")
        text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False)
        out.append(f"### `{key}`\n\n{doc}.\n\n```json\n{text}\n```\n")
    out.append(USES)
    out.append(CDNOW)
    return "\n".join(out)


def main() -> None:
    from opsutils.datasets import load_world

    path = ROOT / "datasets" / "README.md"
    path.write_text(render(load_world()), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
