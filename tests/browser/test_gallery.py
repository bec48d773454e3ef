"""The gallery as a reader uses it: figures described, the animation playing, the downloads."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Page

#: Words that, alone, say nothing about what a figure shows.
_GENERIC_ALT = {"", "image", "figure", "plot", "chart", "graph", "picture", "png", "img", "fig"}
#: Fewer words than this cannot say what a figure shows ("sigma_b" names an axis, not a finding).
_MIN_ALT_WORDS = 3


def _alt_problem(src: str, alt: str | None) -> str | None:
    """Why an alt text is a placeholder rather than a description, or None when it is not."""
    text = " ".join((alt or "").split())
    if not text:
        return "no alt text"
    stem = PurePosixPath(urlsplit(src).path).stem  # sphx_glr_plot_04_funnel_001
    # sphinx-gallery's fallback for a figure with no titles: the file name without its
    # "sphx_glr_" prefix and "_001" suffix, separators as spaces ("plot 04 funnel").
    from_file_name = re.sub(r"[-,_]", " ", stem[len("sphx_glr_") : -len("_001")])
    if "sphx_glr" in text or text.lower() in {stem.lower(), from_file_name.lower()}:
        return f"alt text is the file name ({text!r}); give the figure a suptitle or axes titles"
    if text.lower().strip(".") in _GENERIC_ALT:
        return f"alt text {text!r} is generic"
    if len(text.split()) < _MIN_ALT_WORDS:
        return f"alt text {text!r} is too short to say what the figure shows"
    return None


def test_every_gallery_figure_has_alt_text_that_says_what_it_shows(
    page: Page, base_url: str, example_pages: list[str]
) -> None:
    """sphinx-gallery writes a figure's suptitle and axes titles as its alt text."""
    problems: dict[str, list[str]] = {}
    n_figures = 0
    for path in example_pages:
        page.goto(urljoin(base_url, path))
        figures = page.locator("img.sphx-glr-single-img, img.sphx-glr-multi-img").evaluate_all(
            "imgs => imgs.map((img) => [img.getAttribute('src'), img.getAttribute('alt')])"
        )
        n_figures += len(figures)
        for src, alt in figures:
            if problem := _alt_problem(src, alt):
                problems.setdefault(path, []).append(f"{PurePosixPath(src).name}: {problem}")
    assert n_figures > 0, "no gallery page has a figure"
    assert not problems, "gallery figures without a description:\n" + "\n".join(
        f"  {path}:\n" + "\n".join(f"    {item}" for item in items)
        for path, items in sorted(problems.items())
    )


def _animation_pages(site_dir: Path, example_pages: list[str]) -> list[str]:
    """Example pages holding matplotlib's JavaScript animation player (``to_jshtml``)."""
    return [
        path
        for path in example_pages
        if 'class="anim-buttons"' in (site_dir / path).read_text(encoding="utf-8")
    ]


#: The frame shown and the slider position of one animation player.
_FRAME_JS = (
    "player => [player.querySelector('img').getAttribute('src'), "
    "player.querySelector('input[type=range]').value]"
)


def test_the_gallery_animation_plays(
    page: Page, base_url: str, site_dir: Path, example_pages: list[str]
) -> None:
    animation_pages = _animation_pages(site_dir, example_pages)
    assert animation_pages, (
        "no gallery page has a matplotlib animation (the jshtml player, class 'anim-buttons'): "
        "chapter 3's trajectories example shows one; its FuncAnimation must be kept in a "
        "module-level variable so that sphinx-gallery finds it "
        "(sphinx_gallery_conf['matplotlib_animations'] = (True, 'jshtml'))"
    )
    for path in animation_pages:
        # the page stays light: all frames inline (base64 PNGs) come to less than 3 MB
        size = (site_dir / path).stat().st_size
        assert size < 3_000_000, f"{path} is {size / 1e6:.1f} MB with its animation"
        page.goto(urljoin(base_url, path))
        players = page.locator("div.animation")
        assert players.count() > 0, f"{path}: animation markup but no player"
        for index in range(players.count()):
            player = players.nth(index)
            where = f"{path}, animation {index + 1}"
            player.scroll_into_view_if_needed()
            frame_alt = player.locator("img").first.get_attribute("alt")
            # the frame is an image like any figure: it says what it shows (_ext/animation_player)
            assert (problem := _alt_problem("sphx_glr_animation_001.png", frame_alt)) is None, (
                f"{where}: the animation frame: {problem}"
            )
            assert "animation" in frame_alt.lower(), f"{where}: alt text {frame_alt!r}"
            # every button shows its icon (the page's Font Awesome, not a CDN's)
            for button in player.locator(".anim-buttons button").all():
                icon_width = button.evaluate(
                    "b => Math.max(0, ...[...b.children].map((c) => "
                    "c.getBoundingClientRect().width))"
                )
                assert icon_width > 0, (
                    f"{where}: button {button.get_attribute('title')!r} has no icon"
                )
            player.get_by_role("button", name="Pause", exact=True).click()
            player.get_by_role("button", name="First frame", exact=True).click()
            first_src, first_position = player.evaluate(_FRAME_JS)
            assert first_src, f"{where}: the player shows no frame"
            page.wait_for_timeout(300)
            assert player.evaluate(_FRAME_JS) == [first_src, first_position], (
                f"{where}: the frame changes while paused"
            )
            player.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_function(
                "([player, src]) => player.querySelector('img').getAttribute('src') !== src",
                arg=[player.element_handle(), first_src],
                timeout=5_000,
            )
            src, position = player.evaluate(_FRAME_JS)
            assert src != first_src and position != first_position, (
                f"{where}: pressing play did not advance the animation"
            )
            player.get_by_role("button", name="Pause", exact=True).click()


def _check_download(name: str, body: bytes) -> None:
    assert body.strip(), f"{name} is empty"
    if name.endswith(".py"):
        compile(body, name, "exec")  # a SyntaxError names the line
    elif name.endswith(".ipynb"):
        notebook = json.loads(body)
        assert notebook.get("nbformat") == 4, f"{name} is not an nbformat 4 notebook"
        assert any(cell["cell_type"] == "code" for cell in notebook["cells"]), (
            f"{name} has no code cell"
        )


def test_every_example_downloads_as_python_and_notebook(
    page: Page, base_url: str, example_pages: list[str]
) -> None:
    for path in example_pages:
        page.goto(urljoin(base_url, path))
        example = PurePosixPath(path).stem
        links = page.locator("a.reference.download[href]")
        hrefs = sorted(set(links.evaluate_all("as => as.map((a) => a.getAttribute('href'))")))
        for suffix in (".py", ".ipynb"):
            matching = [href for href in hrefs if href.endswith(suffix)]
            assert len(matching) == 1, f"{path}: expected one {suffix} download link: {hrefs}"
            href = matching[0]
            assert PurePosixPath(href).name == example + suffix, f"{path}: links {href}"
            response = page.request.get(urljoin(page.url, href))
            assert response.status == 200, f"{path}: {href} answers HTTP {response.status}"
            body = response.body()
            _check_download(example + suffix, body)
            # and as a reader gets it: clicking the link saves the same file
            with page.expect_download() as download_info:
                page.locator(f'a.reference.download[href="{href}"]').first.click()
            download = download_info.value
            assert download.suggested_filename == example + suffix
            assert Path(download.path()).read_bytes() == body, f"{path}: {href} differs"


def test_the_gallery_downloads_every_example_at_once(
    page: Page, base_url: str, example_pages: list[str]
) -> None:
    page.goto(urljoin(base_url, "auto_examples/index.html"))
    hrefs = page.locator("a.reference.download[href$='.zip']").evaluate_all(
        "as => as.map((a) => a.getAttribute('href'))"
    )
    expected = {PurePosixPath(path).stem for path in example_pages}
    for kind, suffix in (("python", ".py"), ("jupyter", ".ipynb")):
        matching = [href for href in hrefs if href.endswith(f"_{kind}.zip")]
        assert len(matching) == 1, f"expected one {kind} zip on the gallery index: {hrefs}"
        response = page.request.get(urljoin(page.url, matching[0]))
        assert response.status == 200, f"{matching[0]} answers HTTP {response.status}"
        with zipfile.ZipFile(io.BytesIO(response.body())) as archive:
            names = {PurePosixPath(n).stem for n in archive.namelist() if n.endswith(suffix)}
        assert expected <= names, f"{matching[0]} lacks {sorted(expected - names)}"
