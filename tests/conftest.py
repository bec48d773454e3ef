"""Fits shared by the whole session: each model is compiled and sampled once per test run.

Sampling is cheap once a model is compiled (well under a second for these sizes); compiling is
not (5-20 s), so every test that needs a radon or funnel fit takes it from here.
"""

from __future__ import annotations

import os

import matplotlib
import pytest

import funnelguide as fg
from funnelguide.sampling import CACHE_DIR_ENV

matplotlib.use("Agg")
# A result cache named in the maintainer's environment must not answer for the tests (nor for
# the gallery scripts they run): every fit here is sampled.
os.environ.pop(CACHE_DIR_ENV, None)

RADON_DRAWS = 1000
FUNNEL_DRAWS = 2000


@pytest.fixture(scope="session")
def radon():
    return fg.load_radon()


@pytest.fixture(scope="session")
def radon_centered_idata():
    """Centered radon model, 4 chains x 1000 draws: low ESS and E-BFMI for sigma_b."""
    return fg.sample(
        fg.radon_model(parameterization="centered"),
        draws=RADON_DRAWS,
        tune=RADON_DRAWS,
        chains=4,
        random_seed=1,
    )


@pytest.fixture(scope="session")
def radon_noncentered_idata():
    """Non-centered radon model, 4 chains x 1000 draws: the well-behaved reference fit."""
    return fg.sample(
        fg.radon_model(parameterization="noncentered"),
        draws=RADON_DRAWS,
        tune=RADON_DRAWS,
        chains=4,
        random_seed=1,
    )


@pytest.fixture(scope="session")
def radon_centered_map():
    return fg.find_map(fg.radon_model(parameterization="centered"))


@pytest.fixture(scope="session")
def funnel_centered_model():
    return fg.neals_funnel_model(10, parameterization="centered")


@pytest.fixture(scope="session")
def funnel_centered_idata(funnel_centered_model):
    """Neal's funnel, ndim=10, centered: divergent transitions with every seed tried (1-10)."""
    return fg.sample(funnel_centered_model, draws=FUNNEL_DRAWS, tune=1000, chains=4, random_seed=1)


@pytest.fixture(scope="session")
def funnel_noncentered_idata():
    return fg.sample(
        fg.neals_funnel_model(10, parameterization="noncentered"),
        draws=FUNNEL_DRAWS,
        tune=1000,
        chains=4,
        random_seed=1,
    )


@pytest.fixture(scope="session")
def schools_model():
    """A small, fast model for tests of the sampling machinery itself."""
    return fg.eight_schools_model(parameterization="noncentered")
