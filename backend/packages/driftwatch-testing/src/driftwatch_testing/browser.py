"""The browser side of the suites: headless Chromium, and the walk a browser test takes.

Chromium is Debian's (``apt-get install -y chromium``; ``CHROMIUM_PATH`` overrides), driven
by Playwright, launched without any network traffic of its own. Without one a browser test
skips, unless ``REQUIRE_BROWSER=1`` (CI), where a missing browser fails the run.

A walk (:class:`Walk`) is a user's path through the dashboard as a list of named steps, each
with its elapsed time; every wait in it polls a condition (a probe: does it hold yet, and what
was seen) against a deadline and fails naming the step and what it saw last, so a slow
machine makes a walk slower, never wrong. :class:`Api` reads the same stack as the page does.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from driftwatch_testing import tiers

#: No background traffic of the browser's own: only what the page asks for goes out.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The dashboard's views by id (its URL hash), with the label of their navigation button.
VIEWS = {
    "overview": "Overview",
    "drift": "Drift",
    "performance": "Performance",
    "alerts": "Alerts",
    "predict": "Predict & explain",
    "simulator": "Simulator",
    "models": "Models",
}
#: A wait's condition: whether it holds yet, and what was seen (for the failure's message).
Probe = Callable[[], tuple[bool, dict[str, Any]]]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright ``Browser``); skips or fails the test without one."""
    tiers.require("e2e", "launches a browser")
    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium (apt-get install -y chromium) or CHROMIUM_PATH"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_view(page: Any, view: str) -> None:
    """Open a dashboard view through its navigation, from the Menu drawer on a narrow window."""
    from playwright.sync_api import expect

    menu = page.get_by_role("button", name="Menu", exact=True)
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()  # a narrow window: the views are in a drawer, closed until the menu opens it
    page.get_by_role("navigation", name="Views").get_by_role("button", name=VIEWS[view]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VIEWS[view])


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def figure(text: str | None) -> float | None:
    """A figure as the dashboard prints it ("0.493", "+0.231", "−0.004", "—") as a number, or None."""
    if text is None:
        return None
    match = re.search(r"[+\-−]?\d+(?:\.\d+)?", text.replace(",", ""))
    return float(match.group(0).replace("−", "-")) if match else None


def shown(locator: Any) -> str | None:
    """The text of the first element a Playwright locator matches, or None when there is none (yet)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return locator.first.inner_text(timeout=1_000) if locator.count() else None
    except PlaywrightError:  # re-rendered between the count and the read: the next poll reads it again
        return None


class Api:
    """The stack's API as the test reads it (the key for the few writes a walk makes directly)."""

    def __init__(self, base: str, key: str):
        self.client = httpx.Client(base_url=f"{base}/api/v1", headers={"X-API-Key": key}, timeout=15)

    def get(self, path: str, **params: Any) -> Any:
        answer = self.client.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    def put(self, path: str, body: dict) -> Any:
        answer = self.client.put(path, json=body)
        answer.raise_for_status()
        return answer.json()


class Walk:
    """A walk's steps with their elapsed times, and the polling every wait goes through.

    ``on_poll`` is called on every poll of every wait (the demo capture takes its frames there).
    """

    def __init__(self, page: Any, patience_s: float, on_poll: Callable[[], None] | None = None):
        self.page = page
        self.patience_s = patience_s
        self.on_poll = on_poll
        self.started = time.monotonic()
        self.steps: list[dict[str, Any]] = []
        self.figures: dict[str, Any] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        yield
        self.steps.append({"step": name, "elapsed_s": round(time.monotonic() - began, 1)})

    def wait(self, step: str, probe: Probe, timeout_s: float | None = None) -> dict[str, Any]:
        """Poll ``probe`` every 2 s until it holds; fail naming the step otherwise."""
        from playwright.sync_api import Error as PlaywrightError

        timeout_s = self.patience_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        seen: dict[str, Any] = {}
        while True:
            try:
                ok, seen = probe()
            except (httpx.HTTPError, PlaywrightError, KeyError, TypeError, ValueError) as exc:  # a restart, a re-render
                ok, seen = False, {**seen, "error": repr(exc)}
            if self.on_poll is not None:
                self.on_poll()
            if ok:
                return seen
            if time.monotonic() > deadline:
                pytest.fail(f"{step}: not within {timeout_s:.0f} s; last seen: {seen}", pytrace=False)
            self.page.wait_for_timeout(2_000)

    def report(self) -> dict[str, Any]:
        return {"total_s": round(time.monotonic() - self.started, 1), "steps": self.steps, "figures": self.figures}


#: In the page: how far it scrolls sideways, and every element that cuts a number short
#: (its text holds a digit and is wider than the box that clips it).
LAYOUT_PROBE = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = (el.innerText || '').trim();
    if (!/\\d/.test(text) || el.children.length > 3) continue;
    const style = getComputedStyle(el);
    const clips = style.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(style.overflowX);
    if (clips && el.scrollWidth > el.clientWidth + 1 && el.getClientRects().length) {
      const id = el.dataset.testid ? `[${el.dataset.testid}]` : '';
      cut.push(`${el.tagName.toLowerCase()}${id}: ${text.slice(0, 40)}`);
    }
  }
  return {overflow: document.documentElement.scrollWidth - window.innerWidth, cut};
}"""


def layout_faults(page: Any) -> dict[str, Any]:
    """What a viewer would see wrong with the page's layout: sideways scroll and numbers cut short."""
    found = page.evaluate(LAYOUT_PROBE)
    return {"overflow_px": found["overflow"], "cut_numbers": found["cut"]}
