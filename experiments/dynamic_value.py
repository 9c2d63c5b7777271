"""How much dynamic pricing can add: the best fixed price as a share of the exact optimum.

For each replayed calendar the DP gives the optimum and the value of every fixed grid price; the
best of those, chosen per calendar in hindsight, is an upper bound on what any fixed price earns.
`sweep` varies one setting of the default scenario at a time (stock, season length, demand noise)
to show where prices that move with stock and promotions matter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.dp import solve_dp
from demand_models.base import DemandModel
from envs.config import scenario_config
from envs.demand import StandInDemand
from envs.pricing_env import DynamicPricingEnv


def fixed_price_share(n_calendars: int, model: DemandModel | None = None, **settings: Any) -> dict[str, float]:
    """Best fixed price (per calendar) as a share of the optimum, over evenly spread replayed calendars.

    Args:
        n_calendars: calendars, spread evenly over the replayed history's start weeks.
        model: a demand model replacing the configured one.
        **settings: clearance-scenario settings (``PricingEnvConfig`` fields).

    Returns:
        Mean optimum and best fixed price, the share in percent, and its range over calendars.
    """
    env = DynamicPricingEnv(scenario_config("clearance", **settings), model=model)
    starts = np.linspace(0, env.calendar_source.n_starts - 1, n_calendars).round().astype(int)
    optimum, fixed = [], []
    for start in starts:
        env.reset(seed=0, options={"start": int(start)})
        result = solve_dp(env.config, env.calendar, env.model, fixed_prices=True)
        optimum.append(result.value)
        fixed.append(result.fixed_price_values.max())
    optimum, fixed = np.array(optimum), np.array(fixed)
    return {
        "calendars": int(n_calendars),
        "mean_optimum": float(optimum.mean()),
        "mean_best_fixed": float(fixed.mean()),
        "best_fixed_pct_of_optimum": float(100 * fixed.mean() / optimum.mean()),
        "min_pct": float(100 * (fixed / optimum).min()),
        "max_pct": float(100 * (fixed / optimum).max()),
    }


SWEEP: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("stock", "50% of season demand", {"stock_ratio": 0.5}),
    ("stock", "70% (default)", {}),
    ("stock", "85%", {"stock_ratio": 0.85}),
    ("stock", "100%", {"stock_ratio": 1.0}),
    ("season", "8 weeks", {"horizon": 8, "lookahead": 7}),
    ("season", "13 weeks (default)", {}),
    ("season", "26 weeks", {"horizon": 26, "lookahead": 25}),
    ("noise (stand-in model)", "sigma 0.2", {"demand": "standin", "sigma": 0.2}),
    ("noise (stand-in model)", "sigma 0.35 (stand-in default)", {"demand": "standin", "sigma": 0.35}),
    ("noise (stand-in model)", "sigma 0.5", {"demand": "standin", "sigma": 0.5}),
)
"""(what varies, its value, settings): the neural model unless the stand-in is named, whose
log-normal ``sigma`` is the demand noise (the neural model's is learned from the data)."""


def sweep(n_calendars: int) -> list[dict[str, Any]]:
    """`fixed_price_share` for each variant of `SWEEP`, one row each."""
    rows = []
    for varies, value, settings in SWEEP:
        settings = dict(settings)
        sigma = settings.pop("sigma", None)
        model = StandInDemand(sigma=sigma) if sigma is not None else None
        share = fixed_price_share(n_calendars, model=model, **settings)
        rows.append({"varies": varies, "value": value, **share})
    return rows
