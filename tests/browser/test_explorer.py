"""The funnel explorer in Chromium: its JavaScript against fg.dynamics, the widget, NUTS."""

from __future__ import annotations

import json

import numpy as np
import pytest
from playwright.sync_api import Page
from scipy import stats

from conftest import SCREENSHOTS
from funnelguide import dynamics


@pytest.fixture
def explorer(page: Page, base_url: str) -> Page:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "explorer.html")
    page.wait_for_selector(".funnel-explorer[data-status='ready']")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _js_leapfrog(page: Page, start, momentum, step, steps, parameterization="centered"):
    return page.evaluate(
        "([q, p, e, n, k]) => window.FunnelExplorer.leapfrog(q, p, e, n, {parameterization: k})",
        [start, momentum, step, steps, parameterization],
    )


@pytest.mark.parametrize(
    ("parameterization", "logp_grad"),
    [
        ("centered", dynamics.funnel_logp_grad),
        ("noncentered", dynamics.offset_funnel_logp_grad),
    ],
)
@pytest.mark.parametrize("start", [[1.5, 2.0], [-2.0, 0.3], [0.0, -1.0]])
def test_leapfrog_matches_python(explorer: Page, parameterization, logp_grad, start) -> None:
    momentum, step, steps = [0.7, -1.1], 0.15, 40
    result = _js_leapfrog(explorer, start, momentum, step, steps, parameterization)
    q, _, energies = dynamics.leapfrog(
        logp_grad, np.array(start[::-1]), np.array(momentum[::-1]), step_size=step, n_steps=steps
    )
    assert result["divergentStep"] == -1 and np.isfinite(energies).all()
    np.testing.assert_allclose(np.array(result["positions"])[:, ::-1], q, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result["energyErrors"], energies - energies[0], rtol=1e-9, atol=1e-9)


def test_divergent_step_is_where_python_stops(explorer: Page) -> None:
    start, momentum, step, steps = [-6.0, 0.01], [1.0, 1.0], 0.5, 20
    result = _js_leapfrog(explorer, start, momentum, step, steps)
    _, _, energies = dynamics.leapfrog(
        dynamics.funnel_logp_grad,
        np.array(start[::-1]),
        np.array(momentum[::-1]),
        step_size=step,
        n_steps=steps,
    )
    python_step = int(np.flatnonzero(np.isfinite(energies))[-1])
    assert python_step < steps, "the case must diverge in Python too"
    assert result["divergentStep"] == python_step
    assert len(result["positions"]) == steps + 1 and result["energyErrors"][0] == 0
    assert result["energyErrors"][python_step] > dynamics.DIVERGENCE_THRESHOLD


def test_embedded_reference_cases_match_the_browser(explorer: Page) -> None:
    config = json.loads(explorer.locator("script.funnel-explorer-config").text_content())
    for case in config["reference_cases"]:
        result = _js_leapfrog(
            explorer,
            case["start"],
            case["momentum"],
            case["step_size"],
            case["steps"],
            case["parameterization"],
        )
        n = len(case["positions"])
        np.testing.assert_allclose(
            result["positions"][:n], case["positions"], rtol=1e-9, atol=1e-12
        )


def test_slider_changes_reported_state(explorer: Page) -> None:
    root = explorer.locator(".funnel-explorer")
    before = root.get_attribute("data-energy-error")
    slider = explorer.get_by_label("Step size", exact=True)
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    assert float(root.get_attribute("data-step-size")) > 0.2
    assert root.get_attribute("data-energy-error") != before
    steps = explorer.get_by_label("Leapfrog steps (number)")
    steps.fill("7")
    assert root.get_attribute("data-steps") == "7"
    canvas = explorer.locator(".fe-panel canvas").first
    start = root.get_attribute("data-start")
    canvas.focus()
    canvas.press("ArrowDown")
    assert json.loads(root.get_attribute("data-start"))[0] == pytest.approx(
        json.loads(start)[0] - 0.25
    )
    assert explorer.errors == []  # type: ignore[attr-defined]


def test_typed_values_are_held_to_the_slider_range(explorer: Page) -> None:
    root = explorer.locator(".funnel-explorer")
    steps = explorer.get_by_label("Leapfrog steps (number)")
    steps.fill("5000")
    steps.blur()
    assert root.get_attribute("data-steps") == explorer.get_by_label(
        "Leapfrog steps", exact=True
    ).get_attribute("max")
    assert steps.input_value() == root.get_attribute("data-steps")
    step_size = explorer.get_by_label("Step size (number)", exact=True)
    step_size.fill("-3")
    step_size.blur()
    assert float(root.get_attribute("data-step-size")) == float(
        explorer.get_by_label("Step size", exact=True).get_attribute("min")
    )
    assert explorer.errors == []  # type: ignore[attr-defined]


def test_the_page_says_the_start_point_can_be_dragged(explorer: Page) -> None:
    hint = explorer.locator(".funnel-explorer .fe-hint")
    assert hint.is_visible()
    assert "Drag" in hint.inner_text()


def test_noncentered_nuts_is_right_while_centered_diverges(explorer: Page) -> None:
    runs = explorer.evaluate(
        """() => ["centered", "noncentered"].map((k) =>
            window.FunnelExplorer.sample(
                {parameterization: k, draws: 5000, seed: 7, stepSize: 0.5}))"""
    )
    centered, noncentered = runs
    assert sum(noncentered["divergent"]) == 0
    # every 10th draw: successive NUTS draws of v are correlated (lag 1 about 0.6)
    assert stats.kstest(noncentered["v"][::10], stats.norm(0, 3).cdf).pvalue > 0.01
    assert sum(centered["divergent"]) > 0
    again = explorer.evaluate(
        "() => window.FunnelExplorer.sample({parameterization: 'centered', draws: 5000, seed: 7,"
        " stepSize: 0.5})"
    )
    assert again == centered, "the same seed gave different draws"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_colour_modes_and_screenshots(explorer: Page, theme: str, width: int) -> None:
    explorer.set_viewport_size({"width": width, "height": 900})
    explorer.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    explorer.get_by_role("button", name="Run NUTS").click()
    explorer.wait_for_selector(".funnel-explorer[data-sampler-status='done']")
    root = explorer.locator(".funnel-explorer")
    # The heat map's corner pixel follows the colour mode.
    corner = explorer.evaluate(
        """() => { const c = document.querySelector('.fe-panel canvas');
                  const r = window.devicePixelRatio || 1;
                  return Array.from(c.getContext('2d').getImageData(32 * r, 8 * r, 1, 1).data); }"""
    )
    brightness = sum(corner[:3]) / 3
    assert (brightness < 128) == (theme == "dark"), corner
    box = root.bounding_box()
    assert box["width"] <= width
    assert explorer.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=SCREENSHOTS / f"explorer-{width}-{theme}.png")
    assert explorer.errors == []  # type: ignore[attr-defined]
