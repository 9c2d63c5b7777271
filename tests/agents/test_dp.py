"""The exact DP: brute-force agreement, simulated value, fixed prices below the optimum."""

from __future__ import annotations

import math
from functools import cache

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.dp import solve_dp
from envs.calendar import Calendar
from envs.config import PricingEnvConfig, scenario_config
from envs.demand import StandInDemand
from envs.market import resolve_market
from envs.pricing_env import DynamicPricingEnv

TINY_MODEL = StandInDemand(base_demand=2.0, mean_units=2.0, sigma=0.6)


def brute_force_value(config: PricingEnvConfig, calendar: Calendar) -> float:
    """Expectimax over every demand history, written independently of agents.dp."""
    model = TINY_MODEL
    market = resolve_market(config, model)
    features = calendar.features(model)
    cap, horizon = market.capacity, market.horizon
    orders = [None] if market.order_quantities is None else [int(q) for q in market.order_quantities]

    @cache
    def pmf(t: int, k: int) -> tuple[float, ...]:
        return tuple(model.pmf(market.prices[k : k + 1], features[t : t + 1], cap + 1)[0])

    @cache
    def value(t: int, stock: int, pipeline: tuple[int, ...], last: float) -> float:
        if t == horizon:
            return 0.0
        best = -math.inf
        for k in np.flatnonzero(market.allowed_prices(last)):
            price = float(market.prices[k])
            for wanted in orders:
                position = stock + sum(pipeline)
                order = 0
                if t + market.lead_time <= horizon - 1:
                    if market.replenishment == "order_up_to":
                        order = max(0, market.order_up_to - position)
                    elif market.replenishment == "agent":
                        order = max(0, min(wanted, cap - position))
                total = -market.unit_cost * order - market.fixed_order_cost * (order > 0)
                for demand, probability in enumerate(pmf(t, int(k))):
                    sales = min(demand, stock)
                    left = stock - sales
                    reward = price * sales - market.holding_cost * left
                    if t == horizon - 1:
                        total += probability * (reward + market.salvage_value * left)
                        continue
                    queue = (*pipeline, order)
                    total += probability * (reward + value(t + 1, left + queue[0], queue[1:], price))
                best = max(best, total)
        return best

    start = (0,) * (market.lead_time - 1 if market.replenishment != "none" else 0)
    return (
        value(0, market.opening_stock, start, market.initial_price) - market.unit_cost * market.opening_stock
    )


TINY = {
    "clearance": dict(horizon=3, n_prices=3, price_min=2.0, price_max=4.0, opening_stock=6),
    "clearance-max-change": dict(
        horizon=3, n_prices=4, price_min=2.0, price_max=3.5, opening_stock=5, max_price_change=0.5
    ),
    "order-up-to-lead-1": dict(
        horizon=4,
        n_prices=3,
        price_min=2.0,
        price_max=4.0,
        replenishment="order_up_to",
        lead_time=1,
        order_up_to=4,
        fixed_order_cost=0.5,
    ),
    "order-up-to-lead-2": dict(
        horizon=4,
        n_prices=3,
        price_min=2.0,
        price_max=4.0,
        replenishment="order_up_to",
        lead_time=2,
        order_up_to=4,
        opening_stock=3,
        fixed_order_cost=0.5,
    ),
    "joint-lead-1": dict(
        horizon=3,
        n_prices=3,
        price_min=2.0,
        price_max=4.0,
        replenishment="agent",
        lead_time=1,
        max_order=3,
        n_order_levels=4,
        capacity=5,
        opening_stock=2,
        fixed_order_cost=0.3,
    ),
}


@pytest.mark.parametrize("name", list(TINY), ids=list(TINY))
def test_dp_equals_brute_force_on_tiny_instances(name: str) -> None:
    config = PricingEnvConfig(**TINY[name])
    env = DynamicPricingEnv(config, model=TINY_MODEL)
    env.reset(seed=0)
    result = solve_dp(config, env.calendar, model=TINY_MODEL)
    assert result.value == pytest.approx(brute_force_value(config, env.calendar), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", list(TINY), ids=list(TINY))
def test_without_noise_the_dp_policy_earns_exactly_v0(name: str) -> None:
    config = PricingEnvConfig(**TINY[name], noise=False)
    env = DynamicPricingEnv(config, model=TINY_MODEL)
    obs, _ = env.reset(seed=1)
    result = solve_dp(config, env.calendar, model=TINY_MODEL)
    total, terminated = 0.0, False
    while not terminated:
        action, _ = result.policy.predict(obs)
        obs, reward, terminated, _, _ = env.step(action)
        total += reward
    assert total == pytest.approx(result.value, abs=1e-9)


def simulate(env: gym.Env, policy, start: int, episodes: int, seed: int) -> np.ndarray:
    returns = np.empty(episodes)
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i, options={"start": start})
        total, terminated = 0.0, False
        while not terminated:
            action, _ = policy.predict(obs)
            obs, reward, terminated, _, _ = env.step(action)
            total += reward
        returns[i] = total
    return returns


@pytest.mark.parametrize("action_type", ["discrete", "continuous"])
def test_dp_policy_earns_v0_within_monte_carlo_interval(action_type: str) -> None:
    env = gym.make("DynamicPricing-v0", action_type=action_type).unwrapped
    env.reset(seed=0)
    result = solve_dp(env.config, env.calendar)
    returns = simulate(env, result.policy, env.calendar.start, episodes=400, seed=100)
    half_width = 3 * returns.std(ddof=1) / math.sqrt(len(returns))
    assert abs(returns.mean() - result.value) < half_width  # within the Monte-Carlo interval (3 standard errors)


def test_replenishment_dp_policy_earns_v0_within_monte_carlo_interval() -> None:
    env = gym.make("DynamicPricingReplenish-v0").unwrapped  # 52 weeks, lead time 2: orders in transit in the state
    env.reset(seed=0)
    result = solve_dp(env.config, env.calendar)
    returns = simulate(env, result.policy, env.calendar.start, episodes=200, seed=300)
    half_width = 3 * returns.std(ddof=1) / math.sqrt(len(returns))
    assert abs(returns.mean() - result.value) < half_width


class FixedPrice:
    """Always the grid price ``k``."""

    def __init__(self, k: int) -> None:
        self.k = k

    def predict(self, observation, state=None, episode_start=None, deterministic=True):
        """The fixed action."""
        return np.int64(self.k), None


def test_best_fixed_price_earns_no_more_than_v0_and_matches_its_exact_value() -> None:
    env = gym.make("DynamicPricing-v0").unwrapped
    env.reset(seed=0)
    result = solve_dp(env.config, env.calendar, fixed_prices=True)
    assert np.all(result.fixed_price_values <= result.value + 1e-9)
    best = int(np.argmax(result.fixed_price_values))
    returns = simulate(env, FixedPrice(best), env.calendar.start, episodes=300, seed=7)
    half_width = 3 * returns.std(ddof=1) / math.sqrt(len(returns))
    assert abs(returns.mean() - result.fixed_price_values[best]) < half_width
    assert returns.mean() < result.value


def test_default_scenario_makes_dynamic_pricing_matter() -> None:
    env = gym.make("DynamicPricing-v0").unwrapped
    env.reset(seed=0)
    result = solve_dp(env.config, env.calendar, fixed_prices=True)
    assert result.fixed_price_values.max() / result.value < 0.97


def test_joint_scenario_at_full_size_is_refused_with_a_pointer_to_the_bound() -> None:
    env = gym.make("DynamicPricingJoint-v0").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="hindsight"):
        solve_dp(env.config, env.calendar)


def test_policy_reads_batches_of_observations() -> None:
    config = scenario_config("clearance", horizon=4)
    env = DynamicPricingEnv(config)
    obs, _ = env.reset(seed=0)
    policy = solve_dp(config, env.calendar).policy
    single, _ = policy.predict(obs)
    batch, _ = policy.predict(np.stack([obs, obs]))
    assert batch.shape == (2,) and batch[0] == single and env.action_space.contains(single)
