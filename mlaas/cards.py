"""Model cards: what a registered version is for, what it was trained on, how good it is (with
uncertainty), for whom, why it was or was not promoted, what drives it and where it fails.

Made at registration from what the platform recorded (spec snapshot, lineage tags, holdout
metrics, per-class report, fairness report, gate decision, importance) plus two figures only
the holdout gives: bootstrap confidence intervals of every metric and per-slice metrics. Logged
with the version's run as `model_card.md` (a Jinja template) and `model_card.html` (the same
Markdown rendered by markdown-it-py, so the two never differ), served by the training service
(`GET /v1/models/{name}/versions/{version}/card`) and printed by `mlaas registry card`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mlaas.specs import ModelSpec

log = logging.getLogger("mlaas.cards")

CARD_MARKDOWN = "model_card.md"
CARD_HTML = "model_card.html"
BOOTSTRAP_SAMPLES = 500
SLICE_LIMIT = 3  # categorical features sliced when the spec names no fairness slice
SMALL_GROUP = 30  # rows under which a slice's figure is called out as unreliable


def bootstrap_intervals(
    spec: ModelSpec, truth: np.ndarray, scores: np.ndarray, threshold: float, seed: int
) -> dict[str, dict[str, float | None]]:
    """Per metric of the task: the holdout value and its 95% percentile bootstrap interval
    (resamples where the metric is undefined, e.g. one class only, are skipped)."""
    from mlaas.training.metrics import MetricUndefined, score, task_metrics

    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, len(truth), len(truth)) for _ in range(BOOTSTRAP_SAMPLES)]
    out: dict[str, dict[str, float | None]] = {}
    for metric in task_metrics(spec):
        try:
            value: float | None = score(metric, truth, scores, threshold=threshold)
        except MetricUndefined:
            value = None
        values = []
        for idx in samples:
            try:
                values.append(score(metric, truth[idx], scores[idx], threshold=threshold))
            except (MetricUndefined, ValueError):
                continue
        finite = np.asarray([v for v in values if np.isfinite(v)])
        low, high = (None, None) if finite.size < 20 else np.percentile(finite, [2.5, 97.5])
        out[metric] = {
            "value": value,
            "low": None if low is None else float(low),
            "high": None if high is None else float(high),
        }
    return out


def slice_metrics(
    spec: ModelSpec, rows: Any, truth: np.ndarray, scores: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Per slice column (the spec's fairness slices, else up to three category or bool
    features): each group's rows, primary metric and accuracy (MAE for regression), which is
    defined even where a group lacks a class that a macro metric averages over."""
    from mlaas.fairness import MISSING_GROUP
    from mlaas.training.metrics import score_or_none

    columns = (
        spec.fairness.slices
        or [f.name for f in spec.features if f.type in ("category", "bool")][:SLICE_LIMIT]
    )
    always = "mae" if spec.task == "regression" else "accuracy"
    metrics = list(dict.fromkeys([spec.training.primary_metric, always]))
    out: dict[str, Any] = {"metrics": metrics, "columns": {}}
    for column in columns:
        groups = rows[column].astype(object).where(rows[column].notna(), MISSING_GROUP)
        groups = groups.astype(str).to_numpy()
        names = sorted(set(groups.tolist()), key=_natural)
        out["columns"][column] = [
            {
                "group": group,
                "rows": int((groups == group).sum()),
                "values": {
                    metric: score_or_none(
                        metric,
                        truth[groups == group],
                        scores[groups == group],
                        threshold=threshold,
                    )
                    for metric in metrics
                },
            }
            for group in names
        ]
    return out


def _natural(value: str) -> tuple[int, float, str]:
    """Numbers in numeric order (month 2 before 10), then text."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _limitations(facts: dict[str, Any]) -> list[str]:
    """What the figures above do not promise, stated from the facts themselves."""
    out = []
    rows = facts["data"]["rows_holdout"]
    out.append(
        f"Every figure comes from {rows} holdout rows; the intervals show how much it may "
        "move on other data of the same kind."
    )
    start, end = facts["data"]["trained_from"], facts["data"]["trained_until"]
    out.append(
        f"Trained on events from {start} to {end}: data from another period or population "
        "(another market, a new product) is not covered; drift monitoring watches for it."
    )
    for metric, reason in facts["metric_problems"].items():
        out.append(f"{metric} has no value on the holdout: {reason}.")
    report = facts.get("per_class") or {}
    rare = [r["class"] for r in report.get("per_class", []) if r["support"] < 10]
    if rare:
        out.append(f"Classes with fewer than 10 holdout rows (their figures are rough): {rare}.")
    small = [
        f"{column}={group['group']} ({group['rows']} rows)"
        for column, groups in facts["slices"]["columns"].items()
        for group in groups
        if group["rows"] < SMALL_GROUP
    ]
    if small:
        out.append("Groups too small to judge on the holdout: " + ", ".join(small) + ".")
    if facts["fairness"] is None:
        out.append(
            "No fairness slices in the spec: disparities between groups were not measured "
            "against a bound (the per-slice table is descriptive)."
        )
    if facts.get("threshold") is not None:
        out.append(
            f"Answers are positive from P({facts['positive_class']}) >= {facts['threshold']}: "
            "precision and recall trade off around it; change it in the spec, not by callers."
        )
    missing = [name for name, share in facts["data"]["missing_share"].items() if share > 0.05]
    if missing:
        out.append(
            f"Features often missing in training ({', '.join(missing)}): answers on records "
            "missing them say so (`missing` in the answer)."
        )
    return out


def card_facts(model: str, version: str) -> dict[str, Any]:
    """Everything the card says, as plain data."""
    from mlaas.fairness import fairness_report
    from mlaas.lineage import load_spec_snapshot
    from mlaas.registry import (
        TAG,
        aliases_by_version,
        client,
        get_version,
        per_class_metrics,
        run_artifact_dict,
    )
    from mlaas.training.metrics import binary_classes
    from mlaas.training.split import load_split
    from mlaas.training.train import FAIRNESS_ARTIFACT, holdout_predictions

    info = get_version(model, version)
    tags = info.tags
    spec = load_spec_snapshot(tags[f"{TAG}spec_hash"])
    run = client().get_run(info.run_id)
    frame_key = tags[f"{TAG}frame_key"]
    train, holdout = load_split(spec, frame_key)
    truth, scores = holdout_predictions(spec, frame_key, f"models:/{model}/{version}")
    threshold_tag = tags.get(f"{TAG}decision_threshold")
    threshold = 0.5 if threshold_tag is None else float(threshold_tag)
    seed = spec.training.seed
    importance = run_artifact_dict(info.run_id, "feature_importance.json") or {}
    fairness = run_artifact_dict(info.run_id, FAIRNESS_ARTIFACT)
    if fairness is None and spec.fairness.slices:  # a version from before the report
        fairness = fairness_report(spec, holdout, truth, scores, threshold=threshold)
    per_class = per_class_metrics(model, version)
    gate = json.loads(tags.get(f"{TAG}gate", "null") or "null")
    times = train[spec.event_timestamp]
    positive = None
    if spec.task == "classification" and scores.ndim == 1 and per_class is not None:
        positive = binary_classes(spec, per_class["classes"])[1]
    return {
        "model": model,
        "version": version,
        "aliases": aliases_by_version(model).get(version, []),
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "spec": {
            "description": spec.description,
            "owner": spec.owner,
            "task": spec.task,
            "target": spec.target,
            "features": [f"{f.name} ({f.type})" for f in spec.features],
        },
        "training": {
            "family": tags.get(f"{TAG}family"),
            "params": json.loads(tags.get(f"{TAG}params", "{}")),
            "trigger": tags.get(f"{TAG}trigger"),
            "run_id": info.run_id,
            "code": tags.get(f"{TAG}git_revision", "")[:12],
            "seed": seed,
        },
        "data": {
            "content_hash": tags.get(f"{TAG}data_hash"),
            "parts": json.loads(tags.get(f"{TAG}data_parts", "[]")),
            "validation": tags.get(f"{TAG}validation"),
            "rows_train": len(train),
            "rows_holdout": len(holdout),
            "holdout": f"{spec.training.holdout.strategy}, {spec.training.holdout.fraction:.0%}",
            "trained_from": str(times.min())[:19],
            "trained_until": str(times.max())[:19],
            "missing_share": {
                name: round(float(train[name].isna().mean()), 4) for name in spec.feature_names
            },
        },
        "primary_metric": spec.training.primary_metric,
        "metrics": bootstrap_intervals(spec, truth, scores, threshold, seed),
        "metric_problems": json.loads(tags.get(f"{TAG}metric_problems", "{}")),
        "threshold": threshold if positive is not None else None,
        "positive_class": positive,
        "per_class": per_class,
        "slices": slice_metrics(spec, holdout, truth, scores, threshold),
        "fairness": fairness,
        "gate": gate,
        "importance": sorted(importance.items(), key=lambda kv: -kv[1])[:10],
        "run_metrics": {k: v for k, v in run.data.metrics.items() if k.startswith("holdout_")},
    }


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem}}
code{{background:#f4f4f4}}</style></head>
<body>
{body}</body></html>
"""


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("mlaas", "templates"),
        autoescape=False,  # Markdown; the HTML is rendered from it with raw HTML disabled
        undefined=StrictUndefined,  # a missing fact is a bug, not an empty line
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["num"] = _number
    environment.filters["cell"] = lambda value: str(value).replace("|", "\\|")
    return environment


def _number(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render(facts: dict[str, Any]) -> tuple[str, str]:
    """(Markdown, HTML) of a card."""
    from html import escape

    from markdown_it import MarkdownIt

    facts = {**facts, "limitations": _limitations(facts)}
    markdown = _environment().get_template("model_card.md.j2").render(**facts)
    # html=False: text from the data (a category named "<script>") is escaped, never markup.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    title = escape(f"Model card: {facts['model']} v{facts['version']}")
    return markdown, PAGE.format(title=title, body=body)


def write_card(model: str, version: str) -> str:
    """Render the card of a version and log it with its run; returns the Markdown."""
    from mlaas.registry import client, get_version

    markdown, html = render(card_facts(model, version))
    run_id = get_version(model, version).run_id
    client().log_text(run_id, markdown, CARD_MARKDOWN)
    client().log_text(run_id, html, CARD_HTML)
    log.info("%s v%s: model card logged", model, version)
    return markdown


def read_card(model: str, version: str, *, html: bool = False) -> str:
    """The logged card (made now, and logged, for a version registered before cards)."""
    import tempfile
    from pathlib import Path

    from mlaas.registry import client, get_version

    run_id = get_version(model, version).run_id
    name = CARD_HTML if html else CARD_MARKDOWN
    try:
        with tempfile.TemporaryDirectory() as folder:
            return Path(client().download_artifacts(run_id, name, folder)).read_text()
    except Exception:  # noqa: BLE001 - not logged yet
        markdown = write_card(model, version)
        return read_card(model, version, html=True) if html else markdown
