"""The platform's Grafana dashboards, as code: `.venv/bin/python grafana/generate.py` writes
grafana/dashboards/*.json (which Grafana loads through grafana/provisioning/dashboards/);
`--check` fails when the committed files differ from what this file builds.

Built with Grafana Labs' `grafana-foundation-sdk` (typed builders generated from Grafana's own
schemas), so a dashboard that does not fit Grafana's schema does not type-check or build. Every
panel has a description, a unit and, where a level is bad, thresholds. Every query reads metrics
listed in docs/metrics.md; tests/e2e evaluates each one against a Prometheus that scraped the
running platform, with `$model` and `$service` bound to real values.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from grafana_foundation_sdk.builders import common as common_builder
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DashboardLinkType,
    DataSourceRef,
    Threshold,
    ThresholdsMode,
    ValueMap,
    ValueMappingResult,
    VariableOption,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.dashboard import Panel as PanelModel

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"
# The provisioned datasource (grafana/provisioning/datasources/prometheus.yaml).
DATASOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
RATE = "$__rate_interval"
PANEL_WIDTH, PANEL_HEIGHT = 12, 8

# Requests whose duration is not service time: event streams stay open for minutes.
SERVED = 'route!~".*/events"'


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


# -- building blocks --------------------------------------------------------------------------


def _target(query: Query, ref: str) -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(query.expr).ref_id(ref).datasource(DATASOURCE)
    return target.legend_format(query.legend) if query.legend else target


def _thresholds(*steps: tuple[float | None, str]) -> dash.ThresholdsConfig:
    return (
        dash.ThresholdsConfig()
        .mode(ThresholdsMode.ABSOLUTE)
        .steps([Threshold(value=value, color=color) for value, color in steps])
    )


def graph(
    title: str,
    description: str,
    unit: str,
    *queries: Query,
    bad_above: float | None = None,
    width: int = PANEL_WIDTH,
    stacked: bool = False,
) -> timeseries.Panel:
    """A time series panel; `bad_above` draws the level that breaks the SLO in red."""
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(PANEL_HEIGHT)
        .line_width(1)
        .fill_opacity(10)
        .legend(
            common_builder.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
        .tooltip(common_builder.VizTooltipOptions().mode(common.TooltipDisplayMode.MULTI))
    )
    if stacked:
        panel = panel.stacking(common_builder.StackingConfig().mode(common.StackingMode.NORMAL))
    if bad_above is None:
        panel = panel.thresholds(_thresholds((None, "green")))
    else:
        panel = panel.thresholds(
            _thresholds((None, "green"), (bad_above, "red"))
        ).thresholds_style(
            common_builder.GraphThresholdsStyleConfig().mode(
                common.GraphThresholdsStyleMode.LINE_AND_AREA
            )
        )
    for index, query in enumerate(queries):
        panel = panel.with_target(_target(query, chr(ord("A") + index)))
    return panel


def number(
    title: str,
    description: str,
    unit: str,
    query: Query,
    *,
    steps: tuple[tuple[float | None, str], ...] = ((None, "green"),),
    mapping: dict[str, tuple[str, str]] | None = None,
    width: int = 6,
) -> stat.Panel:
    """A stat panel: the last value of each series, coloured by `steps`."""
    panel = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(5)
        .thresholds(_thresholds(*steps))
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .graph_mode(common.BigValueGraphMode.NONE)
        .reduce_options(common_builder.ReduceDataOptions().calcs(["lastNotNull"]))
        .with_target(_target(query, "A"))
    )
    if mapping:
        options = {
            value: ValueMappingResult(text=text, color=color)
            for value, (text, color) in mapping.items()
        }
        panel = panel.mappings([ValueMap(options=options)])
    return panel


def variable(name: str, label: str, query: str, description: str) -> dash.QueryVariable:
    """A multi-value template variable filled from Prometheus, "All" by default."""
    everything = VariableOption(text="All", value="$__all", selected=True)
    return (
        dash.QueryVariable(name)
        .label(label)
        .description(description)
        .datasource(DATASOURCE)
        .query(query)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(everything)
    )


def board(uid: str, title: str, description: str) -> dash.Dashboard:
    return (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["mlaas"])
        .editable()
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .time("now-6h", "now")
        .refresh("30s")
        .timezone("browser")
        .link(
            dash.DashboardLink("MLaaS dashboards")
            .type(DashboardLinkType.DASHBOARDS)
            .tags(["mlaas"])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )


Panels = list[Builder[PanelModel]]


def _rows(dashboard: dash.Dashboard, rows: list[tuple[str, Panels]]) -> dash.Dashboard:
    """Expanded rows (a row header, then its panels at the top level, as Grafana stores an open
    row), panels numbered in order so links to one panel stay stable."""
    number = 0
    for title, panels in rows:
        number += 1
        dashboard = dashboard.with_row(dash.Row(title).collapsed(False).id(number))
        for panel in panels:
            number += 1
            dashboard = dashboard.with_panel(panel.id(number))  # type: ignore[attr-defined]
    return dashboard


# -- the dashboards ---------------------------------------------------------------------------

SERVICE = 'service=~"$service"'
JOB = 'job=~"$service"'


def _quantile(q: float, metric: str, selector: str, by: str) -> Query:
    matcher = f"{{{selector}}}" if selector else ""
    expr = f"histogram_quantile({q}, sum by ({by}, le) (rate({metric}_bucket{matcher}[{RATE}])))"
    legend = " ".join(f"{{{{{label}}}}}" for label in by.split(", "))
    return Query(expr, f"p{round(q * 100)} {legend}")


def services() -> dash.Dashboard:
    requests = "mlaas_http_request_duration_seconds"
    count = f"{requests}_count"
    error_ratio = (
        f'(sum by (service, route) (rate({count}{{{SERVICE}, status_class="5xx"}}[{RATE}]))'
        f" or sum by (service, route) (rate({count}{{{SERVICE}}}[{RATE}])) * 0)"
        f" / sum by (service, route) (rate({count}{{{SERVICE}}}[{RATE}]))"
    )
    traffic: Panels = [
        number(
            "Up",
            "1 when Prometheus scraped the process's /metrics at its last attempt.",
            "none",
            Query(f"up{{{JOB}}}", "{{job}}"),
            steps=((None, "red"), (1, "green")),
            mapping={"0": ("down", "red"), "1": ("up", "green")},
            width=8,
        ),
        number(
            "Uptime",
            "Time since each process started (process_start_time_seconds).",
            "s",
            Query(f"time() - process_start_time_seconds{{{JOB}}}", "{{job}}"),
            width=8,
        ),
        number(
            "Build",
            "The platform version and code revision each process runs (mlaas_build_info).",
            "none",
            Query(f"mlaas_build_info{{{SERVICE}}}", "{{service}} {{version}} {{revision}}"),
            width=8,
        ),
        graph(
            "Request rate",
            "Requests per second by service and route (every answer, errors included).",
            "reqps",
            Query(
                f"sum by (service, route) (rate({count}{{{SERVICE}}}[{RATE}]))",
                "{{service}} {{route}}",
            ),
        ),
        graph(
            "Latency p50 / p95 / p99",
            "Server-side request latency by service (event streams excluded). The prediction "
            "SLO is p99 < 250 ms; training and monitoring < 2.5 s.",
            "s",
            *(
                _quantile(q, requests, f"{SERVICE}, {SERVED}", "service")
                for q in (0.5, 0.95, 0.99)
            ),
            bad_above=0.25,
        ),
        graph(
            "p99 latency by route",
            "The slowest routes: 99th percentile per service and route.",
            "s",
            _quantile(0.99, requests, f"{SERVICE}, {SERVED}", "service, route"),
        ),
        graph(
            "Error ratio (5xx)",
            "Share of answers that are server errors, by service and route. Alert "
            "MlaasHighErrorRatio fires when a service's whole share is above 5% for 5 minutes.",
            "percentunit",
            Query(error_ratio, "{{service}} {{route}}"),
            bad_above=0.05,
        ),
        graph(
            "Errors by code and model",
            "Answers >= 400 per second by service, machine error code and model (empty: "
            "no model, or one the service does not serve). 4xx are the clients' mistakes.",
            "reqps",
            Query(
                "sum by (service, code, model) "
                f"(rate(mlaas_http_errors_total{{{SERVICE}}}[{RATE}]))",
                "{{service}} {{code}} {{model}}",
            ),
            width=24,
        ),
    ]
    saturation: Panels = [
        graph(
            "CPU",
            "CPU time per second of each process (1 = one core busy).",
            "percentunit",
            Query(f"rate(process_cpu_seconds_total{{{JOB}}}[{RATE}])", "{{job}}"),
            bad_above=0.9,
            width=8,
        ),
        graph(
            "Resident memory",
            "Resident set size of each process.",
            "bytes",
            Query(f"process_resident_memory_bytes{{{JOB}}}", "{{job}}"),
            width=8,
        ),
        graph(
            "Open file descriptors",
            "Open files and sockets of each process, against its limit (process_max_fds).",
            "none",
            Query(f"process_open_fds{{{JOB}}}", "{{job}}"),
            width=8,
        ),
        graph(
            "Event-loop lag p99",
            "How late each service's event loop runs a call scheduled every 0.5 s: synchronous "
            "work on the loop delays every request. Alert above 100 ms.",
            "s",
            _quantile(0.99, "mlaas_http_event_loop_lag_seconds", SERVICE, "service"),
            bad_above=0.1,
        ),
        graph(
            "GC collections",
            "Python garbage collections per second by process and generation.",
            "ops",
            Query(
                f"sum by (job, generation) (rate(python_gc_collections_total{{{JOB}}}[{RATE}]))",
                "{{job}} gen {{generation}}",
            ),
        ),
    ]
    prediction_log: Panels = [
        graph(
            "Prediction log queue",
            "Rows waiting to be written to the platform DB. Batch requests wait for the log "
            "above 250,000 rows; alert MlaasPredictionLogBacklog above 100,000.",
            "none",
            Query("mlaas_prediction_log_queue_depth_rows", "{{instance}}"),
            bad_above=100_000,
        ),
        graph(
            "Prediction log rows by fate",
            "Rows per second: written to the DB, spooled to disk (DB refused them), replayed "
            "from the spool, rejected.",
            "rowsps",
            Query(f"sum by (fate) (rate(mlaas_prediction_log_rows_total[{RATE}]))", "{{fate}}"),
        ),
    ]
    dashboard = board(
        "mlaas-services",
        "MLaaS / Services",
        "Traffic, latency, errors and saturation of the prediction, training and monitoring "
        "services and the worker.",
    ).with_variable(
        variable(
            "service",
            "Service",
            "label_values(mlaas_build_info, service)",
            "The platform process (prediction, training, monitoring, worker).",
        )
    )
    return _rows(
        dashboard,
        [("Traffic", traffic), ("Saturation", saturation), ("Prediction log", prediction_log)],
    )


MODEL = 'model=~"$model"'


def models() -> dash.Dashboard:
    served_version = f"mlaas_prediction_served_version{{{MODEL}}}"
    predictions: Panels = [
        graph(
            "Predictions by version and variant",
            "Requests a model answered per second, by registry version and variant (champion, "
            "challenger under A/B routing, async).",
            "reqps",
            Query(
                "sum by (model, version, variant) "
                f"(rate(mlaas_prediction_requests_total{{{MODEL}}}[{RATE}]))",
                "{{model}} v{{version}} {{variant}}",
            ),
            stacked=True,
        ),
        graph(
            "Latency by model",
            "p50 and p99 of requests a model answered, by model and variant.",
            "s",
            *(
                _quantile(q, "mlaas_prediction_request_duration_seconds", MODEL, "model, variant")
                for q in (0.5, 0.99)
            ),
            bad_above=0.25,
        ),
        graph(
            "Cache hit ratio",
            "Share of single-record predictions answered from the prediction cache.",
            "percentunit",
            Query(
                "sum by (model) "
                f'(rate(mlaas_prediction_cache_total{{{MODEL}, result="hit"}}[{RATE}]))'
                f" / sum by (model) (rate(mlaas_prediction_cache_total{{{MODEL}}}[{RATE}]))",
                "{{model}}",
            ),
        ),
        graph(
            "Served versions",
            "The registry version each alias serves; the annotations mark alias moves "
            "(promotions, rollbacks, a new challenger).",
            "none",
            Query(served_version, "{{model}} {{alias}}"),
        ),
        graph(
            "Errors by code",
            "Answers >= 400 per second for the model, by machine error code.",
            "reqps",
            Query(
                f"sum by (model, code) (rate(mlaas_http_errors_total{{{MODEL}}}[{RATE}]))",
                "{{model}} {{code}}",
            ),
        ),
        graph(
            "Model loads and shadow scorings",
            "Versions loaded (or failed to load: the old one stays served) in the last hour, "
            "and shadow scorings by the challenger per second.",
            "none",
            Query(
                "sum by (model, result) "
                f"(increase(mlaas_prediction_model_loads_total{{{MODEL}}}[1h]))",
                "loads {{model}} {{result}}",
            ),
            Query(
                f"sum by (model, result) (rate(mlaas_prediction_shadow_total{{{MODEL}}}[{RATE}]))",
                "shadow {{model}} {{result}}",
            ),
        ),
    ]
    drift: Panels = [
        number(
            "Dataset drift",
            "The latest monitoring run's dataset verdict (alert MlaasDatasetDrift).",
            "none",
            Query(f"max by (model) (mlaas_monitoring_dataset_drift{{{MODEL}}})", "{{model}}"),
            steps=((None, "green"), (1, "red")),
            mapping={"0": ("no drift", "green"), "1": ("drift", "red")},
        ),
        number(
            "Drifted share",
            "Share of features that drifted in the latest monitoring run.",
            "percentunit",
            Query(
                f"max by (model) (mlaas_monitoring_drifted_share_ratio{{{MODEL}}})", "{{model}}"
            ),
            steps=((None, "green"), (0.3, "orange"), (0.5, "red")),
        ),
        number(
            "Retrain",
            "Whether the latest run wanted a retrain (1), and whether it was not started (2): "
            "the circuit breaker or no new data (alert MlaasRetrainBreakerOpen).",
            "none",
            Query(
                f"max by (model) (mlaas_monitoring_retrain_wanted{{{MODEL}}})"
                f" + max by (model) (mlaas_monitoring_retrain_blocked{{{MODEL}}})",
                "{{model}}",
            ),
            steps=((None, "green"), (1, "orange"), (2, "red")),
            mapping={
                "0": ("not needed", "green"),
                "1": ("wanted", "orange"),
                "2": ("blocked", "red"),
            },
        ),
        number(
            "Alerts firing",
            "The model's alert rules (monitoring service) firing now.",
            "none",
            Query(f"sum by (model) (mlaas_monitoring_alert_firing{{{MODEL}}})", "{{model}}"),
            steps=((None, "green"), (1, "red")),
        ),
        graph(
            "Drift score per feature",
            "Each feature's drift statistic in the latest monitoring run (the policy's test: "
            "PSI, KS, chi-square...), against the training reference.",
            "none",
            Query(
                f"mlaas_monitoring_feature_drift_score{{{MODEL}}}",
                "{{model}} {{feature}} ({{test}})",
            ),
        ),
        graph(
            "Live metric vs holdout",
            "The champion's live performance over the monitoring window (from feedback) next to "
            "its holdout value at training.",
            "none",
            Query(
                f'mlaas_monitoring_live_metric{{{MODEL}, variant="champion"}}',
                "live {{model}} {{metric}}",
            ),
            Query(f"mlaas_monitoring_holdout_metric{{{MODEL}}}", "holdout {{model}} {{metric}}"),
        ),
        graph(
            "Feedback coverage",
            "Share of the window's predictions with ground truth, per variant: live metrics "
            "need labels.",
            "percentunit",
            Query(
                f"sum by (model, variant) (mlaas_monitoring_window_labelled{{{MODEL}}})"
                f" / sum by (model, variant) (mlaas_monitoring_window_predictions{{{MODEL}}})",
                "{{model}} {{variant}}",
            ),
        ),
        graph(
            "Live rows in the window",
            "Predictions the latest monitoring run compared with the training data.",
            "none",
            Query(f"mlaas_monitoring_window_rows{{{MODEL}}}", "{{model}} v{{version}}"),
        ),
    ]
    dashboard = (
        board(
            "mlaas-models",
            "MLaaS / Models",
            "What each model serves and how: traffic by version and variant, latency, cache, "
            "drift, live performance against the holdout, feedback and alerts.",
        )
        .with_variable(
            variable(
                "model",
                "Model",
                "label_values(mlaas_prediction_served_version, model)",
                "A model the prediction service serves.",
            )
        )
        .annotation(
            dash.AnnotationQuery()
            .name("Alias moves")
            .datasource(DATASOURCE)
            .enable(True)
            .icon_color("purple")
            .expr(f"changes({served_version}[2m]) > 0")
        )
    )
    return _rows(dashboard, [("Serving", predictions), ("Drift and performance", drift)])


SPEC = 'spec=~"$model"'


def training() -> dash.Dashboard:
    jobs: Panels = [
        graph(
            "Jobs by state",
            "Training jobs in the platform DB by state (queued, running, succeeded, failed, "
            "cancelled), per spec.",
            "none",
            Query(f"sum by (spec, state) (mlaas_training_jobs{{{SPEC}}})", "{{spec}} {{state}}"),
            stacked=True,
        ),
        graph(
            "Celery queue depth",
            "Tasks waiting for a worker (training jobs, tuning shards, async predictions). "
            "Alert MlaasTrainingQueueBacklog above 20 for 15 minutes.",
            "none",
            Query("max(mlaas_training_queue_depth_messages)", "queued tasks"),
            bad_above=20,
        ),
        graph(
            "Trial duration by family",
            "Median and p90 duration of the Optuna trials of the last 24 h of jobs, by model "
            "family (a gauge histogram: no rate).",
            "s",
            *(
                Query(
                    f"histogram_quantile({q}, sum by (family, le) "
                    f"(mlaas_training_trial_duration_seconds_bucket{{{SPEC}}}))",
                    f"p{round(q * 100)} {{{{family}}}}",
                )
                for q in (0.5, 0.9)
            ),
        ),
        graph(
            "Trials by family",
            "Finished trials of the last 24 h of jobs, by spec and family.",
            "none",
            Query(
                f"sum by (spec, family) (mlaas_training_trial_duration_seconds_gcount{{{SPEC}}})",
                "{{spec}} {{family}}",
            ),
        ),
    ]
    workers: Panels = [
        number(
            "Workers up",
            "Celery workers whose /metrics Prometheus scraped at its last attempt "
            "(alert MlaasWorkerDown).",
            "none",
            Query('sum(up{job="worker"})', "workers"),
            steps=((None, "red"), (1, "green")),
            width=8,
        ),
        number(
            "Tasks running",
            "Tasks the workers run now, by task.",
            "none",
            Query("sum by (task) (mlaas_worker_tasks_active)", "{{task}}"),
            width=16,
        ),
        graph(
            "Tasks by name and state",
            "Tasks finished per second by the workers: training jobs, tuning shards, async "
            "predictions, file scoring; succeeded, failed or retried.",
            "ops",
            Query(
                f"sum by (task, state) (rate(mlaas_worker_tasks_total[{RATE}]))",
                "{{task}} {{state}}",
            ),
        ),
        graph(
            "Task duration p50 / p95",
            "How long tasks ran in the workers, by task.",
            "s",
            *(_quantile(q, "mlaas_worker_task_duration_seconds", "", "task") for q in (0.5, 0.95)),
        ),
        graph(
            "Worker CPU",
            "CPU time per second of each worker's main process (1 = one core busy); its pool "
            "processes run the tasks.",
            "percentunit",
            Query(f'rate(process_cpu_seconds_total{{job="worker"}}[{RATE}])', "{{instance}}"),
        ),
        graph(
            "Worker memory",
            "Resident memory of each worker's main process.",
            "bytes",
            Query('process_resident_memory_bytes{job="worker"}', "{{instance}}"),
        ),
    ]
    loop: Panels = [
        graph(
            "Retrain decisions",
            "Over the last day: what monitoring decided (wanted, blocked by the breaker, "
            "skipped: no trigger) and what became of automatic retrains (started, succeeded, "
            "failed).",
            "none",
            Query(
                "sum by (model, outcome) "
                f"(increase(mlaas_monitoring_retrain_decisions_total{{{MODEL}}}[1d]))",
                "{{model}} {{outcome}}",
            ),
        ),
        graph(
            "Webhook deliveries",
            "Alert deliveries over the last hour: delivered (2xx), rejected (another status), "
            "unreachable.",
            "none",
            Query(
                "sum by (outcome) (increase(mlaas_monitoring_webhook_deliveries_total[1h]))",
                "{{outcome}}",
            ),
        ),
    ]
    dashboard = board(
        "mlaas-training",
        "MLaaS / Training and pipelines",
        "Training jobs and their trials, the Celery workers that run them, and the closed "
        "loop: retrain decisions and alert deliveries.",
    ).with_variable(
        variable(
            "model",
            "Model",
            "label_values(mlaas_training_jobs, spec)",
            "A spec (model) with training jobs.",
        )
    )
    return _rows(dashboard, [("Jobs", jobs), ("Workers", workers), ("Closed loop", loop)])


DASHBOARDS = {"services": services, "models": models, "training": training}


def render() -> dict[str, str]:
    """file name -> JSON, as committed."""
    return {
        f"{name}.json": json.dumps(build().build(), cls=JSONEncoder, indent=2, sort_keys=True)
        + "\n"
        for name, build in DASHBOARDS.items()
    }


def main(argv: list[str]) -> int:
    rendered = render()
    if "--check" in argv:
        stale = [
            name
            for name, text in rendered.items()
            if not (OUT / name).exists() or (OUT / name).read_text() != text
        ]
        extra = sorted(p.name for p in OUT.glob("*.json") if p.name not in rendered)
        if stale or extra:
            print(f"stale: {stale}, not generated: {extra}; run python grafana/generate.py")
            return 1
        return 0
    OUT.mkdir(exist_ok=True)
    for name, text in rendered.items():
        (OUT / name).write_text(text)
    print(f"wrote {', '.join(sorted(rendered))} to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
