"""Sales history in: loading, validation, the Dominick's orange juice data set, splits, description."""

from demand_models.data.dominicks import fetch_orange_juice_rda, find_orange_juice_rda, load_dominicks_oj
from demand_models.data.errors import DataError

__all__ = ["DataError", "fetch_orange_juice_rda", "find_orange_juice_rda", "load_dominicks_oj"]
