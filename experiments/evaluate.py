"""Run policies on the same held-out episodes (common random numbers) and measure each episode.

Every policy is run on episodes ``reset(seed=s)`` for the same seeds ``s``: the same calendars
and, since each step draws its demand noise whatever the price, the same demand shocks. The
differences between policies are then paired differences, far less noisy than independent runs.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
import pandas as pd
from sb3_contrib import MaskablePPO

EPISODE_COLUMNS = (
    "seed", "profit", "revenue", "margin", "sell_through", "stockout_rate", "leftover",
    "price_changes", "discount_depth",
)  # fmt: skip
TRAJECTORY_COLUMNS = ("period", "price", "demand", "sales", "lost_sales", "stock", "profit")


class Predictor(Protocol):
    """Anything with SB3's ``predict``: SB3 models, rule baselines, the DP policy."""

    def predict(
        self,
        observation: np.ndarray,
        state: Any = None,
        episode_start: Any = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, Any]:
        """Actions for a batch of observations."""


@dataclass
class Rollouts:
    """What one policy did on a set of episodes.

    Attributes:
        episodes: one row per episode, columns ``EPISODE_COLUMNS``.
        trajectory: the first episode week by week, columns ``TRAJECTORY_COLUMNS``.
    """

    episodes: pd.DataFrame
    trajectory: pd.DataFrame


class EpisodeRunner:
    """Runs policies on a fixed set of episode seeds with a pool of envs stepped in lockstep.

    Args:
        make_env: builds one env (the same settings for all; share the demand model across them).
        seeds: the episode seeds, the same for every policy.
        pool: envs run at once; each policy's ``predict`` sees a batch of this size.
    """

    def __init__(self, make_env: Any, seeds: Sequence[int], pool: int = 256) -> None:
        self.seeds = [int(s) for s in seeds]
        self.envs = [make_env() for _ in range(min(pool, len(self.seeds)))]
        self.list_price = float(self.envs[0].unwrapped.market.reference_price)

    def calendars(self) -> list[Any]:
        """The calendar of each episode, in seed order (from a reset with the episode's seed)."""
        env = self.envs[0].unwrapped
        out = []
        for seed in self.seeds:
            env.reset(seed=seed)
            out.append(env.calendar)
        return out

    def run(self, policy: Predictor) -> Rollouts:
        """Run ``policy`` deterministically on every episode seed."""
        rows, trajectory = [], []
        for first in range(0, len(self.seeds), len(self.envs)):
            chunk = self.seeds[first : first + len(self.envs)]
            rows.extend(self._run_chunk(policy, chunk, trajectory if first == 0 else None))
        return Rollouts(
            pd.DataFrame(rows, columns=list(EPISODE_COLUMNS)),
            pd.DataFrame(trajectory, columns=list(TRAJECTORY_COLUMNS)),
        )

    def _run_chunk(self, policy: Predictor, seeds: list[int], trajectory: list | None) -> list[tuple]:
        envs = self.envs[: len(seeds)]
        obs = np.stack([env.reset(seed=seed)[0] for env, seed in zip(envs, seeds, strict=True)])
        if hasattr(policy, "set_calendars"):  # policies that plan with the episode's calendar
            policy.set_calendars([env.unwrapped.calendar for env in envs])
        n = len(seeds)
        acc = {k: np.zeros(n) for k in ("profit", "revenue", "margin", "sold", "supply", "stockouts", "discount")}
        changes = np.zeros(n)
        last_price = np.full(n, np.nan)
        acc["supply"][:] = [env.unwrapped.market.opening_stock for env in envs]
        done, steps, leftover = False, 0, np.zeros(n)
        masked = isinstance(policy, MaskablePPO)
        while not done:
            kwargs = {"action_masks": np.stack([env.unwrapped.action_masks() for env in envs])} if masked else {}
            actions, _ = policy.predict(obs, deterministic=True, **kwargs)
            infos = []
            for i, (env, action) in enumerate(zip(envs, actions, strict=True)):
                obs[i], _, terminated, truncated, info = env.step(action)
                done = terminated or truncated
                infos.append(info)
            price = np.array([info["price"] for info in infos])
            acc["profit"] += [info["profit"] for info in infos]
            acc["revenue"] += [info["revenue"] for info in infos]
            acc["margin"] += [info["margin"] for info in infos]
            acc["sold"] += [info["sales"] for info in infos]
            acc["supply"] += [info["arrival"] for info in infos]
            acc["stockouts"] += [info["lost_sales"] > 0 for info in infos]
            acc["discount"] += np.maximum(0.0, 1.0 - price / self.list_price)
            changes += (np.abs(price - last_price) > 1e-9) & ~np.isnan(last_price)
            last_price = price
            leftover = np.array([info["stock"] for info in infos])
            steps += 1
            if trajectory is not None:
                trajectory.append(tuple(infos[0][k] for k in TRAJECTORY_COLUMNS))
        revenue = acc["revenue"]
        margin = np.divide(acc["margin"], revenue, out=np.zeros(n), where=revenue > 0)
        sell_through = np.divide(acc["sold"], acc["supply"], out=np.zeros(n), where=acc["supply"] > 0)
        return list(
            zip(
                seeds, acc["profit"], revenue, margin, sell_through, acc["stockouts"] / steps, leftover,
                changes, acc["discount"] / steps, strict=True,
            )
        )  # fmt: skip


def make_env_factory(env_id: str, env_kwargs: dict[str, Any]) -> Any:
    """A factory of unwrapped envs of ``env_id``: shallow copies of one env built once.

    The copies share the read-only parts (demand model, market, calendar tables); ``reset``
    gives each its own generator and state, so building a pool of hundreds costs nothing.
    """
    template = gym.make(env_id, **env_kwargs).unwrapped
    return lambda: copy.copy(template)
