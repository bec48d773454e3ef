"""Fixtures of the browser suite: the built site served on 127.0.0.1, headless Chromium, a crawl.

The suite tests the site as a reader meets it: the HTML that ``nox -s docs`` wrote, served by a
local HTTP server, loaded in the system's Chromium driven by Playwright. Chromium is never
downloaded by a test tool; it is the Debian package (``.ci/install-chromium.sh``).

Every browser context routes all of its requests: those to the local server go through, any other
is aborted and recorded (``blocked``), so a page that would reach the network fails a test
instead of quietly loading something from a CDN.

Environment variables
---------------------
FUNNELGUIDE_SITE
    The built HTML to test (default ``docs/_build/html``). Screenshots go to
    ``<FUNNELGUIDE_SITE>/../screenshots``.
FUNNELGUIDE_CHROMIUM
    The Chromium executable (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.async_api import Page as AsyncPage
from playwright.async_api import Request as AsyncRequest
from playwright.async_api import Route as AsyncRoute
from playwright.async_api import async_playwright
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("FUNNELGUIDE_SITE", ROOT / "docs" / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = Path(os.environ.get("FUNNELGUIDE_CHROMIUM", "/usr/bin/chromium"))
# As root Chromium needs --no-sandbox; the rest keep it from calling Google's services at start,
# which this machine's closed network refuses (and a reader's offline laptop would too).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Milliseconds any single browser action may take before the test fails.
TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1280, "height": 800}
#: A phone held upright (the CSS width of most current phones): the crawl narrows the window of
#: each page read on phones to it, once the page is checked at the desktop width.
PHONE = {"width": 390, "height": 844}


def _site_pages() -> list[str]:
    """Every HTML page of the build, as a path relative to the site (``_static`` holds none)."""
    return sorted(
        page.relative_to(SITE).as_posix()
        for page in SITE.rglob("*.html")
        if not page.relative_to(SITE).parts[0].startswith(("_static", "_sources"))
    )


def _example_pages() -> list[str]:
    """The gallery's example pages: generated pages that offer the example as a download."""
    return [
        page
        for page in _site_pages()
        if page.startswith("auto_examples/")
        and Path(page).name != "index.html"
        and "sphx-glr-download" in (SITE / page).read_text(encoding="utf-8")
    ]


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"no built site at {SITE} (index.html missing): build it first with `nox -s docs`, "
            "or point FUNNELGUIDE_SITE at a built HTML folder",
            pytrace=False,
        )
    return SITE


@pytest.fixture(scope="session")
def pages(site_dir: Path) -> list[str]:
    return _site_pages()


@pytest.fixture(scope="session")
def example_pages(site_dir: Path) -> list[str]:
    examples = _example_pages()
    assert examples, f"the build at {site_dir} has no gallery example pages"
    return examples


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown pytest's output


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The site served by a local HTTP server on 127.0.0.1 and a free port, for the session."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with `.ci/install-chromium.sh` "
            "(Debian's chromium package) or set FUNNELGUIDE_CHROMIUM",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary profile (user data dir) of its own.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclasses.dataclass
class BlockedRequests:
    """Requests to any host other than the local server: aborted, and recorded here."""

    requests: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def record(self, page_url: str, request_url: str) -> None:
        self.requests.append((page_url, request_url))


@pytest.fixture(scope="session")
def blocked() -> BlockedRequests:
    return BlockedRequests()


def _let_through(request: Request | AsyncRequest, local: str, blocked: BlockedRequests) -> bool:
    """Whether a request goes to the local server; any other is recorded in ``blocked``."""
    if urlsplit(request.url).netloc == local:
        return True
    blocked.record(request.frame.url if request.frame else "", request.url)
    return False


def new_context(browser: Browser, base_url: str, blocked: BlockedRequests) -> BrowserContext:
    """A browser context whose requests may reach the local server and nothing else."""
    local = urlsplit(base_url).netloc
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)

    def route(route: Route) -> None:
        if _let_through(route.request, local, blocked):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", route)
    return context


@pytest.fixture
def context(browser: Browser, base_url: str, blocked: BlockedRequests) -> Iterator[BrowserContext]:
    context = new_context(browser, base_url, blocked)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# -- The crawl: every page loaded once; the tests read what it saw --------------------------------
#
# Loading ~60 pages one after another takes most of the suite's time, so the crawl loads a few at
# once with Playwright's async API, in a thread of its own (and a Chromium of its own), apart
# from the sync API the tests use.

#: Pages the crawl loads at the same time.
CRAWL_CONCURRENCY = 3

#: Wait for every <img> (lazy ones made eager) to load or fail, then describe each.
_IMAGES_JS = """
async () => {
  const images = [...document.images];
  for (const img of images) { if (img.loading === "lazy") img.loading = "eager"; }
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
    setTimeout(done, 10000);
  })));
  return images.map((img) => ({
    src: img.getAttribute("src") || "",
    naturalWidth: img.naturalWidth,
    alt: img.getAttribute("alt"),
    classes: img.className,
    id: img.id,
  }));
}
"""

#: On a page with math: wait for MathJax to typeset, then count what it produced.
_MATH_JS = """
async () => {
  const math = document.querySelectorAll(".math").length;
  if (!math) return null;
  if (!window.MathJax || !window.MathJax.startup || !window.MathJax.startup.promise) {
    return {math, mathjax: false, rendered: 0, errors: 0, raw: 0};
  }
  const typeset = await Promise.race([
    window.MathJax.startup.promise.then(() => true),
    new Promise((done) => setTimeout(() => done(false), 15000)),
  ]);
  return {
    math,
    mathjax: true,
    typeset,
    rendered: document.querySelectorAll("mjx-container").length,
    errors: document.querySelectorAll("mjx-merror").length,
    // a .math element left with its TeX delimiters was not typeset
    raw: [...document.querySelectorAll(".math")].filter(
      (el) => !el.querySelector("mjx-container") && /\\\\[(\\[]/.test(el.textContent)
    ).length,
  };
}
"""


#: Text a reader sees where a figure should be: what IPython prints for a matplotlib figure
#: that it cannot show as an image ("<Figure size 640x480 with 1 Axes>").
_FIGURE_TEXT_JS = r"""
() => document.body.innerText.match(/<Figure size [0-9.]+x[0-9.]+ with [0-9]+ Axes>/g) || []
"""


#: How the article's content fits its column, once images and math are in place:
#: ``cut_outputs``, printed output whose end sits behind a scroll bar of its own;
#: ``scrolling``, boxes that scroll sideways because something in them is wider;
#: ``clipped``, math, tables, images and code cut off at the edge of a box that hides its
#: overflow; ``page_overflow``, how many pixels the page is wider than the window.
_LAYOUT_JS = r"""
() => {
  const article = document.querySelector("article.bd-article");
  if (!article) return {cut_outputs: [], scrolling: [], clipped: [], page_overflow: 0};
  const describe = (el) => {
    const cls = typeof el.className === "string" ? el.className : el.getAttribute("class");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 70);
    return `<${el.tagName.toLowerCase()} class="${cls || ""}"> ${text}`;
  };
  const scrollsSideways = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const cut_outputs = [...article.querySelectorAll(".sphx-glr-script-out pre, .cell_output pre")]
    .filter((el) => el.scrollHeight > el.clientHeight + 2)
    .map(describe);
  const scrolling = [...article.querySelectorAll("*")]
    .filter((el) => scrollsSideways(el) && el.scrollWidth > el.clientWidth + 2)
    .map(describe);
  const clipped = [];
  const root = document.documentElement;
  for (const el of article.querySelectorAll("mjx-container, table, img, svg, pre")) {
    const right = el.getBoundingClientRect().right;
    for (let box = el.parentElement; box && box !== root; box = box.parentElement) {
      if (scrollsSideways(box)) break;  // the reader can scroll to what is beyond the edge
      const hides = ["hidden", "clip"].includes(getComputedStyle(box).overflowX);
      if (hides && right > box.getBoundingClientRect().right + 2) {
        clipped.push(describe(el));
        break;
      }
    }
  }
  return {
    cut_outputs,
    scrolling,
    clipped,
    page_overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}
"""


@dataclasses.dataclass
class PageReport:
    """What loading one page showed."""

    path: str
    console_errors: list[str] = dataclasses.field(default_factory=list)
    failed_responses: list[str] = dataclasses.field(default_factory=list)
    images: list[dict] = dataclasses.field(default_factory=list)
    math: dict | None = None
    figure_texts: list[str] = dataclasses.field(default_factory=list)
    layout: dict = dataclasses.field(default_factory=dict)
    phone_layout: dict | None = None  # None: not a page read on phones


def read_on_a_phone(page: str) -> bool:
    """Whether a page is one a reader reads on a phone: the gallery, the concept pages and the
    top-level pages (the API reference and the highlighted sources are left to the desktop)."""
    return not page.startswith(("_modules/", "api/")) and page not in (
        "genindex.html",
        "search.html",
    )


async def _wait_until_quiet(in_flight: set, quiet_s: float = 0.3, most_s: float = 5.0) -> None:
    """Give late requests (fonts, scripts that scripts load) time to start and finish: wait until
    the page has had no request in flight for ``quiet_s``, or ``most_s`` have passed.

    (Playwright's "networkidle" state sometimes never arrives on a loaded machine even with
    nothing in flight; this counts the page's own requests instead.)
    """
    step = 0.05
    quiet = waited = 0.0
    while quiet < quiet_s and waited < most_s:
        await asyncio.sleep(step)
        waited += step
        quiet = quiet + step if not in_flight else 0.0


async def _load(page: AsyncPage, url: str, report: PageReport) -> None:
    in_flight: set = set()
    # (Playwright inspects a handler's signature, which builtin methods lack: hence the lambdas)
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and report.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
        ),
    )
    page.on("pageerror", lambda error: report.console_errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and report.failed_responses.append(f"{response.status} {response.url}")
        ),
    )
    response = await page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        report.failed_responses.append(f"{response.status if response else 'no response'} {url}")
    report.math = await page.evaluate(_MATH_JS)
    report.images = await page.evaluate(_IMAGES_JS)
    report.figure_texts = await page.evaluate(_FIGURE_TEXT_JS)
    await _wait_until_quiet(in_flight)
    report.layout = await page.evaluate(_LAYOUT_JS)
    if read_on_a_phone(report.path):
        # the same page in a phone's window: the theme's and the site's CSS for narrow screens
        # apply at once; two animation frames let the layout settle before it is measured
        await page.set_viewport_size(PHONE)
        await page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        report.phone_layout = await page.evaluate(_LAYOUT_JS)


async def _crawl(base_url: str, pages: list[str], blocked: BlockedRequests) -> dict:
    local = urlsplit(base_url).netloc
    reports = {path: PageReport(path) for path in pages}

    async def route(route: AsyncRoute) -> None:
        if _let_through(route.request, local, blocked):
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(TIMEOUT_MS)
            await context.route("**/*", route)
            slots = asyncio.Semaphore(CRAWL_CONCURRENCY)

            async def visit(path: str) -> None:
                async with slots:
                    page = await context.new_page()
                    try:
                        await _load(page, urljoin(base_url, path), reports[path])
                    finally:
                        await page.close()

            await asyncio.gather(*(visit(path) for path in pages))
        finally:
            await browser.close()
    return reports


@pytest.fixture(scope="session")
def crawl(
    browser: Browser, base_url: str, pages: list[str], blocked: BlockedRequests
) -> dict[str, PageReport]:
    """Load every page of the site once, with every request routed, and report what each showed.

    (Depends on ``browser`` only so that a missing Chromium fails with its clear message.)
    """
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["reports"] = asyncio.run(_crawl(base_url, pages, blocked))
        except BaseException as error:  # re-raised in the test's thread below
            outcome["error"] = error

    thread = threading.Thread(target=run, name="site-crawl")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["reports"]
