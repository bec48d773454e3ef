"""The landing page as a reader first sees it, and screenshots of it and of one gallery page."""

from __future__ import annotations

import struct
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from conftest import SCREENSHOTS


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_landing_page_says_what_you_will_learn_shows_the_funnel_and_links_each_chapter(
    page: Page, base_url: str, site_dir: Path
) -> None:
    page.goto(base_url)
    assert page.get_by_text("What you will learn").is_visible()
    # the funnel figure, loaded and described, above the fold
    figure = page.locator("img[alt*='funnel' i]").first
    assert figure.is_visible(), "the landing page shows no figure described as a funnel"
    assert figure.evaluate("img => img.naturalWidth") > 0
    box = figure.bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"], (
        "the funnel figure starts below the first screen"
    )
    # one card per chapter of the gallery, each leading to that chapter
    chapters = {
        f"/{path.relative_to(site_dir).as_posix()}"
        for path in (site_dir / "auto_examples").glob("*/index.html")
    }
    assert chapters, "the gallery has no chapters (auto_examples/*/index.html)"
    cards = {
        urlsplit(urljoin(page.url, href)).path
        for href in page.locator(".sd-card a[href]").evaluate_all(
            "as => as.map((a) => a.getAttribute('href'))"
        )
    }
    assert cards == chapters, (
        f"chapter cards {sorted(cards)} != gallery chapters {sorted(chapters)}"
    )


def _gallery_page_to_show(example_pages: list[str]) -> str:
    """The example a screenshot shows: the first about the funnel, else the first one."""
    funnel = [path for path in example_pages if "funnel" in PurePosixPath(path).stem]
    return (funnel or example_pages)[0]


@pytest.mark.parametrize("which", ["landing", "gallery"])
def test_screenshot(page: Page, base_url: str, example_pages: list[str], which: str) -> None:
    """Full-page screenshots in docs/_build/screenshots/, for people to look at."""
    if which == "landing":
        path, name = "index.html", "landing.png"
    else:
        path = _gallery_page_to_show(example_pages)
        name = f"gallery-{PurePosixPath(path).stem}.png"
    page.goto(urljoin(base_url, path))
    page.wait_for_load_state("networkidle")
    page.evaluate("async () => { if (window.MathJax?.startup) await MathJax.startup.promise; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / name
    target.unlink(missing_ok=True)
    page.screenshot(path=target, full_page=True)
    width, height = _png_size(target)
    assert width == page.viewport_size["width"] and height >= page.viewport_size["height"]
    assert target.stat().st_size > 20_000, f"{target} is nearly blank"
