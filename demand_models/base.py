"""The demand-model interface shared by the parametric, regression and neural models.

Every model describes demand for ONE series (a store x product) once bound with
``bind(series)``; the environment only ever sees bound models. A bound model maps a
batch of own prices plus a batch of context features to a predictive distribution of
whole units sold in a period.

Context features are raw, model-agnostic quantities named in ``feature_names`` and
typed in ``feature_roles``:

* ``"promo"``: a promotion flag or intensity in [0, 1] (e.g. ``deal``, ``feature``,
  ``christmas``);
* ``"season"``: the position in the year, an integer in ``[0, season_length)``
  (week of year for weekly data, month for monthly data);
* ``"competitor"``: a competitor's price in the same currency unit as the own price.

Each model turns these into its own inputs (logs, sin/cos, ...). The environment builds
a context table per period from a promotion calendar and passes its rows here.

Every distribution here is a rounded log-normal: ``units = round(exp(X))`` with
``X ~ Normal(mu, sigma^2)``, so ``pmf`` is exact and the DP and the simulator agree.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

import numpy as np

FeatureRole = Literal["promo", "season", "competitor"]


@runtime_checkable
class DemandModel(Protocol):
    """Predictive distribution of units sold for one series, vectorised over a batch."""

    feature_names: tuple[str, ...]
    feature_roles: dict[str, FeatureRole]
    season_length: int

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Location ``mu`` and scale ``sigma`` of log units, shapes ``(B,)`` each."""

    def expected_demand(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Mean units, shape ``(B,)``; ``price`` is ``(B,)``, ``features`` is ``(B, F)``."""

    def sample(self, price: np.ndarray, features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Whole units drawn with the caller's generator, shape ``(B,)``, dtype int64."""

    def pmf(self, price: np.ndarray, features: np.ndarray, n_max: int) -> np.ndarray:
        """``P(units = d)`` for ``d = 0..n_max - 1`` and ``P(units >= n_max)`` last, shape ``(B, n_max + 1)``."""

    def price_elasticity(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Own-price elasticity ``d log E[units] / d log price``, shape ``(B,)``; always <= 0."""
