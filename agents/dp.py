"""The exact optimum: Bellman recursion over (period, stock[, order in transit]) and the price grid.

For one episode's calendar, ``solve_dp`` computes the optimal expected season profit ``V0``
(in currency, on the env's price grid) and an ``OptimalPolicy`` that reads only the observation.
It uses the demand model's ``pmf`` at the grid prices and the calendar's context, the same
distribution the env samples from (or the env's deterministic demand when ``noise`` is off), and
the env's timing: price (and order), sales, holding on what is left, arrival of the order due.

Covered exactly: clearance; order-up-to replenishment with ``lead_time`` 1 or 2 (the order in
transit is part of the state); agent orders with ``lead_time`` 1; any of these with
``max_price_change`` (the last price is part of the state). The joint scenario at full size
(``lead_time`` >= 2) is covered by ``agents.hindsight.hindsight_bound``, an upper bound.

Expected values use ``pmf`` with the stock capacity as support; a fast FFT convolution makes the
default scenario take a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.signal import fftconvolve

from demand_models.base import DemandModel
from envs.calendar import Calendar
from envs.config import PricingEnvConfig
from envs.demand import make_demand_model
from envs.market import Market, episode_tables, observation_layout, resolve_market


@dataclass(frozen=True, eq=False)
class DemandLaw:
    """Demand of each period and grid price on the stock support ``0..X``.

    Attributes:
        pmf: ``(T, K, X + 1)``, ``P(D = d)``.
        tail: ``(T, K, X + 1)``, ``P(D >= x)``.
        sales: ``(T, K, X + 1)``, ``E[min(D, x)]``.
        mean: ``(T, K)``, ``E[D]`` (only used with a stock-out penalty; zero without).
    """

    pmf: np.ndarray
    tail: np.ndarray
    sales: np.ndarray
    mean: np.ndarray


def demand_law(
    config: PricingEnvConfig, model: DemandModel, market: Market, calendar: Calendar, n_max: int
) -> DemandLaw:
    """The demand distribution the env draws from, on the support ``0..n_max``.

    Args:
        config: the env settings (``noise``).
        model: the bound demand model.
        market: the resolved market.
        calendar: the episode's calendar.
        n_max: the largest stock.

    Returns:
        The distribution tables.
    """
    horizon, n_prices = market.horizon, len(market.prices)
    features = calendar.features(model)
    if config.noise:
        prices = np.tile(market.prices, horizon)
        rows = np.repeat(features, n_prices, axis=0)
        full = model.pmf(prices, rows, n_max + 1).reshape(horizon, n_prices, n_max + 2)
    else:
        n_obs = len(observation_layout(config, model, market)[0])
        units = episode_tables(model, market, [calendar], config.lookahead, n_obs).units_without_noise[0]
        full = np.zeros((horizon, n_prices, n_max + 2))
        np.put_along_axis(full, np.minimum(units, n_max + 1).astype(np.int64)[..., None], 1.0, axis=2)
    pmf = full[..., : n_max + 1]
    tail = np.cumsum(full[..., ::-1], axis=2)[..., ::-1][..., : n_max + 1]  # P(D >= x)
    d = np.arange(n_max + 1)
    below = np.concatenate([np.zeros((horizon, n_prices, 1)), np.cumsum(pmf * d, axis=2)[..., :-1]], axis=2)
    sales = below + d * tail
    mean = np.zeros((horizon, n_prices))
    if market.stockout_penalty > 0:
        if config.noise:
            mu, sigma = model.log_params(prices, rows)
            wide = int(min(np.exp(mu + 10 * sigma).max(), 1e6)) + 1
            wide_pmf = model.pmf(prices, rows, max(wide, n_max + 1))[:, :-1]
            mean = (wide_pmf @ np.arange(wide_pmf.shape[1])).reshape(horizon, n_prices)
        else:
            mean = units
    return DemandLaw(pmf=pmf, tail=tail, sales=sales, mean=mean)


def _shifted(law_pmf: np.ndarray, tail: np.ndarray, values: np.ndarray, shift: int) -> np.ndarray:
    """``E[V(x + shift - min(D, x))]`` for every ``x`` with ``x + shift`` inside ``values``.

    Args:
        law_pmf: ``(K, n)``.
        tail: ``(K, n)``.
        values: ``(Kv, m)`` next-period values (``Kv`` is 1 or K), ``m >= n + shift`` not required:
            entries beyond ``m - shift`` are returned as NaN.
        shift: units added to the leftover (an arriving order).

    Returns:
        ``(K, n)``.
    """
    n = law_pmf.shape[1]
    width = min(n, values.shape[1] - shift)
    g = values[:, shift : shift + width]
    conv = fftconvolve(law_pmf[:, :width], g, axes=1)[:, :width]
    out = np.full((law_pmf.shape[0], n), np.nan)
    out[:, :width] = conv + (tail[:, :width] - law_pmf[:, :width]) * g[:, :1]
    return out


def _levelled(law_pmf: np.ndarray, tail: np.ndarray, values: np.ndarray, level: int) -> np.ndarray:
    """``E[V(level - min(D, x))]`` for ``x = 0..level`` (an order brings the position to ``level``).

    Args:
        law_pmf: ``(K, n)`` with ``n > level``.
        tail: ``(K, n)``.
        values: ``(Kv, m)`` next-period values, ``m > level``.
        level: the stock after the order arrives, before sales.

    Returns:
        ``(K, level + 1)``.
    """
    d = np.arange(level + 1)
    terms = law_pmf[:, : level + 1] * values[:, level - d]
    below = np.concatenate([np.zeros((terms.shape[0], 1)), np.cumsum(terms, axis=1)[:, :-1]], axis=1)
    return below + tail[:, : level + 1] * values[:, level - d]


def _maximise(q: np.ndarray, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Best action value and index over axis 0 of ``q`` (actions), per last-price state if constrained.

    Args:
        q: ``(A, ...)`` action values, ``A = K * Q`` (price-major).
        allowed: ``(K, K)`` bool, ``allowed[j, k]`` price k reachable from price j, or None.

    Returns:
        ``(value, action)``: shapes ``(1, ...)`` unconstrained, ``(K, ...)`` constrained.
    """
    if allowed is None:
        return q.max(axis=0, keepdims=True), q.argmax(axis=0)[None]
    n_prices = allowed.shape[0]
    per_price = q.reshape(n_prices, -1, *q.shape[1:])
    n_orders = per_price.shape[1]
    values, actions = [], []
    for j in range(n_prices):
        reachable = np.flatnonzero(allowed[j])
        flat = per_price[reachable].reshape(-1, *q.shape[1:])
        best = flat.argmax(axis=0)
        values.append(np.take_along_axis(flat, best[None], axis=0)[0])
        actions.append(reachable[best // n_orders] * n_orders + best % n_orders)
    return np.stack(values), np.stack(actions)


class OptimalPolicy:
    """The DP's optimal action for one episode's calendar, read only from the observation.

    The state is decoded from ``time_left``, ``stock``, ``pipeline_1`` and ``last_price`` (with an
    order in transit, the states are indexed by (stock + order in transit, stock)); the
    policy is optimal for the calendar it was solved for (with random calendars, solve each
    episode: ``solve_dp(config, env.unwrapped.calendar)``).

    Args:
        actions: ``(T, J, *states)`` flat action index (price-major over ``K x Q``), ``J`` is 1
            or K (the last price index, with ``max_price_change``).
        first: ``(*states)`` flat action index in period 0 (from the initial price).
        config: the env settings.
        market: the resolved market.
        obs_index: name -> position of the observation entries.
    """

    def __init__(
        self,
        actions: np.ndarray,
        first: np.ndarray,
        config: PricingEnvConfig,
        market: Market,
        obs_index: dict[str, int],
    ) -> None:
        self.actions = actions
        self.first = first
        self.config = config
        self.market = market
        self.obs_index = obs_index

    def _flat_actions(self, obs: np.ndarray) -> np.ndarray:
        market, index = self.market, self.obs_index
        t = market.horizon - np.rint(obs[:, index["time_left"]] * market.horizon).astype(np.int64)
        if np.any((t < 0) | (t >= market.horizon)):
            raise ValueError("observation is outside the season (time_left must be > 0)")
        stock = np.rint(obs[:, index["stock"]] * market.capacity).astype(np.int64)
        states = [stock]
        if self.actions.ndim == 4:  # (position after arrivals, stock) with one order in transit
            states.insert(0, stock + np.rint(obs[:, index["pipeline_1"]] * market.capacity).astype(np.int64))
        last = obs[:, index["last_price"]] * market.reference_price
        j = (
            np.argmin(np.abs(last[:, None] - market.prices[None, :]), axis=1)
            if self.actions.shape[1] > 1
            else 0
        )
        later = self.actions[(t, j if np.ndim(j) else np.zeros_like(t), *states)]
        return np.where(t == 0, self.first[tuple(states)], later)

    def predict(
        self,
        observation: np.ndarray,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, None]:
        """The optimal action for one observation or a batch (SB3's ``predict`` interface).

        Args:
            observation: ``(n_obs,)`` or ``(n, n_obs)``.
            state: unused (no recurrent state).
            episode_start: unused.
            deterministic: unused (the policy is deterministic).

        Returns:
            ``(action, None)``, actions shaped for the env's action space (batched if the input is).
        """
        obs = np.asarray(observation, dtype=np.float64)
        batch = np.atleast_2d(obs)
        flat = self._flat_actions(batch)
        market = self.market
        n_orders = 1 if market.order_quantities is None else len(market.order_quantities)
        k, q = np.divmod(flat, n_orders)
        if self.config.action_type == "continuous":
            price = 2 * (market.prices[k] - market.prices[0]) / (market.prices[-1] - market.prices[0]) - 1
            columns = [price]
            if market.order_quantities is not None:
                columns.append(2 * market.order_quantities[q] / market.order_quantities[-1] - 1)
            action = np.clip(np.stack(columns, axis=1), -1, 1).astype(np.float32)
        elif market.order_quantities is not None:
            action = np.stack([k, q], axis=1)
        else:
            action = k
        return (action[0] if obs.ndim == 1 else action), None


@dataclass(frozen=True, eq=False)
class DPResult:
    """The solution of the Bellman recursion for one calendar.

    Attributes:
        value: ``V0``, the optimal expected season profit in currency (on the price grid,
            opening stock cost included).
        policy: the optimal policy.
        fixed_price_values: ``(K,)`` expected season profit of charging each grid price in every
            period (orders still chosen optimally when the agent orders), or None.
    """

    value: float
    policy: OptimalPolicy
    fixed_price_values: np.ndarray | None = None


def _check_exact(market: Market) -> None:
    if market.replenishment == "order_up_to" and market.lead_time > 2:
        raise ValueError("exact DP covers order-up-to replenishment with lead_time <= 2")
    if market.replenishment == "agent" and market.lead_time > 1:
        raise ValueError(
            "exact DP covers agent orders with lead_time 1 only; use agents.hindsight.hindsight_bound "
            "for an upper bound"
        )


def _recursion(
    config: PricingEnvConfig, market: Market, law: DemandLaw, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward recursion.

    Returns:
        ``(actions (T, J, *states), q0 (A, *states) action values in period 0, v_terminal)``.
    """
    horizon, lead = market.horizon, market.lead_time
    prices = market.prices
    cap = market.capacity
    x = np.arange(cap + 1)
    h, s, pen, c, fixed = (
        market.holding_cost,
        market.salvage_value,
        market.stockout_penalty,
        market.unit_cost,
        market.fixed_order_cost,
    )
    pipeline = market.replenishment == "order_up_to" and lead == 2
    if pipeline:
        n = market.order_up_to + 1
        values = np.broadcast_to(s * np.arange(n, dtype=np.float64), (1, n, n))
        position = np.arange(n)[:, None]
        below_position = np.arange(n)[None, :] <= position
    else:
        values = (s * x)[None].astype(np.float64)
    actions = []
    q0 = None
    for t in range(horizon - 1, -1, -1):
        pmf, tail, sales, mean = law.pmf[t], law.tail[t], law.sales[t], law.mean[t]
        reward = (prices[:, None] + pen) * sales - h * (x[None, :] - sales) - pen * mean[:, None]  # (K, X+1)
        ordering = t + lead <= horizon - 1
        if market.replenishment == "none" or (
            market.replenishment == "order_up_to" and not ordering and not pipeline
        ):
            q = reward + _shifted(pmf, tail, values, 0)
        elif market.replenishment == "order_up_to" and not pipeline:
            level = market.order_up_to
            order = level - x  # x <= level always
            q = reward + _levelled(pmf, tail, values, level) - c * order - fixed * (order > 0)
        elif market.replenishment == "order_up_to":
            expectation = _pipeline_expectation(pmf[:, :n], tail[:, :n], values, n - 1, ordering)
            order = (n - 1 - position) if ordering else np.zeros_like(position)
            q = reward[:, None, :n] + expectation - c * order - fixed * (order > 0)
            q = np.where(below_position, q, -1e18)
        elif ordering:
            q = _joint_expectation(pmf, tail, values, market) + reward[:, None, :]
            q = q.reshape(-1, cap + 1)
        else:
            q = reward + _shifted(pmf, tail, values, 0)
            q = np.repeat(q[:, None, :], len(market.order_quantities), axis=1).reshape(-1, cap + 1)
        q0 = q
        values, best = _maximise(q, allowed)
        if pipeline:
            values = np.where(values < -1e17, 0.0, values)
        actions.append(best)
    return np.stack(actions[::-1]), q0, values


def _pipeline_expectation(
    pmf: np.ndarray, tail: np.ndarray, values: np.ndarray, level: int, ordering: bool
) -> np.ndarray:
    """``E[V(next state)]`` with one order in transit (lead time 2) and order-up-to ``level``.

    States are ``(u, x)``: ``u`` = stock + order in transit (the position before ordering), ``x``
    = stock. After ordering ``level - u`` (if ordering) and selling ``min(D, x)``, the next stock is
    ``u - min(D, x)`` and the next position adds the new order.

    Args:
        pmf: ``(K, level + 1)``.
        tail: ``(K, level + 1)``.
        values: ``(Kv, level + 1, level + 1)`` next values over ``(u, x)``.
        level: the order-up-to level.
        ordering: whether an order is placed this period.

    Returns:
        ``(K, level + 1, level + 1)`` over ``(u, x)`` (entries with ``x > u`` are meaningless).
    """
    n = level + 1
    u = np.arange(n)[:, None]
    d = np.arange(n)[None, :]
    order = (level - u) if ordering else np.zeros_like(u)
    after = np.maximum(u - d, 0)  # next stock when d < x, per (u, d)
    terms = pmf[:, None, :] * np.where(d <= u, values[:, after + order, after], 0.0)  # (K, u, d)
    below = np.cumsum(terms, axis=2)
    below = np.concatenate([np.zeros(below.shape[:2] + (1,)), below[..., :-1]], axis=2)  # sum over d < x
    in_transit = np.maximum(u - d, 0)  # per (u, x): what is left when all x are sold
    return below + tail[:, None, :] * values[:, in_transit + order, in_transit]


def _joint_expectation(pmf: np.ndarray, tail: np.ndarray, values: np.ndarray, market: Market) -> np.ndarray:
    """``E[V(x - min(D, x) + q)]`` for each order ``q`` of the grid, cut to the capacity; lead time 1.

    Returns:
        ``(K, Q, X + 1)`` including the order costs.
    """
    cap = market.capacity
    x = np.arange(cap + 1)
    out = []
    for quantity in market.order_quantities:
        shifted = _shifted(pmf, tail, values, int(quantity))  # valid for x <= cap - q
        capped = _levelled(pmf, tail, values, cap)  # order cut to cap - x
        expectation = np.where(x[None, :] <= cap - quantity, shifted, capped)
        order = np.minimum(quantity, cap - x)
        out.append(expectation - market.unit_cost * order - market.fixed_order_cost * (order > 0))
    return np.stack(out, axis=1)


def solve_dp(
    config: PricingEnvConfig,
    calendar: Calendar,
    model: DemandModel | None = None,
    *,
    fixed_prices: bool = False,
) -> DPResult:
    """Optimal expected season profit and policy for one calendar.

    Args:
        config: the env settings (``env.unwrapped.config``).
        calendar: the episode's calendar (``env.unwrapped.calendar``).
        model: the env's demand model if it was injected (default: built from ``config``).
        fixed_prices: also compute the value of every fixed grid price.

    Returns:
        ``V0``, the optimal policy and optionally the fixed-price values.

    Raises:
        ValueError: the scenario is beyond exact DP (see the module docstring).
    """
    model = model if model is not None else make_demand_model(config)
    market = resolve_market(config, model)
    _check_exact(market)
    if calendar.horizon != market.horizon:
        raise ValueError(f"calendar has {calendar.horizon} periods, the config's horizon is {market.horizon}")
    law = demand_law(config, model, market, calendar, market.capacity)
    allowed = None
    if market.max_price_change is not None:
        allowed = np.abs(market.prices[:, None] - market.prices[None, :]) <= market.max_price_change + 1e-9
    actions, q0, _ = _recursion(config, market, law, allowed)
    start = market.allowed_prices(market.initial_price)
    n_orders = 1 if market.order_quantities is None else len(market.order_quantities)
    start_mask = np.repeat(start, n_orders).reshape(-1, *[1] * (q0.ndim - 1))
    masked = np.where(start_mask, q0, -np.inf)
    first = masked.argmax(axis=0)
    x0 = market.opening_stock
    v0 = float(masked.max(axis=0)[(x0, x0) if q0.ndim == 3 else x0] - market.unit_cost * x0)
    names = observation_layout(config, model, market)[0]
    policy = OptimalPolicy(actions, first, config, market, {name: i for i, name in enumerate(names)})
    fixed = None
    if fixed_prices:
        _, q0_fixed, _ = _recursion(config, market, law, np.eye(len(market.prices), dtype=bool))
        per_price = q0_fixed.reshape(len(market.prices), n_orders, *q0_fixed.shape[1:]).max(axis=1)
        fixed = (
            per_price[(slice(None), x0, x0) if q0.ndim == 3 else (slice(None), x0)] - market.unit_cost * x0
        )
    return DPResult(value=v0, policy=policy, fixed_price_values=fixed)
