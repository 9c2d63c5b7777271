"""load_sales on small tables with known values, in CSV and Parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demand_models.data import ColumnMapping, DataError, load_dataset, load_sales


def _weekly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "week_start": ["2024-01-04", "2024-01-11", "2024-01-25", "2024-01-04", "2024-01-11"],
            "shop": ["a", "a", "a", "b", "b"],
            "sku": [1, 1, 1, 1, 1],
            "p": [2.0, 1.5, 2.0, 3.0, 2.5],
            "qty": [10, 14, 9, 5, 0],
            "promo": [0, 1, 0, 0, 0.5],
            "cost": [1.0, 1.0, 1.0, 2.0, 2.0],
        }
    )


MAPPING = {
    "period": "week_start",
    "series": ["shop", "sku"],
    "price": "p",
    "units": "qty",
    "promo": ["promo"],
    "unit_cost": "cost",
}


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_known_values(tmp_path, suffix):
    path = tmp_path / f"sales{suffix}"
    table = _weekly()
    if suffix == ".parquet":
        table.to_parquet(path)
    else:
        table.to_csv(path, index=False)
    h = load_sales(path, MAPPING)
    f = h.frame
    assert h.name == f"sales{suffix}"
    assert h.series_keys == ("shop", "sku") and h.promo_columns == ("promo",) and h.competitor_columns == ()
    assert list(f["shop"]) == ["a", "a", "a", "b", "b"]
    assert list(f["period"]) == [0, 1, 3, 0, 1]
    assert h.period_start == pd.Timestamp("2024-01-04") and h.period_freq == "W-THU"
    assert h.season_length == 52 and list(f["season"]) == [0, 1, 3, 0, 1]
    np.testing.assert_array_equal(f["price"], [2.0, 1.5, 2.0, 3.0, 2.5])
    np.testing.assert_array_equal(f["units"], [10, 14, 9, 5, 0])
    np.testing.assert_array_equal(f["promo"], [0, 1, 0, 0, 0.5])
    np.testing.assert_array_equal(f["unit_cost"], [1, 1, 1, 2, 2])
    assert f["price"].dtype == np.float64 and f["period"].dtype == np.int64
    assert h.dropped_rows == {}


def test_role_names_without_mapping_and_monthly_inference(tmp_path):
    path = tmp_path / "plain.csv"
    pd.DataFrame(
        {
            "period": ["2020-11-01", "2020-12-01", "2021-01-01"],
            "price": [1.0, 2.0, 3.0],
            "units": [1, 2, 3],
            "base_price": [3.0, 3.0, 3.0],
        }
    ).to_csv(path, index=False)
    h = load_sales(path)
    assert h.series_keys == ("series",) and set(h.frame["series"]) == {"plain.csv"}
    assert h.period_freq == "MS" and h.season_length == 12
    assert list(h.frame["period"]) == [0, 1, 2] and list(h.frame["season"]) == [10, 11, 0]
    assert list(h.frame["base_price"]) == [3.0, 3.0, 3.0]


def test_integer_periods_log_units_and_yaml(tmp_path):
    path = tmp_path / "int.csv"
    pd.DataFrame(
        {
            "t": [5, 6, 7],
            "s": ["x"] * 3,
            "price": [1.0, 1.0, 2.0],
            "lu": np.log([4.0, 8.0, 2.0]),
            "comp": [1.1, None, 0.9],
        }
    ).to_csv(path, index=False)
    yaml_path = tmp_path / "map.yaml"
    yaml_path.write_text(
        "period: t\nseries: s\nlog_units: lu\ncompetitor_prices: [comp]\nfrequency: monthly\n"
        "start: 2023-03-01\n"
    )
    h = load_sales(path, str(yaml_path))
    np.testing.assert_allclose(h.frame["units"], [4, 8, 2])
    assert list(h.frame["period"]) == [5, 6, 7]
    assert list(h.frame["season"]) == [7, 8, 9]
    assert h.period_start == pd.Timestamp("2023-03-01")
    assert h.frame["comp"].isna().tolist() == [False, True, False]


def test_zero_price_missing_drops_rows_as_unobserved(tmp_path):
    path = tmp_path / "z.csv"
    pd.DataFrame(
        {
            "period": [1, 2, 3, 4],
            "price": [1.0, 0.0, 2.0, 0.0],
            "units": [3, 0, 2, None],
            "base_price": [2.0, 0.0, 2.0, 2.0],
        }
    ).to_csv(path, index=False)
    with pytest.raises(DataError, match="'price'"):
        load_sales(path)
    h = load_sales(path, ColumnMapping(zero_price="missing"))
    assert list(h.frame["period"]) == [1, 3]
    assert (h.frame["price"] > 0).all()
    assert h.dropped_rows == {"price: price 0 = unobserved (zero_price: missing)": 2}


def test_load_dataset_file_and_unknown_name(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"period": [1], "price": [1.0], "units": [1]}).to_csv(path, index=False)
    assert len(load_dataset(str(path)).frame) == 1
    with pytest.raises(DataError, match="not a named data set"):
        load_dataset("no-such-data")
    with pytest.raises(DataError, match="takes no column mapping"):
        load_dataset("dominicks-oj", mapping={"price": "p"})


def test_bad_mapping_keys_are_named(tmp_path):
    with pytest.raises(DataError, match="unknown key.*prices"):
        ColumnMapping.from_dict({"prices": "p"})
    with pytest.raises(DataError, match="frequency must be one of weekly, monthly"):
        ColumnMapping(frequency="daily")
    with pytest.raises(DataError, match="not both"):
        ColumnMapping(units="u", log_units="lu")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"price": ["a", "b"]}, "price must be one column name, not \\['a', 'b'\\]"),
        ({"promo": 5}, "promo must be a column name or a list of column names, not 5"),
        ({"period": None}, "period must be one column name, not None"),
        ({"series": ["store", 3]}, "series must be a column name or a list"),
    ],
    ids=["price-list", "promo-number", "period-null", "series-number"],
)
def test_bad_mapping_values_are_named(data, message):
    with pytest.raises(DataError, match=f"^src: {message}"):
        ColumnMapping.from_dict(data, source="src")
