"""API keys over HTTP (admin): list, create once-shown, revoke with immediate effect here."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.services.training.conftest import Keys, auth


def test_keys_are_created_listed_and_revoked_by_admin_only(client: TestClient, keys: Keys) -> None:
    body = {"name": "dashboard e2e", "scopes": ["predict", "monitor"]}
    refused = client.post("/v1/keys", json=body, headers=auth(keys.train))
    assert refused.status_code == 403 and "'admin'" in refused.json()["error"]["message"]

    created = client.post("/v1/keys", json=body, headers=auth(keys.admin))
    assert created.status_code == 201, created.text
    new = created.json()
    assert new["key"].startswith(f"mlaas_{new['prefix']}_")
    assert (new["scopes"], new["revoked_at"]) == (["monitor", "predict"], None)

    listed = client.get("/v1/keys", headers=auth(keys.admin)).json()["keys"]
    mine = next(k for k in listed if k["prefix"] == new["prefix"])
    assert "key" not in mine and mine["name"] == "dashboard e2e"  # never the secret again

    me = client.get("/v1/me", headers=auth(new["key"]))
    assert me.json()["scopes"] == ["monitor", "predict"]
    revoked = client.post(f"/v1/keys/{new['prefix']}/revoke", headers=auth(keys.admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    after = client.get("/v1/me", headers=auth(new["key"]))  # cached a moment ago: still refused
    assert after.status_code == 401 and after.json()["error"]["message"] == "API key revoked"

    again = client.post(f"/v1/keys/{new['prefix']}/revoke", headers=auth(keys.admin))
    assert again.status_code == 404 and again.json()["error"]["code"] == "api_key_not_found"
    bad_scope = client.post(
        "/v1/keys", json={"name": "x", "scopes": ["root"]}, headers=auth(keys.admin)
    )
    assert bad_scope.status_code == 422
    assert bad_scope.json()["error"]["fields"][0]["field"] == "scopes.0"
    no_scope = client.post("/v1/keys", json={"name": "x", "scopes": []}, headers=auth(keys.admin))
    assert no_scope.status_code == 422
    malformed = client.post("/v1/keys/XYZ/revoke", headers=auth(keys.admin))
    assert malformed.status_code == 422

    from mlaas.db import audit_rows

    actions = [r["action"] for r in audit_rows(None, limit=50)]
    assert {"create_api_key", "revoke_api_key"} <= set(actions)


def test_me_and_summary_answer_any_valid_key(client: TestClient, keys: Keys) -> None:
    for _ in range(3):
        client.get("/v1/models", headers=auth(keys.train))
    client.get("/v1/models", headers=auth(keys.predict))  # a 403 counts as a client error
    me = client.get("/v1/me", headers=auth(keys.predict)).json()
    assert (me["name"], me["scopes"]) == ("test-predict", ["predict"])
    summary = client.get("/v1/summary", headers=auth(keys.predict)).json()
    assert summary["service"] == "training" and summary["requests"] >= 4
    assert 0 < summary["client_error_rate"] < 1 and summary["p50_ms"] > 0
    assert client.get("/v1/summary").status_code == 401


def test_plots_of_a_version_are_served_as_png(client: TestClient, keys: Keys) -> None:
    versions = client.get("/v1/models/churn/versions", headers=auth(keys.train)).json()
    names = versions["versions"][0]["plots"]
    assert "roc_curve" in names
    png = client.get(f"/v1/models/churn/versions/1/plots/{names[0]}", headers=auth(keys.train))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    missing = client.get("/v1/models/churn/versions/1/plots/nope", headers=auth(keys.train))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "plot_not_found"
    no_version = client.get(
        "/v1/models/churn/versions/99/plots/roc_curve", headers=auth(keys.train)
    )
    assert no_version.status_code == 404


def test_specs_list_what_a_job_can_be_asked_for(client: TestClient, keys: Keys) -> None:
    from mlaas.settings import get_settings
    from mlaas.specs import load_specs

    body = client.get("/v1/specs", headers=auth(keys.train)).json()
    on_disk = sorted(load_specs(get_settings().specs_dir), key=lambda s: s.name)
    assert [s["name"] for s in body["specs"]] == [s.name for s in on_disk]
    first, spec = body["specs"][0], on_disk[0]
    assert first["families"] == sorted(spec.training.families)
    assert (first["task"], first["target"], first["trials"]) == (
        spec.task,
        spec.target,
        spec.training.trials,
    )
    assert client.get("/v1/specs", headers=auth(keys.predict)).status_code == 403
