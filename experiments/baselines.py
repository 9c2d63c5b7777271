"""The baseline policies every run scores beside the learned agents and the optimum."""

from __future__ import annotations

import sys
from typing import Any

from agents.best_fixed import BestFixedPricePolicy
from agents.policy import PolicyContext
from agents.regression_policy import RegressionPolicy, simulated_history
from agents.resolving import ResolvingPolicy
from agents.rules import CostPlusPolicy, FixedPricePolicy, MarkdownPolicy, PromotionFollowingPolicy
from agents.static_calendar import StaticCalendarPolicy
from demand_models.data import DataError, load_dominicks_oj
from demand_models.history import SalesHistory
from experiments.evaluate import EpisodeRunner


def regression_history(context: PolicyContext, history: SalesHistory | None) -> tuple[SalesHistory, tuple]:
    """The sales history the regression baseline learns from, and the key of the env's series in it.

    The run's own data when it learned its model from a file; Dominick's orange juice when the
    env runs the shipped model learned from it (if the data is on this machine); otherwise a
    history simulated from the env's own demand model (keyed by ``config.series``).
    """
    series = getattr(context.model, "series_key", None)
    if history is not None:
        return history, series
    if context.config.demand == "pretrained" and series == context.config.series:
        try:
            return load_dominicks_oj(), series
        except DataError:
            print(
                "regression baseline: Dominick's data not on this machine, so it learns from a history simulated "
                "from the env's demand model (`python -m demand_models.data fetch dominicks-oj` gets the real one)",
                file=sys.stderr,
            )
    return simulated_history(context), context.config.series


def build_baselines(
    context: PolicyContext, training_runner: EpisodeRunner, history: SalesHistory | None = None
) -> dict[str, Any]:
    """Name -> policy, for the scenario of ``context``.

    Rules read only the observation; the best fixed price is chosen on training calendars; the
    operations-research heuristics (static calendar, re-solving) are given the true demand model
    and the episode's calendar, as the DP is; the regression baseline learns its demand model
    from sales history (``regression_history``) and plans with it. Policies that cover only
    clearance are left out of replenishment scenarios.

    Args:
        context: the env's public facts.
        training_runner: runs policies on training episodes (to fit the best fixed price where
            exact evaluation does not reach).
        history: the sales history of the run's data, if it learned its model from a file.
    """
    baselines: dict[str, Any] = {
        "fixed list price": FixedPricePolicy(context),
        "best fixed price": (
            BestFixedPricePolicy.fit(context)
            if context.market.replenishment == "none"
            else BestFixedPricePolicy.fit_by_simulation(context, lambda p: training_runner.run(p).episodes["profit"])
        ),
        "cost-plus 40%": CostPlusPolicy(context, markup=0.4),
        "markdown (sell-through)": MarkdownPolicy(context),
        "promotion-following": PromotionFollowingPolicy(context),
    }
    if context.market.replenishment == "none":
        sales, series = regression_history(context, history)
        baselines["regression (log-log + DP)"] = RegressionPolicy.fit(context, sales, series)
        baselines["static price calendar"] = StaticCalendarPolicy(context)
        baselines["re-solving (fluid)"] = ResolvingPolicy(context)
    return baselines
