"""Score every policy on the same held-out episodes and write the results of a run.

Each policy plays the same episodes (common random numbers). Its profit is reported with a 95%
interval (over episodes; over training seeds for learned agents), as % of the exact optimum
(the DP solved for each episode's calendar), and as a paired gap to the optimal policy
simulated on the same draws, which resolves differences of tenths of a point.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from agents.optimal import EpisodeOptimalPolicy
from agents.policy import PolicyContext
from demand_models.atomic import write_atomic, write_text_atomic
from demand_models.history import SalesHistory
from experiments.baselines import build_baselines
from experiments.config import TRAINING_SEED_OFFSET
from experiments.evaluate import EpisodeRunner, Rollouts, make_env_factory
from experiments.stats import mean_ci

RESULT_COLUMNS = (
    "policy", "mean_profit", "ci95_low", "ci95_high", "pct_of_optimum", "gap_pts", "gap_ci95",
    "revenue", "margin", "sell_through", "stockout_rate", "leftover", "price_changes", "discount_depth", "n",
)  # fmt: skip
METRICS = (
    "revenue",
    "margin",
    "sell_through",
    "stockout_rate",
    "leftover",
    "price_changes",
    "discount_depth",
)
OPTIMUM = "optimum (DP)"


class Scoreboard:
    """The held-out episodes of a run, their exact optimum, and the scoring of policies on them.

    Args:
        env_id: the env id.
        env_kwargs: the env settings.
        seeds: the episode seeds.
    """

    def __init__(self, env_id: str, env_kwargs: dict[str, Any], seeds: Iterable[int]) -> None:
        self.env_id, self.env_kwargs = env_id, env_kwargs
        self.runner = EpisodeRunner(make_env_factory(env_id, env_kwargs), list(seeds))
        self.seeds = self.runner.seeds
        self.context = PolicyContext.from_env(self.runner.envs[0])
        self.optimal = EpisodeOptimalPolicy(self.context)
        self.calendars = self.runner.calendars()
        self.optimum = self.optimal.values(self.calendars)

    @property
    def optimum_mean(self) -> float:
        """Mean exact optimal profit over the episodes."""
        return float(self.optimum.mean())

    @property
    def reward_scale(self) -> float:
        """Training reward scale: one over a typical week's revenue at the reference price."""
        return 1.0 / (self.context.market.reference_price * float(self.context.model.mean_units))

    def _training_runner(self) -> EpisodeRunner:
        """Episodes for fitting baselines, seeds apart from every evaluation seed."""
        seeds = range(TRAINING_SEED_OFFSET, TRAINING_SEED_OFFSET + 200)
        return EpisodeRunner(make_env_factory(self.env_id, self.env_kwargs), seeds)

    def _row(self, name: str, runs: list[Rollouts], optimal: Rollouts) -> dict[str, Any]:
        """One results row; several runs are the seeds of a learned agent (CI over seeds)."""
        per_run = [r.episodes for r in runs]
        means = np.array([e["profit"].mean() for e in per_run])
        est = mean_ci(means) if len(runs) > 1 else mean_ci(per_run[0]["profit"].to_numpy())
        gaps = np.array([(e["profit"].to_numpy() - optimal.episodes["profit"].to_numpy()).mean() for e in per_run])
        if len(runs) > 1:
            gap = mean_ci(gaps)
        else:
            gap = mean_ci(per_run[0]["profit"].to_numpy() - optimal.episodes["profit"].to_numpy())
        scale = 100.0 / self.optimum_mean
        row = {
            "policy": name, "mean_profit": est.mean, "ci95_low": est.low, "ci95_high": est.high,
            "pct_of_optimum": 100.0 + gap.mean * scale, "gap_pts": gap.mean * scale, "gap_ci95": gap.half_width * scale,
            "n": len(runs) if len(runs) > 1 else len(per_run[0]),
        }  # fmt: skip
        for metric in METRICS:
            row[metric] = float(np.mean([e[metric].mean() for e in per_run]))
        return row

    def score(
        self, learned: dict[str, list[Any]], history: SalesHistory | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
        """Run the optimum, every baseline and every learned agent.

        Args:
            learned: agent name -> its trained models (one per seed).
            history: the run's sales history (for the regression baseline), if any.

        Returns:
            The results table, the per-episode profits (one column per policy and seed), and the
            first episode's trajectory of each policy.
        """
        optimal = self.runner.run(self.optimal)
        opt = mean_ci(self.optimum)
        rows = [{
            "policy": OPTIMUM, "mean_profit": opt.mean, "ci95_low": opt.low, "ci95_high": opt.high,
            "pct_of_optimum": 100.0, "gap_pts": 0.0, "gap_ci95": 0.0, "n": len(self.optimum),
            **{m: float(optimal.episodes[m].mean()) for m in METRICS},
        }]  # fmt: skip
        episodes = {
            "seed": self.seeds,
            "optimum_exact": self.optimum,
            "optimum_simulated": optimal.episodes["profit"],
        }
        trajectories = {OPTIMUM: optimal.trajectory}
        for name, models in learned.items():
            runs = [self.runner.run(model) for model in models]
            rows.append(self._row(name, runs, optimal))
            trajectories[name] = runs[0].trajectory
            for i, r in enumerate(runs):
                episodes[f"{name}[{i}]"] = r.episodes["profit"]
        for name, policy in build_baselines(self.context, self._training_runner(), history).items():
            run = self.runner.run(policy)
            rows.append(self._row(name, [run], optimal))
            trajectories[name] = run.trajectory
            episodes[name] = run.episodes["profit"]
        table = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
        table = pd.concat([table.iloc[:1], table.iloc[1:].sort_values("mean_profit", ascending=False)])
        return table.reset_index(drop=True), pd.DataFrame(episodes), trajectories

    def report(self, run_dir: Path, table: pd.DataFrame, episodes: pd.DataFrame, partial: bool) -> Path:
        """Write ``results.csv``, ``results.md`` and ``episodes.csv``; returns the Markdown path."""
        write_atomic(run_dir / "results.csv", lambda tmp: table.to_csv(tmp, index=False, float_format="%.4f"))
        write_atomic(run_dir / "episodes.csv", lambda tmp: episodes.to_csv(tmp, index=False, float_format="%.4f"))
        return write_text_atomic(run_dir / "results.md", results_markdown(table, self, partial))


def results_markdown(table: pd.DataFrame, board: Scoreboard, partial: bool) -> str:
    """The results table as Markdown, with a header saying what was measured."""
    lines = [
        f"# Results: {board.env_id.split(':')[-1]}" + (" (PARTIAL: interrupted run)" if partial else ""),
        "",
        f"{len(board.seeds)} held-out episodes, the same for every policy (common random numbers). "
        "Profit = revenue + salvage - cost of goods (opening stock included) - holding - ordering, per season. "
        "Gap = mean paired difference to the optimal policy simulated on the same demand draws, in points of "
        "the exact optimum (mean DP value of each episode's calendar), +- its 95% half-width; "
        "% of optimum = 100 + gap, the precise estimate (mean profit / optimum carries the Monte-Carlo noise "
        "of the episodes, +- about the width of the profit CI). Learned agents with several seeds: mean and "
        "95% CI over seeds; other rows: over episodes.",
        "",
        "| policy | mean profit | 95% CI | % of optimum | gap (pts) | sell-through | stock-out rate | leftover "
        "| price changes | discount depth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.policy} | {row.mean_profit:,.1f} | [{row.ci95_low:,.1f}, {row.ci95_high:,.1f}] "
            f"| {row.pct_of_optimum:.2f} | {row.gap_pts:+.2f} +- {row.gap_ci95:.2f} | {row.sell_through:.3f} "
            f"| {row.stockout_rate:.3f} | {row.leftover:,.1f} | {row.price_changes:.1f} | {row.discount_depth:.3f} |"
        )
    return "\n".join(lines) + "\n"
