"""The regression baseline: fitted on a simulated history of a log-log truth, it prices near-optimally."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.dp import solve_dp
from agents.policy import PolicyContext
from agents.policy_evaluation import exact_value
from agents.regression_policy import RegressionPolicy, simulated_history


@pytest.fixture(scope="module")
def fitted() -> tuple[PolicyContext, RegressionPolicy]:
    context = PolicyContext.from_env(gym.make("envs:DynamicPricing-v0", demand="standin"))
    return context, RegressionPolicy.fit(context, simulated_history(context, n_periods=104, seed=0))


def test_the_simulated_history_follows_the_env(fitted: tuple[PolicyContext, RegressionPolicy]) -> None:
    context, _ = fitted
    history = simulated_history(context, n_periods=30, seed=1)
    frame = history.frame
    assert len(frame) == 30 and set(history.promo_columns) == set(context.promo_names)
    assert frame["price"].between(context.market.prices[0], context.market.prices[-1]).all()
    assert (frame["units"] >= 0).all()
    assert frame.equals(simulated_history(context, n_periods=30, seed=1).frame)


def test_the_regression_recovers_the_log_log_truth(fitted: tuple[PolicyContext, RegressionPolicy]) -> None:
    context, policy = fitted
    assert policy.model.elasticity == pytest.approx(context.model.elasticity, abs=0.3)


@pytest.mark.parametrize("start", [5, 60])
def test_near_optimal_profit_when_the_truth_is_log_log(
    fitted: tuple[PolicyContext, RegressionPolicy], start: int
) -> None:
    context, policy = fitted
    calendar = gym.make("envs:DynamicPricing-v0", demand="standin").unwrapped.calendar_source.at_start(start)
    optimum = solve_dp(context.config, calendar).value
    value = exact_value(policy, context, calendar)
    assert 0.97 * optimum <= value <= optimum + 1e-6


@pytest.mark.parametrize("action_type", ["discrete", "continuous"])
def test_actions_lie_in_the_action_space(
    action_type: str, fitted: tuple[PolicyContext, RegressionPolicy]
) -> None:
    env = gym.make("envs:DynamicPricing-v0", action_type=action_type, demand="standin")
    policy = RegressionPolicy(PolicyContext.from_env(env), fitted[1].model)
    obs, _ = env.reset(seed=0)
    policy.set_calendars([env.unwrapped.calendar])
    observations, terminated = [], False
    while not terminated:
        observations.append(obs)
        action, _ = policy.predict(obs)
        assert env.action_space.contains(action)
        obs, _, terminated, _, _ = env.step(action)
    actions, _ = policy.predict(np.stack(observations))
    assert all(env.action_space.contains(a) for a in actions)


def test_replenishment_is_refused(fitted: tuple[PolicyContext, RegressionPolicy]) -> None:
    context = PolicyContext.from_env(gym.make("envs:DynamicPricingReplenish-v0"))
    with pytest.raises(ValueError, match="clearance"):
        RegressionPolicy(context, fitted[1].model)
