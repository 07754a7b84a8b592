"""The full stack (infra/) checked without Docker: compose file, image, env, Prometheus, Postgres.

Nothing here starts a container; each test reads the files and checks what `docker compose up`
would otherwise only reveal at run time (a missing secret, a dependency on a service that does
not exist, a setting the platform does not know, a Feast variable nobody provides).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from pydantic import ValidationError

from mlaas.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
PLATFORM_IMAGE = "mlaas-platform:local"
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY")
# `$$` is a literal dollar; otherwise ${NAME}, ${NAME:?msg}, ${NAME?msg}, ${NAME:-default}, ...
_REF = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\})")


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load((INFRA / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def env_example() -> dict[str, str]:
    values = {}
    for line in (INFRA / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def strings(node: Any) -> Iterator[str]:
    """Every string value (and mapping key) in the parsed compose file: comments are not seen."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def references() -> list[tuple[str, str]]:
    """(variable, operator) for every `${...}` in the compose file."""
    return [
        (m.group(1), m.group(2) or "")
        for text in strings(compose())
        for m in _REF.finditer(text)
        if m.group(1)
    ]


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's substitution for the forms this file uses (`$$` and `${VAR:?message}`)."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name is None:
            return "$"
        value = env.get(name)
        if operator == ":?" and not value:
            raise KeyError(f"{name}: {argument}")
        if operator == ":-" and not value:
            return argument
        return value or ""

    return _REF.sub(one, text)


def environment(service: str) -> dict[str, str]:
    env = services()[service].get("environment", {})
    assert isinstance(env, dict), f"{service}: environment must be a mapping"
    return {str(k): str(v) for k, v in env.items()}


def platform_services() -> list[str]:
    return [name for name, svc in services().items() if svc.get("image") == PLATFORM_IMAGE]


def mlaas_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    values = {**env_example(), **(overrides or {})}
    return {name: interpolate(str(v), values) for name, v in compose()["x-mlaas-env"].items()}


def realistic_secrets() -> dict[str, str]:
    """The README's generator run on .env.example: random values for every placeholder."""
    readme = (INFRA / "README.md").read_text()
    match = re.search(r"python3 -c '(.*?)' > \.env", readme, re.DOTALL)
    assert match, "infra/README.md: the .env generator (python3 -c '...' > .env) is missing"
    result = subprocess.run(
        [sys.executable, "-c", match.group(1)],
        cwd=INFRA,
        capture_output=True,
        text=True,
        check=True,
    )
    values = {}
    for line in result.stdout.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("MLAAS_"):
            monkeypatch.delenv(name)
    return monkeypatch


# --- compose file ---------------------------------------------------------------------------


def test_parse_compose_without_version_key() -> None:
    assert "version" not in compose()
    assert set(services()) >= {
        "postgres",
        "redis",
        "minio",
        "minio-init",
        "mlflow",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "platform-init",
        "worker",
        "prediction",
        "training",
        "monitoring",
        "prometheus",
        "grafana",
    }


def test_depend_only_on_existing_services_with_valid_conditions() -> None:
    all_services = services()
    for name, service in all_services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs explicit conditions"
        for target, rule in depends.items():
            assert target in all_services, f"{name} depends on unknown service {target}"
            condition = rule.get("condition")
            assert condition in CONDITIONS, f"{name} -> {target}: condition {condition!r}"
            if condition == "service_healthy":
                check = all_services[target].get("healthcheck", {})
                assert check.get("test"), f"{name} waits for {target}, which has no healthcheck"
            if condition == "service_completed_successfully":
                assert all_services[target].get("restart") == "no", f"{target} is not one-shot"


def test_bind_every_host_port_to_localhost() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is not bound to 127.0.0.1"


def test_give_every_long_running_service_a_healthcheck() -> None:
    for name, service in services().items():
        if name.endswith("-init"):
            assert service.get("restart") == "no", f"{name}: a one-shot must not restart"
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: no healthcheck"
        assert service.get("restart") == "unless-stopped", f"{name}: not restarted"


def test_grafana_is_provisioned_with_the_prometheus_service() -> None:
    provisioned = ROOT / "grafana/provisioning/datasources/prometheus.yaml"
    (source,) = yaml.safe_load(provisioned.read_text())["datasources"]
    port = services()["prometheus"]["ports"][0].rsplit(":", 1)[1]
    assert (source["type"], source["url"]) == ("prometheus", f"http://prometheus:{port}")


def test_declare_every_named_volume_and_find_every_bind_mount() -> None:
    declared = set(compose().get("volumes", {}))
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):  # Docker would create a missing one as an empty folder
                assert (INFRA / source).exists(), f"{name}: bind source {source} missing"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"


def test_list_every_compose_variable_in_env_example() -> None:
    used = {name for name, _ in references()}
    assert used, "the compose file uses no variables from .env"
    missing = used - set(env_example())
    assert not missing, f"add to infra/.env.example: {sorted(missing)}"
    unused = set(env_example()) - used
    assert not unused, f"infra/.env.example lists variables compose never uses: {sorted(unused)}"


def test_require_secrets_instead_of_defaulting_them() -> None:
    for name, operator in references():
        if any(word in name for word in SECRET_WORDS):
            assert operator == ":?", f"${{{name}}} must be required (${{{name}:?...}})"
    for service in services():
        for key, value in environment(service).items():
            secret_like = any(w in key for w in SECRET_WORDS) and not key.endswith("_FILE")
            if secret_like:
                assert re.search(r"\$\{\w+:\?", value), f"{service}: {key} is a literal"
            for password in re.findall(r"://[^/@\s]*:([^@\s]*)@", value):
                assert password.startswith("${") and ":?" in password, f"{service}: {key}"


def test_share_the_mlaas_env_with_every_platform_container() -> None:
    anchor = {k: str(v) for k, v in compose()["x-mlaas-env"].items()}
    names = platform_services()
    assert {"mlflow", "airflow-worker", "airflow-apiserver"} <= set(names)
    for name in names:
        env = environment(name)
        assert {k: env.get(k) for k in anchor} == anchor, f"{name} lacks the x-mlaas-env values"
        assert services()[name]["build"]["dockerfile"] == "infra/Dockerfile"
        assert (INFRA / services()[name]["build"]["context"] / "infra" / "Dockerfile").is_file()


def test_name_only_real_settings_in_the_mlaas_env() -> None:
    fields = {f"MLAAS_{name.upper()}" for name in Settings.model_fields}
    names = {name for name in compose()["x-mlaas-env"] if name.startswith("MLAAS_")}
    assert names - fields == set(), f"not fields of mlaas.settings.Settings: {names - fields}"
    assert {"MLAAS_ENVIRONMENT", "MLAAS_DATABASE_URL", "MLAAS_S3_SECRET_KEY"} <= names
    for service in services():
        unknown = {n for n in environment(service) if n.startswith("MLAAS_")} - fields
        assert not unknown, f"{service}: not fields of mlaas.settings.Settings: {unknown}"


def test_refuse_the_example_secrets_in_production(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in mlaas_env().items():
        clean_env.setenv(name, value)
    with pytest.raises(ValidationError, match="placeholder"):
        Settings()


def test_accept_the_compose_env_with_real_secrets(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in mlaas_env(realistic_secrets()).items():
        clean_env.setenv(name, value)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.object_store_url == "s3://mlaas-lake"
    assert settings.s3_endpoint == "minio:9000" and not settings.s3_secure
    assert urlparse(settings.database_url).hostname == "postgres"
    assert settings.mlflow_tracking_uri == "http://mlflow:5000"
    assert settings.celery_broker_url == settings.redis_url == "redis://redis:6379/0"
    assert settings.feature_store_yaml.name == "feature_store.full.yaml"
    airflow = environment("airflow-worker")
    assert str(settings.dags_dir) == airflow["AIRFLOW__CORE__DAGS_FOLDER"]
    assert str(settings.airflow_home) == airflow["AIRFLOW_HOME"]


def test_resolve_the_full_feast_config_from_the_compose_env(
    clean_env: pytest.MonkeyPatch,
) -> None:
    from mlaas.feast_config import resolve_config

    for name, value in mlaas_env(realistic_secrets()).items():
        clean_env.setenv(name, value)
    settings = Settings()
    config = resolve_config(ROOT / "feature_repo" / settings.feast_config, settings)
    assert config["registry"]["path"] == settings.database_url
    assert config["online_store"]["connection_string"] == "redis:6379,db=0"


def test_create_every_bucket_the_stack_uses() -> None:
    created = {
        arg.split("/", 1)[1]
        for arg in services()["minio-init"]["command"]
        if arg.startswith("local/")
    }
    used = {m for text in strings(compose()) for m in re.findall(r"s3://([\w.-]+)", text)}
    assert used == {"mlaas-lake", "mlflow-artifacts"}
    assert used <= created


def test_point_airflow_components_at_one_api_server_and_one_secret() -> None:
    airflow = [name for name in services() if name.startswith("airflow-")]
    envs = [environment(name) for name in airflow]
    for key in (
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    ):
        assert len({env.get(key) for env in envs}) == 1, f"{key} differs between components"
    env = envs[0]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    api = urlparse(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert api.hostname in services() and api.path == "/execution/"
    assert f"127.0.0.1:{api.port}:{api.port}" in services()[api.hostname]["ports"]
    assert urlparse(env["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"


def test_lock_the_celery_provider_the_airflow_executor_needs() -> None:
    """CeleryExecutor lives in apache-airflow-providers-celery; the image installs the lock."""
    lock = (ROOT / "requirements.lock").read_text().lower()
    assert "apache-airflow-providers-celery==" in lock, (
        "add apache-airflow-providers-celery to pyproject.toml and relock (bash scripts/lock.sh)"
    )


# --- the platform's worker and REST services -------------------------------------------------


def uvicorn_apps() -> dict[str, str]:
    """{compose service: `module:attribute`} for every service that runs uvicorn."""
    return {
        name: next(arg for arg in svc["command"][1:] if not arg.startswith("-"))
        for name, svc in services().items()
        if isinstance(svc.get("command"), list) and svc["command"][:1] == ["uvicorn"]
    }


def option(command: list[str], name: str) -> str | None:
    return command[command.index(name) + 1] if name in command else None


def listening_port(service: str) -> int:
    """The container port a uvicorn service binds (its `--port`); the worker's metrics port."""
    if service == "worker":
        worker = environment("worker")
        assert worker["MLAAS_WORKER_METRICS"] == "true", "the worker exports nothing"
        assert worker["MLAAS_WORKER_METRICS_HOST"] == "0.0.0.0", "unreachable from Prometheus"
        return int(worker["MLAAS_WORKER_METRICS_PORT"])
    port = option(services()[service]["command"], "--port")
    assert port is not None, f"{service}: uvicorn without --port"
    return int(port)


def test_run_the_three_services_from_their_modules_on_their_settings_ports() -> None:
    apps = uvicorn_apps()
    assert set(apps) == {"prediction", "training", "monitoring"}
    defaults = Settings()
    for name, app in apps.items():
        assert app == f"services.{name}.app:app", f"{name}: runs {app}"
        assert (ROOT / "services" / name / "app.py").is_file(), f"services/{name}/app.py missing"
        command = services()[name]["command"]
        assert option(command, "--host") == "0.0.0.0", f"{name}: unreachable from Prometheus"
        port = listening_port(name)
        assert port == getattr(defaults, f"{name}_port"), f"{name}: not MLAAS_{name.upper()}_PORT"
        assert services()[name]["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_health_check_each_service_on_its_own_port() -> None:
    for name in uvicorn_apps():
        test = services()[name]["healthcheck"]["test"]
        url = urlparse(test[-1])
        assert test[:2] == ["CMD", "curl"] and "--fail" in test, f"{name}: {test}"
        assert (url.hostname, url.port) == ("localhost", listening_port(name)), name
        assert url.path in ("/health/live", "/health/ready"), f"{name}: {url.path}"


def test_start_platform_processes_after_the_stores_and_the_platform_tables() -> None:
    runs_platform_code = [*uvicorn_apps(), "worker", "airflow-worker"]
    for name in runs_platform_code:
        depends = services()[name]["depends_on"]
        for store in ("postgres", "redis", "mlflow"):
            assert depends.get(store) == {"condition": "service_healthy"}, f"{name} -> {store}"
        for one_shot in ("platform-init", "minio-init"):
            condition = {"condition": "service_completed_successfully"}
            assert depends.get(one_shot) == condition, f"{name} -> {one_shot}"
    init = services()["platform-init"]
    worker_only = (
        "MLAAS_WORKER_METRICS",
        "MLAAS_WORKER_METRICS_HOST",
        "MLAAS_WORKER_METRICS_PORT",
    )
    worker = {k: v for k, v in environment("worker").items() if k not in worker_only}
    assert environment("platform-init") == worker  # the same database
    assert "get_engine()" in " ".join(init["command"])


def test_ping_the_worker_under_the_name_it_runs_as() -> None:
    """`mlaas worker` and `mlaas worker ping` default to the same node name (mlaas@<host>), so
    the healthcheck pings exactly this container's worker; overriding one needs the other."""
    worker = services()["worker"]
    command, test = worker["command"], worker["healthcheck"]["test"]
    assert command[:2] == ["mlaas", "worker"] and option(command, "--concurrency") == "2"
    assert test[:4] == ["CMD", "mlaas", "worker", "ping"]
    assert option(command, "--hostname") == option(test, "--hostname")
    assert "--queues" not in command and "-Q" not in command  # it consumes every platform queue
    assert environment("worker")["MLAAS_REDIS_URL"].startswith("redis://")  # ping needs fanout


def test_give_only_the_training_service_the_airflow_api_and_its_password(
    clean_env: pytest.MonkeyPatch,
) -> None:
    holders = {n for n in services() if "MLAAS_AIRFLOW_PASSWORD" in environment(n)}
    assert holders == {"training"}
    env = environment("training")
    api = urlparse(env["MLAAS_AIRFLOW_API_URL"])
    assert api.hostname == "airflow-apiserver" and api.path in ("", "/")
    apiserver = services()["airflow-apiserver"]
    assert option(apiserver["command"], "--port") == str(api.port) or (
        f"--port {api.port}" in " ".join(apiserver["command"])
    )
    # The password Airflow's API server writes for `admin` is the one the service logs in with.
    assert env["MLAAS_AIRFLOW_USERNAME"] == "admin"
    assert environment("airflow-apiserver")["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == (
        "admin:admin"
    )
    assert (
        env["MLAAS_AIRFLOW_PASSWORD"] == environment("airflow-apiserver")["AIRFLOW_ADMIN_PASSWORD"]
    )
    secrets = realistic_secrets()
    for name, value in env.items():
        if name.startswith("MLAAS_"):
            clean_env.setenv(name, interpolate(value, secrets))
    settings = Settings()
    assert settings.airflow_api_url == "http://airflow-apiserver:8080"
    assert settings.airflow_password == secrets["AIRFLOW_ADMIN_PASSWORD"]


def test_run_the_same_services_as_mlaas_up(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The stack and `mlaas up` run the same apps and a worker."""
    from mlaas.up import services as up_services

    clean_env.setenv("MLAAS_HOME", str(tmp_path))
    planned = up_services(Settings())
    apps = {arg for s in planned for arg in s.command if arg.startswith("services.")}
    assert apps == set(uvicorn_apps().values())
    workers = [s.command[1:3] for s in planned if s.command[1:2] == ["worker"]]
    assert workers == [["worker", "--concurrency"]] and "worker" in services()


# --- Postgres, Prometheus --------------------------------------------------------------------


def test_create_every_database_the_compose_urls_use() -> None:
    sql = (INFRA / "postgres" / "init.sql").read_text()
    created = set(re.findall(r"^\s*CREATE DATABASE (\w+)", sql, re.MULTILINE | re.IGNORECASE))
    used = {m for text in strings(compose()) for m in re.findall(r"@postgres:5432/(\w+)", text)}
    assert used == {"mlaas", "mlflow", "airflow"}
    assert used <= created
    mount = "./postgres/init.sql:/docker-entrypoint-initdb.d/init.sql:ro"
    assert mount in services()["postgres"]["volumes"]
    assert environment("postgres")["POSTGRES_DB"] not in created  # init.sql would fail on it


def test_scrape_prometheus_the_three_services_and_the_worker_where_they_listen() -> None:
    config = yaml.safe_load((INFRA / "prometheus.yml").read_text())
    jobs = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }
    assert jobs == {
        "prometheus": ["localhost:9090"],
        "prediction": ["prediction:8000"],
        "training": ["training:8001"],
        "monitoring": ["monitoring:8002"],
        "worker": ["worker:9809"],
    }
    volumes = services()["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in volumes
    # rule_files are relative to the config file: prometheus/alerts.yml beside it, here and there.
    assert "./prometheus:/etc/prometheus/prometheus:ro" in volumes
    for rules in config["rule_files"]:
        assert (INFRA / rules).is_file(), rules
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics", job["job_name"]
        for target in job["static_configs"][0]["targets"]:
            host, _, port = target.partition(":")
            if host == "localhost":
                continue
            assert host in services(), f"scrape target {target}: no such compose service"
            assert int(port) == listening_port(host), f"{target}: {host} listens elsewhere"


# --- the image -------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (INFRA / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def instructions_of(op: str) -> list[tuple[str, str]]:
    return [(o, arg) for o, arg in dockerfile_instructions() if o == op]


def dockerignored(path: str) -> bool:
    patterns = [
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(p.startswith("!") for p in patterns), "update dockerignored() for exceptions"
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], bare):
                return True
    return False


def test_build_from_python_311_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [arg for op, arg in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must end as a non-root user"


def test_install_the_lock_then_the_project_without_dependencies() -> None:
    runs = [arg for _, arg in instructions_of("RUN")]
    lock = next(i for i, r in enumerate(runs) if "pip install -r requirements.lock" in r)
    project = next(i for i, r in enumerate(runs) if "pip install --no-deps ." in r)
    assert lock < project


def test_copy_only_sources_that_exist() -> None:
    copies = instructions_of("COPY")
    assert copies
    for _, arg in copies:
        *sources, _destination = [a for a in arg.split() if not a.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repo"


def test_keep_local_state_and_secrets_out_of_the_build_context() -> None:
    for path in (".venv", ".mlaas", ".git", "data/generated", "infra/.env", ".env"):
        assert dockerignored(path), f".dockerignore must exclude {path}"
    for path in ("node_modules", "dashboard/node_modules", "mlaas/__pycache__"):
        assert dockerignored(path), f".dockerignore must exclude {path}"
    needed = (
        "pyproject.toml",
        "requirements.lock",
        "mlaas/settings.py",
        "dags/mlaas_pipelines.py",
        "specs/churn.yaml",
        "expectations/churn.json",
        "feature_repo/feature_store.full.yaml",
        "infra/.env.example",
    )
    for path in needed:
        assert (ROOT / path).exists() and not dockerignored(path), f"{path} must reach the image"


def test_place_the_project_where_the_compose_env_expects_it() -> None:
    workdir = [arg for _, arg in instructions_of("WORKDIR")][-1]
    assert workdir == compose()["x-mlaas-env"]["MLAAS_PROJECT_DIR"]
    assert ("COPY", ". ./") in instructions_of("COPY")
    assert environment("airflow-worker")["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"


def test_generate_url_safe_secrets_with_the_readme_recipe() -> None:
    values = realistic_secrets()
    assert set(values) == set(env_example())
    for name, value in values.items():
        assert value != "change-me" and value, name
        if name == "AIRFLOW_FERNET_KEY":
            assert len(value) == 44
        else:
            assert re.fullmatch(r"[\w-]+", value), f"{name} is not URL-safe"
    assert values["POSTGRES_USER"] == env_example()["POSTGRES_USER"]  # names stay as they are


def test_the_dashboard_is_routed_as_mlaas_up_routes_it() -> None:
    """nginx proxies the same /api/<service> prefixes as dashboard/vite.config.ts, each to its
    compose service's port, and serves every other path as the single-page app."""
    conf = (INFRA / "nginx" / "dashboard.conf").read_text()
    vite = (ROOT / "dashboard" / "vite.config.ts").read_text()
    proxied = dict(re.findall(r"location /api/(\w+)/ \{\s*proxy_pass http://(\w+:\d+)/;", conf))
    ports = {
        name: service["command"][service["command"].index("--port") + 1]
        for name, service in services().items()
        if name in ("prediction", "training", "monitoring")
    }
    assert proxied == {name: f"{name}:{port}" for name, port in ports.items()}
    for name in proxied:
        assert f"MLAAS_DASHBOARD_{name.upper()}_URL" in vite
    assert "try_files $uri /index.html;" in conf
    dashboard = services()["dashboard"]
    assert dashboard["build"]["dockerfile"] == "infra/dashboard.Dockerfile"
    assert (INFRA / "dashboard.Dockerfile").exists()
    assert set(dashboard["depends_on"]) == set(proxied)


def test_the_compose_mlflow_server_requires_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLflow's basic-auth app with an admin whose password comes from .env: the entrypoint
    script, run here with compose's substitutions, writes a config MLflow's own reader accepts;
    every process that talks to MLflow signs in with that password."""
    from mlflow.server.auth.config import read_auth_config

    mlflow = services()["mlflow"]
    assert mlflow["command"][:4] == ["mlflow", "server", "--app-name", "basic-auth"]
    secrets = realistic_secrets()
    env = {k: interpolate(v, secrets) for k, v in environment("mlflow").items()}
    config = tmp_path / "mlflow-auth.ini"
    assert env["MLFLOW_AUTH_CONFIG_PATH"] == "/tmp/mlflow-auth.ini"
    script = interpolate(mlflow["entrypoint"][2], {}).replace("/tmp/mlflow-auth.ini", str(config))
    subprocess.run(
        ["sh", "-c", script, "mlflow-auth", "true"],
        env={**os.environ, **env},
        check=True,
    )
    assert oct(config.stat().st_mode & 0o777) == "0o600"  # it holds two passwords
    monkeypatch.setenv("MLFLOW_AUTH_CONFIG_PATH", str(config))
    auth = read_auth_config()
    assert auth.admin_username == "admin"
    assert auth.admin_password == secrets["MLFLOW_ADMIN_PASSWORD"]
    assert auth.database_uri == env["MLFLOW_BACKEND_STORE_URI"]
    assert env["MLFLOW_FLASK_SERVER_SECRET_KEY"] == secrets["MLFLOW_FLASK_SECRET_KEY"]
    clients = [n for n in services() if "MLAAS_MLFLOW_TRACKING_URI" in environment(n)]
    assert {"prediction", "training", "worker", "airflow-worker"} <= set(clients)
    for name in clients:
        signed_in = {k: interpolate(v, secrets) for k, v in environment(name).items()}
        assert signed_in["MLFLOW_TRACKING_USERNAME"] == "admin", name
        assert signed_in["MLFLOW_TRACKING_PASSWORD"] == secrets["MLFLOW_ADMIN_PASSWORD"], name
