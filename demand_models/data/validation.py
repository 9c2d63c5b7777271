"""Row checks: each problem is reported by file, column, first offending rows and row count."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demand_models.data.errors import DataError
from demand_models.data.table import row_unit

logger = logging.getLogger(__name__)

SHOWN_ROWS = 5


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, for a readable repr."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class RowProblem:
    """Rows of one column that fail one check.

    Attributes:
        column: the user's column name (several names joined for a duplicated key).
        reason: what is wrong, e.g. ``"price <= 0"``.
        rows: 0-based positions in the raw table.
        values: the raw values at those rows (for the message).
    """

    column: str
    reason: str
    rows: np.ndarray
    values: pd.Series

    @property
    def key(self) -> str:
        """``"column: reason"``, the key of this problem in ``SalesHistory.dropped_rows``."""
        return f"{self.column}: {self.reason}"


class RowChecker:
    """Collects row problems over a raw table; each row counts under its first problem only.

    Args:
        path: the file, named in every message.
        n_rows: rows in the raw table.
    """

    def __init__(self, path: Path, n_rows: int) -> None:
        self.path = path
        self.n_rows = n_rows
        self.flagged = np.zeros(n_rows, dtype=bool)
        self.problems: list[RowProblem] = []
        self.unobserved: list[RowProblem] = []

    @property
    def ok(self) -> np.ndarray:
        """Rows not flagged so far."""
        return ~self.flagged

    def _record(self, column: str, reason: str, mask: np.ndarray, values: pd.Series) -> RowProblem | None:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool) & ~self.flagged)
        if rows.size == 0:
            return None
        self.flagged[rows] = True
        return RowProblem(column, reason, rows, values.iloc[rows])

    def flag(self, column: str, reason: str, mask: np.ndarray, values: pd.Series) -> None:
        """Record invalid rows (an error unless invalid rows are dropped).

        Args:
            column: the user's column.
            reason: what is wrong with these rows.
            mask: boolean over all raw rows.
            values: raw values of the column (for the message).
        """
        problem = self._record(column, reason, mask, values)
        if problem is not None:
            self.problems.append(problem)

    def mark_unobserved(self, column: str, reason: str, mask: np.ndarray, values: pd.Series) -> None:
        """Record rows the mapping declares unobserved: always dropped, never an error.

        Args:
            column: the user's column.
            reason: why the rows are unobserved.
            mask: boolean over all raw rows.
            values: raw values of the column.
        """
        problem = self._record(column, reason, mask, values)
        if problem is not None:
            self.unobserved.append(problem)

    def message(self, problem: RowProblem) -> str:
        """The user-facing text of one problem.

        Args:
            problem: a recorded problem.

        Returns:
            One message naming the file, the column, the first rows with their values, the count.
        """
        shown = ", ".join(
            f"{row + 1} ({_plain(value)!r})"
            for row, value in zip(problem.rows[:SHOWN_ROWS], problem.values, strict=False)
        )
        more = f" and {problem.rows.size - SHOWN_ROWS} more" if problem.rows.size > SHOWN_ROWS else ""
        return (
            f"{self.path}: column {problem.column!r}: {problem.rows.size} of {self.n_rows} rows: "
            f"{problem.reason}. "
            f"First rows (value): {shown}{more} ({row_unit(self.path)}). Fix these rows, or load with "
            f"drop_invalid=True (command line: --drop-invalid) to drop every invalid row."
        )

    def finish(self, drop_invalid: bool) -> tuple[np.ndarray, dict[str, int]]:
        """Raise on the first problem, or drop every flagged row.

        Args:
            drop_invalid: drop invalid rows instead of raising.

        Returns:
            Rows to keep (boolean over raw rows) and ``"column: reason" -> rows dropped``, each
            dropped row counted once, under its first problem.

        Raises:
            DataError: a problem was found and ``drop_invalid`` is False.
        """
        if self.problems and not drop_invalid:
            raise DataError(self.message(self.problems[0]))
        dropped = {p.key: int(p.rows.size) for p in self.unobserved + self.problems}
        if dropped:
            logger.info("%s: dropped %d of %d rows: %s", self.path, self.flagged.sum(), self.n_rows, dropped)
        return self.ok, dropped


def numeric(values: pd.Series, column: str, checker: RowChecker) -> pd.Series:
    """The column as float64; non-numeric values are flagged and become NaN.

    Args:
        values: raw column.
        column: its name.
        checker: where problems go.

    Returns:
        float64 Series (NaN where missing or non-numeric).
    """
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.astype(np.float64)
    converted = pd.to_numeric(values, errors="coerce").astype(np.float64)
    checker.flag(column, "not a number", (converted.isna() & values.notna()).to_numpy(), values)
    return converted
