"""`mlaas reproduce` rebuilds a version from its lineage with identical holdout metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mlaas.cli import cli
from mlaas.data.churn import generate_churn
from mlaas.pipeline import run_pipeline
from mlaas.registry import get_version
from mlaas.reproduce import LineageError, reproduce
from mlaas.storage import get_store
from tests.factories import small_spec


@pytest.mark.parametrize("model", ["churn", "house_prices"])
def test_reproduce_rebuilds_identical_holdout_metrics(
    model: str, mlaas_home: Path, tmp_path: Path
) -> None:
    source = None
    if model == "churn":
        source = str(tmp_path / "churn.parquet")
        generate_churn(1500, seed=5).to_parquet(source, index=False)
    registration = run_pipeline(small_spec(model), source=source)

    # Rebuild also when the point-in-time training frame is gone: it is recomputed via Feast.
    frame_key = get_version(model, registration.version).lineage()["frame_key"]
    get_store().delete(frame_key)

    report = reproduce(model, registration.version)
    assert report.registered, "no holdout metrics were registered"
    assert set(report.rebuilt) == set(report.registered)
    for metric, value in report.registered.items():
        assert abs(report.rebuilt[metric] - value) <= 1e-9, metric
    assert report.identical

    result = CliRunner().invoke(cli, ["reproduce", model, registration.version])
    assert result.exit_code == 0, result.output
    assert "reproduced" in result.output


def test_reproduce_refuses_a_dataset_that_no_longer_matches_its_hash(
    mlaas_home: Path,
) -> None:
    registration = run_pipeline(small_spec("house_prices"))
    lineage = get_version("house_prices", registration.version).lineage()
    key = f"datasets/house_prices/{lineage['data_hash']}.parquet"
    import pandas as pd

    from mlaas.storage import read_parquet, write_parquet

    frame: pd.DataFrame = read_parquet(get_store(), key)
    write_parquet(get_store(), key, frame.assign(price=frame["price"] + 1))
    with pytest.raises(LineageError, match="no longer matches its hash"):
        reproduce("house_prices", registration.version)
