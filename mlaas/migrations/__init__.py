"""Alembic migrations of the platform DB (`mlaas.db.metadata`); see mlaas/schema.py."""
