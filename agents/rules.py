"""Rule baselines a retailer might use: list price, cost-plus, sell-through markdown, promotion following.

Each reads only the observation and the public facts of the ``PolicyContext`` (price grid,
unit cost, reference price, opening stock, horizon); none uses the demand model or the
calendar beyond the promotion flags in the observation. Prices off the grid are snapped to the
nearest grid price.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.policy import PolicyContext, PricePolicy


class FixedPricePolicy(PricePolicy):
    """The same price every period: by default the list (reference) price.

    Args:
        context: the public facts.
        price: the price in currency (snapped to the grid); None takes the reference price.
        order_up_to: see ``PricePolicy``.
    """

    def __init__(
        self, context: PolicyContext, price: float | None = None, order_up_to: int | None = None
    ) -> None:
        super().__init__(context, order_up_to)
        self.index = int(self.nearest_index(price if price is not None else self.market.reference_price))

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """The fixed index in every row."""
        return np.full(len(obs), self.index, dtype=np.int64)


class CostPlusPolicy(FixedPricePolicy):
    """A markup on the unit cost: price ``unit_cost * (1 + markup)``, snapped to the grid.

    Args:
        context: the public facts.
        markup: the markup as a fraction of the unit cost (0.4 is 40%).
        order_up_to: see ``PricePolicy``.
    """

    def __init__(self, context: PolicyContext, markup: float = 0.4, order_up_to: int | None = None) -> None:
        if markup <= -1:
            raise ValueError(f"markup must be > -1, got {markup}")
        super().__init__(context, context.market.unit_cost * (1.0 + markup), order_up_to)
        self.markup = markup


class MarkdownPolicy(PricePolicy):
    """A sell-through rule against the plan of even sell-through of the opening stock.

    The plan for the start of period ``t`` is ``opening_stock * (T - t) / T`` units on hand
    (the stock falling evenly to zero by the end of the season). Stock above
    ``plan * (1 + tolerance)`` is ahead of the plan: the price moves ``step`` grid steps below
    last period's price; stock below ``plan * (1 - tolerance)`` is behind: the price moves
    ``step`` steps up; otherwise it stays. Prices stay within ``[floor, ceiling]``.

    Args:
        context: the public facts.
        tolerance: relative band around the plan within which the price is held.
        step: grid steps per move.
        floor: lowest price (snapped to the grid); None takes the lowest grid price.
        ceiling: highest price (snapped to the grid); None takes the highest grid price.
        order_up_to: see ``PricePolicy``.
    """

    reads_last_price = True

    def __init__(
        self,
        context: PolicyContext,
        tolerance: float = 0.05,
        step: int = 1,
        floor: float | None = None,
        ceiling: float | None = None,
        order_up_to: int | None = None,
    ) -> None:
        super().__init__(context, order_up_to)
        if tolerance < 0 or step < 1:
            raise ValueError(f"tolerance must be >= 0 and step >= 1, got {tolerance} and {step}")
        self.tolerance = tolerance
        self.step = step
        prices = self.market.prices
        self.floor = int(self.nearest_index(floor if floor is not None else prices[0]))
        self.ceiling = int(self.nearest_index(ceiling if ceiling is not None else prices[-1]))
        if self.floor > self.ceiling:
            raise ValueError(f"floor ({floor}) must not be above ceiling ({ceiling})")

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """Last price moved against the deviation from the plan."""
        plan = self.market.opening_stock * self.column(obs, "time_left")
        stock = self.stock(obs)
        move = np.where(stock > plan * (1 + self.tolerance), -self.step, 0)
        move = np.where(stock < plan * (1 - self.tolerance), self.step, move)
        return np.clip(self.last_price_index(obs) + move, self.floor, self.ceiling)


class PromotionFollowingPolicy(PricePolicy):
    """The regular price, discounted in weeks when a promotion flag is on.

    Args:
        context: the public facts.
        discount: the discount in promoted weeks as a fraction of the regular price.
        regular_price: the price otherwise; None takes the reference price.
        flags: the promotion flags that trigger the discount; None takes every flag.
        order_up_to: see ``PricePolicy``.
    """

    def __init__(
        self,
        context: PolicyContext,
        discount: float = 0.1,
        regular_price: float | None = None,
        flags: Sequence[str] | None = None,
        order_up_to: int | None = None,
    ) -> None:
        super().__init__(context, order_up_to)
        if not 0 <= discount < 1:
            raise ValueError(f"discount must lie in [0, 1), got {discount}")
        self.flags = tuple(flags) if flags is not None else context.promo_names
        unknown = sorted(set(self.flags) - set(context.promo_names))
        if unknown:
            raise ValueError(
                f"unknown promotion flag(s) {unknown}; the model's flags: {list(context.promo_names)}"
            )
        regular = regular_price if regular_price is not None else self.market.reference_price
        self.regular = int(self.nearest_index(regular))
        self.promotion = int(self.nearest_index(regular * (1 - discount)))

    def price_indices(self, obs: np.ndarray) -> np.ndarray:
        """The promotion price in promoted weeks, the regular price otherwise."""
        return np.where(self.promoted(obs, self.flags), self.promotion, self.regular).astype(np.int64)
