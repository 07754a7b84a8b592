"""Replicas that agree: three prediction services behind a real load balancer (Debian's haproxy)
on loopback, all on PostgreSQL, Redis, an MLflow server and an S3 server (the full-stack
fixture of test_full_stack.py), checked under concurrent traffic:

- a per-key rate limit holds across replicas (admitted = the shared bucket, not x replicas);
- an A/B routing key gets the same variant from every replica; shadow rows are logged once;
- an alias move reaches every replica within one poll plus a load, and no replica answers
  with the older version after the newer one;
- a revoked key is refused by every replica within MLAAS_KEY_CACHE_S;
- a rolling restart, one replica at a time (drained at the balancer first, as Kubernetes takes
  a terminating pod out of its endpoints), fails no request;
- every answered prediction is stored in the prediction log exactly once;
- a monitoring run fired by two processes at once (two schedulers) runs once;
- a training job delivered to several workers at once is claimed by exactly one.

The measured figures are printed (pytest -s) for docs/kubernetes.md and docs/scaling.md.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import small_spec
from tests.faults.conftest import service_process
from tests.integration.test_full_stack import (  # noqa: F401 - fixtures used by name
    full_stack,
    s3_endpoint,
)
from tests.servers import free_port, wait_for

pytestmark = pytest.mark.slow

REPLICAS = 3
POLL_S = 1.0  # MLAAS_SERVING_POLL_S: how often each replica re-reads the aliases
KEY_CACHE_S = 2.0  # MLAAS_KEY_CACHE_S: how long a replica trusts a key it has looked up
RATE, BURST = 20.0, 100  # per key; a lease is 1 token at this limit (exact)
ROUTING_TTL_S = 5.0  # PredictionService.routing_ttl_s
RESTART_LOAD_THREADS = 4


def haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("/usr/sbin/haproxy")
    if found is None:
        message = "haproxy not found: apt-get install haproxy"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


class Balancer:
    """haproxy in front of the replicas: round robin, health checks on /health/ready, and the
    runtime API (a unix socket) to drain a server or point it at a new port."""

    def __init__(self, folder: Path, backends: list[str]) -> None:
        self.folder, self.port = folder, free_port()
        self.socket = folder / "haproxy.sock"
        servers = "\n".join(
            f"    server r{i} {url.removeprefix('http://')} check inter 300ms fall 2 rise 1"
            for i, url in enumerate(backends)
        )
        (folder / "haproxy.cfg").write_text(
            f"""global
    stats socket {self.socket} mode 600 level admin
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
    retry-on conn-failure empty-response
frontend api
    bind 127.0.0.1:{self.port}
    default_backend prediction
backend prediction
    balance roundrobin
    option httpchk GET /health/ready
{servers}
"""
        )
        self.log = (folder / "haproxy.log").open("ab")
        self.process = subprocess.Popen(
            [haproxy(), "-db", "-f", str(folder / "haproxy.cfg")],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: all(self.state(i) == "UP" for i in range(len(backends))), 30, "haproxy")

    def command(self, text: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(self.socket))
            conn.sendall(text.encode() + b"\n")
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> dict[str, dict[str, str]]:
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r.get("pxname") == "prediction"}

    def state(self, i: int) -> str:
        assert self.process.poll() is None, (self.folder / "haproxy.log").read_text()
        try:
            return self.stats().get(f"r{i}", {}).get("status", "")
        except OSError:  # the runtime socket is not there yet
            return ""

    def drain(self, i: int) -> None:
        self.command(f"set server prediction/r{i} state drain")

    def point(self, i: int, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.command(f"set server prediction/r{i} addr {host} port {port}")
        self.command(f"set server prediction/r{i} state ready")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


class Replica:
    """One prediction service process (uvicorn on a port of its own), started and stopped."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self._stack = ExitStack()
        self.url = self._stack.enter_context(
            service_process("services.prediction.app:app", env, log)
        )
        wait_for(lambda: _status(f"{self.url}/health/ready") == 200, 120, "the replica's models")

    def stop(self) -> None:
        self._stack.close()  # SIGTERM: finish requests in flight, flush the prediction log


def up(balancer: Balancer, i: int) -> bool:
    return balancer.state(i) == "UP"


def _status(url: str, **options: Any) -> int:
    try:
        return httpx.get(url, timeout=5, **options).status_code
    except httpx.HTTPError:
        return 0


def predict(client: httpx.Client, url: str, key: str, age: float, **body: Any) -> httpx.Response:
    return client.post(
        f"{url}/v1/models/churn/predict",
        json={"features": {**EXAMPLE_RECORD, "age": age}, **body},
        headers={"Authorization": f"Bearer {key}"},
    )


@contextmanager
def cluster(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[list[Replica], Balancer]]:
    replicas = [Replica(env, tmp_path / f"replica-{i}.log") for i in range(REPLICAS)]
    balancer = Balancer(tmp_path, [r.url for r in replicas])
    try:
        yield replicas, balancer
    finally:
        balancer.close()
        for replica in replicas:
            replica.stop()


def test_replicas_behind_a_load_balancer_agree(
    full_stack: dict[str, str],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    from sqlalchemy import func, select

    from mlaas import db
    from mlaas.auth import create_key, revoke_key
    from mlaas.pipeline import run_pipeline
    from mlaas.registry import set_alias
    from mlaas.serving.routing import set_routing

    spec = small_spec("churn")
    assert run_pipeline(spec).version == "1"
    assert run_pipeline(small_spec("churn", training__seed=7)).version == "2"
    set_alias("churn", "champion", "1", reason="replica test: start on v1")
    set_alias("churn", "challenger", "2", reason="replica test: A/B and shadow")
    env = {
        "MLAAS_SERVING_POLL_S": str(POLL_S),
        "MLAAS_KEY_CACHE_S": str(KEY_CACHE_S),
        "MLAAS_SERVING_RATE_PER_S": str(RATE),
        "MLAAS_SERVING_BURST": str(BURST),
    }
    answered: list[str] = []  # request ids of every 200, from every check
    lock = threading.Lock()

    def keep(response: httpx.Response) -> int:
        if response.status_code == 200:
            with lock:
                answered.append(response.json()["request_id"])
        return response.status_code

    with cluster(tmp_path, env) as (replicas, balancer), httpx.Client(timeout=30) as client:
        # 1. One key's limit across replicas: 300 requests at once through the balancer.
        limited = create_key("replicas-limit", ["predict"])[0]
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            codes = list(
                pool.map(
                    lambda i: keep(predict(client, balancer.url, limited, 20 + i)), range(300)
                )
            )
        elapsed = time.monotonic() - started
        admitted = codes.count(200)
        assert set(codes) == {200, 429}
        assert BURST <= admitted <= BURST + RATE * elapsed + REPLICAS, (admitted, elapsed)
        served_by = {name: int(row["stot"]) for name, row in balancer.stats().items()}
        assert all(served_by[f"r{i}"] >= 50 for i in range(REPLICAS)), served_by
        print(
            f"\nrate limit {RATE:g}/s burst {BURST}: {admitted} of 300 admitted in "
            f"{elapsed:.2f}s across {REPLICAS} replicas (limit x replicas: {BURST * REPLICAS})"
        )

        # 2. A/B: every replica gives a routing key the same variant.
        set_routing("churn", challenger_weight=0.5, shadow=False, reason="replica test")
        ab_key = create_key("replicas-ab", ["predict"])[0]

        probes = iter(create_key(f"replicas-probe-{n}", ["predict"])[0] for n in range(2))
        probe = next(probes)  # polling has keys of its own: ab_key's budget stays whole

        def variants_of(replica: Replica) -> set[str]:  # ten routing keys on one replica
            answers = [
                predict(client, replica.url, probe, 29, routing_key=f"customer-{n}")
                for n in range(10)
            ]
            return {a.json()["variant"] for a in answers if a.status_code == 200}

        def routes_to(variant: str) -> bool:  # every replica has re-read its routing entry
            return all(variant in variants_of(r) for r in replicas)

        wait_for(lambda: routes_to("challenger"), 3 * ROUTING_TTL_S, "the A/B split", every_s=1)
        variants: dict[str, set[str]] = {}
        for n in range(30):
            routing_key = f"customer-{n}"
            for replica in replicas:
                answer = predict(client, replica.url, ab_key, 30 + n, routing_key=routing_key)
                keep(answer)
                variants.setdefault(routing_key, set()).add(answer.json()["variant"])
        assert all(len(seen) == 1 for seen in variants.values()), variants
        assert set().union(*variants.values()) == {"champion", "challenger"}

        # Shadow: the challenger scores every request once, whichever replica served it.
        set_routing("churn", challenger_weight=0.0, shadow=True, reason="replica test")
        probe = next(probes)
        wait_for(
            lambda: all(variants_of(r) == {"champion"} for r in replicas),
            3 * ROUTING_TTL_S,
            "the shadow split",
            every_s=1,
        )
        shadowed = [predict(client, balancer.url, ab_key, 40 + n) for n in range(60)]
        assert [keep(r) for r in shadowed] == [200] * 60
        shadow_ids = [r.json()["request_id"] for r in shadowed]

        # 3. An alias move, watched on every replica by a stream of requests.
        move_key = create_key("replicas-move", ["predict"])[0]
        seen: list[list[tuple[float, str]]] = [[] for _ in replicas]
        stop = threading.Event()

        def watch(i: int) -> None:
            with httpx.Client(timeout=30) as own:
                n = 0
                while not stop.is_set():
                    answer = predict(own, replicas[i].url, move_key, 50 + n % 40)
                    n += 1
                    if keep(answer) == 200:
                        seen[i].append((time.monotonic(), answer.json()["version"]))

        watchers = [threading.Thread(target=watch, args=(i,)) for i in range(REPLICAS)]
        for watcher in watchers:
            watcher.start()
        time.sleep(1.0)
        moved_at = time.monotonic()
        set_alias("churn", "champion", "2", reason="replica test: the move")
        wait_for(lambda: all(s and s[-1][1] == "2" for s in seen), 60, "every replica to serve v2")
        time.sleep(0.5)
        stop.set()
        for watcher in watchers:
            watcher.join()
        reached = []
        for stream in seen:
            versions = [v for _, v in stream]
            first_new = versions.index("2")
            assert set(versions[first_new:]) == {"2"}, versions  # never back to v1
            assert set(versions[:first_new]) <= {"1"}
            reached.append(stream[first_new][0] - moved_at)
        load_s = 10.0  # loading a small churn model from MLflow over HTTP + S3
        assert max(reached) <= POLL_S + load_s, reached
        print(
            f"alias move reached the replicas after {[round(r, 2) for r in reached]} s "
            f"(poll every {POLL_S:g} s)"
        )

        # 4. A revoked key: refused by every replica within the key cache's lifetime.
        doomed, record = create_key("replicas-revoked", ["predict"])
        for replica in replicas:  # every replica has looked it up (and remembers it)
            assert keep(predict(client, replica.url, doomed, 33)) == 200
        revoke_key(record.prefix)
        revoked_at = time.monotonic()
        refused: dict[int, float] = {}

        def all_refuse() -> bool:
            for i, replica in enumerate(replicas):
                if (
                    i not in refused
                    and predict(client, replica.url, doomed, 34).status_code == 401
                ):
                    refused[i] = time.monotonic() - revoked_at
            return len(refused) == REPLICAS

        wait_for(all_refuse, 30, "every replica to refuse the revoked key", every_s=0.05)
        assert max(refused.values()) <= KEY_CACHE_S + 1.0, refused
        print(
            f"revoked key refused after {sorted(round(s, 2) for s in refused.values())} s "
            f"(key cache {KEY_CACHE_S:g} s)"
        )

        # 5. A rolling restart under load through the balancer.
        load_keys = [create_key(f"replicas-load-{t}", ["predict"])[0] for t in range(4)]
        statuses: list[int] = []
        stop = threading.Event()

        def load(t: int) -> None:
            with httpx.Client(timeout=30) as own:
                n = 0
                while not stop.is_set():
                    try:
                        code = keep(predict(own, balancer.url, load_keys[t], 60 + n % 30))
                    except httpx.HTTPError as error:  # a connection the balancer dropped
                        code = -1
                        print("load error", error)
                    with lock:
                        statuses.append(code)
                    n += 1
                    time.sleep(1 / RATE * 1.2)  # under each key's rate: no 429 is expected

        loaders = [threading.Thread(target=load, args=(t,)) for t in range(RESTART_LOAD_THREADS)]
        for loader in loaders:
            loader.start()
        for i in range(REPLICAS):
            balancer.drain(i)  # no new requests for it (Kubernetes: out of the endpoints)
            time.sleep(1.0)
            replicas[i].stop()  # SIGTERM: requests in flight finish, the log is flushed
            replicas[i] = Replica(env, tmp_path / f"replica-{i}-restarted.log")
            balancer.point(i, replicas[i].url)
            wait_for(partial(up, balancer, i), 30, f"r{i} back in the balancer")
        time.sleep(1.0)
        stop.set()
        for loader in loaders:
            loader.join()
        failed = [code for code in statuses if code != 200]
        assert len(statuses) > 100 and failed == [], (len(statuses), failed[:10])
        print(
            f"rolling restart of {REPLICAS} replicas under load: {len(statuses)} requests, "
            f"{len(failed)} failed"
        )

    # 6. Every answered prediction is in the log exactly once (the replicas have stopped, and
    # each flushed its log as it stopped).
    log = db.prediction_log.c
    engine = db.get_engine()
    with engine.connect() as conn:
        stored = conn.execute(
            select(log.request_id, log.variant).where(log.request_id.in_(answered))
        ).all()
        shadow_rows = conn.execute(
            select(func.count())
            .select_from(db.prediction_log)
            .where(log.request_id.in_(shadow_ids), log.variant == "shadow")
        ).scalar_one()
    answered_rows = {(rid, variant) for rid, variant in stored if variant != "shadow"}
    assert len(answered) == len(set(answered))
    assert len(answered_rows) == len(answered) == len({rid for rid, _ in answered_rows})
    assert shadow_rows == len(shadow_ids)
    print(
        f"prediction log: {len(answered)} answered, {len(answered_rows)} stored, "
        f"{shadow_rows} shadow rows for {len(shadow_ids)} shadowed requests"
    )

    # 7. Two schedulers fire the model's monitoring at the same instant, from two processes:
    # one run computes, the other waits for it and returns its snapshot.
    import multiprocessing

    from mlaas.monitoring.tables import monitoring_snapshots

    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, spawn.Pool(2) as workers:
        barrier = manager.Barrier(2)
        snapshot_ids = workers.map(_monitor_churn, [barrier, barrier])
    with engine.connect() as conn:
        stored_snapshots = conn.execute(
            select(func.count())
            .select_from(monitoring_snapshots)
            .where(monitoring_snapshots.c.model == "churn")
        ).scalar_one()
    assert snapshot_ids[0] == snapshot_ids[1] and stored_snapshots == 1, snapshot_ids
    print(f"monitoring fired by 2 processes at once: {stored_snapshots} run, {snapshot_ids}")


def _monitor_churn(barrier: Any) -> str:
    """One scheduler's monitoring run, started when the other's is (the barrier)."""
    from mlaas.monitoring.run import monitor

    spec = small_spec("churn")
    barrier.wait(120)
    return monitor(spec).snapshot_id


def _claim(job_id: str) -> int | None:
    from mlaas.jobs import store

    return store.claim_queued(job_id, host=f"worker-{os.getpid()}", process=str(os.getpid()),
                              task_id=f"delivery-{os.getpid()}")  # fmt: skip


def test_a_job_delivered_to_several_workers_is_claimed_once(
    full_stack: dict[str, str],  # noqa: F811
) -> None:
    """Eight worker processes receive the same job at once (a broker redelivery, a duplicated
    message): the conditional UPDATE on PostgreSQL lets exactly one start it."""
    import multiprocessing

    from mlaas.jobs import store
    from mlaas.jobs.overrides import JobOverrides

    for _ in range(5):
        job, _ = store.submit("churn", JobOverrides(), actor="replica test")
        with multiprocessing.get_context("spawn").Pool(8) as pool:
            attempts = pool.map(_claim, [job.id] * 8)
        assert sorted(a for a in attempts if a is not None) == [1], attempts
        assert store.get_job(job.id).state == "running"
