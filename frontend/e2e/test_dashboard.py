"""The dashboard in headless Chromium against the real local stack.

Order matters and is kept: traffic flows, a transaction is scored, the sudden
scenario drifts the features and raises alerts, one alert is acknowledged, every
view is photographed with live data in it, and last the backend is restarted
under the open page.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VIEWS = ("overview", "drift", "performance", "alerts", "predict", "simulator")
NAV = {
    "overview": "Overview", "drift": "Drift", "performance": "Performance",
    "alerts": "Alerts", "predict": "Predict & explain", "simulator": "Simulator",
}
RED = "#f43f5e"


def open_view(page: Page, view: str) -> None:
    page.get_by_role("navigation", name="Views").get_by_role("button", name=NAV[view]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAV[view])


def test_the_prediction_counter_increments_live(page: Page):
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-status", "live", timeout=15_000)
    counter = page.get_by_test_id("prediction-counter")
    expect(counter).to_be_visible(timeout=15_000)
    first = int(counter.get_attribute("data-value"))
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=prediction-counter]').dataset.value) > n",
        arg=first, timeout=15_000,
    )
    page.wait_for_timeout(1500)  # let the count-up animation settle
    shown = int(counter.inner_text().replace(",", ""))
    assert shown > first


def test_the_predict_form_returns_a_probability_with_shap_bars(page: Page):
    open_view(page, "predict")
    page.get_by_role("button", name="Suspicious purchase").click()
    page.get_by_role("button", name="Score transaction").click()
    probability = page.get_by_test_id("fraud-probability")
    expect(probability).to_be_visible(timeout=15_000)
    value = float(probability.inner_text().rstrip("%"))
    assert 50 < value <= 100, value  # the suspicious preset carries the generator's fraud signals
    bars = page.get_by_test_id("shap-bars").locator(".recharts-bar-rectangle path")
    expect(bars).to_have_count(13)
    fills = {bars.nth(i).get_attribute("fill") for i in range(13)}
    assert RED in fills  # at least one feature pushes towards fraud


def test_the_sudden_scenario_turns_a_feature_red_and_raises_an_alert(page: Page):
    open_view(page, "simulator")
    page.get_by_role("button", name="Start sudden shift").click()
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "sudden")
    expect(page.get_by_text("Traffic: Sudden shift")).to_be_visible()

    open_view(page, "drift")
    # No reload from here on: the drift event over the live channel brings the results.
    significant = page.locator('tr[data-severity="significant"]')
    expect(significant.first).to_be_visible(timeout=90_000)
    expect(page.locator(f'.recharts-bar-rectangle path[fill="{RED}"]').first).to_be_visible()

    open_view(page, "alerts")
    expect(page.locator('li[data-status="open"]').first).to_be_visible(timeout=60_000)


def test_acknowledging_an_alert_moves_it(page: Page):
    open_view(page, "alerts")
    first = page.locator('li[data-status="open"]').first
    alert_id = first.get_attribute("data-alert-id")
    first.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f'li[data-alert-id="{alert_id}"]')).to_have_count(0)
    page.get_by_role("tab", name="Acknowledged").click()
    moved = page.locator(f'li[data-alert-id="{alert_id}"]')
    expect(moved).to_have_attribute("data-status", "acknowledged")
    expect(moved.get_by_role("button", name="Resolve")).to_be_visible()
    page.get_by_role("tab", name="Open").click()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_no_view_overflows_a_laptop_or_desktop_screen(page: Page, artifacts, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    try:
        for view in VIEWS:
            open_view(page, view)
            page.wait_for_timeout(300)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{view} is {overflow}px wider than a {size[0]}x{size[1]} window"
            if view in ("overview", "drift"):
                page.screenshot(path=str(artifacts / f"{view}-{size[0]}x{size[1]}.png"))
    finally:
        page.set_viewport_size({"width": 1440, "height": 900})


def test_every_view_is_populated_and_photographed(page: Page, artifacts):
    ready = {
        "overview": page.get_by_test_id("dataset-drift-status"),
        "drift": page.get_by_test_id("feature-detail"),
        "performance": page.get_by_test_id("performance-table"),
        "alerts": page.locator("li[data-alert-id]").first,
        "predict": page.get_by_test_id("shap-bars"),
        "simulator": page.get_by_test_id("active-scenario"),
    }
    for view in VIEWS:
        open_view(page, view)
        expect(ready[view]).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1000)
        expect(page.get_by_text("Could not load this data")).to_have_count(0)
        expect(page.get_by_text("Waiting for the first")).to_have_count(0)
        page.screenshot(path=str(artifacts / f"{view}.png"), full_page=True)


def _stop_process_group(pid: int, timeout_s: float = 15.0) -> None:
    os.killpg(pid, signal.SIGTERM)  # setup.sh runs each service in its own session
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the backend (pid {pid}) did not stop within {timeout_s} s")


def test_the_dashboard_shows_a_lost_backend_and_reconnects(page: Page, stack, artifacts):
    open_view(page, "overview")
    status = page.get_by_test_id("connection-status")
    expect(status).to_have_attribute("data-status", "live")
    _stop_process_group(int((stack.run_dir / "backend.pid").read_text()))

    expect(status).to_have_attribute("data-status", "reconnecting", timeout=10_000)
    expect(page.get_by_text("Lost the live connection to the Driftwatch API.")).to_be_visible()
    page.screenshot(path=str(artifacts / "backend-down.png"))

    stack.setup()  # starts only the backend again
    expect(status).to_have_attribute("data-status", "live", timeout=30_000)
    expect(page.get_by_text("Lost the live connection to the Driftwatch API.")).to_have_count(0)
    counter = page.get_by_test_id("prediction-counter")
    before = int(counter.get_attribute("data-value"))
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=prediction-counter]').dataset.value) > n",
        arg=before, timeout=20_000,
    )
