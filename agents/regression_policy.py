"""The regression baseline: fit the log-log regression on the series' history, price by the DP under it.

The analyst's classic pipeline: estimate a log-log demand regression with promotion and season
terms (``demand_models.regression``) on past sales, then choose prices that maximise expected
profit under that model with the stock in view. Here the choice is exact for the fitted model:
the DP optimum (``agents.dp.solve_dp``) with the regression as the demand model, on the env's
price grid, costs and stock. The policy is then run in the TRUE env, so its gap to the optimum
is the cost of the regression's misspecification and estimation error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.dp import solve_dp
from agents.policy import PolicyContext, PricePolicy
from demand_models.base import DemandModel
from demand_models.data.split import seen_series_only, time_split
from demand_models.history import SalesHistory
from demand_models.regression import fit_regression
from envs.calendar import Calendar, CalendarSource


def simulated_history(
    context: PolicyContext, n_periods: int = 104, price_spread: float = 0.15, seed: int = 0
):
    """A sales history of the env's series drawn from the env's demand model, for a synthetic truth.

    Calendars are drawn as the env draws them and laid end to end; past prices are
    ``reference_price * exp(U(-price_spread, price_spread))`` within the price grid, independent
    of the promotions; units are drawn from the model.

    Args:
        context: the public facts, including the demand model to draw from.
        n_periods: weeks of history.
        price_spread: spread of past log prices around the reference price.
        seed: seed of every draw.

    Returns:
        A ``SalesHistory`` with keys ``("store", "brand")`` = ``config.series``.
    """
    rng = np.random.default_rng(seed)
    market, model = context.market, context.model
    source = CalendarSource(context.config, model)
    calendars = [source.draw(rng) for _ in range(-(-n_periods // market.horizon))]
    season = np.concatenate([c.season for c in calendars])[:n_periods]
    promos = np.concatenate([c.promos for c in calendars])[:n_periods]
    competitors = np.concatenate([c.competitors for c in calendars])[:n_periods]
    features = np.concatenate([c.features(model) for c in calendars])[:n_periods]
    price = market.reference_price * np.exp(rng.uniform(-price_spread, price_spread, n_periods))
    price = np.clip(price, market.prices[0], market.prices[-1])
    units = model.sample(price, features, rng).astype(np.float64)
    store, brand = context.config.series
    frame = pd.DataFrame(
        {
            "store": store,
            "brand": brand,
            "period": np.arange(n_periods, dtype=np.int64),
            "season": season.astype(np.int64),
            "price": price,
            "units": units,
            **{name: promos[:, j] for j, name in enumerate(calendars[0].promo_names)},
            "unit_cost": market.unit_cost,
            **{name: competitors[:, j] for j, name in enumerate(calendars[0].competitor_names)},
        }
    )
    return SalesHistory(
        frame=frame,
        name="simulated",
        series_keys=("store", "brand"),
        promo_columns=calendars[0].promo_names,
        competitor_columns=calendars[0].competitor_names,
        season_length=int(model.season_length),
        period_start=pd.Timestamp("2020-01-02"),
        period_freq="W-THU",
    )


class RegressionPolicy(PricePolicy):
    """The DP-optimal policy of a fitted demand model (by default the log-log regression) in the true env.

    Information used: the period, stock and last price from the observation; the FITTED model
    (never the true one) and the episode's full promotion calendar (told with
    ``set_calendars``), to solve the DP of each calendar once (cached by start row).

    Args:
        context: the public facts (its ``model`` is NOT used).
        model: the fitted bound demand model the policy plans with.

    Raises:
        ValueError: the scenario has replenishment.
    """

    uses_calendar = True
    reads_last_price = True

    def __init__(self, context: PolicyContext, model: DemandModel) -> None:
        if context.market.replenishment != "none":
            raise ValueError(f"{type(self).__name__} covers clearance (replenishment='none')")
        super().__init__(context)
        self.model = model
        market = self.market
        self._planning_config = context.config.with_overrides(
            price_min=float(market.prices[0]),
            price_max=float(market.prices[-1]),
            reference_price=market.reference_price,
            initial_price=market.initial_price,
            unit_cost=market.unit_cost,
            opening_stock=market.opening_stock,
            capacity=market.capacity,
        )
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._first = self._later = np.zeros(0, dtype=np.int64)

    @classmethod
    def fit(
        cls,
        context: PolicyContext,
        history: SalesHistory,
        series: tuple | None = None,
        val_fraction: float = 0.2,
    ) -> RegressionPolicy:
        """Fit the regression on ``history`` (time split into train and validation weeks) and wrap it.

        Args:
            context: the public facts.
            history: the sales history holding the series.
            series: the series key to bind; None takes ``config.series``.
            val_fraction: share of the last weeks used to calibrate the noise scale.

        Returns:
            The policy.
        """
        split = time_split(history, val_fraction=val_fraction, test_fraction=0.0)
        fitted = fit_regression(split.train, seen_series_only(split.val, split.train)[0])
        return cls(context, fitted.bind(series if series is not None else context.config.series))

    def solve(self, calendar: Calendar) -> tuple[np.ndarray, np.ndarray]:
        """The DP policy of the fitted model for one calendar.

        Args:
            calendar: the episode's calendar.

        Returns:
            ``(first (X + 1,), later (T, J, X + 1))`` grid indices, as in ``agents.dp.OptimalPolicy``.
        """
        if calendar.start is not None and calendar.start in self._cache:
            return self._cache[calendar.start]
        policy = solve_dp(self._planning_config, calendar, self.model).policy
        result = (policy.first.astype(np.int16), policy.actions.astype(np.int16))
        if calendar.start is not None:
            self._cache[calendar.start] = result
        return result

    def _prepare(self, calendars: tuple[Calendar, ...]) -> None:
        solved = [self.solve(calendar) for calendar in calendars]
        self._first = np.stack([first for first, _ in solved])
        self._later = np.stack([later for _, later in solved])

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """The fitted model's optimal price in each row's state."""
        rows = self._episode_rows(len(obs))
        t, x = self.period(obs), np.minimum(self.stock(obs), self.market.capacity)
        j = self.last_price_index(obs) if self._later.shape[2] > 1 else np.zeros_like(t)
        later = self._later[rows, t, j, x]
        return np.where(t == 0, self._first[rows, x], later).astype(np.int64)
