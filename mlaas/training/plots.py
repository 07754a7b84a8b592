"""Evaluation plots logged with each trained model.

Figures are built with matplotlib's object API (`matplotlib.figure.Figure`, rendered by the Agg
canvas) rather than pyplot: no global figure registry, so nothing to close, nothing leaks between
threads of a worker, and no display backend is ever needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(width: float = 5.0, height: float = 4.0) -> tuple[Figure, Any]:
    import matplotlib

    matplotlib.use("Agg")  # headless everywhere; harmless when pyplot is never imported
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def confusion_matrix(y_true: Any, scores: Any, *, threshold: float = 0.5) -> Figure:
    """Counts of true/predicted classes at the threshold used for accuracy and F1."""
    from sklearn.metrics import confusion_matrix as counts_of

    truth = np.asarray(y_true)
    proba = np.asarray(scores, dtype=float)
    predicted = (proba >= threshold).astype(int) if proba.ndim == 1 else proba.argmax(axis=1)
    labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
    matrix = counts_of(truth, predicted, labels=labels)
    figure, axes = _figure()
    axes.imshow(matrix, cmap="Blues")
    for (row, column), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        axes.text(column, row, str(value), ha="center", va="center", color=colour)
    axes.set_xticks(range(len(labels)), [str(v) for v in labels])
    axes.set_yticks(range(len(labels)), [str(v) for v in labels])
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    axes.set_title("Confusion matrix (holdout)")
    return figure


def roc_curve(y_true: Any, scores: Any) -> Figure:
    """ROC curve of a binary classifier (positive-class probabilities)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as curve_of

    fpr, tpr, _ = curve_of(np.asarray(y_true), np.asarray(scores, dtype=float))
    auc = roc_auc_score(np.asarray(y_true), np.asarray(scores, dtype=float))
    figure, axes = _figure()
    axes.plot(fpr, tpr, label=f"AUC = {auc:.3f}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.set_title("ROC curve (holdout)")
    axes.legend(loc="lower right")
    return figure


def residuals(y_true: Any, y_pred: Any) -> Figure:
    """Residuals against predictions: structure here means the model misses something."""
    truth = np.asarray(y_true, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    figure, axes = _figure()
    axes.scatter(predicted, truth - predicted, s=8, alpha=0.6)
    axes.axhline(0.0, color="grey", linestyle="--", linewidth=1)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual - predicted")
    axes.set_title("Residuals (holdout)")
    return figure


def predicted_vs_actual(y_true: Any, y_pred: Any) -> Figure:
    truth = np.asarray(y_true, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    low = float(min(truth.min(), predicted.min()))
    high = float(max(truth.max(), predicted.max()))
    figure, axes = _figure()
    axes.scatter(truth, predicted, s=8, alpha=0.6)
    axes.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1)
    axes.set_xlabel("actual")
    axes.set_ylabel("predicted")
    axes.set_title("Predicted vs actual (holdout)")
    return figure


def feature_importance(importances: dict[str, float], *, title: str = "") -> Figure:
    """Horizontal bars, most important feature on top."""
    ranked = sorted(importances.items(), key=lambda item: item[1])
    figure, axes = _figure(width=6.0, height=max(2.5, 0.35 * len(ranked) + 1.0))
    axes.barh([name for name, _ in ranked], [value for _, value in ranked])
    axes.set_xlabel("importance")
    axes.set_title(title or "Feature importance (holdout)")
    return figure


def save_png(figure: Figure, path: Path | str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, format="png")
    return target
