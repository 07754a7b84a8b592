"""Platform-DB tables of monitoring: feedback, drift snapshots, alert rules and events."""

from __future__ import annotations
