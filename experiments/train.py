"""Train one SB3 agent for one seed: TensorBoard curves, learning curve on fixed episodes, safe saves.

``train_seed`` runs in a worker process (one per core); Ctrl-C inside ``learn`` saves what was
trained as ``<name>.partial.zip`` so that ``--resume`` continues it.
"""

from __future__ import annotations

import io
import multiprocessing
import signal
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.utils import set_random_seed
from stable_baselines3.common.vec_env import VecMonitor

from agents.callbacks import PricingMetricsCallback
from agents.sb3_agents import ALGORITHMS, make_agent
from demand_models.atomic import write_atomic
from envs.sb3_vec_env import SB3VecEnv
from experiments.evaluate import EpisodeRunner, make_env_factory

_progress: Any = None
"""The queue a worker reports its trained steps to (set by ``init_worker``)."""


def init_worker(progress: Any) -> None:
    """Process-pool initializer: keep the progress queue, one torch thread per process."""
    global _progress
    _progress = progress
    torch.set_num_threads(1)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C saves a partial model


@dataclass(frozen=True)
class TrainTask:
    """Everything a worker needs to train one agent for one seed (picklable).

    Attributes:
        algo: ``ppo``, ``maskable_ppo`` or ``dqn``.
        env_id: the registered env id.
        env_kwargs: env settings for evaluation; training adds ``reward_scale``.
        reward_scale: multiplies training rewards (rewards of order 1 train far better).
        seed: the single seed of this agent.
        total_timesteps: environment steps to train for.
        params: SB3 hyperparameters (``n_envs`` among them).
        run_dir: the run folder.
        curve_seeds: episode seeds of the learning curve.
        curve_optimum: mean profit of the optimal policy simulated on those episodes (the same
            demand draws), for ``eval/pct_of_optimum``.
        eval_freq: steps between learning-curve points.
    """

    algo: str
    env_id: str
    env_kwargs: dict[str, Any]
    reward_scale: float
    seed: int
    total_timesteps: int
    params: dict[str, Any]
    run_dir: Path
    curve_seeds: tuple[int, ...] = field(default=())
    curve_optimum: float = float("nan")
    eval_freq: int = 10_000

    @property
    def name(self) -> str:
        """``<algo>_seed<seed>``: the name of its model file, curve and TensorBoard folder."""
        return f"{self.algo}_seed{self.seed}"

    def model_path(self, partial: bool = False) -> Path:
        """Where the trained (or, with ``partial``, the interrupted) model is saved."""
        return self.run_dir / "models" / f"{self.name}{'.partial' if partial else ''}.zip"


class LearningCurveCallback(BaseCallback):
    """Every ``task.eval_freq`` steps: deterministic profit on the curve episodes, ``eval/*`` tags."""

    def __init__(self, task: TrainTask, rows: list[dict[str, float]]) -> None:
        super().__init__()
        self.task = task
        self.rows = rows
        self.runner = EpisodeRunner(make_env_factory(task.env_id, task.env_kwargs), task.curve_seeds, pool=64)
        self._next = task.eval_freq

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next:
            self._next += self.task.eval_freq
            self.record()
        return True

    def record(self) -> None:
        """Evaluate now and log the point."""
        profit = float(self.runner.run(self.model).episodes["profit"].mean())
        pct = 100.0 * profit / self.task.curve_optimum
        self.logger.record("eval/mean_profit", profit)
        self.logger.record("eval/pct_of_optimum", pct)
        self.rows.append({"timesteps": self.num_timesteps, "mean_profit": profit, "pct_of_optimum": pct})


class ProgressCallback(BaseCallback):
    """Report trained steps every 1,000 steps to ``report`` (a progress bar's ``update``, a queue's ``put``)."""

    def __init__(self, report: Callable[[int], Any] | None) -> None:
        super().__init__()
        self.report = report
        self._reported = 0

    def _on_step(self) -> bool:
        if self.num_timesteps - self._reported >= 1_000:
            self._flush()
        return True

    def _on_training_end(self) -> None:
        self._flush()

    def _flush(self) -> None:
        if self.report is not None and self.num_timesteps > self._reported:
            self.report(self.num_timesteps - self._reported)
        self._reported = self.num_timesteps


def _save_model(model: BaseAlgorithm, path: Path) -> None:
    buffer = io.BytesIO()
    model.save(buffer)
    write_atomic(path, lambda tmp: tmp.write_bytes(buffer.getvalue()))


def train_seed(task: TrainTask, report: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Train (or continue) one agent; returns its status, steps and the paths it wrote.

    Args:
        task: what to train.
        report: called with the number of steps trained since the last call; None reports to
            the queue of ``init_worker`` (in a worker process).

    Returns:
        ``{"name", "status": "done" | "interrupted", "timesteps", "model"}``.
    """
    set_random_seed(task.seed)
    train_kwargs = {**task.env_kwargs, "reward_scale": task.reward_scale}
    n_envs = int(task.params.get("n_envs", 8))
    env = VecMonitor(
        SB3VecEnv(gym.make_vec(task.env_id, n_envs, vectorization_mode="vector_entry_point", **train_kwargs))
    )
    env.seed(task.seed)
    partial = task.model_path(partial=True)
    if partial.exists():
        model = ALGORITHMS[task.algo].load(partial, env=env, device="cpu")
        model.tensorboard_log = str(task.run_dir / "tb")
    else:
        model = make_agent(task.algo, env, task.params, task.seed, task.run_dir / "tb")
    curve_path = task.run_dir / "curves" / f"{task.name}.csv"
    rows: list[dict[str, float]] = pd.read_csv(curve_path).to_dict("records") if curve_path.exists() else []
    curve = LearningCurveCallback(task, rows)
    callbacks = CallbackList(
        [PricingMetricsCallback(), curve, ProgressCallback(report or (_progress and _progress.put))]
    )
    remaining = task.total_timesteps - model.num_timesteps
    status = "done"
    try:
        if remaining > 0:
            model.learn(remaining, callback=callbacks, tb_log_name=task.name, reset_num_timesteps=not partial.exists())
        if rows and rows[-1]["timesteps"] == model.num_timesteps:
            rows.pop()  # measured before the last update of the final rollout: measure the final model
        curve.record()
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        env.close()
        frame = pd.DataFrame(rows, columns=["timesteps", "mean_profit", "pct_of_optimum"])
        write_atomic(curve_path, lambda tmp: frame.to_csv(tmp, index=False))
        _save_model(model, task.model_path(partial=status != "done"))
    if status == "done":
        partial.unlink(missing_ok=True)
    return {"name": task.name, "status": status, "timesteps": int(model.num_timesteps),
            "model": str(task.model_path(partial=status != "done"))}  # fmt: skip


def spawn_context() -> multiprocessing.context.SpawnContext:
    """Worker processes are spawned (torch and forking do not mix)."""
    return multiprocessing.get_context("spawn")


def load_trained(run_dir: Path, algos: tuple[str, ...]) -> dict[str, list[BaseAlgorithm]]:
    """Algorithm -> its saved models in ``run_dir/models`` (finished, else interrupted), by seed."""
    out: dict[str, list[BaseAlgorithm]] = {}
    for algo in algos:
        finished = {p.name.removesuffix(".zip"): p for p in sorted((run_dir / "models").glob(f"{algo}_seed*.zip"))}
        paths = {}
        for name, path in finished.items():
            seed_name = name.removesuffix(".partial")
            if seed_name not in paths or not name.endswith(".partial"):
                paths[seed_name] = path
        if paths:
            with warnings.catch_warnings():  # SB3 warns that a loaded DQN's n_steps is set by its buffer
                warnings.filterwarnings("ignore", message=".*n_steps.*is ignored")
                out[algo] = [ALGORITHMS[algo].load(paths[k], device="cpu") for k in sorted(paths)]
    return out
