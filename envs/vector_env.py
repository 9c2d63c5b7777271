"""``DynamicPricingVectorEnv``: N copies of the pricing env stepped together with array operations.

Registered as the ``vector_entry_point`` of every id, so
``gymnasium.make_vec("envs:DynamicPricing-v0", num_envs=N, vectorization_mode="vector_entry_point")``
returns it. Demand comes from tables evaluated once per calendar (one demand-model call for all
calendars of the replayed history at construction, or one call per step for the envs whose
episode restarts), or from one model call for all N envs per step with continuous prices.
``envs.sb3_vec_env.SB3VecEnv`` adapts it to stable-baselines3.

Copy ``i`` draws its calendars with its own generator seeded ``seed + i``, exactly as a single
``DynamicPricingEnv`` reset with ``seed + i`` does, so with ``noise=False`` the batch reproduces N
single envs exactly. Demand noise comes from one shared generator (one vector draw per step).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from demand_models import lognormal
from demand_models.base import DemandModel
from envs.calendar import Calendar, CalendarSource
from envs.config import PricingEnvConfig
from envs.demand import make_demand_model
from envs.market import (
    MAX_STOCK_COVER,
    N_DYNAMIC,
    EpisodeTables,
    episode_tables,
    observation_layout,
    resolve_market,
)
from envs.pricing_env import make_action_space, make_config

NOISE_STREAM = 0x5EED
"""Second seed word of the shared demand-noise generator (kept apart from the calendar streams)."""


class DynamicPricingVectorEnv(VectorEnv):
    """N seasons of ``DynamicPricingEnv`` at once; same spaces, rewards and ``info`` keys (as arrays).

    Autoreset is ``SAME_STEP``: when a season ends, the returned observation is the first of the
    next season, the last one is in ``info["final_obs"]`` (masked by ``info["_final_obs"]``) and
    the step's info also in ``info["final_info"]``. ``info`` arrays describe the step just taken by
    every copy.

    Args:
        num_envs: number of copies N.
        config: the env settings (default: the scenario's).
        scenario: ``"clearance"``, ``"replenish"`` or ``"joint"``.
        model: a bound demand model replacing the configured one.
        **overrides: any ``PricingEnvConfig`` setting.
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(
        self,
        num_envs: int = 1,
        config: PricingEnvConfig | None = None,
        *,
        scenario: str = "clearance",
        model: DemandModel | None = None,
        **overrides: Any,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        overrides.pop("render_mode", None)
        self.config = make_config(config, scenario, overrides)
        self.model = model if model is not None else make_demand_model(self.config)
        self.market = resolve_market(self.config, self.model)
        self.calendar_source = CalendarSource(self.config, self.model)
        self.obs_names, low, high = observation_layout(self.config, self.model, self.market)
        self.obs_index = {name: i for i, name in enumerate(self.obs_names)}
        self.num_envs = num_envs
        self.render_mode = None
        self.single_observation_space = spaces.Box(low, high, dtype=np.float32)
        self.single_action_space = make_action_space(self.config, self.market)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)

        n = num_envs
        self._fixed_bank = self.calendar_source.n_starts is not None
        if self._fixed_bank:
            starts = range(self.calendar_source.n_starts)
            self._tables = self._evaluate([self.calendar_source.at_start(s) for s in starts])
        else:
            self._tables = None
        self.calendars: list[Calendar | None] = [None] * n
        self._row = np.zeros(n, dtype=np.int64)
        self._t = np.zeros(n, dtype=np.int64)
        self._stock = np.zeros(n)
        self._pipeline = np.zeros(
            (n, self.market.lead_time - 1 if self.market.replenishment != "none" else 0)
        )
        self._last_price = np.zeros(n)
        self._env_rngs: list[np.random.Generator] = []
        self._all = np.arange(n)
        self._always = np.ones(n, dtype=bool)

    def _evaluate(self, calendars: list[Calendar]) -> EpisodeTables:
        return episode_tables(self.model, self.market, calendars, self.config.lookahead, len(self.obs_names))

    # ------------------------------------------------------------------ reset

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a season in every copy; copy ``i`` is seeded ``seed + i`` (or ``seed[i]``)."""
        if options:
            raise ValueError(f"the vector env takes no reset options, got {sorted(options)}")
        if seed is None or isinstance(seed, int):
            seeds = [None if seed is None else seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"seed must be an int or a list of {self.num_envs} ints, got {len(seeds)}")
        self._env_rngs = [seeding.np_random(s)[0] for s in seeds]
        entropy = seeds[0] if seeds[0] is not None else int(self._env_rngs[0].integers(2**63))
        self._np_random = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence([entropy, NOISE_STREAM]))
        )
        self._np_random_seed = seeds[0]
        self._restart(self._all)
        return self._get_obs(), {
            "calendar_start": np.array([c.start if c.start is not None else -1 for c in self.calendars])
        }

    def _restart(self, envs: np.ndarray) -> None:
        """New seasons in the copies ``envs``."""
        calendars = [self.calendar_source.draw(self._env_rngs[i]) for i in envs]
        for i, calendar in zip(envs, calendars, strict=True):
            self.calendars[i] = calendar
        if self._fixed_bank:
            self._row[envs] = [calendar.start for calendar in calendars]
        else:
            fresh = self._evaluate(calendars)
            if self._tables is None:  # the first reset restarts every copy
                self._tables = fresh
            for name in ("features", "mu", "sigma", "units_without_noise", "remaining", "context_obs"):
                getattr(self._tables, name)[envs] = getattr(fresh, name)
            self._row[envs] = envs
        self._t[envs] = 0
        self._stock[envs] = self.market.opening_stock
        self._pipeline[envs] = 0.0
        self._last_price[envs] = self.market.initial_price

    # ------------------------------------------------------------------ step

    def _parse_actions(self, actions: Any) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
        """``(price indices or None, prices, order indices or order fractions)``."""
        market = self.market
        values = np.asarray(actions)
        shape = self.action_space.shape
        if isinstance(self.single_action_space, spaces.Box):
            values = values.astype(np.float64)
            if values.shape != shape:
                raise ValueError(f"actions must have shape {shape}, got {values.shape}")
            if not np.all(np.isfinite(values)) or np.any(np.abs(values) > 1.0):
                raise ValueError("actions must lie in [-1, 1] (finite)")
            prices = market.prices[0] + (values[:, 0] + 1.0) * 0.5 * (market.prices[-1] - market.prices[0])
            orders = (values[:, 1] + 1.0) * 0.5 if values.shape[1] > 1 else None
            return None, prices, orders
        if values.dtype.kind not in "iu":
            raise ValueError(f"actions must be integer indices, got dtype {values.dtype}")
        if values.shape != shape:
            raise ValueError(f"actions must have shape {shape}, got {values.shape}")
        k = values if values.ndim == 1 else values[:, 0]
        if np.any((k < 0) | (k >= len(market.prices))):
            raise ValueError(f"price indices must lie in [0, {len(market.prices)})")
        orders = None
        if values.ndim == 2:
            orders = values[:, 1]
            if np.any((orders < 0) | (orders >= len(market.order_quantities))):
                raise ValueError(f"order indices must lie in [0, {len(market.order_quantities)})")
        return k.astype(np.int64), market.prices[k], orders

    def action_masks(self) -> np.ndarray:
        """``(N, K)`` (or ``(N, K + Q)`` in the joint scenario) allowed actions, for MaskablePPO."""
        market = self.market
        if market.max_price_change is None:
            mask = np.ones((self.num_envs, len(market.prices)), dtype=bool)
        else:
            mask = (
                np.abs(market.prices[None, :] - self._last_price[:, None]) <= market.max_price_change + 1e-9
            )
        if market.order_quantities is not None:
            mask = np.concatenate(
                [mask, np.ones((self.num_envs, len(market.order_quantities)), dtype=bool)], axis=1
            )
        return mask

    def _constrain(self, k: np.ndarray | None, prices: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        limit = self.market.max_price_change
        if limit is None:
            return k, prices
        last = self._last_price
        inside = np.abs(prices - last) <= limit + 1e-9
        if k is None:
            return None, np.where(inside, prices, np.minimum(np.maximum(prices, last - limit), last + limit))
        grid = self.market.prices
        allowed = np.abs(grid[None, :] - last[:, None]) <= limit + 1e-9
        nearest = np.argmin(np.where(allowed, np.abs(grid[None, :] - prices[:, None]), np.inf), axis=1)
        k = np.where(inside, k, nearest)
        return k, grid[k]

    def _orders(self, orders: np.ndarray | None) -> np.ndarray:
        market = self.market
        if market.replenishment == "none":
            return np.zeros(self.num_envs)
        placing = self._t + market.lead_time <= market.horizon - 1
        position = self._stock + self._pipeline.sum(axis=1)
        if market.replenishment == "order_up_to":
            wanted = np.maximum(market.order_up_to - position, 0.0)
        else:
            if orders.dtype.kind in "iu":
                wanted = market.order_quantities[orders].astype(np.float64)
            else:
                wanted = np.rint(orders * float(market.order_quantities[-1]))
            wanted = np.maximum(np.minimum(wanted, market.capacity - position), 0.0)
        return np.where(placing, wanted, 0.0)

    def _demand(self, k: np.ndarray | None, prices: np.ndarray) -> np.ndarray:
        tables, row, t = self._tables, self._row, self._t
        if k is None:
            mu, sigma = self.model.log_params(prices, tables.features[row, t])
            if not self.config.noise:
                return np.rint(lognormal.mean(mu, sigma))
        elif not self.config.noise:
            return tables.units_without_noise[row, t, k]
        else:
            mu, sigma = tables.mu[row, t, k], tables.sigma[row, t, k]
        return np.rint(np.exp(mu + sigma * self._np_random.standard_normal(self.num_envs)))

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every copy; copies whose season ends start a new one in the same step."""
        if not self._env_rngs:
            raise RuntimeError("call reset() before step()")
        market = self.market
        k, prices, orders = self._parse_actions(actions)
        k, prices = self._constrain(k, prices)
        order = self._orders(orders)
        demand = self._demand(k, prices)
        first = self._t == 0
        sales = np.minimum(demand, self._stock)
        lost = demand - sales
        self._stock -= sales
        purchase = market.unit_cost * (order + np.where(first, float(market.opening_stock), 0.0))
        ordering = np.where(order > 0, market.fixed_order_cost, 0.0)
        holding = market.holding_cost * self._stock
        penalty = market.stockout_penalty * lost
        revenue = prices * sales
        period = self._t.copy()
        self._t += 1
        terminated = self._t == market.horizon
        salvage = np.where(terminated, market.salvage_value * self._stock, 0.0)
        arrival = np.zeros(self.num_envs)
        if self._pipeline.shape[1] or market.replenishment != "none":
            queue = np.concatenate([self._pipeline, order[:, None]], axis=1)
            arrival = np.where(terminated, 0.0, queue[:, 0])
            self._pipeline = queue[:, 1:]
            self._stock += arrival
        cost = purchase + ordering + holding + penalty
        profit = revenue + salvage - cost
        self._last_price = prices.copy()
        info: dict[str, Any] = {
            "period": period,
            "price": prices,
            "demand": demand,
            "sales": sales,
            "lost_sales": lost,
            "stock": self._stock.copy(),
            "order": order,
            "arrival": arrival,
            "revenue": revenue,
            "purchase_cost": purchase,
            "holding_cost": holding,
            "cost": cost,
            "margin": revenue - market.unit_cost * sales,
            "salvage": salvage,
            "profit": profit,
        }
        promos = self._tables.features[self._row, period]
        for name in self.calendar_source.promo_names:
            info[name] = promos[:, self.model.feature_names.index(name)]
        for key in list(info):
            info["_" + key] = self._always
        obs = self._get_obs()
        if terminated.any():
            done = np.flatnonzero(terminated)
            final_obs = np.full(self.num_envs, None, dtype=object)
            final_obs[done] = list(obs[done])
            info["final_info"] = {key: value for key, value in info.items() if not key.startswith("_")}
            info["final_info"].update({"_" + key: terminated for key in list(info["final_info"])})
            info["final_obs"], info["_final_obs"] = final_obs, terminated
            info["_final_info"] = terminated
            self._restart(done)
            obs[done] = self._get_obs(done)
        rewards = profit * self.config.reward_scale
        return obs, rewards, terminated, np.zeros(self.num_envs, dtype=bool), info

    def _get_obs(self, envs: np.ndarray | None = None) -> np.ndarray:
        """Observations of the copies ``envs`` (default all)."""
        envs = self._all if envs is None else envs
        market, t, row, stock = self.market, self._t[envs], self._row[envs], self._stock[envs]
        pipeline = self._pipeline[envs]
        obs = self._tables.context_obs[row, t]
        position = stock + pipeline.sum(axis=1) if pipeline.shape[1] else stock
        cover = np.minimum(position / self._tables.remaining[row, t], MAX_STOCK_COVER)
        obs[:, 0] = (market.horizon - t) / market.horizon
        obs[:, 1] = np.where(t < market.horizon, cover, 0.0)
        obs[:, 2] = stock / market.capacity
        obs[:, 3] = self._last_price[envs] / market.reference_price
        if pipeline.shape[1]:
            obs[:, N_DYNAMIC : N_DYNAMIC + pipeline.shape[1]] = pipeline / market.capacity
        return obs
