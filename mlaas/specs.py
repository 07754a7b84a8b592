"""Declarative model specs: one YAML file per model, validated here.

A spec says what to learn (task, target, typed features), from what (dataset source, entity key,
event timestamp, feature view, validation suite), how to search (model families with Optuna search
spaces, trials, timeout, folds, primary metric), when a new version may replace the champion (the
gate), and how the model is watched and retrained (drift and retrain policies).

Loading never imports a heavy library: DAG files parse specs on every scheduler loop.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from mlaas.errors import Invalid, NotFound
from mlaas.families import FAMILIES

Task = Literal["classification", "regression"]
FeatureType = Literal["int", "float", "bool", "category"]

# Metric name -> (task, higher_is_better); implemented in mlaas.training.metrics.
METRICS: dict[str, tuple[Task, bool]] = {
    "roc_auc": ("classification", True),
    "accuracy": ("classification", True),
    "f1": ("classification", True),
    "log_loss": ("classification", False),
    "rmse": ("regression", False),
    "mae": ("regression", False),
    "r2": ("regression", True),
}


class SpecError(Invalid):
    """A spec file that cannot be used; the message names the file, the field path and why."""

    code = "spec_invalid"


class SpecNotFound(SpecError, NotFound):
    """No spec file of that name."""

    code = "spec_not_found"
    status = 404


Loc = tuple[str | int, ...]


def _fail(title: str, problems: list[tuple[Loc, str, Any]]) -> NoReturn:
    """Raise errors at exact field paths (pydantic prefixes the enclosing location), so a message
    says `training.families.lightgbm.num_leafs` rather than just `training.families`."""
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("spec", "{reason}", {"reason": reason}),
                loc=loc,
                input=value,
            )
            for loc, reason, value in problems
        ],
    )


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FloatParam(StrictModel):
    type: Literal["float"]
    low: float
    high: float
    log: bool = False

    @model_validator(mode="after")
    def _check_range(self) -> FloatParam:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scaled range needs low > 0")
        return self


class IntParam(StrictModel):
    type: Literal["int"]
    low: int
    high: int
    log: bool = False

    @model_validator(mode="after")
    def _check_range(self) -> IntParam:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scaled range needs low > 0")
        return self


class CategoricalParam(StrictModel):
    type: Literal["categorical"]
    choices: list[str | int | float | bool | None] = Field(min_length=1)


SearchParam = Annotated[FloatParam | IntParam | CategoricalParam, Field(discriminator="type")]


class Feature(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: FeatureType
    description: str = ""
    # Personal data: kept out of the prediction log in clear (mlaas.pii). "hash": a keyed hash
    # (HMAC-SHA256) is logged, so equal values stay linkable; "drop": not logged at all.
    pii: Literal["hash", "drop"] | None = None


class Dataset(StrictModel):
    source: str  # a path (relative to the project) or s3://bucket/key; .csv or .parquet
    generator: Literal["churn", "house_prices", "storms"] | None = (
        None  # how `mlaas data generate` makes it
    )

    @field_validator("source")
    @classmethod
    def _check_format(cls, value: str) -> str:
        if not value.endswith((".csv", ".parquet")):
            raise ValueError("source must be a .csv or .parquet file")
        return value


class Holdout(StrictModel):
    strategy: Literal["time", "random"] = "time"
    fraction: float = Field(0.2, gt=0.0, lt=0.5)
    # Classification: the fewest rows of every class each part must hold (checked before tuning;
    # the training part also needs one per cross-validation fold).
    min_class_rows: int = Field(1, ge=1)


class MissingValues(StrictModel):
    """How a null feature value reaches the model (in training and in every answer)."""

    # Families that handle missing values themselves (LightGBM learns where they go at each
    # split) receive them as they are; false: they are imputed as for every other family.
    native: bool = True
    numeric: Literal["median", "mean"] = "median"  # the training statistic that fills a null
    # "most_frequent" fills with the training mode; "category" makes missing a category of
    # its own, which the model learns like any other (only if training data has nulls).
    categorical: Literal["most_frequent", "category"] = "most_frequent"


class Training(StrictModel):
    families: dict[str, dict[str, SearchParam]] = Field(min_length=1)
    trials: int = Field(20, ge=1, le=10_000)
    timeout_seconds: int = Field(600, ge=1)
    cv_folds: int = Field(3, ge=2, le=20)
    primary_metric: str
    holdout: Holdout = Holdout()
    missing: MissingValues = MissingValues()
    seed: int = 42
    early_stopping_trials: int | None = Field(None, ge=1)  # stop when no better trial for K trials
    # Optional second objective (minimised): tuning then reports the Pareto front of both.
    secondary_objective: Literal["model_size", "latency"] | None = None

    @field_validator("families")
    @classmethod
    def _check_families(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        problems: list[tuple[Loc, str, Any]] = []
        for family, space in value.items():
            if family not in FAMILIES:
                reason = f"unknown model family {family!r}; known: {sorted(FAMILIES)}"
                problems.append(((family,), reason, family))
                continue
            allowed = FAMILIES[family].params
            for param in sorted(set(space) - allowed):
                reason = (
                    f"family {family!r} has no hyper-parameter {param!r}; "
                    f"allowed: {sorted(allowed)}"
                )
                problems.append(((family, param), reason, param))
        if problems:
            _fail("Training", problems)
        return value

    @field_validator("primary_metric")
    @classmethod
    def _check_metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"unknown metric {value!r}; known: {sorted(METRICS)}")
        return value


class Gate(StrictModel):
    """When a challenger may become champion."""

    min_metric: float | None = None  # absolute floor (ceiling for lower-is-better metrics)
    min_improvement: float = Field(0.0, ge=0.0)  # must beat the champion by this margin
    significance_level: float = Field(0.05, gt=0.0, lt=1.0)  # paired bootstrap, one-sided
    bootstrap_samples: int = Field(1000, ge=100, le=100_000)
    # The rows champion and challenger are compared on, neither model having trained on them:
    # "unseen" = the challenger's holdout minus every row (entity key + event time) of the
    # champion's training split; "forward" = holdout rows newer than both training sets.
    evaluation: Literal["unseen", "forward"] = "unseen"
    min_rows: int = Field(30, ge=1)  # fewer such rows: the gate does not promote


class DriftPolicy(StrictModel):
    numeric_test: Literal["ks", "wasserstein", "psi"] = "ks"
    categorical_test: Literal["chi2", "jensen_shannon", "psi"] = "chi2"
    p_value_threshold: float = Field(0.01, gt=0.0, lt=1.0)
    psi_threshold: float = Field(0.2, gt=0.0)
    wasserstein_threshold: float = Field(0.1, gt=0.0)  # in reference standard deviations
    jensen_shannon_threshold: float = Field(0.1, gt=0.0, le=1.0)  # distance, base 2
    multivariate_test: Literal["domain_classifier", "mmd", "none"] = "domain_classifier"
    domain_auc_threshold: float = Field(0.6, gt=0.5, le=1.0)
    min_rows: int = Field(100, ge=1)  # fewer live rows than this: "not enough data", no verdict
    drift_share: float = Field(0.3, gt=0.0, le=1.0)  # share of drifted features that is "drift"
    # Monitoring runs every `schedule_minutes` over the last `window_hours` of traffic: short
    # enough that one drifted hour stops mattering soon, long enough for stable statistics.
    window_hours: int = Field(6, ge=1)
    schedule_minutes: int = Field(15, ge=1, le=24 * 60)


RetrainMode = Literal["full", "window", "replay_mix", "incremental", "recalibration", "stacking"]
RETRAIN_MODES: tuple[str, ...] = get_args(RetrainMode)


class LiveLabels(StrictModel):
    """Whether a pipeline run also trains on labelled live traffic: logged predictions joined
    with the ground truth posted to /v1/feedback (mlaas.live_labels)."""

    use: bool = True
    min_rows: int = Field(50, ge=1)  # fewer labelled predictions: none are added (too few)
    max_age_days: int = Field(30, ge=1)  # predictions older than this are left out


class Decision(StrictModel):
    """Binary classification: which class is positive, and from which probability of it an
    answer says it."""

    # None: the label that sorts last (1, True, "yes"); required for string labels (checked
    # against the data, `mlaas.spec_check`).
    positive_class: str | int | bool | None = None
    threshold: float = Field(0.5, gt=0.0, lt=1.0)  # P(positive) at or above: the positive class
    # Tune the threshold after tuning the model, on its out-of-fold predictions on the training
    # part: "f1" maximises F1; "recall" takes the highest threshold that keeps recall at or
    # above `min_recall` (the most precise one that finds enough positives). None: `threshold`.
    tune_threshold: Literal["f1", "recall"] | None = None
    min_recall: float = Field(0.8, gt=0.0, le=1.0)


FairnessMetric = Literal["demographic_parity_difference", "equalized_odds_difference", "error_gap"]


class Fairness(StrictModel):
    """Groups the model should treat alike (mlaas.fairness): measured on the holdout at
    training (logged, in the model card) and bounded by the gate when `max_disparity` is set."""

    slices: list[str] = []  # category, bool or int features whose values are the groups
    # The disparity the gate bounds. Default: demographic_parity_difference for binary
    # classification, error_gap (accuracy or MAE, largest minus smallest group) otherwise.
    metric: FairnessMetric | None = None
    max_disparity: float | None = Field(None, ge=0.0)  # None: measured and reported only
    min_group_rows: int = Field(20, ge=1)  # smaller groups are listed, not compared


class RetrainPolicy(StrictModel):
    mode: RetrainMode = "full"
    window_days: int = Field(90, ge=1)
    replay_fraction: float = Field(0.3, ge=0.0, le=1.0)
    on_drift: bool = True
    metric_drop: float = Field(0.05, ge=0.0)  # retrain when live metric falls this far
    max_per_day: int = Field(2, ge=0)
    backoff_minutes: int = Field(60, ge=0)
    inbox: str | None = None  # folder or s3:// prefix whose new files start the pipeline
    live_labels: LiveLabels = LiveLabels()


class ModelSpec(StrictModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")
    description: str = ""
    owner: str = "unknown"
    task: Task
    dataset: Dataset
    entity_key: str
    event_timestamp: str
    target: str
    target_type: FeatureType | None = None
    features: list[Feature] = Field(min_length=1)
    feature_view: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    validation_suite: str
    training: Training
    gate: Gate = Gate()
    drift: DriftPolicy = DriftPolicy()
    retrain: RetrainPolicy = RetrainPolicy()
    decision: Decision = Decision()
    fairness: Fairness = Fairness()
    # The file it was loaded from (not part of the spec or its hash): what errors point at.
    _source_file: str | None = PrivateAttr(None)

    @property
    def pii_features(self) -> dict[str, str]:
        """Personal-data features and how the log keeps them (`hash` or `drop`)."""
        return {f.name: f.pii for f in self.features if f.pii is not None}

    @property
    def source_file(self) -> str | None:
        return self._source_file

    def __eq__(self, other: object) -> bool:
        """Equal specs say the same, wherever they were loaded from."""
        if not isinstance(other, ModelSpec):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # mutable, as every pydantic model

    @model_validator(mode="after")
    def _check_consistency(self) -> ModelSpec:
        problems: list[tuple[Loc, str, Any]] = []
        reserved = {
            self.entity_key: "the entity key",
            self.event_timestamp: "the event timestamp",
            self.target: "the target",
        }
        seen: set[str] = set()
        for index, name in enumerate(self.feature_names):
            if name in seen:
                problems.append((("features", index, "name"), f"duplicate feature {name!r}", name))
            seen.add(name)
            if name in reserved:
                reason = f"feature {name!r} is also {reserved[name]}"
                problems.append((("features", index, "name"), reason, name))
        metric = self.training.primary_metric
        metric_task, _ = METRICS[metric]
        if metric_task != self.task:
            reason = f"{metric!r} is a {metric_task} metric but task is {self.task!r}"
            problems.append((("training", "primary_metric"), reason, metric))
        for family, space in self.training.families.items():
            if self.task not in FAMILIES[family].tasks:
                reason = f"family {family!r} does not support task {self.task!r}"
                problems.append((("training", "families", family), reason, family))
            if self.task == "regression" and "class_weight" in space:
                reason = "class_weight weighs classes: a classification hyper-parameter"
                loc = ("training", "families", family, "class_weight")
                problems.append((loc, reason, "class_weight"))
        kinds = {f.name: f.type for f in self.features}
        for index, name in enumerate(self.fairness.slices):
            if kinds.get(name) not in ("category", "bool", "int"):
                reason = f"{name!r} is not a category, bool or int feature of this spec"
                problems.append((("fairness", "slices", index), reason, name))
        chosen = self.fairness.metric
        if chosen in ("demographic_parity_difference", "equalized_odds_difference") and (
            self.task == "regression"
        ):
            reason = f"{chosen} compares classifications; use error_gap for regression"
            problems.append((("fairness", "metric"), reason, chosen))
        if self.task == "regression" and self.decision != Decision():
            reason = "decision (positive class, threshold) applies to classification only"
            problems.append((("decision",), reason, self.decision.model_dump()))
        if problems:
            _fail("ModelSpec", problems)
        return self

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def numeric_features(self) -> list[str]:
        return [f.name for f in self.features if f.type in ("int", "float", "bool")]

    @property
    def categorical_features(self) -> list[str]:
        return [f.name for f in self.features if f.type == "category"]

    @property
    def higher_is_better(self) -> bool:
        return METRICS[self.training.primary_metric][1]

    @property
    def spec_hash(self) -> str:
        """Stable content hash: same meaning, same hash (key order and comments do not matter)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


_PARAM_TAGS = {"float", "int", "categorical"}


def _field_path(loc: tuple[str | int, ...]) -> str:
    parts = list(loc)
    # Pydantic puts the union tag in the path (`...num_leaves.int.low`); users never wrote it.
    if parts[:2] == ["training", "families"] and len(parts) > 4 and parts[4] in _PARAM_TAGS:
        del parts[4]
    return ".".join(str(part) for part in parts) or "<root>"


def _format_error(path: Path | str, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = _field_path(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {loc}: {message}")
    return "\n".join(lines)


def parse_spec(data: Any, *, source: Path | str = "<spec>") -> ModelSpec:
    """Validate a mapping as a spec; errors name the source, the field path and the reason."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: <root>: expected a mapping, got {type(data).__name__}")
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as error:
        raise SpecError(_format_error(source, error)) from None


def load_spec_file(path: Path | str) -> ModelSpec:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except OSError as error:  # a folder, no permission, ...
        raise SpecError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML: {error}") from None
    spec = parse_spec(data, source=path)
    if spec.name != path.stem:
        raise SpecError(f"{path}: name: {spec.name!r} must match the file name {path.stem!r}")
    spec._source_file = str(path)
    return spec


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(specs_dir.glob("*.yaml"))


def load_specs(specs_dir: Path) -> list[ModelSpec]:
    return [load_spec_file(path) for path in spec_files(specs_dir)]


def load_spec(name_or_path: str, *, specs_dir: Path | None = None) -> ModelSpec:
    """Load by model name (looked up in the specs folder) or by file path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        return load_spec_file(candidate)
    if specs_dir is None:
        from mlaas.settings import get_settings

        specs_dir = get_settings().specs_dir
    path = specs_dir / f"{name_or_path}.yaml"
    if not path.exists():
        known = [p.stem for p in spec_files(specs_dir)]
        raise SpecNotFound(f"{path}: no spec named {name_or_path!r}; known: {known}")
    return load_spec_file(path)
