"""Each scenario's tick gives the intended drift at the intended time, and the shifts are strong."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from scipy.stats import chisquare, ks_2samp

from driftwatch_core.features import FEATURE_NAMES, FEATURES
from driftwatch_core.generator import NO_DRIFT, Drift, TransactionGenerator
from driftwatch_core.scenarios import SCENARIO_NAMES
from simulator.scenarios import ATTACK, CASH_OUT, SCENARIO_CLASSES, build_scenario, normal_mix


def test_every_catalogue_entry_has_a_scenario_class():
    assert set(SCENARIO_CLASSES) == set(SCENARIO_NAMES)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_every_scenario_is_normal_or_well_formed_at_every_time(name):
    scenario = build_scenario(name)
    for t in (0.0, 30.0, 600.0, 86_400.0):
        drift = scenario.tick(t)
        assert isinstance(drift, Drift)
        assert set(drift.scale) | set(drift.shift) | set(drift.category_probs) | set(drift.boolean_rates) <= set(
            FEATURE_NAMES
        )
        TransactionGenerator(seed=1).sample(50, drift)  # the generator accepts it


def test_none_and_label_delay_leave_traffic_alone():
    assert build_scenario("none").tick(100.0) is NO_DRIFT
    late = build_scenario("label_delay", {"delay_s": 900})
    assert late.tick(100.0) is NO_DRIFT and late.label_delay_s == 900.0
    assert build_scenario("sudden").label_delay_s is None


def test_sudden_is_the_cash_out_moving_three_features_from_the_start():
    scenario = build_scenario("sudden")
    for t in (0.0, 3600.0):
        drift = scenario.tick(t)
        assert drift.scale == {"hour_of_day": 0.2, "distance_from_home_km": 50.0, "distance_from_last_txn_km": 50.0}
        assert not (drift.shift or drift.category_probs or drift.boolean_rates or drift.concept)


def test_fraud_ring_is_the_full_attack_from_the_start():
    scenario = build_scenario("fraud_ring")
    for t in (0.0, 3600.0):
        drift = scenario.tick(t)
        assert drift.scale["amount"] == 4.0 and drift.scale["hour_of_day"] == 0.2
        assert drift.shift == {"txn_count_24h": 6.0}
        assert drift.boolean_rates == pytest.approx({"card_present": 0.1, "is_international": 0.5})
        assert drift.category_probs["entry_mode"]["online"] == pytest.approx(0.75)
        assert drift.category_probs["merchant_category"]["grocery"] == 0.0


def test_magnitude_raises_factors_and_scales_offsets():
    drift = build_scenario("fraud_ring", {"magnitude": 2}).tick(0)
    assert drift.scale["amount"] == pytest.approx(16.0) and drift.shift["txn_count_24h"] == 12.0
    half = build_scenario("fraud_ring", {"magnitude": 0.5}).tick(0)
    assert half.scale["amount"] == pytest.approx(2.0)
    normal_present = normal_mix()["card_present"]["true"]
    assert half.boolean_rates["card_present"] == pytest.approx((normal_present + 0.1) / 2)
    assert build_scenario("fraud_ring", {"magnitude": 0}).tick(0) is NO_DRIFT
    assert build_scenario("sudden", {"magnitude": 0.5}).tick(0).scale["distance_from_home_km"] == pytest.approx(50**0.5)


def test_features_param_limits_the_drift():
    drift = build_scenario("fraud_ring", {"features": ["amount", "entry_mode"]}).tick(0)
    assert drift.scale == {"amount": 4.0} and not drift.shift and not drift.boolean_rates
    assert list(drift.category_probs) == ["entry_mode"]
    assert build_scenario("sudden", {"features": ["hour_of_day", "amount"]}).tick(0).scale == {"hour_of_day": 0.2}


def test_gradual_ramps_the_cash_out_linearly_over_its_duration():
    scenario = build_scenario("gradual", {"duration_minutes": 10})
    assert scenario.tick(0.0) is NO_DRIFT
    assert scenario.tick(150.0).scale["distance_from_home_km"] == pytest.approx(50.0**0.25)
    assert scenario.tick(300.0).scale["hour_of_day"] == pytest.approx(0.2**0.5)
    assert scenario.tick(600.0) == CASH_OUT.at(1.0)
    assert scenario.tick(6000.0) == scenario.tick(600.0)


def test_recurring_rises_and_falls_once_per_period():
    scenario = build_scenario("recurring", {"period_minutes": 10, "magnitude": 1})
    assert scenario.tick(0.0) is NO_DRIFT
    assert scenario.tick(150.0).shift["hour_of_day"] == pytest.approx(3.0)
    peak = scenario.tick(300.0)
    assert peak.shift["hour_of_day"] == pytest.approx(6.0)
    assert peak.category_probs["merchant_category"]["online_retail"] == pytest.approx(0.55)
    assert scenario.tick(600.0 - 1e-9).shift.get("hour_of_day", 0.0) == pytest.approx(0.0, abs=1e-6)
    assert scenario.tick(900.0) == peak


def test_categorical_moves_only_the_merchant_mix():
    drift = build_scenario("categorical").tick(10.0)
    assert not (drift.scale or drift.shift or drift.boolean_rates or drift.concept)
    mix = drift.category_probs["merchant_category"]
    assert mix == pytest.approx(
        {c: ATTACK.categories["merchant_category"].get(c, 0.0) for c in normal_mix()["merchant_category"]}
    )


def test_concept_changes_labels_not_inputs():
    drift = build_scenario("concept").tick(0.0)
    assert drift == Drift(concept=0.8)
    normal = TransactionGenerator(seed=3, fraud_rate=0.05).sample(20_000)
    shifted = TransactionGenerator(seed=4, fraud_rate=0.05).sample(20_000, drift)
    for feature in FEATURES:
        if feature.kind == "numeric":
            assert ks_2samp(normal.columns[feature.name], shifted.columns[feature.name]).statistic < 0.03

    def fraud_rate_of_swipes(batch):
        return batch.labels[batch.columns["entry_mode"] == "swipe"].mean()

    assert fraud_rate_of_swipes(shifted) > 3 * fraud_rate_of_swipes(normal)


def _drifted_features(current, reference, ks_floor: float = 0.1) -> list[str]:
    """Features where ``current`` clearly differs from ``reference`` (KS above ``ks_floor``, or chi-square)."""
    drifted = []
    for feature in FEATURES:
        ref, cur = reference.columns[feature.name], current[feature.name]
        if feature.kind == "numeric":
            result = ks_2samp(ref, cur)
            if result.pvalue < 1e-3 and result.statistic > ks_floor:
                drifted.append(feature.name)
            continue
        values = feature.categories or (False, True)
        ref_share = np.array([np.mean(ref == v) for v in values])
        cur_counts = np.array([np.sum(cur == v) for v in values])
        keep = ref_share > 0
        expected = ref_share[keep] / ref_share[keep].sum() * cur_counts.sum()
        shifted_share = 0.5 * np.abs(cur_counts / cur_counts.sum() - ref_share).sum()
        if chisquare(cur_counts[keep], expected).pvalue < 1e-3 and shifted_share > 0.05:
            drifted.append(feature.name)
    return drifted


def _window(shifted_share: float, drift: Drift, seed: int) -> dict:
    """A 5-minute window at 10 req/s (3,000 rows) of which ``shifted_share`` follow ``drift``."""
    n_shift = int(3_000 * shifted_share)
    normal = TransactionGenerator(seed=seed).sample(3_000 - n_shift)
    shifted = TransactionGenerator(seed=seed + 1).sample(n_shift, drift)
    return {name: np.concatenate([normal.columns[name], shifted.columns[name]]) for name in FEATURE_NAMES}


def test_a_window_with_10_percent_sudden_rows_shows_exactly_its_three_features_drifted():
    """What the monitoring worker sees in the first cycle or two after a sudden shift (10 req/s, 5-minute window)."""
    reference = TransactionGenerator(seed=11).sample(5_000)
    window = _window(0.1, build_scenario("sudden").tick(0.0), seed=12)
    # 10% of rows moved can move KS by at most 0.1: judged with the worker's floor (0.05).
    assert sorted(_drifted_features(window, reference, ks_floor=0.05)) == [
        "distance_from_home_km",
        "distance_from_last_txn_km",
        "hour_of_day",
    ]
    assert _drifted_features(_window(0.0, NO_DRIFT, seed=12), reference, ks_floor=0.05) == []


def test_a_window_with_20_percent_fraud_ring_rows_shows_most_features_drifted():
    """What the monitoring worker sees 60 s into a fraud-ring attack with a 5-minute window."""
    reference = TransactionGenerator(seed=11).sample(5_000)
    drifted = _drifted_features(_window(0.2, build_scenario("fraud_ring").tick(0.0), seed=12), reference)
    assert len(drifted) >= 10, drifted


def test_unknown_scenarios_and_bad_params_are_refused():
    with pytest.raises(KeyError):
        build_scenario("tsunami")
    with pytest.raises(ValidationError, match="magnitude"):
        build_scenario("sudden", {"magnitude": -1})
    assert math.isclose(build_scenario("gradual").params["duration_minutes"], 10.0)
