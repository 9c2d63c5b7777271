"""The environment a run uses: a registered scenario, optionally on a user's demand model or data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments.config import ExperimentConfig


def resolve_environment(cfg: ExperimentConfig, run_dir: Path) -> tuple[str, dict[str, Any]]:
    """``(env_id, env_kwargs)`` of a run; validates the env settings by building the env once.

    Args:
        cfg: the run's settings.
        run_dir: the run folder (a model learned from ``cfg.data`` is saved there).

    Raises:
        ValueError: an unknown env id or a bad env setting (the message names it).
    """
    import gymnasium as gym

    import envs

    env_id = cfg.env_id if ":" in cfg.env_id else f"envs:{cfg.env_id}"
    if env_id.split(":")[-1] not in envs.ENV_IDS:
        raise ValueError(f"--env must be one of {sorted(envs.ENV_IDS)}, got {cfg.env_id!r}")
    env_kwargs = dict(cfg.env_kwargs)
    try:
        gym.make(env_id, **env_kwargs).close()
    except TypeError as err:
        raise ValueError(f"bad env setting: {err}") from err
    return env_id, env_kwargs
