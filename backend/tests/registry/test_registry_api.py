"""Registering your own model through the API, then scoring it: real models, real data.

The data is scikit-learn's bundled breast-cancer set (569 tumours, 30 numeric
measurements), which nobody here wrote. Models are trained in the test and
exported the way their users would: scikit-learn through skl2onnx, XGBoost to
its own JSON. Every refusal leaves the registry exactly as it was.
"""

from __future__ import annotations

import io
import json
import pickle

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import ModelVersion, Prediction, RegisteredModel
from driftwatch_core.features import SCORE_NAME
from driftwatch_testing import TEST_PREDICT_KEY, auth

PAGE = "http://localhost:3000"  # in CORS_ORIGINS by default
#: What every model's predict answers, and its batch (the default model's unscoped routes too).
SCORED_ROW = {"prediction_id", "score", "decision", "threshold", "model", "model_version", "stage", "latency_ms"}
SCORED_BATCH = {"model", "model_version", "stage", "threshold", "count", "latency_ms", "predictions"}


@pytest.fixture(scope="module")
def cancer():
    frame = load_breast_cancer(as_frame=True).frame
    half = frame.sample(frac=0.5, random_state=0)
    return half, frame.drop(half.index)  # reference (with "target"), live


@pytest.fixture(scope="module")
def onnx_model(cancer):
    reference, _live = cancer
    X = reference.drop(columns="target").to_numpy(np.float32)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, reference["target"])
    return model, to_onnx(model, X[:1], options={"zipmap": False}).SerializeToString()


def csv_bytes(frame) -> bytes:
    return frame.to_csv(index=False).encode()


def register(client, name: str, artifact: bytes, reference: bytes, **form):
    files = {"artifact": ("model.bin", artifact), "reference": ("reference.csv", reference)}
    if "schema" in form:
        files["schema"] = ("schema.json", json.dumps(form.pop("schema")).encode())
    return client.post("/api/v1/models", data={"name": name, **form}, files=files)


def registry_rows(engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(RegisteredModel)),
            session.scalar(select(func.count()).select_from(ModelVersion)),
        )


def test_a_scikit_learn_model_registers_via_onnx_and_scores_like_scikit_learn(client, clean_db, cancer, onnx_model):
    reference, live = cancer
    model, raw = onnx_model
    before = registry_rows(clean_db)

    review = register(client, "cancer", raw, csv_bytes(reference), label="target", dry_run="true")
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["saved"] is False and body["schema_inferred"] is True and body["reference_rows"] == len(reference)
    features = body["version"]["features"]
    assert [f["name"] for f in features] == list(reference.columns.drop("target"))
    assert {f["kind"] for f in features} == {"numeric"} and body["version"]["format"] == "onnx"
    assert registry_rows(clean_db) == before  # a dry run stores nothing

    saved = register(client, "cancer", raw, csv_bytes(reference), label="target", threshold="0.5")
    assert saved.status_code == 201, saved.text
    version = saved.json()["version"]
    assert saved.json()["saved"] is True and version["metrics"]["roc_auc"] > 0.95
    listed = {m["name"]: m for m in client.get("/api/v1/models").json()}
    assert list(listed) == ["fraud", "cancer"] and listed["cancer"]["latest"]["version"] == version["version"]

    rows = live.drop(columns="target").head(50)
    expected = model.predict_proba(rows.to_numpy(np.float32))[:, 1]
    one = client.post("/api/v1/models/cancer/predict", json=rows.iloc[0].to_dict(), headers=auth(TEST_PREDICT_KEY))
    assert one.status_code == 200, one.text
    answer = one.json()
    assert answer.keys() == SCORED_ROW and answer["score"] == pytest.approx(expected[0], abs=1e-5)
    assert answer["model"] == "cancer" and answer["model_version"] == version["version"]
    assert one.headers["X-Model-Version"] == version["version"]
    assert answer["threshold"] == 0.5 and answer["decision"] == (answer["score"] >= 0.5)
    assert answer["stage"] == "champion"
    batch = client.post("/api/v1/models/cancer/predict/batch", json={"rows": rows.to_dict("records")})
    assert batch.status_code == 200, batch.text
    scored = batch.json()
    assert scored.keys() == SCORED_BATCH and scored["count"] == 50 and scored["model"] == "cancer"
    assert all(p.keys() == SCORED_ROW for p in scored["predictions"])
    scores = [p["score"] for p in scored["predictions"]]
    assert np.allclose(scores, expected, atol=1e-5)
    assert [p["decision"] for p in scored["predictions"]] == [bool(p >= 0.5) for p in scores]

    assert client.app.state.driftwatch.writer.wait_written(30)  # stored: the writer says so, no polling
    assert _stored(clean_db, "cancer") == 51


def _stored(engine, name: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Prediction).where(Prediction.model_name == name))


def test_a_row_is_validated_against_the_stored_schema(client, cancer, onnx_model):
    reference, live = cancer
    assert register(client, "cancer", onnx_model[1], csv_bytes(reference), label="target").status_code == 201
    row = live.drop(columns="target").iloc[0].to_dict()
    bad = {**row, "mean radius": "large", "unexpected": 1}
    del bad["worst area"]
    answer = client.post("/api/v1/models/cancer/predict", json=bad)
    assert answer.status_code == 422
    fields = {e["field"]: e["type"] for e in answer.json()["errors"]}
    assert fields == {"mean radius": "float_type", "worst area": "missing", "unexpected": "extra_forbidden"}
    batch = client.post("/api/v1/models/cancer/predict/batch", json={"rows": [row, {**row, "mean texture": None}]})
    assert batch.status_code == 422 and batch.json()["errors"][0]["field"] == "rows.1.mean texture"
    assert client.post("/api/v1/models/nope/predict", json=row).status_code == 404


def test_an_xgboost_json_model_scores_like_xgboost_in_process(client, clean_db):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 6)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 3] + rng.normal(scale=0.5, size=3000) > 0).astype(int)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3}, xgb.DMatrix(X, label=y), 40)
    columns = [f"x{i}" for i in range(6)]
    frame = pd.DataFrame(X[:2000], columns=columns).assign(y=y[:2000])
    answer = register(client, "xgb-demo", bytes(booster.save_raw("json")), csv_bytes(frame), label="y")
    assert answer.status_code == 201, answer.text
    live = pd.DataFrame(X[2000:], columns=columns)
    scored = client.post("/api/v1/models/xgb-demo/predict/batch", json={"rows": live.to_dict("records")})
    assert scored.status_code == 200, scored.text
    got = np.array([p["score"] for p in scored.json()["predictions"]])
    assert len(got) == 1000
    assert np.allclose(got, booster.inplace_predict(X[2000:]), atol=1e-6)


@pytest.mark.parametrize(
    "case",
    ["corrupt file", "pickle named .onnx", "schema and model disagree", "text where a number goes", "bad name"],
)
def test_bad_registrations_are_422s_that_name_the_problem_and_store_nothing(client, clean_db, cancer, onnx_model, case):
    reference, _live = cancer
    model, raw = onnx_model
    before = registry_rows(clean_db)
    table, name, field = csv_bytes(reference), "cancer", "artifact"
    if case == "corrupt file":
        raw = raw[: len(raw) // 2]
    elif case == "pickle named .onnx":
        raw = pickle.dumps(model)
    elif case == "schema and model disagree":
        table, field = csv_bytes(reference.drop(columns="mean radius")), "artifact"
    elif case == "text where a number goes":
        broken = reference.astype({"mean area": object})
        broken.loc[broken.index[:7], "mean area"] = "large"
        table, field = csv_bytes(broken), "mean area"
    else:
        name, field = "Not A Name", "name"
    schema = None
    if case == "text where a number goes":  # a given schema says the column is numeric
        schema = [{"name": c, "kind": "numeric"} for c in reference.columns.drop("target")]
    form = {"label": "target", **({"schema": schema} if schema else {})}
    answer = register(client, name, raw, table, **form)
    assert answer.status_code == 422, answer.text
    problems = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert field in problems, problems
    if case == "pickle named .onnx":
        assert "pickle" in problems["artifact"]
    if case == "text where a number goes":
        assert "7" in problems["mean area"] and "large" in problems["mean area"]
    if case == "schema and model disagree":
        assert "30" in problems["artifact"] and "29" in problems["artifact"]
    assert registry_rows(clean_db) == before


def test_a_gigabyte_upload_is_refused_before_it_is_read(client, clean_db):
    before = registry_rows(clean_db)
    body = io.BytesIO(b"x" * 1024)
    answer = client.post(
        "/api/v1/models",
        content=body.read(),
        headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(1024**3)},
    )
    assert answer.status_code == 413 and "MAX_UPLOAD_BYTES" in answer.json()["detail"]
    assert registry_rows(clean_db) == before


def test_registering_needs_the_admin_role(client, cancer, onnx_model):
    reference, _ = cancer
    files = {"artifact": ("m.onnx", onnx_model[1]), "reference": ("r.csv", csv_bytes(reference))}
    answer = client.post("/api/v1/models", data={"name": "cancer"}, files=files, headers=auth(TEST_PREDICT_KEY))
    assert answer.status_code == 403


def test_the_demo_model_is_a_registered_model_like_any_other(client, clean_db, cancer, onnx_model, transaction):
    """The default model (``fraud``, the demo's) is in the registry with its artifact, reference and
    reference rows; its unscoped routes answer exactly what its scoped ones do."""
    reference, _live = cancer
    assert register(client, "cancer", onnx_model[1], csv_bytes(reference), label="target").status_code == 201
    listed = {m["name"]: m for m in client.get("/api/v1/models").json()}
    assert {name: m["is_default"] for name, m in listed.items()} == {"fraud": True, "cancer": False}
    fraud = listed["fraud"]
    assert fraud["latest"]["format"] == "xgboost-json" and len(fraud["latest"]["features"]) == 13
    assert fraud["latest"]["source"]["trainer"] == "app.demo"
    with Session(clean_db) as session:
        row = session.get(ModelVersion, fraud["latest"]["version"])
        assert row.artifact and row.reference["score_name"] == SCORE_NAME and row.reference_table
    scoped = client.post("/api/v1/models/fraud/predict", json=transaction)
    unscoped = client.post("/api/v1/predict", json=transaction)
    assert scoped.status_code == unscoped.status_code == 200, scoped.text
    assert scoped.json().keys() == unscoped.json().keys() == SCORED_ROW
    assert scoped.json()["score"] == unscoped.json()["score"]
    assert scoped.json()["model_version"] == unscoped.json()["model_version"] == fraud["latest"]["version"]
    assert unscoped.json()["model"] == "fraud"
    batch = client.post("/api/v1/predict/batch", json={"rows": [transaction, transaction]})
    assert batch.status_code == 200 and batch.json().keys() == SCORED_BATCH and batch.json()["model"] == "fraud"


def test_explain_label_and_describe_a_registered_model(client, clean_db, cancer, onnx_model, transaction):
    reference, live = cancer
    assert register(client, "cancer", onnx_model[1], csv_bytes(reference), label="target").status_code == 201
    rows = live.drop(columns="target").head(3)
    described = client.get("/api/v1/models/cancer/model").json()
    assert described["format"] == "onnx" and [f["name"] for f in described["features"]] == list(rows.columns)

    refused = client.post("/api/v1/models/cancer/explain", json=rows.iloc[0].to_dict())
    assert refused.status_code == 422 and "onnx" in refused.json()["errors"][0]["message"]

    scored = client.post("/api/v1/models/cancer/predict/batch", json={"rows": rows.to_dict("records")}).json()
    ids = [p["prediction_id"] for p in scored["predictions"]]
    fraud_id = client.post("/api/v1/predict", json=transaction).json()["prediction_id"]
    labels = {"items": [{"prediction_id": i, "label": 1} for i in ids]}
    assert client.post("/api/v1/models/cancer/feedback", json=labels).json() == {"stored": 3, "unchanged": 0}
    other = client.post("/api/v1/models/cancer/feedback", json={"prediction_id": fraud_id, "label": 0})
    assert other.status_code == 404 and other.json()["prediction_ids"] == [fraud_id]


def test_an_xgboost_model_explains_each_row_with_treeshap(client):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1500, 4)).astype(np.float32)
    y = (X[:, 1] - X[:, 2] > 0).astype(int)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3}, xgb.DMatrix(X, label=y), 30)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(y=y)
    assert register(client, "tree", bytes(booster.save_raw("ubj")), csv_bytes(frame), label="y").status_code == 201
    row = {"a": 0.1, "b": 1.5, "c": -1.0, "d": 0.0}
    answer = client.post("/api/v1/models/tree/explain", json=row)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["base_value"] + sum(body["contributions"].values()) == pytest.approx(body["margin"], abs=1e-4)
    assert body["score"] == pytest.approx(float(booster.inplace_predict(np.array([[0.1, 1.5, -1.0, 0.0]]))[0]), 1e-6)
    assert max(body["contributions"], key=lambda k: abs(body["contributions"][k])) in {"b", "c"}


def test_a_signed_in_admin_registers_from_the_dashboard_but_a_foreign_page_cannot(
    settings, clean_db, cancer, onnx_model
):
    """The session cookie may carry a multipart upload to /models from the dashboard's own
    origin; the same form posted from another site is refused before anything is read."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from driftwatch_testing import TEST_ADMIN_KEY

    reference, _ = cancer
    files = {"artifact": ("m.onnx", onnx_model[1]), "reference": ("r.csv", csv_bytes(reference))}
    before = registry_rows(clean_db)
    with TestClient(create_app(settings)) as browser:
        signed_in = browser.post("/api/v1/auth/session", json={"key": TEST_ADMIN_KEY}, headers={"Origin": PAGE})
        assert signed_in.status_code == 200
        foreign = browser.post(
            "/api/v1/models", data={"name": "cancer"}, files=files, headers={"Origin": "http://evil.example"}
        )
        assert foreign.status_code == 403 and "Origin" in foreign.json()["detail"]
        form = browser.post(
            "/api/v1/models",
            data={"name": "cancer", "label": "target", "dry_run": "true"},
            files=files,
            headers={"Origin": PAGE, "Sec-Fetch-Site": "same-origin"},
        )
        assert form.status_code == 200, form.text  # a dry run stores nothing: 200, not 201
        assert form.json()["saved"] is False and form.json()["schema_inferred"] is True
        elsewhere = browser.put(  # any other route still takes JSON only
            "/api/v1/simulator", data={"scenario": "sudden"}, headers={"Origin": PAGE, "Sec-Fetch-Site": "same-origin"}
        )
        assert elsewhere.status_code == 415
    assert registry_rows(clean_db) == before  # neither the refusal nor the dry run stored anything
