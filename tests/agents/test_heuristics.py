"""Best fixed price, static price calendar and re-solving heuristic, scored exactly against the DP."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.best_fixed import BestFixedPricePolicy, training_calendars
from agents.dp import solve_dp
from agents.fluid import expected_demand_table, fluid_plan
from agents.policy import PolicyContext
from agents.policy_evaluation import exact_value, fixed_price_values
from agents.resolving import ResolvingPolicy
from agents.rules import CostPlusPolicy, FixedPricePolicy, MarkdownPolicy, PromotionFollowingPolicy
from agents.static_calendar import StaticCalendarPolicy

STARTS = [0, 40, 90]


@pytest.fixture(scope="module")
def context() -> PolicyContext:
    return PolicyContext.from_env(gym.make("envs:DynamicPricing-v0"))


@pytest.fixture(scope="module")
def calendars(context: PolicyContext) -> list:
    source = gym.make("envs:DynamicPricing-v0").unwrapped.calendar_source
    return [source.at_start(start) for start in STARTS]


@pytest.mark.parametrize("action_type", ["discrete", "continuous"])
def test_heuristic_actions_lie_in_the_action_space(action_type: str) -> None:
    env = gym.make("envs:DynamicPricing-v0", action_type=action_type)
    context = PolicyContext.from_env(env)
    policies = [
        BestFixedPricePolicy(context, 3.19),
        StaticCalendarPolicy(context, max_sweeps=1),
        ResolvingPolicy(context),
    ]
    obs, _ = env.reset(seed=0)
    observations, terminated = [obs], False
    for policy in policies:
        if policy.uses_calendar:
            policy.set_calendars([env.unwrapped.calendar])
    while not terminated:
        actions = [policy.predict(obs)[0] for policy in policies]
        assert all(env.action_space.contains(a) for a in actions)
        obs, _, terminated, _, _ = env.step(actions[-1])
        observations.append(obs)
    batch = np.stack(observations[:-1])
    for policy in policies:
        actions, _ = policy.predict(batch)
        assert len(actions) == len(batch) and all(env.action_space.contains(a) for a in actions)


def test_calendar_policies_need_their_calendars(context: PolicyContext, calendars: list) -> None:
    policy = ResolvingPolicy(context)
    env = gym.make("envs:DynamicPricing-v0")
    obs, _ = env.reset(seed=0)
    with pytest.raises(RuntimeError, match="set_calendars"):
        policy.predict(obs)
    policy.set_calendars(calendars)
    with pytest.raises(ValueError, match="batch of 2 observations for 3 calendars"):
        policy.predict(np.stack([obs, obs]))


def test_a_batch_of_episodes_is_planned_row_by_row(context: PolicyContext, calendars: list) -> None:
    env = gym.make("envs:DynamicPricing-v0")
    obs = np.stack([env.reset(options={"start": start})[0] for start in STARTS])
    obs[:, context.obs_index["stock"]] = np.array([0.2, 0.5, 0.9], dtype=np.float32)
    for policy in (ResolvingPolicy(context), StaticCalendarPolicy(context, max_sweeps=2)):
        policy.set_calendars(calendars)
        together = policy.predict(obs)[0]
        alone = []
        for calendar, row in zip(calendars, obs, strict=True):
            policy.set_calendars([calendar])
            alone.append(policy.predict(row)[0])
        assert together.tolist() == alone


def test_the_fluid_plan_sells_less_as_the_shadow_price_rises(context: PolicyContext, calendars: list) -> None:
    plan = fluid_plan(context.market, expected_demand_table(context, calendars[:1])[0])
    assert np.all(np.diff(plan.multipliers) > 0)
    assert np.all(np.diff(plan.demand, axis=0) <= 1e-9)
    assert np.all(np.diff(plan.prices, axis=0) >= 0)
    first = plan.fitting(0, context.market.opening_stock)
    assert plan.demand[first, 0] <= context.market.opening_stock
    assert first == 0 or plan.demand[first - 1, 0] > context.market.opening_stock


def test_best_fixed_price_maximises_the_mean_on_training_draws(
    context: PolicyContext, calendars: list
) -> None:
    policy = BestFixedPricePolicy.fit(context, calendars + calendars[:1])
    mean = (
        2 * fixed_price_values(context, calendars[0])
        + sum(fixed_price_values(context, c) for c in calendars[1:])
    ) / 4
    assert policy.training_values == pytest.approx(mean)
    assert policy.index == int(np.argmax(mean))
    draws = training_calendars(context, n=5, seed=1)
    assert [c.start for c in draws] == [c.start for c in training_calendars(context, n=5, seed=1)]


def test_the_static_calendar_value_is_exact_and_beats_its_fluid_start(
    context: PolicyContext, calendars: list
) -> None:
    policy = StaticCalendarPolicy(context)
    prices, value = policy.plan(calendars[0])
    assert exact_value(policy, context, calendars[0]) == pytest.approx(value)
    fluid_only = StaticCalendarPolicy(context, max_sweeps=0)
    assert value >= exact_value(fluid_only, context, calendars[0]) - 1e-9
    assert value >= fixed_price_values(context, calendars[0])[policy.plan(calendars[0])[0][0]] - 1e-9


def test_no_baseline_beats_the_optimum_and_resolving_beats_the_best_fixed_price(
    context: PolicyContext, calendars: list
) -> None:
    best_fixed = BestFixedPricePolicy.fit(context, training_calendars(context, n=5))
    baselines = [
        FixedPricePolicy(context),
        CostPlusPolicy(context),
        MarkdownPolicy(context),
        PromotionFollowingPolicy(context),
        best_fixed,
        StaticCalendarPolicy(context, max_sweeps=2),
        ResolvingPolicy(context),
    ]
    for calendar in calendars[:2]:
        optimum = solve_dp(context.config, calendar, fixed_prices=True)
        values = {type(p).__name__: exact_value(p, context, calendar) for p in baselines}
        assert max(values.values()) <= optimum.value + 1e-6
        assert values["ResolvingPolicy"] > optimum.fixed_price_values.max()
        assert values["ResolvingPolicy"] >= 0.98 * optimum.value  # 98.3-99.9% per calendar on the neural model


def test_heuristics_refuse_replenishment() -> None:
    context = PolicyContext.from_env(gym.make("envs:DynamicPricingReplenish-v0"))
    for heuristic in (ResolvingPolicy, StaticCalendarPolicy):
        with pytest.raises(ValueError, match="clearance"):
            heuristic(context)
