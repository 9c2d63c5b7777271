"""Gymnasium and SB3 API conformance of every scenario, discrete and continuous."""

from __future__ import annotations

import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import envs  # noqa: F401  (registers the ids)

ENV_IDS = ["DynamicPricing-v0", "DynamicPricingReplenish-v0", "DynamicPricingJoint-v0"]
ACTION_TYPES = ["discrete", "continuous"]


@pytest.mark.parametrize("action_type", ACTION_TYPES)
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_gymnasium_check_env_without_warnings(env_id: str, action_type: str) -> None:
    env = gym.make(env_id, action_type=action_type)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gym_check_env(env.unwrapped)


@pytest.mark.parametrize("action_type", ACTION_TYPES)
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_sb3_check_env_without_warnings(env_id: str, action_type: str) -> None:
    env = gym.make(env_id, action_type=action_type)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb3_check_env(env.unwrapped, warn=True)


@pytest.mark.parametrize("action_type", ACTION_TYPES)
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_observations_stay_in_space_and_season_ends_terminated(env_id: str, action_type: str) -> None:
    env = gym.make(env_id, action_type=action_type)
    obs, _ = env.reset(seed=3)
    env.action_space.seed(3)
    steps, terminated, truncated = 0, False, False
    while not terminated:
        assert env.observation_space.contains(obs)
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert isinstance(reward, float) and not truncated
        steps += 1
    assert env.observation_space.contains(obs)
    assert steps == env.unwrapped.config.horizon


def test_make_works_in_a_fresh_interpreter() -> None:
    code = "import gymnasium as gym; env = gym.make('envs:DynamicPricing-v0'); env.reset(seed=0); env.step(0)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_kwargs_override_scenario_settings() -> None:
    env = gym.make("DynamicPricing-v0", horizon=8, n_prices=5, lookahead=1)
    assert env.unwrapped.config.horizon == 8
    assert env.action_space.n == 5
    assert "deal_1" in env.unwrapped.obs_index and "deal_2" not in env.unwrapped.obs_index


def test_obs_index_names_every_entry() -> None:
    env = gym.make("DynamicPricingReplenish-v0").unwrapped
    assert len(env.obs_names) == env.observation_space.shape[0]
    assert env.obs_index["pipeline_1"] == 4
    assert [env.obs_index[n] for n in ("time_left", "stock_cover", "stock", "last_price")] == [0, 1, 2, 3]


def test_action_masks_follow_max_price_change() -> None:
    env = gym.make("DynamicPricing-v0", max_price_change=0.2, price_min=1.99, price_max=3.99).unwrapped
    env.reset(seed=0)
    mask = env.action_masks()
    assert mask.dtype == bool and mask.shape == (env.action_space.n,)
    assert np.all(np.abs(env.market.prices[mask] - env.market.initial_price) <= 0.2 + 1e-9)
    _, _, _, _, info = env.step(env.action_space.n - 1)  # far above: the nearest allowed price is charged
    assert info["price"] == pytest.approx(env.market.initial_price + 0.2)


def test_ansi_render_is_one_line() -> None:
    env = gym.make("DynamicPricing-v0", render_mode="ansi")
    env.reset(seed=0)
    env.step(3)
    text = env.render()
    assert isinstance(text, str) and "\n" not in text and "price" in text


def test_rgb_array_render_draws_price_and_stock_bars() -> None:
    env = gym.make("DynamicPricing-v0", render_mode="rgb_array")
    env.reset(seed=0, options={"start": 0})
    core = env.unwrapped
    for k in (20, 0):  # the highest grid price, then the lowest
        info = env.step(k)[-1]
    image = env.render()
    horizon, capacity, top_price = core.market.horizon, core.market.capacity, core.market.prices[-1]
    assert image.shape == (132, 8 * horizon, 3) and image.dtype == np.uint8
    blank = (image == 255).all(axis=2)
    price_bars = (~blank[:64]).sum(axis=0)
    assert price_bars[4] == 64  # week 1 at the highest price: full height
    assert price_bars[12] == round(64 * core.market.prices[0] / top_price)
    assert (~blank[68:, 12]).sum() == round(64 * info["stock"] / capacity)
    assert blank[:64, 16:].all() and blank[68:, 16:].all()  # weeks not played yet stay empty


def test_sb3_make_vec_env_builds_the_registered_id() -> None:
    from stable_baselines3.common.env_util import make_vec_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SB3 asks for render_mode="rgb_array": supported, so no warning
        venv = make_vec_env("envs:DynamicPricing-v0", n_envs=2, seed=0, env_kwargs={"reward_scale": 0.01})
    obs = venv.reset()
    assert obs.shape == (2, *venv.observation_space.shape)
    venv.step(np.array([3, 4]))


def test_unsupported_render_mode_is_a_clear_error() -> None:
    from envs.pricing_env import DynamicPricingEnv

    with pytest.raises(ValueError, match="render_mode"):
        DynamicPricingEnv(render_mode="human")
