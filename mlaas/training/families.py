"""Training's side of the families: the preprocessing + estimator Pipeline, Optuna sampling.

The estimator itself comes from the family's registry entry (`mlaas.families`).

The same builder serves tuning, the final refit and `mlaas reproduce`, so a (family, params, seed)
triple always yields the same fitted model on the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlaas.families import FAMILIES
from mlaas.specs import CategoricalParam, FloatParam, IntParam, ModelSpec

if TYPE_CHECKING:
    import optuna
    from sklearn.pipeline import Pipeline


# The category a null becomes when missing values are a category of their own (a family that
# takes missing values natively, or `training.missing.categorical: category`).
MISSING_CATEGORY = "__missing__"


def _preprocessor(spec: ModelSpec, family: str) -> Any:
    """Numbers: scaled, nulls imputed by the spec's statistic, or left NaN for a family that
    handles missing values natively (the imputer casts bools to 0/1; the scaler keeps NaN).
    Categories: one-hot, nulls filled with the training mode or made a category of their own."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    missing = spec.training.missing
    native = missing.native and FAMILIES[family].native_missing
    numeric: Any
    if native:
        numeric = Pipeline([("scale", StandardScaler())])
    else:
        imputer = SimpleImputer(strategy=missing.numeric)
        numeric = Pipeline([("impute", imputer), ("scale", StandardScaler())])
    if native or missing.categorical == "category":
        fill = SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)
    else:
        fill = SimpleImputer(strategy="most_frequent")
    categorical = Pipeline([("impute", fill), ("onehot", OneHotEncoder(handle_unknown="ignore"))])
    transformers: list[tuple[str, Any, list[str]]] = []
    if spec.numeric_features:
        transformers.append(("numeric", numeric, spec.numeric_features))
    if spec.categorical_features:
        transformers.append(("categorical", categorical, spec.categorical_features))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def build_estimator(
    spec: ModelSpec, family: str, params: dict[str, Any], *, seed: int
) -> Pipeline:
    """An unfitted, fully seeded pipeline: identical inputs give bit-identical models."""
    from sklearn.pipeline import Pipeline

    classifier = spec.task == "classification"
    if family not in spec.training.families:
        raise ValueError(
            f"family {family!r} is not in spec {spec.name!r}: {sorted(spec.training.families)}"
        )
    return Pipeline(
        [
            ("preprocess", _preprocessor(spec, family)),
            ("model", FAMILIES[family].build(classifier, params, seed)),
        ]
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
