"""The compiled form of a fitted `build_estimator` pipeline: arrays + a direct estimator call.

The fitted preprocessing becomes a `FeatureEncoding` (read from the ColumnTransformer's fitted
objects, never assumed), and the estimator is scored on the float matrix by its family
(`mlaas.families`: LightGBM through its Booster and native code, linear models as numpy
algebra, forests through their own methods). Any other pipeline shape is refused, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlaas.families import Family, family_of
from mlaas.serving.schema import FeatureEncoding
from mlaas.specs import ModelSpec


class UnsupportedPipelineError(ValueError):
    """A fitted pipeline whose shape the compiler does not know (it never guesses)."""


def _block(
    spec: ModelSpec, name: str, transformer: Any, columns: Any
) -> tuple[str, str, np.ndarray | None, Any]:
    """(kind, missing-value strategy, fills, encoder) of one ColumnTransformer block, or
    UnsupportedPipelineError. Numbers: [imputer (median | mean)] + StandardScaler, no imputer
    meaning the model takes NaN ("native"); categories: imputer (most frequent, or a constant:
    missing is a category) + OneHotEncoder."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    steps = [step for _, step in transformer.steps] if isinstance(transformer, Pipeline) else []
    shape = [type(step).__name__ for step in steps]
    kinds = {f.name: f.type for f in spec.features}
    imputer = steps[0] if len(steps) == 2 and isinstance(steps[0], SimpleImputer) else None
    encoder = steps[-1] if steps else None
    if imputer is not None and imputer.add_indicator:
        raise UnsupportedPipelineError(f"block {name!r}: the imputer adds indicator columns")
    if isinstance(encoder, StandardScaler) and (imputer is not None or len(steps) == 1):
        kind, allowed = "numeric", {"int", "float", "bool"}
        strategy = "native" if imputer is None else imputer.strategy
        if strategy not in ("native", "median", "mean"):
            raise UnsupportedPipelineError(f"block {name!r}: imputer strategy {strategy!r}")
    elif isinstance(encoder, OneHotEncoder) and imputer is not None:
        kind, allowed = "categorical", {"category"}
        strategy = {"most_frequent": "most_frequent", "constant": "category"}.get(
            imputer.strategy, imputer.strategy
        )
        if strategy not in ("most_frequent", "category"):
            raise UnsupportedPipelineError(f"block {name!r}: imputer strategy {strategy!r}")
        if encoder.drop_idx_ is not None or encoder._infrequent_enabled:
            raise UnsupportedPipelineError(f"block {name!r}: one-hot drop/infrequent is set")
    else:
        raise UnsupportedPipelineError(
            f"block {name!r}: unsupported transformer {shape or transformer}"
        )
    wrong = [c for c in columns if kinds.get(c) not in allowed]
    if wrong:
        raise UnsupportedPipelineError(f"block {name!r}: columns {wrong} are not {allowed}")
    fills = None if imputer is None else imputer.statistics_
    return kind, strategy, fills, encoder


def compile_encoding(spec: ModelSpec, preprocess: Any) -> FeatureEncoding:
    """Read the fitted ColumnTransformer into arrays (column order as in its output)."""
    from sklearn.compose import ColumnTransformer

    if not isinstance(preprocess, ColumnTransformer):
        raise UnsupportedPipelineError(f"expected a ColumnTransformer, got {preprocess!r}")
    numeric: list[tuple[str, int, float, float, float]] = []
    categorical: list[tuple[str, str, dict[str, int]]] = []
    strategies = {"numeric": "median", "categorical": "most_frequent"}
    n_columns = 0
    for name, transformer, columns in preprocess.transformers_:
        if len(columns) == 0 or (isinstance(transformer, str) and transformer == "drop"):
            continue
        out = preprocess.output_indices_[name]
        kind, strategy, fills, encoder = _block(spec, name, transformer, columns)
        strategies[kind] = strategy
        if kind == "numeric":
            count = len(columns)
            mean = encoder.mean_ if encoder.with_mean else np.zeros(count)
            scale = encoder.scale_ if encoder.with_std else np.ones(count)
            if fills is None:  # the model takes NaN: a null stays NaN
                fills = np.full(count, np.nan)
            elif not np.isfinite(fills.astype(float)).all():
                raise UnsupportedPipelineError(f"block {name!r}: a column was all missing")
            if out.stop - out.start != count:
                raise UnsupportedPipelineError(f"block {name!r}: a column was all missing")
            for i, column in enumerate(columns):
                numeric.append((column, out.start + i, fills[i], mean[i], scale[i]))
        else:
            assert fills is not None
            start = out.start
            for i, column in enumerate(columns):
                categories = encoder.categories_[i].tolist()
                if not all(isinstance(c, str) for c in categories + [fills[i]]):
                    raise UnsupportedPipelineError(f"{column!r}: categories must be strings")
                categorical.append(
                    (column, fills[i], {c: start + j for j, c in enumerate(categories)})
                )
                start += len(categories)
            if start != out.stop:
                raise UnsupportedPipelineError(f"block {name!r}: unexpected output width")
        n_columns = max(n_columns, out.stop)
    return FeatureEncoding(
        n_columns=n_columns,
        numeric_names=tuple(n[0] for n in numeric),
        numeric_columns=np.array([n[1] for n in numeric], dtype=np.intp),
        numeric_fill=np.array([n[2] for n in numeric], dtype=np.float64),
        numeric_mean=np.array([n[3] for n in numeric], dtype=np.float64),
        numeric_scale=np.array([n[4] for n in numeric], dtype=np.float64),
        categorical_names=tuple(c[0] for c in categorical),
        categorical_fill=tuple(c[1] for c in categorical),
        categorical_columns=tuple(c[2] for c in categorical),
        numeric_strategy=strategies["numeric"],
        categorical_strategy=strategies["categorical"],
    )


@dataclass(frozen=True)
class CompiledPipeline:
    """Encoding + the final estimator, scored on float matrices."""

    encoding: FeatureEncoding
    kind: Family
    estimator: Any
    classification: bool
    classes: np.ndarray  # estimator.classes_; empty for regression
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def family(self) -> str:
        return self.kind.name

    def margin(self, X: np.ndarray) -> np.ndarray:
        """Raw output: log-odds/decision values (n,) or (n, k); forests: probabilities/values."""
        return self.kind.margin(self.estimator, X, self.classification)

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for classifiers, values (n,) for regressors."""
        return self.kind.scores(self.estimator, X, self.classification, self.cache)

    def compile_native(self, cache_dir: Path) -> bool:
        """Compile the model to machine code for batches where its family can
        (`mlaas.serving.native_trees` for LightGBM); False: the family's scorer serves."""
        return self.kind.compile_native(self.estimator, self.cache, cache_dir)


def compile_pipeline(spec: ModelSpec, estimator: Any) -> CompiledPipeline:
    """Compile a fitted `build_estimator` pipeline (preprocess + model); refuse other shapes."""
    from sklearn.pipeline import Pipeline

    if not isinstance(estimator, Pipeline) or len(estimator.steps) != 2:
        raise UnsupportedPipelineError("expected a fitted Pipeline(preprocess, model)")
    preprocess, model = estimator.steps[0][1], estimator.steps[1][1]
    family = family_of(model)
    if family is None:
        raise UnsupportedPipelineError(f"unsupported estimator {type(model).__name__}")
    classification = spec.task == "classification"
    if hasattr(model, "classes_") != classification:
        raise UnsupportedPipelineError(f"{type(model).__name__} does not fit task {spec.task!r}")
    refused = family.check_fitted(model)
    if refused:
        raise UnsupportedPipelineError(refused)
    encoding = compile_encoding(spec, preprocess)
    if getattr(model, "n_features_in_", encoding.n_columns) != encoding.n_columns:
        raise UnsupportedPipelineError(
            f"the model takes {model.n_features_in_} columns, the preprocessing makes "
            f"{encoding.n_columns}"
        )
    return CompiledPipeline(
        encoding=encoding,
        kind=family,
        estimator=model,
        classification=classification,
        classes=np.asarray(model.classes_) if classification else np.array([]),
    )
