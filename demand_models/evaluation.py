"""Hold-out metrics of a rounded log-normal forecast, and calibration of its scale.

Every model predicts ``units = round(exp(X))``, ``X ~ Normal(mu, sigma^2)``. The point forecast
is the median ``exp(mu)``; the likelihood is the exact probability of the observed whole units
under that discrete distribution, so the NLL is on the same scale for every model.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtri

Z_90 = float(ndtri(0.95))


def log_pmf(mu: np.ndarray, sigma: np.ndarray, units: np.ndarray) -> np.ndarray:
    """``log P(round(exp X) = units)``; ``units`` are rounded to whole units first."""
    d = np.rint(np.asarray(units, dtype=np.float64))
    with np.errstate(divide="ignore"):
        a = np.where(d > 0, (np.log(np.maximum(d - 0.5, 0.5)) - mu) / sigma, -np.inf)
    b = (np.log(d + 0.5) - mu) / sigma
    upper = a > 0  # both edges in the upper tail: use the mirrored lower tail for precision
    lo = np.where(upper, -b, a)
    hi = np.where(upper, -a, b)
    log_hi = log_ndtr(hi)
    return log_hi + np.log1p(-np.exp(log_ndtr(lo) - log_hi))


def interval(mu: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central 90% predictive interval of whole units."""
    return np.rint(np.exp(mu - Z_90 * sigma)), np.rint(np.exp(mu + Z_90 * sigma))


def coverage(mu: np.ndarray, sigma: np.ndarray, units: np.ndarray) -> float:
    """Share of ``units`` inside the central 90% interval."""
    lo, hi = interval(mu, sigma)
    d = np.rint(units)
    return float(np.mean((d >= lo) & (d <= hi)))


def calibrate_scale(mu: np.ndarray, sigma: np.ndarray, units: np.ndarray, target: float = 0.90) -> float:
    """Factor on ``sigma`` that puts the 90% interval coverage of ``units`` at ``target``.

    Raises:
        ValueError: the validation rows are too few (or too odd) for any factor in [0.05, 20]
            to reach the target.
    """
    low, high = 0.05, 20.0
    gap_low, gap_high = (coverage(mu, c * sigma, units) - target for c in (low, high))
    if gap_low * gap_high > 0:
        raise ValueError(
            f"cannot calibrate the 90% predictive interval on {len(units)} validation rows "
            f"(coverage {gap_low + target:.2f} to {gap_high + target:.2f}): the history is too short; "
            "give more periods per series"
        )
    return float(brentq(lambda c: coverage(mu, c * sigma, units) - target, low, high, xtol=1e-4))


def wmape(mu: np.ndarray, units: np.ndarray) -> float:
    """Weighted mean absolute percentage error of the median forecast: ``sum |e| / sum y``."""
    return float(np.abs(units - np.exp(mu)).sum() / units.sum())


def metrics(mu: np.ndarray, sigma: np.ndarray, units: np.ndarray) -> dict[str, float]:
    """WMAPE, MAPE, MAE (median forecast), log R2, mean NLL and 90% coverage."""
    pred = np.exp(mu)
    positive = units > 0
    log_y = np.log(units[positive])
    resid = log_y - mu[positive]
    return {
        "wmape": wmape(mu, units),
        "mape": float(np.mean(np.abs(units[positive] - pred[positive]) / units[positive])),
        "mae": float(np.mean(np.abs(units - pred))),
        "log_r2": float(1.0 - np.sum(resid**2) / np.sum((log_y - log_y.mean()) ** 2)),
        "nll": float(-np.mean(log_pmf(mu, sigma, units))),
        "interval_coverage_90": coverage(mu, sigma, units),
    }
