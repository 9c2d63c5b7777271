"""Settings of the pricing environment and its promotion calendar, validated on construction.

Every setting is a field of a frozen dataclass; ``__post_init__`` raises a ``ValueError``
naming the setting. Settings left at ``None`` are taken from the demand model (its
``reference_price``, ``price_range``, ``unit_cost`` and ``mean_units``) when the env is built,
see ``envs.market.resolve_market``. ``SCENARIOS`` holds the registered scenarios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, get_args

ActionType = Literal["discrete", "continuous"]
Replenishment = Literal["none", "order_up_to", "agent"]
CalendarSourceName = Literal["replay", "file", "random"]
CompetitorMode = Literal["replay", "hold"]
DemandName = Literal["standin", "pretrained"]


def _check_choice(name: str, value: object, kind: object) -> None:
    choices = get_args(kind)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def _check_number(name: str, value: object, *, minimum: float | None = None, strict: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum}, got {value!r}")


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class CalendarConfig:
    """Where the promotion calendar (and competitor prices) of each episode come from.

    Attributes:
        source: ``"replay"`` the history of the env's series (a small file shipped in
            ``envs/calendars/``), ``"file"`` a user's CSV or YAML calendar at ``path``, or
            ``"random"`` flags drawn independently per period with ``promo_rates``.
        path: the calendar file (``"file"``), or another history file to replay instead of
            the shipped one (``"replay"``); columns ``season``, one per promotion flag and,
            with ``competitors="replay"``, one per competitor price.
        start: first row of the file used by the episode; None draws it at each reset.
        promo_rates: probability per period of each promotion flag (``"random"`` only);
            None sets every flag the demand model uses to its rate in the series' history.
        season_start: season index of the first period (``"random"`` only); None draws it.
        competitors: ``"hold"`` competitor prices at ``competitor_prices`` (the default: the
            agent does not see future competitor prices, which the DP optimum would otherwise
            know), or ``"replay"`` them from the file.
        competitor_prices: held competitor price per column; None holds each at its mean in
            the series' shipped history.
    """

    source: CalendarSourceName = "replay"
    path: str | None = None
    start: int | None = None
    promo_rates: dict[str, float] | None = None
    season_start: int | None = None
    competitors: CompetitorMode = "hold"
    competitor_prices: dict[str, float] | None = None

    def __post_init__(self) -> None:
        _check_choice("calendar.source", self.source, CalendarSourceName)
        _check_choice("calendar.competitors", self.competitors, CompetitorMode)
        if self.source == "file" and self.path is None:
            raise ValueError("calendar.path is required when calendar.source is 'file'")
        if self.path is not None and not isinstance(self.path, str):
            raise ValueError(f"calendar.path must be a string, got {self.path!r}")
        if self.start is not None:
            _check_int("calendar.start", self.start, minimum=0)
        if self.season_start is not None:
            _check_int("calendar.season_start", self.season_start, minimum=0)
        for name in ("promo_rates", "competitor_prices"):
            if not isinstance(getattr(self, name), dict | None):
                raise ValueError(f"calendar.{name} must map names to numbers, got {getattr(self, name)!r}")
        for name, rate in (self.promo_rates or {}).items():
            _check_number(f"calendar.promo_rates[{name!r}]", rate, minimum=0.0)
            if rate > 1:
                raise ValueError(f"calendar.promo_rates[{name!r}] must be <= 1, got {rate!r}")
        for name, price in (self.competitor_prices or {}).items():
            _check_number(f"calendar.competitor_prices[{name!r}]", price, minimum=0.0, strict=True)


def _calendar_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` if every key is a ``CalendarConfig`` field, else a ``ValueError`` naming the others."""
    known = {f.name for f in fields(CalendarConfig)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(f"unknown calendar setting(s) {unknown}; known: {sorted(known)}")
    return settings


@dataclass(frozen=True)
class PricingEnvConfig:
    """Every setting of ``DynamicPricingEnv``; the defaults are the ``DynamicPricing-v0`` scenario.

    Attributes:
        demand: ``"pretrained"`` (the shipped neural model learned from Dominick's orange juice,
            the default) or ``"standin"`` (a constant-elasticity model in Dominick's range, see
            ``envs.demand``; its parameters are known exactly, for tests and experiments).
        series: ``(store, brand)`` of Dominick's orange juice whose demand and calendar are used.
        horizon: periods (weeks) in the season; the episode length.
        action_type: ``"discrete"`` price grid or ``"continuous"`` price in ``Box(-1, 1)``.
        n_prices: levels of the price grid, evenly spaced from ``price_min`` to ``price_max``.
        price_min: lowest price; None takes the model's ``price_range[0]``.
        price_max: highest price; None takes the model's ``price_range[1]``.
        reference_price: the price observations are relative to; None takes the model's.
        initial_price: the "last price" before the first period; None takes the grid price
            nearest the reference price.
        max_price_change: largest price move per period in currency; None for no limit.
        unit_cost: purchase cost per unit; None takes the model's ``unit_cost``.
        holding_cost: cost per unit left in stock at the end of a period.
        salvage_value: value per unit left at the end of the season.
        stockout_penalty: cost per unit of lost sales (goodwill).
        opening_stock: units bought before the season (charged in the first reward); None
            takes ``stock_ratio * horizon * mean_units`` in clearance, ``order_up_to`` with
            the order-up-to rule and ``capacity // 2`` when the agent orders.
        stock_ratio: opening stock as a share of the season's mean demand (when
            ``opening_stock`` is None and there is no replenishment).
        replenishment: ``"none"`` (clearance), ``"order_up_to"`` (an order each period brings
            stock plus orders in transit up to ``order_up_to``), or ``"agent"`` (the action also
            picks an order quantity).
        lead_time: periods between ordering and arrival (>= 1); orders that could not arrive
            within the season are not placed.
        order_up_to: the order-up-to level (``"order_up_to"``).
        fixed_order_cost: cost per order placed.
        max_order: largest order quantity (``"agent"``).
        n_order_levels: levels of the order-quantity grid, 0 to ``max_order`` (``"agent"``).
        capacity: largest stock plus orders in transit; orders are cut to fit. None takes the
            opening stock (clearance), ``order_up_to``, or ``2 * max_order`` (agent).
        lookahead: periods ahead, besides the current one, whose promotion flags the agent sees;
            the default covers the whole default season, so the agent knows what the DP
            optimum knows (retailers plan promotions months ahead).
        noise: demand noise on; off, demand is the rounded mean ``rint(E[units])``.
        reward_scale: the reward is the period's profit times this (``info`` stays in currency).
        calendar: where promotion calendars come from.
    """

    demand: DemandName = "pretrained"
    series: tuple[int, int] = (101, 1)
    horizon: int = 13
    action_type: ActionType = "discrete"
    n_prices: int = 21
    price_min: float | None = None
    price_max: float | None = None
    reference_price: float | None = None
    initial_price: float | None = None
    max_price_change: float | None = None
    unit_cost: float | None = None
    holding_cost: float = 0.02
    salvage_value: float = 1.0
    stockout_penalty: float = 0.0
    opening_stock: int | None = None
    stock_ratio: float = 0.7
    replenishment: Replenishment = "none"
    lead_time: int = 1
    order_up_to: int | None = None
    fixed_order_cost: float = 0.0
    max_order: int | None = None
    n_order_levels: int = 11
    capacity: int | None = None
    lookahead: int = 12
    noise: bool = True
    reward_scale: float = 1.0
    calendar: CalendarConfig = field(default_factory=CalendarConfig)

    def __post_init__(self) -> None:
        if isinstance(self.calendar, dict):
            object.__setattr__(self, "calendar", CalendarConfig(**_calendar_settings(self.calendar)))
        if not isinstance(self.calendar, CalendarConfig):
            raise ValueError(f"calendar must be a CalendarConfig or a dict, got {self.calendar!r}")
        if isinstance(self.series, list):
            object.__setattr__(self, "series", tuple(self.series))
        _check_choice("demand", self.demand, DemandName)
        _check_choice("action_type", self.action_type, ActionType)
        _check_choice("replenishment", self.replenishment, Replenishment)
        if not (isinstance(self.series, tuple) and len(self.series) == 2):
            raise ValueError(f"series must be a (store, brand) pair, got {self.series!r}")
        _check_int("horizon", self.horizon, minimum=1)
        _check_int("n_prices", self.n_prices, minimum=2)
        _check_int("lead_time", self.lead_time, minimum=1)
        _check_int("n_order_levels", self.n_order_levels, minimum=2)
        _check_int("lookahead", self.lookahead, minimum=0)
        for name in ("price_min", "price_max", "reference_price", "initial_price", "max_price_change"):
            if getattr(self, name) is not None:
                _check_number(name, getattr(self, name), minimum=0.0, strict=True)
        if self.unit_cost is not None:
            _check_number("unit_cost", self.unit_cost, minimum=0.0)
        for name in ("holding_cost", "salvage_value", "stockout_penalty", "fixed_order_cost"):
            _check_number(name, getattr(self, name), minimum=0.0)
        _check_number("stock_ratio", self.stock_ratio, minimum=0.0, strict=True)
        _check_number("reward_scale", self.reward_scale, minimum=0.0, strict=True)
        if self.price_min is not None and self.price_max is not None and self.price_min >= self.price_max:
            raise ValueError(f"price_min must be < price_max, got {self.price_min} >= {self.price_max}")
        if self.opening_stock is not None:
            _check_int("opening_stock", self.opening_stock, minimum=0)
        for name in ("order_up_to", "max_order", "capacity"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), minimum=1)
        if not isinstance(self.noise, bool):
            raise ValueError(f"noise must be a bool, got {self.noise!r}")
        if self.replenishment == "order_up_to" and self.order_up_to is None:
            raise ValueError("order_up_to is required when replenishment is 'order_up_to'")
        if self.replenishment == "agent" and self.max_order is None:
            raise ValueError("max_order is required when replenishment is 'agent'")

    def with_overrides(self, **overrides: Any) -> PricingEnvConfig:
        """A copy with some settings changed; unknown names raise a ``ValueError``.

        Args:
            **overrides: setting name -> new value (``calendar`` may be a dict of its settings).

        Returns:
            The new, validated config.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; known settings: {sorted(known)}")
        if isinstance(overrides.get("calendar"), dict):
            overrides["calendar"] = replace(self.calendar, **_calendar_settings(overrides["calendar"]))
        return replace(self, **overrides)


SCENARIOS: dict[str, PricingEnvConfig] = {
    "clearance": PricingEnvConfig(),
    "replenish": PricingEnvConfig(
        horizon=52, replenishment="order_up_to", lead_time=2, order_up_to=300, fixed_order_cost=10.0
    ),
    "joint": PricingEnvConfig(
        horizon=26,
        replenishment="agent",
        lead_time=2,
        max_order=300,
        n_order_levels=7,
        capacity=600,
        opening_stock=300,
        fixed_order_cost=20.0,
    ),
}
"""Registered scenarios: seasonal clearance (the default), order-up-to replenishment, joint
price and order quantity."""


def scenario_config(scenario: str, **overrides: Any) -> PricingEnvConfig:
    """The config of a named scenario with some settings changed.

    Args:
        scenario: a key of ``SCENARIOS``.
        **overrides: setting name -> value, see ``PricingEnvConfig.with_overrides``.

    Returns:
        The validated config.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {scenario!r}")
    return SCENARIOS[scenario].with_overrides(**overrides)
