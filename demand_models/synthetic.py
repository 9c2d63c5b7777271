"""Sales history simulated from a known constant-elasticity demand, for tests and examples.

Every store x product series follows `ConstantElasticityDemand` with the same elasticity,
promotion lifts and season, its own base demand and reference price, and random prices and
promotions; competitor columns hold every product's price in that store and week (the row's own
product included, as in Dominick's), with no cross-price effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demand_models import lognormal
from demand_models.history import SalesHistory
from demand_models.parametric import ConstantElasticityDemand


def simulate_history(
    demand: ConstantElasticityDemand,
    n_stores: int = 4,
    n_products: int = 3,
    n_periods: int = 104,
    promo_rate: float = 0.25,
    price_spread: float = 0.25,
    seed: int = 0,
) -> SalesHistory:
    """A `SalesHistory` drawn from ``demand``.

    Args:
        demand: the ground truth; its ``base_demand`` and ``ref_price`` are scaled per series by
            random factors in [0.5, 2], its promotion names become the promotion columns.
        n_stores: number of stores.
        n_products: number of products (each with a competitor price column).
        n_periods: weeks per series.
        promo_rate: probability of each promotion flag being on in a week.
        price_spread: prices are ``ref * exp(U(-spread, spread))``.
        seed: seed of every draw.

    Returns:
        The history, keys ``("store", "product")``, units in whole units.
    """
    rng = np.random.default_rng(seed)
    promos = list(demand.promo_lift)
    lifts = np.array(list(demand.promo_lift.values()))
    ref = demand.ref_price * rng.uniform(0.5, 2.0, n_products)
    period = np.arange(n_periods)
    season = period % demand.season_length
    frames = []
    for store in range(n_stores):
        prices = ref * np.exp(rng.uniform(-price_spread, price_spread, (n_periods, n_products)))
        for product in range(n_products):
            base = demand.base_demand * rng.uniform(0.5, 2.0)
            flags = (rng.random((n_periods, len(promos))) < promo_rate).astype(np.float64)
            cycle = np.cos(2 * np.pi * (season - demand.season_peak) / demand.season_length)
            log_mean = (
                np.log(base)
                + demand.elasticity * np.log(prices[:, product] / ref[product])
                + flags @ lifts
                + demand.season_amplitude * cycle
            )
            mu = log_mean - 0.5 * demand.sigma**2
            units = lognormal.sample(mu, np.full(n_periods, demand.sigma), rng).astype(np.float64)
            frame = pd.DataFrame(
                {
                    "store": store,
                    "product": product,
                    "period": period,
                    "season": season,
                    "price": prices[:, product],
                    "units": units,
                    **{name: flags[:, k] for k, name in enumerate(promos)},
                    "unit_cost": 0.6 * ref[product],
                    **{f"price{j}": prices[:, j] for j in range(n_products)},
                    "own_index": product,
                }
            )
            frames.append(frame)
    return SalesHistory(
        frame=pd.concat(frames, ignore_index=True),
        name="simulated",
        series_keys=("store", "product"),
        promo_columns=tuple(promos),
        competitor_columns=tuple(f"price{j}" for j in range(n_products)),
        season_length=demand.season_length,
        period_start=pd.Timestamp("2020-01-02"),
        period_freq="W-THU",
        own_price_column="own_index",
    )
