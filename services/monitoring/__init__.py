"""The monitoring service: drift, performance with late ground truth, alerts (port 8002)."""
