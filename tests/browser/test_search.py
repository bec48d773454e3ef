"""The site's search page (Sphinx's client-side search over searchindex.js) finds the funnel."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from playwright.sync_api import Page


@pytest.mark.parametrize(
    ("query", "expected_page"),
    [
        # the gallery's funnel example and the concept page on why funnels happen
        ("funnel", re.compile(r"funnel")),
        # the gallery's non-centered model
        ("non-centered", re.compile(r"non-?centered")),
    ],
)
def test_search_finds_the_funnel_pages(
    page: Page, base_url: str, query: str, expected_page: re.Pattern[str]
) -> None:
    page.goto(urljoin(base_url, f"search.html?q={quote(query)}"))
    summary = page.locator("#search-results p.search-summary")
    # Sphinx's search writes its summary once every result is listed.
    page.wait_for_function(
        "el => el && el.innerText.trim().length > 0", arg=summary.element_handle()
    )
    assert "Search finished" in summary.inner_text(), (
        f"searching {query!r} found nothing: {summary.inner_text()!r}"
    )
    result_paths = [
        urlsplit(urljoin(page.url, href)).path
        for href in page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map((a) => a.getAttribute('href'))"
        )
    ]
    assert any(expected_page.search(path) for path in result_paths), (
        f"searching {query!r} lists no page whose address matches {expected_page.pattern!r}: "
        f"{result_paths}"
    )
