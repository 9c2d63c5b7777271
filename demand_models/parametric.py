"""A known constant-elasticity demand: the ground truth for tests and a stand-in model."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demand_models import lognormal
from demand_models.base import FeatureRole


@dataclass(frozen=True)
class ConstantElasticityDemand(lognormal.LogNormalDemand):
    """``log E[units] = log(base) + e * log(p / p_ref) + sum_k lift_k * promo_k + a * cos(2 pi (s - peak) / L)``.

    Args:
        base_demand: mean units per period at the reference price, no promotion, average season.
        ref_price: the reference price ``p_ref``.
        elasticity: the own-price elasticity ``e`` (must be < 0).
        promo_lift: log lift per promotion flag, keyed by the flag's feature name.
        season_amplitude: amplitude ``a`` of the yearly cycle in log demand.
        season_peak: the season index at which demand peaks.
        season_length: periods per year (52 weekly, 12 monthly).
        sigma: standard deviation of log units (the demand noise).
    """

    base_demand: float = 20.0
    ref_price: float = 1.0
    elasticity: float = -2.5
    promo_lift: dict[str, float] = field(default_factory=lambda: {"deal": 0.4, "feature": 0.6})
    season_amplitude: float = 0.0
    season_peak: int = 0
    season_length: int = 52
    sigma: float = 0.3

    def __post_init__(self) -> None:
        if self.elasticity >= 0:
            raise ValueError(f"elasticity must be negative, got {self.elasticity}")
        if self.base_demand <= 0 or self.ref_price <= 0 or self.sigma <= 0:
            raise ValueError("base_demand, ref_price and sigma must be positive")

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The promotion flags, then ``season``."""
        return (*self.promo_lift, "season")

    @property
    def feature_roles(self) -> dict[str, FeatureRole]:
        """Role of each feature."""
        return {**{name: "promo" for name in self.promo_lift}, "season": "season"}

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``mu`` and ``sigma`` of log units; ``mu`` puts the mean of ``exp(X)`` on the formula above."""
        price = np.asarray(price, dtype=np.float64)
        features = np.asarray(features, dtype=np.float64).reshape(len(price), len(self.feature_names))
        lifts = np.array(list(self.promo_lift.values()), dtype=np.float64)
        season = np.cos(2 * np.pi * (features[:, -1] - self.season_peak) / self.season_length)
        log_mean = (
            np.log(self.base_demand)
            + self.elasticity * np.log(price / self.ref_price)
            + features[:, :-1] @ lifts
            + self.season_amplitude * season
        )
        mu = log_mean - 0.5 * self.sigma**2
        return mu, np.full_like(mu, self.sigma)

    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """The constant elasticity, for every row."""
        return np.full(np.shape(price), self.elasticity, dtype=np.float64)
