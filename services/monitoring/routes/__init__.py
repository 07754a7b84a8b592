"""Routers of the monitoring service."""
