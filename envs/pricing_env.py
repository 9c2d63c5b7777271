"""``DynamicPricingEnv``: price (and stock) a product over a season against a learned demand model."""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from demand_models import lognormal
from demand_models.base import DemandModel
from envs.calendar import Calendar, CalendarSource
from envs.config import SCENARIOS, PricingEnvConfig, scenario_config
from envs.demand import make_demand_model
from envs.market import (
    MAX_STOCK_COVER,
    EpisodeTables,
    Market,
    episode_tables,
    observation_layout,
    resolve_market,
)

RESET_OPTIONS = ("start", "calendar")


class RenderModeError(TypeError, ValueError):
    """An unsupported ``render_mode``; also a ``TypeError`` so SB3's ``make_vec_env`` retries without it."""


def make_config(
    config: PricingEnvConfig | None, scenario: str, overrides: dict[str, Any]
) -> PricingEnvConfig:
    """The env's config: ``config`` (or the scenario's) with ``overrides`` applied."""
    if config is None:
        return scenario_config(scenario, **overrides)
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {scenario!r}")
    return config.with_overrides(**overrides) if overrides else config


def make_action_space(config: PricingEnvConfig, market: Market) -> spaces.Space:
    """``Discrete(K)`` or ``Box(-1, 1, (1,))``; ordering: ``MultiDiscrete([K, Q])`` or ``Box((2,))``."""
    agent_orders = market.order_quantities is not None
    if config.action_type == "continuous":
        return spaces.Box(-1.0, 1.0, shape=(2 if agent_orders else 1,), dtype=np.float32)
    if agent_orders:
        return spaces.MultiDiscrete([len(market.prices), len(market.order_quantities)])
    return spaces.Discrete(len(market.prices))


class DynamicPricingEnv(gym.Env[np.ndarray, np.ndarray]):
    """Set the price of one product each week of a season, with a promotion calendar and finite stock.

    ## Description

    A retailer sells one product (by default Tropicana Premium 64 oz at Dominick's store 101)
    over a season of ``horizon`` weeks. Each week the agent sets a price; demand is drawn from a
    demand model learned from sales history (by default the shipped neural model learned from
    Dominick's orange juice), given the price, the week's promotion flags (deal, feature), the
    season and competitor prices. Sales are ``min(demand, stock)``; the rest is
    lost. Stock left at the end of a week pays a holding cost, stock left at the end of the
    season is salvaged. Three scenarios (registered ids): ``DynamicPricing-v0`` clears a stock
    bought before the season; ``DynamicPricingReplenish-v0`` replenishes with an order-up-to
    rule and a lead time over a year; ``DynamicPricingJoint-v0`` lets the agent choose the order
    quantity too. Orders arrive ``lead_time`` weeks after they are placed; orders that could not
    arrive within the season are not placed. Within a week: the price (and order) is set, the
    order is paid, demand and sales happen, holding is charged on what is left, then the order
    due next week arrives.

    ## Action Space

    ``Discrete(n_prices)``: index into the price grid ``linspace(price_min, price_max, n_prices)``;
    or, with ``action_type="continuous"``, ``Box(-1, 1, (1,), float32)`` mapped linearly to
    ``[price_min, price_max]``. In the joint scenario a second component picks the order:
    ``MultiDiscrete([n_prices, Q])`` (index into the order grid ``0..max_order``) or a second
    ``Box`` entry mapped to ``[0, max_order]`` units. With ``max_price_change``, a price further
    than that from last week's is replaced by the nearest allowed one (the charged price is in
    ``info["price"]``); ``action_masks()`` gives the allowed grid prices for MaskablePPO. Out of
    range, non-finite or wrongly shaped actions raise a ``ValueError``.

    ## Observation Space

    ``Box(low, high, float32)``; ``env.obs_index[name]`` gives the position of each entry:

    | index | name | meaning | bounds |
    |---|---|---|---|
    | 0 | ``time_left`` | weeks left / horizon | [0, 1] |
    | 1 | ``stock_cover`` | (stock + in transit) / expected remaining demand at reference price [*] | [0, 5] |
    | 2 | ``stock`` | stock on hand / capacity | [0, 1] |
    | 3 | ``last_price`` | last week's price / reference price | grid range / reference |
    | 4.. | ``pipeline_j`` | order arriving in j weeks / capacity, j < lead_time (replenishment) | [0, 1] |
    | next 2 | ``season_sin``, ``season_cos`` | position of the week in the year | [-1, 1] |
    | next | ``<flag>_<k>`` | flag (``deal``, ``feat``) of week t + k, k <= lookahead; 0 past end | [0, 1] |
    | last | ``competitor_<name>`` | competitor price / reference price (if the model uses them) | [0, 4] |

    [*] the expected demand of the remaining weeks at the reference price, counting the
    promotions visible now (this week and ``lookahead`` ahead) and none beyond.

    ## Rewards

    The profit of the week in currency, times ``reward_scale``: revenue + salvage (last week)
    - purchase cost (the opening stock in the first week, orders when placed) - fixed ordering
    cost - holding cost - stock-out penalty. The episode return is the season's profit.

    ## Starting State

    Stock at ``opening_stock``, no orders in transit, last price ``initial_price``; the
    calendar is drawn from the env's generator (a random start week of the replayed history by
    default), or given by ``reset(options={"start": row})`` or ``options={"calendar": cal}``.
    ``env.unwrapped.calendar`` is the episode's calendar, for ``agents.dp.solve_dp``.

    ## Episode End

    The episode terminates after ``horizon`` weeks (``terminated=True``, the salvage in the
    last reward); it is never truncated.

    ## Arguments

    ``config`` (a ``PricingEnvConfig``, default the scenario's), ``scenario`` (``"clearance"``,
    ``"replenish"`` or ``"joint"``), ``model`` (a bound ``DemandModel`` replacing the configured
    one), ``render_mode`` (``"ansi"`` or ``"rgb_array"``), and any ``PricingEnvConfig`` setting as a keyword.

    ## Version History

    * v0: initial version.

    Example:
        >>> import gymnasium as gym
        >>> env = gym.make("envs:DynamicPricing-v0")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape == env.observation_space.shape, env.unwrapped.obs_index["time_left"]
        (True, 0)
        >>> obs, reward, terminated, truncated, info = env.step(10)
        >>> round(info["price"], 2), terminated, truncated
        (2.67, False, False)
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        config: PricingEnvConfig | None = None,
        *,
        scenario: str = "clearance",
        model: DemandModel | None = None,
        render_mode: str | None = None,
        **overrides: Any,
    ) -> None:
        self.config = make_config(config, scenario, overrides)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise RenderModeError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}"
            )
        self.render_mode = render_mode
        self.model = model if model is not None else make_demand_model(self.config)
        self.market = resolve_market(self.config, self.model)
        self.calendar_source = CalendarSource(self.config, self.model)
        self.obs_names, low, high = observation_layout(self.config, self.model, self.market)
        self.obs_index = MappingProxyType({name: i for i, name in enumerate(self.obs_names)})
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self.action_space = make_action_space(self.config, self.market)
        self._bank: EpisodeTables | None = None
        if self.calendar_source.n_starts is not None:
            starts = range(self.calendar_source.n_starts)
            self._bank = self._tables([self.calendar_source.at_start(s) for s in starts])
        self._prices = self.market.prices.tolist()
        self.calendar: Calendar | None = None
        self._t = 0

    def _tables(self, calendars: list[Calendar]) -> EpisodeTables:
        return episode_tables(self.model, self.market, calendars, self.config.lookahead, len(self.obs_names))

    # ------------------------------------------------------------------ reset

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict]:
        """Start a season: opening stock, no orders in transit, a new calendar."""
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = sorted(set(options) - set(RESET_OPTIONS))
        if unknown:
            raise ValueError(f"unknown reset option(s) {unknown}; allowed: {list(RESET_OPTIONS)}")
        if "calendar" in options:
            calendar = options["calendar"]
            if not isinstance(calendar, Calendar) or calendar.horizon != self.market.horizon:
                raise ValueError(
                    f"reset option 'calendar' must be a Calendar of {self.market.horizon} periods"
                )
            tables, row = self._tables([calendar]), 0
        elif "start" in options:
            calendar = self.calendar_source.at_start(int(options["start"]))
            tables, row = self._bank, calendar.start
        else:
            calendar = self.calendar_source.draw(self.np_random)
            tables, row = (
                (self._bank, calendar.start) if calendar.start is not None else (self._tables([calendar]), 0)
            )
        self.calendar = calendar
        self._features = tables.features[row]
        self._mu, self._sigma = tables.mu[row], tables.sigma[row]
        self._units_without_noise = tables.units_without_noise[row]
        self._remaining = tables.remaining[row]
        self._context = tables.context_obs[row]
        self._t = 0
        self._stock = self.market.opening_stock
        self._pipeline = [0] * (self.market.lead_time - 1)
        self._last_price = self.market.initial_price
        self._last_info: dict[str, Any] = {}
        if self.render_mode == "rgb_array":
            self._drawn = np.zeros((self.market.horizon, 2))  # price and end-of-week stock of each week so far
        return self._get_obs(), {"period": 0, "stock": float(self._stock), "calendar_start": calendar.start}

    # ------------------------------------------------------------------ step

    def _parse_action(self, action: Any) -> tuple[int | None, float, int | None, float]:
        """``(price index or None, price, order index or None, order fraction)`` from an action."""
        market = self.market
        if isinstance(self.action_space, spaces.Box):
            array = np.asarray(action)
            if array.shape != self.action_space.shape or array.dtype.kind not in "fiu":
                raise ValueError(f"action must be numbers of shape {self.action_space.shape}, got {action!r}")
            values = array.tolist()
            if not all(-1.0 <= value <= 1.0 for value in values):  # also rejects NaN
                raise ValueError(f"action must lie in [-1, 1] (finite), got {values}")
            low, high = self._prices[0], self._prices[-1]
            price = low + (values[0] + 1.0) * 0.5 * (high - low)
            return None, price, None, (values[1] + 1.0) * 0.5 if len(values) > 1 else 0.0
        values = action if isinstance(action, np.ndarray) else np.asarray(action)
        if values.dtype.kind not in "iu":
            raise ValueError(f"action must be an integer index (or integer array), got {action!r}")
        flat = values.reshape(-1)
        n_components = 2 if isinstance(self.action_space, spaces.MultiDiscrete) else 1
        if flat.size != n_components:
            raise ValueError(f"action must hold {n_components} integer(s), got shape {values.shape}")
        k = int(flat[0])
        if not 0 <= k < len(market.prices):
            raise ValueError(f"price index must lie in [0, {len(market.prices)}), got {k}")
        if n_components == 1:
            return k, self._prices[k], None, 0.0
        q = int(flat[1])
        if not 0 <= q < len(market.order_quantities):
            raise ValueError(f"order index must lie in [0, {len(market.order_quantities)}), got {q}")
        return k, self._prices[k], q, 0.0

    def action_masks(self) -> np.ndarray:
        """Allowed actions for sb3-contrib's MaskablePPO: grid prices within ``max_price_change``.

        Returns:
            ``(K,)`` bool, or ``(K + Q,)`` with the (all allowed) order levels in the joint scenario.
        """
        mask = self.market.allowed_prices(self._last_price)
        if self.market.order_quantities is not None:
            mask = np.concatenate([mask, np.ones(len(self.market.order_quantities), dtype=bool)])
        return mask

    def _constrained_price(self, k: int | None, price: float) -> tuple[int | None, float]:
        """The price actually charged under ``max_price_change``."""
        limit = self.market.max_price_change
        if limit is None or abs(price - self._last_price) <= limit + 1e-9:
            return k, price
        if k is None:
            return None, min(max(price, self._last_price - limit), self._last_price + limit)
        allowed = np.flatnonzero(self.market.allowed_prices(self._last_price))
        k = int(allowed[np.argmin(np.abs(self.market.prices[allowed] - price))])
        return k, self._prices[k]

    def _order(self, order_index: int | None, order_fraction: float) -> int:
        """Units ordered this period (arriving ``lead_time`` periods later)."""
        market = self.market
        if market.replenishment == "none" or self._t + market.lead_time > market.horizon - 1:
            return 0
        position = self._stock + sum(self._pipeline)
        if market.replenishment == "order_up_to":
            return max(0, market.order_up_to - position)
        wanted = (
            int(market.order_quantities[order_index])
            if order_index is not None
            else int(round(order_fraction * int(market.order_quantities[-1])))
        )
        return max(0, min(wanted, market.capacity - position))

    def _demand(self, k: int | None, price: float) -> int:
        t = self._t
        if k is None:
            mu, sigma = self.model.log_params(np.array([price]), self._features[t : t + 1])
            if not self.config.noise:
                return int(np.rint(lognormal.mean(mu, sigma))[0])
            return int(round(math.exp(mu[0] + sigma[0] * self.np_random.standard_normal())))
        if not self.config.noise:
            return int(self._units_without_noise[t, k])
        return int(round(math.exp(self._mu[t, k] + self._sigma[t, k] * self.np_random.standard_normal())))

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Charge a price (and order), sell, hold, salvage at the end of the season."""
        if self.calendar is None:
            raise RuntimeError("call reset() before step()")
        if self._t >= self.market.horizon:
            raise RuntimeError("the season is over: call reset()")
        market = self.market
        k, price, order_index, order_fraction = self._parse_action(action)
        k, price = self._constrained_price(k, price)
        order = self._order(order_index, order_fraction)
        demand = self._demand(k, price)
        sales = min(demand, self._stock)
        lost = demand - sales
        self._stock -= sales
        purchase = market.unit_cost * (order + (market.opening_stock if self._t == 0 else 0))
        ordering = market.fixed_order_cost if order > 0 else 0.0
        holding = market.holding_cost * self._stock
        penalty = market.stockout_penalty * lost
        revenue = price * sales
        self._t += 1
        terminated = self._t == market.horizon
        salvage = market.salvage_value * self._stock if terminated else 0.0
        arrival = 0
        if not terminated:
            self._pipeline.append(order)
            arrival = self._pipeline.pop(0)
            self._stock += arrival
        cost = purchase + ordering + holding + penalty
        profit = revenue + salvage - cost
        self._last_price = price
        period = self._t - 1
        info = {
            "period": period,
            "price": float(price),
            "demand": float(demand),
            "sales": float(sales),
            "lost_sales": float(lost),
            "stock": float(self._stock),
            "order": float(order),
            "arrival": float(arrival),
            "revenue": float(revenue),
            "purchase_cost": float(purchase),
            "holding_cost": float(holding),
            "cost": float(cost),
            "margin": float(revenue - market.unit_cost * sales),
            "salvage": float(salvage),
            "profit": float(profit),
        }
        for j, name in enumerate(self.calendar.promo_names):
            info[name] = float(self.calendar.promos[period, j])
        self._last_info = info
        if self.render_mode == "rgb_array":
            self._drawn[period] = price, self._stock
        return self._get_obs(), float(profit * self.config.reward_scale), terminated, False, info

    # ------------------------------------------------------------------ observation, render

    def _get_obs(self) -> np.ndarray:
        market = self.market
        t = self._t
        obs = self._context[t].copy()
        position = self._stock + sum(self._pipeline)
        obs[0] = (market.horizon - t) / market.horizon
        obs[1] = min(position / self._remaining[t], MAX_STOCK_COVER) if t < market.horizon else 0.0
        obs[2] = self._stock / market.capacity
        obs[3] = self._last_price / market.reference_price
        for j, units in enumerate(self._pipeline):
            obs[4 + j] = units / market.capacity
        return obs

    def render(self) -> str | np.ndarray | None:
        """``"ansi"``: a one-line summary of the last week; ``"rgb_array"``: the season so far as an image."""
        if self.render_mode == "rgb_array":
            return self._season_image()
        if self.render_mode != "ansi":
            return None
        info = self._last_info
        if not info:
            return f"week 0/{self.market.horizon} stock {self._stock}"
        return (
            f"week {info['period'] + 1}/{self.market.horizon} price {info['price']:.2f} "
            f"demand {info['demand']:.0f} "
            f"sales {info['sales']:.0f} stock {info['stock']:.0f} profit {info['profit']:.2f}"
        )

    def _season_image(self) -> np.ndarray:
        """The season so far as a ``(132, 8 * horizon, 3)`` uint8 image, one column per week.

        Price bars above (height price / highest grid price; orange in promotion weeks, blue
        otherwise), stock bars below (green, height end-of-week stock / capacity).
        """
        market, bar, half = self.market, 8, 64
        image = np.full((2 * half + 4, bar * market.horizon, 3), 255, dtype=np.uint8)
        image[half : half + 4] = 200
        promoted = self.calendar.promos.any(axis=1) if self.calendar is not None else np.zeros(market.horizon, bool)
        for t in range(self._t):
            price, stock = self._drawn[t]
            columns = slice(t * bar + 1, (t + 1) * bar - 1)
            top = round(half * min(price / self._prices[-1], 1.0))
            image[half - top : half, columns] = (230, 140, 20) if promoted[t] else (40, 90, 200)
            low = round(half * min(stock / market.capacity, 1.0))
            image[image.shape[0] - low :, columns] = (40, 160, 60)
        return image
