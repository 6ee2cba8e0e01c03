"""Retrain a model now, or run a queued retrain job.

    python -m app.retrain --model <name> [--trials 5] [--window-minutes 60]
    python -m app.retrain --job 12

``--model`` creates a job (trigger ``manual``, the same checks as
``POST /api/v1/models/{name}/retrain``), runs it here and prints its progress;
``--job`` runs a job that is queued (claiming it) or that a backend's runner
claimed for this process. The database is ``DATABASE_URL``'s; the retrain
settings (``RETRAIN_*``) come from the environment.

Exit status: 0 the challenger is registered in shadow; 2 refused (too few
labels, a job of the model already running, no such model), the reason on
stderr; 3 the job is no longer this process's to run; 1 anything else.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from app.core.config import get_settings
from app.core.errors import DomainError
from app.core.logging import configure_logging
from app.retrain import jobs
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.models import RetrainJob
from driftwatch_core.db.schema import init_schema

log = logging.getLogger("app.retrain")
REGISTERED, REFUSED, GONE, ERROR = 0, 2, 3, 1


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def _report(job: RetrainJob) -> int:
    if job.status == "registered":
        holdout = (job.result or {}).get("holdout", {})
        print(
            f"registered {job.model_name} {job.version} in shadow (job {job.id}): hold-out ROC-AUC "
            f"{holdout.get('challenger_roc_auc', float('nan')):.3f}, the champion's "
            f"{holdout.get('champion_roc_auc', float('nan')):.3f} on {holdout.get('rows')} rows"
        )
        return REGISTERED
    print(f"retrain job {job.id} of {job.model_name} {job.status}: {job.error}", file=sys.stderr)
    return REFUSED if (job.result or {}).get("failure") == "refused" else ERROR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.retrain", description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--model", help="retrain this model now")
    what.add_argument("--job", type=int, help="run this queued (or claimed) job")
    parser.add_argument("--trials", type=int, help="hyper-parameter search trials, 0-50 (default: RETRAIN_TRIALS)")
    parser.add_argument("--window-minutes", type=float, help="labelled traffic of the last M minutes")
    parser.add_argument("--database-url", help="default: $DATABASE_URL")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    configure_logging(settings.log_level, settings.log_format)
    engine = make_engine(settings.database_url, pool_size=2)
    factory = make_session_factory(engine)
    job_id = args.job
    try:
        if args.model:
            init_schema(engine)
            try:
                with factory.begin() as session:
                    job = jobs.request_retrain(
                        session,
                        args.model,
                        settings=settings,
                        requested_by=f"cli {getpass.getuser()}",
                        trials=args.trials,
                        window_minutes=args.window_minutes,
                        start_now=True,
                    )
                    job_id = job.id
            except (DomainError, ValueError) as exc:
                print(f"refused: {getattr(exc, 'detail', exc)}", file=sys.stderr)
                return REFUSED
            print(f"retrain job {job_id} of {args.model}: {job.params}", flush=True)
        try:
            final = jobs.run_job(factory, job_id, settings, echo=_say if args.model else None)
        except jobs.JobGone as exc:
            print(str(exc), file=sys.stderr)
            return GONE
        except KeyboardInterrupt:
            jobs.fail(factory, job_id, "interrupted", result={"failure": "stopped"})
            return 130
        return _report(final)
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return REFUSED
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
