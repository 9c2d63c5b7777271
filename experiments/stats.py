"""Means with 95% confidence intervals, for independent and for paired samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A sample mean with the bounds of its 95% confidence interval (Student t)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval."""
        return (self.high - self.low) / 2


def mean_ci(values: np.ndarray, level: float = 0.95) -> Estimate:
    """Mean of ``values`` with a t-interval; a single value gives a zero-width interval."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = float(values.mean())
    if values.size == 1:
        return Estimate(mean, mean, mean, 1)
    sem = float(values.std(ddof=1) / np.sqrt(values.size))
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1)) * sem
    return Estimate(mean, mean - half, mean + half, int(values.size))


def paired_gap_ci(values: np.ndarray, reference: np.ndarray, level: float = 0.95) -> Estimate:
    """Mean of ``values - reference`` over the same episodes (common random numbers)."""
    values = np.asarray(values, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if values.shape != reference.shape:
        raise ValueError(f"paired samples differ in shape: {values.shape} vs {reference.shape}")
    return mean_ci(values - reference, level)
