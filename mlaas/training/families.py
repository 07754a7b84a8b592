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
            ("preprocess", _preprocessor(spec)),
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
