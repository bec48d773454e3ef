"""find_map and map_vs_mean: the MAP of the centered radon model collapses onto the neck."""

from __future__ import annotations

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
