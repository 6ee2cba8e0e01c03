"""Retraining a model: ask for a challenger trained on recent labelled traffic, follow the job.

``POST`` (admin) checks right away what a job would refuse (an unknown model,
a job of it already queued or running, too few labelled predictions in the
window) and answers 202 with the queued job; a runner in a backend process
trains it in a child process, and ``GET .../retrain/{job_id}`` shows its status
and progress live. A finished job names the challenger it registered in shadow
and its hold-out comparison with the champion.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request

from app.api.deps import RuntimeDep, SessionDep
from app.core.ratelimit import identify
from app.retrain import jobs
from app.schemas.retrain import RetrainIn, RetrainJobOut

router = APIRouter(tags=["retrain"])

Name = Annotated[str, Path(description="A registered model's name.")]
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No model of that name (or no such job of it)."}}
_REFUSED: dict[int | str, dict[str, Any]] = {
    **_UNKNOWN,
    409: {
        "description": "Not now, and the answer says why: a job of this model is already queued or running "
        "(`job_id` names it), the model has no champion, or the window holds too few labelled predictions "
        "(fewer than RETRAIN_MIN_LABELS, or one class missing from training or hold-out; `labels` counts them)."
    },
}


_DEFAULTS = RetrainIn()


def _requested_by(request: Request) -> str:
    principal = identify(request.scope, request.app.state.security).principal
    return f"{principal.role}:{principal.key_id}" if principal is not None else ""


@router.post("/models/{name}/retrain", response_model=RetrainJobOut, status_code=202, responses=_REFUSED)
def retrain_model(
    name: Name,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    body: Annotated[RetrainIn, Body(description="Optional: no body takes every default.")] = _DEFAULTS,
):
    """Queue a retrain: a challenger trained on the model's recent labelled traffic (and some of its original
    training data), evaluated against the champion on the newest traffic neither has trained on, and
    registered in shadow. 202 with the job; follow it at `GET /models/{name}/retrain/{id}`."""
    with session.begin():
        job = jobs.request_retrain(
            session,
            name,
            settings=runtime.settings,
            requested_by=_requested_by(request),
            trials=body.trials,
            window_minutes=body.window_minutes,
        )
        return jobs.job_out(job)


@router.get("/models/{name}/retrain", response_model=list[RetrainJobOut], responses=_UNKNOWN)
def list_retrain_jobs(
    name: Name,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many, newest first.")] = jobs.LIST_LIMIT,
):
    """The model's retrain jobs, newest first."""
    return [jobs.job_out(job) for job in jobs.list_jobs(session, name, limit)]


@router.get("/models/{name}/retrain/{job_id}", response_model=RetrainJobOut, responses=_UNKNOWN)
def get_retrain_job(name: Name, job_id: Annotated[int, Path(ge=1)], session: SessionDep):
    """One retrain job: its status, its progress while it runs, its result or its error."""
    return jobs.job_out(jobs.get_job(session, name, job_id))
