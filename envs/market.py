"""The market core shared by the env, the vector env and the DP: resolved numbers and per-calendar tables.

``resolve_market`` turns a config plus a demand model into concrete numbers (price grid, costs,
stock levels). ``episode_tables`` evaluates the demand model once for a batch of calendars: the
log-normal parameters of demand at every grid price in every period, the deterministic demand
used when noise is off, the expected remaining demand the observation is scaled by, and the
calendar part of each observation. ``observation_layout`` names and bounds the observation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from demand_models import lognormal
from demand_models.base import DemandModel
from envs.calendar import Calendar
from envs.config import PricingEnvConfig

MAX_STOCK_COVER = 5.0
"""Upper bound of the ``stock_cover`` observation (stock over expected remaining demand)."""
MAX_COMPETITOR_RATIO = 4.0
"""Upper bound of the ``competitor_*`` observations (competitor price over reference price)."""
N_DYNAMIC = 4
"""Observation entries before the pipeline: time_left, stock_cover, stock, last_price."""


@dataclass(frozen=True, eq=False)
class Market:
    """Concrete numbers of one env, settings left at None resolved from the demand model.

    Attributes:
        prices: ``(K,)`` the price grid, increasing.
        reference_price: the price observations are relative to.
        initial_price: the "last price" at reset.
        unit_cost: purchase cost per unit.
        holding_cost: cost per unit in stock at the end of a period.
        salvage_value: value per unit left at the end of the season.
        stockout_penalty: cost per unit of lost sales.
        fixed_order_cost: cost per order placed.
        opening_stock: units on hand at reset (bought in the first period's reward).
        capacity: largest stock plus orders in transit.
        horizon: periods per episode.
        lead_time: periods from ordering to arrival.
        replenishment: ``"none"``, ``"order_up_to"`` or ``"agent"``.
        order_up_to: the order-up-to level, or None.
        order_quantities: ``(Q,)`` order grid when the agent orders, else None.
        max_price_change: largest price move per period, or None.
    """

    prices: np.ndarray
    reference_price: float
    initial_price: float
    unit_cost: float
    holding_cost: float
    salvage_value: float
    stockout_penalty: float
    fixed_order_cost: float
    opening_stock: int
    capacity: int
    horizon: int
    lead_time: int
    replenishment: str
    order_up_to: int | None
    order_quantities: np.ndarray | None
    max_price_change: float | None

    def allowed_prices(self, last_price: float) -> np.ndarray:
        """``(K,)`` bool: the grid prices reachable from ``last_price`` under ``max_price_change``."""
        if self.max_price_change is None:
            return np.ones(len(self.prices), dtype=bool)
        return np.abs(self.prices - last_price) <= self.max_price_change + 1e-9


def _model_attribute(model: DemandModel, name: str, setting: str) -> object:
    if not hasattr(model, name):
        raise ValueError(f"{setting} must be given: the demand model has no {name!r}")
    return getattr(model, name)


def resolve_market(config: PricingEnvConfig, model: DemandModel) -> Market:
    """The concrete numbers of an env.

    Args:
        config: the env settings.
        model: the bound demand model (source of the defaults).

    Returns:
        The resolved market.

    Raises:
        ValueError: a resolved setting is inconsistent (named in the message).
    """
    price_range = None
    if config.price_min is None or config.price_max is None:
        price_range = _model_attribute(model, "price_range", "price_min/price_max")
    price_min = float(config.price_min if config.price_min is not None else price_range[0])
    price_max = float(config.price_max if config.price_max is not None else price_range[1])
    if not 0 < price_min < price_max:
        raise ValueError(
            f"price_min must be in (0, price_max), got price_min={price_min}, price_max={price_max}"
        )
    prices = np.linspace(price_min, price_max, config.n_prices)
    reference = config.reference_price
    reference = float(
        reference if reference is not None else _model_attribute(model, "reference_price", "reference_price")
    )
    unit_cost = config.unit_cost
    unit_cost = float(
        unit_cost if unit_cost is not None else _model_attribute(model, "unit_cost", "unit_cost")
    )
    if not (math.isfinite(unit_cost) and unit_cost >= 0):
        raise ValueError(f"unit_cost must be given: the model's unit_cost is {unit_cost}")
    initial = config.initial_price
    initial = float(initial) if initial is not None else float(prices[np.argmin(np.abs(prices - reference))])
    if not prices[0] <= initial <= prices[-1]:
        raise ValueError(f"initial_price must lie in the price range [{prices[0]:g}, {prices[-1]:g}], got {initial:g}")

    order_quantities = None
    if config.replenishment == "agent":
        order_quantities = np.unique(
            np.rint(np.linspace(0, config.max_order, config.n_order_levels)).astype(np.int64)
        )
    if config.replenishment == "none":
        mean_units = float(_model_attribute(model, "mean_units", "opening_stock"))
        default_opening = int(round(config.stock_ratio * config.horizon * mean_units))
        default_capacity = None
    elif config.replenishment == "order_up_to":
        default_opening = default_capacity = config.order_up_to
    else:
        default_capacity = 2 * config.max_order
        default_opening = (config.capacity or default_capacity) // 2
    opening = config.opening_stock if config.opening_stock is not None else default_opening
    capacity = config.capacity if config.capacity is not None else (default_capacity or max(opening, 1))
    if opening > capacity:
        raise ValueError(f"opening_stock ({opening}) must not exceed capacity ({capacity})")
    if config.order_up_to is not None and config.order_up_to > capacity:
        raise ValueError(f"order_up_to ({config.order_up_to}) must not exceed capacity ({capacity})")
    market = Market(
        prices=prices,
        reference_price=reference,
        initial_price=initial,
        unit_cost=unit_cost,
        holding_cost=float(config.holding_cost),
        salvage_value=float(config.salvage_value),
        stockout_penalty=float(config.stockout_penalty),
        fixed_order_cost=float(config.fixed_order_cost),
        opening_stock=int(opening),
        capacity=int(capacity),
        horizon=config.horizon,
        lead_time=config.lead_time,
        replenishment=config.replenishment,
        order_up_to=config.order_up_to,
        order_quantities=order_quantities,
        max_price_change=config.max_price_change,
    )
    if not market.allowed_prices(initial).any():
        raise ValueError(
            f"max_price_change={config.max_price_change} allows no grid price from initial_price={initial}"
        )
    return market


def _promo_names(model: DemandModel) -> tuple[str, ...]:
    return tuple(n for n in model.feature_names if model.feature_roles[n] == "promo")


def _competitor_names(model: DemandModel) -> tuple[str, ...]:
    return tuple(n for n in model.feature_names if model.feature_roles[n] == "competitor")


def observation_layout(
    config: PricingEnvConfig, model: DemandModel, market: Market
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Names and bounds of the observation entries.

    Args:
        config: the env settings.
        model: the demand model (its promotion flags and competitor prices).
        market: the resolved market.

    Returns:
        ``(names, low, high)``; ``low`` and ``high`` are float32 arrays.
    """
    price_ratios = np.append(market.prices, market.initial_price) / market.reference_price
    names = ["time_left", "stock_cover", "stock", "last_price"]
    low = [0.0, 0.0, 0.0, float(price_ratios.min())]
    high = [1.0, MAX_STOCK_COVER, 1.0, float(price_ratios.max())]
    n_pipeline = market.lead_time - 1 if market.replenishment != "none" else 0
    names += [f"pipeline_{j}" for j in range(1, n_pipeline + 1)]
    low += [0.0] * n_pipeline
    high += [1.0] * n_pipeline
    names += ["season_sin", "season_cos"]
    low += [-1.0, -1.0]
    high += [1.0, 1.0]
    promos = [f"{name}_{k}" for name in _promo_names(model) for k in range(config.lookahead + 1)]
    competitors = [f"competitor_{name}" for name in _competitor_names(model)]
    names += promos + competitors
    low += [0.0] * (len(promos) + len(competitors))
    high += [1.0] * len(promos) + [MAX_COMPETITOR_RATIO] * len(competitors)
    return tuple(names), np.array(low, dtype=np.float32), np.array(high, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class EpisodeTables:
    """Demand-model evaluations for a batch of ``B`` calendars of ``T`` periods and ``K`` grid prices.

    Attributes:
        features: ``(B, T, F)`` model context features.
        mu: ``(B, T, K)`` location of log demand at each grid price.
        sigma: ``(B, T, K)`` scale of log demand.
        units_without_noise: ``(B, T, K)`` float64 whole units ``rint(E[units])``, the demand
            when noise is off.
        remaining: ``(B, T + 1)`` expected demand at the reference price from each period to the
            end, with the promotions visible in that period (current and ``lookahead`` ahead) and
            none beyond; 1.0 at ``T`` (unused).
        context_obs: ``(B, T + 1, n_obs)`` float32 observation rows with the calendar entries
            filled and the dynamic ones zero; the row at ``T`` (end of season) is all zero.
    """

    features: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    units_without_noise: np.ndarray
    remaining: np.ndarray
    context_obs: np.ndarray


def episode_tables(
    model: DemandModel, market: Market, calendars: list[Calendar], lookahead: int, n_obs: int
) -> EpisodeTables:
    """Evaluate the demand model for every period and grid price of each calendar, in one call.

    Args:
        model: the bound demand model.
        market: the resolved market.
        calendars: ``B`` calendars of ``T = market.horizon`` periods.
        lookahead: periods ahead whose promotion flags are visible.
        n_obs: length of the observation.

    Returns:
        The tables.
    """
    n_cal, horizon, n_prices = len(calendars), market.horizon, len(market.prices)
    features = np.stack([calendar.features(model) for calendar in calendars])  # (B, T, F)
    promo_columns = [model.feature_names.index(name) for name in _promo_names(model)]
    no_promo = features.copy()
    no_promo[..., promo_columns] = 0.0
    # rows: K grid prices, then the reference price with and without promotions
    row_features = np.concatenate(
        [np.repeat(features[:, :, None, :], n_prices + 1, axis=2), no_promo[:, :, None, :]], axis=2
    )
    row_prices = np.broadcast_to(
        np.append(market.prices, [market.reference_price] * 2), row_features.shape[:3]
    )
    mu, sigma = model.log_params(row_prices.reshape(-1), row_features.reshape(-1, features.shape[-1]))
    mu = mu.reshape(n_cal, horizon, n_prices + 2)
    sigma = sigma.reshape(n_cal, horizon, n_prices + 2)
    mean = lognormal.mean(mu, sigma)

    visible, hidden = mean[..., n_prices], mean[..., n_prices + 1]  # (B, T) each
    tail_visible = np.concatenate(
        [np.cumsum(visible[:, ::-1], axis=1)[:, ::-1], np.zeros((n_cal, 1))], axis=1
    )
    tail_hidden = np.concatenate([np.cumsum(hidden[:, ::-1], axis=1)[:, ::-1], np.zeros((n_cal, 1))], axis=1)
    t = np.arange(horizon)
    edge = np.minimum(t + lookahead + 1, horizon)
    remaining = np.ones((n_cal, horizon + 1))
    remaining[:, :horizon] = tail_visible[:, t] - tail_visible[:, edge] + tail_hidden[:, edge]

    context = np.zeros((n_cal, horizon + 1, n_obs), dtype=np.float64)
    first = n_obs - 2 - len(promo_columns) * (lookahead + 1) - len(_competitor_names(model))
    season = np.stack([calendar.season for calendar in calendars]).astype(np.float64)
    angle = 2 * np.pi * season / model.season_length
    context[:, :horizon, first] = np.sin(angle)
    context[:, :horizon, first + 1] = np.cos(angle)
    column = first + 2
    padded = np.concatenate(
        [features[..., promo_columns], np.zeros((n_cal, lookahead, len(promo_columns)))], axis=1
    )
    for j in range(len(promo_columns)):
        for k in range(lookahead + 1):
            context[:, :horizon, column] = padded[:, k : k + horizon, j]
            column += 1
    competitor_columns = [model.feature_names.index(name) for name in _competitor_names(model)]
    ratios = features[..., competitor_columns] / market.reference_price
    context[:, :horizon, column:] = np.clip(ratios, 0.0, MAX_COMPETITOR_RATIO)
    return EpisodeTables(
        features=features,
        mu=mu[..., :n_prices],
        sigma=sigma[..., :n_prices],
        units_without_noise=np.rint(mean[..., :n_prices]),
        remaining=remaining,
        context_obs=context.astype(np.float32),
    )
