"""Time-based train / validation / test split by period."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from demand_models.history import SalesHistory


@dataclass(frozen=True)
class Split:
    """Three histories over consecutive, non-overlapping period ranges.

    Attributes:
        train: the earliest periods.
        val: the periods after train (empty when ``val_fraction`` is 0).
        test: the last periods.
        periods: ``{"train": [first, last], "val": [...], "test": [...]}`` (inclusive integer
            periods, ``[]`` for an empty part), ready for a JSON model card.
    """

    train: SalesHistory
    val: SalesHistory
    test: SalesHistory
    periods: dict[str, list[int]]


def time_split(history: SalesHistory, val_fraction: float = 0.1, test_fraction: float = 0.2) -> Split:
    """Split by period: the last ``test_fraction`` of periods is test, the ``val_fraction`` before it is val.

    Fractions are of the span ``first..last`` period of the whole table, rounded to whole
    periods (at least one period each when the fraction is positive); every series is cut at
    the same periods.

    Args:
        history: the table to split.
        val_fraction: share of periods for validation, in [0, 1).
        test_fraction: share of periods for test, in [0, 1).

    Returns:
        The split.

    Raises:
        ValueError: fractions out of range, or too few periods to leave any for training.
    """
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1):
        raise ValueError(f"fractions must lie in [0, 1), got val={val_fraction}, test={test_fraction}")
    period = history.frame["period"]
    first, last = int(period.min()), int(period.max())
    span = last - first + 1
    n_test, n_val = (max(1, round(span * f)) if f > 0 else 0 for f in (test_fraction, val_fraction))
    if n_test + n_val >= span:
        raise ValueError(
            f"{history.name}: {span} periods are too few for val={n_val} and test={n_test} periods"
        )
    test_start = last - n_test + 1
    val_start = test_start - n_val
    bounds = {"train": (first, val_start - 1), "val": (val_start, test_start - 1), "test": (test_start, last)}
    parts = {
        part: replace(history, frame=history.frame[period.between(lo, hi)].reset_index(drop=True))
        for part, (lo, hi) in bounds.items()
    }
    ranges = {part: ([lo, hi] if lo <= hi else []) for part, (lo, hi) in bounds.items()}
    return Split(train=parts["train"], val=parts["val"], test=parts["test"], periods=ranges)


def seen_series_only(part: SalesHistory, train: SalesHistory) -> tuple[SalesHistory, int]:
    """Rows of ``part`` whose series occur in ``train``, and how many rows were left out."""
    keys = list(train.series_keys)
    if not keys:
        return part, 0
    seen = pd.MultiIndex.from_frame(train.frame[keys]).unique()
    mask = pd.MultiIndex.from_frame(part.frame[keys]).isin(seen)
    return replace(part, frame=part.frame[mask].reset_index(drop=True)), int((~mask).sum())
