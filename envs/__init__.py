"""The market environment: registered Gymnasium ids, config, env, vector env.

Importing ``envs`` registers ``DynamicPricing-v0`` (seasonal clearance, the default),
``DynamicPricingReplenish-v0`` (order-up-to replenishment with lead time) and
``DynamicPricingJoint-v0`` (price and order quantity), so ``gymnasium.make("envs:DynamicPricing-v0")``
works in a fresh interpreter. Keyword arguments of ``make`` override any ``PricingEnvConfig`` setting.
"""

from gymnasium.envs.registration import register, registry

from envs.calendar import Calendar
from envs.config import SCENARIOS, CalendarConfig, PricingEnvConfig, scenario_config

ENV_IDS = {
    "DynamicPricing-v0": "clearance",
    "DynamicPricingReplenish-v0": "replenish",
    "DynamicPricingJoint-v0": "joint",
}
"""Registered id -> scenario name (a key of ``SCENARIOS``)."""

for _env_id, _scenario in ENV_IDS.items():
    if _env_id not in registry:
        register(
            id=_env_id,
            entry_point="envs.pricing_env:DynamicPricingEnv",
            vector_entry_point="envs.vector_env:DynamicPricingVectorEnv",
            kwargs={"scenario": _scenario},
        )

__all__ = ["ENV_IDS", "SCENARIOS", "Calendar", "CalendarConfig", "PricingEnvConfig", "scenario_config"]
