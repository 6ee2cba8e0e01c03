"""The dashboard in headless Chromium against the real local stack.

Order matters and is kept: traffic flows and every view reads without a key; an
action asks for one instead of acting, and a wrong key is refused; one sign-in
with the admin key from the stack's ENV_FILE starts the sudden scenario, which
drifts the features and raises alerts; a transaction is scored and an alert
acknowledged without being asked again; every view is photographed with live data
in it, and last the backend is restarted under the open page.
"""

from __future__ import annotations

import io
import os
import re
import signal
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from driftwatch_testing.browser import VIEWS, open_view

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RED = "#f43f5e"
CANCER_DESCRIPTION = "Breast-cancer biopsies, logistic regression via skl2onnx"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def sign_in_dialog(page: Page):
    return page.get_by_role("dialog", name="Sign in to make changes")


def header_fits(page: Page) -> None:
    """Nothing in the page's header (title, scenario, live state, session) reaches past the window's right edge."""
    overflow = page.evaluate(
        "Math.max(...[...document.querySelector('h1').closest('header').querySelectorAll('*')]"
        ".map(e => e.getBoundingClientRect().right)) - window.innerWidth"
    )
    assert overflow <= 0, f"the header is {overflow}px wider than a {page.viewport_size['width']}px window"


def test_the_prediction_counter_increments_live(page: Page):
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-status", "live", timeout=15_000)
    expect(page.get_by_test_id("session")).to_contain_text("Read-only", timeout=15_000)  # no key needed to watch
    counter = page.get_by_test_id("prediction-counter")
    expect(counter).to_be_visible(timeout=15_000)
    first = int(counter.get_attribute("data-value"))
    # The shown figure counts up to the new value: wait for it, never for a fixed time.
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=prediction-counter]').innerText.replace(/,/g, '')) > n",
        arg=first,
        timeout=15_000,
    )


def test_every_view_reads_without_signing_in(page: Page):
    loaded = {
        "overview": page.get_by_test_id("prediction-counter"),
        "alerts": page.get_by_test_id("incident-count").first,
        "predict": page.get_by_role("form", name="Model input"),  # built from the served version's schema
        "simulator": page.get_by_test_id("active-scenario"),
        "models": page.get_by_role("list", name="Registered models"),
    }
    for view in VIEWS:
        open_view(page, view)
        if view in loaded:
            expect(loaded[view]).to_be_visible(timeout=15_000)
        expect(page.get_by_text("Could not load this data")).to_have_count(0)
    open_view(page, "simulator")
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "none")
    expect(page.get_by_test_id("session")).to_contain_text("Read-only")


def test_an_action_asks_for_a_key_instead_of_acting_and_refuses_a_wrong_one(page: Page, artifacts):
    open_view(page, "simulator")
    page.get_by_role("button", name="Start sudden shift").click()
    dialog = sign_in_dialog(page)
    expect(dialog).to_be_visible()
    key = dialog.get_by_label("API key")
    expect(key).to_be_focused()
    expect(key).to_have_attribute("type", "password")
    expect(dialog).to_contain_text("ADMIN_API_KEYS")
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "none")
    page.screenshot(path=str(artifacts / "sign-in-dialog-1440x900.png"))

    key.fill("dwa_this-is-not-the-key")
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog.get_by_role("alert")).to_contain_text("That key was not accepted", timeout=15_000)
    expect(dialog).to_be_visible()
    page.set_viewport_size(PHONE)
    try:
        page.screenshot(path=str(artifacts / "sign-in-dialog-wrong-key-390x844.png"))
    finally:
        page.set_viewport_size(DESKTOP)

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "none")
    expect(page.get_by_test_id("session")).to_contain_text("Read-only")


def test_one_sign_in_starts_the_sudden_scenario_which_turns_a_feature_red_and_opens_an_incident(
    page: Page,
    admin_key,
    artifacts,
):
    open_view(page, "simulator")
    page.get_by_role("button", name="Start sudden shift").click()
    dialog = sign_in_dialog(page)
    dialog.get_by_label("API key").fill(admin_key)
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog).to_have_count(0, timeout=15_000)
    # The action asked for runs once signed in: no second click.
    expect(page.get_by_test_id("active-scenario")).to_have_attribute("data-scenario", "sudden", timeout=15_000)
    expect(page.get_by_text("Traffic: Sudden shift")).to_be_visible()
    session = page.get_by_test_id("session")
    expect(session).to_have_attribute("data-role", "admin")
    expect(session).to_contain_text("Signed in · admin")
    expect(session.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=str(artifacts / "signed-in-1440x900.png"))
    page.set_viewport_size(PHONE)
    try:
        expect(session.get_by_role("button", name="Sign out")).to_be_visible()
        header_fits(page)
        page.screenshot(path=str(artifacts / "signed-in-390x844.png"))
    finally:
        page.set_viewport_size(DESKTOP)

    open_view(page, "drift")
    # No reload from here on: the drift event over the live channel brings the results.
    significant = page.locator('tr[data-severity="significant"]')
    expect(significant.first).to_be_visible(timeout=90_000)
    expect(page.locator(f'.recharts-bar-rectangle path[fill="{RED}"]').first).to_be_visible()

    open_view(page, "alerts")
    incident = page.locator('[data-testid="incident"][data-status="open"]')
    expect(incident.first).to_be_visible(timeout=60_000)
    expect(incident).to_have_count(1)  # the shift's alerts, grouped


def test_the_predict_form_returns_a_probability_with_shap_bars(page: Page):
    open_view(page, "predict")
    page.get_by_role("button", name="Suspicious purchase").click()
    page.get_by_role("button", name="Score", exact=True).click()
    expect(sign_in_dialog(page)).to_have_count(0)  # signed in once: not asked again
    probability = page.get_by_test_id("model-score")
    expect(probability).to_be_visible(timeout=15_000)
    value = float(probability.inner_text().rstrip("%"))
    assert 50 < value <= 100, value  # the suspicious preset carries the generator's fraud signals
    bars = page.get_by_test_id("shap-bar")
    expect(bars).to_have_count(13)
    fills = {bars.nth(i).get_attribute("data-fill") for i in range(13)}
    assert RED in fills  # at least one feature pushes towards fraud
    expect(page.get_by_test_id("shap-label").filter(has_text="Amount (USD) = $")).to_have_count(1)  # beside its value


def test_acknowledging_an_incident_acknowledges_it_once_for_all_its_alerts(page: Page, stack):
    open_view(page, "alerts")
    first = page.locator('[data-testid="incident"][data-status="open"]').first
    expect(first).to_be_visible(timeout=30_000)
    incident_id = first.get_attribute("data-incident-id")
    first.get_by_test_id("incident-ack").click()
    expect(sign_in_dialog(page)).to_have_count(0)
    card = page.locator(f'[data-testid="incident"][data-incident-id="{incident_id}"]')
    expect(card).to_have_attribute("data-status", "acknowledged", timeout=15_000)
    expect(card.get_by_test_id("incident-resolve")).to_be_visible()
    card.get_by_test_id("incident-members").locator("summary").click()
    members = card.get_by_test_id("incident-members").locator("li[data-alert-id]")
    expect(members.first).to_be_visible()
    held = httpx.get(f"{stack.backend_url}/api/v1/incidents/{incident_id}", timeout=15).json()
    assert held["n_alerts"] >= 2, held
    assert {a["status"] for a in held["alerts"]} <= {"acknowledged", "resolved"}, held


def _register_cancer_model(stack, admin_key: str) -> None:
    """Register scikit-learn's breast-cancer set (a logistic regression through ONNX) as `cancer`, as a user would."""
    import numpy as np
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    reference = load_breast_cancer(as_frame=True).frame.sample(frac=0.5, random_state=0)
    X = reference.drop(columns="target").to_numpy(np.float32)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, reference["target"])
    artifact = to_onnx(model, X[:1], options={"zipmap": False}).SerializeToString()
    csv = io.StringIO()
    reference.to_csv(csv, index=False)
    answer = httpx.post(
        f"{stack.backend_url}/api/v1/models",
        headers={"X-API-Key": admin_key},
        data={"name": "cancer", "label": "target", "description": CANCER_DESCRIPTION},
        files={"artifact": ("cancer.onnx", artifact), "reference": ("reference.csv", csv.getvalue().encode())},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text


def test_a_registered_model_is_listed_in_the_models_view_and_picked_in_the_switcher(page: Page, stack, admin_key):
    switcher = page.get_by_test_id("model-switcher")
    expect(switcher).to_have_count(0)  # the fraud model alone: the header as it always was
    _register_cancer_model(stack, admin_key)

    open_view(page, "models")  # the view reads the registry again when it opens
    cancer = page.locator('li[data-model="cancer"]')
    expect(cancer).to_contain_text(CANCER_DESCRIPTION, timeout=15_000)
    expect(cancer).to_contain_text("onnx")
    expect(page.locator('li[data-model="fraud"]')).to_contain_text("xgboost")
    expect(switcher).to_have_value("fraud")  # two models now: the header offers the switch

    open_view(page, "drift")
    switcher.select_option("cancer")
    expect(page).to_have_url(re.compile(r"\?model=cancer#/drift$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Drift")  # switching keeps the view
    open_view(page, "models")
    expect(cancer.get_by_text("Selected")).to_be_visible()

    cancer.get_by_role("button", name="Drift of cancer").click()
    expect(page).to_have_url(re.compile(r"\?model=cancer#/drift$"))
    switcher.select_option("fraud")  # back to the fraud model, for what follows
    expect(page).to_have_url(re.compile(r"/#/drift$"))
    assert "model=" not in page.url
    open_view(page, "overview")
    expect(page.get_by_test_id("prediction-counter")).to_be_visible(timeout=15_000)


def test_a_registered_models_drift_view_flags_the_two_shifted_features_and_no_other(page: Page, stack, admin_key):
    """The other half of the breast-cancer data, two measurements shifted, scored through the
    registered model: after a cycle its Drift view marks exactly those two; fraud's is untouched."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    live = frame.drop(frame.sample(frac=0.5, random_state=0).index).drop(columns="target")
    live["mean radius"] *= 1.5
    live["mean texture"] += 10.0
    scored = httpx.post(
        f"{stack.backend_url}/api/v1/models/cancer/predict/batch",
        headers={"X-API-Key": admin_key},
        json={"rows": live.to_dict("records")},
        timeout=60,
    )
    assert scored.status_code == 200, scored.text

    switcher = page.get_by_test_id("model-switcher")
    open_view(page, "overview")
    switcher.select_option("cancer")
    expect(page.get_by_text("2 of 30 features drifted")).to_be_visible(timeout=90_000)
    open_view(page, "drift")
    drifted = page.locator('tr[data-feature][data-drifted="true"]')
    expect(drifted).to_have_count(2, timeout=30_000)
    assert sorted(drifted.evaluate_all("rows => rows.map(r => r.dataset.feature)")) == ["mean radius", "mean texture"]
    expect(page.locator("tr[data-feature]")).to_have_count(30)

    switcher.select_option("fraud")  # the fraud model's view: none of the cancer model's rows
    expect(page.locator('tr[data-feature="amount"]')).to_be_visible(timeout=30_000)
    expect(page.locator('tr[data-feature="mean radius"]')).to_have_count(0)


#: What only each model's views may show: a feature label of its own (the drift table, the predict form).
OWN_FEATURE = {"fraud": ("amount", "Amount (USD)"), "cancer": ("mean radius", "Mean radius")}


def _active_titles(stack, model: str) -> list[str]:
    body = httpx.get(f"{stack.backend_url}/api/v1/models/{model}/incidents", params={"status": "active"}, timeout=15)
    return [incident["title"] for incident in body.json()["incidents"]]


def test_each_view_shows_only_the_selected_models_data(page: Page, stack, artifacts):
    """Both models drifting, each with an incident of its own (fraud's sudden shift, cancer's two shifted
    measurements): with either selected, every view at 1440 px shows that model's data and nothing of
    the other's: no incident title, no feature of the other model (the live channel is per model)."""
    deadline = time.monotonic() + 180  # cancer's incident opens with the worker's next cycles
    while not (_active_titles(stack, "fraud") and _active_titles(stack, "cancer")):
        assert time.monotonic() < deadline, {m: _active_titles(stack, m) for m in ("fraud", "cancer")}
        page.wait_for_timeout(1000)
    titles = {model: _active_titles(stack, model) for model in ("fraud", "cancer")}
    assert not set(titles["fraud"]) & set(titles["cancer"]), titles

    switcher = page.get_by_test_id("model-switcher")
    for model, other in (("cancer", "fraud"), ("fraud", "cancer")):
        open_view(page, "overview")
        switcher.select_option(model)
        feature, label = OWN_FEATURE[model]
        own = {
            "overview": page.get_by_text(titles[model][0]).first,  # the current incident is its own
            "drift": page.locator(f'tr[data-feature="{feature}"]'),
            "performance": page.get_by_test_id("performance-table"),
            "alerts": page.locator('[data-testid="incident"]').filter(has_text=titles[model][0]).first,
            "predict": page.get_by_role("form", name="Model input").get_by_text(label, exact=False).first,
            "simulator": page.get_by_test_id("active-scenario"),
        }
        for view, shown_ in own.items():
            open_view(page, view)
            expect(shown_).to_be_visible(timeout=60_000)
            for title in titles[other]:
                expect(page.get_by_text(title)).to_have_count(0)
            expect(page.get_by_text(OWN_FEATURE[other][1], exact=False)).to_have_count(0)
            page.screenshot(path=str(artifacts / f"{view}-{model}-1440x900.png"), full_page=True)
        open_view(page, "alerts")
        cards = page.locator('[data-testid="incident"]')
        shown_titles = cards.evaluate_all("cards => cards.map(c => c.dataset.title ?? c.innerText)")
        assert all(not any(t in text for t in titles[other]) for text in shown_titles), shown_titles
    switcher.select_option("fraud")  # the fraud model again, for what follows


def test_every_view_is_populated_and_photographed(page: Page, artifacts):
    ready = {
        "overview": page.get_by_test_id("dataset-drift-status"),
        "drift": page.get_by_test_id("feature-detail"),
        "performance": page.get_by_test_id("performance-table"),
        "alerts": page.get_by_test_id("incident").first,
        "predict": page.get_by_test_id("shap-bars"),
        "simulator": page.get_by_test_id("active-scenario"),
        "models": page.locator('li[data-model="cancer"]'),
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
        arg=before,
        timeout=20_000,
    )
