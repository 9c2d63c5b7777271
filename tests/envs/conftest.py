"""Shared builders: a constant-demand stub model for hand-computed arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from demand_models import lognormal


@dataclass(frozen=True)
class ConstantDemand(lognormal.LogNormalDemand):
    """Exactly ``units`` demanded every period at any price (a vanishing log-normal noise)."""

    units: float = 10.0
    reference_price: float = 3.0
    price_range: tuple[float, float] = (2.0, 4.0)
    unit_cost: float = 1.5
    mean_units: float = 10.0
    season_length: int = 52
    sigma: float = 1e-9

    @property
    def feature_names(self) -> tuple[str, ...]:
        return ("deal", "feat", "season")

    @property
    def feature_roles(self) -> dict[str, str]:
        return {"deal": "promo", "feat": "promo", "season": "season"}

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = np.full(np.shape(price), np.log(self.units) - 0.5 * self.sigma**2)
        return mu, np.full_like(mu, self.sigma)


    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        return np.zeros(np.shape(price))


@pytest.fixture
def constant_demand() -> ConstantDemand:
    """Ten units a period at any price."""
    return ConstantDemand()
