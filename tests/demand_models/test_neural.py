"""Neural demand model: recovery, monotonicity, numpy == torch, seeding, the bound DemandModel."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demand_models.base import DemandModel
from demand_models.data import time_split
from demand_models.features import encode
from demand_models.neural import fit_neural, to_torch
from demand_models.neural_model import NeuralConfig, NeuralDemandModel
from demand_models.parametric import ConstantElasticityDemand
from demand_models.synthetic import simulate_history

TRUTH = ConstantElasticityDemand(
    base_demand=40.0,
    elasticity=-2.5,
    promo_lift={"deal": 0.4, "feat": 0.6},
    season_amplitude=0.3,
    season_peak=10,
    sigma=0.3,
)
FAST = NeuralConfig(
    hidden=32,
    embedding=4,
    batch_size=128,
    learning_rate=3e-3,
    dropout=0.0,
    max_epochs=60,
    patience=20,
    threads=1,
    members=1,
)
TINY = NeuralConfig(hidden=16, embedding=2, batch_size=256, max_epochs=2, threads=1, members=2)


@pytest.fixture(scope="module")
def history():
    return simulate_history(TRUTH, n_stores=4, n_products=3, n_periods=156, seed=0)


@pytest.fixture(scope="module")
def split(history):
    return time_split(history, val_fraction=0.15, test_fraction=0.1)


@pytest.fixture(scope="module")
def fitted(split) -> NeuralDemandModel:
    return fit_neural(split.train, split.val, FAST, seed=0, progress=False)


@pytest.fixture(scope="module")
def tiny(split) -> NeuralDemandModel:
    return fit_neural(split.train, split.val, TINY, seed=3, progress=False)


def _contexts(bound, season: np.ndarray) -> np.ndarray:
    features = np.tile(bound.typical_features, (len(season), 1))
    features[:, bound.feature_names.index("season")] = season
    return features


def test_recovers_elasticity_and_promotion_lifts(fitted):
    elasticities, lifts = [], {name: [] for name in TRUTH.promo_lift}
    for key in fitted.spec.series:
        bound = fitted.bind(key)
        features = _contexts(bound, np.arange(52))
        price = np.full(52, bound.reference_price)
        elasticities.append(bound.price_elasticity(price, features).mean())
        base = bound.log_params(price, features)[0]
        for name in TRUTH.promo_lift:
            promoted = features.copy()
            promoted[:, bound.feature_names.index(name)] = 1.0
            lifts[name].append((bound.log_params(price, promoted)[0] - base).mean())
    assert np.median(elasticities) == pytest.approx(TRUTH.elasticity, rel=0.10)
    for name, lift in TRUTH.promo_lift.items():
        assert np.median(lifts[name]) == pytest.approx(lift, rel=0.10), name


def test_demand_never_rises_with_own_price_on_random_inputs(tiny):
    rng = np.random.default_rng(0)
    bound = tiny.bind((0, 0))
    n = 400
    features = np.column_stack(
        [
            rng.random((n, 2)),
            rng.integers(0, 52, n),
            bound.typical_features[3:] * np.exp(rng.normal(0.0, 1.0, (n, len(bound.feature_names) - 3))),
        ]
    )
    prices = np.sort(rng.uniform(0.01, 100.0, (n, 30)), axis=1)
    means = np.stack([bound.expected_demand(prices[:, k], features) for k in range(30)], axis=1)
    assert np.all(np.diff(means, axis=1) <= 1e-12 * means[:, 1:])
    assert np.all(bound.price_elasticity(prices[:, 0], features) < 0)


def test_numpy_forward_matches_torch(tiny, history):
    inputs = encode(tiny.spec, history)
    frame = history.frame
    rows = ((frame["store"] == 2) & (frame["product"] == 1)).to_numpy()
    for member in range(TINY.members):
        single = NeuralDemandModel(
            tiny.spec, tiny.config, (tiny.states[member],), sigma_scale=1.0, seeds=(0,), epochs=(1,)
        )
        with torch.no_grad():
            torch_mu, torch_sigma = to_torch(tiny, member)(
                torch.from_numpy(inputs.keys),
                torch.from_numpy(inputs.log_rel_price).float(),
                torch.from_numpy(inputs.context),
            )
        torch_mu, torch_sigma = torch_mu.double().numpy(), torch_sigma.double().numpy()
        mu, sigma = single.log_params_inputs(inputs)
        np.testing.assert_allclose(mu, torch_mu, atol=1e-5, rtol=0)
        np.testing.assert_allclose(sigma, torch_sigma, atol=1e-5, rtol=0)
        bound = single.bind((2, 1))
        features = frame.loc[rows, list(bound.feature_names)].to_numpy()
        bound_mu, bound_sigma = bound.log_params(frame.loc[rows, "price"].to_numpy(), features)
        np.testing.assert_allclose(bound_mu, torch_mu[rows], atol=1e-5, rtol=0)
        np.testing.assert_allclose(bound_sigma, torch_sigma[rows], atol=1e-5, rtol=0)


def test_bound_model_equals_multi_series_forward(tiny, history):
    frame = history.frame
    rows = ((frame["store"] == 2) & (frame["product"] == 1)).to_numpy()
    mu, sigma = tiny.log_params(history)
    bound = tiny.bind((2, 1))
    features = frame.loc[rows, list(bound.feature_names)].to_numpy()
    bound_mu, bound_sigma = bound.log_params(frame.loc[rows, "price"].to_numpy(), features)
    np.testing.assert_allclose(bound_mu, mu[rows], atol=1e-5)
    np.testing.assert_allclose(bound_sigma, sigma[rows], atol=1e-5)
    for _ in range(2):  # computed, then cached
        one_mu, one_sigma = bound.log_params(frame.loc[rows, "price"].to_numpy()[:1], features[:1])
        np.testing.assert_allclose(one_mu, bound_mu[:1], atol=1e-12)
        np.testing.assert_allclose(one_sigma, bound_sigma[:1], atol=1e-12)


def test_same_seed_gives_same_weights(split, tiny):
    again = fit_neural(split.train, split.val, TINY, seed=3, progress=False)
    for first, second in zip(tiny.states, again.states, strict=True):
        assert first.keys() == second.keys()
        for name in first:
            np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    other = fit_neural(split.train, split.val, TINY, seed=4, progress=False)
    assert not np.array_equal(other.states[0]["hidden.0.weight"], tiny.states[0]["hidden.0.weight"])


def test_bound_model_satisfies_protocol_and_pmf_matches_samples(tiny):
    bound = tiny.bind((0, 1))
    assert isinstance(bound, DemandModel)
    assert bound.feature_roles == {
        "deal": "promo",
        "feat": "promo",
        "season": "season",
        "price0": "competitor",
        "price2": "competitor",
    }
    low, high = bound.price_range
    assert low <= bound.reference_price <= high
    assert bound.mean_units > 0 and bound.unit_cost > 0
    n = 200_000
    price = np.full(n, bound.reference_price)
    features = np.tile(bound.typical_features, (n, 1))
    draws = bound.sample(price, features, np.random.default_rng(0))
    assert draws.dtype == np.int64 and draws.shape == (n,)
    n_max = int(np.quantile(draws, 0.999)) + 1
    pmf = bound.pmf(price[:1], features[:1], n_max)[0]
    empirical = np.bincount(np.minimum(draws, n_max), minlength=n_max + 1) / n
    assert np.abs(empirical - pmf).max() < 0.005
    assert draws.mean() == pytest.approx(bound.expected_demand(price[:1], features[:1])[0], rel=0.02)


def test_bad_inputs_raise_clear_errors(tiny):
    with pytest.raises(ValueError, match="unknown series"):
        tiny.bind((99, 0))
    bound = tiny.bind((0, 0))
    with pytest.raises(ValueError, match="features must have shape"):
        bound.expected_demand(np.ones(2), np.ones((2, 3)))
