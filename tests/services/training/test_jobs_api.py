"""The jobs API without a worker: validation, idempotency, listing, cancel, SSE, auth."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.services.training.conftest import Keys, auth


def submit(client: TestClient, key: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/v1/training-jobs", json=body, headers={**auth(key), **headers})


def fields(response: Any) -> list[str]:
    return [f["field"] for f in response.json()["error"].get("fields", [])]


def test_submit_is_idempotent(client: TestClient, keys: Keys) -> None:
    body = {"spec": "churn", "overrides": {"trials": 2, "families": ["lightgbm"]}}
    first = submit(client, keys.train, body, **{"Idempotency-Key": "nightly-1"})
    assert first.status_code == 201, first.text
    job = first.json()
    assert job["state"] == "queued" and job["progress"]["trials_total"] == 2
    assert first.headers["Location"] == f"/v1/training-jobs/{job['id']}"
    again = submit(client, keys.train, {**body, "idempotency_key": "nightly-1"})
    assert again.status_code == 200 and again.json()["id"] == job["id"]
    other = submit(client, keys.train, {"spec": "churn", "idempotency_key": "nightly-1"})
    assert other.status_code == 409 and "another request" in other.json()["error"]["message"]
    fresh = submit(client, keys.train, body)
    assert fresh.status_code == 201 and fresh.json()["id"] != job["id"]


def test_bad_submissions_name_the_field(client: TestClient, keys: Keys) -> None:
    unknown = submit(client, keys.train, {"spec": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "spec_not_found"
    cases = {
        "overrides.families.0": {"families": ["xgboost"]},
        "overrides.trials": {"trials": 0},
        "overrides.retrain_mode": {"retrain_mode": "sometimes"},
        "overrides.parallelism": {"parallelism": 99},
        "overrides.dataset_path": {"dataset_path": "data.json"},
        "overrides.colour": {"colour": "blue"},
    }
    for field, overrides in cases.items():
        response = submit(client, keys.train, {"spec": "churn", "overrides": overrides})
        assert response.status_code == 422, (field, response.text)
        assert any(f.startswith(field.rsplit(".0", 1)[0]) for f in fields(response)), (
            field,
            response.json(),
        )
    not_searched = submit(
        client, keys.train, {"spec": "churn", "overrides": {"families": ["ridge"]}}
    )
    assert not_searched.status_code == 422 and fields(not_searched) == ["overrides.families"]
    missing = submit(
        client, keys.train, {"spec": "churn", "overrides": {"dataset_path": "/no/such.csv"}}
    )
    assert missing.status_code == 422 and fields(missing) == ["overrides.dataset_path"]
    version = submit(
        client, keys.train, {"spec": "churn", "overrides": {"dataset_version": "deadbeef00"}}
    )
    assert version.status_code == 422 and fields(version) == ["overrides.dataset_version"]
    recalibrate_regression = submit(
        client,
        keys.train,
        {"spec": "house_prices", "overrides": {"retrain_mode": "recalibration"}},
    )
    assert recalibrate_regression.status_code == 422
    assert fields(recalibrate_regression) == ["overrides.retrain_mode"]
    traversal = submit(client, keys.train, {"spec": "../specs/churn"})
    assert traversal.status_code == 422 and fields(traversal) == ["spec"]
    not_json = client.post("/v1/training-jobs", content="spec=churn", headers=auth(keys.train))
    assert not_json.status_code == 415


def test_auth_scopes(client: TestClient, keys: Keys) -> None:
    assert client.get("/v1/training-jobs").status_code == 401
    assert client.get("/v1/training-jobs", headers=auth(keys.predict)).status_code == 403
    assert client.get("/v1/training-jobs", headers=auth(keys.admin)).status_code == 200


def test_list_filters_and_pages(client: TestClient, keys: Keys) -> None:
    ids = [submit(client, keys.train, {"spec": "churn"}).json()["id"] for _ in range(3)]
    page = client.get("/v1/training-jobs?limit=2&spec=churn", headers=auth(keys.train)).json()
    assert len(page["jobs"]) == 2 and page["next_cursor"]
    seen = [j["id"] for j in page["jobs"]]
    rest = client.get(
        f"/v1/training-jobs?limit=100&spec=churn&cursor={page['next_cursor']}",
        headers=auth(keys.train),
    ).json()
    seen += [j["id"] for j in rest["jobs"]]
    assert rest["next_cursor"] is None and len(seen) == len(set(seen))
    assert seen[:3] == ids[::-1]  # newest first
    offset = client.get("/v1/training-jobs?limit=1&offset=1", headers=auth(keys.train)).json()
    assert offset["jobs"][0]["id"] == seen[1]
    houses = client.get("/v1/training-jobs?spec=house_prices", headers=auth(keys.train)).json()
    assert {job["spec"] for job in houses["jobs"]} <= {"house_prices"}  # other tests add some
    assert not {job["id"] for job in houses["jobs"]} & set(ids)
    bad = client.get("/v1/training-jobs?cursor=garbage", headers=auth(keys.train))
    assert bad.status_code == 422 and fields(bad) == ["cursor"]
    huge = client.get(f"/v1/training-jobs?offset={2**63}", headers=auth(keys.train))
    assert huge.status_code == 422 and fields(huge) == ["query.offset"]  # it was a 500
    last = client.get(f"/v1/training-jobs?offset={2**63 - 1}", headers=auth(keys.train))
    assert last.status_code == 200 and last.json()["jobs"] == []
    bad_state = client.get("/v1/training-jobs?state=done", headers=auth(keys.train))
    assert bad_state.status_code == 422 and fields(bad_state) == ["query.state"]


def test_cancel_queued_job_then_409_and_events(client: TestClient, keys: Keys) -> None:
    job = submit(client, keys.train, {"spec": "churn"}).json()
    cancelled = client.post(f"/v1/training-jobs/{job['id']}/cancel", headers=auth(keys.train))
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["cancel_requested"]
    again = client.post(f"/v1/training-jobs/{job['id']}/cancel", headers=auth(keys.train))
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
    trials = client.get(f"/v1/training-jobs/{job['id']}/trials", headers=auth(keys.train))
    assert trials.json() == {"job_id": job["id"], "study_name": None, "trials": []}
    with client.stream(
        "GET", f"/v1/training-jobs/{job['id']}/events", headers=auth(keys.train)
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    assert [e[0] for e in events] == ["event: progress", "event: end"]
    assert json.loads(events[0][1].removeprefix("data: "))["state"] == "cancelled"
    audit = client.get("/v1/audit?action=training_job_cancel", headers=auth(keys.train)).json()[
        "entries"
    ]
    assert audit[0]["reason"].startswith(f"job {job['id']}")


def test_unknown_job_is_404(client: TestClient, keys: Keys) -> None:
    for path in ("", "/trials", "/events"):
        response = client.get(f"/v1/training-jobs/nope{path}", headers=auth(keys.train))
        assert response.status_code == 404 and response.json()["error"]["code"] == "job_not_found"
    cancel = client.post("/v1/training-jobs/nope/cancel", headers=auth(keys.train))
    assert cancel.status_code == 404


def test_get_job_returns_the_whole_record(client: TestClient, keys: Keys) -> None:
    """`GET /v1/training-jobs/{id}`: what was asked, by whom, and where it stands."""
    body = {"spec": "churn", "overrides": {"trials": 4, "families": ["lightgbm"]}}
    created = submit(client, keys.train, body, **{"Idempotency-Key": "get-body"}).json()
    got = client.get(f"/v1/training-jobs/{created['id']}", headers=auth(keys.train))
    assert got.status_code == 200
    job = got.json()
    assert job == created  # the same view the submit answered
    assert (job["spec"], job["state"], job["idempotency_key"]) == ("churn", "queued", "get-body")
    assert job["overrides"]["trials"] == 4 and job["overrides"]["families"] == ["lightgbm"]
    assert job["progress"]["trials_total"] == 4 and job["progress"]["trials_done"] == 0
    assert job["actor"].startswith("api-key:")
    assert (job["attempts"], job["cancel_requested"], job["parallelism"]) == (0, False, 1)
    for unset in ("started_at", "finished_at", "study_name", "registered_version", "error"):
        assert job[unset] is None, unset
    assert job["created_at"].endswith(("Z", "+00:00"))  # UTC


def test_a_job_may_name_only_files_under_the_data_roots(
    client: TestClient, keys: Keys, tmp_path: Any
) -> None:
    """A `train` key cannot make the worker read an arbitrary file: a path outside the data
    roots (absolute, `..`, existing or not) gets one and the same 422, before anything is
    looked up; inside them, a missing file is named."""
    secret = tmp_path / "secret.csv"
    secret.write_text("password,user\nhunter2,root\n")
    answers = []
    for named in (str(secret), "/etc/no-such-file.csv", "../../../../etc/passwd.csv"):
        response = submit(
            client, keys.train, {"spec": "churn", "overrides": {"dataset_path": named}}
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "path_not_allowed" and fields(response) == [
            "overrides.dataset_path"
        ]
        assert "hunter2" not in response.text and "secret" not in error["message"]
        answers.append(error["message"])
    assert len(set(answers)) == 1  # nothing tells an existing file from a missing one
    inside = submit(
        client, keys.train, {"spec": "churn", "overrides": {"dataset_path": "data/no-such.csv"}}
    )
    assert inside.status_code == 422 and "no file at" in inside.json()["error"]["message"]


def test_a_pipeline_run_may_name_only_files_under_the_data_roots(
    client: TestClient, keys: Keys
) -> None:
    response = client.post(
        "/v1/pipelines/churn/runs",
        json={"dataset_path": "/etc/passwd.csv"},
        headers=auth(keys.train),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "path_not_allowed"


def test_one_key_cannot_take_every_worker(
    client: TestClient, keys: Keys, monkeypatch: Any
) -> None:
    """Per-key quotas, checked at submission (admin keys exempt): jobs queued or running at
    once, and trials per 24 hours; a 429 says which limit and what to do."""
    from mlaas.auth import create_key
    from mlaas.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "training_max_active_jobs_per_key", 2)
    monkeypatch.setattr(settings, "training_max_trials_per_day_per_key", 10)
    greedy = create_key("greedy", ["train"])[0]
    small = {"spec": "churn", "overrides": {"trials": 3}}
    first = submit(client, greedy, small)
    second = submit(client, greedy, small)
    assert (first.status_code, second.status_code) == (201, 201)
    third = submit(client, greedy, small)
    assert third.status_code == 429, third.text
    error = third.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "2 training job(s) queued or running" in error["message"]
    assert "MLAAS_TRAINING_MAX_ACTIVE_JOBS_PER_KEY=2" in error["message"]
    other = create_key("patient", ["train"])[0]
    assert submit(client, other, small).status_code == 201  # other keys are not held up
    assert submit(client, keys.admin, small).status_code == 201  # operators are exempt

    cancel = client.post(f"/v1/training-jobs/{first.json()['id']}/cancel", headers=auth(greedy))
    assert cancel.status_code == 200
    # A slot is free again. Trials of cancelled jobs do not count: 3 so far, 8 more would
    # pass 10 a day, 7 would not.
    too_many = submit(client, greedy, {"spec": "churn", "overrides": {"trials": 8}})
    assert too_many.status_code == 429
    assert "submitted 3 trials in the last 24 h; 8 more" in too_many.json()["error"]["message"]
    assert submit(client, greedy, {"spec": "churn", "overrides": {"trials": 7}}).status_code == 201


def test_a_key_limited_to_a_model_sees_and_runs_only_that_model(
    client: TestClient, keys: Keys
) -> None:
    """Object-level authorization: a key made for house_prices cannot submit, see, follow or
    cancel churn's jobs (another model's job is "not found"), lists only its model's jobs,
    models and specs, and gets a 403 naming its models on every churn route."""
    from mlaas.auth import create_key

    houses_only = create_key("houses team", ["train"], models=["house_prices"])[0]
    theirs = submit(client, keys.admin, {"spec": "churn", "overrides": {"trials": 2}}).json()
    ours = submit(client, houses_only, {"spec": "house_prices", "overrides": {"trials": 2}})
    assert ours.status_code == 201, ours.text
    refused = submit(client, houses_only, {"spec": "churn"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "model_not_allowed"
    assert "limited to models ['house_prices']; not 'churn'" in refused.json()["error"]["message"]
    for path in ("", "/trials", "/events"):
        hidden = client.get(f"/v1/training-jobs/{theirs['id']}{path}", headers=auth(houses_only))
        assert hidden.status_code == 404, (path, hidden.text)
    cancel = client.post(f"/v1/training-jobs/{theirs['id']}/cancel", headers=auth(houses_only))
    assert cancel.status_code == 404
    listed = client.get("/v1/training-jobs?limit=200", headers=auth(houses_only)).json()["jobs"]
    assert listed and {job["spec"] for job in listed} == {"house_prices"}
    specs = client.get("/v1/specs", headers=auth(houses_only)).json()["specs"]
    assert [spec["name"] for spec in specs] == ["house_prices"]
    models = client.get("/v1/models", headers=auth(houses_only)).json()["models"]
    assert {model["name"] for model in models} <= {"house_prices"}
    for path in ("/v1/models/churn/versions", "/v1/pipelines/churn/runs"):
        answer = client.get(path, headers=auth(houses_only))
        assert answer.status_code == 403, (path, answer.text)
    assert client.get(f"/v1/training-jobs/{theirs['id']}", headers=auth(keys.admin)).is_success


def test_keys_api_creates_limited_expiring_keys_and_rotates_them(
    client: TestClient, keys: Keys
) -> None:
    body = {"name": "ci", "scopes": ["train"], "models": ["churn"], "expires_in_days": 30}
    created = client.post("/v1/keys", json=body, headers=auth(keys.admin))
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["models"] == ["churn"] and made["expires_at"] is not None
    rotated = client.post(f"/v1/keys/{made['prefix']}/rotate", headers=auth(keys.admin))
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["prefix"] != made["prefix"] and new["models"] == ["churn"]
    assert client.get("/v1/training-jobs", headers=auth(made["key"])).status_code == 401
    assert client.get("/v1/training-jobs", headers=auth(new["key"])).status_code == 200
    bad = client.post(
        "/v1/keys", json={**body, "models": ["Not A Model"]}, headers=auth(keys.admin)
    )
    assert bad.status_code == 422


def test_the_training_api_rate_limits_each_key(
    client: TestClient, keys: Keys, monkeypatch: Any
) -> None:
    """Training and monitoring have a per-key token bucket too (MLAAS_API_RATE_PER_S,
    MLAAS_API_BURST; prediction has its own): past the burst, 429 with Retry-After, other keys
    unaffected."""
    from mlaas.auth import create_key
    from mlaas.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "api_rate_per_s", 0.01)
    monkeypatch.setattr(settings, "api_burst", 3)
    busy = create_key("busy", ["train"])[0]
    answers = [client.get("/v1/training-jobs", headers=auth(busy)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert "rate limit of 0.01/s (burst 3)" in limited.json()["error"]["message"]
    calm = create_key("calm", ["train"])[0]
    assert client.get("/v1/training-jobs", headers=auth(calm)).status_code == 200
