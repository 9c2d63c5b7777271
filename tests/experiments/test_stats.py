"""Confidence intervals used by every results table."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.stats import mean_ci, paired_gap_ci


def test_mean_ci_matches_the_t_interval_by_hand() -> None:
    est = mean_ci(np.array([1.0, 2.0, 3.0, 4.0]))
    # mean 2.5, sd 1.29099, sem 0.645497, t(0.975, 3) = 3.182446
    assert est.mean == 2.5
    assert est.half_width == pytest.approx(3.182446 * 0.645497, rel=1e-5)
    assert est.n == 4


def test_paired_gap_removes_the_shared_noise() -> None:
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 100, 500)
    a, b = shared + 1.0, shared
    assert paired_gap_ci(a, b).half_width == pytest.approx(0.0, abs=1e-9)
    assert paired_gap_ci(a, b).mean == pytest.approx(1.0)
    assert mean_ci(a).half_width > 5


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        mean_ci(np.array([]))
    with pytest.raises(ValueError, match="differ in shape"):
        paired_gap_ci(np.ones(3), np.ones(4))
