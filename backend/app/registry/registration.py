"""Registering a model version: check the upload, derive what monitoring needs, store it.

Every version enters the registry here, the demo model's included (``app.demo``
uploads its files exactly as ``POST /api/v1/models`` does), and a retrained
challenger (``app.retrain``).

``prepare`` is pure (no database): it loads the artifact by its content (never a
pickle), reads the reference table, takes the feature schema from the document
given or infers it from the table, checks the table against the schema and the
schema against the model's inputs, scores the reference, and computes the
reference distributions (``driftwatch_core.reference.build_reference``) and, with
a label column, the reference metrics. It keeps a sample of the checked table's
rows (``REFERENCE_TABLE_ROWS``) for global explanations and retraining. Every
problem found is collected and raised together as a ``RegistrationError`` naming
its field or column.

``save`` writes the model (when new) and the version in one transaction, so a
registration either lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.core.errors import Conflict, Invalid
from app.ml.metrics import evaluate
from app.registry import formats, tabular
from app.registry.lookup import NAME_PATTERN
from app.registry.schema_document import schema_problems
from app.registry.tabular import Problem, ReferenceData
from driftwatch_core import stages
from driftwatch_core.db.models import ModelVersion, RegisteredModel, utcnow
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import SCORE_NAME, Feature
from driftwatch_core.reference import build_reference

TASK = "binary_classification"
DEFAULT_THRESHOLD = 0.5
#: Rows of the reference table kept with a version (a seeded random sample when there are more).
REFERENCE_TABLE_ROWS = 20_000
#: What a newly registered version becomes: it answers, it is tried in shadow, or it waits.
STAGES_ON_REGISTER = ("champion", "shadow", "none")


class RegistrationError(Invalid):
    """What is wrong with a registration, every problem at once (the API's 422)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([(p.field, p.message) for p in self.problems])


@dataclass
class Upload:
    """A registration as it arrives, from the API's form, the command line, the demo or a retrain."""

    name: str
    artifact: bytes
    reference: bytes
    reference_filename: str | None = None
    schema: list[dict] | None = None
    label: str | None = None
    threshold: float | None = None
    description: str = ""
    #: What the uploader says the version was made from (a trainer, its parameters), kept in ``source``.
    source: dict = field(default_factory=dict)


@dataclass
class Prepared:
    """A version ready to store: everything the registry keeps about it."""

    name: str
    version: str
    format: str
    artifact: bytes
    sha256: str
    schema: tuple[Feature, ...]
    reference: dict
    threshold: float
    metrics: dict
    label: str | None
    source: dict
    trained_at: datetime
    reference_table: bytes | None = None
    schema_inferred: bool = False
    description: str = ""
    warnings: list[str] = field(default_factory=list)


def version_id(at: datetime, artifact: bytes) -> str:
    """``20261201-185050-b86bf37f``: when, and the artifact's hash."""
    return f"{at:%Y%m%d-%H%M%S}-{hashlib.sha256(artifact).hexdigest()[:8]}"


def _checked_upload(upload: Upload) -> tuple[formats.Scorer, pd.DataFrame, tuple[Feature, ...]]:
    """Step 1: the name, the threshold, the artifact, the table and the schema, each on its own."""
    problems: list[Problem] = []
    if not NAME_PATTERN.fullmatch(upload.name):
        problems.append(Problem("name", "lower-case letters, digits and -, starting with a letter, 2 to 32 long"))
    if upload.threshold is not None and not 0 < upload.threshold < 1:
        problems.append(Problem("threshold", f"must be between 0 and 1 (got {upload.threshold})"))
    scorer = table = None
    try:
        scorer = formats.load(upload.artifact)
    except formats.ArtifactError as exc:
        problems.append(Problem("artifact", str(exc)))
    try:
        table = tabular.read_table(upload.reference, upload.reference_filename)
    except tabular.DatasetError as exc:
        problems.extend(exc.problems)
    schema: tuple[Feature, ...] = ()
    if upload.schema is not None:
        schema, found = schema_problems(upload.schema)
        problems.extend(found)
    elif table is not None:
        try:
            schema = tabular.infer_schema(table, upload.label)
        except tabular.DatasetError as exc:
            problems.extend(exc.problems)
    problems.extend(
        Problem(f.name, f"the name {f.name!r} is taken by the model's score, which is monitored beside the features")
        for f in schema
        if f.name == SCORE_NAME
    )
    if problems or scorer is None or table is None:
        raise RegistrationError(problems)
    return scorer, table, schema


def _checked_together(
    scorer: formats.Scorer, table: pd.DataFrame, schema: tuple[Feature, ...], label: str | None
) -> ReferenceData:
    """Step 2: the table against the schema, the schema against the model's inputs."""
    problems: list[Problem] = []
    data = None
    try:
        data = tabular.check_table(table, schema, label)
    except tabular.DatasetError as exc:
        problems.extend(exc.problems)
    try:
        formats.check_inputs(scorer, len(schema))
    except formats.ArtifactError as exc:
        problems.append(Problem("artifact", str(exc)))
    if problems or data is None:
        raise RegistrationError(problems)
    return data


def _reference_scores(scorer: formats.Scorer, data: ReferenceData, schema: tuple[Feature, ...]) -> np.ndarray:
    """Step 3: the model's scores on the reference, which must be probabilities."""
    scores = scorer.predict_proba(encode_columns(data.columns, schema))
    if not np.all(np.isfinite(scores)) or scores.min() < 0 or scores.max() > 1:
        raise RegistrationError([Problem("artifact", "the model's scores on the reference are not probabilities")])
    return scores


def reference_table(data: ReferenceData, label: str | None, seed: int) -> bytes:
    """The checked reference rows (at most ``REFERENCE_TABLE_ROWS``, a seeded sample) as Parquet."""
    keep = np.arange(data.n_rows)
    if data.n_rows > REFERENCE_TABLE_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(data.n_rows, REFERENCE_TABLE_ROWS, replace=False))
    frame = pd.DataFrame({name: column[keep] for name, column in data.columns.items()})
    if label is not None and data.labels is not None:
        frame[label] = data.labels[keep]
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


def prepare(upload: Upload, *, seed: int = 0, now: datetime | None = None) -> Prepared:
    """Check ``upload`` and compute the version it becomes; raises ``RegistrationError``."""
    scorer, table, schema = _checked_upload(upload)
    data = _checked_together(scorer, table, schema, upload.label)
    scores = _reference_scores(scorer, data, schema)
    threshold = DEFAULT_THRESHOLD if upload.threshold is None else float(upload.threshold)
    metrics: dict = {"n": data.n_rows}
    if data.labels is not None:
        metrics = evaluate(data.labels, scores, threshold)
    at = now or datetime.now(UTC)
    return Prepared(
        name=upload.name,
        version=version_id(at, upload.artifact),
        format=scorer.format,
        artifact=upload.artifact,
        sha256=hashlib.sha256(upload.artifact).hexdigest(),
        schema=schema,
        reference=build_reference(data.columns, scores, seed, schema),
        threshold=threshold,
        metrics=metrics,
        label=upload.label,
        source={
            **upload.source,
            "reference_file": upload.reference_filename,
            "reference_rows": data.n_rows,
            "label": upload.label,
            "schema": "given" if upload.schema is not None else "inferred",
            "seed": seed,
        },
        trained_at=at,
        reference_table=reference_table(data, upload.label, seed),
        schema_inferred=upload.schema is None,
        description=upload.description,
    )


def version_row(prepared: Prepared, registered_at: datetime) -> ModelVersion:
    """The stored form of a prepared version (``save`` adds it; a dry run only shows it)."""
    return ModelVersion(
        version=prepared.version,
        model_name=prepared.name,
        trained_at=prepared.trained_at,
        threshold=prepared.threshold,
        metrics=prepared.metrics,
        feature_schema=[f.to_dict() for f in prepared.schema],
        registered_at=registered_at,
        format=prepared.format,
        artifact=prepared.artifact,
        artifact_sha256=prepared.sha256,
        reference=prepared.reference,
        reference_table=prepared.reference_table,
        label_column=prepared.label,
        source=prepared.source,
    )


def save(session: Session, prepared: Prepared, *, stage: str = "champion", actor: str = "") -> ModelVersion:
    """Store the model (when new) and the version, and put the version on ``stage``
    (a model's first version always becomes its champion); the caller's transaction
    commits all of it."""
    if session.get(ModelVersion, prepared.version) is not None:
        raise Conflict(f"version {prepared.version} is already registered")
    model = session.get(RegisteredModel, prepared.name)
    if model is None:
        model = RegisteredModel(name=prepared.name, task=TASK, description=prepared.description, created_at=utcnow())
        session.add(model)
        session.flush()  # the version's foreign key needs the model's row first
    version = version_row(prepared, registered_at=utcnow())
    session.add(version)
    session.flush()
    stages.record_event(
        session,
        prepared.name,
        "registered",
        f"{prepared.version} registered ({prepared.format})",
        version=prepared.version,
        actor=actor,
        details={"source": prepared.source},
    )
    if model.champion_version is None or stage == "champion":
        stages.promote(session, prepared.name, prepared.version, actor=actor, reason="registered")
    elif stage == "shadow":
        stages.challenge(session, prepared.name, prepared.version, stages.SHADOW, actor=actor, reason="registered")
    return version
