"""The re-solving heuristic: each period, re-plan the rest of the season under expected demand."""

from __future__ import annotations

import numpy as np

from agents.fluid import FluidPlan, FluidPlans, expected_demand_table, fluid_plan
from agents.policy import PolicyContext, PricePolicy
from envs.calendar import Calendar


class CalendarPlans:
    """Fluid plans of calendars, computed once per distinct calendar (file calendars by start row).

    Args:
        context: the public facts (the true demand model gives the expected demand).
    """

    def __init__(self, context: PolicyContext) -> None:
        self.context = context
        self._cache: dict[int, FluidPlan] = {}

    def plans(self, calendars: tuple[Calendar, ...]) -> list[FluidPlan]:
        """The plan of each calendar."""
        missing = [c for c in calendars if c.start is None or c.start not in self._cache]
        fresh = []
        if missing:
            means = expected_demand_table(self.context, missing)
            fresh = [fluid_plan(self.context.market, mean) for mean in means]
            self._cache.update(
                {c.start: p for c, p in zip(missing, fresh, strict=True) if c.start is not None}
            )
        unnamed = iter(p for c, p in zip(missing, fresh, strict=True) if c.start is None)
        return [self._cache[c.start] if c.start is not None else next(unnamed) for c in calendars]


class ResolvingPolicy(PricePolicy):
    """Re-solve the fluid clearance problem (``agents.fluid``) in every period and charge its first price.

    Information used: the period and the stock from the observation, the true demand model's
    expected demand (given at construction) and the episode's FULL promotion calendar (told
    with ``set_calendars``), the same information as the DP optimum; demand noise is ignored
    (the plan uses expected demand). The plans of a calendar are tabulated once, so a batch of
    states costs one table look-up per row.

    Args:
        context: the public facts, including the true demand model.

    Raises:
        ValueError: the scenario has replenishment (the fluid problem covers clearance).
    """

    uses_calendar = True

    def __init__(self, context: PolicyContext) -> None:
        if context.market.replenishment != "none":
            raise ValueError(f"{type(self).__name__} covers clearance (replenishment='none')")
        super().__init__(context)
        self._plans = CalendarPlans(context)
        self._stacked: FluidPlans | None = None
        self._plan_of = np.zeros(0, dtype=np.int64)

    def _prepare(self, calendars: tuple[Calendar, ...]) -> None:
        plans = self._plans.plans(calendars)
        distinct = {id(plan): plan for plan in plans}
        position = {key: i for i, key in enumerate(distinct)}
        self._stacked = FluidPlans.stack(list(distinct.values()))
        self._plan_of = np.array([position[id(plan)] for plan in plans], dtype=np.int64)

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """The first price of the fluid plan from each row's period and stock."""
        rows = self._plan_of[self._episode_rows(len(obs))]
        t = self.period(obs)
        plan = self._stacked.plan_index(rows, t, self.stock(obs))
        return self._stacked.prices[rows, plan, t]
