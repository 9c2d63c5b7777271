"""Sales history in: loading, validation, the Dominick's orange juice data set, splits, description."""

from demand_models.data.describe import describe
from demand_models.data.dominicks import fetch_orange_juice_rda, find_orange_juice_rda, load_dominicks_oj
from demand_models.data.errors import DataError
from demand_models.data.loader import load_dataset, load_sales
from demand_models.data.mapping import ColumnMapping
from demand_models.data.split import Split, time_split

__all__ = [
    "ColumnMapping",
    "DataError",
    "Split",
    "describe",
    "fetch_orange_juice_rda",
    "find_orange_juice_rda",
    "load_dataset",
    "load_dominicks_oj",
    "load_sales",
    "time_split",
]
