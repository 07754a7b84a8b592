"""One registered model version, compiled for fast online scoring.

The logged sklearn pipeline is loaded once and compiled (`mlaas.serving.compiled`): its fitted
preprocessing becomes arrays and the estimator is called on a float matrix, without pandas.
Outputs equal the pipeline's to 1e-9 (tested for every family); the pipeline itself stays on
`Predictor.pipeline` for fallbacks and checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mlaas.serving import explain
from mlaas.serving.compiled import CompiledPipeline, UnsupportedPipelineError, compile_pipeline
from mlaas.serving.schema import RecordSchema, check_records, expected_type, records_to_matrix
from mlaas.specs import ModelSpec

__all__ = [
    "CompiledPipeline",
    "Prediction",
    "Predictor",
    "UnsupportedPipelineError",
    "compile_pipeline",
    "load_predictor",
]


@dataclass(frozen=True)
class Prediction:
    """Outputs of a batch, in record order."""

    outputs: list[float | int | str]  # labels (classification) or values (regression)
    probabilities: list[dict[str, float]] | None  # per row {class label (str): p}


class Predictor:
    """One model version: validates records, scores them, explains them."""

    def __init__(
        self, *, model: str, version: str, spec: ModelSpec, pipeline: Any, run_id: str = ""
    ) -> None:
        self.model, self.version, self.spec, self.pipeline = model, str(version), spec, pipeline
        # Version numbers restart in every registry; the training run id does not. Cache keys
        # carry both, so two deployments sharing one Redis never see each other's answers.
        self.cache_version = f"{self.version}-{run_id[:16]}" if run_id else self.version
        self.task = spec.task
        self.compiled = compile_pipeline(spec, pipeline)
        self.family = self.compiled.family
        self.feature_names = spec.feature_names
        self.classes = [str(c) for c in self.compiled.classes.tolist()]
        self._labels: list[Any] = self.compiled.classes.tolist()  # original types (int 0/1)
        self._schema = RecordSchema.from_spec(spec)

    def to_matrix(self, records: list[dict[str, Any]]) -> np.ndarray:
        """Validated (InputError otherwise) and encoded records."""
        check_records(self._schema, records)
        return records_to_matrix(self.compiled.encoding, records)

    def predict_records(self, records: list[dict[str, Any]]) -> Prediction:
        """Validate (InputError naming every problem), encode, score; nulls are imputed."""
        return self.predict_matrix(self.to_matrix(records))

    def predict_matrix(self, X: np.ndarray) -> Prediction:
        scores = self.compiled.scores(X)
        if not self.compiled.classification:
            return Prediction(outputs=scores.tolist(), probabilities=None)
        labels = self._labels
        return Prediction(
            outputs=[labels[i] for i in scores.argmax(axis=1).tolist()],
            probabilities=[dict(zip(self.classes, row, strict=True)) for row in scores.tolist()],
        )

    def explain_records(self, records: list[dict[str, Any]]) -> list[dict[str, float]]:
        """Per record: contribution per spec feature plus `_base`, summing to the raw output
        (log-odds for classifiers, the value for regressors; see `mlaas.serving.explain`)."""
        return self.explain_matrix(self.to_matrix(records))

    def explain_matrix(self, X: np.ndarray) -> list[dict[str, float]]:
        return explain.explain(self.compiled, X, self.feature_names)

    def importance(self) -> dict[str, float]:
        return explain.importance(self.compiled, self.feature_names)

    def signature(self) -> dict[str, Any]:
        inputs = [
            {"name": f.name, "type": f.type, "accepts": f"{expected_type(f.type)} or null"}
            for f in self.spec.features
        ]
        outputs = {"task": self.task, "target": self.spec.target, "classes": self.classes}
        return {"inputs": inputs, "outputs": outputs}

    def warm(self) -> None:
        """Score (and explain) one all-imputed record so the first request is not slow."""
        record: dict[str, Any] = dict.fromkeys(self.feature_names)
        self.predict_records([record])
        try:
            self.explain_records([record])
        except explain.ExplanationUnavailable:
            pass


def load_predictor(
    model: str, *, alias: str | None = None, version: str | None = None
) -> Predictor:
    """The version `alias` (default `champion`) or `version` points at, with its spec snapshot."""
    import mlflow

    from mlaas import registry
    from mlaas.lineage import load_spec_snapshot
    from mlaas.tracking import init_mlflow

    if alias is not None and version is not None:
        raise ValueError("give an alias or a version, not both")
    if version is None:
        alias = alias or registry.CHAMPION
        info = registry.version_for_alias(model, alias)
        if info is None:
            raise registry.RegistryError(f"model {model!r} has no version with alias {alias!r}")
    else:
        info = registry.get_version(model, version)
    spec_hash = info.tags.get(f"{registry.TAG}spec_hash")
    if spec_hash is None:
        raise registry.RegistryError(f"{model} v{info.version} has no spec snapshot tag")
    spec = load_spec_snapshot(spec_hash)
    init_mlflow()
    pipeline = mlflow.sklearn.load_model(f"models:/{model}/{info.version}")
    return Predictor(
        model=model, version=info.version, spec=spec, pipeline=pipeline, run_id=info.run_id or ""
    )
