"""opsutils.attribution: heuristic rules, the exact Markov model and Shapley values.

Outside references: the hand-worked Markov examples of the ChannelAttribution and marketing-analytics
literature (Anderl et al. 2016's removal effect), each solved by hand below; Shapley values checked
against the definition by brute-force enumeration of coalitions; the planted touch chain of the world.
"""

import copy
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from opsutils.attribution import (CONVERSION, HEURISTIC_MODELS, NULL, START, heuristic_attribution,
                                  markov_attribution, markov_chain, shapley_attribution)


def _credits(frame, col="conversions"):
    return frame.set_index("channel")[col].to_dict()


@pytest.fixture
def google_mailing():
    return pd.DataFrame({"path": ["google ads", "mailing", "google ads > mailing", "google ads"],
                         "conversions": [2, 1, 1, 0], "nulls": [0, 0, 0, 1]})


@pytest.fixture
def abc():
    return pd.DataFrame({"path": ["A > B", "A", "B > C", "C"], "conversions": [1, 0, 1, 1],
                         "nulls": [0, 1, 0, 0]})


# --------------------------------------------------------------------------- #
# Markov: hand-worked examples
# --------------------------------------------------------------------------- #
def test_markov_google_ads_mailing(google_mailing):
    out = markov_attribution(google_mailing, nulls_col="nulls")
    assert _credits(out, "removal_effect") == pytest.approx({"google ads": 0.75, "mailing": 0.5})
    assert _credits(out) == pytest.approx({"google ads": 2.4, "mailing": 1.6})


def test_markov_c1_c2_c3():
    paths = pd.DataFrame({"path": ["c1 > c2 > c3", "c1", "c2 > c3"], "conversions": [1, 0, 0], "nulls": [0, 1, 1]})
    out = markov_attribution(paths, nulls_col="nulls")
    assert _credits(out) == pytest.approx({"c1": 0.2, "c2": 0.4, "c3": 0.4})
    chain = markov_chain(paths, nulls_col="nulls")
    assert chain.conversion_probability == pytest.approx(1 / 3)


def test_markov_abc(abc):
    out = markov_attribution(abc, nulls_col="nulls")
    assert _credits(out) == pytest.approx({"A": 0.6, "B": 1.2, "C": 1.2})


def test_markov_conversion_probability_is_the_observed_rate(abc):
    # For a chain estimated from complete paths, P(conversion from start) equals the observed share.
    chain = markov_chain(abc, nulls_col="nulls")
    assert chain.conversion_probability == pytest.approx(3 / 4)


def test_transition_matrix_rows_sum_to_one_and_have_the_absorbing_states(google_mailing):
    chain = markov_chain(google_mailing, nulls_col="nulls")
    t = chain.transitions
    assert list(t.index) == [START, "google ads", "mailing"]
    assert list(t.columns) == [START, "google ads", "mailing", CONVERSION, NULL]
    np.testing.assert_allclose(t.sum(axis=1), 1.0)
    assert t.loc[START, "google ads"] == pytest.approx(4 / 5)
    assert t.loc["google ads", "mailing"] == pytest.approx(1 / 4)


def test_without_nulls_every_path_converts(google_mailing):
    chain = markov_chain(google_mailing)
    assert chain.conversion_probability == pytest.approx(1.0)
    assert markov_attribution(google_mailing)["conversions"].sum() == pytest.approx(4)


def test_markov_matches_a_direct_dense_solution():
    rng = np.random.default_rng(3)
    chans = list("ABCDE")
    rows = []
    for _ in range(60):
        L = rng.integers(1, 6)
        rows.append((" > ".join(rng.choice(chans, L)), int(rng.integers(0, 4)), int(rng.integers(0, 6))))
    paths = pd.DataFrame(rows, columns=["path", "conversions", "nulls"])
    paths.loc[0, "conversions"] += 1
    chain = markov_chain(paths, nulls_col="nulls")
    # Dense re-computation from the transition table.
    t = chain.transitions
    states = list(t.index)
    Q = t[states].to_numpy()
    r = t[CONVERSION].to_numpy()

    def p(drop=None):
        keep = np.array([s != drop for s in states], dtype=float)
        Qd = Q * keep[None, :] * keep[:, None]
        return np.linalg.solve(np.eye(len(states)) - Qd, r * keep)[0]

    base = p()
    for ch in chans:
        if ch in chain.removal_effects.index:
            assert chain.removal_effects[ch] == pytest.approx(1 - p(ch) / base, abs=1e-12)


def test_second_order_chain():
    paths = pd.DataFrame({"path": ["A > B > C", "B > A > C", "A > C"], "conversions": [3, 1, 2], "nulls": [1, 2, 2]})
    chain = markov_chain(paths, nulls_col="nulls", order=2)
    assert "A > B" in chain.transitions.index and "B > A" in chain.transitions.index
    assert chain.conversion_probability == pytest.approx(6 / 11)
    out = chain.to_frame()
    assert out["conversions"].sum() == pytest.approx(6)
    # C is on every converting path: removing it kills every conversion.
    assert chain.removal_effects["C"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- #
# Heuristics
# --------------------------------------------------------------------------- #
def test_heuristics_abc(abc):
    assert _credits(heuristic_attribution(abc, model="first")) == pytest.approx({"A": 1, "B": 1, "C": 1})
    assert _credits(heuristic_attribution(abc, model="last")) == pytest.approx({"A": 0, "B": 1, "C": 2})
    assert _credits(heuristic_attribution(abc, model="linear")) == pytest.approx({"A": 0.5, "B": 1, "C": 1.5})


def test_time_decay_and_position_by_hand():
    paths = pd.DataFrame({"path": ["A > B > C > D"], "conversions": [10]})
    decay = _credits(heuristic_attribution(paths, model="time_decay", decay=0.5))
    total = 1 + 0.5 + 0.25 + 0.125
    assert decay == pytest.approx({"D": 10 / total, "C": 5 / total, "B": 2.5 / total, "A": 1.25 / total})
    pos = _credits(heuristic_attribution(paths, model="position"))
    assert pos == pytest.approx({"A": 4, "B": 1, "C": 1, "D": 4})
    two = _credits(heuristic_attribution(pd.DataFrame({"path": ["A > B"], "conversions": [1]}), model="position"))
    assert two == pytest.approx({"A": 0.5, "B": 0.5})
    assert _credits(heuristic_attribution(paths, model="time_decay", decay=1.0)) == pytest.approx(
        _credits(heuristic_attribution(paths, model="linear")))


@pytest.mark.parametrize("model", HEURISTIC_MODELS)
def test_every_model_credits_sum_to_total_conversions(model, google_mailing):
    assert heuristic_attribution(google_mailing, model=model)["conversions"].sum() == pytest.approx(4)


def test_separator_and_spaces(abc):
    compact = abc.assign(path=abc["path"].str.replace(" > ", ">"))
    pd.testing.assert_frame_equal(heuristic_attribution(compact, model="linear"),
                                  heuristic_attribution(abc, model="linear"))
    piped = abc.assign(path=abc["path"].str.replace(" > ", " | "))
    pd.testing.assert_frame_equal(markov_attribution(piped, nulls_col="nulls", sep="|"),
                                  markov_attribution(abc, nulls_col="nulls"))


# --------------------------------------------------------------------------- #
# Shapley
# --------------------------------------------------------------------------- #
def _brute_force_shapley(paths):
    sets = [frozenset(c.strip() for c in p.split(">")) for p in paths["path"]]
    players = sorted(set().union(*sets))
    conv = paths["conversions"].to_numpy(float)

    def value(coalition):
        return sum(c for s, c in zip(sets, conv) if s <= coalition)

    n = len(players)
    phi = {}
    for i in players:
        others = [p for p in players if p != i]
        total = 0.0
        for k in range(n):
            for S in itertools.combinations(others, k):
                w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                total += w * (value(frozenset(S) | {i}) - value(frozenset(S)))
        phi[i] = total
    return phi


def test_shapley_closed_form_equals_the_definition():
    paths = pd.DataFrame({"path": ["A > B > A", "A", "B > C", "C > D > A", "D", "B > D"],
                          "conversions": [2, 1, 1, 3, 0, 2]})
    assert _credits(shapley_attribution(paths)) == pytest.approx(_brute_force_shapley(paths))
    assert shapley_attribution(paths)["conversions"].sum() == pytest.approx(9)


# --------------------------------------------------------------------------- #
# Bad input, no mutation
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("func", [heuristic_attribution, markov_attribution, shapley_attribution])
def test_bad_input(func, abc):
    with pytest.raises(ValueError, match="empty"):
        func(abc.iloc[0:0])
    with pytest.raises(KeyError, match="Column 'conversions' not found in `paths`. Available columns"):
        func(abc.drop(columns="conversions"))
    with pytest.raises(ValueError, match="missing value"):
        func(abc.assign(path=[None, "A", "B > C", "C"]))
    with pytest.raises(ValueError, match="negative"):
        func(abc.assign(conversions=[-1, 0, 1, 1]))
    with pytest.raises(ValueError, match="no conversions"):
        func(abc.assign(conversions=0))
    with pytest.raises(ValueError, match="empty channel name"):
        func(abc.assign(path=["A > B", "A >", "B > C", "C"]))
    with pytest.raises(ValueError, match="`sep` must be a non-blank string"):
        func(abc, sep=" ")
    with pytest.raises(ValueError, match=r"`sep` is '\|', but no path .* contains it, while some contain '>'.*pass sep='>'"):
        func(abc, sep="|")
    # written with another separator: the check names it
    piped = abc.assign(path=abc["path"].str.replace(" > ", " | ", regex=False))
    with pytest.raises(ValueError, match=r"`sep` is '>'.*some contain '\|'.*pass sep='\|'"):
        func(piped)
    func(piped, sep="|")  # the right separator works
    with pytest.raises(ValueError, match="must hold strings"):
        func(abc.assign(path=[1, 2, 3, 4]))


def test_unknown_model_and_options(abc):
    with pytest.raises(ValueError, match="`model` must be one of 'first', 'last', 'linear', 'time_decay', 'position'"):
        heuristic_attribution(abc, model="u_shaped")
    with pytest.raises(ValueError, match="decay"):
        heuristic_attribution(abc, model="time_decay", decay=0)
    with pytest.raises(ValueError, match="sum to at most 1"):
        heuristic_attribution(abc, model="position", position_weights=(0.6, 0.6))
    with pytest.raises(ValueError, match="order"):
        markov_attribution(abc, order=0)
    with pytest.raises(KeyError, match="nulls"):
        markov_attribution(abc.drop(columns="nulls"), nulls_col="nulls")


def test_markov_attribution_returns_transitions_on_request(abc):
    credits, transitions = markov_attribution(abc, nulls_col="nulls", return_transitions=True)
    chain = markov_chain(abc, nulls_col="nulls")
    pd.testing.assert_frame_equal(credits, chain.to_frame())
    pd.testing.assert_frame_equal(transitions, chain.transitions)
    np.testing.assert_allclose(transitions.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="`return_transitions` must be True or False; got 'yes'"):
        markov_attribution(abc, return_transitions="yes")


def test_inputs_not_mutated(abc):
    before = copy.deepcopy(abc)
    for model in HEURISTIC_MODELS:
        heuristic_attribution(abc, model=model)
    markov_chain(abc, nulls_col="nulls", order=2)
    shapley_attribution(abc)
    pd.testing.assert_frame_equal(abc, before)


# --------------------------------------------------------------------------- #
# The world: removal effects from the event log near the planted chain's
# --------------------------------------------------------------------------- #
def test_world_removal_effects_near_the_planted_chain(world):
    """Paths rebuilt from the event log with a 30-day lookback and a 3-day journey gap.

    The generator's touch paths are spaced ~2 days apart within a journey; journeys of the same customer
    are weeks apart, so a 3-day silence separates them. Tolerance: each removal effect within 10% of the
    planted chain's exact value, and the same ranking of channels.
    """
    from opsutils.journey import paths_from_events

    truth = pd.Series(world.truth["markov"]["removal_effects"])
    paths = paths_from_events(world.events, lookback="30D", gap="3D")
    est = markov_chain(paths, nulls_col="nulls").removal_effects.reindex(truth.index)
    assert (est / truth - 1).abs().max() < 0.10
    assert list(est.sort_values().index) == list(truth.sort_values().index)


def test_planted_chain_truth_is_standard_removal():
    """The truth's removal effects are those of our exact model on the planted chain's own paths."""
    from opsutils.synth._activity import TOUCH_STATES, markov_truth, simulate_paths

    conv, null = simulate_paths(np.random.default_rng(0), 40_000)

    def agg(H):
        return pd.Series([" > ".join(TOUCH_STATES[x] for x in row if x >= 0) for row in H]).value_counts()

    paths = pd.DataFrame({"conversions": agg(conv), "nulls": agg(null)}).fillna(0).rename_axis("path").reset_index()
    base, removal = markov_truth()
    chain = markov_chain(paths, nulls_col="nulls")
    assert chain.conversion_probability == pytest.approx(base, abs=0.005)
    for ch, re in removal.items():
        assert chain.removal_effects[ch] == pytest.approx(re, abs=0.01)
