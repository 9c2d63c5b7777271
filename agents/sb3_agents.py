"""Stable-baselines3 agents built from the per-scenario hyperparameters in YAML."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import torch
import yaml
from sb3_contrib import MaskablePPO
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv

HYPERPARAMS_DIR = Path(__file__).resolve().parents[1] / "experiments" / "hyperparams"
ALGORITHMS: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "maskable_ppo": MaskablePPO, "dqn": DQN}
HYPERPARAMS_FILE = {"maskable_ppo": "ppo"}
"""Algorithms that take another's hyperparameters (MaskablePPO is PPO with action masks)."""
# Keys of a hyperparameter entry that configure the run rather than the SB3 constructor.
RUN_KEYS = ("n_envs", "total_timesteps", "env_kwargs", "torch_threads", "lr_decay")


def load_hyperparams(algo: str, env_id: str) -> dict[str, Any]:
    """The ``default`` entry of ``experiments/hyperparams/<algo>.yaml`` updated by the ``env_id`` entry."""
    path = HYPERPARAMS_DIR / f"{HYPERPARAMS_FILE.get(algo, algo)}.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    params = dict(table.get("default", {}))
    for key, value in (table.get(env_id.split(":")[-1]) or {}).items():
        params[key] = {**params.get(key, {}), **value} if isinstance(value, dict) else value
    return params


def accepted_hyperparams(algo: str) -> set[str]:
    """Keys a hyperparameter entry of ``algo`` may hold: the run keys and the SB3 constructor's arguments."""
    return (set(inspect.signature(ALGORITHMS[algo].__init__).parameters) - {"self", "policy", "env"}) | set(RUN_KEYS)


def linear_schedule(initial: float, final_fraction: float) -> Any:
    """Learning rate decaying linearly from ``initial`` to ``initial * final_fraction``."""

    def schedule(progress_remaining: float) -> float:
        return initial * (final_fraction + (1.0 - final_fraction) * progress_remaining)

    return schedule


def make_agent(
    algo: str, env: VecEnv, params: dict[str, Any], seed: int, tensorboard_log: str | Path | None
) -> BaseAlgorithm:
    """Build an SB3 agent on ``env`` from a hyperparameter dict (run keys are ignored here).

    Args:
        algo: ``ppo``, ``maskable_ppo`` or ``dqn``.
        env: the vectorised training environment.
        params: from :func:`load_hyperparams`, possibly overridden.
        seed: the run's single seed.
        tensorboard_log: folder of the TensorBoard events, or None.
    """
    if algo not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algo!r}; expected one of {sorted(ALGORITHMS)}")
    torch.set_num_threads(int(params.get("torch_threads", 1)))
    kwargs = {k: v for k, v in params.items() if k not in RUN_KEYS}
    if "lr_decay" in params:
        kwargs["learning_rate"] = linear_schedule(float(kwargs.get("learning_rate", 3e-4)), params["lr_decay"])
    policy = kwargs.pop("policy", "MlpPolicy")
    return ALGORITHMS[algo](
        policy, env, seed=seed, tensorboard_log=None if tensorboard_log is None else str(tensorboard_log),
        device="cpu", verbose=0, **kwargs,
    )
