"""Dominick's orange juice: found the way CI finds it (``fetch`` once, then the normal lookup)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from demand_models.data import DataError, find_orange_juice_rda, load_dominicks_oj
from demand_models.data.dominicks import BRANDS, ENV_VAR

real_data = pytest.mark.skipif(
    os.environ.get("PRICING_RL_SKIP_REAL_DATA") == "1", reason="PRICING_RL_SKIP_REAL_DATA=1"
)


@pytest.fixture(scope="module")
def oj():
    """The full data set, loaded once per module (a missing file FAILS with the loader's message)."""
    return load_dominicks_oj()


@real_data
def test_counts(oj):
    f = oj.frame
    assert len(f) == 106_139
    assert f["store"].nunique() == 83
    assert f["brand"].nunique() == 11
    assert f["period"].nunique() == 121
    assert (f["period"].min(), f["period"].max()) == (40, 160)
    assert not f.duplicated(["store", "brand", "period"]).any()
    assert oj.series_keys == ("store", "brand")
    assert len(oj.extra) == 83 and "store" in oj.extra.columns


@real_data
def test_own_price_is_matching_price_column_per_package(oj):
    f = oj.frame
    rows = np.arange(len(f))
    competitor = f[list(oj.competitor_columns)].to_numpy()
    assert oj.competitor_columns == tuple(f"price{b}" for b in range(1, 12))
    np.testing.assert_array_equal(f[oj.own_price_column].to_numpy(), f["brand"].to_numpy() - 1)
    np.testing.assert_allclose(competitor[rows, f[oj.own_price_column].to_numpy()], f["price"].to_numpy())
    size = f["brand"].map({b: s for b, (_, s) in BRANDS.items()}).to_numpy()
    np.testing.assert_array_equal(size, f["size_oz"].to_numpy())
    first = f.iloc[0]
    assert (first["store"], first["brand"], first["period"]) == (2, 1, 40)
    assert first["price"] == pytest.approx(0.06046875 * 64)


@pytest.fixture(scope="module")
def raw_yx():
    """Bayesm's ``yx`` table read straight from the ``.rda`` (not through the loader), sorted like it."""
    import rdata

    yx = rdata.read_rda(find_orange_juice_rda())["orangeJuice"]["yx"]
    return yx.astype({"store": np.int64, "brand": np.int64, "week": np.int64}).sort_values(
        ["store", "brand", "week"], ignore_index=True
    )


@real_data
def test_loader_matches_the_raw_table(oj, raw_yx):
    f = oj.frame
    np.testing.assert_array_equal(f[["store", "brand", "period"]].to_numpy(), raw_yx[["store", "brand", "week"]])
    size = raw_yx["brand"].map({b: s for b, (_, s) in BRANDS.items()}).to_numpy()
    packages = np.exp(raw_yx["logmove"].to_numpy()) / size
    np.testing.assert_allclose(packages, np.round(packages), rtol=1e-8)  # ounces are whole packages
    np.testing.assert_allclose(f["units"], packages, rtol=1e-8)
    own = raw_yx[[f"price{b}" for b in range(1, 12)]].to_numpy()[np.arange(len(f)), raw_yx["brand"] - 1]
    np.testing.assert_allclose(f["price"], own * size)  # per ounce x ounces = per package
    np.testing.assert_allclose(f["unit_cost"], f["price"] * (1 - raw_yx["profit"] / 100))


@real_data
def test_units_are_whole_packages_and_values_in_range(oj):
    f = oj.frame
    np.testing.assert_array_equal(f["units"], np.round(f["units"]))
    assert f["units"].min() >= 1
    assert (f["price"] > 0).all()
    assert set(f["deal"].unique()) <= {0.0, 1.0}
    assert f["feat"].between(0, 1).all()
    assert (f["unit_cost"] > 0).all() and (f["unit_cost"] <= f["price"]).all()
    assert f["season"].between(0, 51).all()
    assert oj.period_start.day_name() == "Thursday"


def test_explicit_missing_path_names_it(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        find_orange_juice_rda(tmp_path / "nothing.rda")


def test_not_found_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PRICING_RL_CACHE", str(tmp_path))
    monkeypatch.setattr("demand_models.data.dominicks._library_dirs", lambda: [tmp_path])
    with pytest.raises(DataError, match="python -m demand_models.data fetch dominicks-oj"):
        find_orange_juice_rda()


@real_data
def test_env_var_is_used(monkeypatch):
    found = find_orange_juice_rda()
    monkeypatch.setenv(ENV_VAR, str(found))
    assert find_orange_juice_rda() == found
