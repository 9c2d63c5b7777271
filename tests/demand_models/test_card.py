"""Model card: required fields, monotonicity check, Markdown, and the train command end to end."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demand_models.card import build_card, card_markdown, monotone_share
from demand_models.data import time_split
from demand_models.features import encode
from demand_models.neural_model import NeuralConfig
from demand_models.parametric import ConstantElasticityDemand
from demand_models.persistence import load_model
from demand_models.regression import fit_regression
from demand_models.synthetic import simulate_history
from demand_models.train import seen_series_only, train

REPO = Path(__file__).resolve().parents[2]
TINY = NeuralConfig(hidden=8, embedding=2, batch_size=256, max_epochs=3, threads=1, members=2)
MODEL_FIELDS = {
    "test_wmape",
    "test_mape",
    "test_mae",
    "test_log_r2",
    "test_nll",
    "interval_coverage_90",
    "elasticity",
    "monotone_share",
    "training_seconds",
}


@pytest.fixture(scope="module")
def history():
    return simulate_history(ConstantElasticityDemand(season_amplitude=0.2), n_periods=80, seed=4)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, history):
    out = tmp_path_factory.mktemp("trained")
    return out, train(history, out, neural_config=TINY, progress=False)


def test_train_writes_models_card_and_profiles(trained):
    out, card = trained
    for name in ("neural.npz", "neural.json", "regression.npz", "regression.json", "model_card.md"):
        assert (out / name).is_file(), name
    assert json.loads((out / "model_card.json").read_text()) == card
    profiles = pd.read_csv(out / "series_profiles.csv")
    assert len(profiles) == 12
    assert {
        "store",
        "product",
        "reference_price",
        "price_min",
        "price_max",
        "unit_cost",
        "mean_units",
    } <= set(profiles.columns)
    bound = load_model(out).bind((0, 0))
    assert bound.price_range[0] <= bound.reference_price <= bound.price_range[1]


def test_card_has_the_required_fields(trained, history):
    card = trained[1]
    assert card["dataset"] == "simulated"
    assert card["split"] == time_split(history).periods
    for kind in ("neural", "regression"):
        assert MODEL_FIELDS <= set(card[kind]), kind
        assert set(card[kind]["elasticity"]) == {"0", "1", "2"}
        for stats in card[kind]["elasticity"].values():
            assert stats["p10"] <= stats["median"] <= stats["p90"] < 0
        assert 0.0 < card[kind]["interval_coverage_90"] <= 1.0
    assert card["neural"]["monotone_share"] == 1.0
    markdown = card_markdown(card)
    assert "| test_wmape |" in markdown and "| interval_coverage_90 |" in markdown
    assert markdown.count("\n| 1 |") == 1


def test_monotone_share_catches_a_rising_demand_curve(history):
    split = time_split(history)
    model = fit_regression(split.train, split.val)
    coef = model.coef.copy()
    coef[0, 0] = 0.5  # product 0: demand rises with its price
    rising = dataclasses.replace(model, coef=coef)
    inputs = encode(model.spec, split.test)
    assert monotone_share(model, inputs) == 1.0
    assert monotone_share(rising, inputs) == pytest.approx(8 / 12)


def test_build_card_is_json_serialisable(trained, history):
    out, _ = trained
    split = time_split(history)
    card = build_card(
        "x",
        split.periods,
        split.test,
        load_model(out),
        load_model(out, "regression"),
        {"neural": 1, "regression": 2},
    )
    assert json.loads(json.dumps(card))["regression"]["training_seconds"] == 2
    assert np.isfinite(card["neural"]["test_nll"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "required"),
        (["--dataset", "dominicks-oj"], "--out"),
        (["--dataset", "no-such-set", "--out", "x"], "no-such-set"),
        (["--data", "sales.csv", "--out", "x"], "sales.csv"),
        (["--dataset", "dominicks-oj", "--map", "m.yaml", "--out", "x"], "--map"),
        (
            ["--data", "missing.csv", "--map", "demand_models/data/examples/monthly_beverage.yaml", "--out", "x"],
            "missing.csv",
        ),
        (["--data", "missing.csv", "--map", "m.yaml", "--out", "x"], "m.yaml"),
    ],
    ids=[
        "no-args",
        "no-out",
        "unknown-dataset",
        "data-without-map-missing-file",
        "map-with-dataset",
        "missing-file",
        "missing-map",
    ],
)
def test_cli_bad_arguments_exit_2_without_traceback(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "demand_models.train", *args], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_series_that_start_after_training_are_left_out_of_evaluation(history):
    split = time_split(history)
    late = split.test.frame.assign(store=split.test.frame["store"].where(split.test.frame["store"] != 3, 99))
    kept, left_out = seen_series_only(dataclasses.replace(split.test, frame=late), split.train)
    assert left_out == int((late["store"] == 99).sum()) > 0
    assert len(kept.frame) == len(late) - left_out


def test_no_validation_rows_of_trained_series_is_a_clear_error(history, tmp_path):
    split = time_split(history)
    late = history.frame["period"] > split.periods["train"][1]
    renamed = history.frame.assign(store=history.frame["store"].where(~late, history.frame["store"] + 100))
    with pytest.raises(ValueError, match="no validation rows of a series that also has training rows"):
        train(dataclasses.replace(history, frame=renamed), tmp_path / "out", neural_config=TINY, progress=False)
    assert not (tmp_path / "out").exists()  # nothing half-written
