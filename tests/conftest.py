"""The shared real data set beside the repository (``../shared/data``), skipped where it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

STALLION_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "stallion"


@pytest.fixture(scope="session")
def stallion_dir() -> Path:
    """The stallion monthly beverage sales folder; the test is skipped on a clone without ``../shared``."""
    if not (STALLION_DIR / "stallion.csv.gz").is_file():
        pytest.skip(f"{STALLION_DIR} is not beside the repository (the shared test data of this workplace)")
    return STALLION_DIR
