"""time_split cuts by period: the last 20% test, the 10% before validation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from demand_models.data import time_split
from demand_models.history import SalesHistory


def _history(n_periods: int = 50) -> SalesHistory:
    period = np.tile(np.arange(n_periods), 2)
    frame = pd.DataFrame(
        {
            "s": np.repeat(["a", "b"], n_periods),
            "period": period,
            "season": period % 52,
            "price": 1.0,
            "units": 1.0,
        }
    )
    frame = frame[~((frame["s"] == "b") & (frame["period"] == 45))].reset_index(drop=True)
    return SalesHistory(
        frame=frame,
        name="t",
        series_keys=("s",),
        promo_columns=(),
        competitor_columns=(),
        season_length=52,
        period_start=pd.Timestamp("2020-01-02"),
        period_freq="W-THU",
    )


def test_split_by_period():
    split = time_split(_history())
    assert split.periods == {"train": [0, 34], "val": [35, 39], "test": [40, 49]}
    assert json.loads(json.dumps(split.periods)) == split.periods
    assert split.train.frame["period"].max() == 34 and len(split.train.frame) == 70
    assert set(split.val.frame["period"]) == set(range(35, 40))
    assert len(split.test.frame) == 19 and split.test.name == "t"


def test_split_without_validation_and_bad_fractions():
    split = time_split(_history(10), val_fraction=0.0, test_fraction=0.3)
    assert split.periods == {"train": [0, 6], "val": [], "test": [7, 9]} and split.val.frame.empty
    with pytest.raises(ValueError, match="fractions"):
        time_split(_history(), test_fraction=1.0)
    with pytest.raises(ValueError, match="too few"):
        time_split(_history(2))
