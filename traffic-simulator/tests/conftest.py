"""A fake backend over real HTTP (uvicorn in a thread) that records what the simulator sends.

Like the real one it serves models by name (``/api/v1/models/{name}/predict`` and
``/feedback``; an unregistered name answers 404, a model in ``refuses_rows`` 422),
takes a label only at the model that made the prediction (404 naming the ids
otherwise), keeps the control row with the model the traffic goes to
(``GET``/``PUT /api/v1/simulator``), can demand keys (``keys``: key -> role;
predict and feedback need any role, PUT /simulator needs admin) and rate-limit
(``throttle``: answer 429 with ``Retry-After`` to the next requests of a path).
Starting it listens on a socket: a test that uses it is ``slow``.

``drive`` runs a simulator in this thread's event loop beside a test script that
waits on conditions (``until``) and returns; the simulator then stops and flushes.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from driftwatch_core.generator import NO_DRIFT, Drift, TransactionGenerator
from driftwatch_core.scenarios import SCENARIOS, resolve_params
from driftwatch_testing import DEMO_MODEL, free_port
from simulator.config import Settings
from simulator.runner import Simulator
from simulator.stats import Totals

#: How long a test waits for a condition before it fails; generous, for a busy machine.
DEADLINE_S = 60.0


def predict_path(model: str = DEMO_MODEL) -> str:
    return f"/api/v1/models/{model}/predict"


def feedback_path(model: str = DEMO_MODEL) -> str:
    return f"/api/v1/models/{model}/feedback"


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
    """Records predictions (with arrival times and models) and labels; can fail with a status on demand."""

    def __init__(self) -> None:
        self.registered: set[str] = {DEMO_MODEL}
        self.refuses_rows: set[str] = set()  # models whose schema is not the card transactions': 422
        self.predictions: dict[str, dict] = {}  # prediction id -> the row
        self.predicted_by: dict[str, str] = {}  # prediction id -> the model that answered it
        self.arrivals: list[float] = []  # monotonic time of every predict request, failed or not
        self.arrival_models: list[str] = []  # the model each of those was sent to
        self.labels: dict[str, bool] = {}
        self.labeled_at: dict[str, str] = {}  # prediction id -> the model whose /feedback stored it
        self.label_posts: list[tuple[float, int]] = []  # (monotonic time, batch size) of stored batches
        self.predict_status = 200
        self.predict_body: dict | None = None  # answer this instead of a prediction
        self.feedback_status = 200
        self.feedback_delay_s = 0.0  # store a batch of labels only this long after it arrived
        self.control: dict | None = None  # the stored simulator_control row
        self.puts: list[dict] = []
        self.requests: list[tuple[float, str, str, dict[str, str]]] = []  # (time, method, path, headers)
        self.keys: dict[str, str] | None = None  # key -> "predict" or "admin"; None: no auth
        self.open_paths: set[str] = set()  # unsafe paths that need no key even with ``keys``
        self.throttled: dict[str, int] = {}  # path -> how many more requests answer 429
        self.retry_after = "1"
        self.throttled_at: list[float] = []  # when each 429 was answered
        self.url = ""

    def set_control(
        self, scenario: str, params: dict | None = None, rps: float | None = None, model: str | None = None
    ) -> None:
        """Store the control row as a PUT would: an omitted model keeps the current one."""
        self.control = {
            "model": model or self.model,
            "scenario": scenario,
            "params": resolve_params(scenario, params or {}),
            "rps": rps,
            "updated_at": datetime.now(UTC),
        }

    @property
    def model(self) -> str:
        """The model the control row names (the backend's default before the first switch)."""
        return self.control["model"] if self.control else DEMO_MODEL

    def predictions_of(self, model: str) -> set[str]:
        return {pid for pid, by in self.predicted_by.items() if by == model}

    def labels_at(self, model: str) -> set[str]:
        return {pid for pid, at in self.labeled_at.items() if at == model}

    def state(self) -> dict:
        row = self.control or {"model": DEMO_MODEL, "scenario": "none", "params": {}, "rps": None, "updated_at": None}
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

    def _unknown(self, name: str) -> JSONResponse | None:
        if name in self.registered:
            return None
        return JSONResponse({"detail": f"no model named {name!r}: GET /api/v1/models lists them"}, status_code=404)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def record_and_guard(request: Request, call_next):
            self.requests.append((time.monotonic(), request.method, request.url.path, dict(request.headers)))
            return self._refusal(request) or await call_next(request)

        @app.post("/api/v1/models/{name}/predict")
        async def predict(name: str, request: Request):
            self.arrivals.append(time.monotonic())
            self.arrival_models.append(name)
            if refused := self._unknown(name):
                return refused
            if name in self.refuses_rows:
                return JSONResponse({"detail": "body.age_months: Field required"}, status_code=422)
            if self.predict_status != 200:
                return JSONResponse({"detail": "busy"}, status_code=self.predict_status)
            if self.predict_body is not None:
                return self.predict_body
            pid = str(uuid.uuid4())
            self.predictions[pid] = await request.json()
            self.predicted_by[pid] = name
            return {
                "prediction_id": pid,
                "score": 0.01,
                "decision": False,
                "threshold": 0.5,
                "model": name,
                "model_version": "v1",
                "stage": "champion",
                "latency_ms": 1.0,
            }

        @app.post("/api/v1/models/{name}/feedback")
        async def feedback(name: str, request: Request):
            if refused := self._unknown(name):
                return refused
            if self.feedback_status != 200:
                return JSONResponse({"detail": "down"}, status_code=self.feedback_status)
            items = (await request.json())["items"]
            # Stored even if the simulator has stopped waiting for the answer, as a real backend would.
            await asyncio.sleep(self.feedback_delay_s)
            unknown = [i["prediction_id"] for i in items if self.predicted_by.get(i["prediction_id"]) != name]
            if unknown:  # like the real backend: another model's prediction is unknown here
                return JSONResponse(
                    {"detail": f"unknown to model {name!r}", "prediction_ids": unknown[:100]}, status_code=404
                )
            self.label_posts.append((time.monotonic(), len(items)))
            self.labels.update({i["prediction_id"]: i["label"] for i in items})
            self.labeled_at.update({i["prediction_id"]: name for i in items})
            return {"stored": len(items), "unchanged": 0}

        @app.get("/api/v1/simulator")
        async def get_simulator():
            return self.state()

        @app.put("/api/v1/simulator")
        async def put_simulator(request: Request):
            body = await request.json()
            if body.get("model") is not None and body["model"] not in self.registered:
                return self._unknown(body["model"])
            self.puts.append(body)
            self.set_control(body["scenario"], body.get("params"), body.get("rps"), body.get("model"))
            return self.state()

        return app


@pytest.fixture
def fake_backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "fake backend did not start"
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

    def run(simulator_kwargs: dict | None = None, **overrides) -> Simulator:
        simulator = Simulator(settings_for(**overrides), **(simulator_kwargs or {}))
        asyncio.run(simulator.run())
        return simulator

    return run


def unanswered(totals: Totals) -> int:
    """Prediction requests the simulator never heard back about (timed out, cancelled at shutdown, ...):
    the backend may have stored them, but no label was queued."""
    return sum(n for kind, n in totals.errors.items() if not kind.startswith("HTTP") and kind != "bad response")


def _assert_labeled(fake: FakeBackend, totals: Totals) -> None:
    """With label_rate 1: every stored prediction has its label, stored at the model that made it, but
    for those the simulator never heard back about."""
    assert set(fake.labels) <= set(fake.predictions)
    assert all(fake.labeled_at[pid] == fake.predicted_by[pid] for pid in fake.labels)
    assert len(fake.predictions) - len(fake.labels) <= unanswered(totals)


@pytest.fixture
def assert_labeled() -> Callable[[FakeBackend, Totals], None]:
    return _assert_labeled


async def until(condition: Callable[[], object], what: str, timeout_s: float = DEADLINE_S) -> None:
    """Wait (in the event loop, so the simulator runs meanwhile) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s:.0f} s: {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
def wait_until() -> Callable[..., Awaitable[None]]:
    return until


Script = Callable[[Simulator], Awaitable[None]]


def _drive(settings: Settings, script: Script, **simulator_kwargs) -> Simulator:
    """Run a simulator until ``script(simulator)`` returns, then stop it; it must finish its shutdown."""

    async def main() -> Simulator:
        simulator = Simulator(settings, **simulator_kwargs)
        running = asyncio.create_task(simulator.run())
        try:
            await until(lambda: simulator.control is not None or running.done(), "the simulator started")
            await script(simulator)
        finally:
            simulator.stop.set()
            await asyncio.wait_for(running, DEADLINE_S)
        return simulator

    return asyncio.run(main())


@pytest.fixture
def drive(settings_for):
    """``drive(script, simulator_kwargs=None, **settings)``: run against the fake backend until the script
    returns (no duration: the script's conditions end the run)."""

    def run(script: Script, simulator_kwargs: dict | None = None, **overrides) -> Simulator:
        return _drive(settings_for(**{"duration_s": None, **overrides}), script, **(simulator_kwargs or {}))

    return run


@pytest.fixture
def drive_simulator() -> Callable[..., Simulator]:
    """``drive_simulator(settings, script, **simulator_kwargs)``: ``drive`` against any backend."""
    return _drive
