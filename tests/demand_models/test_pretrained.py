"""The shipped Dominick's model: loads without the data, is small, and is reproduced by retraining."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from demand_models.base import DemandModel
from demand_models.persistence import PRETRAINED_DIR, load_pretrained

SHIPPED = PRETRAINED_DIR / "dominicks-oj"


def test_shipped_directory_is_complete_and_small():
    names = {path.name for path in SHIPPED.iterdir()}
    assert {"neural.npz", "neural.json", "regression.npz", "regression.json"} <= names
    assert {"model_card.json", "model_card.md", "series_profiles.csv"} <= names
    assert sum(path.stat().st_size for path in SHIPPED.iterdir()) < 2_000_000
    profiles = pd.read_csv(SHIPPED / "series_profiles.csv")
    assert len(profiles) == 913
    assert (profiles["price_min"] <= profiles["reference_price"]).all()
    assert (profiles["reference_price"] <= profiles["price_max"]).all()


def test_shipped_card_meets_the_quality_bar():
    card = json.loads((SHIPPED / "model_card.json").read_text())
    neural, regression = card["neural"], card["regression"]
    assert neural["test_wmape"] <= 1.02 * regression["test_wmape"]
    assert neural["test_nll"] < regression["test_nll"]
    assert neural["monotone_share"] == 1.0
    assert 0.87 <= neural["interval_coverage_90"] <= 0.93
    assert all(-6 <= e["median"] <= -0.5 for e in neural["elasticity"].values())
    assert len(neural["elasticity"]) == 11


@pytest.mark.parametrize("kind", ["neural", "regression"])
def test_pretrained_binds_to_a_store_and_brand(kind):
    bound = load_pretrained(kind=kind).bind((2, 5))
    assert isinstance(bound, DemandModel)
    assert bound.feature_names[:3] == ("deal", "feat", "season")
    assert "price5" not in bound.feature_names and len(bound.feature_names) == 13
    price = np.linspace(*bound.price_range, 20)
    demand = bound.expected_demand(price, np.tile(bound.typical_features, (20, 1)))
    assert np.all(np.diff(demand) <= 0) and np.all(demand > 0)
    assert 0 < bound.unit_cost < bound.reference_price


@pytest.mark.slow
def test_numpy_inference_speed():
    """A guard against slow paths (e.g. a non-BLAS matmul), loose enough for a loaded 2-core machine."""
    bound = load_pretrained().bind((2, 5))
    for batch, limit in ((1, 100e-6), (1024, 50e-3)):
        price = np.full(batch, bound.reference_price)
        features = np.tile(bound.typical_features, (batch, 1))
        features[:, 2] = np.arange(batch) % 52
        bound.log_params(price, features)
        repeats = 20_000 if batch == 1 else 200
        start = time.perf_counter()
        for _ in range(repeats):
            bound.log_params(price, features)
        seconds = (time.perf_counter() - start) / repeats
        print(f"batch {batch}: {seconds * 1e6:.1f} us per call")
        assert seconds < limit, batch


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_card(tmp_path):
    from demand_models.data import load_dominicks_oj
    from demand_models.train import train

    shipped = json.loads((SHIPPED / "model_card.json").read_text())
    card = train(load_dominicks_oj(), tmp_path, progress=False)
    assert card["split"] == shipped["split"]
    for kind in ("neural", "regression"):
        for name in ("test_wmape", "test_mape", "test_log_r2", "interval_coverage_90"):
            assert card[kind][name] == pytest.approx(shipped[kind][name], abs=0.01), (kind, name)
        assert card[kind]["test_nll"] == pytest.approx(shipped[kind]["test_nll"], abs=0.02), kind
        assert card[kind]["test_mae"] == pytest.approx(shipped[kind]["test_mae"], rel=0.03), kind
        assert card[kind]["monotone_share"] == pytest.approx(shipped[kind]["monotone_share"], abs=1e-9)
        for brand, stats in shipped[kind]["elasticity"].items():
            assert card[kind]["elasticity"][brand]["median"] == pytest.approx(stats["median"], abs=0.25), (
                brand
            )
    assert card["neural"]["training_seconds"] < 300
