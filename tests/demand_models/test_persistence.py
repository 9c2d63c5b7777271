"""Saving and loading models: identical predictions, and clear errors on damaged files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from demand_models.data import time_split
from demand_models.neural import fit_neural
from demand_models.neural_model import NeuralConfig
from demand_models.parametric import ConstantElasticityDemand
from demand_models.persistence import load_model, load_pretrained, save_model
from demand_models.regression import fit_regression
from demand_models.synthetic import simulate_history

TINY = NeuralConfig(hidden=8, embedding=2, batch_size=256, max_epochs=2, threads=1, members=2)


@pytest.fixture(scope="module")
def history():
    return simulate_history(ConstantElasticityDemand(season_amplitude=0.2), n_periods=60, seed=2)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, history):
    split = time_split(history, val_fraction=0.2, test_fraction=0.1)
    directory = tmp_path_factory.mktemp("model")
    models = {
        "neural": fit_neural(split.train, split.val, TINY, seed=0, progress=False),
        "regression": fit_regression(split.train, split.val),
    }
    for model in models.values():
        save_model(model, directory)
    return directory, models


@pytest.mark.parametrize("kind", ["neural", "regression"])
def test_round_trip_gives_identical_predictions(saved, history, kind):
    directory, models = saved
    loaded = load_model(directory, kind)
    np.testing.assert_array_equal(loaded.log_params(history)[0], models[kind].log_params(history)[0])
    np.testing.assert_array_equal(loaded.log_params(history)[1], models[kind].log_params(history)[1])
    bound, original = loaded.bind((3, 2)), models[kind].bind((3, 2))
    price = np.linspace(0.5, 2.0, 7)
    features = np.tile(bound.typical_features, (7, 1))
    np.testing.assert_array_equal(
        bound.expected_demand(price, features), original.expected_demand(price, features)
    )
    assert loaded.spec == models[kind].spec


@pytest.mark.parametrize("kind", ["neural", "regression"])
def test_corrupted_arrays_file_names_the_file(saved, tmp_path, kind):
    directory = tmp_path / "copy"
    shutil.copytree(saved[0], directory)
    path = directory / f"{kind}.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{kind}.npz.*corrupt or mismatched"):
        load_model(directory, kind)
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=f"{kind}.npz"):
        load_model(directory, kind)


def test_mismatched_or_broken_sidecar_names_the_file(saved, tmp_path):
    directory = tmp_path / "copy"
    shutil.copytree(saved[0], directory)
    sidecar = directory / "neural.json"
    shutil.copy(directory / "regression.npz", directory / "neural.npz")
    with pytest.raises(ValueError, match="neural.npz.*SHA-256"):
        load_model(directory, "neural")
    sidecar.write_text("{ truncated")
    with pytest.raises(ValueError, match="neural.json.*not valid JSON"):
        load_model(directory, "neural")
    sidecar.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="neural.json"):
        load_model(directory, "neural")
    good = json.loads((saved[0] / "neural.json").read_text())
    for key, value in (("sha256", None), ("arrays", None), ("shapes", [1])):
        sidecar.write_text(json.dumps({**good, key: value}))
        with pytest.raises(ValueError, match=f"neural.json: incomplete model sidecar, '{key}'"):
            load_model(directory, "neural")
    with pytest.raises(ValueError, match="no neural model sidecar"):
        load_model(tmp_path / "empty", "neural")


def test_sidecar_that_does_not_fit_the_weights_is_refused(saved, tmp_path):
    directory = tmp_path / "copy"
    shutil.copytree(saved[0], directory)
    sidecar = directory / "neural.json"
    meta = json.loads(sidecar.read_text())
    meta["config"]["hidden"] = 16
    sidecar.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="neural.npz.*do not fit the architecture"):
        load_model(directory, "neural")


def test_loading_never_unpickles(saved, tmp_path):
    directory = tmp_path / "copy"
    shutil.copytree(saved[0], directory)
    path = directory / "regression.npz"
    np.savez(path, coef=np.array([object()], dtype=object))
    meta = json.loads((directory / "regression.json").read_text())
    import hashlib

    meta["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    meta["shapes"] = {"coef": [1]}
    (directory / "regression.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="regression.npz.*unreadable"):
        load_model(directory, "regression")


def test_unknown_pretrained_name_lists_available():
    with pytest.raises(ValueError, match="no pretrained model 'nope'"):
        load_pretrained("nope")
