"""Exact policy evaluation: agrees with the DP, with the fixed-price values and with simulation."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.dp import solve_dp
from agents.policy import PolicyContext
from agents.policy_evaluation import exact_value, fixed_price_values
from agents.resolving import ResolvingPolicy
from agents.rules import FixedPricePolicy, MarkdownPolicy


@pytest.fixture(scope="module")
def episode() -> tuple[gym.Env, PolicyContext]:
    env = gym.make("envs:DynamicPricing-v0")
    env.reset(seed=0)
    return env, PolicyContext.from_env(env)


def test_the_dp_policy_is_worth_v0(episode: tuple[gym.Env, PolicyContext]) -> None:
    env, context = episode
    result = solve_dp(context.config, env.unwrapped.calendar, fixed_prices=True)
    assert exact_value(result.policy, context, env.unwrapped.calendar) == pytest.approx(
        result.value, rel=1e-12
    )
    assert fixed_price_values(context, env.unwrapped.calendar) == pytest.approx(result.fixed_price_values)


def test_a_fixed_price_policy_is_worth_its_fixed_price_value(episode: tuple[gym.Env, PolicyContext]) -> None:
    env, context = episode
    values = fixed_price_values(context, env.unwrapped.calendar)
    for price in context.market.prices[[3, 12]]:
        policy = FixedPricePolicy(context, float(price))
        assert exact_value(policy, context, env.unwrapped.calendar) == pytest.approx(values[policy.index])


@pytest.mark.parametrize("seed", [0, 1])
def test_exact_value_equals_a_monte_carlo_simulation(seed: int) -> None:
    env = gym.make("envs:DynamicPricing-v0")
    context = PolicyContext.from_env(env)
    policy = MarkdownPolicy(context)  # depends on the last price too
    start = 7 + seed
    profits = []
    for episode in range(300):
        obs, _ = env.reset(seed=1000 * seed + episode, options={"start": start})
        total, terminated = 0.0, False
        while not terminated:
            obs, reward, terminated, _, _ = env.step(policy.predict(obs)[0])
            total += reward
        profits.append(total)
    exact = exact_value(policy, context, env.unwrapped.calendar_source.at_start(start))
    error = np.std(profits, ddof=1) / np.sqrt(len(profits))
    assert abs(np.mean(profits) - exact) < 4 * error


def test_continuous_actions_are_evaluated_like_discrete_ones() -> None:
    values = []
    for action_type in ("discrete", "continuous"):
        env = gym.make("envs:DynamicPricing-v0", action_type=action_type)
        context = PolicyContext.from_env(env)
        calendar = env.unwrapped.calendar_source.at_start(3)
        values.append(exact_value(ResolvingPolicy(context), context, calendar))
    assert values[0] == pytest.approx(values[1], rel=1e-12)


def test_max_price_change_is_applied_as_in_the_env() -> None:
    env = gym.make("envs:DynamicPricing-v0", max_price_change=0.25, noise=False)
    context = PolicyContext.from_env(env)
    policy = FixedPricePolicy(context, price=float(context.market.prices[0]))  # needs several steps down
    obs, _ = env.reset(seed=0)
    total, terminated = 0.0, False
    while not terminated:
        obs, reward, terminated, _, _ = env.step(policy.predict(obs)[0])
        total += reward
    assert exact_value(policy, context, env.unwrapped.calendar) == pytest.approx(total)


def test_replenishment_is_refused() -> None:
    env = gym.make("envs:DynamicPricingReplenish-v0")
    env.reset(seed=0)
    context = PolicyContext.from_env(env)
    with pytest.raises(ValueError, match="clearance"):
        exact_value(FixedPricePolicy(context), context, env.unwrapped.calendar)
