"""The resolved settings of one experiment run (saved as ``config.yaml`` in the run folder)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agents.sb3_agents import accepted_hyperparams

AGENTS = ("ppo", "dqn", "baselines", "all")
LEARNED = {"ppo": ("ppo",), "dqn": ("dqn",), "baselines": (), "all": ("ppo", "dqn")}
EVAL_SEED_OFFSET = 10_000
"""Held-out evaluation episodes use seeds from here on; training envs use ``seed + i``."""
CURVE_SEED_OFFSET = 20_000
"""Learning-curve episodes use seeds from here on."""
TRAINING_SEED_OFFSET = 30_000
"""Episodes baselines are fitted on (the best fixed price, by simulation) use seeds from here on."""


@dataclass(frozen=True)
class ExperimentConfig:
    """Every setting of a run.

    Attributes:
        agent: ``ppo``, ``dqn``, ``baselines`` or ``all``; learned agents are compared with every
            baseline and the optimum.
        env_id: a registered env id.
        env_kwargs: env settings overriding the scenario's (any ``PricingEnvConfig`` field).
        hyperparams: overrides of the learned agents' YAML hyperparameters, each applied to the agents
            that take it.
        timesteps: training steps per learned agent and seed; None takes the YAML value.
        seeds: training seeds of each learned agent.
        eval_episodes: held-out episodes every policy is scored on (common random numbers).
        curve_episodes: episodes of each learning-curve point.
        eval_freq: training steps between learning-curve points.
        workers: training processes (one per core).
        model_dir: a trained demand-model folder to use instead of the scenario's model.
        series: the series of ``model_dir`` / ``data`` to price, as its key values; None takes the
            series with the most history.
        data: a sales-history file to learn the demand model from.
        mapping: the column mapping of ``data`` (YAML).
        drop_invalid: drop invalid rows of ``data`` (reported) instead of stopping.
        quick: a smoke run (few steps, few episodes).
    """

    agent: str = "ppo"
    env_id: str = "DynamicPricing-v0"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    hyperparams: dict[str, Any] = field(default_factory=dict)
    timesteps: int | None = None
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    eval_episodes: int = 2000
    curve_episodes: int = 100
    eval_freq: int = 10_000
    workers: int = 2
    model_dir: str | None = None
    series: tuple[str, ...] | None = None
    data: str | None = None
    mapping: str | None = None
    drop_invalid: bool = False
    quick: bool = False

    def __post_init__(self) -> None:
        if self.agent not in AGENTS:
            raise ValueError(f"agent must be one of {AGENTS}, got {self.agent!r}")
        for name in ("eval_episodes", "curve_episodes", "eval_freq", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 1, got {getattr(self, name)}")
        if self.timesteps is not None and self.timesteps < 1:
            raise ValueError(f"--timesteps must be >= 1, got {self.timesteps}")
        if self.hyperparams and not self.learned:
            raise ValueError("--hyperparams applies to learned agents (ppo, dqn, all), not to baselines")
        accepted = set().union(*(accepted_hyperparams(algo) for algo in self.learned))
        unknown = sorted(set(self.hyperparams) - accepted)
        if unknown:
            raise ValueError(
                f"--hyperparams: unknown key(s) {unknown} for {', '.join(self.learned)}; "
                "expected arguments of the SB3 algorithm or run keys (n_envs, total_timesteps, lr_decay, ...)"
            )
        if not self.seeds:
            raise ValueError("--seeds must name at least one seed")
        if self.mapping is not None and self.data is None:
            raise ValueError("--map needs --data (the file it maps)")
        if self.series is not None and self.data is None and self.model_dir is None:
            raise ValueError(
                "--series picks a series of --data or --model; for the default model use --set series=[STORE,BRAND]"
            )

    @property
    def env_name(self) -> str:
        """The env id without a ``module:`` prefix (for folder names and YAML keys)."""
        return self.env_id.split(":")[-1]

    @property
    def learned(self) -> tuple[str, ...]:
        """The SB3 algorithms this run trains: PPO becomes MaskablePPO when a price-change limit masks prices."""
        masked = self.env_kwargs.get("max_price_change") is not None
        return tuple("maskable_ppo" if masked and algo == "ppo" else algo for algo in LEARNED[self.agent])

    def to_yaml(self) -> str:
        """The config as YAML (tuples as lists)."""
        return yaml.safe_dump(asdict(self), sort_keys=False)

    @classmethod
    def from_yaml(cls, path: Path) -> ExperimentConfig:
        """Read a run's ``config.yaml``; a damaged one is a ``ValueError`` naming the file."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            raw["seeds"] = tuple(raw["seeds"])
            raw["series"] = None if raw.get("series") is None else tuple(raw["series"])
            return cls(**raw)
        except (yaml.YAMLError, TypeError, KeyError) as error:
            raise ValueError(f"{path}: not a run's config.yaml ({type(error).__name__}: {error})") from None
