"""Which of the user's columns plays which role, given as arguments or a small YAML file.

A YAML mapping for a monthly file with two key columns (see ``examples/monthly_beverage.yaml``)::

    period: date
    series: [agency, sku]
    price: price_actual
    units: volume
    base_price: price_regular
    promo: [christmas, new_year]
    frequency: monthly
    zero_price: missing

Roles left out take the column named after the role when the file has one (``period``,
``price``, ``units``, ``base_price``, ``unit_cost``, ``series``); without a ``series`` column
the whole file is one series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from demand_models.data.errors import DataError

Frequency = Literal["weekly", "monthly"]
ZeroPrice = Literal["invalid", "missing"]


SINGLE_ROLES = ("period", "price", "units", "log_units", "base_price", "unit_cost")
REQUIRED_ROLES = ("period", "price")
LIST_ROLES = ("series", "promo", "competitor_prices")


def _names(role: str, value: Any) -> tuple[str, ...] | None:
    """A column list given as one name, a list of names, or None (left as None)."""
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(v, str) for v in names):
        raise DataError(f"mapping: {role} must be a column name or a list of column names, not {value!r}.")
    return tuple(names)


@dataclass(frozen=True)
class ColumnMapping:
    """Column names of each role in the user's file, and how to read them.

    Attributes:
        period: the time column: dates, or integers counting periods.
        series: key columns identifying a series; None takes ``series`` if present, else the
            file is one series; ``()`` makes it one series.
        price: price actually charged per unit (> 0).
        units: units sold (>= 0); None takes ``units`` unless ``log_units`` is given.
        log_units: log of units sold, instead of ``units`` (units = exp(log units)).
        promo: promotion flag or intensity columns, values in [0, 1].
        base_price: regular (undiscounted) price; None takes ``base_price`` if present.
        unit_cost: cost per unit; None takes ``unit_cost`` if present.
        competitor_prices: competitors' price columns (> 0, or empty/NaN when unknown).
        frequency: ``weekly`` or ``monthly``; None infers it from dates (integer periods:
            weekly).
        start: date of period 0 for integer periods (the season comes from it); without it
            the season is ``period % season_length``.
        zero_price: ``invalid`` (a price of 0 is an error) or ``missing`` (a price of 0 means
            the price is unobserved: such rows are dropped and counted in
            ``SalesHistory.dropped_rows``; a 0 base or competitor price becomes NaN).
    """

    period: str = "period"
    series: tuple[str, ...] | None = None
    price: str = "price"
    units: str | None = None
    log_units: str | None = None
    promo: tuple[str, ...] = ()
    base_price: str | None = None
    unit_cost: str | None = None
    competitor_prices: tuple[str, ...] = ()
    frequency: Frequency | None = None
    start: str | None = None
    zero_price: ZeroPrice = "invalid"

    def __post_init__(self) -> None:
        for name in LIST_ROLES:
            object.__setattr__(self, name, _names(name, getattr(self, name)))
        for name in SINGLE_ROLES:
            value = getattr(self, name)
            if not isinstance(value, str) and (value is not None or name in REQUIRED_ROLES):
                raise DataError(f"mapping: {name} must be one column name, not {value!r}.")
        if self.units is not None and self.log_units is not None:
            raise DataError(f"mapping: give units ({self.units}) or log_units ({self.log_units}), not both.")
        for name, allowed in (("frequency", Frequency), ("zero_price", ZeroPrice)):
            value = getattr(self, name)
            if value is not None and value not in get_args(allowed):
                raise DataError(
                    f"mapping: {name} must be one of {', '.join(get_args(allowed))}, not {value!r}."
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "mapping") -> ColumnMapping:
        """Build from a dict such as a parsed YAML file.

        Args:
            data: role -> column name(s), plus ``frequency``, ``start``, ``zero_price``.
            source: where the dict came from, for error messages.

        Returns:
            The mapping.

        Raises:
            DataError: an unknown key or a bad value.
        """
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise DataError(
                f"{source}: unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}."
            )
        try:
            return cls(**{k: (str(v) if k == "start" and v is not None else v) for k, v in data.items()})
        except DataError as err:
            raise DataError(str(err).replace("mapping:", f"{source}:", 1)) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> ColumnMapping:
        """Read a mapping from a YAML file (see the module docstring).

        Args:
            path: the YAML file.

        Returns:
            The mapping.

        Raises:
            DataError: the file is missing, not YAML, not a mapping of keys, or has bad keys.
        """
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise DataError(
                f"{path}: cannot read the column mapping ({type(err).__name__}: {err})."
            ) from None
        if not isinstance(data, dict):
            raise DataError(f"{path}: a column mapping must be YAML keys such as 'price: my_price_column'.")
        return cls.from_dict(data, source=str(path))

    def resolve(self, columns: Iterable[str]) -> ColumnMapping:
        """Fill the roles left as None from the file's column names.

        Args:
            columns: the file's columns.

        Returns:
            A mapping whose None roles mean "absent" (``series`` is then a tuple, possibly empty,
            and exactly one of ``units`` and ``log_units`` is set).
        """
        present = set(columns)
        return replace(
            self,
            series=self.series if self.series is not None else tuple(c for c in ("series",) if c in present),
            units=self.units if self.units is not None or self.log_units is not None else "units",
            base_price=self.base_price or ("base_price" if "base_price" in present else None),
            unit_cost=self.unit_cost or ("unit_cost" if "unit_cost" in present else None),
        )

    def roles(self) -> dict[str, str]:
        """Column -> role name of every mapped column (after :meth:`resolve`).

        Returns:
            E.g. ``{"date": "period", "agency": "series", "price_actual": "price", ...}``.
        """
        out: dict[str, str] = {c: "series" for c in self.series or ()}
        out |= {c: "promo" for c in self.promo} | {c: "competitor_prices" for c in self.competitor_prices}
        for role in SINGLE_ROLES:
            column = getattr(self, role)
            if column is not None:
                out[column] = role
        return out


def as_mapping(mapping: ColumnMapping | Mapping[str, Any] | str | Path | None) -> ColumnMapping:
    """Accept a mapping as an object, a dict, a YAML path or None (the role names).

    Args:
        mapping: any of the accepted forms.

    Returns:
        A :class:`ColumnMapping`.
    """
    if mapping is None:
        return ColumnMapping()
    if isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, str | Path):
        return ColumnMapping.from_yaml(mapping)
    return ColumnMapping.from_dict(mapping)
