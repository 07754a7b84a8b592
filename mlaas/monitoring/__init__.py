"""Monitoring: live drift and performance from the prediction log and feedback, alert rules
with webhooks, snapshots, and the retrain decision with its circuit breaker (`run.monitor`)."""
