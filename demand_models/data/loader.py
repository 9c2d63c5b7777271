"""Loading a user's sales history (CSV or Parquet plus a column mapping) into a SalesHistory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from demand_models.data.dominicks import NAME as DOMINICKS_NAME
from demand_models.data.dominicks import load_dominicks_oj
from demand_models.data.errors import DataError
from demand_models.data.mapping import ColumnMapping, as_mapping
from demand_models.data.periods import parse_periods
from demand_models.data.table import read_table
from demand_models.data.validation import RowChecker, numeric
from demand_models.history import SalesHistory

MappingLike = ColumnMapping | Mapping[str, Any] | str | Path | None
DATASETS = (DOMINICKS_NAME,)


def _check_columns(raw: pd.DataFrame, mapping: ColumnMapping, path: Path) -> None:
    """Raise on the first mapped column the file lacks."""
    for column, role in mapping.roles().items():
        if column not in raw.columns:
            raise DataError(
                f"{path}: column {column!r} (role {role}) is missing, so none of the {len(raw)} rows can be "
                f"read. The file's columns: {', '.join(map(str, raw.columns))}. Name the column of this "
                f"role in the mapping (YAML: '{role}: <your column>')."
            )


def _number(
    raw: pd.DataFrame,
    column: str,
    checker: RowChecker,
    mapping: ColumnMapping,
    *,
    required: bool,
    rule: str | None = None,
) -> pd.Series:
    """A numeric column, with missing, infinite and rule-breaking values flagged.

    ``rule`` is one of ``"price"`` (> 0; a 0 becomes NaN when ``zero_price: missing``),
    ``"nonnegative"`` or ``"fraction"`` (in [0, 1]).
    """
    values = raw[column]
    x = numeric(values, column, checker)
    if rule == "price" and mapping.zero_price == "missing":
        x = x.mask(x == 0)
    if required:
        checker.flag(column, "missing value", (x.isna() & values.notna() & (values != 0)).to_numpy(), values)
        checker.flag(column, "missing value", values.isna().to_numpy(), values)
    checker.flag(column, "infinite value", np.isinf(x).to_numpy(), values)
    bad = {
        "price": (x <= 0, "price <= 0"),
        "nonnegative": (x < 0, "negative value"),
        "fraction": ((x < 0) | (x > 1), "promotion value outside [0, 1]"),
    }.get(rule or "")
    if bad is not None:
        checker.flag(column, bad[1], bad[0].to_numpy(), values)
    return x


def _keys(raw: pd.DataFrame, keys: tuple[str, ...], checker: RowChecker) -> dict[str, pd.Series]:
    out = {}
    for key in keys:
        values = raw[key]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(values.cat.categories.dtype)
        checker.flag(key, "missing value", values.isna().to_numpy(), values)
        out[key] = values
    return out


def load_sales(
    path: str | Path, mapping: MappingLike = None, *, drop_invalid: bool = False, name: str | None = None
) -> SalesHistory:
    """Load a sales history file into the project's long format.

    Args:
        path: a CSV (``.csv``, also compressed, e.g. ``.csv.gz``) or Parquet file, one row per
            series per period.
        mapping: the user's column for each role: a :class:`ColumnMapping`, a dict of the same
            keys, the path of a YAML file, or None (columns named after the roles).
        drop_invalid: drop invalid rows (counted in ``dropped_rows``) instead of raising.
        name: data set name; the file name by default.

    Returns:
        The validated history, sorted by series and period. Without series key columns the
        file is one series, keyed by a ``series`` column holding ``name``.

    Raises:
        DataError: the file cannot be read, a mapped column is missing, or (without
            ``drop_invalid``) a row is invalid; the message names the file, the column, the first
            rows and how many rows are affected.
    """
    path = Path(path)
    mapping = as_mapping(mapping)
    raw = read_table(path)
    mapping = mapping.resolve(raw.columns)
    _check_columns(raw, mapping, path)
    name = name or path.name
    checker = RowChecker(path, len(raw))

    price = numeric(raw[mapping.price], mapping.price, checker)
    if mapping.zero_price == "missing":
        checker.mark_unobserved(
            mapping.price,
            "price 0 = unobserved (zero_price: missing)",
            (price == 0).to_numpy(),
            raw[mapping.price],
        )
    periods = parse_periods(raw[mapping.period], mapping.period, mapping.frequency, mapping.start, checker)
    keys = _keys(raw, mapping.series, checker)
    columns = {"price": _number(raw, mapping.price, checker, mapping, required=True, rule="price")}
    if mapping.log_units is not None:
        columns["units"] = np.exp(_number(raw, mapping.log_units, checker, mapping, required=True))
    else:
        columns["units"] = _number(raw, mapping.units, checker, mapping, required=True, rule="nonnegative")
    for column in mapping.promo:
        columns[column] = _number(raw, column, checker, mapping, required=True, rule="fraction")
    if mapping.base_price is not None:
        columns["base_price"] = _number(
            raw, mapping.base_price, checker, mapping, required=False, rule="price"
        )
    if mapping.unit_cost is not None:
        columns["unit_cost"] = _number(
            raw, mapping.unit_cost, checker, mapping, required=False, rule="nonnegative"
        )
    for column in mapping.competitor_prices:
        columns[column] = _number(raw, column, checker, mapping, required=False, rule="price")

    key_frame = pd.DataFrame(keys) if keys else pd.DataFrame({"series": [name] * len(raw)})
    key_frame["period"] = periods.period
    ok = checker.ok
    duplicated = np.zeros(len(raw), dtype=bool)
    duplicated[ok] = key_frame[ok].duplicated(keep=False).to_numpy()
    if duplicated.any():
        label = ", ".join([*mapping.series, mapping.period])
        values = raw[[*mapping.series, mapping.period]].astype(str).agg(", ".join, axis=1)
        checker.flag(label, "duplicated: the same series and period as another row", duplicated, values)
    keep, dropped = checker.finish(drop_invalid)
    if not keep.any():
        raise DataError(f"{path}: no valid row left after dropping {sum(dropped.values())} rows: {dropped}.")

    frame = key_frame[keep].assign(season=periods.season[keep])
    for column, values in columns.items():
        frame[column] = values[keep].to_numpy(np.float64)
    series_keys = tuple(mapping.series) or ("series",)
    return SalesHistory(
        frame=frame.sort_values([*series_keys, "period"], ignore_index=True),
        name=name,
        series_keys=series_keys,
        promo_columns=mapping.promo,
        competitor_columns=mapping.competitor_prices,
        season_length=periods.season_length,
        period_start=periods.period_start,
        period_freq=periods.period_freq,
        dropped_rows=dropped,
    )


def load_dataset(spec: str | Path, mapping: MappingLike = None, drop_invalid: bool = False) -> SalesHistory:
    """Load a named data set (``dominicks-oj``) or a file.

    Args:
        spec: a data set name or a file path.
        mapping: column mapping for a file (see :func:`load_sales`); not allowed with a name.
        drop_invalid: drop invalid rows of a file instead of raising.

    Returns:
        The history.

    Raises:
        DataError: an unknown name, a mapping given with a named data set, or a file error.
    """
    if str(spec) == DOMINICKS_NAME:
        if mapping is not None:
            raise DataError(f"{DOMINICKS_NAME} is a named data set: it takes no column mapping.")
        return load_dominicks_oj()
    path = Path(spec)
    if not path.exists() and not path.suffix:
        raise DataError(f"{spec}: no such file, and not a named data set ({', '.join(DATASETS)}).")
    return load_sales(path, mapping, drop_invalid=drop_invalid)
