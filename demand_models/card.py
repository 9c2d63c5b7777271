"""Model card: hold-out accuracy, calibration and elasticities of the neural and regression models.

The JSON card holds ``dataset``, ``split`` (inclusive periods of train/val/test), ``point_forecast``,
``likelihood`` and, for each of ``neural`` and ``regression``: ``test_wmape``, ``test_mape``,
``test_mae``, ``test_log_r2``, ``test_nll``, ``interval_coverage_90``, ``elasticity`` (per value of
the group key: median and 10th/90th percentile over its series of the series' median own-price
elasticity on the test weeks), ``monotone_share`` and ``training_seconds``. The Markdown card
shows the same side by side.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from demand_models import lognormal
from demand_models.atomic import write_text_atomic
from demand_models.evaluation import metrics
from demand_models.features import Inputs, encode
from demand_models.history import SalesHistory
from demand_models.neural_model import NeuralDemandModel
from demand_models.regression import RegressionDemandModel

N_PRICE_GRID = 50
METRICS = ("test_wmape", "test_mape", "test_mae", "test_log_r2", "test_nll", "interval_coverage_90")

Model = NeuralDemandModel | RegressionDemandModel


def _elasticities(model: Model, inputs: Inputs) -> np.ndarray:
    if isinstance(model, NeuralDemandModel):
        return -model.net.context_params(inputs.keys, inputs.context)[1]
    return model.elasticity()[inputs.series]


def elasticity_by_group(model: Model, inputs: Inputs) -> dict[str, dict[str, float]]:
    """Per group-key value: median and 10th/90th percentile over series of each series' median elasticity."""
    spec = model.spec
    per_row = _elasticities(model, inputs)
    n_series = len(spec.series)
    per_series = np.full(n_series, np.nan)
    order = np.argsort(inputs.series, kind="stable")
    series_sorted = inputs.series[order]
    bounds = np.searchsorted(series_sorted, np.arange(n_series + 1))
    for s in range(n_series):
        rows = order[bounds[s] : bounds[s + 1]]
        if len(rows):
            per_series[s] = np.median(per_row[rows])
    group = np.array([key[-1] if key else "all" for key in spec.series])
    out = {}
    for value in spec.key_levels[-1] if spec.series_keys else ("all",):
        values = per_series[(group == value) & np.isfinite(per_series)]
        if len(values):
            p10, median, p90 = np.percentile(values, [10, 50, 90])
            out[str(value)] = {"median": float(median), "p10": float(p10), "p90": float(p90)}
    return out


def monotone_share(model: Model, inputs: Inputs) -> float:
    """Share of series whose expected demand never rises over 50 own prices spanning the observed range.

    Each series is checked at the context of every one of its rows in ``inputs``.
    """
    spec = model.spec
    ref = np.array([p.reference_price for p in spec.profiles])
    low = np.array([p.price_min for p in spec.profiles])
    high = np.array([p.price_max for p in spec.profiles])
    fractions = np.linspace(0.0, 1.0, N_PRICE_GRID)
    series = inputs.series
    grid = low[series, None] + fractions * (high - low)[series, None]
    rising = np.zeros(len(series), dtype=bool)
    previous = None
    for k in range(N_PRICE_GRID):
        step = Inputs(inputs.keys, np.log(grid[:, k] / ref[series]), inputs.context, inputs.units)
        mean = lognormal.mean(*model.log_params_inputs(step))
        if previous is not None:
            rising |= mean > previous * (1.0 + 1e-12)
        previous = mean
    broken = np.zeros(len(spec.series), dtype=bool)
    broken[series[rising]] = True
    seen = np.unique(series)
    return float(1.0 - broken[seen].mean())


def model_summary(model: Model, test: SalesHistory, training_seconds: float) -> dict:
    """The card entry of one model evaluated on the test weeks."""
    inputs = encode(model.spec, test)
    mu, sigma = model.log_params_inputs(inputs)
    scores = metrics(mu, sigma, inputs.units)
    summary = {f"test_{name}": value for name, value in scores.items() if name != "interval_coverage_90"}
    summary["interval_coverage_90"] = scores["interval_coverage_90"]
    summary["elasticity"] = elasticity_by_group(model, inputs)
    summary["monotone_share"] = monotone_share(model, inputs)
    summary["training_seconds"] = training_seconds
    return summary


def build_card(
    dataset: str,
    split: dict[str, list[int]],
    test: SalesHistory,
    neural: NeuralDemandModel,
    regression: RegressionDemandModel,
    seconds: dict[str, float],
) -> dict:
    """The model card as a JSON-serialisable dict.

    Args:
        dataset: data set name.
        split: inclusive periods of ``train``, ``val`` and ``test``.
        test: the test weeks.
        neural: the fitted neural model.
        regression: the fitted regression model.
        seconds: training wall time of each model, keyed ``neural`` and ``regression``.

    Returns:
        The card.
    """
    spec = neural.spec
    return {
        "dataset": dataset,
        "split": split,
        "series_keys": list(spec.series_keys),
        "elasticity_group": spec.series_keys[-1] if spec.series_keys else "all",
        "n_series": len(spec.series),
        "n_test_rows": len(test.frame),
        "point_forecast": "median exp(mu)",
        "likelihood": "rounded log-normal: units = round(exp(X)), X ~ Normal(mu, sigma^2); "
        "NLL is -log P(observed whole units), sigma calibrated to 90% coverage on val",
        "neural": {
            **model_summary(neural, test, seconds["neural"]),
            "seeds": list(neural.seeds),
            "epochs": list(neural.epochs),
        },
        "regression": model_summary(regression, test, seconds["regression"]),
    }


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def card_markdown(card: dict) -> str:
    """The card as Markdown, neural and regression side by side."""
    split = card["split"]
    lines = [
        f"# Demand model card: {card['dataset']}",
        "",
        f"- Series: {card['n_series']} with training rows ({' x '.join(card['series_keys'])}); test rows: "
        f"{card['n_test_rows']} ({card['rows_of_series_unseen_in_training']['test']} rows of series with no "
        "training rows left out)",
        "- Split (inclusive periods): "
        + ", ".join(
            f"{part} {split[part][0]}-{split[part][1]}" for part in ("train", "val", "test") if split[part]
        ),
        f"- Point forecast: {card['point_forecast']}",
        f"- Likelihood: {card['likelihood']}",
        "",
        "| metric | neural | regression |",
        "|---|---|---|",
    ]
    for name in (*METRICS, "monotone_share", "training_seconds"):
        lines.append(f"| {name} | {_fmt(card['neural'][name])} | {_fmt(card['regression'][name])} |")
    lines += [
        "",
        f"## Own-price elasticity by {card['elasticity_group']} (median [p10, p90] over series)",
        "",
        f"| {card['elasticity_group']} | neural | regression |",
        "|---|---|---|",
    ]
    for group, neural in card["neural"]["elasticity"].items():
        regression = card["regression"]["elasticity"].get(group)
        cells = [
            f"{_fmt(e['median'])} [{_fmt(e['p10'])}, {_fmt(e['p90'])}]" if e else "-"
            for e in (neural, regression)
        ]
        lines.append(f"| {group} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def write_card(card: dict, directory: str | Path) -> tuple[Path, Path]:
    """Write ``model_card.json`` and ``model_card.md`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "model_card.json", directory / "model_card.md"
    write_text_atomic(json_path, json.dumps(card, indent=2) + "\n")
    write_text_atomic(md_path, card_markdown(card))
    return json_path, md_path
