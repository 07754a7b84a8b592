"""Platform-DB tables of training jobs (registered on `mlaas.db.metadata`)."""

from __future__ import annotations
