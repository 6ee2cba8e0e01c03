"""Run-time control of the traffic simulator: the active scenario, its params and rate."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.deps import ActorDep, RuntimeDep, SessionDep
from app.services import simulator
from driftwatch_core.scenarios import SimulatorState, SimulatorUpdate, resolve_params

router = APIRouter(tags=["simulator"])


@router.get("/simulator", response_model=SimulatorState)
def get_simulator(session: SessionDep, runtime: RuntimeDep):
    """The model the traffic goes to, the active scenario, its parameters and rate, and the scenario catalogue."""
    return simulator.current(session, runtime.default_model)


@router.put(
    "/simulator",
    response_model=SimulatorState,
    responses={
        404: {"description": "No registered model of that name."},
        422: {"description": "Unknown scenario, or an unknown or out-of-range param."},
    },
)
def update_simulator(body: SimulatorUpdate, session: SessionDep, runtime: RuntimeDep, actor: ActorDep):
    """Switch the simulator to a scenario, or its traffic to another model (it follows within a few seconds)."""
    try:
        params = resolve_params(body.scenario, body.params)
    except ValidationError as exc:  # a 422 naming the param, under body.params
        errors = [{**e, "loc": ("body", "params", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from exc
    return simulator.switch(session, body, params, runtime.default_model, actor)
