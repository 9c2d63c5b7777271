"""Promotion calendars: the context (season, promotion flags, competitor prices) of each period.

A ``Calendar`` is the context of one episode, drawn at reset by a ``CalendarSource`` from the
env's generator. Three sources (``CalendarConfig.source``):

* ``"replay"``: consecutive weeks of the history of the env's series, from a small file shipped in
  ``envs/calendars/`` (written by ``python -m envs.extract_calendar``), so no raw data is needed at
  run time;
* ``"file"``: the same from a user's CSV or YAML calendar;
* ``"random"``: each promotion flag drawn independently per period with its rate.

Calendar files have one row per period and the columns ``season`` (the position in the year,
``0 <= season < season_length``), one column per promotion flag the demand model uses and, when
competitor prices are replayed, one per competitor price; other columns are ignored. A YAML
calendar is a list of such rows (mappings), or a mapping with the key ``periods`` holding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from demand_models.base import DemandModel
from envs.config import PricingEnvConfig

CALENDAR_DIR = Path(__file__).parent / "calendars"


def shipped_calendar_path(series: tuple[int, int]) -> Path:
    """The calendar file shipped for a Dominick's ``(store, brand)``."""
    store, brand = series
    return CALENDAR_DIR / f"dominicks_{store}_{brand}.csv"


def read_calendar_table(path: str | Path) -> pd.DataFrame:
    """Read a calendar file (``.csv``, ``.yaml`` or ``.yml``) into a table, one row per period.

    Args:
        path: the file.

    Returns:
        The table with a ``season`` column of integers; numeric columns as float64.

    Raises:
        ValueError: the file is missing, unreadable, has no ``season`` column or has missing values.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"calendar file {path} does not exist")
    if path.suffix in (".yaml", ".yml"):
        content = yaml.safe_load(path.read_text())
        rows = content.get("periods") if isinstance(content, dict) else content
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError(
                f"{path}: a YAML calendar is a list of rows (mappings), or 'periods:' holding one"
            )
        table = pd.DataFrame(rows)
    else:
        table = pd.read_csv(path)
    if "season" not in table:
        raise ValueError(f"{path}: calendar has no 'season' column (columns: {list(table.columns)})")
    for column in table.columns:
        if table[column].isna().any():
            row = int(np.flatnonzero(table[column].isna().to_numpy())[0])
            raise ValueError(f"{path}: column {column!r} has a missing value in row {row}")
    return table


@dataclass(frozen=True, eq=False)
class Calendar:
    """The context of every period of one episode.

    Attributes:
        season: ``(T,)`` int64, position in the year of each period.
        promos: ``(T, P)`` float64, promotion flags (or intensities in [0, 1]).
        promo_names: names of the ``P`` flags.
        competitors: ``(T, C)`` float64, competitor prices in currency.
        competitor_names: names of the ``C`` competitor prices.
        start: the row of the calendar file the episode starts at (None for random calendars).
    """

    season: np.ndarray
    promos: np.ndarray
    promo_names: tuple[str, ...]
    competitors: np.ndarray
    competitor_names: tuple[str, ...]
    start: int | None = None

    @property
    def horizon(self) -> int:
        """Number of periods."""
        return len(self.season)

    def frame(self) -> pd.DataFrame:
        """The calendar as a table: ``season``, the promotion flags, the competitor prices."""
        table = pd.DataFrame({"season": self.season})
        for j, name in enumerate(self.promo_names):
            table[name] = self.promos[:, j]
        for j, name in enumerate(self.competitor_names):
            table[name] = self.competitors[:, j]
        return table

    def features(self, model: DemandModel) -> np.ndarray:
        """The model's context features of every period, ``(T, F)`` in ``model.feature_names`` order."""
        columns = {"season": self.season.astype(np.float64)}
        columns.update({name: self.promos[:, j] for j, name in enumerate(self.promo_names)})
        columns.update({name: self.competitors[:, j] for j, name in enumerate(self.competitor_names)})
        return np.stack([columns[name] for name in model.feature_names], axis=1)


def _feature_names(model: DemandModel, role: str) -> tuple[str, ...]:
    return tuple(name for name in model.feature_names if model.feature_roles[name] == role)


class CalendarSource:
    """Draws the calendar of each episode from the configured source.

    Args:
        config: the env settings (``calendar``, ``horizon``, ``series``).
        model: the demand model; its promotion and competitor features decide the columns.

    Raises:
        ValueError: a file lacks a needed column or has fewer rows than the horizon, or a rate or
            held price is missing.
    """

    def __init__(self, config: PricingEnvConfig, model: DemandModel) -> None:
        self.config = config.calendar
        self.horizon = config.horizon
        self.season_length = int(model.season_length)
        self.promo_names = _feature_names(model, "promo")
        self.competitor_names = _feature_names(model, "competitor")
        shipped = shipped_calendar_path(config.series)
        self.table: pd.DataFrame | None = None
        if self.config.source != "random":
            path = self.config.path if self.config.path is not None else shipped
            replayed = self.competitor_names if self.config.competitors == "replay" else ()
            self.table = self._checked(read_calendar_table(path), path, self.promo_names + replayed)
            if len(self.table) < self.horizon:
                raise ValueError(
                    f"{path}: calendar has {len(self.table)} rows, fewer than horizon={self.horizon}"
                )
            if self.config.start is not None and self.config.start > len(self.table) - self.horizon:
                raise ValueError(
                    f"calendar.start={self.config.start} leaves fewer than horizon={self.horizon} rows "
                    f"of {len(self.table)} in {path}"
                )
            table = self.table
            self._season = table["season"].to_numpy().astype(np.int64)
            self._promos = table[list(self.promo_names)].to_numpy(np.float64).reshape(len(table), -1)
            if self.config.competitors == "replay":
                self._competitors = table[list(self.competitor_names)].to_numpy(np.float64).reshape(len(table), -1)
        self.promo_rates = self._promo_rates(shipped) if self.config.source == "random" else None
        hold = self.config.competitors == "hold" or self.config.source == "random"
        self.held_prices = self._held_prices(shipped) if hold else None
        self._cache: dict[int, Calendar] = {}

    def _checked(self, table: pd.DataFrame, path: str | Path, needed: tuple[str, ...]) -> pd.DataFrame:
        missing = [name for name in needed if name not in table]
        if missing:
            raise ValueError(
                f"{path}: calendar lacks column(s) {missing} used by the demand model"
                " (to hold competitor prices fixed instead, set calendar competitors='hold')"
            )
        season = table["season"].to_numpy()
        if np.any(season != np.round(season)) or season.min() < 0 or season.max() >= self.season_length:
            raise ValueError(f"{path}: column 'season' must hold integers in [0, {self.season_length})")
        for name in self.promo_names:
            if table[name].min() < 0 or table[name].max() > 1:
                raise ValueError(f"{path}: promotion column {name!r} must lie in [0, 1]")
        return table

    def _shipped_means(self, shipped: Path, names: tuple[str, ...], setting: str) -> dict[str, float]:
        if not names:
            return {}
        if not shipped.is_file():
            raise ValueError(f"{setting} must be given: no shipped calendar {shipped} to take defaults from")
        table = read_calendar_table(shipped)
        missing = [name for name in names if name not in table]
        if missing:
            example = ", ".join(f"{name}: 0.1" for name in names)
            raise ValueError(
                f"{setting} must give {missing}: the shipped calendar {shipped} has no such columns to take "
                f"defaults from. Give them (command line: --set \"calendar={{{setting.split('.')[1]}: "
                f"{{{example}}}}}\"), or replay a calendar that has them (--data FILE --map MAP)"
            )
        return {name: float(table[name].mean()) for name in names}

    def _promo_rates(self, shipped: Path) -> np.ndarray:
        given = self.config.promo_rates
        rates = (
            given
            if given is not None
            else self._shipped_means(shipped, self.promo_names, "calendar.promo_rates")
        )
        if set(rates) != set(self.promo_names):
            raise ValueError(
                "calendar.promo_rates must give exactly the model's promotion flags "
                f"{list(self.promo_names)}, got {sorted(rates)}"
            )
        return np.array([rates[name] for name in self.promo_names], dtype=np.float64)

    def _held_prices(self, shipped: Path) -> np.ndarray:
        given = self.config.competitor_prices
        names = self.competitor_names
        prices = (
            given if given is not None else self._shipped_means(shipped, names, "calendar.competitor_prices")
        )
        missing = [name for name in names if name not in prices]
        if missing:
            raise ValueError(f"calendar.competitor_prices lacks {missing} used by the demand model")
        return np.array([prices[name] for name in names], dtype=np.float64)

    @property
    def n_starts(self) -> int | None:
        """Number of possible start rows of a file calendar (None for random calendars)."""
        return None if self.table is None else len(self.table) - self.horizon + 1

    def at_start(self, start: int) -> Calendar:
        """The file calendar starting at row ``start`` (cached).

        Args:
            start: the first row, ``0 <= start < n_starts``.

        Returns:
            The calendar.
        """
        if self.table is None:
            raise ValueError("calendar start rows exist only for 'replay' and 'file' calendars")
        if not (0 <= start < self.n_starts):
            raise ValueError(f"calendar start must lie in [0, {self.n_starts}), got {start}")
        if start not in self._cache:
            rows = slice(start, start + self.horizon)
            if self.held_prices is None:
                competitors = self._competitors[rows]
            else:
                competitors = np.tile(self.held_prices, (self.horizon, 1))
            self._cache[start] = Calendar(
                season=self._season[rows],
                promos=self._promos[rows],
                promo_names=self.promo_names,
                competitors=competitors,
                competitor_names=self.competitor_names,
                start=start,
            )
        return self._cache[start]

    def draw(self, rng: np.random.Generator) -> Calendar:
        """The calendar of a new episode, drawn with ``rng`` when the source is random.

        Args:
            rng: the env's generator.

        Returns:
            The calendar.
        """
        if self.table is not None:
            start = self.config.start if self.config.start is not None else int(rng.integers(self.n_starts))
            return self.at_start(start)
        first = self.config.season_start
        first = int(rng.integers(self.season_length)) if first is None else first % self.season_length
        promos = (rng.random((self.horizon, len(self.promo_names))) < self.promo_rates).astype(np.float64)
        return Calendar(
            season=(first + np.arange(self.horizon, dtype=np.int64)) % self.season_length,
            promos=promos,
            promo_names=self.promo_names,
            competitors=np.tile(self.held_prices, (self.horizon, 1)),
            competitor_names=self.competitor_names,
        )
