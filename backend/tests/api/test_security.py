"""Keys, roles, sessions, cross-site safety, host allow-list and rate limits, on the real app."""

from __future__ import annotations

import logging
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from app.api.auth import OPEN_ROUTES, PREDICT_ROUTES
from app.core.security import SESSION_COOKIE
from app.main import create_app
from driftwatch_core.db.models import Alert, SimulatorControl
from driftwatch_testing import TEST_ADMIN_KEY, TEST_PREDICT_KEY, add_open_alert, auth, until_ready

PAGE = "http://localhost:3000"  # in CORS_ORIGINS by default


def unsafe_routes(app) -> list[tuple[str, str, str]]:
    """(method, path, template) of every unsafe API route (from OpenAPI), path parameters filled with 1;
    the template a default-model alias (``/predict``) is ruled by is its twin's (``x-alias-of``)."""
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path), operation.get("x-alias-of", path))
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if method not in ("get", "head")
    )


@pytest.fixture
def anonymous(settings, demo_model):
    """A client that sends no credential (the conftest ``client`` sends the admin key)."""
    with TestClient(create_app(settings)) as c:
        yield until_ready(c)


@pytest.fixture
def make_app(settings, demo_model):
    """A client of an app built with some settings changed."""
    opened = []

    def _make(**changes) -> TestClient:
        c = TestClient(create_app(settings.model_copy(update=changes)))
        opened.append(c.__enter__())
        return until_ready(c)

    yield _make
    for c in opened:
        c.__exit__(None, None, None)


def alert_status(engine, alert_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Alert.status).where(Alert.id == alert_id)).scalar_one()


def sign_in(c: TestClient, key: str = TEST_ADMIN_KEY) -> None:
    response = c.post("/api/v1/auth/session", json={"key": key}, headers={"Origin": PAGE})
    assert response.status_code == 200, response.text
    assert SESSION_COOKIE in c.cookies


def test_without_a_key_every_unsafe_route_is_401_with_a_problem_body(anonymous):
    routes = unsafe_routes(anonymous.app)
    protected = [(m, p) for m, p, template in routes if template.removeprefix("/api/v1") not in OPEN_ROUTES]
    assert len(protected) >= 7, protected
    for method, path in protected:
        response = anonymous.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        body = response.json()
        assert body["status"] == 401 and body["title"] == "Unauthorized", body
        assert "X-API-Key" in body["detail"]
        assert response.headers["www-authenticate"].startswith("Bearer")
    # Reads stay open by default.
    assert anonymous.get("/api/v1/stats").status_code == 200
    assert anonymous.get("/api/v1/alerts").status_code == 200


def test_a_wrong_key_is_401_and_names_the_problem_not_the_key(anonymous, transaction, caplog):
    wrong = TEST_PREDICT_KEY[:-1] + "X"  # one character off
    with caplog.at_level(logging.DEBUG):
        for headers in ({"X-API-Key": wrong}, {"Authorization": f"Bearer {wrong}"}):
            response = anonymous.post("/api/v1/predict", json=transaction, headers=headers)
            assert response.status_code == 401
            assert response.json()["detail"] == "the API key is not valid"
        ok = anonymous.post(
            "/api/v1/predict", json=transaction, headers={"Authorization": f"Bearer {TEST_PREDICT_KEY}"}
        )
        assert ok.status_code == 200
    assert wrong not in caplog.text and TEST_PREDICT_KEY not in caplog.text


def test_a_predict_key_scores_and_labels_but_may_not_steer(anonymous, transaction, engine):
    key = auth(TEST_PREDICT_KEY)
    scored = anonymous.post("/api/v1/predict", json=transaction, headers=key)
    assert scored.status_code == 200
    assert anonymous.post("/api/v1/explain", json=transaction, headers=key).status_code == 200
    alert = add_open_alert(engine)
    for method, path, body in (
        ("PUT", "/api/v1/simulator", {"scenario": "sudden"}),
        ("POST", f"/api/v1/alerts/{alert}/acknowledge", None),
        ("POST", f"/api/v1/alerts/{alert}/resolve", None),
    ):
        response = anonymous.request(method, path, json=body, headers=key)
        assert response.status_code == 403, (path, response.text)
        assert "needs the admin role" in response.json()["detail"]
    assert alert_status(engine, alert) == "open"
    with engine.connect() as conn:
        assert conn.execute(select(SimulatorControl)).first() is None
    admin = anonymous.post(f"/api/v1/alerts/{alert}/acknowledge", headers=auth())
    assert admin.status_code == 200 and admin.json()["status"] == "acknowledged"


def test_every_unsafe_route_outside_the_predict_list_needs_admin(anonymous):
    for method, path, template in unsafe_routes(anonymous.app):
        short = template.removeprefix("/api/v1")
        if short in OPEN_ROUTES or short in PREDICT_ROUTES:
            continue
        response = anonymous.request(method, path, json={}, headers=auth(TEST_PREDICT_KEY))
        assert response.status_code == 403, (method, path)


def test_sign_in_sets_an_httponly_strict_cookie_that_acts_as_admin(anonymous, engine):
    assert anonymous.get("/api/v1/auth/session").json()["authenticated"] is False
    response = anonymous.post("/api/v1/auth/session", json={"key": TEST_ADMIN_KEY}, headers={"Origin": PAGE})
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated"] and body["role"] == "admin" and body["method"] == "session"
    assert TEST_ADMIN_KEY not in response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TEST_ADMIN_KEY not in cookie
    assert anonymous.get("/api/v1/auth/session").json()["role"] == "admin"

    alert = add_open_alert(engine)
    acted = anonymous.post(
        f"/api/v1/alerts/{alert}/resolve", headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
    )
    assert acted.status_code == 200 and alert_status(engine, alert) == "resolved"

    assert anonymous.delete("/api/v1/auth/session").status_code == 204
    assert anonymous.get("/api/v1/auth/session").json()["authenticated"] is False


def test_a_wrong_key_does_not_sign_in(anonymous):
    response = anonymous.post("/api/v1/auth/session", json={"key": "x" * 40})
    assert response.status_code == 401 and SESSION_COOKIE not in anonymous.cookies
    assert "ADMIN_API_KEYS" in response.json()["detail"]


def test_a_cross_site_form_post_cannot_resolve_an_alert(anonymous, engine):
    sign_in(anonymous)
    alert = add_open_alert(engine)
    forged = [
        # The classic: a hidden form on another site, posting urlencoded data.
        {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        # The same without a body, and with a JSON content type but a foreign origin.
        {"Origin": "http://evil.example"},
        {"Origin": "http://evil.example", "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        # A same-origin page that forgot the JSON content type (what a form would send).
        {"Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"},
    ]
    for headers in forged:
        response = anonymous.post(f"/api/v1/alerts/{alert}/resolve", content=b"a=1", headers=headers)
        assert response.status_code in (403, 415), (headers, response.status_code, response.text)
    assert alert_status(engine, alert) == "open"
    # A foreign page cannot sign in either (login CSRF).
    foreign = anonymous.post(
        "/api/v1/auth/session", json={"key": TEST_ADMIN_KEY}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403


def test_a_session_ends_when_its_key_is_removed(make_app, settings):
    first = make_app(session_secret="s" * 32)
    sign_in(first)
    token = first.cookies[SESSION_COOKIE]
    rotated = make_app(session_secret="s" * 32, admin_api_keys="a-brand-new-admin-key-0001")
    rotated.cookies.set(SESSION_COOKIE, token)
    assert rotated.get("/api/v1/auth/session").json()["authenticated"] is False
    refused = rotated.put("/api/v1/simulator", json={"scenario": "none"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    kept = make_app(session_secret="s" * 32)
    kept.cookies.set(SESSION_COOKIE, token)
    assert kept.get("/api/v1/auth/session").json()["role"] == "admin"


def test_an_expired_session_is_refused(make_app, monkeypatch):
    c = make_app(session_ttl_minutes=1)
    sign_in(c)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)  # itsdangerous reads time.time
    assert c.get("/api/v1/auth/session").json()["authenticated"] is False


def test_reads_can_require_a_credential(make_app):
    c = make_app(require_auth_for_reads=True)
    refused = c.get("/api/v1/stats")
    assert refused.status_code == 401
    assert c.get("/api/v1/stats", headers=auth(TEST_PREDICT_KEY)).status_code == 200
    for open_path in ("/api/v1/health", "/api/v1/ready", "/health", "/api/v1/auth/session"):
        assert c.get(open_path).status_code == 200, open_path
    assert c.get("/metrics").status_code == 401
    assert c.get("/api/v1/auth/session").json()["reads_require_auth"] is True
    with pytest.raises(WebSocketDisconnect) as refused_ws, c.websocket_connect("/ws/live"):
        pass
    assert refused_ws.value.code == 1008
    with c.websocket_connect("/ws/live", headers=auth(TEST_PREDICT_KEY)) as ws:
        assert ws.receive_json()["type"] == "stats"


def test_a_foreign_origin_cannot_open_the_live_channel(anonymous):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        anonymous.websocket_connect("/ws/live", headers={"Origin": "http://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008
    with anonymous.websocket_connect("/ws/live", headers={"Origin": PAGE}) as ws:
        assert ws.receive_json()["type"] == "stats"


def test_only_allowed_hosts_are_answered(anonymous):
    assert anonymous.get("/api/v1/health", headers={"Host": "evil.example"}).status_code == 400
    assert anonymous.get("/api/v1/health", headers={"Host": "localhost:8000"}).status_code == 200


def test_cors_lets_the_dashboard_origin_in_and_no_other(anonymous):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = anonymous.options("/api/v1/predict", headers={"Origin": PAGE, **preflight})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PAGE
    assert ok.headers["access-control-allow-credentials"] == "true"
    evil = anonymous.options("/api/v1/predict", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in evil.headers


def test_rate_limits_answer_429_with_retry_after_per_key_and_per_address(make_app, transaction):
    c = make_app(rate_limit_per_key="3/minute", rate_limit_per_address="2/minute")
    key = auth(TEST_PREDICT_KEY)
    assert [c.post("/api/v1/predict", json=transaction, headers=key).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    limited = c.post("/api/v1/predict", json=transaction, headers=key)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["status"] == 429 and "RATE" not in limited.json()["detail"]
    # Another key has its own budget; callers without one share their address's.
    assert c.get("/api/v1/stats", headers=auth()).status_code == 200
    assert [c.get("/api/v1/stats").status_code for _ in range(3)] == [200, 200, 429]
    # Made-up keys are counted against the address, not given a fresh budget each.
    assert c.get("/api/v1/stats", headers=auth("made-up-key-number-one")).status_code == 429


def test_sign_in_attempts_are_limited_per_address(make_app):
    c = make_app(rate_limit_sign_in="3/minute")
    codes = [c.post("/api/v1/auth/session", json={"key": "y" * 30}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert c.post("/api/v1/auth/session", json={"key": TEST_ADMIN_KEY}).status_code == 429


def test_request_ids_are_kept_when_sane_and_generated_otherwise(anonymous):
    kept = anonymous.get("/api/v1/health", headers={"X-Request-ID": "trace-42.a:b_c"})
    assert kept.headers["x-request-id"] == "trace-42.a:b_c"
    generated = {anonymous.get("/api/v1/health").headers["x-request-id"] for _ in range(3)}
    assert len(generated) == 3 and all(len(g) == 16 for g in generated)
    for insane in ("has space", "x" * 200, "<script>"):
        replaced = anonymous.get("/api/v1/health", headers={"X-Request-ID": insane}).headers["x-request-id"]
        assert replaced != insane and len(replaced) == 16
    assert anonymous.post("/api/v1/predict", json={}).headers["x-request-id"]  # errors too


def test_short_keys_and_bad_limits_fail_at_start(settings):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="16 to 512") as short:
        settings.model_validate({**settings.model_dump(), "admin_api_keys": "short-key"})
    assert "short-key" not in str(short.value)  # secrets stay out of error messages
    with pytest.raises(ValueError, match="RATE_LIMIT_PER_KEY"):
        create_app(settings.model_copy(update={"rate_limit_per_key": "lots"}))


@pytest.mark.slow
def test_json_logs_carry_the_request_id(database_url, demo_model, tmp_path):
    import json

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    from driftwatch_testing import run_backend

    log_path = tmp_path / "backend.log"
    with run_backend(database_url, log_path, LOG_FORMAT="json") as base:
        with pytest.raises(InvalidStatus) as refused:
            connect(
                base.replace("http", "ws", 1) + "/ws/live",
                origin="http://evil.example",
                additional_headers={"X-Request-ID": "trace-77"},
                open_timeout=10,
            )
        assert refused.value.response.status_code == 403
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert lines and all({"asctime", "level", "logger", "request_id", "message"} <= set(r) for r in lines)
    (refusal,) = [r for r in lines if "live connection refused" in r["message"]]
    assert refusal["request_id"] == "trace-77" and "evil.example" in refusal["message"]
    assert any(r["logger"].startswith("uvicorn") for r in lines)  # uvicorn's lines go the same way
