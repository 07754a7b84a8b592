"""What a model family is: one object that owns everything the platform does with its models.

A family says which tasks and hyper-parameters it takes, builds its (unfitted, seeded)
estimator, names the types skops must trust to load it, scores a fitted estimator on encoded
float matrices (the serving fast path), explains and ranks features, and, when it can, trains
a fitted estimator further on new rows. Training, serving, the spec validator and the docs all
read `mlaas.families.FAMILIES`; adding a family is one module in this package (see
docs/adding-a-model.md, "Adding a model family").

Every scoring method takes the final estimator and matrices already encoded by the pipeline's
preprocessing (`mlaas.serving.compiled.FeatureEncoding`), so a family never sees raw records.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from mlaas.errors import Invalid

if TYPE_CHECKING:
    from mlaas.specs import Task


class ExplanationUnavailable(Invalid):
    """This kind of model has no explanation method here."""

    code = "explanation_unavailable"


class CannotContinueTraining(Invalid):
    """This family cannot train a fitted model further (incremental retraining)."""

    code = "cannot_continue_training"


class Family(ABC):
    """One model family. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]
    tasks: ClassVar[tuple[Task, ...]]
    params: ClassVar[frozenset[str]]  # the hyper-parameters a spec's search space may set
    # Class names of the fitted estimators this family builds (how a loaded model is recognised
    # without importing every library) and the types skops must trust to load them.
    estimator_types: ClassVar[tuple[str, ...]]
    trusted_types: ClassVar[tuple[str, ...]] = ()
    warm_startable: ClassVar[bool] = False  # True: `continue_training` is implemented
    # True: the estimator takes NaN itself (and learns where missing values go), so training
    # leaves numeric nulls unimputed unless the spec says `training.missing.native: false`.
    native_missing: ClassVar[bool] = False

    @abstractmethod
    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        """An unfitted estimator, seeded so that the same inputs give the same model."""

    def check_fitted(self, model: Any) -> str | None:
        """Why a fitted model cannot be compiled for serving (None: it can)."""
        return None

    @abstractmethod
    def margin(self, model: Any, X: np.ndarray, classification: bool) -> np.ndarray:
        """Raw output, what explanations add up to: log-odds or decision values, (n,) for
        binary and regression, (n, k) for multi-class; forests: probabilities or values."""

    @abstractmethod
    def scores(
        self, model: Any, X: np.ndarray, classification: bool, cache: dict[str, Any]
    ) -> np.ndarray:
        """Class probabilities (n, k) for classifiers (binary too), values (n,) for regressors.
        `cache` lives as long as the loaded model (compiled helpers, native code)."""

    def contributions(
        self, model: Any, X: np.ndarray, margin: np.ndarray, cache: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(contributions (n, encoded columns), base (n,)) adding up to the explained output:
        `margin`, or per row its predicted class's column when it is (n, k)."""
        raise ExplanationUnavailable(f"no explanation method for family {self.name!r}")

    def importance(self, model: Any, categorical_columns: list[list[int]]) -> np.ndarray:
        """Global importance per encoded column (any scale; the caller normalises)."""
        raise ExplanationUnavailable(f"no importance method for family {self.name!r}")

    def compile_native(self, model: Any, cache: dict[str, Any], cache_dir: Any) -> bool:
        """Compile the model to machine code for batches where the family can (False: not)."""
        return False

    def continue_training(
        self, model: Any, X: np.ndarray, y: Any, share: float
    ) -> tuple[Any, dict[str, str]]:
        """A copy of the fitted `model` trained further on encoded (X, y), growing it by about
        `share` of its size, and lineage details; the champion itself is left untouched."""
        raise CannotContinueTraining(f"{self.name} models cannot continue training")


def picked(margin: np.ndarray) -> np.ndarray | None:
    """Class index explained per row (multi-class: the predicted one); None for 1-D outputs."""
    return None if margin.ndim == 1 else np.asarray(margin.argmax(axis=1))


def with_negative_class(positive: np.ndarray) -> np.ndarray:
    """(n, 2) probabilities from the positive class's (n,)."""
    both = np.empty((positive.shape[0], 2))
    both[:, 0] = 1.0 - positive
    both[:, 1] = positive
    return both
