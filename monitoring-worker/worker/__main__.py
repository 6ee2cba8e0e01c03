"""``python -m worker [--once] [--interval-s N] ...``: run the monitoring loop."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from driftwatch_core.db.engine import make_engine, wait_for_db
from driftwatch_core.db.schema import init_schema
from worker.config import WorkerSettings
from worker.cycle import Monitor
from worker.loop import install_signal_handlers, run_forever, run_once
from worker.notify import Notifier

log = logging.getLogger("worker")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run one cycle and exit")
    parser.add_argument("--interval-s", type=float, help="seconds between cycle starts (WORKER_INTERVAL_S)")
    parser.add_argument("--window-minutes", type=float, help="WORKER_WINDOW_MINUTES")
    parser.add_argument("--min-samples", type=int, help="WORKER_MIN_SAMPLES")
    parser.add_argument("--database-url", help="DATABASE_URL")
    return parser.parse_args(argv)


def build_settings(args: argparse.Namespace) -> WorkerSettings:
    overrides = {k: v for k, v in vars(args).items() if v is not None and k != "once"}
    return WorkerSettings(**overrides)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = build_settings(args)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    install_signal_handlers(stop)
    engine = make_engine(settings.database_url, pool_size=2)
    notifier = Notifier(settings.alert_webhook_url, settings.webhook_timeout_s, settings.webhook_retries)
    try:
        if not wait_for_db(engine, settings.db_wait_s, stop=stop):
            return 0 if stop.is_set() else 1
        init_schema(engine)
        monitor = Monitor(settings, engine, notifier)
        if args.once:
            return 0 if run_once(monitor) else 1
        log.info("monitoring every %.0f s over %g-minute windows", settings.interval_s, settings.window_minutes)
        run_forever(monitor, stop)
        log.info("stopped cleanly")
        return 0
    finally:
        notifier.close()
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
