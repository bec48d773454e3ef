"""The site's own Sphinx extensions (docs/_ext), each on small inputs or in a tiny Sphinx build.

No full site build: each hook is fed a few lines, a folder made in ``tmp_path``, or a one-page
Sphinx project with only the extension under test (and Sphinx's own).
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import animation_player  # noqa: E402
import chapter_cards  # noqa: E402
import execution_times  # noqa: E402
import figure_images  # noqa: E402
import offline_assets  # noqa: E402
import offline_mathjax  # noqa: E402
import read_order  # noqa: E402
import served_wheel  # noqa: E402


def _build(tmp_path: Path, conf: str, index: str) -> tuple[str, Path]:
    """A one-page Sphinx HTML build in ``tmp_path``: its warnings and its output folder."""
    from sphinx.testing.util import SphinxTestApp

    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\n"
        f"html_theme = 'basic'\n{conf}\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text("Test\n====\n\n" + index, encoding="utf-8")
    warnings = io.StringIO()
    # SphinxTestApp undoes what a build registers globally (docutils nodes, sys.path)
    app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out", freshenv=True,
                        status=io.StringIO(), warning=warnings)  # fmt: skip
    try:
        app.build()
    finally:
        app.cleanup()
    return warnings.getvalue(), Path(app.outdir)


# -- served_wheel -------------------------------------------------------------------------------


def _tiny_project(root: Path) -> Path:
    (root / "tinypkg").mkdir(parents=True)
    (root / "tinypkg" / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "tinypkg"\nversion = "0.3"\nrequires-python = ">=3.12"\n',
        encoding="utf-8",
    )
    return root


def test_served_wheel_builds_the_named_wheel_into_an_emptied_folder(tmp_path: Path) -> None:
    project = _tiny_project(tmp_path / "project")
    out = tmp_path / "wheel"
    out.mkdir()
    (out / "tinypkg-0.2-py3-none-any.whl").write_bytes(b"stale")
    wheel = served_wheel.build_wheel(project, out, "tinypkg-0.3-py3-none-any.whl")
    assert sorted(p.name for p in out.iterdir()) == ["tinypkg-0.3-py3-none-any.whl"]
    assert "tinypkg/__init__.py" in zipfile.ZipFile(wheel).namelist()


def test_served_wheel_fails_when_the_wheel_is_not_the_one_the_pages_link(tmp_path: Path) -> None:
    project = _tiny_project(tmp_path / "project")
    with pytest.raises(ExtensionError, match=r"expected tinypkg-9\.9.*got \['tinypkg-0\.3-"):
        served_wheel.build_wheel(project, tmp_path / "wheel", "tinypkg-9.9-py3-none-any.whl")


def test_served_wheel_fails_when_hatchling_fails(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project\n", encoding="utf-8")  # not TOML
    with pytest.raises(ExtensionError, match="building the wheel the site serves failed"):
        served_wheel.build_wheel(project, tmp_path / "wheel", "x-1-py3-none-any.whl")


# -- offline_mathjax ----------------------------------------------------------------------------


def test_missing_mathjax_says_which_dependency_group_installs_it(monkeypatch) -> None:
    monkeypatch.setattr(offline_mathjax.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ExtensionError, match="install the docs dependency group"):
        offline_mathjax.mathjax_es5()


def test_mathjax_without_its_bundle_names_where_it_looked(monkeypatch, tmp_path: Path) -> None:
    spec = SimpleNamespace(submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(offline_mathjax.importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(ExtensionError, match="MathJax files not found where expected"):
        offline_mathjax.mathjax_es5()
    es5 = tmp_path / "static" / "mathjax" / "es5"
    es5.mkdir(parents=True)
    (es5 / "tex-chtml.js").write_text("// mathjax", encoding="utf-8")
    assert offline_mathjax.mathjax_es5() == es5


def test_copy_mathjax_keeps_the_loaded_bundle_and_its_components(tmp_path: Path) -> None:
    es5 = tmp_path / "es5"
    (es5 / "input" / "tex" / "extensions").mkdir(parents=True)
    for name in ("tex-chtml.js", "tex-svg.js", "mml-chtml.js", "input/tex/extensions/ams.js"):
        (es5 / name).write_text(f"// {name}", encoding="utf-8")
    target = tmp_path / "site" / "_static" / "mathjax"
    offline_mathjax.copy_mathjax(es5, target)
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.js"))
    assert copied == ["input/tex/extensions/ams.js", "tex-chtml.js"]


# -- chapter_cards ------------------------------------------------------------------------------

CHAPTERS = [
    ("01_*", "First chapter", "What the first one shows.", "plot_02_second"),
    ("02_*", "Second chapter", "No header yet.", "plot_01_x"),
    ("03_*", "Third chapter", "Not written yet.", "plot_01_x"),
    ("04_*", "Fourth chapter", "Its preferred example is missing.", "plot_09_gone"),
]


def _gallery(tmp_path: Path) -> tuple[Path, Path]:
    examples, srcdir = tmp_path / "examples", tmp_path / "docs"
    for folder, header in (("01_first", True), ("02_second", False), ("04_fourth", True)):
        (examples / folder).mkdir(parents=True)
        if header:
            (examples / folder / "GALLERY_HEADER.rst").write_text("T\n=\n", encoding="utf-8")
        for stem, title in (("plot_01_first", "First example"), ("plot_02_second", "A & B")):
            (examples / folder / f"{stem}.py").write_text(
                f'"""\n{title}\n{"=" * len(title)}\n\nText.\n"""\n', encoding="utf-8"
            )
    thumbs = srcdir / "auto_examples" / "01_first" / "images" / "thumb"
    thumbs.mkdir(parents=True)
    (thumbs / "sphx_glr_plot_02_second_thumb.png").write_bytes(b"png")
    return examples, srcdir


def test_a_card_for_each_written_chapter_with_its_preferred_thumbnail(tmp_path: Path) -> None:
    examples, srcdir = _gallery(tmp_path)
    markup = chapter_cards.chapter_cards(CHAPTERS, examples, srcdir, "auto_examples")
    assert markup.startswith("::::{grid} 1 1 3 3\n") and markup.endswith("::::\n")
    cards = markup.split(":::{grid-item-card} ")[1:]
    assert [card.split("\n", 1)[0] for card in cards] == ["First chapter", "Fourth chapter"]
    first, fourth = cards
    assert ":link: /auto_examples/01_first/index\n:link-type: doc\n" in first
    assert (
        ":img-top: /auto_examples/01_first/images/thumb/sphx_glr_plot_02_second_thumb.png" in first
    )
    assert ":img-alt: Figure from the example 'A & B'" in first
    assert "\n\nWhat the first one shows.\n:::" in first
    # no thumbnail made for the fourth chapter's first example (its preferred one is missing)
    assert ":link: /auto_examples/04_fourth/index" in fourth and ":img-top:" not in fourth


def test_no_written_chapter_links_the_gallery_instead(tmp_path: Path) -> None:
    markup = chapter_cards.chapter_cards(CHAPTERS[2:3], tmp_path, tmp_path, "auto_examples")
    assert markup == "The chapters are listed in {doc}`the gallery </auto_examples/index>`.\n"


def test_example_title_is_the_underlined_docstring_line(tmp_path: Path) -> None:
    script = tmp_path / "plot_01_x.py"
    script.write_text('"""\nFunnels, seen\n=============\n\nBody.\n"""\n', encoding="utf-8")
    assert chapter_cards.example_title(script) == "Funnels, seen"
    script.write_text('"""No title."""\n', encoding="utf-8")
    assert chapter_cards.example_title(script) == "plot_01_x"


def test_cards_replace_the_mark_and_its_pages_are_read_on_every_build(tmp_path: Path) -> None:
    _, srcdir = _gallery(tmp_path)
    app = SimpleNamespace(
        srcdir=srcdir,
        env=SimpleNamespace(),
        config=SimpleNamespace(
            chapter_cards=CHAPTERS,
            sphinx_gallery_conf={
                "examples_dirs": ["../examples"],
                "gallery_dirs": ["auto_examples"],
            },
        ),
    )
    source = [f"# Home\n\n{chapter_cards.MARK}\n\nMore.\n"]
    chapter_cards._insert_cards(app, "index", source)
    assert chapter_cards.MARK not in source[0] and ":::{grid-item-card} First chapter" in source[0]
    other = ["# Other page\n"]
    chapter_cards._insert_cards(app, "other", other)
    assert other == ["# Other page\n"]
    assert chapter_cards._reread_card_pages(app, app.env, set(), set(), set()) == ["index"]
    chapter_cards._insert_cards(app, "index", ["# Home, cards removed\n"])
    assert chapter_cards._reread_card_pages(app, app.env, set(), set(), set()) == []


def test_card_pages_read_by_parallel_workers_are_merged_and_purged() -> None:
    """With ``sphinx -j``, each worker's pages with the mark reach the main environment."""
    main, worker = SimpleNamespace(chapter_card_pages={"index"}), SimpleNamespace()
    worker.chapter_card_pages = {"concepts/index"}
    chapter_cards._merge_card_pages(None, main, {"concepts/index"}, worker)
    assert chapter_cards._reread_card_pages(None, main, set(), set(), set()) == [
        "concepts/index",
        "index",
    ]
    chapter_cards._purge_card_page(None, main, "index")
    assert chapter_cards._reread_card_pages(None, main, set(), set(), set()) == ["concepts/index"]


# -- animation_player ---------------------------------------------------------------------------

PLAYER_PAGE = """\
Leapfrog "steps" & falls
========================

.. raw:: html

    <link rel="stylesheet"
    href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.4.0/css/font-awesome.min.css">
    <div class="animation">
      <img id="_anim_img5f2a">
      <button onclick="anim5f2a.play_animation()"><i class="fa fa-play"></i></button>
"""


def test_player_loses_its_cdn_stylesheet_and_its_frame_gets_alt_text() -> None:
    fixed = animation_player.fix_player(
        PLAYER_PAGE.replace('stylesheet"\n    href', 'stylesheet" href')
    )
    assert "font-awesome" not in fixed and "<link" not in fixed
    assert (
        '<img id="_anim_img5f2a" alt="Leapfrog &quot;steps&quot; &amp; falls: animation frame; '
        'the buttons below play it or step through it frame by frame">'
    ) in fixed
    assert '<i class="fa fa-play"></i>' in fixed  # the theme's Font Awesome draws the icons


def test_player_fix_applies_to_gallery_pages_only() -> None:
    app = SimpleNamespace(
        config=SimpleNamespace(sphinx_gallery_conf={"gallery_dirs": ["auto_examples"]})
    )
    page, other = [PLAYER_PAGE], [PLAYER_PAGE]
    animation_player._on_source_read(app, "auto_examples/03_samplers/plot_02_x", page)
    animation_player._on_source_read(app, "concepts/funnels", other)
    assert 'alt="' in page[0] and other == [PLAYER_PAGE]


# -- execution_times ----------------------------------------------------------------------------

EXECUTION_TIMES = """
:orphan:

.. _sphx_glr_auto_examples_01_radon_sg_execution_times:


Computation times
=================
**02:07.788** total execution time for 2 files **from auto_examples/01_radon**:

.. container::

  .. raw:: html

    <style scoped>
    <link href="https://cdn.datatables.net/1.13.6/css/dataTables.min.css" rel="stylesheet" />
    </style>
    <script src="https://code.jquery.com/jquery-3.7.0.js"></script>
    <script type="text/javascript" class="init">
    $(document).ready( function () {
        $('table.sg-datatable').DataTable({order: [[1, 'desc']]});
    } );
    </script>

  .. list-table::
   :header-rows: 1
   :class: table table-striped sg-datatable

   * - Example
     - Time
     - Mem (MB)
   * - :ref:`sphx_glr_auto_examples_01_radon_plot_02_centered.py` (``plot_02_centered.py``)
     - 00:29.144
     - 0.0
   * - :ref:`sphx_glr_auto_examples_01_radon_plot_01_radon_data.py` (``plot_01_radon_data.py``)
     - 00:07.293
     - N/A
"""


def test_execution_times_become_a_plain_two_column_table() -> None:
    from docutils.core import publish_parts

    plain = execution_times.plain_table(EXECUTION_TIMES)
    assert "raw:: html" not in plain and "http" not in plain and "Mem (MB)" not in plain
    assert "00:29.144" in plain and "00:07.293" in plain
    # still a valid list-table, now of two columns (the references need Sphinx: made literal)
    body = plain.split("Computation times\n=================\n", 1)[1].replace(":ref:", "")
    table = publish_parts(body, writer="html", settings_overrides={"report_level": 2})
    rows = table["body"].split("<tr")[1:]
    assert len(rows) == 3 and all(row.count("<td") + row.count("<th") == 2 for row in rows)


def test_execution_times_hook_leaves_other_pages_alone() -> None:
    page, other = [EXECUTION_TIMES], [EXECUTION_TIMES]
    execution_times._on_source_read(None, "auto_examples/01_radon/sg_execution_times", page)
    execution_times._on_source_read(None, "auto_examples/01_radon/index", other)
    assert "raw:: html" not in page[0] and other == [EXECUTION_TIMES]


# -- offline_assets and figure_images -----------------------------------------------------------


def test_external_assets_are_the_loaded_ones_from_another_host(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text(
        '<link rel="stylesheet" href="//cdn.example.org/a.css">'
        '<link rel="canonical" href="https://example.org/page.html">'
        '<script src="https://cdn.example.org/b.js"></script><script src="_static/c.js"></script>'
        '<img src="HTTP://example.org/d.png"><img src="_images/e.png">'
        '<a href="https://www.pymc.io">PyMC</a>',
        encoding="utf-8",
    )
    (tmp_path / "clean.html").write_text('<script src="_static/x.js"></script>', encoding="utf-8")
    assert offline_assets.external_assets(tmp_path) == {
        "sub/page.html": [
            "<link> //cdn.example.org/a.css",
            "<script> https://cdn.example.org/b.js",
            "<img> HTTP://example.org/d.png",
        ]
    }


def test_figure_texts_finds_figures_shown_as_text_on_pages_only(tmp_path: Path) -> None:
    shown = "&lt;Figure size 640x480 with 1 Axes&gt;"
    (tmp_path / "_static").mkdir()
    (tmp_path / "page.html").write_text(f"<pre>{shown}</pre><img src='a.png'>", encoding="utf-8")
    (tmp_path / "_static" / "copy.html").write_text(shown, encoding="utf-8")
    (tmp_path / "fine.html").write_text("<pre>&lt;Figure of speech&gt;</pre>", encoding="utf-8")
    assert figure_images.figure_texts(tmp_path) == {
        "page.html": ["<Figure size 640x480 with 1 Axes>"]
    }


def test_figure_images_sets_the_kernels_backend(monkeypatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    connected = []
    figure_images.setup(SimpleNamespace(connect=lambda event, f: connected.append(event)))
    assert os.environ["MPLBACKEND"] == figure_images.KERNEL_MPLBACKEND
    assert connected == ["build-finished"]


def test_a_page_with_a_cdn_script_or_a_figure_as_text_fails_the_build(tmp_path: Path) -> None:
    page = (
        ".. raw:: html\n\n"
        '   <script src="https://cdn.example.org/x.js"></script>\n'
        "   <pre>&lt;Figure size 640x480 with 2 Axes&gt;</pre>\n"
    )
    conf = "extensions = ['offline_assets', 'figure_images']"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        warnings, _ = _build(tmp_path / "bad", conf, page)
        clean, _ = _build(tmp_path / "good", conf, "Nothing from elsewhere.\n")
    assert "index.html loads <script> https://cdn.example.org/x.js from another host" in warnings
    assert "index.html shows 1 figure(s) as text instead of an image" in warnings
    assert "WARNING" not in clean, clean


# -- reexported ---------------------------------------------------------------------------------

REEXPORTED_PAGE = """\
.. py:currentmodule:: funnelguide

.. py:function:: map_vs_mean()

.. py:currentmodule:: funnelguide.plots

See :func:`map_vs_mean`.

.. autodata:: funnelguide.NEALS_FUNNEL_V_EXACT
   :no-value:
"""


@pytest.mark.parametrize("with_extension", [True, False])
def test_reexported_names_link_and_carry_their_comment(tmp_path: Path, with_extension) -> None:
    extensions = ["sphinx.ext.autodoc", *(["reexported"] if with_extension else [])]
    warnings, out = _build(
        tmp_path, f"extensions = {extensions!r}\nnitpicky = True", REEXPORTED_PAGE
    )
    page = (out / "index.html").read_text(encoding="utf-8")
    linked = re.search(r'See <a [^>]*href="#funnelguide\.map_vs_mean"', page) is not None
    commented = "The exact moments of Neal" in page
    if with_extension:
        assert linked and commented and "WARNING" not in warnings, warnings
    else:  # what the hooks are for: without them, a broken link and dict's own docstring
        assert not linked and not commented and "map_vs_mean" in warnings


def _worker_pid(task: str) -> int:
    """A loky worker's task: ``idle``, or hold 400 MB (``grow``), first lifting the limit
    (``keep-and-grow``). Returns the worker's process id."""
    import builtins

    if task == "keep-and-grow":
        import gallery_workers

        gallery_workers.keep_workers({}, "plot_x.py", "before")
    if task in ("grow", "keep-and-grow"):
        time.sleep(1.2)  # loky checks a worker's memory at most once a second
        builtins._held_by_test = b"\x01" * (400 * 2**20)
    return os.getpid()


@pytest.mark.parametrize(("task", "kept"), [("grow", False), ("keep-and-grow", True)])
def test_a_gallery_worker_that_grows_is_kept_only_with_the_limit_lifted(
    task: str, kept: bool
) -> None:
    import psutil  # noqa: F401  (loky replaces a growing worker only where psutil measures it)
    from joblib.externals.loky import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=1, initializer=sys.path.insert, initargs=(0, str(ROOT / "docs" / "_ext"))
    ) as executor:
        first = executor.submit(_worker_pid, "idle").result()  # loky's reference size
        executor.submit(_worker_pid, task).result()
        time.sleep(0.5)  # the executor starts the replacement worker, if any
        last = executor.submit(_worker_pid, "idle").result()
    assert (first == last) is kept, (task, first, last)


def _pid() -> int:
    return os.getpid()


def test_the_gallery_workers_end_with_the_gallery_and_a_later_gallery_gets_new_ones() -> None:
    import gallery_workers
    import psutil
    from joblib import Parallel, delayed

    def run() -> set[int]:  # as sphinx-gallery runs a folder of examples
        return set(Parallel(n_jobs=2, backend="loky")(delayed(_pid)() for _ in range(4)))

    workers = run()
    assert all(psutil.pid_exists(pid) for pid in workers)  # loky keeps them, idle
    gallery_workers.stop_workers()
    for pid in workers:  # killed: gone, or a zombie until its parent reaps it
        try:
            assert psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, pid
        except psutil.NoSuchProcess:
            pass
    assert run().isdisjoint(workers)
    gallery_workers.stop_workers()


# -- read_order ---------------------------------------------------------------------------------


def _chunks(names: list[str], nproc: int) -> list[list[str]]:
    from sphinx.util.parallel import make_chunks

    return make_chunks(names, nproc)


def test_executed_pages_move_to_the_heads_of_distinct_chunks() -> None:
    # the site's shape: 98 pages at -j 2 are four chunks of 22 and one of 10, and the five
    # executed pages sort next to each other, all in the last chunk
    names = [f"api/page{i:02d}" for i in range(93)] + [f"concepts/nb{i}" for i in range(5)]
    executed = {name for name in names if name.startswith("concepts/")}
    assert all(name in _chunks(names, 2)[-1] for name in executed)  # the problem

    order = read_order.spread_over_chunks(names, executed.__contains__, 2)
    chunks = _chunks(order, 2)
    assert [len(chunk) for chunk in chunks] == [len(chunk) for chunk in _chunks(names, 2)]
    assert [chunk[0] for chunk in chunks] == sorted(executed)
    assert sorted(order) == sorted(names)
    assert [name for name in order if name not in executed] == names[:93]


def test_more_executed_pages_than_chunks_are_dealt_out_evenly() -> None:
    names = [f"page{i:02d}" for i in range(12)]  # two chunks of six at -j 2
    executed = set(names[7:12])
    chunks = _chunks(read_order.spread_over_chunks(names, executed.__contains__, 2), 2)
    counts = [sum(name in executed for name in chunk) for chunk in chunks]
    assert counts == [3, 2], chunks
    assert all(name in executed for name in chunks[0][:3]), chunks


_NOTEBOOK_PAGE = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# {title}

```{{code-cell}} ipython3
print("run")
```
"""


@pytest.mark.parametrize("parallel", [1, 2])
def test_the_build_reads_the_pages_myst_nb_executes_first_in_parallel_reads(
    tmp_path: Path, parallel: int
) -> None:
    pytest.importorskip("myst_nb")
    from sphinx.testing.util import SphinxTestApp

    src = tmp_path / "src"
    src.mkdir()
    # read_order runs at the default priority (500); this hook sees its result, writes it down
    # and ends the build before anything is read (no kernel starts)
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'read_order']\n"
        "nb_execution_mode = 'cache'\n"
        "nb_execution_excludepatterns = ['skipped*']\n"
        "def _record(app, env, docnames):\n"
        "    cache = app.outdir.parent / '.jupyter_cache' / 'global.db'\n"
        "    (app.srcdir / 'order.txt').write_text(' '.join(docnames) + f' {cache.is_file()}')\n"
        "    raise RuntimeError('recorded')\n"
        "def setup(app):\n"
        "    app.connect('env-before-read-docs', _record, priority=900)\n",
        encoding="utf-8",
    )
    pages = ["alpha", "beta", "gamma", "nb_one", "nb_two", "skipped_nb"]
    (src / "index.md").write_text(
        "# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n", encoding="utf-8"
    )
    for name in pages:
        text = _NOTEBOOK_PAGE.format(title=name) if "nb" in name else f"# {name}\n\nText.\n"
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out", freshenv=True,
                        status=io.StringIO(), warning=io.StringIO(), parallel=parallel)  # fmt: skip
    try:
        with pytest.raises(ExtensionError, match="recorded"):
            app.build()
    finally:
        app.cleanup()
    *order, cache_made = (src / "order.txt").read_text(encoding="utf-8").split()
    read_in_name_order = ["alpha", "beta", "gamma", "index", *pages[3:]]
    if parallel == 1:
        assert order == read_in_name_order
    else:  # seven pages at -j 2: chunks of 3, 3 and 1
        assert order == ["nb_one", "alpha", "beta", "nb_two", "gamma", "index", "skipped_nb"]
        # MyST-NB's cache exists before the readers fork, or two of them create it at once
        assert cache_made == "True"
