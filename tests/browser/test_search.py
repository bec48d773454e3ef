"""The site's search page (Sphinx's client-side search over searchindex.js) finds the funnel."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from playwright.sync_api import Page

#: For each query, the pages a reader must find: the gallery example and the concept page.
#: (Paths, not titles; "funnel" alone would also match every funnelguide API page.)
EXPECTED = {
    "funnel": [
        r"/auto_examples/[^/]+/plot_\d+_\w*funnel\w*\.html$",
        r"/concepts/funnels?\.html$",
    ],
    "non-centered": [
        r"/auto_examples/[^/]+/plot_\d+_\w*noncentered\w*\.html$",
        r"/concepts/reparameterization\.html$",
    ],
}


@pytest.mark.parametrize("query", list(EXPECTED))
def test_search_finds_the_funnel_pages(page: Page, base_url: str, query: str) -> None:
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
    for expected in EXPECTED[query]:
        assert any(re.search(expected, path) for path in result_paths), (
            f"searching {query!r} does not list a page matching {expected!r}: {result_paths}"
        )
