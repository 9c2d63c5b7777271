"""The rounded log-normal distribution of units that every demand model predicts.

``units = round(exp(X))`` with ``X ~ Normal(mu, sigma^2)``: whole units, zero when
``exp(X) < 0.5``. Sampling, the probability mass function and the mean are computed
from the same definition, so a simulator and a dynamic programme built on them agree.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr


def sample(mu: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole units, one per ``(mu, sigma)``, drawn with ``rng``."""
    z = rng.standard_normal(np.shape(mu))
    return np.rint(np.exp(mu + sigma * z)).astype(np.int64)


def pmf(mu: np.ndarray, sigma: np.ndarray, n_max: int) -> np.ndarray:
    """``P(units = d)`` for ``d < n_max`` and ``P(units >= n_max)`` in the last column."""
    mu = np.asarray(mu, dtype=np.float64)[..., None]
    sigma = np.asarray(sigma, dtype=np.float64)[..., None]
    edges = np.log(np.arange(n_max, dtype=np.float64) + 0.5)  # boundaries d + 1/2, d = 0..n_max-1
    cdf = ndtr((edges - mu) / sigma)
    shape = cdf.shape[:-1] + (1,)
    return np.diff(np.concatenate([np.zeros(shape), cdf, np.ones(shape)], axis=-1), axis=-1)


def mean(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Mean of ``exp(X)``; the rounding to whole units shifts it by far less than one unit."""
    return np.exp(mu + 0.5 * np.square(sigma))


class LogNormalDemand:
    """Mixin: ``expected_demand``, ``sample`` and ``pmf`` of a model that defines ``log_params``."""

    def log_params(self, price: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Location ``mu`` and scale ``sigma`` of log units, ``(B,)`` each (subclasses define it)."""
        raise NotImplementedError

    def expected_demand(self, price: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Mean units, shape ``(B,)``."""
        return mean(*self.log_params(price, features))

    def sample(self, price: np.ndarray, features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Whole units drawn with the caller's generator, shape ``(B,)``, dtype int64."""
        return sample(*self.log_params(price, features), rng)

    def pmf(self, price: np.ndarray, features: np.ndarray, n_max: int) -> np.ndarray:
        """``P(units = d)`` for ``d < n_max`` and ``P(units >= n_max)`` last, shape ``(B, n_max + 1)``."""
        return pmf(*self.log_params(price, features), n_max)
