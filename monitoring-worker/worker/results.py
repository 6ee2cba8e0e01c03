"""What one model's cycle found, and one cycle over every model: what the loop logs and callers read."""

from __future__ import annotations

from dataclasses import dataclass, field

from worker import alerts, compare, incidents
from worker.drift import DatasetDrift, FeatureDrift
from worker.window import LabelWindow


@dataclass
class CycleResult:
    """One model's cycle: its run, what was judged, the alert events and incident transitions it caused."""

    model: str
    run_id: int | None  # None when even claiming the run failed
    status: str  # "ok" | "insufficient_data" | "failed"
    n_rows: int = 0
    version: str | None = None
    had_traffic: bool = True  # False on a fresh database: an empty window is no news
    drift: list[FeatureDrift] = field(default_factory=list)
    score: FeatureDrift | None = None
    dataset: DatasetDrift | None = None
    realized: dict | None = None
    estimated: dict | None = None
    label_window: LabelWindow | None = None  # where realized performance starts, and why
    source: str | None = None  # where the windows were read from: "summaries" or "rows"
    events: list[alerts.Event] = field(default_factory=list)
    incident_changes: list[incidents.Change] = field(default_factory=list)  # what the webhook is told
    error: str | None = None  # failed: the error's one-line summary
    elapsed_s: float = 0.0
    comparison: compare.Comparison | None = None  # champion against challenger, when there is one
    retrain_job: int | None = None  # the job the retrain policy queued after this cycle


@dataclass
class CycleReport:
    """One cycle over every monitored model: each model's result, or None when another
    worker had that model's slot."""

    results: dict[str, CycleResult | None] = field(default_factory=dict)

    def __getitem__(self, model: str) -> CycleResult | None:
        return self.results[model]

    @property
    def failed(self) -> list[str]:
        return [m for m, r in self.results.items() if r is not None and r.status == "failed"]

    @property
    def ok(self) -> bool:
        """Every model's cycle succeeded (or was another worker's)."""
        return not self.failed
