"""LightGBM: scored through its Booster (single rows through the fast single-row C API,
batches through trees compiled to machine code), explained by exact TreeSHAP; more boosting
rounds on new rows."""

from __future__ import annotations

import logging
import weakref
from typing import Any

import numpy as np

from mlaas.families.base import Family, picked, with_negative_class

log = logging.getLogger("mlaas.serving")


class LightGBMFamily(Family):
    name = "lightgbm"
    tasks = ("classification", "regression")
    params = frozenset(
        {
            "n_estimators",
            "learning_rate",
            "num_leaves",
            "max_depth",
            "min_child_samples",
            "subsample",
            "colsample_bytree",
            "reg_lambda",
            "reg_alpha",
            "class_weight",
        }
    )
    estimator_types = ("LGBMClassifier", "LGBMRegressor")
    trusted_types = (
        "lightgbm.basic.Booster",
        "lightgbm.sklearn.LGBMClassifier",
        "lightgbm.sklearn.LGBMRegressor",
    )
    warm_startable = True
    native_missing = True

    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        from lightgbm import LGBMClassifier, LGBMRegressor

        options = dict(params)
        if options.get("subsample", 1.0) < 1.0:
            options.setdefault("subsample_freq", 1)  # bagging is off unless a frequency is set
        booster = LGBMClassifier if classification else LGBMRegressor
        return booster(
            random_state=seed,
            n_jobs=1,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
            **options,
        )

    def margin(self, model: Any, X: np.ndarray, classification: bool) -> np.ndarray:
        return np.asarray(model.booster_.predict(X, raw_score=True, num_threads=1))

    def scores(
        self, model: Any, X: np.ndarray, classification: bool, cache: dict[str, Any]
    ) -> np.ndarray:
        native = cache.get("native") if X.shape[0] > 1 else None
        fast = _row_predictor(model, cache) if X.shape[0] == 1 else None
        if native is not None:
            out = np.asarray(native.predict(X))
        elif fast is not None:
            out = fast(X)
        else:
            out = np.asarray(model.booster_.predict(X, num_threads=1))
        return with_negative_class(out) if classification and out.ndim == 1 else out

    def contributions(
        self, model: Any, X: np.ndarray, margin: np.ndarray, cache: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact TreeSHAP (`pred_contrib`), in log-odds for classifiers."""
        n, p = X.shape
        raw = np.asarray(model.booster_.predict(X, pred_contrib=True, num_threads=1))
        if raw.shape[1] == p + 1:
            return raw[:, :p], raw[:, p]
        chosen = raw.reshape(n, -1, p + 1)[np.arange(n), picked(margin)]
        return chosen[:, :p], chosen[:, p]

    def importance(self, model: Any, categorical_columns: list[list[int]]) -> np.ndarray:
        return np.asarray(model.booster_.feature_importance(importance_type="gain"), dtype=float)

    def compile_native(self, model: Any, cache: dict[str, Any], cache_dir: Any) -> bool:
        """Trees compiled to machine code for batches (`mlaas.serving.native_trees`)."""
        from mlaas.serving.native_trees import compile_booster

        if "native" not in cache:
            cache["native"] = compile_booster(model.booster_, cache_dir)
        return cache["native"] is not None

    def continue_training(
        self, model: Any, X: np.ndarray, y: Any, share: float
    ) -> tuple[Any, dict[str, str]]:
        """More boosting rounds on top of the champion's booster (init_model)."""
        from sklearn.base import clone

        before = int(model.booster_.current_iteration())
        rounds = max(1, round(before * share))
        new = clone(model).set_params(n_estimators=rounds)
        new.fit(X, y, init_model=model.booster_)
        # The booster keeps the champion's predictor for training only; skops cannot (and need
        # not) save it, so drop it: the champion's trees are already in the booster's model.
        new.booster_._Booster__init_predictor = None
        details = {"rounds_before": str(before), "rounds_added": str(rounds)}
        return new, details | {"rounds_after": str(new.booster_.current_iteration())}


def _row_predictor(model: Any, cache: dict[str, Any]) -> _LightGBMRow | None:
    if "lightgbm_row" not in cache:
        try:
            cache["lightgbm_row"] = _LightGBMRow(model.booster_)
        except Exception:  # a LightGBM without the C entry points: Booster.predict it is
            log.warning("LightGBM fast single-row prediction unavailable", exc_info=True)
            cache["lightgbm_row"] = None
    row: _LightGBMRow | None = cache["lightgbm_row"]
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


FAMILY = LightGBMFamily()
