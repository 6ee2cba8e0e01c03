"""The traffic simulator's scenario catalogue and its control API models.

The single source of truth for scenario names, labels, descriptions and
parameters (defaults and bounds). The traffic simulator imports this module
too, so it depends only on pydantic, the standard library and the feature
schema.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from driftwatch_core.features import FEATURE_NAMES
from driftwatch_core.types import WholeInt

MIN_RPS, MAX_RPS = 1.0, 200.0
#: A registered model's name, as the registry accepts it (the simulator's SIM_MODEL too).
MODEL_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"


class ParamSpec(BaseModel):
    """One scenario parameter: ``features`` params take a list of feature names."""

    # Always present in answers (null where unset): required in the documented schema.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    type: Literal["number", "integer", "features"]
    default: float | int | list[str]
    minimum: float | None = None
    maximum: float | None = None
    description: str
    choices: list[str] | None = None


class ScenarioSpec(BaseModel):
    name: str
    label: str
    description: str
    params: dict[str, ParamSpec]


def _magnitude(default: float = 1.0, maximum: float = 3.0) -> ParamSpec:
    return ParamSpec(
        type="number",
        default=default,
        minimum=0.0,
        maximum=maximum,
        description="Strength: 1 is the full shift; numeric factors are raised to this power, "
        "offsets and category/boolean mixes scale linearly from normal traffic.",
    )


_FEATURES = ParamSpec(
    type="features",
    default=list(FEATURE_NAMES),
    choices=list(FEATURE_NAMES),
    description="Only these features drift (default: all of them).",
)

SCENARIOS: dict[str, ScenarioSpec] = {
    s.name: s
    for s in (
        ScenarioSpec(
            name="none", label="Normal traffic", params={}, description="Transactions look like the training data."
        ),
        ScenarioSpec(
            name="sudden",
            label="Sudden shift",
            description="Cloned cards are cashed out in another city: from one moment to the next, "
            "purchases happen at night, hundreds of kilometres from the cardholder's home and last "
            "purchase. Three features move; the rest of the traffic looks as before.",
            params={"magnitude": _magnitude(), "features": _FEATURES},
        ),
        ScenarioSpec(
            name="fraud_ring",
            label="Fraud-ring attack",
            description="A staged, all-out attack for contrast: 12 of the 13 features move at once "
            "(larger amounts far from home, at night, online at electronics/jewelry merchants, "
            "international, new accounts). No single real cause moves this much.",
            params={"magnitude": _magnitude(), "features": _FEATURES},
        ),
        ScenarioSpec(
            name="gradual",
            label="Gradual shift",
            description="The same cash-out as 'Sudden shift', spreading linearly over a few minutes: "
            "night hours and long distances become more and more common.",
            params={
                "duration_minutes": ParamSpec(
                    type="number",
                    default=10.0,
                    minimum=0.5,
                    maximum=240.0,
                    description="Minutes until the full shift is reached.",
                ),
                "magnitude": _magnitude(),
                "features": _FEATURES,
            },
        ),
        ScenarioSpec(
            name="recurring",
            label="Recurring cycle",
            description="A daily-like cycle, compressed so it is visible in a demo: late-evening "
            "online shopping rises and falls back to normal every period.",
            params={
                "period_minutes": ParamSpec(
                    type="number",
                    default=10.0,
                    minimum=1.0,
                    maximum=1440.0,
                    description="Length of one full cycle in minutes.",
                ),
                "magnitude": _magnitude(),
            },
        ),
        ScenarioSpec(
            name="categorical",
            label="Merchant mix shift",
            description="Only the merchant mix changes, towards electronics, jewelry, travel and online retail.",
            params={"magnitude": _magnitude()},
        ),
        ScenarioSpec(
            name="concept",
            label="Concept drift",
            description="Fraud follows a new pattern (skimmed cards swiped for small everyday "
            "purchases) while the inputs look alike: performance falls, PSI stays low.",
            params={
                "magnitude": _magnitude(default=0.8, maximum=1.0).model_copy(
                    update={"description": "Share of labels that follow the new fraud pattern."}
                )
            },
        ),
        ScenarioSpec(
            name="label_delay",
            label="Late labels",
            description="Traffic is normal but ground truth arrives much later.",
            params={
                "delay_s": ParamSpec(
                    type="number",
                    default=300.0,
                    minimum=1.0,
                    maximum=3600.0,
                    description="Seconds between a prediction and its label (jittered ±20%).",
                )
            },
        ),
    )
}
SCENARIO_NAMES: tuple[str, ...] = tuple(SCENARIOS)
ScenarioName = Literal[SCENARIO_NAMES]  # type: ignore[valid-type]


def _param_field(spec: ParamSpec) -> tuple[Any, Any]:
    if spec.type == "features":
        names: Any = Literal[tuple(spec.choices or ())]  # a type made at run time
        default: Any = spec.default
        return list[names], Field(default=list(default), min_length=1)
    py_type = WholeInt if spec.type == "integer" else float
    # Strict: a number as JSON Schema says, not "1.5" or false (which pydantic would coerce).
    return py_type, Field(default=spec.default, ge=spec.minimum, le=spec.maximum, allow_inf_nan=False, strict=True)


@cache
def params_model(name: str) -> type[BaseModel]:
    """A pydantic model of one scenario's parameters (unknown names are refused)."""
    spec = SCENARIOS[name]
    fields = {key: _param_field(p) for key, p in spec.params.items()}
    # pydantic's stubs cannot type fields made at run time.
    return create_model(f"{name.title()}Params", __config__=ConfigDict(extra="forbid"), **fields)  # type: ignore[call-overload]


def resolve_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validate ``params`` for scenario ``name`` and fill in defaults.

    Raises ``KeyError`` for an unknown scenario, ``pydantic.ValidationError``
    naming the offending parameter otherwise.
    """
    resolved = params_model(name).model_validate(params).model_dump()
    if "features" in resolved:  # keep schema order and drop repeats
        resolved["features"] = [f for f in FEATURE_NAMES if f in resolved["features"]]
    return resolved


def _one_variant_per_scenario(schema: dict[str, Any]) -> None:
    """Document the params each scenario takes: one variant per scenario, told apart by its name."""
    common = {key: schema.pop(key) for key in ("type", "properties", "required", "additionalProperties")}
    properties = common["properties"]
    variants = []
    for name in SCENARIO_NAMES:
        params = params_model(name).model_json_schema()
        params.pop("title", None)
        variants.append(
            {
                **common,
                "required": ["scenario"],
                "properties": {
                    **properties,
                    "scenario": {"const": name},
                    "params": {**params, "description": properties["params"].get("description", "")},
                },
            }
        )
    schema["oneOf"] = variants
    schema["examples"] = [{"scenario": "sudden", "params": {"magnitude": 1.0}, "rps": 20}]


class SimulatorUpdate(BaseModel):
    """Switch the simulator's scenario; omitted ``rps`` keeps the current rate setting."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_variant_per_scenario)
    scenario: ScenarioName
    params: dict[str, Any] = Field(default_factory=dict, description="Missing ones take defaults.")
    rps: float | None = Field(
        default=None,
        ge=MIN_RPS,
        le=MAX_RPS,
        allow_inf_nan=False,
        strict=True,
        description="Requests per second; null lets the simulator use its own SIM_RPS.",
    )
    model: str | None = Field(
        default=None,
        min_length=2,
        max_length=32,
        pattern=MODEL_NAME_PATTERN,
        description="The registered model to send the traffic to; omitted keeps the current one "
        "(at first the backend's default model).",
    )


class SimulatorState(BaseModel):
    model: str = Field(description="The model the simulator's traffic goes to; its scenario switches are its events.")
    scenario: str = Field(description="The active scenario; `none` before the first switch.")
    params: dict[str, Any] = Field(description="Its params, defaults filled in.")
    rps: float | None = Field(description="Requests per second; null: the simulator's own SIM_RPS.")
    updated_at: datetime | None = Field(description="When this scenario (or its params) started.")
    started_at: datetime | None = Field(description="Scenario clock origin: tick(t) counts from it.")
    elapsed_s: float | None = Field(description="Seconds since started_at, by the server's clock.")
    scenarios: list[ScenarioSpec] = Field(description="The catalogue: every scenario and its params.")
