"""SB3 agents built from the YAML hyperparameters."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.vec_env import VecMonitor

from agents.callbacks import PricingMetricsCallback
from agents.policy import PolicyContext
from agents.rules import FixedPricePolicy
from agents.sb3_agents import linear_schedule, load_hyperparams, make_agent
from envs.sb3_vec_env import SB3VecEnv
from experiments.evaluate import EpisodeRunner, make_env_factory


def vec_env(n: int = 4) -> VecMonitor:
    venv = gym.make_vec("envs:DynamicPricing-v0", n, vectorization_mode="vector_entry_point", reward_scale=0.002)
    return VecMonitor(SB3VecEnv(venv))


def test_hyperparameters_merge_default_and_env_entries() -> None:
    ppo = load_hyperparams("ppo", "envs:DynamicPricingReplenish-v0")
    assert ppo["n_envs"] == 8 and ppo["batch_size"] == 256  # from default
    assert ppo["gamma"] == 0.999  # the env's own entry wins
    dqn = load_hyperparams("dqn", "DynamicPricing-v0")
    assert dqn["n_steps"] == 8 and dqn["gamma"] == 1.0


def test_learning_rate_decays_linearly_to_its_floor() -> None:
    schedule = linear_schedule(1e-3, 0.1)
    assert schedule(1.0) == pytest.approx(1e-3)
    assert schedule(0.0) == pytest.approx(1e-4)
    assert schedule(0.5) == pytest.approx(5.5e-4)


@pytest.mark.parametrize("algo", ["ppo", "dqn"])
def test_smoke_training_writes_tensorboard_events_with_pricing_metrics(algo: str, tmp_path: Path) -> None:
    params = {**load_hyperparams(algo, "DynamicPricing-v0"), "policy_kwargs": {"net_arch": [16]}}
    params.update({"n_steps": 64} if algo == "ppo" else {"learning_starts": 64, "buffer_size": 1000})
    model = make_agent(algo, vec_env(), params, seed=0, tensorboard_log=tmp_path)
    model.learn(512, callback=PricingMetricsCallback(), tb_log_name=algo)
    assert list(tmp_path.rglob("events.out.tfevents.*"))
    with pytest.raises(ValueError, match="unknown algorithm"):
        make_agent("sarsa", vec_env(), params, seed=0, tensorboard_log=None)


def test_same_seed_gives_the_same_agent() -> None:
    params = {**load_hyperparams("ppo", "DynamicPricing-v0"), "n_steps": 64, "policy_kwargs": {"net_arch": [16]}}
    weights = []
    for _ in range(2):
        venv = vec_env()
        venv.seed(3)
        model = make_agent("ppo", venv, params, seed=3, tensorboard_log=None)
        model.learn(256)
        weights.append(np.concatenate([p.detach().numpy().ravel() for p in model.policy.parameters()]))
    np.testing.assert_array_equal(weights[0], weights[1])


@pytest.mark.slow
def test_short_ppo_training_beats_the_fixed_list_price() -> None:
    params = load_hyperparams("ppo", "DynamicPricing-v0")
    venv = vec_env(8)
    venv.seed(0)
    model = make_agent("ppo", venv, params, seed=0, tensorboard_log=None)
    model.learn(80_000)
    runner = EpisodeRunner(make_env_factory("envs:DynamicPricing-v0", {}), range(10_000, 10_300))
    ppo = runner.run(model).episodes["profit"].to_numpy()
    list_price = runner.run(FixedPricePolicy(PolicyContext.from_env(runner.envs[0]))).episodes["profit"].to_numpy()
    gap = ppo - list_price  # paired: the same episodes and demand draws
    assert gap.mean() - 2 * gap.std(ddof=1) / np.sqrt(len(gap)) > 0
