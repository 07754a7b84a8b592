"""The compiled form of a fitted `build_estimator` pipeline: arrays + a direct estimator call.

The fitted preprocessing becomes a `FeatureEncoding` (read from the ColumnTransformer's fitted
objects, never assumed), and the estimator is called on the float matrix: LightGBM through its
Booster (single rows through LightGBM's fast single-row C API), linear models as numpy algebra,
forests through their own methods. Any other pipeline shape is refused, not guessed.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlaas.serving.native_trees import NativeForest, compile_booster
from mlaas.serving.schema import FeatureEncoding
from mlaas.specs import ModelSpec

log = logging.getLogger("mlaas.serving")

_FAMILIES = {
    "LGBMClassifier": "lightgbm",
    "LGBMRegressor": "lightgbm",
    "LogisticRegression": "logistic_regression",
    "Ridge": "ridge",
    "RandomForestClassifier": "random_forest",
    "RandomForestRegressor": "random_forest",
}


class UnsupportedPipelineError(ValueError):
    """A fitted pipeline whose shape the compiler does not know (it never guesses)."""


def _block(spec: ModelSpec, name: str, transformer: Any, columns: Any) -> tuple[str, Any, Any]:
    """(kind, imputer, encoder) of one ColumnTransformer block, or UnsupportedPipelineError."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    steps = [step for _, step in transformer.steps] if isinstance(transformer, Pipeline) else []
    shape = [type(step).__name__ for step in steps]
    kinds = {f.name: f.type for f in spec.features}
    if len(steps) == 2 and isinstance(steps[0], SimpleImputer) and not steps[0].add_indicator:
        imputer, encoder = steps
        if isinstance(encoder, StandardScaler) and imputer.strategy == "median":
            kind, allowed = "numeric", {"int", "float", "bool"}
        elif isinstance(encoder, OneHotEncoder) and imputer.strategy == "most_frequent":
            kind, allowed = "categorical", {"category"}
            if encoder.drop_idx_ is not None or encoder._infrequent_enabled:
                raise UnsupportedPipelineError(f"block {name!r}: one-hot drop/infrequent is set")
        else:
            raise UnsupportedPipelineError(f"block {name!r}: unsupported steps {shape}")
        wrong = [c for c in columns if kinds.get(c) not in allowed]
        if wrong:
            raise UnsupportedPipelineError(f"block {name!r}: columns {wrong} are not {allowed}")
        return kind, imputer, encoder
    raise UnsupportedPipelineError(
        f"block {name!r}: unsupported transformer {shape or transformer}"
    )


def compile_encoding(spec: ModelSpec, preprocess: Any) -> FeatureEncoding:
    """Read the fitted ColumnTransformer into arrays (column order as in its output)."""
    from sklearn.compose import ColumnTransformer

    if not isinstance(preprocess, ColumnTransformer):
        raise UnsupportedPipelineError(f"expected a ColumnTransformer, got {preprocess!r}")
    numeric: list[tuple[str, int, float, float, float]] = []
    categorical: list[tuple[str, str, dict[str, int]]] = []
    n_columns = 0
    for name, transformer, columns in preprocess.transformers_:
        if len(columns) == 0 or (isinstance(transformer, str) and transformer == "drop"):
            continue
        out = preprocess.output_indices_[name]
        kind, imputer, encoder = _block(spec, name, transformer, columns)
        fills = imputer.statistics_
        if kind == "numeric":
            count = len(columns)
            mean = encoder.mean_ if encoder.with_mean else np.zeros(count)
            scale = encoder.scale_ if encoder.with_std else np.ones(count)
            if out.stop - out.start != count or not np.isfinite(fills.astype(float)).all():
                raise UnsupportedPipelineError(f"block {name!r}: a column was all missing")
            for i, column in enumerate(columns):
                numeric.append((column, out.start + i, fills[i], mean[i], scale[i]))
        else:
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
    )


@dataclass(frozen=True)
class CompiledPipeline:
    """Encoding + the final estimator, scored on float matrices."""

    encoding: FeatureEncoding
    family: str
    estimator: Any
    classification: bool
    classes: np.ndarray  # estimator.classes_; empty for regression
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def margin(self, X: np.ndarray) -> np.ndarray:
        """Raw output: log-odds/decision values (n,) or (n, k); forests: probabilities/values."""
        est = self.estimator
        if self.family == "lightgbm":
            return np.asarray(est.booster_.predict(X, raw_score=True, num_threads=1))
        if self.family in ("logistic_regression", "ridge"):
            coef = est.coef_
            scores = np.asarray(X @ (coef.T if coef.ndim == 2 else coef) + est.intercept_)
            return scores.reshape(-1) if scores.ndim == 2 and scores.shape[1] == 1 else scores
        if not self.classification:
            return np.asarray(est.predict(X))
        proba = np.asarray(est.predict_proba(X))
        return proba[:, 1] if proba.shape[1] == 2 else proba

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for classifiers, values (n,) for regressors."""
        est = self.estimator
        if self.family == "lightgbm":
            native: NativeForest | None = self.cache.get("native") if X.shape[0] > 1 else None
            out: np.ndarray
            fast = self._lightgbm_row() if X.shape[0] == 1 else None
            if native is not None:
                out = native.predict(X)
            elif fast is not None:
                out = fast(X)
            else:
                out = np.asarray(est.booster_.predict(X, num_threads=1))
        elif self.family == "random_forest":
            return np.asarray(est.predict_proba(X) if self.classification else est.predict(X))
        elif self.family == "ridge":
            return self.margin(X)
        else:  # logistic regression: sklearn's expit (binary) / softmax (multinomial)
            from scipy.special import expit

            decision = self.margin(X)
            if decision.ndim == 1:
                out = expit(decision)
            else:
                shifted = np.exp(decision - decision.max(axis=1, keepdims=True))
                return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))
        if self.classification and out.ndim == 1:
            both = np.empty((out.shape[0], 2))
            both[:, 0] = 1.0 - out
            both[:, 1] = out
            return both
        return out

    def compile_native(self, cache_dir: Path) -> bool:
        """Compile LightGBM trees to machine code for batches (`mlaas.serving.native_trees`);
        False (the booster keeps scoring) for other families or when compilation fails."""
        if self.family != "lightgbm":
            return False
        if "native" not in self.cache:
            self.cache["native"] = compile_booster(self.estimator.booster_, cache_dir)
        return self.cache["native"] is not None

    def _lightgbm_row(self) -> _LightGBMRow | None:
        if "lightgbm_row" not in self.cache:
            try:
                self.cache["lightgbm_row"] = _LightGBMRow(self.estimator.booster_)
            except Exception:  # a LightGBM without the C entry points: Booster.predict it is
                log.warning("LightGBM fast single-row prediction unavailable", exc_info=True)
                self.cache["lightgbm_row"] = None
        row: _LightGBMRow | None = self.cache["lightgbm_row"]
        return row


class _LightGBMRow:
    """LightGBM's fast single-row C API: the prediction config is parsed once here instead of on
    every `Booster.predict` call (~10 µs instead of ~30 µs a row for 200 trees). Same trees,
    same numbers; the C side locks the booster, so threads may share it."""

    def __init__(self, booster: Any) -> None:
        import ctypes

        from lightgbm import basic

        lib = basic._LIB  # type: ignore[attr-defined]
        self._ctypes, self._lib, self._booster = ctypes, lib, booster  # keep the booster alive
        self.n_outputs = int(booster.num_model_per_iteration())
        self._handle = ctypes.c_void_p()
        iterations = booster.best_iteration if booster.best_iteration > 0 else -1
        basic._safe_call(
            lib.LGBM_BoosterPredictForMatSingleRowFastInit(
                booster._handle,
                ctypes.c_int(0),  # C_API_PREDICT_NORMAL (probabilities, like Booster.predict)
                ctypes.c_int(0),  # start iteration
                ctypes.c_int(iterations),
                ctypes.c_int(1),  # C_API_DTYPE_FLOAT64
                ctypes.c_int32(booster.num_feature()),
                basic._c_str("num_threads=1"),
                ctypes.byref(self._handle),
            )
        )
        weakref.finalize(self, lib.LGBM_FastConfigFree, self._handle)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Booster.predict of a (1, n_columns) matrix, same shape: (1,) or (1, k)."""
        ctypes = self._ctypes
        row = np.ascontiguousarray(X[0], dtype=np.float64)
        out = np.empty(self.n_outputs)
        length = ctypes.c_int64()
        status = self._lib.LGBM_BoosterPredictForMatSingleRowFast(
            self._handle,
            row.ctypes.data_as(ctypes.c_void_p),
            ctypes.byref(length),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        )
        if status != 0:
            from lightgbm import basic

            basic._safe_call(status)  # raises LightGBMError with LightGBM's message
        return out if self.n_outputs == 1 else out.reshape(1, -1)


def compile_pipeline(spec: ModelSpec, estimator: Any) -> CompiledPipeline:
    """Compile a fitted `build_estimator` pipeline (preprocess + model); refuse other shapes."""
    from sklearn.pipeline import Pipeline

    if not isinstance(estimator, Pipeline) or len(estimator.steps) != 2:
        raise UnsupportedPipelineError("expected a fitted Pipeline(preprocess, model)")
    preprocess, model = estimator.steps[0][1], estimator.steps[1][1]
    family = _FAMILIES.get(type(model).__name__)
    if family is None:
        raise UnsupportedPipelineError(f"unsupported estimator {type(model).__name__}")
    classification = spec.task == "classification"
    if hasattr(model, "classes_") != classification:
        raise UnsupportedPipelineError(f"{type(model).__name__} does not fit task {spec.task!r}")
    if family == "ridge" and np.ndim(model.coef_) != 1:
        raise UnsupportedPipelineError("multi-output regression is not supported")
    encoding = compile_encoding(spec, preprocess)
    if getattr(model, "n_features_in_", encoding.n_columns) != encoding.n_columns:
        raise UnsupportedPipelineError(
            f"the model takes {model.n_features_in_} columns, the preprocessing makes "
            f"{encoding.n_columns}"
        )
    return CompiledPipeline(
        encoding=encoding,
        family=family,
        estimator=model,
        classification=classification,
        classes=np.asarray(model.classes_) if classification else np.array([]),
    )
