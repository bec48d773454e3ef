"""Facts the site's pages state about the installed packages and the repository.

They are checked here, not inside the pages: a page checks its own teaching claims, while these
are properties of nutpie, PyMC and the README that a package upgrade or an edit could change.
Each test names the page whose sentence it keeps true.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import nutpie._lib
from pymc.step_methods.hmc.base_hmc import BaseHMC

from funnelguide.dynamics import DIVERGENCE_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]


def _nutpie_defaults() -> dict:
    return nutpie._lib.PyNutsSettings.Diag().as_dict()["settings"]


def test_nutpie_and_pymc_use_the_divergence_threshold_of_funnelguide_dynamics() -> None:
    """docs/concepts/funnels.md and examples/03_samplers say the threshold is the samplers'."""
    assert _nutpie_defaults()["max_energy_error"] == DIVERGENCE_THRESHOLD
    emax = inspect.signature(BaseHMC.__init__).parameters["Emax"].default
    assert emax == DIVERGENCE_THRESHOLD


def test_nutpie_default_target_accept_is_the_first_value_of_the_target_accept_sweep() -> None:
    """examples/02_truth/plot_03_target_accept.py starts its sweep at nutpie's default."""
    default = _nutpie_defaults()["adapt_options"]["step_size_settings"]["target_accept"]
    page = (ROOT / "examples" / "02_truth" / "plot_03_target_accept.py").read_text()
    assert f"TARGET_ACCEPTS = ({default}," in page, default


def test_the_commands_on_the_data_page_are_the_readme_s() -> None:
    """docs/concepts/data.md shows the README's commands; the script they name exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "concepts" / "data.md").read_text(encoding="utf-8")
    for command in [
        "python -m pip install nox uv && python -m nox -s docs",
        "python -m pip install nox uv && python -m nox -s tests",
        "python -m pip install -e .",
        "python examples/01_radon/plot_01_radon_data.py",
    ]:
        assert command in page, command
        assert command in readme, command
    assert (ROOT / "examples" / "01_radon" / "plot_01_radon_data.py").is_file()
