-- Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d).
-- One server, one database per consumer; all owned by POSTGRES_USER.
CREATE DATABASE mlaas;    -- platform DB: lineage, audit, API keys, prediction log, Optuna, Feast registry
CREATE DATABASE mlflow;   -- MLflow tracking + model registry
CREATE DATABASE airflow;  -- Airflow metadata + Celery results
