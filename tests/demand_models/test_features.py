"""Feature encoding: own-price masking, season harmonics, spec round trip, single-series data."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from demand_models.features import FeatureSpec, build_spec, encode
from demand_models.parametric import ConstantElasticityDemand
from demand_models.synthetic import simulate_history


@pytest.fixture(scope="module")
def history():
    return simulate_history(ConstantElasticityDemand(), n_stores=2, n_products=3, n_periods=20, seed=1)


def test_own_price_is_masked_out_of_competitor_inputs(history):
    spec = build_spec(history)
    inputs = encode(spec, history)
    n_promo, n_season = len(spec.promo_columns), 4
    competitors = inputs.context[:, n_promo + n_season :]
    own = history.frame["own_index"].to_numpy()
    assert np.all(competitors[np.arange(len(own)), own] == 0.0)
    other = (own + 1) % 3
    assert np.all(competitors[np.arange(len(own)), other] != 0.0)


def test_own_price_column_is_detected_when_not_declared(history):
    undeclared = dataclasses.replace(history, own_price_column=None)
    assert build_spec(undeclared).profiles == build_spec(history).profiles


def test_reference_price_and_log_relative_price(history):
    spec = build_spec(history)
    inputs = encode(spec, history)
    frame = history.frame
    rows = ((frame["store"] == 1) & (frame["product"] == 2)).to_numpy()
    reference = spec.profiles[spec.series_index((1, 2))].reference_price
    assert reference == pytest.approx(np.median(frame.loc[rows, "price"]))
    np.testing.assert_allclose(inputs.log_rel_price[rows], np.log(frame.loc[rows, "price"] / reference))
    assert np.median(inputs.log_rel_price[rows]) == pytest.approx(0.0, abs=0.01)


def test_spec_round_trips_through_json(history):
    spec = build_spec(history)
    assert FeatureSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.raw_feature_names(spec.series_index((0, 1))) == (
        "deal",
        "feature",
        "season",
        "price0",
        "price2",
    )


def test_unknown_series_is_a_clear_error(history):
    spec = build_spec(history)
    other = dataclasses.replace(history, frame=history.frame.assign(store=history.frame["store"] + 10))
    with pytest.raises(ValueError, match="not in training"):
        encode(spec, other)


def test_history_without_series_keys_is_one_series(history):
    frame = history.frame[(history.frame["store"] == 0) & (history.frame["product"] == 0)]
    single = dataclasses.replace(
        history,
        frame=frame.drop(columns=["store", "product", "own_index"]),
        series_keys=(),
        own_price_column=None,
    )
    spec = build_spec(single)
    assert spec.series == ((),)
    assert spec.profiles[0].own_index == 0
    assert (encode(spec, single).series == 0).all()
