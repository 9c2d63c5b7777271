"""The part of a series-bound demand model that every model shares."""

from __future__ import annotations

import numpy as np

from demand_models import lognormal
from demand_models.base import FeatureRole
from demand_models.features import FeatureSpec, SeriesKey


class BoundDemand(lognormal.LogNormalDemand):
    """A fitted model restricted to one series; subclasses supply `log_params` and `price_elasticity`.

    Features are the raw context values named in ``feature_names``: promotion flags, the season
    index, then competitor prices in currency per unit (the series' own product excluded).

    Attributes:
        series_key: the series, e.g. ``(store, brand)``.
        feature_names: raw context feature names, in column order.
        feature_roles: role of each feature.
        season_length: periods per year.
        reference_price: median price charged in the training weeks.
        price_range: lowest and highest price charged in the training weeks.
        unit_cost: median unit cost (NaN when the data has none).
        mean_units: mean units per period in the training weeks.
        typical_features: one row of features: no promotion, season 0, competitors at their
            median price; a starting point for building a context table.
    """

    def __init__(self, spec: FeatureSpec, series_key: SeriesKey) -> None:
        index = spec.series_index(series_key)
        profile = spec.profiles[index]
        self.series_key = tuple(series_key)
        self.feature_names = spec.raw_feature_names(index)
        self.feature_roles: dict[str, FeatureRole] = spec.raw_feature_roles(index)
        self.season_length = spec.season_length
        self.reference_price = profile.reference_price
        self.price_range = (profile.price_min, profile.price_max)
        self.unit_cost = profile.unit_cost
        self.mean_units = profile.mean_units
        own = profile.own_index
        competitor_reference = [r for j, r in enumerate(spec.competitor_reference) if j != own]
        self.typical_features = np.array([0.0] * len(spec.promo_columns) + [0.0] + competitor_reference)
        self._n_promo = len(spec.promo_columns)
        self._competitor_log_reference = np.log(np.asarray(competitor_reference, dtype=np.float64))
        self._log_ref_price = float(np.log(profile.reference_price))

    def _check(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        price = np.asarray(price, dtype=np.float64).reshape(-1)
        features = np.asarray(features, dtype=np.float64)
        if features.shape != (len(price), len(self.feature_names)):
            raise ValueError(
                f"features must have shape ({len(price)}, {len(self.feature_names)}) "
                f"for {self.feature_names}, got {features.shape}"
            )
        return price, features

    def _competitor_logs(self, features: np.ndarray) -> np.ndarray:
        """Log competitor prices; a missing (NaN or non-positive) price counts as the competitor's median."""
        prices = features[:, self._n_promo + 1 :]
        with np.errstate(invalid="ignore", divide="ignore"):
            logs = np.log(prices)
        missing = ~np.isfinite(logs)
        if missing.any():
            logs = np.where(missing, self._competitor_log_reference, logs)
        return logs

    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Own-price elasticity ``d log E[units] / d log price``, shape ``(B,)``."""
        raise NotImplementedError
