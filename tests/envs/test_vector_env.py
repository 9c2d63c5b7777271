"""The batched env: registered vector entry point, exact agreement with single envs, SB3 adapter."""

from __future__ import annotations

import math
import warnings

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecMonitor

import envs  # noqa: F401  (registers the ids)
from envs.sb3_vec_env import SB3VecEnv
from envs.vector_env import DynamicPricingVectorEnv

CASES = {
    "clearance": ("DynamicPricing-v0", {}),
    "clearance-continuous-max-change": (
        "DynamicPricing-v0",
        {"action_type": "continuous", "max_price_change": 0.2},
    ),
    "clearance-random-calendar-max-change": (
        "DynamicPricing-v0",
        # the stand-in: a neural model's batched matmul may differ from single rows in the last bit
        {"calendar": {"source": "random"}, "max_price_change": 0.2, "demand": "standin"},
    ),
    "replenish": ("DynamicPricingReplenish-v0", {}),
    "joint": ("DynamicPricingJoint-v0", {}),
    "joint-continuous": ("DynamicPricingJoint-v0", {"action_type": "continuous"}),
}


def test_make_vec_returns_the_batched_env() -> None:
    venv = gym.make_vec("envs:DynamicPricing-v0", num_envs=4, vectorization_mode="vector_entry_point")
    assert isinstance(venv, DynamicPricingVectorEnv)
    obs, _ = venv.reset(seed=0)
    assert obs.shape == (4, *venv.single_observation_space.shape) and venv.observation_space.contains(obs)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_batched_env_equals_single_envs_exactly_without_noise(case: str) -> None:
    env_id, kwargs = CASES[case]
    n = 3
    venv = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point", noise=False, **kwargs)
    singles = [gym.make(env_id, noise=False, **kwargs).unwrapped for _ in range(n)]
    obs, _ = venv.reset(seed=11)
    np.testing.assert_array_equal(obs, np.stack([env.reset(seed=11 + i)[0] for i, env in enumerate(singles)]))
    venv.action_space.seed(2)
    for _ in range(70):  # crosses season ends: autoreset must match single resets
        actions = venv.action_space.sample()
        obs, rewards, terminated, truncated, info = venv.step(actions)
        assert not truncated.any()
        for i, env in enumerate(singles):
            single_obs, reward, done, _, single_info = env.step(actions[i])
            assert rewards[i] == reward and terminated[i] == done
            assert info["sales"][i] == single_info["sales"] and info["price"][i] == single_info["price"]
            if done:
                np.testing.assert_array_equal(info["final_obs"][i], single_obs)
                single_obs, _ = env.reset()
            np.testing.assert_array_equal(obs[i], single_obs)


def test_batched_env_matches_single_env_mean_profit_with_noise() -> None:
    n, episodes = 256, 256
    venv = DynamicPricingVectorEnv(num_envs=n, calendar={"start": 5})
    venv.reset(seed=0)
    returns, totals = [], np.zeros(n)
    for _ in range(venv.config.horizon):
        _, rewards, terminated, _, _ = venv.step(np.full(n, 12))
        totals += rewards
    assert terminated.all()
    returns = totals
    env = gym.make("DynamicPricing-v0", calendar={"start": 5}).unwrapped
    singles = np.empty(episodes)
    for e in range(episodes):
        env.reset(seed=10_000 + e)
        singles[e] = sum(env.step(12)[1] for _ in range(env.config.horizon))
    se = math.sqrt(returns.var(ddof=1) / n + singles.var(ddof=1) / episodes)
    assert abs(returns.mean() - singles.mean()) < 3 * se


def test_same_seed_same_batch_and_different_seeds_differ() -> None:
    def run(seed: int) -> np.ndarray:
        venv = DynamicPricingVectorEnv(num_envs=8)
        venv.reset(seed=seed)
        return np.stack([venv.step(np.full(8, 9))[1] for _ in range(20)])

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


@pytest.mark.parametrize(
    "actions, message",
    [
        (np.full(4, 21), "price indices"),
        (np.full(4, 1.0), "integer"),
        (np.zeros((4, 2), dtype=np.int64), "shape"),
    ],
    ids=["out-of-range", "float", "wrong-shape"],
)
def test_bad_batched_actions_raise(actions: np.ndarray, message: str) -> None:
    venv = DynamicPricingVectorEnv(num_envs=4)
    venv.reset(seed=0)
    with pytest.raises(ValueError, match=message):
        venv.step(actions)


def test_batched_continuous_nan_raises() -> None:
    venv = DynamicPricingVectorEnv(num_envs=2, action_type="continuous")
    venv.reset(seed=0)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        venv.step(np.array([[0.0], [np.nan]], dtype=np.float32))


def test_action_masks_are_batched() -> None:
    venv = DynamicPricingVectorEnv(num_envs=5, max_price_change=0.1)
    venv.reset(seed=0)
    masks = venv.action_masks()
    assert masks.shape == (5, 21) and masks.sum(axis=1).tolist() == [3] * 5


def test_sb3_adapter_trains_and_evaluates() -> None:
    venv = VecMonitor(SB3VecEnv(DynamicPricingVectorEnv(num_envs=4)))
    venv.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model = PPO(
            "MlpPolicy", venv, n_steps=32, batch_size=64, n_epochs=1, policy_kwargs={"net_arch": [16]}, seed=0
        )
        model.learn(256)
    mean, _ = evaluate_policy(model, venv, n_eval_episodes=4)
    assert np.isfinite(mean)


def test_sb3_adapter_infos_carry_business_figures_and_terminal_observation() -> None:
    venv = SB3VecEnv(DynamicPricingVectorEnv(num_envs=2, horizon=3))
    venv.seed(1)
    venv.reset()
    for _ in range(3):
        obs, rewards, dones, infos = venv.step(np.array([4, 5]))
    assert dones.all() and rewards.dtype == np.float32
    assert {"profit", "revenue", "price", "sales", "lost_sales", "stock", "terminal_observation"} <= set(
        infos[0]
    )
    assert infos[0]["terminal_observation"].shape == obs.shape[1:]
