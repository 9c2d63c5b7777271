"""A plain-text summary of a sales history: series, periods, prices, promotions, gaps."""

from __future__ import annotations

import pandas as pd

from demand_models.history import SalesHistory


def _date(history: SalesHistory, period: int) -> str:
    """Start date of a period."""
    offset = pd.tseries.frequencies.to_offset(history.period_freq)
    return str((history.period_start + period * offset).date())


def describe(history: SalesHistory) -> str:
    """Summarise a history for a person.

    Args:
        history: the table.

    Returns:
        Lines: rows and series, periods (first, last, count, frequency), price range, the share
        of rows with each promotion flag set and its mean, gaps (series with missing periods and
        the total of missing periods within each series' span), and dropped rows.
    """
    f = history.frame
    groups = f.groupby(list(history.series_keys), sort=False, observed=True)["period"]
    spans = groups.agg(["min", "max", "count"])
    missing = spans["max"] - spans["min"] + 1 - spans["count"]
    first, last = int(f["period"].min()), int(f["period"].max())
    freq = {12: "monthly", 52: "weekly"}.get(history.season_length, f"{history.season_length} per year")
    price, units = f["price"], f["units"]
    lines = [
        f"data set: {history.name}",
        f"rows: {len(f):,}",
        f"series: {len(spans):,} (keys: {', '.join(history.series_keys)})",
        f"periods: {first} ({_date(history, first)}) .. {last} ({_date(history, last)}), "
        f"{f['period'].nunique()} distinct, {freq} ({history.period_freq})",
        f"price: min {price.min():.4g}, median {price.median():.4g}, max {price.max():.4g}",
        f"units: total {units.sum():,.6g}, mean {units.mean():.4g} per row, zero {(units == 0).mean():.1%}",
        f"gaps: {int((missing > 0).sum()):,} of {len(spans):,} series miss periods, "
        f"{int(missing.sum()):,} missing in all",
    ]
    if history.promo_columns:
        lines.append("promotions (share of rows > 0, mean):")
        lines += [f"  {c}: {(f[c] > 0).mean():.1%}, {f[c].mean():.3f}" for c in history.promo_columns]
    else:
        lines.append("promotions: none")
    if history.competitor_columns:
        lines.append(f"competitor prices: {', '.join(history.competitor_columns)}")
    for column in ("base_price", "unit_cost"):
        if column in f:
            lines.append(f"{column}: present in {f[column].notna().mean():.1%} of rows")
    if history.dropped_rows:
        lines.append(f"dropped rows: {sum(history.dropped_rows.values()):,}")
        lines += [f"  {reason}: {n:,}" for reason, n in history.dropped_rows.items()]
    return "\n".join(lines)
