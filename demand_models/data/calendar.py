"""Calendar helpers: period dates, pandas frequency aliases and the position in the year."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


def weekly_alias(start: pd.Timestamp) -> str:
    """Pandas alias of weeks that begin on ``start``'s weekday, e.g. ``"W-THU"``.

    Args:
        start: the first day of a week.

    Returns:
        An anchored weekly alias, so that ``start + p * to_offset(alias)`` is the start of week ``p``.
    """
    return f"W-{start.day_name()[:3].upper()}"


def week_of_year(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """Week of the year in ``[0, 52)``: ``(day_of_year - 1) // 7``, the last day or two folded into 51.

    Args:
        dates: the start dates of weekly periods.

    Returns:
        int64 array of the same length.
    """
    day = pd.DatetimeIndex(dates).day_of_year.to_numpy()
    return np.minimum((day - 1) // 7, WEEKS_PER_YEAR - 1).astype(np.int64)


def month_of_year(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """Month of the year in ``[0, 12)``.

    Args:
        dates: dates within monthly periods.

    Returns:
        int64 array of the same length.
    """
    return (pd.DatetimeIndex(dates).month.to_numpy() - 1).astype(np.int64)
