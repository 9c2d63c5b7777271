"""``SB3VecEnv``: the batched pricing env as a stable-baselines3 ``VecEnv``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvObs, VecEnvStepReturn

from envs.vector_env import DynamicPricingVectorEnv


class SB3VecEnv(VecEnv):
    """Adapt ``DynamicPricingVectorEnv`` to SB3: list-of-dict infos with ``terminal_observation``.

    ``VecEnv.seed(s)`` seeds copy ``i`` with ``s + i`` at the next reset, as SB3's
    ``make_vec_env`` does, so runs are comparable with ``DummyVecEnv`` of single envs.

    Args:
        venv: the batched env (e.g. ``DynamicPricingVectorEnv(8, scenario="clearance")``).

    Example:
        >>> from stable_baselines3 import PPO
        >>> venv = SB3VecEnv(DynamicPricingVectorEnv(num_envs=8))  # doctest: +SKIP
        >>> PPO("MlpPolicy", venv).learn(10_000)  # doctest: +SKIP
    """

    def __init__(self, venv: DynamicPricingVectorEnv) -> None:
        self.venv = venv
        super().__init__(venv.num_envs, venv.single_observation_space, venv.single_action_space)
        self._actions: np.ndarray | None = None
        self._info_keys = (
            "price",
            "demand",
            "sales",
            "lost_sales",
            "stock",
            "order",
            "revenue",
            "cost",
            "margin",
            "salvage",
            "profit",
        )

    def reset(self) -> VecEnvObs:
        """Reset every copy with the seeds given to ``seed()`` (if any)."""
        seed = self._seeds[0]
        obs, _ = self.venv.reset(seed=None if seed is None else list(self._seeds))
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        """Store the actions of the next step."""
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        """Step every copy; infos carry the business figures and the terminal observation."""
        actions = self._actions
        if isinstance(self.action_space, gym.spaces.Discrete):
            actions = np.asarray(actions).reshape(self.num_envs)
        obs, rewards, terminated, truncated, info = self.venv.step(actions)
        dones = terminated | truncated
        columns = [info[key].tolist() for key in self._info_keys]
        infos: list[dict[str, Any]] = [
            dict(zip(self._info_keys, values, strict=True)) for values in zip(*columns, strict=True)
        ]
        for i in np.flatnonzero(dones):
            infos[i]["terminal_observation"] = info["final_obs"][i]
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        return obs, rewards.astype(np.float32), dones, infos

    def action_masks(self) -> np.ndarray:
        """``(N, n_actions)`` allowed actions, for sb3-contrib's MaskablePPO."""
        return self.venv.action_masks()

    def close(self) -> None:
        """Nothing to release."""

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """The vector env's attribute, once per selected copy."""
        return [getattr(self.venv, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Set an attribute of the vector env (shared by all copies)."""
        setattr(self.venv, attr_name, value)

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        """Call a method of the vector env once, reported for each selected copy."""
        if method_name == "action_masks":
            masks = self.venv.action_masks()
            return [masks[i] for i in self._get_indices(indices)]
        result = getattr(self.venv, method_name)(*method_args, **method_kwargs)
        return [result] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        """No copy is wrapped."""
        return [False] * len(self._get_indices(indices))

    def _get_indices(self, indices: VecEnvIndices) -> Sequence[int]:
        if indices is None:
            return range(self.num_envs)
        return (
            [indices]
            if isinstance(indices, int)
            else list(indices)
            if isinstance(indices, Iterable)
            else indices
        )
