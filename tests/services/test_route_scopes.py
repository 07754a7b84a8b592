"""Function-level authorization (OWASP API5), route by route: every documented route of every
app is called with no key, with a key of each scope, and must answer 401 / 403 / pass exactly as
its declared scope says; the table in docs/security.md is the one the apps produce."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.common import route_scopes

ROOT = Path(__file__).resolve().parents[2]
SCOPES = ("predict", "train", "monitor", "admin")
BODY_METHODS = {"POST", "PUT", "PATCH"}


def _reaches(key_scope: str, route_scope: str) -> bool:
    return route_scope in ("none", "any key") or key_scope in (route_scope, "admin")


@pytest.mark.parametrize("service", ["prediction", "training", "monitoring"])
def test_every_route_answers_each_key_as_its_scope_says(mlaas_home: Path, service: str) -> None:
    from mlaas.auth import create_key

    keys = {scope: create_key(f"scope-{scope}", [scope])[0] for scope in SCOPES}
    app = importlib.import_module(f"services.{service}.app").app
    rows = route_scopes(app)
    assert rows and all(scope in (*SCOPES, "any key", "none") for _, _, scope in rows)
    with TestClient(app) as client:
        for method, path, scope in rows:
            url = re.sub(r"\{[^}]+\}", "churn", path)
            body = {"json": {}} if method in BODY_METHODS else {}
            bare = client.request(method, url, **body)
            if scope == "none":
                assert bare.status_code not in (401, 403), (method, path, bare.text)
                continue
            assert bare.status_code == 401, (method, path, bare.status_code)
            for key_scope, key in keys.items():
                answer = client.request(
                    method, url, headers={"Authorization": f"Bearer {key}"}, **body
                )
                if _reaches(key_scope, scope):
                    assert answer.status_code not in (401, 403), (method, path, key_scope)
                else:
                    assert answer.status_code == 403, (method, path, key_scope)
                    assert f"this call needs '{scope}'" in answer.text  # any protocol's shape


def test_the_scope_table_in_docs_security_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/route_scopes.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
