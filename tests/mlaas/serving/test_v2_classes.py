"""The Open Inference Protocol's model metadata says what infer answers, for string-label,
integer-label and regression models alike: each output's datatype, and the class of every
`predict_proba` column (so a client maps columns to classes without the native API)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlaas.serving.protocols import v2_output_specs, v2_outputs
from tests.mlaas.serving.test_predictor import fitted_predictor, records_of, spec_for

TARGETS: dict[str, Any] = {
    "strings": pd.Series(np.random.default_rng(4).choice(["gold", "silver", "bronze"], 400)),
    "integers": None,  # churn's own 0/1
}


@pytest.mark.parametrize("kind", ["strings", "integers", "regression"])
def test_v2_metadata_matches_what_infer_answers(kind: str) -> None:
    if kind == "regression":
        spec = spec_for("house_prices")
        predictor, test = fitted_predictor(spec, "ridge")
    else:
        spec = spec_for("churn")
        predictor, test = fitted_predictor(spec, "logistic_regression", target=TARGETS[kind])
    prediction = predictor.predict_records(records_of(spec, test.head(5)))
    declared = v2_output_specs(predictor.labels)
    answered = v2_outputs(prediction, predictor.labels, predictor.classes)
    assert [(o["name"], o["datatype"]) for o in declared] == [
        (o["name"], o["datatype"]) for o in answered
    ]
    label = answered[0]
    assert (
        label["datatype"] == {"strings": "BYTES", "integers": "INT64", "regression": "FP64"}[kind]
    )
    assert label["shape"] == [5] and len(label["data"]) == 5
    if kind == "regression":
        assert len(declared) == 1
        return
    proba = answered[1]
    classes = declared[1]["parameters"]["classes"]
    assert proba["parameters"]["classes"] == classes == predictor.labels
    assert proba["shape"] == [5, len(classes)]
    rows = np.asarray(proba["data"]).reshape(5, len(classes))
    for row, output, probabilities in zip(
        rows, label["data"], prediction.probabilities or [], strict=True
    ):
        assert classes[int(row.argmax())] == output  # the top column is the answered label
        assert row.tolist() == pytest.approx([probabilities[str(c)] for c in classes])
