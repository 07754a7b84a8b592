# The verbs people expect; each calls one script or tool.
.PHONY: run test lint format bench install lock

run:      ## install and build (if needed), then start the platform and its dashboard
	bash scripts/bootstrap.sh && bash scripts/dashboard.sh && .venv/bin/mlaas up

test:     ## the whole test suite
	bash scripts/test.sh

lint:     ## ruff + mypy
	bash scripts/lint.sh

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench:    ## pipeline wall-time benchmark (see bench/README.md)
	bash scripts/bootstrap.sh && .venv/bin/python bench/pipeline_walltime.py

install:
	bash scripts/bootstrap.sh && bash scripts/dashboard.sh

lock:     ## re-resolve pyproject.toml into requirements.lock
	bash scripts/lock.sh
