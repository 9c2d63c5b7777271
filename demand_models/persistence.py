"""Save and load fitted demand models: arrays in ``.npz`` plus a JSON sidecar, never a pickle.

A model directory holds ``neural.npz`` + ``neural.json`` and/or ``regression.npz`` +
``regression.json``. The sidecar records the format, the options, the feature encoding and the
SHA-256 of the arrays file; loading reads arrays with ``allow_pickle=False`` and checks the
digest and every array's shape, so a corrupt, truncated or mismatched file raises a
`ValueError` that names it. Nothing here imports torch.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import numpy as np

from demand_models.atomic import write_atomic, write_text_atomic
from demand_models.features import FeatureSpec
from demand_models.neural_model import NeuralConfig, NeuralDemandModel
from demand_models.regression import RegressionConfig, RegressionDemandModel

FORMAT = "pricing-rl/demand-model"
VERSION = 1
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"

ModelKind = Literal["neural", "regression"]
FittedModel = NeuralDemandModel | RegressionDemandModel


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kind(model: FittedModel) -> ModelKind:
    return "neural" if isinstance(model, NeuralDemandModel) else "regression"


def _arrays(model: FittedModel) -> dict[str, np.ndarray]:
    if isinstance(model, NeuralDemandModel):
        return {
            f"member{k}.{name}": value
            for k, state in enumerate(model.states)
            for name, value in state.items()
        }
    return {"coef": model.coef, "series_group": model.series_group, "alpha": model.alpha}


def _meta(model: FittedModel) -> dict:
    if isinstance(model, NeuralDemandModel):
        return {
            "config": asdict(model.config),
            "sigma_scale": model.sigma_scale,
            "seeds": list(model.seeds),
            "epochs": list(model.epochs),
        }
    return {"config": asdict(model.config), "sigma": model.sigma}


def _savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as file:  # a file object: np.savez would append ".npz" to a path
        np.savez(file, **arrays)


def save_model(model: FittedModel, directory: str | Path) -> tuple[Path, Path]:
    """Write ``<kind>.npz`` and ``<kind>.json`` into ``directory`` (created if needed).

    Args:
        model: a fitted neural or regression model.
        directory: the model directory.

    Returns:
        The arrays file and the sidecar.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    kind = _kind(model)
    arrays_path, sidecar_path = directory / f"{kind}.npz", directory / f"{kind}.json"
    arrays = _arrays(model)
    write_atomic(arrays_path, lambda tmp: _savez(tmp, arrays))
    sidecar = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "arrays": arrays_path.name,
        "sha256": _digest(arrays_path),
        "shapes": {name: list(value.shape) for name, value in arrays.items()},
        **_meta(model),
        "spec": model.spec.to_dict(),
    }
    write_text_atomic(sidecar_path, json.dumps(sidecar, indent=1) + "\n")
    return arrays_path, sidecar_path


def _read_sidecar(path: Path, kind: ModelKind) -> dict:
    try:
        sidecar = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: no {kind} model sidecar here") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: corrupt model sidecar, not valid JSON ({error})") from None
    if not isinstance(sidecar, dict) or sidecar.get("format") != FORMAT or sidecar.get("kind") != kind:
        raise ValueError(f"{path}: not a {kind} sidecar of format {FORMAT!r}")
    if sidecar.get("version") != VERSION:
        raise ValueError(f"{path}: format version {sidecar.get('version')!r}, this code reads {VERSION}")
    for key, kind_of in (("arrays", str), ("sha256", str), ("shapes", dict)):
        if not isinstance(sidecar.get(key), kind_of):
            raise ValueError(f"{path}: incomplete model sidecar, '{key}' must be a {kind_of.__name__}")
    return sidecar


def _read_arrays(path: Path, sidecar: dict, sidecar_path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ValueError(f"{path}: model arrays file missing (named by {sidecar_path})")
    if _digest(path) != sidecar["sha256"]:
        raise ValueError(
            f"{path}: corrupt or mismatched arrays file, its SHA-256 differs from {sidecar_path}"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValueError(f"{path}: unreadable model arrays file ({error})") from None
    shapes = {name: list(value.shape) for name, value in arrays.items()}
    if shapes != sidecar["shapes"]:
        raise ValueError(f"{path}: array names or shapes do not match {sidecar_path}")
    return arrays


def _check_neural_shapes(
    state: dict[str, np.ndarray], spec: FeatureSpec, config: NeuralConfig, path: Path
) -> None:
    cards = spec.key_cardinalities
    width = spec.n_context + config.embedding * len(cards)
    expected = {f"embeddings.{k}.weight": (n, config.embedding) for k, n in enumerate(cards)}
    expected |= {
        "series_bias.weight": (cards[-1], 1),
        "ctx_mean": (spec.n_context,),
        "ctx_std": (spec.n_context,),
    }
    for i in range(config.layers):
        expected[f"hidden.{i}.weight"] = (config.hidden, width if i == 0 else config.hidden)
        expected[f"hidden.{i}.bias"] = (config.hidden,)
    expected |= {"head.weight": (3, config.hidden), "head.bias": (3,), "linear.weight": (1, spec.n_context)}
    actual = {name: value.shape for name, value in state.items()}
    if actual != expected:
        raise ValueError(f"{path}: weights do not fit the architecture and features in its sidecar")


def load_model(directory: str | Path, kind: ModelKind = "neural") -> FittedModel:
    """Load a model saved by `save_model`.

    Args:
        directory: the model directory.
        kind: ``"neural"`` or ``"regression"``.

    Returns:
        The fitted model; call ``.bind(series_key)`` for one series' `DemandModel`.

    Raises:
        ValueError: a file is missing, corrupt, or does not match its sidecar (the message names it).
    """
    if kind not in ("neural", "regression"):
        raise ValueError(f"kind must be 'neural' or 'regression', got {kind!r}")
    directory = Path(directory)
    sidecar_path = directory / f"{kind}.json"
    sidecar = _read_sidecar(sidecar_path, kind)
    arrays_path = directory / sidecar["arrays"]
    arrays = _read_arrays(arrays_path, sidecar, sidecar_path)
    try:
        spec = FeatureSpec.from_dict(sidecar["spec"])
        if kind == "neural":
            config = NeuralConfig(**sidecar["config"])
            states = []
            for k in range(config.members):
                prefix = f"member{k}."
                state = {
                    name[len(prefix) :]: value for name, value in arrays.items() if name.startswith(prefix)
                }
                _check_neural_shapes(state, spec, config, arrays_path)
                states.append(state)
            return NeuralDemandModel(
                spec=spec,
                config=config,
                states=tuple(states),
                sigma_scale=float(sidecar["sigma_scale"]),
                seeds=tuple(int(s) for s in sidecar["seeds"]),
                epochs=tuple(int(e) for e in sidecar["epochs"]),
            )
        return RegressionDemandModel(
            spec=spec,
            config=RegressionConfig(**sidecar["config"]),
            coef=arrays["coef"],
            series_group=arrays["series_group"],
            alpha=arrays["alpha"],
            sigma=float(sidecar["sigma"]),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"{sidecar_path}: incomplete model sidecar ({error!r})") from None


def load_pretrained(name: str = "dominicks-oj", kind: ModelKind = "neural") -> FittedModel:
    """Load a model shipped with the package, e.g. ``load_pretrained().bind((2, 5))``.

    Args:
        name: the pretrained model, a directory under ``demand_models/pretrained/``.
        kind: ``"neural"`` or ``"regression"``.

    Returns:
        The fitted model.
    """
    available = (
        sorted(p.name for p in PRETRAINED_DIR.iterdir() if p.is_dir()) if PRETRAINED_DIR.is_dir() else []
    )
    if name not in available:
        raise ValueError(f"no pretrained model {name!r}; available: {available}")
    return load_model(PRETRAINED_DIR / name, kind)
