"""The training service: jobs, pipeline runs through Airflow, registry and audit."""
