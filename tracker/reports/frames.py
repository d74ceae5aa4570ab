"""The one way report rows become a DataFrame, shared by the queries (`queries.py`, `raw.py`,
`services.py`) and the pure figures (`compute.py`) so that neither imports the other for it."""

import pandas as pd


def frame(rows, columns) -> pd.DataFrame:
    """A DataFrame that keeps Python values as they are (no NaN for None, no float for Decimal)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns), dtype=object)
