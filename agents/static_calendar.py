"""The best static price calendar: one price per period, fixed at the start of the season.

The calendar of prices is an open-loop plan: it ignores the stock as the season unfolds. It
starts from the fluid plan at the opening stock (``agents.fluid``), then improves the exact
expected profit by coordinate ascent: sweeping the periods in order, each period takes the
grid price that maximises the exact expected season profit with the other periods' prices
held, computed from the distribution of stock reaching that period (forward) and the value of
the later prices (backward, the recursion of ``agents.dp``). Sweeps repeat until no price
changes; the result is a local optimum of the exact objective over the ``K ** T`` calendars
(exact search is out of reach) and never worse than the fluid plan.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from agents.dp import DemandLaw, _shifted, demand_law
from agents.fluid import expected_demand_table, fluid_plan
from agents.policy import PolicyContext, PricePolicy
from agents.policy_evaluation import expected_rewards
from envs.calendar import Calendar


def _next_stock(law: DemandLaw, t: int, k: int, stock: np.ndarray) -> np.ndarray:
    """Distribution of stock after period ``t`` at price ``k``, from the distribution ``stock`` before it."""
    pmf, tail = law.pmf[t, k], law.tail[t, k]
    after = np.zeros_like(stock)
    after[1:] = fftconvolve(stock, pmf[::-1])[len(stock) : 2 * len(stock) - 1]
    after[0] = stock @ tail
    return np.maximum(after, 0.0)


def improve_calendar(
    context: PolicyContext, law: DemandLaw, prices: np.ndarray, max_sweeps: int = 10
) -> tuple[np.ndarray, float]:
    """Coordinate ascent on the exact expected profit of a static price calendar.

    Args:
        context: the public facts.
        law: the episode's demand law.
        prices: ``(T,)`` starting grid indices.
        max_sweeps: largest number of sweeps over the periods.

    Returns:
        ``(prices, value)``: the improved calendar and its exact expected season profit.
    """
    market = context.market
    horizon, x = market.horizon, np.arange(market.capacity + 1)
    prices = prices.copy()
    value = -np.inf
    for _ in range(max_sweeps):
        later = [np.zeros(0)] * horizon  # later[t]: value from t + 1 on, per stock, of the current prices
        values = market.salvage_value * x.astype(np.float64)
        for t in range(horizon - 1, -1, -1):
            later[t] = values
            q = (
                expected_rewards(context, law, t)[prices[t]]
                + _shifted(law.pmf[t, prices[t]][None], law.tail[t, prices[t]][None], values[None], 0)[0]
            )
            values = q
        stock = np.zeros(len(x))
        stock[market.opening_stock] = 1.0
        changed = False
        for t in range(horizon):
            q = expected_rewards(context, law, t) + _shifted(law.pmf[t], law.tail[t], later[t][None], 0)
            scores = q @ stock
            best = int(np.argmax(scores))
            if scores[best] > scores[prices[t]] + 1e-9:
                prices[t], changed = best, True
            if t == 0:
                value = float(scores[prices[0]] - market.unit_cost * market.opening_stock)
            stock = _next_stock(law, t, prices[t], stock)
        if not changed:
            break
    return prices, value


class StaticCalendarPolicy(PricePolicy):
    """Charge, in each period, the price of a calendar of prices fixed at the start of the season.

    Information used: the true demand model and the episode's FULL promotion calendar (told with
    ``set_calendars``), as the DP optimum has them, to fix the prices before the season; in the
    episode it reads only the period from the observation (never the stock). Each distinct
    calendar is planned once (file calendars are cached by start row); planning costs about two
    DP solves per sweep.

    Args:
        context: the public facts, including the true demand model.
        max_sweeps: largest number of coordinate-ascent sweeps per calendar.

    Raises:
        ValueError: the scenario has replenishment.
    """

    uses_calendar = True

    def __init__(self, context: PolicyContext, max_sweeps: int = 10) -> None:
        if context.market.replenishment != "none":
            raise ValueError(f"{type(self).__name__} covers clearance (replenishment='none')")
        super().__init__(context)
        self.max_sweeps = max_sweeps
        self._cache: dict[int, tuple[np.ndarray, float]] = {}
        self._table = np.zeros((0, context.market.horizon), dtype=np.int64)

    def plan(self, calendar: Calendar) -> tuple[np.ndarray, float]:
        """The static calendar of prices of one episode calendar and its exact expected profit.

        Args:
            calendar: the episode's promotion calendar.

        Returns:
            ``((T,) grid indices, expected season profit)``.
        """
        if calendar.start is not None and calendar.start in self._cache:
            return self._cache[calendar.start]
        context, market = self.context, self.market
        fluid = fluid_plan(market, expected_demand_table(context, [calendar])[0])
        start = fluid.prices[fluid.fitting(0, market.opening_stock)]
        law = demand_law(context.config, context.model, market, calendar, market.capacity)
        result = improve_calendar(context, law, start, self.max_sweeps)
        if calendar.start is not None:
            self._cache[calendar.start] = result
        return result

    def _prepare(self, calendars: tuple[Calendar, ...]) -> None:
        self._table = np.stack([self.plan(calendar)[0] for calendar in calendars])

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """The planned price of each row's period."""
        return self._table[self._episode_rows(len(obs)), self.period(obs)]
