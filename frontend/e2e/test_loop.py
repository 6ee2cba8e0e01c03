"""Act on drift, end to end: the loop of QUICKSTART walked in the browser as a user would.

After test_dashboard.py, on the same stack (conftest's STACK_ENV: a cycle every 5 s, realized
performance over the last minute of labels, a retrain on the last minute of traffic). Signed
in with the admin key through the sign-in dialog, the test switches the simulator to concept
drift at 50 req/s, waits for realized ROC-AUC to fall under 0.8 and the performance alert to
open, asks for a retrain in the Models view, sees the challenger registered in shadow, waits
until it beats the champion on the same labelled requests (the interval of the difference
above zero), promotes it, and sees the promotion marked on the Performance view's quality chart
and realized ROC-AUC recover. Every wait polls a condition against a deadline and fails naming
its step and what it saw last. The steps' times are written to artifacts/loop-timings.json;
the README's two screenshots of the loop go to frontend/docs/ (copies in artifacts/).
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from driftwatch_testing.browser import VIEWS, Api, Probe, Walk, figure, open_view, shown, when

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[1] / "docs"
MODEL = "fraud"
RPS = 50
MIN_ROC_AUC = 0.8  # WORKER_MIN_ROC_AUC's default: below it a performance alert opens
PATIENCE_S = 300.0  # per step: generous for a busy 2-core runner
QUALITY_CHART = "Realized and estimated ROC-AUC and F1 over time"


def screenshot(page: Page, artifacts: Path, name: str, **options: Any) -> None:
    """The README's copy in frontend/docs/ and the run's in artifacts/."""
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / name), **options)
    (artifacts / name).write_bytes((DOCS / name).read_bytes())


def newest_realized(api: Api) -> dict[str, Any] | None:
    return (api.get("/performance").get("latest") or {}).get("realized")


def test_concept_drift_is_caught_retrained_compared_promoted_and_recovers(page: Page, stack, admin_key, artifacts):
    api = Api(stack.backend_url, admin_key)
    loop = Walk(page, PATIENCE_S)
    label_window_s = float(stack.env["WORKER_LABEL_WINDOW_MINUTES"]) * 60
    page.set_viewport_size({"width": 1440, "height": 900})
    try:
        _walk(page, api, loop, label_window_s, admin_key, artifacts)
    finally:
        report = loop.report()
        (artifacts / "loop-timings.json").write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nloop timings: {json.dumps(report)}")
        with contextlib.suppress(httpx.HTTPError):  # whatever happened: normal traffic at the simulator's own rate
            api.put("/simulator", {"scenario": "none", "rps": None})


def _walk(page: Page, api: Api, loop: Walk, label_window_s: float, admin_key: str, artifacts: Path) -> None:
    # 1. Concept drift at 50 req/s, through the Simulator view: the first action asks for the key.
    with loop.step("concept drift on at 50 req/s (sign in, switch, rate)"):
        open_view(page, "simulator")
        page.get_by_role("button", name="Start concept drift").click()
        dialog = page.get_by_role("dialog", name="Sign in to make changes")
        dialog.get_by_label("API key").fill(admin_key)
        dialog.get_by_role("button", name="Sign in").click()
        expect(dialog).to_have_count(0, timeout=15_000)
        expect(page.get_by_test_id("session")).to_have_attribute("data-role", "admin")
        expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "concept", timeout=15_000)
        rate = page.get_by_label("Requests per second")
        rate.fill(str(RPS))
        page.get_by_role("button", name="Apply rate").click()
        expect(page.get_by_text(f"Setting: {RPS} req/s")).to_be_visible(timeout=15_000)
        state = api.get("/simulator")
        assert (state["scenario"], state["rps"]) == ("concept", RPS), state
        switched_at = when(state["started_at"])

    # 2. Performance falls while the inputs look alike: realized ROC-AUC under 0.8, an alert opens.
    open_view(page, "alerts")
    shown_alert = page.locator('[data-testid="incident"]').filter(has_text="ROC-AUC")

    def fallen(whole_window: bool) -> Probe:
        """Realized ROC-AUC under 0.8 with the alert open (and shown), over labels partly or wholly after the switch."""

        def probe() -> tuple[bool, dict[str, Any]]:
            realized = newest_realized(api) or {}
            alerts = api.get("/alerts", status="open")["items"]
            seen = {
                "realized_roc_auc": realized.get("roc_auc"),
                "labelled_rows": realized.get("n_rows"),
                "window_start": realized.get("window_start"),
                "open_alerts": [f"{a['kind']}:{a.get('feature')}" for a in alerts],
                "alert_shown": shown(shown_alert),
            }
            if not realized:
                return False, seen
            # Realized performance starts at the switch; a whole label window of drifted traffic is one
            # label window of time after it (the retrain learns from the last RETRAIN_WINDOW_MINUTES).
            since = when(realized["window_start"]) >= switched_at
            if whole_window:
                since = since and (when(realized["window_end"]) - switched_at).total_seconds() >= label_window_s
            low = realized.get("roc_auc") is not None and realized["roc_auc"] < MIN_ROC_AUC
            alert = any(a["kind"] == "performance" for a in alerts) and seen["alert_shown"] is not None
            return since and low and alert, seen

        return probe

    with loop.step("performance alert open, realized ROC-AUC < 0.8"):
        loop.wait("wait for realized ROC-AUC < 0.8 and an open performance alert", fallen(whole_window=False))
        alerts_nav = page.get_by_role("navigation", name="Views").get_by_role("button", name=VIEWS["alerts"])
        expect(alerts_nav).to_contain_text(re.compile(r"\d"))  # the open alerts' count beside it

    # The retrain learns from the last RETRAIN_WINDOW_MINUTES of labels: it is asked for once a whole
    # label window has been drifted traffic, as someone reading the falling chart would wait to see.
    with loop.step("a whole label window under concept drift"):
        fell = loop.wait("wait for a label window of concept drift only", fallen(whole_window=True))

    # 3. Retrain from the Models view: a job goes queued → training → evaluating → registered, in shadow.
    with loop.step("retrain: clicked to registered in shadow"):
        open_view(page, "models")
        lifecycle = page.get_by_test_id("model-lifecycle")
        expect(lifecycle).to_have_attribute("data-model", MODEL, timeout=15_000)
        champion_before = lifecycle.locator('[data-testid="version-row"][data-stage="champion"]')
        expect(champion_before).to_have_count(1, timeout=15_000)
        champion = champion_before.get_attribute("data-version")
        known = {job["id"] for job in api.get(f"/models/{MODEL}/retrain")}
        panel = page.get_by_test_id("retrain-panel")
        panel.get_by_test_id("retrain-button").click()
        expect(page.get_by_role("dialog", name="Sign in to make changes")).to_have_count(0)

        def registered() -> tuple[bool, dict[str, Any]]:
            jobs = [job for job in api.get(f"/models/{MODEL}/retrain") if job["id"] not in known]
            job = jobs[0] if jobs else {}
            item = panel.locator(f'[data-testid="retrain-job"][data-job-id="{job.get("id")}"]')
            seen = {
                "job": job.get("id"),
                "status": job.get("status"),
                "progress": job.get("progress"),
                "error": job.get("error"),
                "version": job.get("version"),
                "panel_status": item.get_attribute("data-status", timeout=1_000) if job and item.count() else None,
            }
            if job.get("status") == "failed":
                pytest.fail(f"the retrain failed: {seen}", pytrace=False)
            return seen["panel_status"] == "registered", seen

        job = loop.wait("wait for the retrain job to be registered", registered)
        challenger = job["version"]
        item = panel.locator(f'[data-testid="retrain-job"][data-job-id="{job["job"]}"]')
        expect(item.get_by_test_id("retrain-job-status")).to_have_text("Registered")
        expect(item.get_by_test_id("retrain-job-version")).to_contain_text(challenger)
        shadow_row = lifecycle.locator(f'[data-testid="version-row"][data-version="{challenger}"]')
        expect(shadow_row).to_have_attribute("data-stage", "shadow", timeout=30_000)
        expect(shadow_row.get_by_test_id("stage-badge")).to_have_text("Shadow")
        shadow_event = next(e for e in api.get("/events") if e["kind"] == "shadow" and e["version"] == challenger)
        shadow_since = when(shadow_event["created_at"])

    # 4. Champion against challenger on the same labelled requests, once a whole label window was scored by both.
    with loop.step("comparison: challenger beats champion on a full label window"):
        card = page.get_by_test_id("comparison-chart")
        champion_row = lifecycle.locator(f'[data-testid="version-row"][data-version="{champion}"]')
        auc_diff = card.get_by_test_id("comparison-auc-diff")

        def beaten() -> tuple[bool, dict[str, Any]]:
            comparison = api.get(f"/models/{MODEL}/comparison")
            pair = (champion, challenger)
            points = [p for p in comparison["points"] if (p["champion_version"], p["challenger_version"]) == pair]
            point = points[-1] if points else None
            details = point["details"] if point else {}
            sides = {
                s: ((details.get(s) or {}).get("realized") or {}).get("roc_auc") for s in ("champion", "challenger")
            }
            page_sides = {
                "champion": figure(shown(champion_row.get_by_test_id("version-realized-auc"))),
                "challenger": figure(shown(shadow_row.get_by_test_id("version-realized-auc"))),
            }
            seen = {
                "computed_at": point and point["computed_at"],
                "n_labelled": point and point["n_labelled"],
                "api_roc_auc": sides,
                "auc_diff": details.get("auc_diff"),
                "page_roc_auc": page_sides,
                "page_diff": shown(auc_diff),
            }
            full = point is not None and (when(point["computed_at"]) - shadow_since).total_seconds() >= label_window_s
            ahead = None not in sides.values() and sides["challenger"] > sides["champion"]
            page_ahead = None not in page_sides.values() and page_sides["challenger"] > page_sides["champion"]
            return full and ahead and page_ahead, seen

        compared = loop.wait("wait for the challenger's realized ROC-AUC above the champion's", beaten)
        diff = compared["auc_diff"]
        assert diff["low"] is not None and diff["low"] > 0, f"the difference's 95% interval reaches zero: {compared}"
        hint = auc_diff.locator("xpath=../..").inner_text()  # the Stat around its number: value and hint
        interval = re.search(r"95% interval ([+\-−]?[\d.]+) to ([+\-−]?[\d.]+)", hint)
        assert interval, f"no interval under the ROC-AUC difference: {hint!r}"
        assert figure(interval.group(1)) > 0, f"the page's interval reaches zero: {hint!r}"
        expect(card.locator(".auc-band path").first).to_be_visible()
        expect(card.get_by_test_id("gate-decision")).to_be_visible()
        # The whole page down to the end of the lifecycle: versions, retrains, the comparison and the gate.
        bottom = page.evaluate(
            "document.querySelector('[data-testid=model-lifecycle]').getBoundingClientRect().bottom + window.scrollY"
        )
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": bottom + 12}
        screenshot(page, artifacts, "loop-shadow.png", full_page=True, clip=clip)

    # 5. Promote the challenger, asked first.
    with loop.step("promote: confirmed to champion"):
        before = newest_realized(api)
        shadow_row.get_by_role("button", name=f"Promote {challenger}").click()
        confirm = page.get_by_test_id("promote-confirm")
        expect(confirm).to_be_visible()
        confirm.get_by_role("button", name="Promote", exact=True).click()
        expect(confirm).to_have_count(0)
        expect(shadow_row).to_have_attribute("data-stage", "champion", timeout=30_000)
        expect(champion_row).to_have_attribute("data-stage", "previous", timeout=30_000)
        promoted = next(e for e in api.get("/events") if e["kind"] == "promoted" and e["version"] == challenger)
        promoted_at = when(promoted["created_at"])
        assert api.get(f"/models/{MODEL}")["stages"]["champion"] == challenger

    # 6. The Performance view: the promotion marked on the quality chart, realized ROC-AUC back up.
    with loop.step("recovery: realized ROC-AUC over a label window after the promotion"):
        open_view(page, "performance")
        chart = page.get_by_role("img", name=QUALITY_CHART)
        mark = chart.locator(f'[data-testid="event-mark"][data-kind="promoted"][data-version="{challenger}"]')
        realized_cell = page.get_by_test_id("performance-table").locator("tbody tr").first.locator("td").nth(1)

        def recovered() -> tuple[bool, dict[str, Any]]:
            realized = newest_realized(api) or {}
            seen = {
                "before": before["roc_auc"],
                "realized_roc_auc": realized.get("roc_auc"),
                "window_start": realized.get("window_start"),
                "labelled_rows": realized.get("n_rows"),
                "page_realized": shown(realized_cell),
                "mark_drawn": mark.count(),
            }
            after = bool(realized) and when(realized["window_start"]) >= promoted_at
            up = realized.get("roc_auc") is not None and realized["roc_auc"] > before["roc_auc"]
            page_up = (figure(seen["page_realized"]) or 0) > before["roc_auc"]
            return after and up and page_up and seen["mark_drawn"] > 0, seen

        back = loop.wait("wait for the promotion mark and realized ROC-AUC above the former champion's", recovered)
        expect(mark).to_have_count(1)
        expect(chart.locator('[data-testid="event-mark-label"]', has_text="Promoted")).to_have_count(1)
        for kind in ("shadow", "retrain_registered"):
            expect(
                chart.locator(f'[data-testid="event-mark"][data-kind="{kind}"][data-version="{challenger}"]')
            ).to_have_count(1)
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, artifacts, "loop-promoted.png")
        loop.figures = {
            "fell_to": fell["realized_roc_auc"],
            "comparison": {k: compared[k] for k in ("api_roc_auc", "auc_diff", "n_labelled")},
            "before_promotion": before["roc_auc"],
            "recovered_to": back["realized_roc_auc"],
        }

    # 7. Back to normal traffic at the simulator's own rate, as the Simulator view offers.
    with loop.step("back to normal traffic"):
        open_view(page, "simulator")
        page.get_by_role("button", name="Back to normal").first.click()
        expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "none", timeout=15_000)
