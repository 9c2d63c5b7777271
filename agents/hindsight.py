"""A perfect-hindsight upper bound on the expected season profit, for scenarios beyond exact DP.

For each sampled noise path (one standard normal per period, the draw the env makes), demand at
every grid price is known in advance; the best plan for that path is found by a deterministic
recursion over the opening stock left. Ordering is relaxed: from period ``lead_time`` on, any
demand not met from the opening stock may be met by units bought at ``unit_cost`` (or lost with
the stock-out penalty), without holding, fixed ordering costs or capacity. Both relaxations
only raise the value, so the mean over paths estimates an upper bound on any policy's expected
profit (it is reported with its Monte-Carlo interval). Without replenishment it is the classic
full-information bound of the clearance problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demand_models.base import DemandModel
from envs.calendar import Calendar
from envs.config import PricingEnvConfig
from envs.demand import make_demand_model
from envs.market import episode_tables, observation_layout, resolve_market


@dataclass(frozen=True)
class HindsightBound:
    """The Monte-Carlo estimate of the perfect-hindsight upper bound.

    Attributes:
        value: mean over noise paths of the best profit in hindsight (currency).
        half_width: half-width of its 95% confidence interval.
        n_samples: noise paths used.
        label: what the figure is, for results tables.
    """

    value: float
    half_width: float
    n_samples: int
    label: str = "perfect-hindsight upper bound (not achievable)"


def hindsight_bound(
    config: PricingEnvConfig,
    calendar: Calendar,
    model: DemandModel | None = None,
    *,
    n_samples: int = 200,
    seed: int = 0,
) -> HindsightBound:
    """Estimate the perfect-hindsight upper bound for one calendar.

    Args:
        config: the env settings.
        calendar: the episode's calendar.
        model: the env's demand model if it was injected (default: built from ``config``).
        n_samples: noise paths (1 when ``noise`` is off).
        seed: seed of the noise paths.

    Returns:
        The bound with its 95% interval.
    """
    model = model if model is not None else make_demand_model(config)
    market = resolve_market(config, model)
    n_obs = len(observation_layout(config, model, market)[0])
    tables = episode_tables(model, market, [calendar], config.lookahead, n_obs)
    if config.noise:
        z = np.random.default_rng(seed).standard_normal((n_samples, market.horizon))
        demand = np.rint(np.exp(tables.mu[0][None] + tables.sigma[0][None] * z[:, :, None]))  # (M, T, K)
    else:
        n_samples = 1
        demand = tables.units_without_noise[0][None]
    prices = market.prices
    stock = np.arange(market.opening_stock + 1, dtype=np.float64)
    ordering = market.replenishment != "none"
    values = np.broadcast_to(market.salvage_value * stock, (n_samples, len(stock)))
    for t in range(market.horizon - 1, -1, -1):
        d = demand[:, t, :, None]  # (M, K, 1)
        sold = np.minimum(d, stock)  # (M, K, X + 1)
        unmet = d - sold
        left = stock - sold
        reward = prices[None, :, None] * sold
        if ordering and t >= market.lead_time:
            reward = (
                reward
                + np.maximum(prices - market.unit_cost, -market.stockout_penalty)[None, :, None] * unmet
            )
        else:
            reward = reward - market.holding_cost * left - market.stockout_penalty * unmet
        following = np.take_along_axis(values[:, None, :], left.astype(np.int64), axis=2)
        values = (reward + following).max(axis=1)
    paths = values[:, market.opening_stock] - market.unit_cost * market.opening_stock
    half_width = 1.96 * paths.std(ddof=1) / np.sqrt(n_samples) if n_samples > 1 else 0.0
    return HindsightBound(value=float(paths.mean()), half_width=float(half_width), n_samples=n_samples)
