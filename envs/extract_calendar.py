"""Write the replayed calendar of a Dominick's store x brand: ``python -m envs.extract_calendar``.

The file (``envs/calendars/dominicks_<store>_<brand>.csv``) holds, per week of the history:
``week`` (Dominick's week number), ``season`` (week of the year), the promotion flags ``deal``
and ``feat``, and the package prices ``price1..price11`` of the 11 brands (the own brand's
among them). Weeks missing from the history are filled: no promotion, prices carried forward.
The env replays it without needing the raw data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from demand_models.data import load_dominicks_oj
from demand_models.data.calendar import week_of_year
from demand_models.history import SalesHistory
from envs.calendar import shipped_calendar_path


def calendar_table(history: SalesHistory, store: int, brand: int) -> pd.DataFrame:
    """The weekly calendar of one series, gaps filled.

    Args:
        history: Dominick's orange juice history.
        store: the store number.
        brand: the brand number (1..11).

    Returns:
        One row per week from the series' first to last week.
    """
    frame = history.frame
    rows = frame[(frame["store"] == store) & (frame["brand"] == brand)].set_index("period").sort_index()
    if rows.empty:
        raise ValueError(f"no history for store {store}, brand {brand}")
    weeks = pd.RangeIndex(rows.index.min(), rows.index.max() + 1, name="week")
    rows = rows.reindex(weeks)
    table = pd.DataFrame(index=weeks)
    start = pd.DatetimeIndex(history.period_start + pd.to_timedelta(7 * weeks.to_numpy(), unit="D"))
    filled = rows["season"].fillna(pd.Series(week_of_year(start), index=weeks))
    table["season"] = filled.astype(int)
    for name in history.promo_columns:
        table[name] = rows[name].fillna(0.0)
    for name in history.competitor_columns:
        table[name] = rows[name].ffill().bfill().round(4)
    return table.reset_index()


def main(argv: list[str] | None = None) -> Path:
    """Parse arguments, write the calendar file and return its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=101)
    parser.add_argument("--brand", type=int, default=1)
    args = parser.parse_args(argv)
    path = shipped_calendar_path((args.store, args.brand))
    path.parent.mkdir(parents=True, exist_ok=True)
    calendar_table(load_dominicks_oj(), args.store, args.brand).to_csv(path, index=False)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
