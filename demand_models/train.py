"""Train the neural and regression demand models and write them with their model card.

Usage::

    python -m demand_models.train --dataset dominicks-oj --out DIR
    python -m demand_models.train --data sales.csv --map mapping.yaml --out DIR [--drop-invalid]

``DIR`` receives ``neural.npz/.json``, ``regression.npz/.json``, ``model_card.json``,
``model_card.md`` and ``series_profiles.csv``; load with `demand_models.load_model(DIR)`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from demand_models.card import build_card, write_card
from demand_models.data import DataError, load_dataset, time_split
from demand_models.data.split import seen_series_only
from demand_models.features import FeatureSpec
from demand_models.history import SalesHistory
from demand_models.neural_model import NeuralConfig
from demand_models.persistence import save_model
from demand_models.regression import RegressionConfig, fit_regression

MIN_PERIODS = 10
"""Fewest distinct periods ``train`` accepts."""


def series_profiles(spec: FeatureSpec) -> pd.DataFrame:
    """One row per series: its keys, reference price, price range, unit cost and mean units."""
    keys = pd.DataFrame(list(spec.series), columns=list(spec.series_keys))
    profiles = pd.DataFrame([vars(p) for p in spec.profiles]).drop(columns="own_index")
    return pd.concat([keys, profiles], axis=1)


def train(
    history: SalesHistory,
    out: str | Path,
    seed: int = 0,
    neural_config: NeuralConfig | None = None,
    regression_config: RegressionConfig | None = None,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    progress: bool = True,
) -> dict:
    """Split by time, fit both models, evaluate on the test weeks and write everything to ``out``.

    Validation and test rows of series that start after the training weeks are left out (the
    models know nothing about those series); the card counts them.

    Args:
        history: the sales history.
        out: output directory (created if needed).
        seed: seed of the neural model.
        neural_config: neural options (defaults if None).
        regression_config: regression options (defaults if None).
        val_fraction: share of periods for early stopping and calibration.
        test_fraction: share of the last periods held out for the card.
        progress: show a progress bar.

    Returns:
        The model card.
    """
    from demand_models.neural import fit_neural  # torch is imported only when training

    periods = history.frame["period"].nunique()
    if periods < MIN_PERIODS:
        raise ValueError(
            f"{history.name}: {periods} periods of history; a demand model needs at least {MIN_PERIODS} "
            "(training, validation and test weeks are cut by time)"
        )
    split = time_split(history, val_fraction=val_fraction, test_fraction=test_fraction)
    val, unseen_val = seen_series_only(split.val, split.train)
    test, unseen_test = seen_series_only(split.test, split.train)
    for part, rows in (("validation", val), ("test", test)):
        if rows.frame.empty:
            raise ValueError(
                f"{history.name}: no {part} rows of a series that also has training rows (split by period: "
                f"{split.periods}); early stopping and the card need series observed before and after the cut"
            )
    start = time.perf_counter()
    neural = fit_neural(split.train, val, neural_config, seed=seed, progress=progress)
    neural_seconds = time.perf_counter() - start
    start = time.perf_counter()
    regression = fit_regression(split.train, val, regression_config)
    regression_seconds = time.perf_counter() - start
    out = Path(out)
    save_model(neural, out)
    save_model(regression, out)
    series_profiles(neural.spec).to_csv(out / "series_profiles.csv", index=False, float_format="%.6g")
    seconds = {"neural": neural_seconds, "regression": regression_seconds}
    card = build_card(history.name, split.periods, test, neural, regression, seconds)
    card["rows_of_series_unseen_in_training"] = {"val": unseen_val, "test": unseen_test}
    write_card(card, out)
    return card


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m demand_models.train",
        description="Train the neural and regression demand models on sales history and write a model card.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", help="a named data set: dominicks-oj")
    source.add_argument("--data", type=Path, help="a CSV or Parquet sales file (with --map)")
    parser.add_argument(
        "--map", type=Path, help="YAML column mapping for --data (default: columns named after the roles)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0, help="seed of the neural model (default 0)")
    parser.add_argument(
        "--drop-invalid", action="store_true", help="drop invalid rows of --data instead of failing"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 for bad arguments or data)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.dataset is not None and (args.map is not None or args.drop_invalid):
        parser.error("--map and --drop-invalid go with --data, not --dataset")
    try:
        if args.dataset is not None:
            history = load_dataset(args.dataset)
        else:
            history = load_dataset(args.data, args.map, drop_invalid=args.drop_invalid)
        for reason, count in history.dropped_rows.items():
            print(f"dropped {count:,} rows: {reason}", file=sys.stderr)
        card = train(history, args.out, seed=args.seed, progress=not args.quiet)
    except (DataError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    neural, regression = card["neural"], card["regression"]
    print(
        f"wrote {args.out}: test WMAPE neural {neural['test_wmape']:.4f}, "
        f"regression {regression['test_wmape']:.4f}; "
        f"test NLL neural {neural['test_nll']:.4f}, regression {regression['test_nll']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
