"""Write a spec's dataset to its source path, and resolve source paths.

`spec.dataset.generator` names how the data is made; `spec.dataset.source` says where it goes,
relative to the project folder unless absolute or `s3://`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from mlaas.data.churn import ChurnDrift, generate_churn
from mlaas.data.housing import load_house_prices
from mlaas.data.storms import load_storms
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec

log = logging.getLogger("mlaas.data")


def resolve_source(spec: ModelSpec, source: str | None = None) -> str:
    """An absolute local path (relative ones are under the project folder) or the s3:// URI."""
    source = source or spec.dataset.source
    if source.startswith("s3://"):
        return source
    if source.startswith("file://"):
        source = source.removeprefix("file://")
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = get_settings().project_dir / path
    return str(path)


def build_frame(
    spec: ModelSpec, *, seed: int = 7, rows: int | None = None, drift: ChurnDrift | None = None
) -> pd.DataFrame:
    """The spec's dataset as a frame, made by its generator."""
    generator = spec.dataset.generator
    if generator == "churn":
        return generate_churn(rows or 5000, seed=seed, drift=drift)
    if generator in ("house_prices", "storms"):
        if drift is not None:
            raise ValueError("drift knobs apply to the churn generator only")
        frame = load_house_prices() if generator == "house_prices" else load_storms()
        return frame.head(rows).reset_index(drop=True) if rows else frame
    raise ValueError(f"spec {spec.name!r} has no dataset generator")


def generate_dataset(
    spec: ModelSpec,
    *,
    seed: int = 7,
    rows: int | None = None,
    drift: ChurnDrift | None = None,
    out: Path | None = None,
) -> Path:
    """Write the dataset as parquet (or csv, by the suffix) and return the path."""
    if out is None:
        resolved = resolve_source(spec)
        if resolved.startswith("s3://"):
            raise ValueError(f"cannot generate into {resolved}; pass a local `out` path")
        out = Path(resolved)
    if out.suffix not in (".parquet", ".csv"):
        raise ValueError(f"{out}: output must end in .parquet or .csv")
    frame = build_frame(spec, seed=seed, rows=rows, drift=drift)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if out.suffix == ".csv":
        frame.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    tmp.replace(out)
    log.info("generated %s: %d rows -> %s", spec.name, len(frame), out)
    return out


def ensure_dataset(spec: ModelSpec) -> str:
    """The resolved source, generating it first when it is a missing local file."""
    source = resolve_source(spec)
    if not source.startswith("s3://") and not Path(source).exists() and spec.dataset.generator:
        generate_dataset(spec, out=Path(source))
    return source
