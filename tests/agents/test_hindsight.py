"""The perfect-hindsight bound lies above the exact optimum."""

from __future__ import annotations

import pytest

from agents.dp import solve_dp
from agents.hindsight import hindsight_bound
from envs.config import PricingEnvConfig
from envs.pricing_env import DynamicPricingEnv

CASES = {
    "clearance": dict(horizon=6, opening_stock=300),
    "joint-lead-1": dict(
        horizon=6,
        replenishment="agent",
        lead_time=1,
        max_order=150,
        n_order_levels=4,
        capacity=300,
        opening_stock=100,
    ),
}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_bound_is_above_the_exact_optimum(name: str) -> None:
    config = PricingEnvConfig(**CASES[name])
    env = DynamicPricingEnv(config)
    env.reset(seed=0)
    bound = hindsight_bound(config, env.calendar, n_samples=100, seed=1)
    assert bound.value + bound.half_width >= solve_dp(config, env.calendar).value
    assert "upper bound" in bound.label


def test_without_noise_clearance_bound_equals_the_optimum() -> None:
    config = PricingEnvConfig(horizon=5, opening_stock=400, noise=False)
    env = DynamicPricingEnv(config)
    env.reset(seed=0)
    bound = hindsight_bound(config, env.calendar)
    assert bound.n_samples == 1 and bound.value == pytest.approx(solve_dp(config, env.calendar).value)
