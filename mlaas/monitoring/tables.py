"""Platform-DB tables of monitoring: feedback, snapshots, alert rules, events, webhooks, retrains.

All on `mlaas.db.metadata` (created with the other platform tables). Timestamps are UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mlaas.db import metadata, new_id, utcnow

# Ground truth for logged predictions. One row per request id: a label (classification, stored as
# the class name the model's probabilities use) or a value (regression). `model` is copied from
# the prediction log when the feedback is accepted, so per-model listings need no join.
feedback = Table(
    "feedback",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("model", String(64), nullable=False),
    Column("label", String(256)),
    Column("value", Float),
    Column("received_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_feedback_model_received_at", "model", "received_at"),
)

# What one monitoring run saw: the drift report, live performance, the flat values alert rules
# read (`values`), and the retrain decision. The latest row per model feeds /metrics.
monitoring_snapshots = Table(
    "monitoring_snapshots",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("drift", JSON, nullable=False),
    Column("performance", JSON, nullable=False),
    Column("metric_values", JSON, nullable=False),
    Column("decision", JSON, nullable=False),
    Index("ix_monitoring_snapshots_model_at", "model", "at"),
)

# `state` is the rule's current condition (ok | firing); the conditional update from ok to firing
# is what keeps a rule from firing twice before it resolves, even with concurrent evaluators.
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("metric", String(256), nullable=False),
    Column("comparator", String(2), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("window_minutes", Integer, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False, default="ok"),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("created_by", String(128), nullable=False),
    UniqueConstraint("model", "name", name="uq_alert_rules_model_name"),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("rule_id", String(36), nullable=False, index=True),
    Column("model", String(64), nullable=False),
    Column("rule_name", String(128), nullable=False),
    Column("state", String(16), nullable=False),  # firing | resolved
    Column("severity", String(16), nullable=False),
    Column("metric", String(256), nullable=False),
    Column("value", Float),
    Column("threshold", Float, nullable=False),
    Column("comparator", String(2), nullable=False),
    Column("message", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow),
    Index("ix_alert_events_model_at", "model", "at"),
)

# `model` NULL: a global webhook that receives every model's events.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), index=True),
    Column("url", Text, nullable=False),
    Column("min_severity", String(16), nullable=False, default="info"),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("created_by", String(128), nullable=False),
)

# One row per HTTP attempt; a `delivered` row for (event, webhook) means never send it again.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("event_id", String(36), ForeignKey("alert_events.id"), nullable=False),
    Column("webhook_id", String(36), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("status_code", Integer),
    Column("error", Text),
    Column("delivered", Boolean, nullable=False),
    Index("ix_webhook_deliveries_event_webhook", "event_id", "webhook_id"),
)

# The alert outbox: one row per (alert event, webhook) to deliver, with the exact body sent.
# The monitoring run adds rows and tries each once; `deliver_pending` (the monitoring DAG's
# `deliver_alerts` task) retries pending ones with exponential back-off until they are
# delivered, refused (a final 4xx) or expired.
webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("event_id", String(36), ForeignKey("alert_events.id"), nullable=False),
    Column("webhook_id", String(36), nullable=False),
    Column("model", String(64), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | refused | expired
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    UniqueConstraint("event_id", "webhook_id", name="uq_webhook_outbox_event_webhook"),
    Index("ix_webhook_outbox_due", "state", "next_attempt_at"),
)

# Automatic retrains the monitoring DAG started: the circuit breaker counts these rows.
retrain_events = Table(
    "retrain_events",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("reason", Text, nullable=False),
    Column("dag_run_id", String(250), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # triggered | succeeded | failed
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_retrain_events_model_at", "model", "at"),
)
