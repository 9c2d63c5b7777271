"""The baseline policies every run scores beside the learned agents and the optimum."""

from __future__ import annotations

from typing import Any

from agents.best_fixed import BestFixedPricePolicy
from agents.policy import PolicyContext
from agents.resolving import ResolvingPolicy
from agents.rules import CostPlusPolicy, FixedPricePolicy, MarkdownPolicy, PromotionFollowingPolicy


def build_baselines(context: PolicyContext) -> dict[str, Any]:
    """Name -> policy, for the scenario of ``context``.

    Rules read only the observation; the best fixed price is chosen on training calendars; the
    operations-research heuristics (re-solving) are given the true demand model and the
    episode's calendar, as the DP is. Heuristics that cover only clearance are left out of
    replenishment scenarios.
    """
    baselines: dict[str, Any] = {
        "fixed list price": FixedPricePolicy(context),
        "best fixed price": BestFixedPricePolicy.fit(context),
        "cost-plus 40%": CostPlusPolicy(context, markup=0.4),
        "markdown (sell-through)": MarkdownPolicy(context),
        "promotion-following": PromotionFollowingPolicy(context),
    }
    if context.market.replenishment == "none":
        baselines["re-solving (fluid)"] = ResolvingPolicy(context)
    return baselines
