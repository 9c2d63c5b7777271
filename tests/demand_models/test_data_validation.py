"""Every error kind names the file, the column, the first rows and the count; drop_invalid counts."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from demand_models.data import DataError, load_sales

GOOD = {
    "period": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"],
    "series": ["a", "a", "a", "a"],
    "price": ["1.0", "2.0", "3.0", "4.0"],
    "units": ["1", "2", "3", "4"],
    "deal": ["0", "1", "0", "1"],
}


def _write(tmp_path, **changes):
    """The good table as CSV with some cells replaced; ``changes`` maps column -> {row index: value}."""
    table = pd.DataFrame(GOOD)
    for column, cells in changes.items():
        for row, value in cells.items():
            table.loc[row, column] = value
    path = tmp_path / "sales.csv"
    table.to_csv(path, index=False)
    return path


def _error(path, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_sales(path, {"promo": ["deal"]}, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    ("column", "cells", "words", "rows"),
    [
        ("price", {1: "abc"}, "not a number", "2 ('abc')"),
        ("price", {2: "0", 3: "-1"}, "price <= 0", "3 (0.0), 4 (-1.0)"),
        ("units", {0: "-2"}, "negative value", "1 (-2)"),
        ("units", {3: None}, "missing value", "4 (nan)"),
        ("deal", {1: "2"}, "outside [0, 1]", "2 (2)"),
        ("period", {2: "someday"}, "not a date", "3 ('someday')"),
        ("series", {0: None}, "missing value", "1 (nan)"),
    ],
    ids=["non-numeric", "price<=0", "negative-units", "nan-units", "promo-range", "bad-date", "nan-key"],
)
def test_row_errors_name_file_column_rows_and_count(tmp_path, column, cells, words, rows):
    message = _error(_write(tmp_path, **{column: cells}))
    assert str(tmp_path / "sales.csv") in message
    assert f"column '{column}'" in message
    assert words in message
    assert f"First rows (value): {rows} (data rows counted from 1 after the header line" in message
    assert f"{len(cells)} of 4 rows" in message
    assert "drop_invalid=True" in message


def test_duplicated_series_period(tmp_path):
    message = _error(_write(tmp_path, period={2: "2024-01-08"}))
    assert "column 'series, period'" in message and "duplicated" in message
    assert (
        "2 of 4 rows" in message and "First rows (value): 2 ('a, 2024-01-08'), 3 ('a, 2024-01-08')" in message
    )


def test_missing_column(tmp_path):
    path = _write(tmp_path)
    with pytest.raises(DataError) as info:
        load_sales(path, {"price": "cost"})
    message = str(info.value)
    assert str(path) in message and "column 'cost' (role price) is missing" in message
    assert "none of the 4 rows" in message and "period, series, price, units, deal" in message


def test_parquet_rows_are_counted_from_one(tmp_path):
    path = tmp_path / "sales.parquet"
    table = pd.DataFrame(GOOD).astype({"price": float, "units": float, "deal": float})
    table.loc[2, "price"] = -5.0
    table.to_parquet(path)
    message = _error(path)
    assert (
        "column 'price'" in message
        and "1 of 4 rows" in message
        and "3 (-5.0) (rows counted from 1)" in message
    )


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.csv", b"", "the file is empty (0 bytes)"),
        ("blank.csv.gz", gzip.compress(b""), "the file is empty (no header line)"),
        ("header.csv", b"period,price,units\n", "header but no data rows"),
        ("corrupt.parquet", b"this is not parquet", "cannot be read as Parquet"),
        ("corrupt.csv.gz", b"not gzip at all", "cannot be read as CSV"),
        ("sales.xlsx", b"PK", "unsupported file type"),
    ],
    ids=["empty", "empty-gz", "header-only", "corrupt-parquet", "corrupt-gz", "wrong-format"],
)
def test_unreadable_files(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        load_sales(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_sales(tmp_path / "nothing.csv")


def test_drop_invalid_counts_each_row_once(tmp_path):
    path = _write(tmp_path, price={1: "abc", 2: "-1"}, units={2: "-3", 3: "-1"})
    h = load_sales(path, {"promo": ["deal"]}, drop_invalid=True)
    assert list(h.frame["period"]) == [0]
    assert h.dropped_rows == {"price: not a number": 1, "price: price <= 0": 1, "units: negative value": 1}


def test_drop_invalid_with_nothing_left(tmp_path):
    path = _write(tmp_path, price={0: "0", 1: "0", 2: "0", 3: "0"})
    with pytest.raises(DataError, match="no valid row left"):
        load_sales(path, drop_invalid=True)
