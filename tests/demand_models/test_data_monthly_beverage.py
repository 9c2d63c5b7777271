"""The stallion sample loads through the example mapping, with zero-price months unobserved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from demand_models.data import DataError, load_sales

MAPPING = Path(__file__).parents[2] / "demand_models" / "data" / "examples" / "monthly_beverage.yaml"
HOLIDAYS = (
    "easter_day",
    "good_friday",
    "new_year",
    "christmas",
    "labor_day",
    "independence_day",
    "revolution_day_memorial",
    "regional_games",
    "fifa_u_17_world_cup",
    "football_gold_cup",
    "beer_capital",
    "music_fest",
)


@pytest.fixture(scope="module")
def raw(stallion_dir: Path) -> pd.DataFrame:
    return pd.read_csv(stallion_dir / "stallion.csv.gz")


@pytest.mark.parametrize("file", ["stallion.csv.gz", "stallion.parquet"])
def test_loads_monthly_with_unobserved_months_dropped(raw, stallion_dir, file):
    h = load_sales(stallion_dir / file, MAPPING, drop_invalid=True)
    f = h.frame
    assert h.series_keys == ("agency", "sku") and f.groupby(["agency", "sku"]).ngroups == 350
    assert h.period_freq == "MS" and h.season_length == 12 and h.period_start == pd.Timestamp("2013-01-01")
    assert f["period"].nunique() == 60 and (f["period"].min(), f["period"].max()) == (0, 59)
    assert h.promo_columns == HOLIDAYS
    zero = int((raw["price_actual"] == 0).sum())
    assert zero == 2578
    assert h.dropped_rows == {
        "price_actual: price 0 = unobserved (zero_price: missing)": zero,
        "price_actual: price <= 0": 1,
    }
    assert len(f) == len(raw) - zero - 1 and (f["price"] > 0).all()
    observed = raw[raw["price_actual"] > 0].sort_values(["agency", "sku", "date"], ignore_index=True)
    pd.testing.assert_series_equal(f["price"], observed["price_actual"], check_names=False)
    pd.testing.assert_series_equal(f["units"], observed["volume"], check_names=False)
    pd.testing.assert_series_equal(f["christmas"], observed["christmas"].astype(float), check_names=False)
    assert list(f["season"]) == list(pd.to_datetime(observed["date"]).dt.month - 1)
    assert f["base_price"].isna().sum() == int(((observed["price_regular"]) == 0).sum())


def test_negative_price_row_is_reported(raw, stallion_dir):
    with pytest.raises(DataError) as info:
        load_sales(stallion_dir / "stallion.csv.gz", MAPPING)
    row = int((raw["price_actual"] < 0).to_numpy().argmax()) + 1
    assert "column 'price_actual': 1 of 21000 rows: price <= 0" in str(info.value)
    assert f"First rows (value): {row} (-3121.690141)" in str(info.value)
