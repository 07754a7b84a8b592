"""A self-contained HTML drift and performance report: inline SVG charts, no scripts, no CDN,
so it can be saved, mailed or attached to a ticket and still render.
"""

from __future__ import annotations

import html
import io
from typing import Any

import numpy as np
import pandas as pd

from mlaas.drift import DriftReport
from mlaas.monitoring.context import ServedVersion, Window
from mlaas.monitoring.live import LiveData, live_data
from mlaas.monitoring.livedrift import drift_of, served_predictions
from mlaas.monitoring.performance import PerformanceReport, performance_of
from mlaas.monitoring.reference import Reference, reference_for
from mlaas.specs import DriftPolicy

SCORE_CAP = 5.0  # drift chart bars stop here (the value is printed)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
.drift{color:#b00020;font-weight:600}.ok{color:#1b5e20}.grid{display:flex;flex-wrap:wrap;gap:1rem}
.grid>div{flex:1 1 320px}
"""


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def drift_chart(report: DriftReport) -> str:
    """Each column's drift score, 1 at its threshold: statistic / threshold, or for p-value
    tests log(p) / log(threshold) (0 for p = 1, 2 for p = threshold squared)."""
    columns = [*report.features, *([report.prediction] if report.prediction else [])]
    ratios = []
    for column in columns:
        if column.p_value is not None and 0 < column.threshold < 1:
            p_value = min(max(column.p_value, 1e-300), 1.0)
            ratios.append(float(np.log10(p_value) / np.log10(column.threshold)))
        else:
            ratios.append(column.statistic / column.threshold if column.threshold else 0.0)
    figure, axis = _figure(7, 0.35 * len(columns) + 1)
    colours = ["#b00020" if c.drifted else "#607d8b" for c in columns]
    shown = [min(ratio, SCORE_CAP) for ratio in ratios]  # one huge score hides the rest
    axis.barh([c.feature for c in columns], shown, color=colours)
    for row, ratio in enumerate(ratios):
        if ratio > SCORE_CAP:
            axis.text(SCORE_CAP, row, f" {ratio:.0f}", va="center", fontsize=8)
    axis.set_xlim(0, SCORE_CAP * 1.1)
    axis.axvline(1.0, color="black", linestyle="--", linewidth=1)
    axis.invert_yaxis()
    axis.set_xlabel("drift score (1 = threshold)")
    return _svg(figure)


def histogram_chart(feature: str, reference: pd.Series, current: pd.Series, numeric: bool) -> str:
    figure, axis = _figure(4.5, 2.6)
    if numeric:
        ref = reference.to_numpy("float64", na_value=np.nan)
        cur = current.to_numpy("float64", na_value=np.nan)
        both = np.concatenate([ref[np.isfinite(ref)], cur[np.isfinite(cur)]])
        bins = np.histogram_bin_edges(both, bins=30) if both.size else 10
        axis.hist(ref[np.isfinite(ref)], bins=bins, alpha=0.55, density=True, label="reference")
        axis.hist(cur[np.isfinite(cur)], bins=bins, alpha=0.55, density=True, label="current")
    else:
        shares = pd.DataFrame(
            {
                "reference": reference.astype(str).value_counts(normalize=True),
                "current": current.astype(str).value_counts(normalize=True),
            }
        ).fillna(0.0)
        shares.head(15).plot.bar(ax=axis, alpha=0.8)
    axis.set_title(feature)
    axis.legend()
    return _svg(figure)


def performance_chart(report: PerformanceReport, metric: str) -> str | None:
    # A bucket that began before the window (a 30-minute window inside one hour) is drawn at
    # the window's start, so a window shorter than a bucket still shows its point.
    points = [
        (max(b.start, report.start), b.variant, b.metrics.get(metric)) for b in report.buckets
    ]
    points = [p for p in points if p[2] is not None]
    if not points:
        return None
    figure, axis = _figure(7, 2.8)
    for variant in sorted({p[1] for p in points}):
        mine = [p for p in points if p[1] == variant]
        axis.plot([p[0] for p in mine], [p[2] for p in mine], marker="o", label=variant)
    holdout = report.holdout.get(metric)
    if holdout is not None:
        axis.axhline(holdout, color="black", linestyle="--", linewidth=1, label="holdout")
    axis.set_xlim(report.start, report.end)
    axis.set_ylabel(metric)
    axis.legend()
    figure.autofmt_xdate()
    return _svg(figure)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _feature_table(report: DriftReport) -> str:
    rows = []
    columns = [*report.features, *([report.prediction] if report.prediction else [])]
    for column in columns:
        verdict = (
            '<span class="drift">drift</span>' if column.drifted else '<span class="ok">ok</span>'
        )
        rows.append(
            f"<tr><td>{_e(column.feature)}</td><td>{_e(column.kind)}</td><td>{_e(column.test)}"
            f"</td><td>{_number(column.statistic)}</td><td>{_number(column.p_value)}</td>"
            f"<td>{_number(column.threshold)}</td><td>{verdict}</td>"
            f"<td>{column.reference_rows}</td><td>{column.current_rows}</td></tr>"
        )
    head = (
        "<tr><th>feature</th><th>kind</th><th>test</th><th>statistic</th><th>p-value</th>"
        "<th>threshold</th><th>verdict</th><th>reference rows</th><th>current rows</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _performance_table(report: PerformanceReport) -> str:
    head = (
        "<tr><th>variant</th><th>labelled</th>"
        + "".join(f"<th>{_e(m)}</th>" for m in report.metrics)
        + "</tr>"
    )
    rows = [
        f"<tr><td>{_e(variant)}</td><td>{group.count}</td>"
        + "".join(f"<td>{_number(group.metrics.get(m))}</td>" for m in report.metrics)
        + "</tr>"
        for variant, group in report.overall.items()
    ]
    holdout = (
        "<tr><td>holdout (training)</td><td>–</td>"
        + "".join(f"<td>{_number(report.holdout.get(m))}</td>" for m in report.metrics)
        + "</tr>"
    )
    return f"<table>{head}{''.join(rows)}{holdout}</table>"


def _decision_section(model: str) -> str:
    """The latest monitoring run's retrain decision and its reason (none yet: says so)."""
    from mlaas.monitoring.retrain_policy import RetrainDecision
    from mlaas.monitoring.run import snapshot_history

    latest = snapshot_history(model, limit=1)
    if not latest:
        return "<h2>Retrain decision</h2><p>No monitoring run yet.</p>"
    decision, at = RetrainDecision.model_validate(latest[0]["decision"]), latest[0]["at"]
    if decision.retrain:
        verdict = "retrain started"
    elif decision.waiting_for_data:
        verdict = f"retrain wanted, not started: {decision.waiting_for_data}"
    elif decision.blocked_by:
        verdict = f"retrain wanted, blocked by the circuit breaker: {decision.blocked_by}"
    else:
        verdict = "no retrain"
    return (
        f"<h2>Retrain decision</h2><p>At {_e(at.isoformat())}: {_e(verdict)}. "
        f"Reason: {_e(decision.reason)}.</p>"
    )


def render_html(
    served: ServedVersion,
    window: Window,
    drift: DriftReport,
    performance: PerformanceReport,
    data: LiveData,
    reference: Reference,
) -> str:
    spec = served.spec
    verdict = (
        "not enough live rows for a verdict"
        if not drift.enough_data
        else ("DATASET DRIFT" if drift.dataset_drift else "no dataset drift")
    )
    histograms = []
    if reference.sample is not None and len(data):
        ranked = sorted(drift.features, key=lambda c: (not c.drifted, c.feature))
        for column in ranked:
            histograms.append(
                histogram_chart(
                    column.feature,
                    reference.sample[column.feature],
                    data.features[column.feature],
                    column.kind == "numeric",
                )
            )
    if drift.prediction is not None and reference.predictions is not None:
        histograms.append(
            histogram_chart(
                "prediction",
                pd.Series(reference.predictions),
                pd.Series(served_predictions(served, data)),
                drift.prediction.kind == "numeric",
            )
        )
    metric = spec.training.primary_metric
    perf_chart = performance_chart(performance, metric)
    multivariate = ""
    if drift.multivariate is not None:
        mv = drift.multivariate
        multivariate = (
            f"<p>Joint test ({_e(mv.test)}): {_number(mv.statistic)} against threshold "
            f"{_number(mv.threshold)}: {'drift' if mv.drifted else 'ok'}.</p>"
        )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{_e(served.model)} monitoring report</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(served.model)} v{_e(served.version)}: monitoring report</h1>",
        f"<p>Window {_e(window.start.isoformat())} to {_e(window.end.isoformat())}: "
        f"{drift.current_rows} live rows against {drift.reference_rows} reference rows.</p>",
        f"<h2>Drift: {_e(verdict)}</h2>",
        f"<p>{len(drift.drifted_features)} of {len(drift.features)} features drifted "
        f"({drift.drifted_share:.0%}; dataset drift at {drift.drift_share_threshold:.0%}): "
        f"{_e(', '.join(drift.drifted_features) or 'none')}.</p>",
        multivariate,
        drift_chart(drift),
        _feature_table(drift),
        "<h3>Distributions (drifted features first, then the prediction)</h3>",
        f"<div class='grid'>{''.join(f'<div>{h}</div>' for h in histograms)}</div>",
        f"<h2>Performance ({_e(performance.task)})</h2>",
        _performance_table(performance),
        perf_chart or "<p>No ground truth in this window yet.</p>",
        _decision_section(served.model),
        "</body></html>",
    ]
    return "\n".join(parts)


def build_report(served: ServedVersion, window: Window, policy: DriftPolicy | None = None) -> str:
    """Compute drift and performance for the window and render them as one HTML page."""
    data = live_data(served.spec, window)
    reference = reference_for(served)
    drift = drift_of(served, data, reference, policy)
    performance = performance_of(served, window, bucket="hour")
    return render_html(served, window, drift, performance, data, reference)
