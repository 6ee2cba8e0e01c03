"""A fake backend over real HTTP (uvicorn in a thread) that records what the simulator sends.

Like the real one it can demand keys (``keys``: key -> role; predict and feedback
need any role, PUT /simulator needs admin) and rate-limit (``throttle``: answer
429 with ``Retry-After`` to the next requests of a path).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from driftwatch_core.generator import NO_DRIFT, Drift, TransactionGenerator
from driftwatch_core.scenarios import SCENARIOS, resolve_params
from driftwatch_testing import free_port
from simulator.config import Settings


class RecordingGenerator(TransactionGenerator):
    """Remembers the true label of every transaction it generates, keyed by its JSON fields."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.truth: dict[tuple, bool] = {}

    def sample(self, n: int, drift: Drift = NO_DRIFT):
        batch = super().sample(n, drift)
        for record, label in zip(batch.records(), batch.labels, strict=True):
            self.truth[self.key(record)] = bool(label)
        return batch

    @staticmethod
    def key(record: dict) -> tuple:
        return tuple(sorted(record.items()))


@pytest.fixture
def recording_generator() -> type[RecordingGenerator]:
    return RecordingGenerator


class FakeBackend:
    """Records predictions (with arrival times) and labels; can fail with a status on demand."""

    def __init__(self) -> None:
        self.predictions: dict[str, dict] = {}
        self.arrivals: list[float] = []  # monotonic time of every /predict request, failed or not
        self.labels: dict[str, bool] = {}
        self.label_posts: list[tuple[float, int]] = []  # (monotonic time, batch size)
        self.predict_status = 200
        self.predict_body: dict | None = None  # answer this instead of a prediction
        self.feedback_status = 200
        self.control: dict | None = None  # the stored simulator_control row
        self.puts: list[dict] = []
        self.requests: list[tuple[float, str, str, dict[str, str]]] = []  # (time, method, path, headers)
        self.keys: dict[str, str] | None = None  # key -> "predict" or "admin"; None: no auth
        self.open_paths: set[str] = set()  # unsafe paths that need no key even with ``keys``
        self.throttled: dict[str, int] = {}  # path -> how many more requests answer 429
        self.retry_after = "1"
        self.throttled_at: list[float] = []  # when each 429 was answered
        self.url = ""

    def set_control(self, scenario: str, params: dict | None = None, rps: float | None = None) -> None:
        self.control = {
            "scenario": scenario,
            "params": resolve_params(scenario, params or {}),
            "rps": rps,
            "updated_at": datetime.now(UTC),
        }

    def state(self) -> dict:
        row = self.control or {"scenario": "none", "params": {}, "rps": None, "updated_at": None}
        started = row["updated_at"]
        return {
            **row,
            "started_at": started,
            "elapsed_s": (datetime.now(UTC) - started).total_seconds() if started else None,
            "scenarios": [s.model_dump() for s in SCENARIOS.values()],
        }

    def _refusal(self, request: Request) -> JSONResponse | None:
        path = request.url.path
        if self.throttled.get(path, 0) > 0:
            self.throttled[path] -= 1
            self.throttled_at.append(time.monotonic())
            return JSONResponse(
                {"detail": "too many requests"}, status_code=429, headers={"Retry-After": self.retry_after}
            )
        if self.keys is None or request.method == "GET" or path in self.open_paths:
            return None
        role = self.keys.get(request.headers.get("x-api-key", ""))
        if role is None:
            return JSONResponse({"detail": "this needs the predict role: send an API key"}, status_code=401)
        if request.method == "PUT" and role != "admin":
            return JSONResponse({"detail": "this needs the admin role"}, status_code=403)
        return None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def record_and_guard(request: Request, call_next):
            self.requests.append((time.monotonic(), request.method, request.url.path, dict(request.headers)))
            return self._refusal(request) or await call_next(request)

        @app.post("/api/v1/predict")
        async def predict(request: Request):
            self.arrivals.append(time.monotonic())
            if self.predict_status != 200:
                return JSONResponse({"detail": "busy"}, status_code=self.predict_status)
            if self.predict_body is not None:
                return self.predict_body
            pid = str(uuid.uuid4())
            self.predictions[pid] = await request.json()
            return {"prediction_id": pid, "fraud_probability": 0.01, "is_fraud": False}

        @app.post("/api/v1/feedback")
        async def feedback(request: Request):
            if self.feedback_status != 200:
                return JSONResponse({"detail": "down"}, status_code=self.feedback_status)
            items = (await request.json())["items"]
            self.label_posts.append((time.monotonic(), len(items)))
            self.labels.update({i["prediction_id"]: i["label"] for i in items})
            return {"stored": len(items), "unchanged": 0}

        @app.get("/api/v1/simulator")
        async def get_simulator():
            return self.state()

        @app.put("/api/v1/simulator")
        async def put_simulator(request: Request):
            body = await request.json()
            self.puts.append(body)
            self.set_control(body["scenario"], body.get("params"), body.get("rps"))
            return self.state()

        return app


@pytest.fixture
def fake_backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "fake backend did not start"
        time.sleep(0.02)
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    server.should_exit = True
    thread.join(5)


def _settings(url: str, **overrides) -> Settings:
    values = {
        "backend_url": url,
        "rps": 50,
        "label_delay_s": 0.5,
        "seed": 7,
        "control_interval_s": 0.5,
        "log_interval_s": 1.0,
        "duration_s": 3.0,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings_for(fake_backend):
    """Settings for a test run against the fake backend: quick polling and logging, 3 s."""
    return lambda **overrides: _settings(fake_backend.url, **overrides)


@pytest.fixture
def simulate(settings_for):
    """Run a simulator to the end of its duration in this thread and return it."""
    from simulator.runner import Simulator

    def run(simulator_kwargs: dict | None = None, **overrides) -> Simulator:
        simulator = Simulator(settings_for(**overrides), **(simulator_kwargs or {}))
        asyncio.run(simulator.run())
        return simulator

    return run
