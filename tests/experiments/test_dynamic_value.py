"""What dynamic pricing can add: the best fixed price against the exact optimum."""

from __future__ import annotations

import pytest

from envs.demand import StandInDemand
from experiments.dynamic_value import fixed_price_share


def test_fixed_price_is_optimal_when_nothing_moves_and_stock_costs_nothing_to_keep() -> None:
    # No season, no promotion effect, three seasons of stock and leftovers returned at cost: the
    # optimum charges the same profit-maximising grid price every week ($3.09 near 2.09 x 3 / 2).
    flat = StandInDemand(season_amplitude=0.0, promo_lift={"deal": 0.0, "feat": 0.0})
    share = fixed_price_share(
        2, model=flat, demand="standin", stock_ratio=3.0, salvage_value=flat.unit_cost, holding_cost=0.0
    )
    assert share["best_fixed_pct_of_optimum"] == pytest.approx(100.0, abs=1e-9)


def test_gap_grows_with_stock_on_the_shipped_model() -> None:
    shares = [fixed_price_share(3, stock_ratio=r)["best_fixed_pct_of_optimum"] for r in (0.5, 0.7, 1.0)]
    assert 100.0 > shares[0] > shares[1] > shares[2]
