"""Figures of a run: pure functions returning matplotlib figures, and one writer for the run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from demand_models.atomic import write_atomic  # noqa: E402
from experiments.stats import mean_ci  # noqa: E402


def mean_curve(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean and 95% band of ``pct_of_optimum`` across seeds, at the steps all seeds share."""
    merged = pd.concat([f.set_index("timesteps")["pct_of_optimum"] for f in frames], axis=1, join="inner")
    estimates = [mean_ci(row.to_numpy()) for _, row in merged.iterrows()]
    return pd.DataFrame({
        "timesteps": merged.index.to_numpy(dtype=np.float64), "mean": [e.mean for e in estimates],
        "low": [e.low for e in estimates], "high": [e.high for e in estimates],
    })  # fmt: skip


def plot_learning_curves(curves: dict[str, list[pd.DataFrame]], references: dict[str, float]) -> Figure:
    """% of optimum on the curve episodes against training steps: mean over seeds, 95% band."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for algo, frames in curves.items():
        curve = mean_curve(frames)
        seeds = f"{len(frames)} seed{'s' if len(frames) > 1 else ''}"
        ax.plot(curve["timesteps"], curve["mean"], label=f"{algo.upper()} ({seeds})")
        ax.fill_between(curve["timesteps"], curve["low"], curve["high"], alpha=0.25)
    for name, pct in references.items():
        ax.axhline(pct, linestyle="--", linewidth=1, color="grey")
        ax.annotate(name, (0.01, pct), xycoords=("axes fraction", "data"), fontsize=9, va="bottom", color="grey")
    ax.set_xlabel("training steps")
    ax.set_ylabel("% of the exact optimum")
    ax.set_title("Learning curves (deterministic policy on fixed episodes)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_trajectories(trajectories: dict[str, pd.DataFrame], optimum: str) -> Figure:
    """Price and stock week by week of each policy on the same episode, the optimum in black."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    for name, traj in trajectories.items():
        style = {"linewidth": 1.2}
        if name == optimum:
            style = {"color": "black", "linewidth": 2.5, "zorder": 5}
        elif name in LEARNED_STYLE:  # learned agents drawn over the baselines, never hidden behind them
            style = {**LEARNED_STYLE[name], "linewidth": 2.2, "zorder": 4}
        weeks = np.append(traj["period"].to_numpy(), traj["period"].iloc[-1] + 1)  # the last week gets its width
        top.step(
            weeks,
            np.append(traj["price"].to_numpy(), traj["price"].iloc[-1]),
            where="post",
            label=name,
            **style,
        )
        bottom.plot(traj["period"], traj["stock"], label=name, **style)
    top.set_ylabel("price")
    bottom.set_ylabel("stock at end of period")
    bottom.set_xlabel("period of the season (week, or month for monthly data)")
    top.set_title("Price and stock of each policy on the first held-out episode (same demand draws)")
    fig.legend(*top.get_legend_handles_labels(), fontsize=8, loc="center right")  # beside, never over a line
    fig.tight_layout(rect=(0, 0, 0.76, 1))
    return fig


LEARNED_STYLE = {
    "ppo": {"color": "magenta"},
    "maskable_ppo": {"color": "magenta"},
    "dqn": {"color": "darkcyan", "linestyle": "--"},
}  # outside the cycle
"""Line styles of the learned agents in the trajectories figure."""
MAX_PROMOTIONS_DRAWN = 3
"""Promotion curves in the demand figure beside the no-promotion one (more are unreadable)."""


def plot_demand_curve(model: Any, prices: np.ndarray, features: np.ndarray, labels: list[str], title: str) -> Figure:
    """Expected demand against own price for a few contexts, with the 90% predictive band."""
    from demand_models import lognormal

    fig, ax = plt.subplots(figsize=(6, 4))
    for row, label in zip(features, labels, strict=True):
        batch = np.repeat(row[None], len(prices), axis=0)
        mu, sigma = model.log_params(prices, batch)
        line = ax.plot(prices, lognormal.mean(mu, sigma), label=label)[0]
        ax.fill_between(prices, np.exp(mu - 1.645 * sigma), np.exp(mu + 1.645 * sigma), alpha=0.15,
                        color=line.get_color())  # fmt: skip
    ax.set_xlabel("own price")
    ax.set_ylabel("units per period")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_profits(table: pd.DataFrame) -> Figure:
    """% of the optimum of every policy (paired with the optimal policy) with its 95% interval."""
    order = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
    ax.barh(
        order["policy"],
        order["pct_of_optimum"],
        xerr=order["gap_ci95"],
        capsize=3,
        color="tab:blue",
        alpha=0.8,
    )
    ax.set_xlim(0.0, max(101.0, float((order["pct_of_optimum"] + order["gap_ci95"]).max()) + 1.0))
    ax.set_xlabel("season profit, % of the exact optimum (paired on the same draws, 95% CI)")
    ax.set_title("Profit of every policy on the same held-out episodes")
    fig.tight_layout()
    return fig


def _save(fig: Figure, path: Path) -> None:
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def write_figures(run_dir: Path, table: pd.DataFrame, trajectories: dict[str, pd.DataFrame], board: Any) -> None:
    """Every figure of a run into ``run_dir/figures``."""
    figures = run_dir / "figures"
    curves: dict[str, list[pd.DataFrame]] = {}
    for path in sorted((run_dir / "curves").glob("*.csv")):
        frame = pd.read_csv(path)
        if len(frame):
            curves.setdefault(path.stem.split("_seed")[0], []).append(frame)
    if curves:
        refs = {r.policy: r.pct_of_optimum for r in table.itertuples() if r.policy in ("best fixed price",)}
        _save(plot_learning_curves(curves, refs), figures / "learning_curves.png")
    _save(plot_trajectories(trajectories, table["policy"].iloc[0]), figures / "trajectories.png")
    _save(plot_profits(table), figures / "profit.png")
    calendar = board.calendars[0]
    model = board.context.model
    base = calendar.features(model)[0]
    rows, labels = [base.copy()], ["no promotion"]
    for name in board.context.promo_names:
        row = base.copy()
        row[list(model.feature_names).index(name)] = 1.0
        rows.append(row)
        labels.append(name)
    for name in board.context.promo_names:
        rows[0][list(model.feature_names).index(name)] = 0.0
    prices = np.linspace(board.context.market.prices[0], board.context.market.prices[-1], 60)
    # No promotion and the (at most) three promotions that lift demand most at the reference price.
    reference = np.full(len(rows), board.context.market.reference_price)
    lift = model.log_params(reference, np.array(rows))[0]
    keep = [0, *sorted(range(1, len(rows)), key=lambda i: -lift[i])[:MAX_PROMOTIONS_DRAWN]]
    series = getattr(model, "series_key", None)
    title = "Demand model: mean and 90% band" + (
        f", series {'/'.join(map(str, series))}" if isinstance(series, tuple) else ""
    )
    curve = plot_demand_curve(model, prices, np.array(rows)[keep], [labels[i] for i in keep], title)
    _save(curve, figures / "demand_curve.png")
