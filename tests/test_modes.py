"""find_map and map_vs_mean: the MAP of the centered radon model collapses onto the neck."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import funnelguide as fg


def test_map_returns_every_variable_as_arrays(radon_centered_map):
    assert {"mu_a", "sigma_a", "a", "mu_b", "sigma_b", "b", "eps"} <= set(radon_centered_map)
    assert radon_centered_map["b"].shape == (85,)
    assert radon_centered_map["sigma_b"].shape == ()
    assert all(isinstance(v, np.ndarray) for v in radon_centered_map.values())


def test_map_of_the_centered_radon_model_collapses(radon_centered_map):
    assert radon_centered_map["sigma_b"] < 1e-3
    assert np.ptp(radon_centered_map["b"]) < 1e-4


def test_posterior_means_vary_where_the_map_does_not(radon_centered_map, radon_noncentered_idata):
    table = fg.map_vs_mean(radon_centered_map, radon_noncentered_idata, var="b")
    assert table.index.name == "county"
    assert len(table) == 85
    assert list(table.columns) == ["map", "posterior_mean", "posterior_sd"]
    assert table.index[0] == "AITKIN"
    np.testing.assert_allclose(table["map"], radon_centered_map["b"])
    means = radon_noncentered_idata.posterior["b"].mean(("chain", "draw")).to_numpy()
    np.testing.assert_allclose(table["posterior_mean"], means)
    assert np.ptp(table["posterior_mean"]) > 0.2
    assert np.ptp(table["posterior_mean"]) > 1000 * np.ptp(table["map"])
    assert (table["posterior_sd"] > 0.1).all()
    # The posterior puts sigma_b well away from the MAP's zero.
    sigma_b = radon_noncentered_idata.posterior["sigma_b"].to_numpy()
    assert np.mean(sigma_b < 1e-3) < 0.01


def test_map_vs_mean_of_a_scalar(radon_centered_map, radon_noncentered_idata):
    table = fg.map_vs_mean(radon_centered_map, radon_noncentered_idata, var="mu_b")
    assert table.index.tolist() == ["mu_b"]
    assert table["posterior_mean"].iloc[0] == pytest.approx(
        float(radon_noncentered_idata.posterior["mu_b"].mean())
    )


def _varying_slopes_model(seed: int):
    """A centered varying-intercept, varying-slope regression on simulated data (written here).

    The groups and the 0/1 covariate are the radon data's; the outcome is simulated with
    slopes that truly spread (sd 1). On such data the MAP search passes points where the log
    density is not finite.
    """
    import pymc as pm

    radon = fg.load_radon()
    group = radon["county_idx"].to_numpy()
    x = radon["floor"].to_numpy()
    n_groups = int(group.max()) + 1
    rng = np.random.default_rng(seed)
    intercepts = rng.normal(1.5, 0.35, size=n_groups)
    slopes = rng.normal(-0.65, 1.0, size=n_groups)
    y = intercepts[group] + slopes[group] * x + rng.normal(0, 0.75, len(x))
    with pm.Model() as model:
        mu_a = pm.Normal("mu_a", 0.0, 100.0)
        sigma_a = pm.HalfCauchy("sigma_a", 5.0)
        mu_b = pm.Normal("mu_b", 0.0, 100.0)
        sigma_b = pm.HalfCauchy("sigma_b", 5.0)
        a = pm.Normal("a", mu_a, sigma_a, shape=n_groups)
        b = pm.Normal("b", mu_b, sigma_b, shape=n_groups)
        eps = pm.HalfCauchy("eps", 5.0)
        pm.Normal("y", a[group] + b[group] * x, eps, observed=y)
    return model


def test_the_map_search_is_not_stopped_by_floating_point_warnings():
    # Where warnings are errors (the docs build, this suite), a NumPy warning raised while
    # the optimizer's line search tries a point of non-finite log density used to abort the
    # search ("The optimizer did not converge: ... invalid value encountered in add").
    model = _varying_slopes_model(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        point = fg.find_map(model)
    assert np.isfinite(fg.log_density_at(model, point))
    assert point["b"].shape == (85,)
