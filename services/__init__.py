"""The REST services: thin FastAPI adapters over the `mlaas` library."""
