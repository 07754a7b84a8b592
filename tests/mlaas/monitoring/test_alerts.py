"""Alert rules: validation, fire once until resolved, history; webhooks with retry and dedup."""

from __future__ import annotations

from typing import Any

import pytest

from mlaas.monitoring import alerts, webhooks
from mlaas.monitoring.alerts import RuleError, create_rule, evaluate_rules
from mlaas.monitoring.context import served_version
from mlaas.monitoring.values import Values
from tests.mlaas.monitoring.receiver import webhook_receiver


def churn_spec() -> Any:
    return served_version("churn").spec


def rule(name: str = "drift", metric: str = "drifted_share", **options: Any) -> alerts.AlertRule:
    params: dict[str, Any] = {"comparator": ">=", "threshold": 0.3, "window_minutes": 60}
    return create_rule(churn_spec(), name=name, metric=metric, **(params | options))


def values(**named: float | None) -> Any:
    def values_for(_minutes: int) -> Values:
        return dict(named)

    return values_for


def test_rules_are_validated_and_listed(service: Any) -> None:
    created = rule(severity="critical")
    rule("age", "feature:age:statistic", comparator=">", threshold=0.2)
    rule("auc", "roc_auc:challenger", comparator="<", threshold=0.7)
    assert [r.name for r in alerts.list_rules("churn")] == ["age", "auc", "drift"]
    assert created.state == "ok" and created.severity == "critical"
    with pytest.raises(RuleError) as caught:
        rule("x", "feature:salary:statistic")
    assert caught.value.field == "metric" and "unknown feature 'salary'" in caught.value.message
    with pytest.raises(RuleError, match="unknown metric 'rmse'"):
        rule("x", "rmse")  # a regression metric on a classifier
    with pytest.raises(RuleError) as caught:
        rule()  # the name is taken
    assert caught.value.field == "name"
    assert alerts.delete_rule("churn", created.id) is True
    assert alerts.delete_rule("churn", created.id) is False


def test_a_rule_fires_once_until_it_resolves(service: Any) -> None:
    watched = rule()
    fired = evaluate_rules("churn", values(drifted_share=0.5))
    assert [(e.state, e.value) for e in fired] == [("firing", 0.5)]
    assert "drifted_share = 0.5 >= 0.3" in fired[0].message
    assert evaluate_rules("churn", values(drifted_share=0.9)) == []  # still firing: no event
    assert evaluate_rules("churn", values(drifted_share=None)) == []  # no data: no change
    resolved = evaluate_rules("churn", values(drifted_share=0.1))
    assert [e.state for e in resolved] == ["resolved"]
    assert evaluate_rules("churn", values(drifted_share=0.4))[0].state == "firing"
    history = alerts.alert_history(model="churn")
    assert [e.state for e in history] == ["firing", "resolved", "firing"]
    assert [e.state for e in alerts.alert_history(model="churn", state="resolved")] == ["resolved"]
    assert [r.id for r in alerts.firing_rules("churn")] == [watched.id]


def test_each_window_is_computed_once(service: Any) -> None:
    rule("short", window_minutes=30)
    rule("long", window_minutes=600)
    rule("long2", "rows", comparator="<", threshold=10, window_minutes=600)
    asked: list[int] = []

    def values_for(minutes: int) -> Values:
        asked.append(minutes)
        return {"drifted_share": 0.5 if minutes == 30 else 0.0, "rows": 5.0}

    events = evaluate_rules("churn", values_for)
    assert sorted(asked) == [30, 600]
    assert sorted(e.rule_name for e in events) == ["long2", "short"]


def test_a_receiver_down_then_back_gets_each_event_exactly_once(service: Any) -> None:
    """The outbox: the monitoring run tries once; the deliverer retries due rows with
    exponential back-off (60 s, 120 s, 240 s, ...) until the receiver is back; exactly one
    delivery per event and webhook, the same idempotency key on every attempt."""
    from datetime import timedelta

    rule(severity="critical")
    start = webhooks.utcnow()
    with webhook_receiver(statuses=[503, 500, 502]) as flaky, webhook_receiver() as steady:
        webhooks.add_webhook(flaky.url, model="churn")
        webhooks.add_webhook(steady.url)  # global
        webhooks.add_webhook(steady.url, model="house_prices")  # another model's: not called
        [event] = evaluate_rules("churn", values(drifted_share=0.5))
        context = {"churn": {"model_version": "1", "drifted_features": [{"feature": "age"}]}}
        results = webhooks.notify([event], context=context, now=start)
        assert [(r.state, r.attempts) for r in results] == [("pending", 1), ("delivered", 1)]
        assert webhooks.deliver_pending(now=start + timedelta(seconds=59)) == []  # not due
        due = [start + timedelta(seconds=s) for s in (60, 60 + 120, 60 + 120 + 240)]
        states = [[d.state for d in webhooks.deliver_pending(now=at)] for at in due]
        assert states == [["pending"], ["pending"], ["delivered"]]
        assert webhooks.deliver_pending(now=start + timedelta(days=1)) == []
        assert [h["Idempotency-Key"] for h, _ in flaky.received] == [event.id] * 4
        assert len(steady.received) == 1
        body = flaky.bodies()[-1]
        assert body == flaky.bodies()[0]  # the same body on every attempt
        assert body["idempotency_key"] == event.id and body["state"] == "firing"
        assert body["type"] == "mlaas.alert" and body["metric"] == "drifted_share"
        assert body["model_version"] == "1" and body["drifted_features"] == [{"feature": "age"}]
        attempts = webhooks.deliveries(event.id)
        assert [(a["attempt"], a["status_code"], a["delivered"]) for a in attempts] == [
            (1, 503, False),
            (1, 200, True),
            (2, 500, False),
            (3, 502, False),
            (4, 200, True),
        ]
        again = webhooks.notify([event], context=context)  # e.g. a re-run DAG task
        assert all(r.skipped and r.delivered for r in again)
        assert (len(flaky.received), len(steady.received)) == (4, 1)
    rows = webhooks.outbox(model="churn")
    assert [(row.state, row.attempts) for row in rows] == [("delivered", 1), ("delivered", 4)]


def test_a_receiver_down_past_expiry_leaves_the_event_expired_and_4xx_is_final(
    service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from mlaas.settings import get_settings

    rule()
    monkeypatch.setattr(get_settings(), "webhook_expiry_hours", 0.1)  # 6 minutes
    start = webhooks.utcnow()
    with webhook_receiver(statuses=[500] * 10) as down, webhook_receiver([404]) as gone:
        webhooks.add_webhook(down.url, model="churn")
        webhooks.add_webhook(gone.url, model="churn")
        [event] = evaluate_rules("churn", values(drifted_share=0.5))
        failed, refused = webhooks.notify([event], now=start)
        assert (failed.state, failed.attempts, failed.status_code) == ("pending", 1, 500)
        assert (refused.state, refused.attempts, refused.status_code) == ("refused", 1, 404)
        later = [start + timedelta(seconds=s) for s in (60, 180)]
        assert [[d.state for d in webhooks.deliver_pending(now=at)] for at in later] == [
            ["pending"],
            ["expired"],  # the next attempt (at 420 s) would be past the 360 s expiry
        ]
        assert webhooks.deliver_pending(now=start + timedelta(hours=1)) == []
        assert (len(down.received), len(gone.received)) == (3, 1)
    outbox = {row.webhook_id: row for row in webhooks.outbox(model="churn")}
    assert sorted(row.state for row in outbox.values()) == ["expired", "refused"]
    expired = next(row for row in outbox.values() if row.state == "expired")
    assert expired.attempts == 3 and expired.last_status == 500


def test_webhooks_filter_by_severity_and_refuse_bad_urls(service: Any) -> None:
    rule(severity="warning")
    with webhook_receiver() as pager:
        webhooks.add_webhook(pager.url, min_severity="critical")
        [event] = evaluate_rules("churn", values(drifted_share=0.5))
        assert webhooks.notify([event]) == [] and pager.received == []
    with pytest.raises(webhooks.WebhookError) as caught:
        webhooks.add_webhook("ftp://example.com/hook")
    assert caught.value.field == "url"
    hook = webhooks.add_webhook("https://example.com/hook", model="churn")
    assert [h.id for h in webhooks.list_webhooks("churn", include_global=False)] == [hook.id]
    assert webhooks.delete_webhook(hook.id) and not webhooks.delete_webhook(hook.id)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://169.254.169.254/latest/meta-data", "link-local address"),
        ("http://0.0.0.0:8002/hook", "unspecified address"),
        ("http://[::]/hook", "unspecified address"),
        ("http://[fe80::1]/hook", "link-local address"),
        ("http://224.0.0.1/hook", "multicast address"),
        ("http://2130706433/hook", "integer form"),
        ("http://0x7f000001/hook", "integer form"),
    ],
)
def test_webhooks_refuse_hosts_no_receiver_has(service: Any, url: str, problem: str) -> None:
    """Refused at registration, before anything is sent: nothing leaves the machine."""
    with pytest.raises(webhooks.WebhookError, match=problem) as caught:
        webhooks.add_webhook(url, model="churn")
    assert caught.value.field == "url"
    assert webhooks.list_webhooks("churn") == []


def test_a_webhook_password_is_never_shown_back(service: Any) -> None:
    hook = webhooks.add_webhook("https://alerts:s3cret@example.com/hook?team=ml", model="churn")
    assert hook.url == "https://alerts:s3cret@example.com/hook?team=ml"  # deliveries use it
    shown = hook.model_dump(mode="json")["url"]
    assert shown == "https://alerts:***@example.com/hook?team=ml"
    listed = webhooks.list_webhooks("churn")[0].model_dump_json()
    assert "s3cret" not in listed and "alerts:***@example.com" in listed
    assert webhooks.masked_url("https://example.com/hook") == "https://example.com/hook"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.2:8001/v1/training-jobs", "loopback address"),
        ("http://[::1]:8002/hook", "loopback address"),
        ("http://[::ffff:10.0.0.5]/hook", "private address"),  # IPv4-mapped
        ("http://10.0.0.1/hook", "private address"),
        ("http://192.168.1.20/hook", "private address"),
        ("http://100.64.0.1/hook", "non-public address"),  # carrier-grade NAT
        ("http://internal.example/hook", "resolves to 10.1.2.3, a private address"),
        ("http://[::ffff:169.254.169.254]/x", "link-local address"),
    ],
)
def test_webhooks_refuse_private_and_loopback_receivers_unless_allowed(
    service: Any, url: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names are resolved at registration; loopback and private receivers need the operator's
    MLAAS_WEBHOOK_ALLOWED_HOSTS (the tests allow 127.0.0.1 only), which never opens the
    metadata service."""
    from tests.conftest import FAKE_DNS

    monkeypatch.setitem(FAKE_DNS, "internal.example", ["10.1.2.3"])
    with pytest.raises(webhooks.WebhookError, match=problem):
        webhooks.add_webhook(url, model="churn")
    assert webhooks.list_webhooks("churn") == []
    from mlaas.settings import get_settings

    allowed = "127.0.0.0/8, 10.0.0.0/8, [::1], 100.64.0.1"
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", allowed)
    if "169.254" in url:
        with pytest.raises(webhooks.WebhookError, match="link-local"):
            webhooks.add_webhook(url, model="churn")
    elif "192.168" not in url:
        assert webhooks.add_webhook(url, model="churn").url == url


def test_every_delivery_resolves_again_and_connects_to_the_checked_address(
    service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a name that resolved to a public address at registration and to a
    loopback one at delivery gets nothing sent (refused, final, visible in the outbox). A name
    that resolves to an allowed address gets the request at that very address, with the name
    as its Host header."""
    from tests.conftest import FAKE_DNS

    rule(severity="critical")
    with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        monkeypatch.setitem(FAKE_DNS, "hooks.example.com", ["93.184.215.14"])
        monkeypatch.setitem(FAKE_DNS, "good.example.com", ["127.0.0.1"])  # the tests allow it
        rebound = webhooks.add_webhook(f"http://hooks.example.com:{port}/hook", model="churn")
        good = webhooks.add_webhook(f"http://good.example.com:{port}/hook", model="churn")
        monkeypatch.setitem(FAKE_DNS, "hooks.example.com", ["127.0.0.9"])  # rebound
        [event] = evaluate_rules("churn", values(drifted_share=0.5))
        results = {r.webhook_id: r for r in webhooks.notify([event])}
        assert results[rebound.id].state == "refused" and not results[rebound.id].delivered
        assert results[good.id].state == "delivered"
        [(headers, body)] = receiver.received  # only the good one reached it
        assert headers["Host"] == f"good.example.com:{port}" and body["state"] == "firing"
        refused = webhooks.outbox(model="churn", state="refused")
        assert [row.webhook_id for row in refused] == [rebound.id]
        assert str(refused[0].last_error).startswith(
            "destination refused: host hooks.example.com resolves to 127.0.0.9, a loopback"
        )
        assert webhooks.deliver_pending(now=webhooks.utcnow() + webhooks.timedelta(days=1)) == []
