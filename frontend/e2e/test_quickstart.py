"""QUICKSTART's live demo, walked in the browser with default settings, promise by promise.

Runs first (conftest orders it) on a stack of its own started with nothing but the defaults a
newcomer gets from `./scripts/setup.sh`: 10 transactions a second, labels after about a minute,
a monitoring cycle every 30 s over a 5-minute window, realized performance over recent labels.
The buttons it presses are read from QUICKSTART.md itself (its **bold** words), so the document
and the dashboard cannot drift apart unnoticed. What it holds the dashboard to:

- after **Start sudden shift**, one incident (not one alert per feature) opens within 60 s of the
  switch, and the Drift view shows the verdict with the most drifted feature selected;
- after **Start concept drift**, the Performance view shows realized ROC-AUC below the training
  baseline and a performance incident is open, within 3 minutes of the switch;
- after **Back to normal**, every incident resolves and the Overview says when and after how long;
- the switches and detections are marked on the time charts;
- every view at 1440×900, 1366×768 and 390×844 scrolls no page sideways and cuts no number short.

The walk's timings go to artifacts/quickstart-timings.json; its frames become the README's
animated capture (frontend/docs/demo.webp) and every view's screenshot goes to artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from driftwatch_testing.browser import VIEWS, Api, Walk, figure, layout_faults, open_view, shown, when

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "frontend" / "docs"
QUICKSTART = ROOT / "QUICKSTART.md"
# Nothing but what keeps the walk in charge of the traffic: every monitoring setting is the default.
DEMO_ENV = {"SIM_SCENARIO": "none", "SIM_AUTO_DRIFT": "0", "LOG_LEVEL": "INFO"}
DETECT_WITHIN_S = 60.0  # QUICKSTART: the shift is flagged within a minute
CONCEPT_WITHIN_S = 180.0  # QUICKSTART: realized ROC-AUC below the baseline, with an alert, within 3 minutes
PATIENCE_S = 600.0  # a wait's own deadline, for a busy 2-core runner; the promises are checked on server times
SIZES = ((1440, 900), (1366, 768), (390, 844))
FRAME_EVERY_S = 6.0
FRAME_WIDTH = 960


def demo_words() -> list[str]:
    """The bold words of QUICKSTART's live demo (section 2), in order: the buttons and tabs it names."""
    text = QUICKSTART.read_text()
    section = text[text.index("## 2.") : text.index("## 3.")]
    demo = section.split("### ")[0]  # the five-minute demo, before its optional parts
    return re.findall(r"\*\*([^*]+)\*\*", demo)


def button_word(words: list[str], starts: str) -> str:
    """The button QUICKSTART names that starts with ``starts`` (it must name one)."""
    found = [w for w in words if w.startswith(starts)]
    assert found, f"QUICKSTART's demo names no button starting with {starts!r}: {words}"
    return found[0]


class Capture:
    """Frames of the walk (at most one every FRAME_EVERY_S), assembled into an animated WebP."""

    def __init__(self, page: Page, folder: Path):
        self.page, self.folder = page, folder
        self.frames: list[tuple[Path, int]] = []
        self.last = 0.0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, hold_ms: int = 700, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < FRAME_EVERY_S:
            return
        self.last = time.monotonic()
        path = self.folder / f"frame-{len(self.frames):03d}.png"
        with contextlib.suppress(Exception):  # a frame is a nicety: a navigation under it is no failure
            self.page.screenshot(path=str(path))
            self.frames.append((path, hold_ms))

    def key(self) -> None:
        """A moment worth dwelling on."""
        self(hold_ms=2200, force=True)

    def save(self, target: Path) -> None:
        from PIL import Image

        if not self.frames:
            return
        images = []
        for path, _ in self.frames:
            with Image.open(path) as image:
                height = round(image.height * FRAME_WIDTH / image.width)
                images.append(image.convert("RGB").resize((FRAME_WIDTH, height), Image.Resampling.LANCZOS))
        images[0].save(
            target,
            save_all=True,
            append_images=images[1:],
            duration=[hold for _, hold in self.frames],
            loop=0,
            quality=70,
            method=4,
        )


@pytest.fixture(scope="module")
def demo_stack(browser, tmp_path_factory, stack_launcher) -> Iterator[Any]:
    with stack_launcher(tmp_path_factory.mktemp("demo-stack"), DEMO_ENV) as started:
        yield started


@pytest.fixture(scope="module")
def demo(browser, demo_stack) -> Iterator[tuple[Page, Api]]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_stack.frontend_url)
    api = Api(demo_stack.backend_url, demo_stack.admin_key())
    yield page, api
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def incidents(api: Api, **params: Any) -> list[dict[str, Any]]:
    return api.get("/incidents", limit=50, **params)["incidents"]


def switch(page: Page, api: Api, button: str, scenario: str) -> datetime:
    """Press a scenario's button in the Simulator view; the switch's time as the backend stored it."""
    open_view(page, "simulator")
    page.get_by_role("button", name=button).first.click()
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", scenario, timeout=15_000)
    return when(api.get("/simulator")["started_at"])


def test_the_quickstart_demo_keeps_its_promises_with_default_settings(demo, demo_stack, artifacts):
    page, api = demo
    words = demo_words()
    capture = Capture(page, artifacts / "demo-frames")
    walk = Walk(page, PATIENCE_S, on_poll=capture)
    try:
        _walk(page, api, walk, words, capture, demo_stack.admin_key())
    finally:
        report = walk.report()
        (artifacts / "quickstart-timings.json").write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nquickstart timings: {json.dumps(report)}")
        DOCS.mkdir(exist_ok=True)
        capture.save(artifacts / "demo.webp")
        if (artifacts / "demo.webp").exists():
            (DOCS / "demo.webp").write_bytes((artifacts / "demo.webp").read_bytes())


def _walk(page: Page, api: Api, walk: Walk, words: list[str], capture: Capture, key: str) -> None:
    sudden, concept, normal = (button_word(words, w) for w in ("Start sudden", "Start concept", "Back to normal"))
    baseline = api.get("/model")["metrics"]["roc_auc"]

    # 1. Overview: live, counting; the first cycle fills the Drift view within a minute or so.
    with walk.step("overview live and the first drift results"):
        expect(page.get_by_test_id("connection-status")).to_have_attribute("data-status", "live", timeout=30_000)
        capture.key()
        open_view(page, "drift")
        rows = page.locator("tr[data-feature]")
        walk.wait("the first monitoring cycle's drift results", lambda: (rows.count() > 0, {"rows": rows.count()}))
        capture.key()

    # 2. Sudden shift, through the Simulator view: the first action asks once for the admin key.
    with walk.step("sudden shift: one incident"):
        open_view(page, "simulator")
        page.get_by_role("button", name=sudden).first.click()
        dialog = page.get_by_role("dialog", name="Sign in to make changes")
        dialog.get_by_label("API key").fill(key)
        dialog.get_by_role("button", name="Sign in").click()
        expect(dialog).to_have_count(0, timeout=15_000)
        expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "sudden", timeout=15_000)
        shifted_at = when(api.get("/simulator")["started_at"])
        open_view(page, "alerts")
        cards = page.get_by_test_id("incident")

        def one_incident() -> tuple[bool, dict[str, Any]]:
            active = incidents(api, status="active")
            seen = {"active": [(i["cause"], i["title"], i["n_alerts"]) for i in active], "cards": cards.count()}
            drift = [i for i in active if i["cause"] == "drift"]
            return len(drift) == 1 and len(active) == 1 and cards.count() == 1, seen

        walk.wait("one drift incident open and shown", one_incident)
        (incident,) = incidents(api, status="active")
        detected_s = (when(incident["opened_at"]) - shifted_at).total_seconds()
        walk.figures["incident_detected_s"] = round(detected_s, 1)
        assert detected_s <= DETECT_WITHIN_S, f"the incident opened {detected_s:.0f} s after the shift: {incident}"
        assert incident["n_alerts"] >= 2, f"one incident groups the shift's alerts: {incident}"
        alerts = api.get("/alerts", status="open")["items"]
        assert all(a.get("incident_id") == incident["id"] for a in alerts), alerts
        card = cards.first
        expect(card.get_by_test_id("incident-title")).to_have_text(incident["title"])
        assert "_" not in incident["title"] + incident["summary"], f"raw feature names in the incident: {incident}"
        capture.key()

    # 3. The Drift view leads with the verdict and the most drifted feature, selected.
    with walk.step("drift view: verdict and the top feature"):
        open_view(page, "drift")
        verdict = page.get_by_test_id("drift-verdict")
        expect(verdict).to_contain_text("Drifted", timeout=60_000)
        top = page.locator("tr[data-feature]").first
        top_feature = top.get_attribute("data-feature")
        assert top_feature in {f["name"] for f in incident["features"]}, (top_feature, incident["features"])
        expect(page.get_by_test_id("feature-detail")).to_have_attribute("data-feature", top_feature)
        capture.key()

    # 4. Alerts: the incident is acknowledged once, for all its alerts.
    with walk.step("acknowledge the incident"):
        open_view(page, "alerts")
        page.get_by_test_id("incident").first.get_by_test_id("incident-ack").click()
        expect(page.get_by_test_id("incident").first).to_have_attribute("data-status", "acknowledged", timeout=15_000)
        assert {a["status"] for a in api.get(f"/incidents/{incident['id']}")["alerts"]} <= {"acknowledged", "resolved"}

    # 5. Concept drift: the inputs look alike, performance falls; an alert within 3 minutes.
    with walk.step("concept drift: realized ROC-AUC below the baseline, with an alert"):
        concept_at = switch(page, api, concept, "concept")
        open_view(page, "performance")
        realized_cell = page.get_by_test_id("performance-table").locator("tbody tr").first.locator("td").nth(1)

        def fallen() -> tuple[bool, dict[str, Any]]:
            realized = (api.get("/performance").get("latest") or {}).get("realized") or {}
            quality = [i for i in incidents(api, status="active") if i["cause"] == "performance"]
            seen = {
                "realized_roc_auc": realized.get("roc_auc"),
                "labels": realized.get("n_rows"),
                "window_start": realized.get("window_start"),
                "computed_at": realized.get("computed_at"),
                "incident": quality[0]["title"] if quality else None,
                "page_realized": shown(realized_cell),
            }
            after = bool(realized) and when(realized["window_start"]) >= concept_at
            low = (realized.get("roc_auc") or 1.0) < baseline and (figure(seen["page_realized"]) or 1.0) < baseline
            return after and low and bool(quality), seen

        fell = walk.wait("realized ROC-AUC below the baseline and a performance incident", fallen)
        (quality,) = [i for i in incidents(api, status="active") if i["cause"] == "performance"]
        took_s = (when(quality["opened_at"]) - concept_at).total_seconds()
        walk.figures.update(baseline=baseline, realized_fell_to=fell["realized_roc_auc"], concept_alert_s=took_s)
        assert took_s <= CONCEPT_WITHIN_S, f"the performance incident opened {took_s:.0f} s after the switch"
        capture.key()

    # 6. Back to normal: every incident resolves by itself; the Overview tells what happened.
    with walk.step("back to normal: the incidents resolve"):
        switch(page, api, normal, "none")
        open_view(page, "overview")
        summary = page.get_by_test_id("overview-incident")

        def resolved() -> tuple[bool, dict[str, Any]]:
            active = incidents(api, status="active")
            seen = {"active": [i["title"] for i in active], "overview": shown(summary)}
            return not active and summary.get_attribute("data-status", timeout=1_000) == "resolved", seen

        walk.wait("every incident resolved and the Overview's summary", resolved)
        expect(summary).to_contain_text(re.compile(r"Resolved .+ after .+"))
        capture.key()

    # 7. Predict & explain: a transaction scored, each feature's contribution beside its value.
    with walk.step("predict and explain"):
        open_view(page, "predict")
        page.get_by_role("button", name=button_word(words, "Score")).click()
        expect(page.get_by_test_id("shap-bars")).to_be_visible(timeout=30_000)
        capture.key()

    # 8. The timeline: the switches and the detections are marked on the time charts.
    with walk.step("timeline marks on the charts"):
        for view in ("overview", "performance", "drift"):
            open_view(page, view)
            marks = page.locator('[data-testid="event-mark"]')
            expect(marks.first).to_be_attached(timeout=30_000)
            kinds = {marks.nth(i).get_attribute("data-kind") for i in range(marks.count())}
            # The switches, and detections or resolutions (an older detection may be off the chart's span).
            assert "scenario" in kinds and kinds & {"incident_opened", "incident_resolved"}, (view, kinds)
        capture.key()


def test_every_view_fits_every_screen_and_cuts_no_number(demo, artifacts):
    """After the walk, with data in every view: no sideways scroll, no number cut, a screenshot each."""
    page, _ = demo
    faults = {}
    try:
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for view in VIEWS:
                open_view(page, view)
                expect(page.get_by_text("Could not load this data")).to_have_count(0)
                page.wait_for_timeout(500)
                found = layout_faults(page)
                if found["overflow_px"] > 0 or found["cut_numbers"]:
                    faults[f"{view} at {width}x{height}"] = found
                page.screenshot(path=str(artifacts / f"{view}-{width}x{height}.png"), full_page=True)
    finally:
        page.set_viewport_size({"width": 1440, "height": 900})
    assert not faults, f"layout faults: {json.dumps(faults, indent=2)}"


def test_quickstart_names_the_buttons_it_asks_for():
    """The demo's words are the dashboard's: each scenario button is 'Start <label>' from the catalogue."""
    from driftwatch_core.scenarios import SCENARIOS

    words = demo_words()
    buttons = {f"Start {s.label.lower()}" for s in SCENARIOS.values() if s.name != "none"} | {"Back to normal"}
    named = [w for w in words if w.startswith("Start ") or w == "Back to normal"]
    assert {"Back to normal"} < set(named), words
    assert set(named) <= buttons, f"QUICKSTART names buttons the dashboard does not have: {set(named) - buttons}"
