-- The platform DB as the last release before migrations made it (metadata.create_all on
-- SQLite, commit 33eca76): tests/mlaas/test_schema.py upgrades it, with rows in it.

CREATE TABLE alert_events (
	id VARCHAR(36) NOT NULL, 
	rule_id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	rule_name VARCHAR(128) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	severity VARCHAR(16) NOT NULL, 
	metric VARCHAR(256) NOT NULL, 
	value FLOAT, 
	threshold FLOAT NOT NULL, 
	comparator VARCHAR(2) NOT NULL, 
	message TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE alert_rules (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	metric VARCHAR(256) NOT NULL, 
	comparator VARCHAR(2) NOT NULL, 
	threshold FLOAT NOT NULL, 
	window_minutes INTEGER NOT NULL, 
	severity VARCHAR(16) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(128) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_alert_rules_model_name UNIQUE (model, name)
);
CREATE TABLE api_keys (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	prefix VARCHAR(16) NOT NULL, 
	key_hash VARCHAR(128) NOT NULL, 
	scopes JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (prefix)
);
CREATE TABLE audit_log (
	id VARCHAR(36) NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(128) NOT NULL, 
	action VARCHAR(64) NOT NULL, 
	model VARCHAR(64), 
	version VARCHAR(32), 
	alias VARCHAR(64), 
	reason TEXT NOT NULL, 
	details JSON NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE datasets (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	uri TEXT NOT NULL, 
	source TEXT NOT NULL, 
	rows INTEGER NOT NULL, 
	columns JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	ingested_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_datasets_model_hash UNIQUE (model, content_hash)
);
CREATE TABLE feedback (
	request_id VARCHAR(64) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	label VARCHAR(256), 
	value FLOAT, 
	received_at DATETIME NOT NULL, 
	updated_at DATETIME, 
	PRIMARY KEY (request_id)
);
CREATE TABLE inbox_files (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	uri TEXT NOT NULL, 
	fingerprint VARCHAR(128) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_inbox_files_version UNIQUE (model, uri, fingerprint)
);
CREATE TABLE monitoring_snapshots (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	version VARCHAR(32) NOT NULL, 
	at DATETIME NOT NULL, 
	window_start DATETIME NOT NULL, 
	window_end DATETIME NOT NULL, 
	rows INTEGER NOT NULL, 
	drift JSON NOT NULL, 
	performance JSON NOT NULL, 
	metric_values JSON NOT NULL, 
	decision JSON NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE prediction_jobs (
	id VARCHAR(64) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	request_id VARCHAR(64) NOT NULL, 
	submitted_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE prediction_log (
	id INTEGER NOT NULL, 
	request_id VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	version VARCHAR(32) NOT NULL, 
	variant VARCHAR(16) NOT NULL, 
	inputs JSON NOT NULL, 
	outputs JSON NOT NULL, 
	latency_ms FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_prediction_log_request_variant UNIQUE (request_id, variant)
);
CREATE TABLE prediction_log_blocks (
	id INTEGER NOT NULL, 
	request_id VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	version VARCHAR(32) NOT NULL, 
	variant VARCHAR(16) NOT NULL, 
	records INTEGER NOT NULL, 
	inputs JSON NOT NULL, 
	outputs JSON NOT NULL, 
	latency_ms FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_prediction_log_blocks_request_variant UNIQUE (request_id, variant)
);
CREATE TABLE retrain_events (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	reason TEXT NOT NULL, 
	dag_run_id VARCHAR(250) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	finished_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (dag_run_id)
);
CREATE TABLE routing_configs (
	model VARCHAR(64) NOT NULL, 
	challenger_weight FLOAT NOT NULL, 
	shadow BOOLEAN NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(128) NOT NULL, 
	PRIMARY KEY (model)
);
CREATE TABLE spec_snapshots (
	spec_hash VARCHAR(64) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	body TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (spec_hash)
);
CREATE TABLE training_jobs (
	id VARCHAR(36) NOT NULL, 
	spec VARCHAR(64) NOT NULL, 
	spec_hash VARCHAR(64) NOT NULL, 
	overrides JSON NOT NULL, 
	idempotency_key VARCHAR(128), 
	request_hash VARCHAR(64) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	stage VARCHAR(16) NOT NULL, 
	trials_total INTEGER NOT NULL, 
	parallelism INTEGER NOT NULL, 
	retrain_mode VARCHAR(32), 
	created_at DATETIME NOT NULL, 
	started_at DATETIME, 
	finished_at DATETIME, 
	heartbeat_at DATETIME, 
	attempts INTEGER NOT NULL, 
	celery_task_id VARCHAR(64), 
	worker_hostname VARCHAR(255), 
	worker_process VARCHAR(64), 
	study_name VARCHAR(255), 
	mlflow_parent_run_id VARCHAR(64), 
	mlflow_run_id VARCHAR(64), 
	registered_version VARCHAR(32), 
	champion BOOLEAN, 
	error TEXT, 
	cancel_requested BOOLEAN NOT NULL, 
	actor VARCHAR(128) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (idempotency_key)
);
CREATE TABLE validation_results (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	suite VARCHAR(128) NOT NULL, 
	success BOOLEAN NOT NULL, 
	statistics JSON NOT NULL, 
	failures JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE webhook_deliveries (
	id VARCHAR(36) NOT NULL, 
	event_id VARCHAR(36) NOT NULL, 
	webhook_id VARCHAR(36) NOT NULL, 
	attempt INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	status_code INTEGER, 
	error TEXT, 
	delivered BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(event_id) REFERENCES alert_events (id)
);
CREATE TABLE webhooks (
	id VARCHAR(36) NOT NULL, 
	model VARCHAR(64), 
	url TEXT NOT NULL, 
	min_severity VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(128) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_alert_events_model_at ON alert_events (model, at);
CREATE INDEX ix_alert_events_rule_id ON alert_events (rule_id);
CREATE INDEX ix_alert_rules_model ON alert_rules (model);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_audit_log_model ON audit_log (model);
CREATE INDEX ix_feedback_model_received_at ON feedback (model, received_at);
CREATE INDEX ix_monitoring_snapshots_model_at ON monitoring_snapshots (model, at);
CREATE INDEX ix_prediction_log_blocks_model_created_at ON prediction_log_blocks (model, created_at);
CREATE INDEX ix_prediction_log_model_created_at ON prediction_log (model, created_at);
CREATE INDEX ix_retrain_events_model_at ON retrain_events (model, at);
CREATE INDEX ix_training_jobs_spec_created ON training_jobs (spec, created_at);
CREATE INDEX ix_training_jobs_state ON training_jobs (state);
CREATE INDEX ix_validation_results_model ON validation_results (model);
CREATE INDEX ix_webhook_deliveries_event_webhook ON webhook_deliveries (event_id, webhook_id);
CREATE INDEX ix_webhooks_model ON webhooks (model);
