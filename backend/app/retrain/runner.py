"""The backend's retrain runner: claims queued jobs and runs each in a child process.

Every ``RETRAIN_POLL_S`` seconds a thread of the backend:

- checks its child: still running past ``RETRAIN_TIMEOUT_S`` → terminated and the job
  failed; exited without finishing the job (a crash, an out-of-memory kill) → the
  job failed with the exit code;
- fails any job (of any process) training or evaluating for longer than
  ``RETRAIN_TIMEOUT_S`` (its runner died with it);
- with no child running, claims the oldest queued job (``jobs.claim_next``: a
  conditional update, so with several backend processes one of them wins) and
  starts ``python -m app.retrain --job ID`` for it.

Training is CPU-heavy; in a child process it never holds the API's event loop or
its GIL. One job at a time per process. The child gets the same environment, with
the database URL and the retrain settings of this process's ``Settings`` (which a
test may have built without the environment). Stopping the runner terminates the
child and fails its job ("the backend stopped").
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.retrain import jobs

log = logging.getLogger(__name__)

#: Settings the child reads from its environment, passed as this process has them.
CHILD_SETTINGS = (
    "database_url",
    "log_level",
    "log_format",
    "retrain_window_minutes",
    "retrain_reference_share",
    "retrain_holdout_share",
    "retrain_min_labels",
    "retrain_max_rows",
    "retrain_trials",
    "retrain_search_timeout_s",
    "retrain_timeout_s",
)
TERMINATE_GRACE_S = 10.0


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name in CHILD_SETTINGS:
        env[name.upper()] = str(getattr(settings, name))
    return env


class RetrainRunner:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        ready: threading.Event | None = None,
    ) -> None:
        self.factory, self.settings = factory, settings
        self.ready = ready  # the schema exists (the backend's bootstrap sets it)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._child: subprocess.Popen | None = None
        self._job_id: int | None = None
        self._child_started = 0.0
        self.last_error: str | None = None

    @property
    def running_job(self) -> int | None:
        return self._job_id

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="retrain-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._lock:
            if self._child is not None and self._job_id is not None:
                self._end_child("the backend stopped while the job was running", "stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.ready is None or self.ready.is_set():
                try:
                    self.tick()
                    self.last_error = None
                except Exception as exc:  # noqa: BLE001 - the database may be down: try again next time
                    self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                    log.warning("retrain runner: %s", self.last_error)
            self._stop.wait(self.settings.retrain_poll_s)

    def tick(self) -> None:
        """One look: the child, stale jobs, the queue."""
        with self._lock:
            if self._child is not None:
                code = self._child.poll()
                if code is None:
                    if time.monotonic() - self._child_started > self.settings.retrain_timeout_s:
                        limit = self.settings.retrain_timeout_s
                        self._end_child(f"timed out: still running after RETRAIN_TIMEOUT_S ({limit:g} s)", "timeout")
                    return
                job_id, self._child, self._job_id = self._job_id, None, None
                assert job_id is not None
                # Only a job still running is failed: one the child finished keeps its end.
                reason = f"the retraining process exited with code {code} before finishing"
                jobs.fail(self.factory, job_id, reason, result={"failure": "crashed", "exit_code": code})
            jobs.fail_stale(self.factory, self.settings.retrain_timeout_s)
            if self._stop.is_set():
                return
            job_id = jobs.claim_next(self.factory)
            if job_id is not None:
                self._spawn(job_id)

    def _spawn(self, job_id: int) -> None:
        command = [sys.executable, "-m", "app.retrain", "--job", str(job_id)]
        try:
            self._child = subprocess.Popen(
                command,
                env=child_env(self.settings),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C of the backend's terminal is the runner's to pass on
            )
        except OSError as exc:
            reason = f"the retraining process could not start: {exc}"
            jobs.fail(self.factory, job_id, reason, result={"failure": "error"})
            return
        self._job_id, self._child_started = job_id, time.monotonic()
        log.info("retrain job %s: started process %s", job_id, self._child.pid)

    def _end_child(self, reason: str, kind: str) -> None:
        """Terminate the child (then kill it after a grace period) and fail its job with ``reason``."""
        child, job_id = self._child, self._job_id
        assert child is not None and job_id is not None
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(TERMINATE_GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        self._child, self._job_id = None, None
        jobs.fail(self.factory, job_id, reason, result={"failure": kind})
