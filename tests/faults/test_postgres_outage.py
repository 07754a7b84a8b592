"""The platform DB (a PostgreSQL this test starts on its own port) stops mid-traffic, and the
spool's disk fills up: every answered prediction reaches the prediction log, none twice, and a
prediction that could be logged nowhere is refused with a 503 instead of served unlogged."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import home_env, small_spec
from tests.faults.conftest import service_process
from tests.faults.servers import OwnPostgres
from tests.integration.conftest import unavailable
from tests.metrics import parse, value
from tests.servers import wait_for


@dataclass
class Platform:
    pg: OwnPostgres
    home: Path
    database_url: str
    key: str

    @property
    def env(self) -> dict[str, str]:
        return {"MLAAS_HOME": str(self.home), "MLAAS_DATABASE_URL": self.database_url}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    pg = OwnPostgres()
    try:
        pg.start()
        url = pg.create_database("platform")
        home = tmp_path_factory.mktemp("pg-outage") / "home"
        with home_env(home, MLAAS_DATABASE_URL=url):
            assert run_pipeline(small_spec("churn")).champion
            key = create_key("faults", ["predict"])[0]
        yield Platform(pg, home, url, key)
    finally:
        pg.close()


@dataclass
class Traffic:
    """Distinct single predictions (so none is a cache hit), their answers counted."""

    url: str
    key: str
    answered: list[str] = field(default_factory=list)  # request ids of the 200s
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: list[httpx.Response] = field(default_factory=list)
    sent: int = 0

    def send(self, count: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            for _ in range(count):
                self.one(client)

    def one(self, client: httpx.Client) -> httpx.Response:
        self.sent += 1
        record = {**EXAMPLE_RECORD, "balance": 1000.0 + self.sent / 100}
        answer = client.post(
            "/v1/models/churn/predict",
            json={"features": record},
            headers={"Authorization": f"Bearer {self.key}"},
        )
        self.statuses[answer.status_code] += 1
        if answer.status_code == 200:
            self.answered.append(answer.json()["request_id"])
        else:
            self.refusals.append(answer)
        return answer


def stored(platform: Platform, request_ids: list[str]) -> int:
    """Log rows of these requests (the table is unique on request id and variant)."""
    from sqlalchemy import create_engine, func, select

    from mlaas.db import prediction_log

    engine = create_engine(platform.database_url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).where(prediction_log.c.request_id.in_(request_ids))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def log_rows(url: str, fate: str) -> float:
    metrics = parse(httpx.get(f"{url}/metrics", timeout=10).text)
    return value(metrics, "mlaas_prediction_log_rows_total", fate=fate)


def test_every_answered_prediction_is_logged_through_a_database_restart(
    platform: Platform, tmp_path: Path
) -> None:
    with service_process(
        "services.prediction.app:app", platform.env, tmp_path / "prediction.log"
    ) as url:
        traffic = Traffic(url, platform.key)
        traffic.send(200)
        platform.pg.stop()
        outage_ends = time.monotonic() + 8  # longer than the key cache: keys re-read, fail
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < outage_ends:
                traffic.one(client)
        platform.pg.start()
        traffic.send(200)

        assert traffic.statuses == {200: traffic.sent}, traffic.refusals[:3]
        assert log_rows(url, "spooled") > 0  # the outage was felt: rows went to the spool
        wait_for(
            lambda: stored(platform, traffic.answered) == len(traffic.answered),
            60,
            "every answered prediction in the log",
            every_s=0.5,
        )
        assert not list((platform.home / "spool" / "prediction_log").glob("*.jsonl"))
    assert stored(platform, traffic.answered) == len(traffic.answered)  # none twice


@pytest.fixture
def small_spool(platform: Platform) -> Iterator[Path]:
    """The spool folder on a 256 KiB tmpfs: room for a few hundred rows."""
    spool = platform.home / "spool" / "prediction_log"
    spool.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(spool)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        unavailable("A small tmpfs", mounted.stderr.strip(), "run the fault tests as root")
    try:
        yield spool
    finally:
        subprocess.run(["umount", "--lazy", str(spool)], check=True)


def test_a_full_spool_disk_refuses_predictions_with_a_503_and_loses_nothing(
    platform: Platform, small_spool: Path, tmp_path: Path
) -> None:
    from mlaas.serving.predlog.spool import read_line, spool_lines

    with service_process(
        "services.prediction.app:app", platform.env, tmp_path / "prediction.log"
    ) as url:
        traffic = Traffic(url, platform.key)
        traffic.send(50)
        platform.pg.stop()
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                deadline = time.monotonic() + 90
                while traffic.one(client).status_code == 200:
                    assert time.monotonic() < deadline, "the spool never filled up"
            refused = traffic.refusals[-1]
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "prediction_log_unavailable"
            assert "No space left on device" in refused.json()["error"]["message"]
            assert refused.headers["Retry-After"] == "5"

            # What is on the full disk is whole: no half-written file, every line a row.
            assert not list(small_spool.glob("*.tmp"))
            spooled = [
                read_line(line)
                for path in small_spool.glob("*.jsonl")
                for line in spool_lines(path)
            ]
            assert spooled and {row["request_id"] for row in spooled} <= set(traffic.answered)
        finally:
            platform.pg.start()

        with httpx.Client(base_url=url, timeout=30) as client:  # serving again once it can log
            wait_for(lambda: traffic.one(client).status_code == 200, 60, "predictions to resume")
        traffic.send(20)
        wait_for(
            lambda: stored(platform, traffic.answered) == len(traffic.answered),
            60,
            "every answered prediction in the log",
            every_s=0.5,
        )
        assert set(traffic.statuses) == {200, 503}
