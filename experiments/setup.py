"""The environment a run uses: a registered scenario, optionally on a user's demand model or data.

With ``--data FILE --map MAP.yaml`` the demand models are learned from the file (into
``RUN_DIR/demand_model``, with their model card), one series is chosen, and its history becomes
the replayed promotion calendar (``RUN_DIR/calendar.csv``). With ``--model DIR`` a trained model
folder is used instead of learning one; its calendar comes from ``--data`` if given, else random draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pandas as pd

import envs
from demand_models.atomic import write_atomic
from demand_models.data import load_dataset
from demand_models.history import SalesHistory
from demand_models.persistence import load_model
from demand_models.train import train
from experiments.config import ExperimentConfig


def series_calendar(history: SalesHistory, key: tuple) -> pd.DataFrame:
    """The history of one series as a calendar table: ``season``, promotion flags, competitor prices.

    Missing periods are filled: no promotion, competitor prices carried over, the season counted on.
    """
    frame = history.frame
    mask = np.logical_and.reduce([frame[col] == val for col, val in zip(history.series_keys, key, strict=True)])
    rows = frame[mask].set_index("period").sort_index()
    periods = pd.RangeIndex(rows.index.min(), rows.index.max() + 1)
    rows = rows.reindex(periods)
    first_season = int(rows["season"].iloc[0])
    table = pd.DataFrame({"season": (first_season + np.arange(len(periods))) % history.season_length})
    for name in history.promo_columns:
        table[name] = rows[name].fillna(0.0).to_numpy()
    for name in history.competitor_columns:
        table[name] = rows[name].ffill().bfill().to_numpy()
    return table


def _match_series(keys: list[tuple], wanted: tuple[str, ...], where: str) -> tuple:
    """The key among ``keys`` whose values read as ``wanted`` (``--series`` gives them as text)."""
    for key in keys:
        if tuple(str(v) for v in key) == tuple(wanted):
            return key
    examples = ", ".join("/".join(str(v) for v in key) for key in keys[:3])
    raise ValueError(f"--series {'/'.join(wanted)}: no such series in {where}; e.g. --series {examples}")


def _choose_series(history: SalesHistory, wanted: tuple[str, ...] | None) -> tuple:
    """The series named by ``--series``, else the one with the most periods of history."""
    counts = history.frame.groupby(list(history.series_keys)).size()
    keys = [k if isinstance(k, tuple) else (k,) for k in counts.index]
    if wanted is None:
        return keys[int(np.argmax(counts.to_numpy()))]
    return _match_series(keys, wanted, history.name)


def _learned_environment(cfg: ExperimentConfig, run_dir: Path) -> tuple[dict[str, Any], SalesHistory | None]:
    """Env settings for a model learned from ``cfg.data`` or loaded from ``cfg.model_dir``, and the history."""
    history = load_dataset(cfg.data, cfg.mapping, drop_invalid=cfg.drop_invalid) if cfg.data else None
    for reason, count in (history.dropped_rows if history is not None else {}).items():
        print(f"dropped {count:,} rows of {cfg.data}: {reason}")
    chosen = _choose_series(history, cfg.series) if history is not None else None  # before any training
    if cfg.model_dir is not None:
        model_dir = Path(cfg.model_dir)
    else:
        model_dir = run_dir / "demand_model"
        if not (model_dir / "model_card.json").is_file():
            print(f"learning the demand model from {cfg.data} ...")
            train(history, model_dir)
    fitted = load_model(model_dir)
    if chosen is not None:
        key = _match_series(list(fitted.spec.series), tuple(str(v) for v in chosen), str(model_dir))
        table = series_calendar(history, chosen)
        path = write_atomic(run_dir / "calendar.csv", lambda tmp: table.to_csv(tmp, index=False))
        calendar: dict[str, Any] = {"source": "replay", "path": str(path)}
    else:
        if cfg.series is None:
            raise ValueError("--model needs --series (or --data to choose one and replay its calendar)")
        key = _match_series(list(fitted.spec.series), cfg.series, str(model_dir))
        calendar = {"source": "random"}
    model = fitted.bind(key)
    print(f"pricing series {dict(zip(fitted.spec.series_keys, key, strict=True))} of {model_dir}")
    given = cfg.env_kwargs.get("calendar", {})  # not a dict: the env config's own check names it
    settings: dict[str, Any] = {"model": model, "calendar": {**calendar, **given} if isinstance(given, dict) else given}
    if not np.isfinite(model.unit_cost) and "unit_cost" not in cfg.env_kwargs:
        raise ValueError("the data has no unit cost: give one with --set unit_cost=VALUE")
    return settings, history


def resolve_environment(cfg: ExperimentConfig, run_dir: Path) -> tuple[str, dict[str, Any], SalesHistory | None]:
    """``(env_id, env_kwargs, history)`` of a run; validates the env settings by building the env once.

    ``history`` is the sales history the run learned its model from (None for a registered model).

    Args:
        cfg: the run's settings.
        run_dir: the run folder (a model learned from ``cfg.data`` is saved there).

    Raises:
        ValueError: an unknown env id or a bad env setting (the message names it).
    """
    env_id = cfg.env_id if ":" in cfg.env_id else f"envs:{cfg.env_id}"
    if env_id.split(":")[-1] not in envs.ENV_IDS:
        raise ValueError(f"--env must be one of {sorted(envs.ENV_IDS)}, got {cfg.env_id!r}")
    env_kwargs, history = dict(cfg.env_kwargs), None
    if cfg.data is not None or cfg.model_dir is not None:
        settings, history = _learned_environment(cfg, run_dir)
        env_kwargs.update(settings)
    try:
        gym.make(env_id, **env_kwargs).close()
    except TypeError as err:
        raise ValueError(f"bad env setting: {err}") from err
    return env_id, env_kwargs, history
