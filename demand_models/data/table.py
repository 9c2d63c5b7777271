"""Reading a CSV (optionally compressed) or Parquet file into a raw table, with file-level errors."""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd

from demand_models.data.errors import DataError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst")
PARQUET_SUFFIXES = (".parquet", ".pq")


def table_format(path: Path) -> str:
    """``"csv"`` or ``"parquet"``, from the file name (``.csv``, ``.csv.gz``, ``.parquet``, ...).

    Args:
        path: the file.

    Returns:
        The format name.

    Raises:
        DataError: an unsupported file type.
    """
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] in PARQUET_SUFFIXES:
        return "parquet"
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in CSV_SUFFIXES:
        return "csv"
    raise DataError(
        f"{path}: unsupported file type; expected CSV ({', '.join(CSV_SUFFIXES)}, optionally compressed: "
        f"{', '.join(COMPRESSION_SUFFIXES)}) or Parquet ({', '.join(PARQUET_SUFFIXES)})."
    )


def row_unit(path: Path) -> str:
    """How row numbers in messages count, for this file's format.

    Args:
        path: the file.

    Returns:
        A short explanation to put after a list of row numbers.
    """
    if table_format(path) == "csv":
        return "data rows counted from 1 after the header line, so file line = row + 1"
    return "rows counted from 1"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read every column of a CSV or Parquet file as pandas infers it.

    Args:
        path: the file.

    Returns:
        The table, with a fresh ``RangeIndex`` (index i is data row i + 1).

    Raises:
        DataError: the file is missing, a folder, empty, of an unsupported type, or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file.")
    fmt = table_format(path)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes).")
    try:
        table = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty (no header line).") from None
    except (ValueError, OSError, EOFError, UnicodeDecodeError, zlib.error, pd.errors.ParserError) as err:
        kind = "CSV" if fmt == "csv" else "Parquet"
        raise DataError(f"{path}: cannot be read as {kind} ({type(err).__name__}: {err}).") from None
    if table.empty:
        raise DataError(f"{path}: the file has a header but no data rows.")
    return table.reset_index(drop=True)
