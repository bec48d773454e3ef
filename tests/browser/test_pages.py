"""Every page of the built site, loaded once in Chromium (the ``crawl`` fixture)."""

from __future__ import annotations

from pathlib import Path

from conftest import BlockedRequests, PageReport


def _listing(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"  {path}:\n" + "\n".join(f"    {item}" for item in items)
        for path, items in sorted(problems.items())
    )


def test_the_crawl_covers_the_site(crawl: dict[str, PageReport]) -> None:
    for path in ("index.html", "search.html", "auto_examples/index.html", "api.html"):
        assert path in crawl, f"{path} is not in the build"
    assert any(path.startswith("auto_examples/") and "plot_" in path for path in crawl)
    assert any(path.startswith("concepts/") for path in crawl)


def test_every_page_loads_without_console_errors(crawl: dict[str, PageReport]) -> None:
    problems = {
        path: report.console_errors + report.failed_responses
        for path, report in crawl.items()
        if report.console_errors or report.failed_responses
    }
    assert not problems, (
        f"{len(problems)} of {len(crawl)} pages log console errors or fail to load something:\n"
        + _listing(problems)
    )


def test_every_image_loads(crawl: dict[str, PageReport]) -> None:
    problems = {
        path: [f"<img src={img['src']!r} id={img['id']!r}>" for img in broken]
        for path, report in crawl.items()
        if (broken := [img for img in report.images if img["naturalWidth"] <= 0])
    }
    n_images = sum(len(report.images) for report in crawl.values())
    assert n_images > 0, "the crawl found no images at all"
    assert not problems, f"images that did not load (naturalWidth 0):\n{_listing(problems)}"


def test_no_page_shows_a_figure_as_text(crawl: dict[str, PageReport]) -> None:
    """An executed page whose kernel drew with a backend that gives figures no image shows
    "<Figure size ...>" where the figure should be, and the build itself stays green."""
    problems = {path: report.figure_texts for path, report in crawl.items() if report.figure_texts}
    assert not problems, (
        f"{len(problems)} pages show a figure as text instead of an image:\n" + _listing(problems)
    )


def test_the_landing_and_concept_pages_show_their_figures(
    crawl: dict[str, PageReport], site_dir: Path
) -> None:
    """Every executed (MyST-NB) page whose source draws a figure shows it as a loaded image."""
    drawing = [
        page
        for page in ["index.html", *(p for p in crawl if p.startswith("concepts/"))]
        if "plt." in _source_of(site_dir, page) or "fg.plots" in _source_of(site_dir, page)
    ]
    assert "index.html" in drawing, "the landing page no longer draws its funnel figure"
    without = [
        path
        for path in drawing
        if not any(
            "_images/" in img["src"] and img["naturalWidth"] > 0 for img in crawl[path].images
        )
    ]
    assert not without, f"executed pages that draw a figure but show no image: {without}"


def _source_of(site_dir: Path, page: str) -> str:
    """The page's source as the site serves it (_sources/<page>.md or .ipynb.txt), or ''."""
    stem = page.removesuffix(".html")
    for suffix in (".md.txt", ".md", ".ipynb.txt"):
        if (source := site_dir / "_sources" / f"{stem}{suffix}").is_file():
            return source.read_text(encoding="utf-8")
    return ""


def test_math_renders_with_mathjax_from_the_site(crawl: dict[str, PageReport]) -> None:
    math_pages = {path: report.math for path, report in crawl.items() if report.math}
    assert math_pages, "no page of the site has math (elements of class 'math')"
    problems = {}
    for path, math in math_pages.items():
        if not math["mathjax"]:
            problems[path] = ["MathJax is not loaded on a page with math"]
        elif not math["typeset"]:
            problems[path] = ["MathJax did not finish typesetting within 15 s"]
        elif math["rendered"] < math["math"] or math["errors"] or math["raw"]:
            problems[path] = [
                f"{math['math']} math elements, {math['rendered']} typeset (mjx-container), "
                f"{math['errors']} MathJax errors, {math['raw']} left as raw TeX"
            ]
    assert not problems, f"math that did not render:\n{_listing(problems)}"


def test_no_request_leaves_the_machine(
    crawl: dict[str, PageReport], blocked: BlockedRequests
) -> None:
    """Every request of every page goes to the local server; others were aborted and counted."""
    assert crawl  # the whole site was loaded with the blocking route in place
    external: dict[str, list[str]] = {}
    for page_url, request_url in blocked.requests:
        external.setdefault(page_url, []).append(request_url)
    assert len(blocked.requests) == 0, (
        f"{len(blocked.requests)} requests tried to leave 127.0.0.1 (blocked):\n"
        + _listing(external)
    )


def test_no_printed_output_hides_its_end_behind_a_scroll_bar(
    crawl: dict[str, PageReport],
) -> None:
    """The library's reports end with their verdict: a capped output box would hide it."""
    problems = {
        f"{path} at {width}": layout["cut_outputs"]
        for path, report in crawl.items()
        for width, layout in (("1280 px", report.layout), ("390 px", report.phone_layout))
        if layout and layout["cut_outputs"]
    }
    assert not problems, f"printed output that scrolls within its box:\n{_listing(problems)}"


def test_on_a_desktop_the_content_fits_the_column(crawl: dict[str, PageReport]) -> None:
    """At 1280 px nothing in an article (tables, reports, code, math, graphs) scrolls sideways."""
    problems = {path: r.layout["scrolling"] for path, r in crawl.items() if r.layout["scrolling"]}
    assert not problems, f"boxes wider than the column at 1280 px:\n{_listing(problems)}"


def test_on_a_phone_nothing_is_cut_off(crawl: dict[str, PageReport]) -> None:
    """At 390 px what is wider than the column scrolls in its own box; the page does not."""
    phone = {path: r.phone_layout for path, r in crawl.items() if r.phone_layout is not None}
    assert any(path.startswith("auto_examples/") for path in phone), sorted(phone)
    problems = {
        path: layout["clipped"]
        + (
            [f"the page is {layout['page_overflow']} px wider than the window"]
            if layout["page_overflow"] > 0
            else []
        )
        for path, layout in phone.items()
        if layout["clipped"] or layout["page_overflow"] > 0
    }
    assert not problems, f"content cut off at 390 px:\n{_listing(problems)}"
