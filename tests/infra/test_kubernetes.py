"""The Kubernetes manifests (infra/k8s/) checked offline: each overlay renders with kustomize,
every object validates against the Kubernetes API schemas, a policy scan passes with every skip
justified, and the manifests agree with the apps, the settings and the compose stack.

The tools run from .venv-infra (scripts/bootstrap.sh, infra/k8s/tools.lock); kubectl is on the
machine. Without them these tests skip, except under CI=true, where a missing tool fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlaas.settings import Settings
from tests.infra.test_compose_static import ROOT, services

K8S = ROOT / "infra" / "k8s"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.32.0"  # the oldest minor the manifests promise (docs/kubernetes.md)
TOOLS = ROOT / ".venv-infra" / "bin"
CRDS = {"ServiceMonitor", "ScaledObject", "TriggerAuthentication"}  # no upstream schema
WORKLOADS = {"Deployment", "StatefulSet", "Job"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|_URL$|_URI$")
API_PORTS = {"prediction": 8000, "training": 8001, "monitoring": 8002}


def need(tool: Path | str) -> str:
    found = shutil.which(str(tool))
    if found is None:
        message = f"{tool} not found: run `bash scripts/bootstrap.sh` (kubectl: install it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@cache
def rendered_text(target: str) -> str:
    kubectl = need("kubectl")
    done = subprocess.run(
        [kubectl, "kustomize", str(target)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"kubectl kustomize {target} failed:\n{done.stderr}"
    return done.stdout


def rendered(overlay: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(rendered_text(str(K8S / "overlays" / overlay))) if d]


def with_keda(tmp_path: Path) -> Path:
    """Production plus the optional KEDA component, as a user's overlay would add it."""
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "namespace": "mlaas",
                "resources": [os.path.relpath(K8S / "overlays" / "production", tmp_path)],
                "components": [os.path.relpath(K8S / "components" / "keda", tmp_path)],
            }
        )
    )
    return tmp_path


def workloads(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (d for d in docs if d["kind"] in WORKLOADS)


def pod(doc: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = doc["spec"]["template"]["spec"]
    return spec


def env_names(container: dict[str, Any]) -> set[str]:
    return {e["name"] for e in container.get("env", [])}


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    match = selector.get("matchLabels", {})
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for rule in selector.get("matchExpressions", []):
        value = labels.get(rule["key"])
        if rule["operator"] == "In" and value not in rule["values"]:
            return False
    return True


# -- renders, schemas, policy -------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_every_component(overlay: str) -> None:
    kinds = {d["kind"] for d in rendered(overlay)}
    assert {"Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "Job"} <= kinds
    assert {"ConfigMap", "HorizontalPodAutoscaler", "Namespace"} <= kinds
    names = set(by_kind(rendered(overlay), "Deployment"))
    assert {"prediction", "training", "monitoring", "worker", "mlflow", "dashboard"} <= names


def test_the_keda_component_renders_onto_production(tmp_path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(rendered_text(str(with_keda(tmp_path)))) if d]
    scaled = by_kind(docs, "ScaledObject")["worker"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "worker"
    assert scaled["metadata"]["namespace"] == "mlaas"


def test_the_keda_trigger_watches_the_queue_the_workers_consume(tmp_path: Path) -> None:
    from mlaas.tasks import celery_app
    from mlaas.worker import consumed_queues

    docs = [d for d in yaml.safe_load_all(rendered_text(str(with_keda(tmp_path)))) if d]
    watched = {
        trigger["metadata"]["listName"]
        for trigger in by_kind(docs, "ScaledObject")["worker"]["spec"]["triggers"]
    }
    assert watched == set(consumed_queues(celery_app()))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_against_the_kubernetes_api_schemas(
    overlay: str, tmp_path: Path
) -> None:
    tool = need(TOOLS / "kubernetes-validate")
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(rendered_text(str(K8S / "overlays" / overlay)))
    done = subprocess.run(
        [tool, "-k", KUBERNETES_VERSION, "--strict", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = re.findall(r"passed for resource", output)
    schemaless = set(re.findall(r"Couldn't find schema for kind (\w+)", output))
    assert schemaless <= CRDS, output
    expected = [d for d in rendered(overlay) if d["kind"] not in CRDS]
    assert len(passed) == len(expected), output


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_policy_scan_passes_and_every_skip_says_why(overlay: str, tmp_path: Path) -> None:
    tool = need(TOOLS / "checkov")
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(rendered_text(str(K8S / "overlays" / overlay)))
    done = subprocess.run(
        [tool, "-f", str(path), "--framework", "kubernetes", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Failed checks: 0" in done.stdout
    for doc in rendered(overlay):
        for key, value in (doc["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                check, _, reason = value.partition("=")
                assert re.fullmatch(r"CKV_K8S_\d+", check), (doc["metadata"]["name"], value)
                assert len(reason.split()) >= 8, f"{doc['metadata']['name']}: {value!r}"


# -- the pods: probes, resources, security ------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_restricted_and_sized(overlay: str) -> None:
    for doc in workloads(rendered(overlay)):
        spec = pod(doc)
        name = doc["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
            if doc["kind"] != "Job":
                assert "livenessProbe" in container and "readinessProbe" in container, name
            for env in container.get("env", []):  # secrets only as references (or files)
                if "value" in env and not env["name"].endswith("_FILE"):
                    assert not SECRET_NAME.search(env["name"]), (name, env["name"])
    assert "Secret" not in {d["kind"] for d in rendered(overlay)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    docs = rendered(overlay)
    budgets = by_kind(docs, "PodDisruptionBudget").values()
    for name, deployment in by_kind(docs, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        if name in {"redis"}:  # the dev overlay's single-pod store
            continue
        assert len(covering) == 1, name


def test_the_prediction_service_drains_before_it_is_killed() -> None:
    """preStop (endpoints leave the load balancers) + uvicorn's graceful shutdown + the log's
    drain fit in the grace period; production keeps two replicas through any disruption."""
    docs = rendered("production")
    deployment = by_kind(docs, "Deployment")["prediction"]
    spec = pod(deployment)
    container = spec["containers"][0]
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    command = container["command"]
    graceful = int(command[command.index("--timeout-graceful-shutdown") + 1])
    log_drain_s = 5  # bench/results/serving_full_stack.json: 220,000 queued rows in 2.1 s
    assert pre_stop + graceful + log_drain_s <= spec["terminationGracePeriodSeconds"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert by_kind(docs, "PodDisruptionBudget")["prediction"]["spec"]["minAvailable"] == 2
    assert deployment["spec"]["replicas"] >= 3
    assert by_kind(docs, "HorizontalPodAutoscaler")["prediction"]["spec"]["minReplicas"] >= 3


# -- agreement with the apps, the settings and compose ------------------------------------------


def app_paths(module: str) -> set[str]:
    import importlib

    app = importlib.import_module(f"services.{module}.app").app
    return {getattr(route, "path", "") for route in app.routes}


@pytest.mark.parametrize("service", sorted(API_PORTS))
def test_api_ports_commands_and_probes_match_the_apps(service: str) -> None:
    docs = rendered("production")
    container = pod(by_kind(docs, "Deployment")[service])["containers"][0]
    command = container["command"]
    port = API_PORTS[service]
    assert command[:2] == ["uvicorn", f"services.{service}.app:app"]
    assert int(command[command.index("--port") + 1]) == port
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    assert getattr(Settings(), f"{service}_port") == port
    compose = services()[service]["command"]
    assert compose[:2] == command[:2] and compose[compose.index("--port") + 1] == str(port)
    paths = app_paths(service)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if probe in container:
            assert container[probe]["httpGet"]["path"] in paths, (service, probe)
            assert container[probe]["httpGet"]["port"] == "http"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    ports = by_kind(docs, "Service")[service]["spec"]["ports"]
    assert ports == [{"name": "http", "port": port, "targetPort": "http"}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_the_ones_compose_builds(overlay: str) -> None:
    expected = {
        "dev": {"mlaas-platform:local", "mlaas-dashboard:local"},
        "production": {
            "registry.example.com/mlaas/platform:1.0.0",
            "registry.example.com/mlaas/dashboard:1.0.0",
        },
    }[overlay]
    ours = {
        c["image"]
        for doc in workloads(rendered(overlay))
        for c in pod(doc)["containers"]
        if "mlaas" in c["image"]
    }
    assert ours == expected
    built = {s.get("image") for s in services().values() if s.get("build")}
    assert built == {"mlaas-platform:local", "mlaas-dashboard:local"}


def test_every_setting_the_manifests_set_is_one_the_platform_reads() -> None:
    docs = rendered("production")
    config = by_kind(docs, "ConfigMap")["mlaas-config"]["data"]
    names = set(config)
    for doc in workloads(docs):
        for container in pod(doc)["containers"]:
            names |= env_names(container)
    fields = {f"MLAAS_{field.upper()}" for field in Settings.model_fields}
    unknown = {n for n in names if n.startswith("MLAAS_")} - fields
    assert not unknown, f"not settings of mlaas/settings.py: {sorted(unknown)}"
    for value_name, value in config.items():  # no secret in the ConfigMap
        assert not re.search(r"PASSWORD|SECRET|ACCESS_KEY|DATABASE_URL|REDIS_URL", value_name)
        assert "@" not in value, value_name


def test_the_platform_gets_every_setting_compose_gives_it() -> None:
    """Compose's shared platform environment, key by key, is set in Kubernetes too (from the
    ConfigMap, or from the Secret for the values that hold passwords)."""
    docs = rendered("production")
    config = set(by_kind(docs, "ConfigMap")["mlaas-config"]["data"])
    prediction = pod(by_kind(docs, "Deployment")["prediction"])["containers"][0]
    compose_env = set(services()["prediction"]["environment"])
    assert compose_env <= config | env_names(prediction), compose_env - config


def test_secret_keys_are_the_documented_ones() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", docs_text(), re.MULTILINE))
    used: set[str] = set()
    for overlay in OVERLAYS:
        for doc in rendered(overlay):
            text = yaml.safe_dump(doc)
            used |= set(re.findall(r"key: ([a-z0-9-]+)\n\s*name: mlaas-secrets", text))
            used |= set(re.findall(r"name: mlaas-secrets\n\s*key: ([a-z0-9-]+)", text))
            for volume in pod(doc).get("volumes", []) if doc["kind"] in WORKLOADS else []:
                for item in volume.get("secret", {}).get("items", []):
                    used.add(item["key"])
    assert used and used <= documented, used - documented


def docs_text() -> str:
    return (ROOT / "docs" / "kubernetes.md").read_text()


def test_scrape_targets_match_the_prometheus_jobs() -> None:
    docs = rendered("production")
    scraped = {}
    for name, service in by_kind(docs, "Service").items():
        notes = service["metadata"].get("annotations") or {}
        if notes.get("prometheus.io/scrape") == "true":
            ports = {p["port"] for p in service["spec"]["ports"]}
            assert int(notes["prometheus.io/port"]) in ports, name
            assert notes["prometheus.io/path"] == "/metrics"
            scraped[service["spec"]["selector"]["app.kubernetes.io/name"]] = int(
                notes["prometheus.io/port"]
            )
    jobs = yaml.safe_load((ROOT / "infra" / "prometheus.yml").read_text())["scrape_configs"]
    compose_targets = {
        job["job_name"]: int(job["static_configs"][0]["targets"][0].rsplit(":", 1)[1])
        for job in jobs
        if job["job_name"] != "prometheus"
    }
    assert scraped == compose_targets
    monitors = by_kind(docs, "ServiceMonitor")
    monitored = set(monitors["mlaas-apis"]["spec"]["selector"]["matchExpressions"][0]["values"])
    assert monitored | {"worker"} == set(scraped)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_select_pods_and_name_their_ports(overlay: str) -> None:
    docs = rendered(overlay)
    templates = [d["spec"]["template"] for d in workloads(docs)]
    for policy in by_kind(docs, "NetworkPolicy").values():
        chosen = [
            t for t in templates if selects(policy["spec"]["podSelector"], t["metadata"]["labels"])
        ]
        assert chosen, f"{policy['metadata']['name']} selects no pod"
        for rule in policy["spec"].get("ingress", []):
            for port in rule.get("ports", []):
                if isinstance(port["port"], str):  # a named port: every selected pod has it
                    for template in chosen:
                        names = {
                            p.get("name")
                            for c in template["spec"]["containers"]
                            for p in c.get("ports", [])
                        }
                        assert port["port"] in names, (policy["metadata"]["name"], names)


def test_the_worker_metrics_port_is_compose_s() -> None:
    docs = rendered("production")
    worker = pod(by_kind(docs, "Deployment")["worker"])["containers"][0]
    env = {e["name"]: e.get("value") for e in worker["env"]}
    compose = services()["worker"]["environment"]
    assert env["MLAAS_WORKER_METRICS_PORT"] == compose["MLAAS_WORKER_METRICS_PORT"] == "9809"
    assert worker["ports"] == [{"name": "metrics", "containerPort": 9809}]
    assert worker["command"] == services()["worker"]["command"]


def test_airflow_values_ship_the_dags_of_the_image_with_compose_s_executor() -> None:
    values = yaml.safe_load((K8S / "airflow" / "values.yaml").read_text())
    config = by_kind(rendered("production"), "ConfigMap")["mlaas-config"]["data"]
    assert values["config"]["core"]["dags_folder"] == f"{config['MLAAS_PROJECT_DIR']}/dags"
    assert (ROOT / "dags" / "mlaas_pipelines.py").is_file()
    compose = services()["airflow-scheduler"]["environment"]
    assert values["executor"] == compose["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert values["dags"]["gitSync"]["enabled"] is False
    assert values["images"]["airflow"]["repository"] == "registry.example.com/mlaas/platform"
    refs = yaml.safe_load(values["extraEnv"])
    platform_env = pod(by_kind(rendered("production"), "Deployment")["prediction"])
    secrets = {  # every secret a platform pod reads, Airflow's tasks read too
        e["name"]
        for e in platform_env["containers"][0]["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert {r["name"] for r in refs} == secrets


def test_the_migrations_job_and_what_it_needs_run_before_the_rollout() -> None:
    docs = rendered("production")
    before = {
        (d["kind"], d["metadata"]["name"])
        for d in docs
        if d["metadata"].get("labels", {}).get("mlaas.dev/before-rollout") == "true"
    }
    assert before == {
        ("Namespace", "mlaas"),
        ("ServiceAccount", "mlaas"),
        ("ConfigMap", "mlaas-config"),
        ("Job", "mlaas-migrate"),
    }
    job = by_kind(docs, "Job")["mlaas-migrate"]
    assert pod(job)["containers"][0]["command"] == ["mlaas", "db", "upgrade"]
    assert "kubectl apply -k infra/k8s/overlays/production -l mlaas.dev/before-rollout=true" in (
        docs_text()
    )
