"""Turn a `SalesHistory` into model inputs, and raw per-series context into model context.

Both demand models see the same inputs:

* ``log_rel_price``: ``log(price / reference_price)`` with a per-series reference (the median
  price the series charged in the training weeks);
* ``context``: promotion columns as given, the season as two yearly harmonics (sin/cos of
  ``2 pi k s / L``, ``k = 1, 2``), and each competitor's ``log(price_j / reference_j)``, with
  the row's own product masked to 0 (otherwise the own price would enter twice) and missing
  prices at 0 (the competitor's typical price);
* ``keys``: integer codes of each series key column and of the series itself.

A `FeatureSpec` holds everything learned from the training weeks (series index, reference
prices, per-series profile) and round-trips through JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from demand_models.base import FeatureRole
from demand_models.history import SalesHistory

N_HARMONICS = 2

SeriesKey = tuple[object, ...]


@dataclass(frozen=True)
class SeriesProfile:
    """What the environment needs to know about one series (from the training weeks).

    Attributes:
        reference_price: median price charged.
        price_min: lowest price charged.
        price_max: highest price charged.
        unit_cost: median unit cost (NaN when the data has none).
        mean_units: mean units sold per period.
        own_index: index of the series' own product among the competitor columns, or -1.
        n_periods: number of training periods observed.
    """

    reference_price: float
    price_min: float
    price_max: float
    unit_cost: float
    mean_units: float
    own_index: int
    n_periods: int


@dataclass(frozen=True)
class FeatureSpec:
    """The feature encoding fixed on the training weeks.

    Attributes:
        series_keys: key column names, e.g. ``("store", "brand")``.
        promo_columns: promotion columns, used as given.
        competitor_columns: competitor price columns.
        own_price_column: frame column with the own product's index among the competitor columns.
        season_length: periods per year.
        series: the training series keys, in index order.
        key_levels: for each key column, its sorted distinct values.
        competitor_reference: median of each competitor column in the training weeks.
        profiles: one `SeriesProfile` per entry of ``series``.
    """

    series_keys: tuple[str, ...]
    promo_columns: tuple[str, ...]
    competitor_columns: tuple[str, ...]
    own_price_column: str | None
    season_length: int
    series: tuple[SeriesKey, ...]
    key_levels: tuple[tuple[object, ...], ...]
    competitor_reference: tuple[float, ...]
    profiles: tuple[SeriesProfile, ...]

    @property
    def n_context(self) -> int:
        """Width of the context matrix."""
        return len(self.promo_columns) + 2 * N_HARMONICS + len(self.competitor_columns)

    @property
    def key_cardinalities(self) -> tuple[int, ...]:
        """Number of codes per key column, then the number of series."""
        return (*(len(levels) for levels in self.key_levels), len(self.series))

    def series_index(self, key: SeriesKey) -> int:
        """Index of a series key; raises ValueError for a series not seen in training."""
        key = tuple(key)
        try:
            return self._index[key]
        except KeyError:
            raise ValueError(
                f"unknown series {key!r} for keys {self.series_keys}; known e.g. {self.series[:3]}"
            ) from None

    @cached_property
    def _index(self) -> dict[SeriesKey, int]:
        return {key: i for i, key in enumerate(self.series)}

    def raw_feature_names(self, series: int) -> tuple[str, ...]:
        """Raw context features a bound model of ``series`` takes, in order."""
        own = self.profiles[series].own_index
        competitors = tuple(c for j, c in enumerate(self.competitor_columns) if j != own)
        return (*self.promo_columns, "season", *competitors)

    def raw_feature_roles(self, series: int) -> dict[str, FeatureRole]:
        """Role of each raw feature of ``series``."""
        roles: dict[str, FeatureRole] = {name: "promo" for name in self.promo_columns}
        roles["season"] = "season"
        for name in self.raw_feature_names(series)[len(self.promo_columns) + 1 :]:
            roles[name] = "competitor"
        return roles

    def to_dict(self) -> dict:
        """A JSON-serialisable dict."""
        out = asdict(self)
        out["series"] = [list(key) for key in self.series]
        out["key_levels"] = [list(levels) for levels in self.key_levels]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        """Inverse of `to_dict`."""
        return cls(
            series_keys=tuple(data["series_keys"]),
            promo_columns=tuple(data["promo_columns"]),
            competitor_columns=tuple(data["competitor_columns"]),
            own_price_column=data["own_price_column"],
            season_length=int(data["season_length"]),
            series=tuple(tuple(key) for key in data["series"]),
            key_levels=tuple(tuple(levels) for levels in data["key_levels"]),
            competitor_reference=tuple(float(v) for v in data["competitor_reference"]),
            profiles=tuple(SeriesProfile(**p) for p in data["profiles"]),
        )


@dataclass(frozen=True)
class Inputs:
    """Model inputs for the rows of a history, in row order.

    Attributes:
        keys: int64 ``(N, K + 1)``, codes of each key column then the series index.
        log_rel_price: ``(N,)``, ``log(price / reference_price)``.
        context: ``(N, n_context)``.
        units: ``(N,)`` units sold.
    """

    keys: np.ndarray
    log_rel_price: np.ndarray
    context: np.ndarray
    units: np.ndarray

    @property
    def series(self) -> np.ndarray:
        """Series index per row."""
        return self.keys[:, -1]


def _python_scalar(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _own_index(frame: pd.DataFrame, history: SalesHistory) -> np.ndarray:
    """Per row, the index of its own product among the competitor columns, or -1.

    Without an ``own_price_column``, a competitor column that equals the row's own price on
    every row of its series is taken as the own product's (a mapping that lists all products'
    prices as competitors): otherwise the own price would enter the model twice.
    """
    if history.own_price_column is not None:
        return frame[history.own_price_column].fillna(-1).to_numpy(dtype=np.int64)
    own = np.full(len(frame), -1, dtype=np.int64)
    if not history.competitor_columns:
        return own
    prices = frame[list(history.competitor_columns)].to_numpy(dtype=np.float64)
    equal = np.isclose(prices, frame["price"].to_numpy(dtype=np.float64)[:, None], rtol=1e-9, atol=0.0)
    keys = list(history.series_keys)
    if keys:
        always = pd.DataFrame(equal).groupby([frame[k].to_numpy() for k in keys]).transform("all").to_numpy()
    else:
        always = np.broadcast_to(equal.all(axis=0), equal.shape)
    found = always.any(axis=1)
    own[found] = always[found].argmax(axis=1)
    return own


def build_spec(history: SalesHistory) -> FeatureSpec:
    """Fix the encoding on the training weeks ``history``."""
    frame = history.frame
    keys = list(history.series_keys)
    cost = frame["unit_cost"] if "unit_cost" in frame else pd.Series(np.nan, index=frame.index)
    work = frame[keys].assign(
        price=frame["price"],
        units=frame["units"],
        unit_cost=cost,
        own=_own_index(frame, history),
    )
    grouped = work.groupby(keys or np.zeros(len(work), dtype=np.int64), sort=True)
    stats = grouped.agg(
        reference_price=("price", "median"),
        price_min=("price", "min"),
        price_max=("price", "max"),
        unit_cost=("unit_cost", "median"),
        mean_units=("units", "mean"),
        own_index=("own", lambda s: int(s.mode().iloc[0])),
        n_periods=("price", "size"),
    )
    if keys:
        series = tuple(
            tuple(_python_scalar(v) for v in (key if isinstance(key, tuple) else (key,)))
            for key in stats.index
        )
    else:
        series = ((),)
    profiles = tuple(
        SeriesProfile(
            reference_price=float(row.reference_price),
            price_min=float(row.price_min),
            price_max=float(row.price_max),
            unit_cost=float(row.unit_cost),
            mean_units=float(row.mean_units),
            own_index=int(row.own_index),
            n_periods=int(row.n_periods),
        )
        for row in stats.itertuples()
    )
    key_levels = tuple(tuple(_python_scalar(v) for v in np.sort(frame[k].unique())) for k in keys)
    competitor_reference = tuple(float(frame[c].median()) for c in history.competitor_columns)
    return FeatureSpec(
        series_keys=history.series_keys,
        promo_columns=history.promo_columns,
        competitor_columns=history.competitor_columns,
        own_price_column=history.own_price_column,
        season_length=history.season_length,
        series=series,
        key_levels=key_levels,
        competitor_reference=competitor_reference,
        profiles=profiles,
    )


def season_harmonics(season: np.ndarray, season_length: int) -> np.ndarray:
    """``(N, 2 * N_HARMONICS)`` sin/cos of the yearly cycle and its first overtone."""
    angle = 2.0 * np.pi * np.asarray(season, dtype=np.float64)[:, None] / season_length
    k = np.arange(1, N_HARMONICS + 1, dtype=np.float64)
    return np.concatenate([np.sin(angle * k), np.cos(angle * k)], axis=1)


def competitor_log_ratios(prices: np.ndarray, reference: np.ndarray, own: np.ndarray) -> np.ndarray:
    """``log(p_j / ref_j)`` with the own product (index ``own``, -1 for none) and NaNs set to 0."""
    prices = np.asarray(prices, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.log(prices / reference)
    out[~np.isfinite(out)] = 0.0
    rows = np.flatnonzero(own >= 0)
    out[rows, own[rows]] = 0.0
    return out


def encode(spec: FeatureSpec, history: SalesHistory) -> Inputs:
    """Inputs for every row of ``history``; raises ValueError on a series unseen in training."""
    frame = history.frame
    codes = []
    for column, levels in zip(spec.series_keys, spec.key_levels, strict=True):
        code = pd.Index(levels).get_indexer(frame[column].to_numpy())
        codes.append(code)
    if spec.series_keys:
        series_codes = pd.MultiIndex.from_tuples(spec.series, names=spec.series_keys).get_indexer(
            pd.MultiIndex.from_frame(frame[list(spec.series_keys)])
        )
    else:
        series_codes = np.zeros(len(frame), dtype=np.int64)
    keys = np.column_stack([*codes, series_codes]).astype(np.int64)
    if (keys < 0).any():
        row = int(np.flatnonzero((keys < 0).any(axis=1))[0])
        raise ValueError(
            f"{history.name}: series {tuple(frame.iloc[row][list(spec.series_keys)])} not in training"
        )
    ref = np.array([p.reference_price for p in spec.profiles])[series_codes]
    promos = frame[list(spec.promo_columns)].to_numpy(dtype=np.float64).reshape(len(frame), -1)
    own = np.array([p.own_index for p in spec.profiles], dtype=np.int64)[series_codes]
    competitors = competitor_log_ratios(
        frame[list(spec.competitor_columns)].to_numpy(dtype=np.float64).reshape(len(frame), -1),
        np.asarray(spec.competitor_reference),
        own,
    )
    context = np.concatenate(
        [promos, season_harmonics(frame["season"].to_numpy(), spec.season_length), competitors], axis=1
    )
    return Inputs(
        keys=keys,
        log_rel_price=np.log(frame["price"].to_numpy(dtype=np.float64) / ref),
        context=context,
        units=frame["units"].to_numpy(dtype=np.float64),
    )


def log_units(units: np.ndarray) -> np.ndarray:
    """Training target: ``log(units)``, with zero units at ``log(0.5)``, the rounding edge to 1 unit."""
    return np.log(np.maximum(units, 0.5))
