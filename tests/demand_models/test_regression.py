"""Log-log regression: recovery of elasticity and promotion lifts, and the bound DemandModel."""

from __future__ import annotations

import numpy as np
import pytest

from demand_models.base import DemandModel
from demand_models.data import time_split
from demand_models.parametric import ConstantElasticityDemand
from demand_models.regression import RegressionConfig, fit_regression
from demand_models.synthetic import simulate_history

TRUTH = ConstantElasticityDemand(
    base_demand=40.0,
    elasticity=-2.5,
    promo_lift={"deal": 0.4, "feat": 0.6},
    season_amplitude=0.3,
    season_peak=10,
    sigma=0.3,
)


@pytest.fixture(scope="module")
def split():
    history = simulate_history(TRUTH, n_stores=4, n_products=3, n_periods=156, seed=0)
    return time_split(history, val_fraction=0.15, test_fraction=0.1)


@pytest.mark.parametrize("group_key", ["", None], ids=["per-product", "pooled"])
def test_recovers_elasticity_lifts_and_noise(split, group_key):
    model = fit_regression(split.train, split.val, RegressionConfig(group_key=group_key))
    np.testing.assert_allclose(model.coef[:, 0], TRUTH.elasticity, rtol=0.10)
    for k, lift in enumerate(TRUTH.promo_lift.values()):
        np.testing.assert_allclose(model.coef[:, 1 + k], lift, rtol=0.10)
    assert model.sigma == pytest.approx(TRUTH.sigma, rel=0.2)


def test_bound_model_matches_history_rows_and_protocol(split):
    model = fit_regression(split.train, split.val)
    history = split.val
    frame = history.frame
    rows = ((frame["store"] == 1) & (frame["product"] == 2)).to_numpy()
    bound = model.bind((1, 2))
    assert isinstance(bound, DemandModel)
    assert bound.feature_names == ("deal", "feat", "season", "price0", "price1")
    features = frame.loc[rows, list(bound.feature_names)].to_numpy()
    mu, sigma = bound.log_params(frame.loc[rows, "price"].to_numpy(), features)
    expected_mu, expected_sigma = model.log_params(history)
    np.testing.assert_allclose(mu, expected_mu[rows], atol=1e-10)
    np.testing.assert_allclose(sigma, expected_sigma[rows])
    elasticity = bound.price_elasticity(np.ones(3), features[:3])
    np.testing.assert_allclose(elasticity, model.coef[model.series_group[model.spec.series_index((1, 2))], 0])
    missing = features[:1].copy()
    missing[0, 3:] = np.nan  # unknown competitor prices count as their typical price
    typical = features[:1].copy()
    typical[0, 3:] = bound.typical_features[3:]
    price = frame.loc[rows, "price"].to_numpy()[:1]
    np.testing.assert_allclose(bound.log_params(price, missing)[0], bound.log_params(price, typical)[0])
