"""Rule baselines: actions inside every action space, hand-computed prices and profits."""

from __future__ import annotations

from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401  (registers the ids)
from agents.policy import PolicyContext, PricePolicy
from agents.policy_evaluation import exact_value, state_observations
from agents.rules import CostPlusPolicy, FixedPricePolicy, MarkdownPolicy, PromotionFollowingPolicy
from demand_models.parametric import ConstantElasticityDemand

RULES = [FixedPricePolicy, CostPlusPolicy, MarkdownPolicy, PromotionFollowingPolicy]
ENV_IDS = ["DynamicPricing-v0", "DynamicPricingReplenish-v0", "DynamicPricingJoint-v0"]


def _rollout_checks(env: gym.Env, policy: PricePolicy, seed: int) -> None:
    obs, _ = env.reset(seed=seed)
    terminated = False
    while not terminated:
        action, state = policy.predict(obs)
        assert state is None
        assert env.action_space.contains(action)
        obs, _, terminated, _, _ = env.step(action)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("action_type", ["discrete", "continuous"])
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_actions_lie_in_the_action_space(env_id: str, action_type: str, rule: type[PricePolicy]) -> None:
    env = gym.make(env_id, action_type=action_type)
    policy = rule(PolicyContext.from_env(env))
    _rollout_checks(env, policy, seed=0)
    batch = np.stack([env.observation_space.sample() for _ in range(7)])
    batch[:, env.unwrapped.obs_index["time_left"]] = 0.5
    actions, _ = policy.predict(batch)
    assert len(actions) == 7
    assert all(env.action_space.contains(a) for a in actions)


@dataclass(frozen=True)
class ConstantDemand(ConstantElasticityDemand):
    """Ten units a week whatever the price (noise off), with the env's profile attributes."""

    base_demand: float = 10.0
    elasticity: float = -1e-12
    promo_lift: dict[str, float] = field(default_factory=lambda: {"deal": 0.0, "feat": 0.0})
    sigma: float = 0.01
    reference_price: float = 3.0
    price_range: tuple[float, float] = (2.0, 4.0)
    unit_cost: float = 2.0
    mean_units: float = 10.0


def test_fixed_price_profit_on_constant_demand_by_hand() -> None:
    env = gym.make(
        "envs:DynamicPricing-v0",
        model=ConstantDemand(),
        horizon=4,
        n_prices=3,
        opening_stock=30,
        noise=False,
        holding_cost=0.1,
        salvage_value=1.0,
    )
    context = PolicyContext.from_env(env)
    policy = FixedPricePolicy(context)
    assert context.market.prices[policy.index] == 3.0
    # sales 10, 10, 10, 0; stock left 20, 10, 0, 0 -> holding 3; revenue 90; opening stock 60
    expected = 90.0 - 60.0 - 0.1 * 30
    obs, _ = env.reset(seed=0)
    total, terminated = 0.0, False
    while not terminated:
        obs, reward, terminated, _, _ = env.step(policy.predict(obs)[0])
        total += reward
    assert total == pytest.approx(expected)
    assert exact_value(policy, context, env.unwrapped.calendar) == pytest.approx(expected)


def test_cost_plus_snaps_the_markup_price_to_the_grid() -> None:
    env = gym.make("envs:DynamicPricing-v0")
    context = PolicyContext.from_env(env)
    policy = CostPlusPolicy(context, markup=0.4)
    prices = context.market.prices
    target = context.market.unit_cost * 1.4
    assert policy.index == int(np.argmin(np.abs(prices - target)))
    assert abs(prices[policy.index] - target) <= 0.5 * (prices[1] - prices[0]) + 1e-12
    obs, _ = env.reset(seed=0)
    assert policy.predict(obs)[0] == policy.index


def test_markdown_moves_against_the_deviation_from_even_sell_through() -> None:
    env = gym.make("envs:DynamicPricing-v0")
    context = PolicyContext.from_env(env)
    env.reset(seed=0)
    market = context.market
    t = 4
    plan = market.opening_stock * (market.horizon - t) / market.horizon
    stock = np.array([round(plan * 1.2), round(plan), round(plan * 0.8)])
    last = np.full(3, market.prices[10])
    obs = state_observations(context, env.unwrapped.calendar, t, stock, last)
    actions, _ = MarkdownPolicy(context, tolerance=0.05, step=1).predict(obs)
    assert actions.tolist() == [9, 10, 11]  # ahead: lower, on plan: hold, behind: raise
    floor = MarkdownPolicy(context, floor=float(market.prices[10])).predict(obs)[0]
    assert floor.tolist() == [10, 10, 11]


def test_promotion_following_discounts_promoted_weeks() -> None:
    env = gym.make("envs:DynamicPricing-v0")
    context = PolicyContext.from_env(env)
    policy = PromotionFollowingPolicy(context, discount=0.2, flags=["deal"])
    obs, _ = env.reset(seed=0)
    batch = np.stack([obs, obs])
    deal = context.obs_index["deal_0"]
    batch[:, deal] = [0.0, 1.0]
    actions, _ = policy.predict(batch)
    prices = context.market.prices
    assert actions[0] == int(np.argmin(np.abs(prices - context.market.reference_price)))  # snapped to the grid
    assert actions[1] == int(np.argmin(np.abs(prices - 0.8 * context.market.reference_price)))
    with pytest.raises(ValueError, match="unknown promotion flag"):
        PromotionFollowingPolicy(context, flags=["christmas"])


def test_predict_rejects_a_wrongly_shaped_observation() -> None:
    env = gym.make("envs:DynamicPricing-v0")
    with pytest.raises(ValueError, match="observation must have shape"):
        FixedPricePolicy(PolicyContext.from_env(env)).predict(np.zeros(3))
