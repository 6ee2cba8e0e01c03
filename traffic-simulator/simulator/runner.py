"""The simulator process: wires control, traffic, labels and reporting, and shuts down cleanly.

Shutdown (SIGTERM/SIGINT or the end of ``--duration``) stops sending, gives the
predictions in flight a moment (their labels get queued; one still unanswered
is counted ``cancelled at shutdown``: the backend may hold it), stops the
background tasks (a label post cut off goes back into the queue, marked posted)
and flushes every pending label within ``SIM_SHUTDOWN_TIMEOUT_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal

import httpx

from driftwatch_core.generator import Drift, TransactionGenerator
from simulator.backoff import pause
from simulator.client import make_client
from simulator.config import Settings
from simulator.control import DEMO_SCHEDULE, Control, Step, run_schedule
from simulator.labels import LabelQueue, LabelSender
from simulator.stats import Stats
from simulator.traffic import Traffic, TransactionSource

log = logging.getLogger(__name__)


class Simulator:
    """One simulator run; :meth:`run` returns when ``stop`` is set or the duration is over."""

    def __init__(
        self,
        settings: Settings,
        send_scenario: bool = False,
        generator: TransactionGenerator | None = None,
        schedule: tuple[Step, ...] = DEMO_SCHEDULE,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.client = client  # None: one made from the settings (a test may hand in its own)
        self.send_scenario = send_scenario
        self.generator = generator or TransactionGenerator(settings.seed, settings.fraud_rate)
        self.schedule = schedule
        self.stats = Stats()
        self.stop = asyncio.Event()
        self.control: Control | None = None  # while running: the model, scenario and rate in use

    async def run(self) -> Stats:
        s = self.settings
        rng = random.Random(s.seed)
        # Warm the generator's calibration (also for concept drift) before the clock starts.
        await asyncio.to_thread(TransactionGenerator(0, s.fraud_rate).sample, 1, Drift(concept=1.0))
        async with self.client or make_client(s) as client:
            control = self.control = Control(client, s, self.send_scenario, self.stats)
            labels = LabelQueue(s.label_queue_max, self.stats, rng)
            sender = LabelSender(client, labels, self.stats)
            traffic = Traffic(client, control, TransactionSource(self.generator, control), labels, self.stats, rng)
            await control.sync()
            log.info(
                "sending to %s, model %s, at %g req/s, scenario %s, %s",
                s.backend_url,
                repr(control.model) if control.model else "not named yet (SIM_MODEL empty): waiting for the backend",
                control.rps,
                control.scenario.name,
                "with the key in SIM_API_KEY" if s.api_key else "without a key (SIM_API_KEY unset)",
            )
            background = self._start_background(control, sender)
            if s.duration_s is not None:
                asyncio.get_running_loop().call_later(s.duration_s, self.stop.set)
            self.stats.new_window()
            await traffic.run(self.stop)
            await self._shutdown(traffic, sender, background)
            log.info("stopped: %s", self.stats.report(control.rps, control.model, control.scenario.name, len(labels)))
        return self.stats

    def _start_background(self, control: Control, sender: LabelSender) -> list[asyncio.Task]:
        coroutines = [control.run(self.stop), sender.run(self.stop), self._report(control, sender.queue)]
        if self.settings.auto_drift:
            coroutines.append(run_schedule(control, self.stop, self.schedule))
        return [asyncio.create_task(c) for c in coroutines]

    async def _report(self, control: Control, labels: LabelQueue) -> None:
        while not await pause(self.stop, self.settings.log_interval_s):
            log.info(self.stats.report(control.rps, control.model, control.scenario.name, len(labels)))

    async def _shutdown(self, traffic: Traffic, sender: LabelSender, background: list[asyncio.Task]) -> None:
        budget = self.settings.shutdown_timeout_s
        await traffic.drain(min(self.settings.timeout_s, budget / 2))
        for task in background:  # a label post cut off here goes back into the queue for the flush
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*background, return_exceptions=True)
        if len(sender.queue):
            log.info("flushing %d pending label(s), due or not, within %.1f s", len(sender.queue), budget / 2)
            await sender.flush(budget / 2)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT ask for a clean stop (labels flushed, exit 0)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
