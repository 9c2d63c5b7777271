"""The demand model behind the env: the shipped pretrained model or a parametric stand-in.

``make_demand_model(config)`` is the one place that turns ``PricingEnvConfig.demand`` into a
bound ``DemandModel``; the env, the vector env and the DP all call it, so they see the same
model. A model used by the env also carries the series profile the env reads its defaults
from: ``reference_price``, ``price_range``, ``unit_cost`` and ``mean_units``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demand_models.base import DemandModel
from demand_models.parametric import ConstantElasticityDemand
from envs.config import PricingEnvConfig


@dataclass(frozen=True)
class StandInDemand(ConstantElasticityDemand):
    """A constant-elasticity demand in the range of Dominick's Tropicana Premium 64 oz at store 101.

    The history of that series (121 weeks) has a median price of $2.99 per package, prices from
    $1.69 to $3.66, a median unit cost of $2.09, about 130 packages a week at regular price and
    about 190 in deal weeks; deal-and-feature weeks sell several times more. The stand-in keeps
    those orders of magnitude with an own-price elasticity of -3, log lifts of 0.15 (deal) and
    0.6 (feature) on top of the price effect, a mild yearly cycle, and log-normal noise.

    Attributes:
        reference_price: the series' median price.
        price_range: the range of prices the env may charge by default.
        unit_cost: purchase cost per package.
        mean_units: mean units per period at the reference price over a year.
    """

    base_demand: float = 120.0
    ref_price: float = 2.99
    elasticity: float = -3.0
    promo_lift: dict[str, float] = field(default_factory=lambda: {"deal": 0.15, "feat": 0.6})
    season_amplitude: float = 0.1
    season_peak: int = 10
    sigma: float = 0.35
    reference_price: float = 2.99
    price_range: tuple[float, float] = (1.99, 3.99)
    unit_cost: float = 2.09
    mean_units: float = 140.0


def make_demand_model(config: PricingEnvConfig) -> DemandModel:
    """The bound demand model named by ``config.demand`` for ``config.series``.

    Args:
        config: the env settings.

    Returns:
        A bound model with ``reference_price``, ``price_range``, ``unit_cost`` and ``mean_units``.
    """
    if config.demand == "pretrained":
        from demand_models.persistence import load_pretrained

        return load_pretrained().bind(config.series)
    return StandInDemand()
