"""The best fixed price: the grid price with the highest exact expected profit on training calendar draws."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from agents.policy import PolicyContext
from agents.policy_evaluation import fixed_price_values
from agents.rules import FixedPricePolicy
from envs.calendar import Calendar, CalendarSource

TRAINING_SEED = 20_240_601
"""Seed of the training calendar draws; evaluation seeds must differ from it."""


def training_calendars(context: PolicyContext, n: int = 50, seed: int = TRAINING_SEED) -> list[Calendar]:
    """Calendars drawn as the env draws them at reset, with a generator of their own.

    With replayed calendars the draws are start rows of the same history file the evaluation
    draws from: the seeds are disjoint, the calendars may recur.

    Args:
        context: the public facts.
        n: number of draws.
        seed: seed of the draws (keep it apart from the evaluation seeds).

    Returns:
        The calendars.
    """
    source = CalendarSource(context.config, context.model)
    rng = np.random.default_rng(seed)
    return [source.draw(rng) for _ in range(n)]


class BestFixedPricePolicy(FixedPricePolicy):
    """One price all season, the one with the highest mean exact profit on training calendars.

    Information used: the true demand model and calendars drawn with a training seed, only to
    choose the price (``fit``); in the episode it reads nothing but its constant.

    Args:
        context: the public facts.
        price: the chosen price (use ``fit`` to choose it).
        training_values: ``(K,)`` mean exact profit of each grid price on the training
            calendars, or None.
        order_up_to: see ``PricePolicy``.
    """

    def __init__(
        self,
        context: PolicyContext,
        price: float,
        training_values: np.ndarray | None = None,
        order_up_to: int | None = None,
    ) -> None:
        super().__init__(context, price, order_up_to)
        self.training_values = training_values

    @classmethod
    def fit(cls, context: PolicyContext, calendars: list[Calendar] | None = None) -> BestFixedPricePolicy:
        """Choose the price on training calendars (clearance: exact values by ``fixed_price_values``).

        Args:
            context: the public facts, including the true demand model.
            calendars: the training calendars; None draws ``training_calendars(context)``.

        Returns:
            The policy.
        """
        if context.market.replenishment != "none":
            raise ValueError("exact fit covers clearance; use BestFixedPricePolicy.fit_by_simulation")
        calendars = calendars if calendars is not None else training_calendars(context)
        distinct = {c.start: c for c in calendars if c.start is not None}
        counts = {start: sum(c.start == start for c in calendars) for start in distinct}
        values = [fixed_price_values(context, c) * counts[s] for s, c in distinct.items()]
        values += [fixed_price_values(context, c) for c in calendars if c.start is None]
        mean = np.sum(values, axis=0) / len(calendars)
        return cls(context, float(context.market.prices[int(np.argmax(mean))]), training_values=mean)

    @classmethod
    def fit_by_simulation(cls, context: PolicyContext, run: Callable[[Any], np.ndarray]) -> BestFixedPricePolicy:
        """Choose the price by simulated mean profit, for scenarios beyond exact evaluation.

        Args:
            context: the public facts.
            run: runs a policy on training episodes (seeds apart from the evaluation's) and
                returns the season profit of each episode.

        Returns:
            The policy.
        """
        prices = context.market.prices
        mean = np.array([run(FixedPricePolicy(context, float(p))).mean() for p in prices])
        return cls(context, float(prices[int(np.argmax(mean))]), training_values=mean)
