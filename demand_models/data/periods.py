"""The period column: dates or integers to consecutive integer periods, frequency and season."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demand_models.data.calendar import (
    MONTHS_PER_YEAR,
    WEEKS_PER_YEAR,
    month_of_year,
    week_of_year,
    weekly_alias,
)
from demand_models.data.errors import DataError
from demand_models.data.mapping import Frequency
from demand_models.data.validation import RowChecker

NOMINAL_START = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class Periods:
    """Integer periods and the calendar of a table (values at flagged rows are meaningless).

    Attributes:
        period: int64 per raw row; period p starts at ``period_start + p * period_freq``.
        season: int64 per raw row in ``[0, season_length)``.
        season_length: 52 (weekly) or 12 (monthly).
        period_start: start of period 0.
        period_freq: pandas alias of one period.
    """

    period: np.ndarray
    season: np.ndarray
    season_length: int
    period_start: pd.Timestamp
    period_freq: str


def _infer_frequency(dates: pd.DatetimeIndex, column: str, checker: RowChecker) -> Frequency:
    """Monthly if the dates are month starts, month ends or one day of the month; weekly if weeks apart."""
    unique = dates.unique().sort_values()
    months = unique.year * 12 + unique.month
    same_day = unique.day.nunique() == 1 or bool(unique.is_month_end.all())
    if same_day and months.nunique() == len(unique):
        return "monthly"
    if ((unique - unique[0]) % pd.Timedelta(days=7) == pd.Timedelta(0)).all():
        return "weekly"
    first = ", ".join(str(d.date()) for d in unique[:3])
    raise DataError(
        f"{checker.path}: column {column!r}: cannot tell the period frequency from the dates (they are "
        f"neither one per month nor whole weeks apart; first dates: {first}). "
        "Set frequency: weekly or monthly in the mapping."
    )


def _from_dates(values: pd.Series, column: str, frequency: Frequency | None, checker: RowChecker) -> Periods:
    dates = pd.to_datetime(values, errors="coerce")
    checker.flag(column, "not a date", (dates.isna() & values.notna()).to_numpy(), values)
    valid = pd.DatetimeIndex(dates[checker.ok]).normalize()
    if valid.empty:
        raise DataError(f"{checker.path}: column {column!r}: no valid date in any row.")
    frequency = frequency or _infer_frequency(valid, column, checker)
    filled = pd.DatetimeIndex(dates.fillna(valid.min())).normalize()
    if frequency == "monthly":
        start = valid.min().to_period("M").to_timestamp()
        period = (filled.year * 12 + filled.month - (start.year * 12 + start.month)).to_numpy()
        return Periods(period.astype(np.int64), month_of_year(filled), MONTHS_PER_YEAR, start, "MS")
    start = valid.min()
    days = ((filled - start) // pd.Timedelta(days=1)).to_numpy()
    checker.flag(
        column, f"not a whole number of weeks after the first date {start.date()}", days % 7 != 0, values
    )
    return Periods(
        (days // 7).astype(np.int64), week_of_year(filled), WEEKS_PER_YEAR, start, weekly_alias(start)
    )


def _from_integers(
    numbers: pd.Series,
    values: pd.Series,
    column: str,
    frequency: Frequency | None,
    start: str | None,
    checker: RowChecker,
) -> Periods:
    checker.flag(column, "not a whole number", (numbers.notna() & (numbers % 1 != 0)).to_numpy(), values)
    period = numbers.fillna(0).round().to_numpy(np.int64)
    monthly = frequency == "monthly"
    length = MONTHS_PER_YEAR if monthly else WEEKS_PER_YEAR
    if start is None:
        return Periods(period, period % length, length, NOMINAL_START, "MS" if monthly else "W-THU")
    try:
        origin = pd.Timestamp(start).normalize()
    except ValueError:
        raise DataError(f"mapping: start must be a date such as 2020-01-06, not {start!r}.") from None
    if monthly:
        origin = origin.to_period("M").to_timestamp()
        months = origin.month - 1 + period
        return Periods(period, (months % MONTHS_PER_YEAR).astype(np.int64), length, origin, "MS")
    dates = origin + pd.to_timedelta(7 * period, unit="D")
    return Periods(period, week_of_year(dates), length, origin, weekly_alias(origin))


def parse_periods(
    values: pd.Series, column: str, frequency: Frequency | None, start: str | None, checker: RowChecker
) -> Periods:
    """Turn the period column into integer periods; bad rows are flagged in ``checker``.

    Dates become periods counted from the first date (weeks, or calendar months); integers are
    kept as they are (weekly unless ``frequency`` says monthly).

    Args:
        values: raw period column.
        column: its name.
        frequency: from the mapping, or None to infer.
        start: date of period 0 for integer periods, or None (then season = period % season length).
        checker: where problems go.

    Returns:
        Periods for every raw row.

    Raises:
        DataError: the frequency cannot be inferred, or no row has a valid date.
    """
    checker.flag(column, "missing value", values.isna().to_numpy(), values)
    if pd.api.types.is_datetime64_any_dtype(values):
        return _from_dates(values, column, frequency, checker)
    numbers = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_numeric_dtype(values) or numbers.notna().sum() * 2 > values.notna().sum():
        checker.flag(column, "not a number", (numbers.isna() & values.notna()).to_numpy(), values)
        return _from_integers(numbers.astype(np.float64), values, column, frequency, start, checker)
    return _from_dates(values, column, frequency, checker)
