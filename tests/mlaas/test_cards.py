"""Model cards of every shipped model: made at registration, every section with real content
(not a placeholder), the same card as Markdown and HTML, from the training service and the
CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.factories import home_env, small_spec

pytestmark = pytest.mark.slow

SHIPPED = ("churn", "house_prices", "storms")
SECTIONS = (
    "Intended use",
    "Data",
    "Metrics (holdout, 95% bootstrap interval)",
    "Per-slice metrics",
    "Fairness",
    "Gate decision",
    "Global importance",
    "Limitations",
)
PLACEHOLDERS = ("not recorded", "names no fairness slice", "Not gated yet", "no category feature")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from mlaas.pipeline import run_pipeline

    with home_env(tmp_path_factory.mktemp("cards") / "home") as folder:
        for name in SHIPPED:
            assert run_pipeline(small_spec(name)).version == "1"
        yield folder


def sections(card: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", card, flags=re.MULTILINE)
    return {
        title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)
    }


@pytest.mark.parametrize("model", SHIPPED)
def test_every_shipped_model_has_a_card_with_every_section_filled(home: Path, model: str) -> None:
    from mlaas.cards import read_card
    from mlaas.registry import list_versions

    card = read_card(model, "1")
    print(card)  # the closing note shows them
    found = sections(card)
    assert [title.split(" (")[0] for title in found] == [t.split(" (")[0] for t in SECTIONS]
    found = dict(zip(SECTIONS, found.values(), strict=True))
    for title, body in found.items():
        assert body, title
        assert not any(p in body for p in PLACEHOLDERS), (title, body)
    spec = small_spec(model)
    assert f"| owner | {spec.owner} |" in card and spec.target in found["Intended use"]
    version = list_versions(model)[0]
    assert version.lineage()["data_hash"] in found["Data"]
    assert "passed" in found["Data"]  # the validation result
    primary = spec.training.primary_metric
    row = next(line for line in found["Metrics (holdout, 95% bootstrap interval)"].splitlines()
               if line.startswith(f"| {primary} (primary)"))  # fmt: skip
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    value, (low, high) = float(cells[1]), (float(x) for x in cells[2].split(" – "))
    assert low <= value <= high and low < high  # a real interval around the holdout value
    assert version.metrics[f"holdout_{primary}"] == pytest.approx(value, rel=1e-3)
    assert "| rows |" in found["Per-slice metrics"] or "| rows" in found["Per-slice metrics"]
    assert spec.fairness.slices[0] in found["Fairness"]
    assert "Promoted: no champion yet" in found["Gate decision"]
    assert len(found["Global importance"].splitlines()) >= 3
    assert "holdout rows" in found["Limitations"] and "Trained on events from" in card


def test_the_card_is_served_as_markdown_and_html_and_printed_by_the_cli(home: Path) -> None:
    from fastapi.testclient import TestClient

    from mlaas.auth import create_key
    from mlaas.cli import cli
    from services.training.app import app

    key = create_key("cards", ["train"])[0]
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        markdown = client.get("/v1/models/churn/versions/1/card", headers=headers)
        assert markdown.status_code == 200
        assert markdown.headers["content-type"].startswith("text/markdown")
        html = client.get("/v1/models/churn/versions/1/card?format=html", headers=headers)
        assert html.headers["content-type"].startswith("text/html")
        assert "<h2>Fairness</h2>" in html.text and "<table>" in html.text
        assert client.get("/v1/models/churn/versions/9/card", headers=headers).status_code == 404
    printed = CliRunner().invoke(cli, ["registry", "card", "churn", "1"])
    assert printed.exit_code == 0 and printed.output == markdown.text
    listed = CliRunner().invoke(cli, ["registry", "versions", "churn"])
    assert "mlaas registry card churn <version>" in listed.output
