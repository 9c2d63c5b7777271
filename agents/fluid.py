"""The fluid (deterministic) clearance problem: the rest of the season under expected demand.

From period ``t`` with ``x`` units, choose one grid price ``k_s`` per period ``s >= t`` to maximise
``sum_s (p_{k_s} + h (T - s)) m_s(k_s) + salvage * (x - sum_s m_s(k_s))`` subject to
``sum_s m_s(k_s) <= x``, where ``m_s(k)`` is the expected demand at grid price ``k`` in period
``s`` and ``h (T - s)`` the holding cost a unit sold in period ``s`` no longer pays. Its Lagrangian
separates by period: with a shadow price ``lam`` of a unit of stock (never below the salvage
value, the value of a unit left over), period ``s`` charges
``argmax_k (p_k + h (T - s) - lam) m_s(k)``, and ``lam`` is the smallest multiplier whose
planned demand fits in the stock.

The planned demand is a step function of ``lam`` that changes only where two prices of one
period tie, so ``fluid_plan`` enumerates those breakpoints once per calendar: the multiplier of
any state is then a search in a table, exact (no bisection tolerance) and vectorised over a
batch. With the grid's discrete prices the plan takes the side of a breakpoint whose demand fits
(the higher prices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.policy import PolicyContext
from demand_models import lognormal
from envs.calendar import Calendar
from envs.market import Market, episode_tables


@dataclass(frozen=True, eq=False)
class FluidPlan:
    """The fluid plans of one calendar for every multiplier interval.

    Attributes:
        multipliers: ``(L,)`` increasing shadow prices of stock, one per interval (its lower end).
        prices: ``(L, T)`` grid index planned for each period.
        demand: ``(L, T)`` planned demand from each period to the end of the season,
            non-increasing in the multiplier.
    """

    multipliers: np.ndarray
    prices: np.ndarray
    demand: np.ndarray

    def fitting(self, t: int, stock: int) -> int:
        """The plan of period ``t`` with ``stock`` units: the first whose demand fits (else the last)."""
        return min(int(np.count_nonzero(self.demand[:, t] > stock + 1e-9)), len(self.prices) - 1)


def expected_demand_table(context: PolicyContext, calendars: list[Calendar]) -> np.ndarray:
    """``(B, T, K)`` expected demand of the true model at each grid price in each period of each calendar."""
    tables = episode_tables(
        context.model, context.market, calendars, context.config.lookahead, len(context.obs_index)
    )
    return lognormal.mean(tables.mu, tables.sigma)


def _choices(values: np.ndarray, mean: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``(L, T)`` best grid index per period for each multiplier (ties to the higher price)."""
    score = (values[None] - lam[:, None, None]) * mean[None]  # (L, T, K)
    n_prices = mean.shape[1]
    return n_prices - 1 - np.argmax(score[..., ::-1], axis=2)


def fluid_plan(market: Market, mean: np.ndarray) -> FluidPlan:
    """Enumerate the fluid plans of one calendar.

    Args:
        market: the resolved market (price grid, holding cost, salvage value, horizon).
        mean: ``(T, K)`` expected demand at each grid price in each period.

    Returns:
        The plans, one per interval of the multiplier on which every period's price is constant.
    """
    horizon = market.horizon
    values = market.prices[None, :] + market.holding_cost * (horizon - np.arange(horizon))[:, None]  # (T, K)
    revenue = values * mean
    with np.errstate(divide="ignore", invalid="ignore"):
        ties = (revenue[:, :, None] - revenue[:, None, :]) / (mean[:, :, None] - mean[:, None, :])
    floor = market.salvage_value
    ties = np.unique(ties[np.isfinite(ties) & (ties > floor)])
    points = (
        np.concatenate([[floor], 0.5 * (ties[:-1] + ties[1:]), ties[-1:] + 1.0])
        if len(ties)
        else np.array([floor])
    )
    lower = np.concatenate([[floor], ties])
    prices = _choices(values, mean, points)
    keep = np.concatenate([[True], np.any(prices[1:] != prices[:-1], axis=1)])
    prices = prices[keep]
    planned = np.take_along_axis(mean[None], prices[..., None], axis=2)[..., 0]  # (L, T)
    demand = np.cumsum(planned[:, ::-1], axis=1)[:, ::-1]
    return FluidPlan(multipliers=lower[keep], prices=prices, demand=demand)


@dataclass(frozen=True, eq=False)
class FluidPlans:
    """The plans of several calendars stacked for batched look-ups (padded by repeating the last plan).

    Attributes:
        prices: ``(B, L, T)``.
        demand: ``(B, L, T)``.
    """

    prices: np.ndarray
    demand: np.ndarray

    @classmethod
    def stack(cls, plans: list[FluidPlan]) -> FluidPlans:
        """Stack per-calendar plans."""
        length = max(len(plan.prices) for plan in plans)

        def padded(table: np.ndarray) -> np.ndarray:
            return np.concatenate([table, np.repeat(table[-1:], length - len(table), axis=0)])

        return cls(
            prices=np.stack([padded(plan.prices) for plan in plans]),
            demand=np.stack([padded(plan.demand) for plan in plans]),
        )

    def plan_index(self, calendar: np.ndarray, t: np.ndarray, stock: np.ndarray) -> np.ndarray:
        """``(n,)`` the plan (multiplier interval) of each state: the first whose demand fits in the stock.

        Args:
            calendar: ``(n,)`` calendar of each state.
            t: ``(n,)`` period.
            stock: ``(n,)`` units on hand.

        Returns:
            Index into axis 1 of ``prices``; the last plan (highest prices) when none fits.
        """
        demand = self.demand[calendar, :, t]  # (n, L)
        above = np.count_nonzero(demand > stock[:, None] + 1e-9, axis=1)
        return np.minimum(above, self.demand.shape[1] - 1)
