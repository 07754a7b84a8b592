"""Model families: one scikit-learn Pipeline (preprocessing + estimator) per family name.

The same builder serves tuning, the final refit and `mlaas reproduce`, so a (family, params, seed)
triple always yields the same fitted model on the same rows.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

from mlaas.specs import CategoricalParam, FloatParam, IntParam, ModelSpec

if TYPE_CHECKING:
    import optuna
    from sklearn.pipeline import Pipeline

# Types skops must be told to trust when it loads our pipelines back (checked at log time).
SKOPS_TRUSTED_TYPES = [
    "collections.OrderedDict",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.sklearn.LGBMRegressor",
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",  # recalibrated champions
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
    "sklearn.utils._bunch.Bunch",  # stacked models' named estimators
]


def _preprocessor(spec: ModelSpec) -> Any:
    """Impute + scale numbers (the imputer casts bools to 0/1); impute + one-hot the rest."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    transformers: list[tuple[str, Any, list[str]]] = []
    if spec.numeric_features:
        transformers.append(("numeric", numeric, spec.numeric_features))
    if spec.categorical_features:
        transformers.append(("categorical", categorical, spec.categorical_features))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def _estimator(spec: ModelSpec, family: str, params: dict[str, Any], seed: int) -> Any:
    classification = spec.task == "classification"
    if family == "logistic_regression":
        from sklearn.linear_model import LogisticRegression

        options = dict(params)
        if options.get("l1_ratio"):  # elastic net needs saga; l1_ratio=0 is plain L2 (lbfgs)
            options["solver"] = "saga"
        return LogisticRegression(max_iter=2000, random_state=seed, **options)
    if family == "ridge":
        from sklearn.linear_model import Ridge

        return Ridge(random_state=seed, **params)
    if family == "random_forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        forest = RandomForestClassifier if classification else RandomForestRegressor
        return forest(n_jobs=1, random_state=seed, **params)
    if family == "lightgbm":
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
    raise ValueError(f"unknown model family {family!r}")


def build_estimator(
    spec: ModelSpec, family: str, params: dict[str, Any], *, seed: int
) -> Pipeline:
    """An unfitted, fully seeded pipeline: identical inputs give bit-identical models."""
    from sklearn.pipeline import Pipeline

    if family not in spec.training.families:
        raise ValueError(
            f"family {family!r} is not in spec {spec.name!r}: {sorted(spec.training.families)}"
        )
    return Pipeline(
        [("preprocess", _preprocessor(spec)), ("model", _estimator(spec, family, params, seed))]
    )


def param_key(family: str, name: str) -> str:
    """Optuna parameter name, prefixed so one hyper-parameter never clashes across families."""
    return f"{family}_{name}"


def suggest_params(trial: optuna.Trial, family: str, space: dict[str, Any]) -> dict[str, Any]:
    """Draw one configuration of `family` from the spec's search space (unprefixed names)."""
    params: dict[str, Any] = {}
    for name, param in space.items():
        key = param_key(family, name)
        if isinstance(param, FloatParam):
            params[name] = trial.suggest_float(key, param.low, param.high, log=param.log)
        elif isinstance(param, IntParam):
            params[name] = trial.suggest_int(key, param.low, param.high, log=param.log)
        elif isinstance(param, CategoricalParam):
            params[name] = trial.suggest_categorical(key, param.choices)
        else:
            raise TypeError(f"{family}.{name}: unsupported search parameter {param!r}")
    return params


def unprefix_params(family: str, trial_params: dict[str, Any]) -> dict[str, Any]:
    """The inverse of `param_key` for one trial's parameters (drops `family` itself)."""
    prefix = param_key(family, "")
    return {k.removeprefix(prefix): v for k, v in trial_params.items() if k.startswith(prefix)}


def model_size(estimator: Any) -> int:
    """Bytes of the pickled estimator, reported next to the metrics."""
    return len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))
