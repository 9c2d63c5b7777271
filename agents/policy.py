"""The common base of the rule, heuristic and regression baselines: observation in, env action out.

A baseline chooses a grid price index per observation; ``PricePolicy.predict`` turns it into the
env's action (a ``Discrete`` index, a ``Box(-1, 1)`` value, or with agent orders a price and an
order-up-to order), for one observation or a batch, with SB3's ``predict`` signature. Policies
read only the observation (decoded by name with ``env.obs_index``) and the public facts of the
``PolicyContext`` given at construction, never the env's private state.

Policies that plan with the episode's promotion calendar (``uses_calendar``) are told it with
``set_calendars``: row ``i`` of every later batch belongs to calendar ``i`` (a single calendar
applies to every row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from demand_models.base import DemandModel
from envs.calendar import Calendar
from envs.config import PricingEnvConfig
from envs.market import Market


@dataclass(frozen=True, eq=False)
class PolicyContext:
    """The public facts a baseline may use besides the observation.

    Attributes:
        config: the env settings.
        market: the resolved market (price grid, costs, opening stock, capacity, horizon).
        obs_index: name -> position of each observation entry.
        model: the env's true demand model (only heuristics documented as using it read it).
    """

    config: PricingEnvConfig
    market: Market
    obs_index: Mapping[str, int]
    model: DemandModel

    @classmethod
    def from_env(cls, env: Any) -> PolicyContext:
        """The context of a (possibly wrapped) ``DynamicPricingEnv``."""
        base = env.unwrapped
        return cls(config=base.config, market=base.market, obs_index=dict(base.obs_index), model=base.model)

    @property
    def promo_names(self) -> tuple[str, ...]:
        """The promotion flags of the demand model, in observation order."""
        return tuple(n for n in self.model.feature_names if self.model.feature_roles[n] == "promo")


class PricePolicy:
    """Base class: subclasses implement ``price_indices``; this class does the rest.

    In the joint scenario (agent orders) the order component follows an order-up-to rule on the
    stock position (stock plus orders in transit), read from the observation.

    Args:
        context: the public facts (``PolicyContext.from_env(env)``).
        order_up_to: order-up-to level in units for the joint scenario; None takes half the
            capacity. Ignored in the other scenarios.

    Attributes:
        reads_last_price: whether the price depends on the ``last_price`` entry (exact
            evaluation then tracks the last price as part of the state).
        uses_calendar: whether the policy plans with the episode calendar (``set_calendars``).
    """

    reads_last_price: ClassVar[bool] = False
    uses_calendar: ClassVar[bool] = False

    def __init__(self, context: PolicyContext, order_up_to: int | None = None) -> None:
        self.context = context
        self.market = context.market
        self.obs_index = context.obs_index
        self.order_up_to = order_up_to if order_up_to is not None else self.market.capacity // 2
        self.calendars: tuple[Calendar, ...] = ()

    # ------------------------------------------------------------------ for subclasses

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """Grid price index per row of a batch of observations.

        Args:
            obs: ``(n, n_obs)`` float64 observations.

        Returns:
            ``(n,)`` int64 indices into ``market.prices``.
        """
        raise NotImplementedError

    def set_calendars(self, calendars: Sequence[Calendar]) -> None:
        """Tell a calendar-planning policy the calendars of the episodes it will see.

        Args:
            calendars: one calendar per row of later observation batches, or a single one for
                every row.
        """
        if not calendars:
            raise ValueError("set_calendars needs at least one calendar")
        self.calendars = tuple(calendars)
        self._prepare(self.calendars)

    def _prepare(self, calendars: tuple[Calendar, ...]) -> None:
        """Precompute per-calendar tables (calendar-planning policies override this)."""

    def _episode_rows(self, n: int) -> np.ndarray:
        """``(n,)`` index into ``self.calendars`` of each row of a batch."""
        if not self.calendars:
            raise RuntimeError(f"{type(self).__name__} plans with the calendar: call set_calendars() first")
        if len(self.calendars) == 1:
            return np.zeros(n, dtype=np.int64)
        if len(self.calendars) != n:
            raise ValueError(f"batch of {n} observations for {len(self.calendars)} calendars set")
        return np.arange(n)

    # ------------------------------------------------------------------ observation decoding

    def column(self, obs: np.ndarray, name: str) -> np.ndarray:
        """``(n,)`` the observation entry ``name`` of each row."""
        return obs[:, self.obs_index[name]]

    def period(self, obs: np.ndarray) -> np.ndarray:
        """``(n,)`` int64 current period ``t`` (0-based), from ``time_left``."""
        horizon = self.market.horizon
        t = horizon - np.rint(self.column(obs, "time_left") * horizon).astype(np.int64)
        if np.any((t < 0) | (t >= horizon)):
            raise ValueError("observation is outside the season (time_left must be > 0)")
        return t

    def stock(self, obs: np.ndarray) -> np.ndarray:
        """``(n,)`` int64 units on hand."""
        return np.rint(self.column(obs, "stock") * self.market.capacity).astype(np.int64)

    def position(self, obs: np.ndarray) -> np.ndarray:
        """``(n,)`` int64 units on hand plus orders in transit."""
        columns = [self.obs_index[n] for n in self.obs_index if n.startswith("pipeline_")]
        transit = np.rint(obs[:, columns].sum(axis=1) * self.market.capacity).astype(np.int64)
        return self.stock(obs) + transit

    def last_price_index(self, obs: np.ndarray) -> np.ndarray:
        """``(n,)`` int64 grid index nearest to last period's price."""
        return self.nearest_index(self.column(obs, "last_price") * self.market.reference_price)

    def promoted(self, obs: np.ndarray, flags: Sequence[str], ahead: int = 0) -> np.ndarray:
        """``(n,)`` bool: any of ``flags`` on in period ``t + ahead`` (``ahead <= lookahead``)."""
        if not flags:
            return np.zeros(len(obs), dtype=bool)
        return np.any(obs[:, [self.obs_index[f"{name}_{ahead}"] for name in flags]] > 0.5, axis=1)

    def nearest_index(self, price: np.ndarray | float) -> np.ndarray:
        """Index of the grid price nearest to each ``price`` (ties to the lower price)."""
        prices = self.market.prices
        return np.argmin(np.abs(np.asarray(price, dtype=np.float64)[..., None] - prices), axis=-1)

    # ------------------------------------------------------------------ actions

    def to_action(self, k: np.ndarray, obs: np.ndarray) -> np.ndarray:
        """Env actions for grid price indices ``k`` (and the order rule with agent orders).

        Args:
            k: ``(n,)`` grid price indices.
            obs: ``(n, n_obs)`` the observations (for the stock position).

        Returns:
            ``(n,)`` int64 (``Discrete``), ``(n, 2)`` int64 (``MultiDiscrete``), or ``(n, 1)`` /
            ``(n, 2)`` float32 in [-1, 1] (``Box``).
        """
        market = self.market
        continuous = self.context.config.action_type == "continuous"
        k = np.asarray(k, dtype=np.int64)
        if continuous:
            span = market.prices[-1] - market.prices[0]
            columns = [2.0 * (market.prices[k] - market.prices[0]) / span - 1.0]
        else:
            columns = [k]
        quantities = market.order_quantities
        if quantities is not None:
            wanted = np.clip(self.order_up_to - self.position(obs), 0, quantities[-1])
            if continuous:
                columns.append(2.0 * wanted / quantities[-1] - 1.0)
            else:
                columns.append(np.argmin(np.abs(wanted[:, None] - quantities[None, :]), axis=1))
        if continuous:
            return np.clip(np.stack(columns, axis=1), -1.0, 1.0).astype(np.float32)
        return columns[0] if quantities is None else np.stack(columns, axis=1)

    def predict(
        self,
        observation: np.ndarray,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, None]:
        """The action for one observation or a batch (SB3's ``predict`` interface).

        Args:
            observation: ``(n_obs,)`` or ``(n, n_obs)``.
            state: unused (no recurrent state).
            episode_start: unused.
            deterministic: unused (every baseline is deterministic).

        Returns:
            ``(action, None)``, shaped for the env's action space, batched if the input is.
        """
        obs = np.asarray(observation, dtype=np.float64)
        if obs.ndim not in (1, 2) or obs.shape[-1] != len(self.obs_index):
            raise ValueError(
                f"observation must have shape ({len(self.obs_index)},) or (n, {len(self.obs_index)})"
            )
        batch = np.atleast_2d(obs)
        action = self.to_action(self.price_indices(batch), batch)
        return (action[0] if obs.ndim == 1 else action), None
