"""Sales history in the project's long format, the input of every demand model."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class SalesHistory:
    """A validated long table: one row per series per period.

    ``frame`` holds the series key columns (``series_keys``) and these canonical columns:

    * ``period``: int64, consecutive periods (a gap in a series is a missing row);
    * ``season``: int64 in ``[0, season_length)``, the position in the year;
    * ``price``: float64 > 0, price per unit actually charged;
    * ``units``: float64 >= 0, units sold (whole units for count data);
    * each column in ``promo_columns``: float64 in [0, 1];
    * optional ``base_price`` and ``unit_cost`` (float64);
    * each column in ``competitor_columns``: float64 > 0 or NaN, a competitor's price. For
      data where one column per product holds that product's price (Dominick's
      ``price1..price11``), the row's own product is among them: then the frame column
      named by ``own_price_column`` holds, per row, the 0-based index into
      ``competitor_columns`` of the row's own price (None when not applicable).

    Attributes:
        name: data set name (``dominicks-oj`` or the file name).
        season_length: periods per year (52 weekly, 12 monthly).
        period_start: start date of period 0 (``period`` p starts at
            ``period_start + p * period_freq``).
        period_freq: pandas offset alias of one period: ``"MS"``, or a weekly alias anchored on
            ``period_start``'s weekday (``"W-THU"`` for Dominick's), so that adding
            ``p * pandas.tseries.frequencies.to_offset(period_freq)`` lands on a period start.
        extra: series-level descriptors (e.g. store demographics) keyed by series key columns,
            or None.
        dropped_rows: rows of the source left out of ``frame``, as ``"column: reason" -> count``
            (each row counted once): rows the mapping declares unobserved (e.g. a price of 0 with
            ``zero_price: missing``) and, when loaded with ``drop_invalid=True``, invalid rows.
    """

    frame: pd.DataFrame
    name: str
    series_keys: tuple[str, ...]
    promo_columns: tuple[str, ...]
    competitor_columns: tuple[str, ...]
    season_length: int
    period_start: pd.Timestamp
    period_freq: str
    own_price_column: str | None = None
    extra: pd.DataFrame | None = None
    dropped_rows: dict[str, int] = field(default_factory=dict)
