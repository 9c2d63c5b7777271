"""Exact expected season profit of a policy, by the same backward recursion as the DP optimum.

A policy whose price depends only on the period, the stock (and the last price) and the
calendar entries of the observation (every rule, the best fixed price, the static calendar, the
re-solving heuristic, the DP policy of another demand model) has an exact value: the recursion of
``agents.dp`` with the policy's price in place of the maximum. The policy is asked once for
every state, with the observation the env would show in that state, so any object with SB3's
``predict`` can be evaluated. Continuous actions are snapped to the nearest grid price (exact for
the baselines, which only choose grid prices); ``max_price_change`` is applied as the env does.

Covered: clearance (no replenishment), the default scenario. Other scenarios are scored by
simulation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.dp import DemandLaw, _shifted, demand_law
from agents.policy import PolicyContext
from envs.calendar import Calendar
from envs.market import MAX_STOCK_COVER, episode_tables


def _check_clearance(context: PolicyContext) -> None:
    if context.market.replenishment != "none":
        raise ValueError(
            "exact policy evaluation covers clearance (replenishment='none'); simulate the others"
        )


def state_observations(
    context: PolicyContext, calendar: Calendar, t: int, stock: np.ndarray, last_price: np.ndarray
) -> np.ndarray:
    """The observations the env shows at the start of period ``t`` (clearance: no orders in transit).

    Args:
        context: the public facts.
        calendar: the episode's calendar.
        t: the period.
        stock: ``(n,)`` units on hand.
        last_price: ``(n,)`` last period's price in currency.

    Returns:
        ``(n, n_obs)`` float32, as ``DynamicPricingEnv`` builds them.
    """
    market, index = context.market, context.obs_index
    tables = episode_tables(context.model, market, [calendar], context.config.lookahead, len(index))
    obs = np.repeat(tables.context_obs[0, t][None].astype(np.float64), len(stock), axis=0)
    obs[:, index["time_left"]] = (market.horizon - t) / market.horizon
    obs[:, index["stock_cover"]] = np.minimum(stock / tables.remaining[0, t], MAX_STOCK_COVER)
    obs[:, index["stock"]] = stock / market.capacity
    obs[:, index["last_price"]] = last_price / market.reference_price
    return obs.astype(np.float32)


def action_price_indices(context: PolicyContext, action: np.ndarray) -> np.ndarray:
    """Grid price index of each action of a batch (continuous prices snapped to the grid).

    Args:
        context: the public facts.
        action: ``(n,)`` discrete indices or ``(n, 1)`` values in [-1, 1].

    Returns:
        ``(n,)`` int64.
    """
    prices = context.market.prices
    if context.config.action_type == "discrete":
        return np.asarray(action, dtype=np.int64).reshape(len(action))
    value = np.asarray(action, dtype=np.float64).reshape(len(action), -1)[:, 0]
    price = prices[0] + (value + 1.0) * 0.5 * (prices[-1] - prices[0])
    return np.argmin(np.abs(price[:, None] - prices[None, :]), axis=1)


def _charged(context: PolicyContext, last_price: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Grid index actually charged under ``max_price_change`` (nearest allowed to the wanted price)."""
    market = context.market
    if market.max_price_change is None:
        return wanted
    allowed = np.abs(market.prices[None, :] - last_price[:, None]) <= market.max_price_change + 1e-9
    distance = np.where(allowed, np.abs(market.prices[None, :] - market.prices[wanted][:, None]), np.inf)
    return np.argmin(distance, axis=1)


def policy_table(policy: Any, context: PolicyContext, calendar: Calendar) -> tuple[int, np.ndarray]:
    """The grid price the policy charges in every state of one episode.

    Args:
        policy: anything with SB3's ``predict``; calendar-planning baselines are told ``calendar``
            (and their previous calendars restored afterwards).
        context: the public facts.
        calendar: the episode's calendar.

    Returns:
        ``(first, table)``: the index charged in period 0 at the opening stock, and ``(T, J, X + 1)``
        the index charged in period ``t`` with last price index ``j`` (``J`` is 1 when the price
        does not depend on the last price) and stock ``x``.
    """
    _check_clearance(context)
    market = context.market
    previous = getattr(policy, "calendars", ())
    if getattr(policy, "uses_calendar", False):
        policy.set_calendars([calendar])
    try:
        tracks_last = getattr(policy, "reads_last_price", True) or market.max_price_change is not None
        last = market.prices if tracks_last else np.array([market.initial_price])
        x = np.arange(market.capacity + 1)
        start = np.array([market.initial_price])
        first_obs = state_observations(context, calendar, 0, np.array([market.opening_stock]), start)
        first = _charged(context, start, action_price_indices(context, policy.predict(first_obs)[0]))
        table = np.zeros((market.horizon, len(last), len(x)), dtype=np.int64)
        stock, last_price = np.tile(x, len(last)), np.repeat(last, len(x))
        for t in range(1, market.horizon):
            obs = state_observations(context, calendar, t, stock, last_price)
            wanted = action_price_indices(context, policy.predict(obs)[0])
            table[t] = _charged(context, last_price, wanted).reshape(len(last), len(x))
    finally:
        if getattr(policy, "uses_calendar", False) and previous:
            policy.set_calendars(previous)
    return int(first[0]), table


def expected_rewards(context: PolicyContext, law: DemandLaw, t: int) -> np.ndarray:
    """``(K, X + 1)`` expected profit of period ``t`` (before the salvage) at each grid price and stock.

    Args:
        context: the public facts.
        law: the episode's demand law.
        t: the period.

    Returns:
        Revenue minus holding and stock-out penalty, as in ``agents.dp``.
    """
    market = context.market
    x = np.arange(market.capacity + 1)
    pen = market.stockout_penalty
    sales = law.sales[t]
    return (
        (market.prices[:, None] + pen) * sales
        - market.holding_cost * (x[None, :] - sales)
        - pen * law.mean[t][:, None]
    )


def table_value(context: PolicyContext, law: DemandLaw, first: int, table: np.ndarray) -> float:
    """Expected season profit of the prices in ``table`` (see ``policy_table``), opening stock cost included.

    Args:
        context: the public facts.
        law: the demand law of the episode (``agents.dp.demand_law``).
        first: the index charged in period 0.
        table: ``(T, J, X + 1)`` the index charged in each later state.

    Returns:
        The expected profit in currency.
    """
    market = context.market
    x = np.arange(market.capacity + 1)
    values = (market.salvage_value * x)[None].astype(np.float64)
    for t in range(market.horizon - 1, 0, -1):
        q = expected_rewards(context, law, t) + _shifted(law.pmf[t], law.tail[t], values, 0)
        values = q[table[t], x[None, :]]
    x0 = market.opening_stock
    q0 = (
        expected_rewards(context, law, 0)[first, x0] + _shifted(law.pmf[0], law.tail[0], values, 0)[first, x0]
    )
    return float(q0 - market.unit_cost * x0)


def exact_value(
    policy: Any, context: PolicyContext, calendar: Calendar, law: DemandLaw | None = None
) -> float:
    """Exact expected season profit of a policy on one calendar (clearance).

    Args:
        policy: anything with SB3's ``predict`` whose price depends only on the period, the
            stock, the last price and the calendar entries of the observation.
        context: the public facts.
        calendar: the episode's calendar.
        law: the episode's demand law if already computed.

    Returns:
        The expected profit in currency, comparable to ``solve_dp(...).value``.
    """
    _check_clearance(context)
    market = context.market
    law = (
        law
        if law is not None
        else demand_law(context.config, context.model, market, calendar, market.capacity)
    )
    first, table = policy_table(policy, context, calendar)
    return table_value(context, law, first, table)


def fixed_price_values(
    context: PolicyContext, calendar: Calendar, law: DemandLaw | None = None
) -> np.ndarray:
    """Exact expected season profit of charging each grid price in every period (clearance).

    Args:
        context: the public facts.
        calendar: the episode's calendar.
        law: the episode's demand law if already computed.

    Returns:
        ``(K,)`` expected profit in currency per grid price.
    """
    _check_clearance(context)
    market = context.market
    law = (
        law
        if law is not None
        else demand_law(context.config, context.model, market, calendar, market.capacity)
    )
    x = np.arange(market.capacity + 1)
    values = (market.salvage_value * x)[None].astype(np.float64)
    for t in range(market.horizon - 1, -1, -1):
        values = expected_rewards(context, law, t) + _shifted(law.pmf[t], law.tail[t], values, 0)
    return values[:, market.opening_stock] - market.unit_cost * market.opening_stock
