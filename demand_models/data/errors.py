"""The one exception type of the data package: its message is the text a user reads."""

from __future__ import annotations


class DataError(ValueError):
    """Input data that cannot be loaded as it is.

    The message names the file, the column, the first offending rows and how many rows are
    affected, and says what to do; the command line prints it as it is, without a traceback.
    """
