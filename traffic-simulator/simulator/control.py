"""Run-time control: follow the backend's model, active scenario and rate, and the demo schedule.

The control row lives in the backend's database (``GET``/``PUT /api/v1/simulator``),
so the dashboard, several simulators and restarts all agree on it: the model the
traffic goes to (``SIM_MODEL`` stands in only until the first answer), the
scenario and the rate. The scenario clock is the backend's ``elapsed_s``,
carried forward locally between polls.

Reading the scenario is open (or needs any key, with ``REQUIRE_AUTH_FOR_READS``);
switching it needs an admin key. A refused switch is logged once, saying so,
and retried under back-off; a 429 delays the next poll by its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from driftwatch_core.scenarios import SimulatorState
from simulator.backoff import Backoff, pause
from simulator.client import refused_message, request_id, retry_after_s
from simulator.config import Settings
from simulator.scenarios import Scenario, build_scenario
from simulator.stats import Stats

log = logging.getLogger(__name__)
PATH = "/api/v1/simulator"


class Control:
    """The model, scenario and rate to use now; :meth:`run` keeps them in step with the backend."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        send_scenario: bool,
        stats: Stats | None = None,
    ) -> None:
        self.client, self.settings = client, settings
        self.stats = stats or Stats()
        self.scenario: Scenario = build_scenario(settings.scenario)
        #: The model the traffic goes to; None until the backend names one when SIM_MODEL is empty.
        self.model: str | None = settings.model
        self.backend_rps: float | None = None
        self._key: tuple | None = None
        self._clock = (0.0, time.monotonic())  # (scenario seconds, monotonic time) at the last poll
        self._failing: dict[str, str] = {}  # method -> the kind of failure already logged
        self._hold_until = 0.0  # no control request before this (a 429's Retry-After)
        self._put_backoff = Backoff(
            "switching the scenario with PUT /api/v1/simulator", base_s=settings.control_interval_s, max_s=60.0
        )
        # The --scenario flag is always sent; SIM_SCENARIO only when the backend has no row yet.
        self._pending_put: bool | None = True if send_scenario else None

    @property
    def rps(self) -> float:
        """The backend's rate when it sets one, else SIM_RPS."""
        return self.backend_rps or self.settings.rps

    def scenario_time(self) -> float:
        """Seconds since the active scenario started, by the backend's clock."""
        elapsed, at = self._clock
        return elapsed + time.monotonic() - at

    def wait_s(self) -> float:
        """Seconds to the next control request: the poll interval, or longer after a 429."""
        return max(self.settings.control_interval_s, self._hold_until - time.monotonic())

    async def run(self, stop: asyncio.Event) -> None:
        """Poll the backend every ``control_interval_s`` until ``stop`` is set."""
        while True:
            await self.sync()
            if await pause(stop, self.wait_s()):
                return

    async def sync(self) -> None:
        """Read the backend's state once (and send the start scenario if still needed)."""
        state = await self._request("GET")
        if state is None:
            return
        if self._pending_put is None:
            self._pending_put = state.updated_at is None and self.settings.scenario != "none"
        if self._pending_put:
            state = await self.put(self.settings.scenario, {}) or state
        self.apply(state)

    async def put(self, scenario: str, params: dict[str, Any]) -> SimulatorState | None:
        """Switch the backend (and so every simulator) to ``scenario``; None when it failed."""
        if self._put_backoff.remaining():  # refused for want of an admin key: not yet again
            return None
        state = await self._request("PUT", json={"scenario": scenario, "params": params})
        if state is not None:
            self._pending_put = False
            self.apply(state)
        return state

    def apply(self, state: SimulatorState) -> None:
        """Adopt the backend's model, scenario, its clock and its rate."""
        self.backend_rps = state.rps
        if state.model != self.model:
            if self.model is None:
                log.info("traffic goes to model %r, as the backend says", state.model)
            else:
                log.info("traffic switches from model %r to %r, as the backend says", self.model, state.model)
            self.model = state.model
        key = (state.scenario, repr(sorted(state.params.items())), state.started_at)
        if key != self._key:
            try:
                scenario = build_scenario(state.scenario, state.params)
            except (KeyError, ValidationError) as exc:
                log.error("backend scenario %r %s is not usable here: %s", state.scenario, state.params, exc)
                return
            self._key, self.scenario = key, scenario
            log.info("scenario %s %s (rps %s)", state.scenario, state.params, self.rps)
        self._clock = (state.elapsed_s or 0.0, time.monotonic())

    async def _request(self, method: str, **kwargs: Any) -> SimulatorState | None:
        if time.monotonic() < self._hold_until:
            return None
        try:
            response = await self.client.request(method, PATH, **kwargs)
        except httpx.TransportError as exc:
            self._failed(method, type(exc).__name__, f"{exc}, request {request_id(exc)}")
            return None
        status = response.status_code
        if status == 429:
            self.stats.totals.rate_limited += 1
            wait = retry_after_s(response)
            self._hold_until = time.monotonic() + (self.settings.control_interval_s if wait is None else wait)
            self._failed(method, "HTTP 429", f"request {request_id(response)}")
            return None
        if status in (401, 403):
            role = "admin" if method == "PUT" else "predict"
            if self._failing.get(method) != f"HTTP {status}":
                self._failing[method] = f"HTTP {status}"
                log.error(
                    "%s; keeping scenario %s", refused_message(f"{method} {PATH}", response, role), self.scenario.name
                )
            if method == "PUT":
                self._put_backoff.failure(f"HTTP {status}", quiet=True)
            return None
        try:
            response.raise_for_status()
            state = SimulatorState.model_validate(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            self._failed(method, f"HTTP {status}", f"{exc}, request {request_id(response)}")
            return None
        if self._failing.pop(method, None):
            log.info("%s %s answers again", method, PATH)
        if method == "PUT":
            self._put_backoff.success()
        return state

    def _failed(self, method: str, kind: str, reason: str) -> None:
        """Log a failing control request once per kind of failure, not once per poll."""
        if self._failing.get(method) != kind:
            self._failing[method] = kind
            log.warning(
                "%s %s failed (%s: %s): keeping scenario %s, retrying every %.0f s",
                method,
                PATH,
                kind,
                reason,
                self.scenario.name,
                self.settings.control_interval_s,
            )


@dataclass(frozen=True)
class Step:
    scenario: str
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)


#: The SIM_AUTO_DRIFT demo: each normal stretch outlasts the worker's 5-minute window.
DEMO_SCHEDULE: tuple[Step, ...] = (
    Step("none", 180),
    Step("sudden", 240),
    Step("none", 360),
    Step("gradual", 600, {"duration_minutes": 6}),
    Step("none", 360),
    Step("categorical", 240),
    Step("none", 360),
    Step("fraud_ring", 240),
    Step("none", 360),
    Step("concept", 480),
)


async def run_schedule(control: Control, stop: asyncio.Event, schedule: tuple[Step, ...] = DEMO_SCHEDULE) -> None:
    """Switch the backend through ``schedule`` in a loop; each step starts once its PUT succeeds."""
    for step in itertools.cycle(schedule):
        while await control.put(step.scenario, step.params) is None:
            if await pause(stop, control.wait_s()):
                return
        log.info("demo schedule: %s for %.0f s", step.scenario, step.seconds)
        if await pause(stop, step.seconds):
            return
