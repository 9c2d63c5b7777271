"""Business metrics logged to TensorBoard while an SB3 agent trains."""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback


class PricingMetricsCallback(BaseCallback):
    """Record ``pricing/*`` means over the episodes that ended since the last log dump.

    Reads the ``info`` dicts of the training envs: per step ``price``, ``revenue``,
    ``sales``, ``lost_sales``; at the last step of an episode ``stock`` (the leftover).
    The season profit is summed from ``profit`` so that it is in currency whatever the
    reward scale.
    """

    def __init__(self, verbose: int = 0) -> None:
        super().__init__(verbose)
        self._acc: dict[str, np.ndarray] = {}

    def _on_training_start(self) -> None:
        n = self.training_env.num_envs
        self._acc = {k: np.zeros(n) for k in ("profit", "revenue", "price", "sales", "stockouts", "steps")}

    def _on_step(self) -> bool:
        acc = self._acc
        for i, (info, done) in enumerate(zip(self.locals["infos"], self.locals["dones"], strict=True)):
            acc["profit"][i] += info["profit"]
            acc["revenue"][i] += info["revenue"]
            acc["price"][i] += info["price"]
            acc["sales"][i] += info["sales"]
            acc["stockouts"][i] += info["lost_sales"] > 0
            acc["steps"][i] += 1
            if done:
                steps = acc["steps"][i]
                self.logger.record_mean("pricing/season_profit", acc["profit"][i])
                self.logger.record_mean("pricing/revenue", acc["revenue"][i])
                self.logger.record_mean("pricing/mean_price", acc["price"][i] / steps)
                self.logger.record_mean("pricing/units_sold", acc["sales"][i])
                self.logger.record_mean("pricing/stockout_rate", acc["stockouts"][i] / steps)
                self.logger.record_mean("pricing/leftover", info["stock"])
                for values in acc.values():
                    values[i] = 0.0
        return True
