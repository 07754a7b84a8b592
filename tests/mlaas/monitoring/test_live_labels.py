"""Labelled live traffic becomes training rows (mlaas.live_labels, mlaas.ingest.assemble): real
predictions through the prediction service, real feedback, the assembled dataset checked row by
row against what was sent and labelled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tests.factories import small_spec
from tests.mlaas.monitoring.helpers import churn_frame, predict_rows, shift_log_time


def _label(ids: list[str], truth: list[Any], *, regression: bool = False) -> None:
    from mlaas.monitoring.feedback import FeedbackItem, submit_feedback

    key = "value" if regression else "label"
    items = [FeedbackItem(rid, **{key: value}) for rid, value in zip(ids, truth, strict=True)]
    results = submit_feedback(items)
    assert {result.status for result in results} == {"accepted"}


def test_labelled_predictions_become_rows_in_the_sources_schema(service: Any, home: Path) -> None:
    """Single records (row log) and a large batch (one block row) both count; unlabelled, shadow,
    too old and unfit predictions do not; every row keeps its features, its label in the
    target's type and its prediction time, under a key derived from its request id."""
    from mlaas.ingest import assemble, content_hash, dataset_parts, ingest, read_dataset
    from mlaas.live_labels import conform

    source = home.parent / "churn.parquet"
    spec = small_spec("churn", dataset={"source": str(source), "generator": "churn"})
    singles = churn_frame(12, seed=61)
    batch = churn_frame(100, seed=62)
    old = churn_frame(5, seed=63)
    single_ids, _ = predict_rows(service, "churn", singles, batch=False)
    batch_ids, _ = predict_rows(service, "churn", batch)
    old_ids, _ = predict_rows(service, "churn", old, batch=False)
    shift_log_time(old_ids, -timedelta(days=31))  # beyond live_labels.max_age_days (30)
    # An unfit one: the source always fills `age`; a prediction sent without it is left out.
    unfit = churn_frame(1, seed=64).astype(object)
    unfit.loc[0, "age"] = None
    unfit_ids, _ = predict_rows(service, "churn", unfit, batch=False)

    labelled_batch = batch_ids[::2]  # half of the batch, 50 records
    _label(single_ids[:10], singles["churned"].iloc[:10].tolist())
    _label(labelled_batch, batch["churned"].iloc[::2].tolist())
    _label(old_ids, old["churned"].tolist())
    _label(unfit_ids, [1])

    _, base = read_dataset(spec)
    assembled = assemble(spec)
    source_part, live_part = assembled.parts
    assert source_part.kind == "source" and source_part.uri == str(source)
    assert source_part.content_hash == content_hash(base) and source_part.rows == len(base)
    assert live_part.kind == "live" and live_part.rows == 60 and live_part.left_out == 1
    window = live_part.window_end - live_part.window_start  # type: ignore[operator]
    assert window == timedelta(days=30)

    frame = assembled.frame
    assert len(frame) == len(base) + 60
    assert frame.dtypes.to_dict() == base.dtypes.to_dict()
    pd.testing.assert_frame_equal(frame.iloc[: len(base)], base)
    live = frame.iloc[len(base) :].reset_index(drop=True)
    expected = pd.concat([singles.iloc[:10], batch.iloc[::2]], ignore_index=True)
    features = spec.feature_names
    live_sorted = live.sort_values(features).reset_index(drop=True)
    expected_sorted = expected.sort_values(features).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        live_sorted[[*features, "churned"]],
        expected_sorted[[*features, "churned"]].astype(base[[*features, "churned"]].dtypes),
    )
    assert (live["customer_id"] < 0).all() and live["customer_id"].is_unique
    assert live["event_timestamp"].min() > base["event_timestamp"].max()

    # Stored: the dataset's lineage keeps the parts; the same traffic gives the same dataset.
    def lineage(parts: Any) -> list[dict[str, Any]]:  # the window moves with the clock
        return [part.model_dump(exclude={"window_start", "window_end"}) for part in parts]

    ref = ingest(spec)
    assert lineage(ref.parts) == lineage(assembled.parts) and ref.rows == len(frame)
    assert dataset_parts("churn", ref.content_hash) == ref.parts
    assert ingest(spec).content_hash == ref.content_hash
    # A run given that very dataset (a `dataset_version` rerun) does not add its live rows twice.
    again = assemble(spec, ref.uri)
    assert [part.kind for part in again.parts] == ["file"]
    assert content_hash(again.frame) == ref.content_hash

    # Fewer usable rows than `min_rows`: none are added, the data is the source's.
    strict = small_spec(
        "churn",
        dataset={"source": str(source), "generator": "churn"},
        retrain__live_labels={"min_rows": 61},
    )
    assert [part.kind for part in assemble(strict).parts] == ["source"]
    assert content_hash(assemble(strict).frame) == content_hash(base)

    # conform refuses what the source's dtype cannot hold without a guess.
    _, ok = conform(pd.Series([1.0, 2.5, None, "7"], dtype=object), base["age"])
    assert ok.tolist() == [True, False, False, True]


def test_labelled_regression_traffic_keeps_its_values(service: Any, home: Path) -> None:
    from mlaas.data.housing import load_house_prices
    from mlaas.ingest import assemble

    spec = small_spec("house_prices", retrain__live_labels={"min_rows": 20})
    frame = load_house_prices().sample(30, random_state=71).reset_index(drop=True)
    ids, _ = predict_rows(service, "house_prices", frame)
    _label(ids[:25], [float(v) for v in frame["price"].iloc[:25]], regression=True)

    assembled = assemble(spec)
    live = assembled.frame.iloc[assembled.parts[0].rows :]
    assert assembled.parts[1].rows == 25
    assert sorted(live["price"].tolist()) == sorted(frame["price"].iloc[:25].tolist())
    assert (live["house_id"] < 0).all()  # integer keys in the source: derived negative ones


def test_labels_are_read_in_bulk_whatever_their_number(service: Any, home: Path) -> None:
    """The labelled rows of large batches come from one read of the model's feedback, not one
    query per 500 ids: the statements issued do not grow with the labels."""
    from sqlalchemy import event

    from mlaas.db import get_engine
    from mlaas.monitoring.context import Window
    from mlaas.monitoring.live import labelled_data

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    frame = churn_frame(1200, seed=81)
    ids, _ = predict_rows(service, "churn", frame)
    _label(ids, frame["churned"].tolist())
    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        window = Window.ending(pd.Timestamp.now(tz="UTC").to_pydatetime(), minutes=60)
        data = labelled_data(small_spec("churn"), window)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(data) == 1200
    assert len([s for s in statements if "feedback" in s]) == 2  # the join, the bulk read
