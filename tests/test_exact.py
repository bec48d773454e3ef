"""Exact posteriors of the scales: the algebra, the grids, the errors, and long runs agreeing."""

from __future__ import annotations

import arviz_stats as azs
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import funnelguide as fg
from funnelguide.exact import log_scale_prior
from funnelguide.exact.radon import _CountyStats, _radon_log_marginal_likelihood

#: How many Monte Carlo standard errors an estimate may sit from the exact answer.
MCSE_TOLERANCE = 4.0


@pytest.fixture(scope="module")
def radon_exact():
    return fg.exact_radon_scales()


@pytest.fixture(scope="module")
def schools_exact():
    return fg.exact_eight_schools()


@pytest.fixture(scope="module")
def radon_long_noncentered_idata():
    """4 x 2000 non-centered draws; compiling is shared with the conftest fits."""
    return fg.sample(
        fg.radon_model(parameterization="noncentered"),
        draws=2000,
        tune=1000,
        chains=4,
        random_seed=20,
    )


@pytest.fixture(scope="module")
def schools_long_noncentered_idata():
    return fg.sample(
        fg.eight_schools_model(parameterization="noncentered"),
        draws=4000,
        tune=1000,
        chains=4,
        random_seed=20,
        target_accept=0.95,
    )


# ---------------------------------------------------------------------------------- the algebra


@pytest.mark.parametrize(
    ("sigma_a", "sigma_b", "eps", "mu_sd"),
    [(0.3, 0.2, 0.7, 2.0), (0.0, 0.5, 0.8, 1.0), (1.2, 0.0, 0.4, 3.0), (0.0, 0.0, 1.0, 0.5)],
)
def test_radon_marginal_likelihood_equals_the_dense_gaussian(sigma_a, sigma_b, eps, mu_sd):
    """The per-county closed form against y ~ Normal(0, full covariance) on 12 counties."""
    radon = fg.load_radon()
    radon = radon[radon["county"].isin(sorted(radon["county"].unique())[:12])]
    county = radon["county"].to_numpy()
    floor = radon["floor"].to_numpy(dtype=float)
    y = radon["log_radon"].to_numpy(dtype=float)
    same_county = (county[:, None] == county[None, :]).astype(float)
    covariance = (
        eps**2 * np.eye(y.size)
        + sigma_a**2 * same_county
        + sigma_b**2 * same_county * np.outer(floor, floor)
        + mu_sd**2 * (1.0 + np.outer(floor, floor))
    )
    dense = stats.multivariate_normal(np.zeros(y.size), covariance).logpdf(y)
    closed_form = _radon_log_marginal_likelihood(
        np.array([sigma_a]),
        np.array([sigma_b]),
        np.array([eps]),
        _CountyStats.from_frame(radon),
        mu_sd=mu_sd,
    )[0]
    assert closed_form == pytest.approx(dense, abs=1e-8)


@pytest.mark.parametrize(
    ("family", "scipy_dist"),
    [
        ("halfcauchy", stats.halfcauchy),
        ("halfnormal", stats.halfnorm),
        ("exponential", stats.expon),
    ],
)
def test_scale_priors_match_scipy(family, scipy_dist):
    x = np.linspace(0.0, 12.0, 25)
    expected = scipy_dist(scale=2.5).logpdf(x)
    np.testing.assert_allclose(log_scale_prior(family, 2.5, x), expected, rtol=1e-12)


def test_eight_schools_mu_marginal_matches_a_brute_force_grid(schools_exact):
    """mu from the mixture against a plain 2-D grid over (mu, tau), theta integrated out."""
    schools = fg.load_eight_schools()
    y, sigma = schools["y"].to_numpy(), schools["sigma"].to_numpy()
    mu = np.linspace(-25.0, 35.0, 601)
    tau = np.linspace(0.0, 120.0, 1201)
    sd = np.sqrt(sigma**2 + tau[:, None] ** 2)
    log_lik = stats.norm(0.0, 1.0).logpdf((y - mu[:, None, None]) / sd).sum(-1) - np.log(sd).sum(-1)
    log_joint = log_lik + stats.norm(0, 5).logpdf(mu)[:, None] + stats.halfcauchy(0, 5).logpdf(tau)
    joint = np.exp(log_joint - log_joint.max())
    mu_density = np.trapezoid(joint, tau, axis=1)
    mu_density /= np.trapezoid(mu_density, mu)
    tau_density = np.trapezoid(joint, mu, axis=0)
    tau_density /= np.trapezoid(tau_density, tau)
    brute_mean = {
        "mu": np.trapezoid(mu * mu_density, mu),
        "tau": np.trapezoid(tau * tau_density, tau),
    }
    assert schools_exact.mean("mu") == pytest.approx(brute_mean["mu"], abs=2e-3)
    assert schools_exact.mean("tau") == pytest.approx(brute_mean["tau"], abs=2e-3)
    grid, density = schools_exact.density("mu")
    np.testing.assert_allclose(np.interp(mu, grid, density), mu_density, atol=1e-4)


# ---------------------------------------------------------------------------------- the result


@pytest.mark.parametrize("which", ["radon", "schools"])
def test_densities_integrate_to_one_and_quantiles_invert_the_cdf(which, radon_exact, schools_exact):
    exact = radon_exact if which == "radon" else schools_exact
    for name in exact.names:
        grid, density = exact.density(name)
        assert np.all(np.diff(grid) > 0) and np.all(density >= 0)
        assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=1e-9)
        assert exact.cdf(name, grid[0] - 1.0) == 0.0
        assert exact.cdf(name, grid[-1] + 1.0) == pytest.approx(1.0, abs=1e-12)
        probs = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
        np.testing.assert_allclose(exact.cdf(name, exact.quantile(name, probs)), probs, atol=1e-9)


def test_summary_is_indexed_by_parameter_with_the_documented_columns(radon_exact, schools_exact):
    radon_table = radon_exact.summary()
    assert radon_table.index.tolist() == ["sigma_a", "sigma_b", "eps"]
    assert radon_table.columns.tolist() == ["mean", "sd", "q05", "q50", "q95"]
    assert schools_exact.summary().index.tolist() == ["mu", "tau"]
    for table in (radon_table, schools_exact.summary()):
        assert (table["q05"] < table["q50"]).all() and (table["q50"] < table["q95"]).all()
    assert "sigma_b ~ HalfCauchy(5)" in str(radon_exact)
    assert "edge mass" in str(radon_exact)


def test_default_grids_hold_the_posterior_and_run_in_seconds(radon_exact, schools_exact):
    for exact in (radon_exact, schools_exact):
        for lower, upper in exact.edge_mass.values():
            assert lower < 1e-6 and upper < 1e-6
        assert exact.seconds < 15.0
    # sigma_b's grid starts at 0, the boundary of its support, where its density is not small.
    grid, density = radon_exact.density("sigma_b")
    assert grid[0] == 0.0 and density[0] > 0.1 * density.max()


def test_radon_grid_refinement_changes_nothing_that_matters(radon_exact):
    finer = fg.exact_radon_scales(grid_points={"sigma_a": 72, "sigma_b": 120, "eps": 48})
    pd.testing.assert_frame_equal(finer.summary(), radon_exact.summary(), atol=1e-4, rtol=0)


def test_a_prior_on_sigma_b_multiplies_its_marginal_by_the_prior_ratio(radon_exact):
    """Changing sigma_b's prior only reweights its marginal, by new prior over old prior."""
    narrow = fg.exact_radon_scales(prior={"sigma_b": ("halfnormal", 0.2)})
    assert narrow.priors == {
        "sigma_a": "HalfCauchy(5)",
        "sigma_b": "HalfNormal(0.2)",
        "eps": "HalfCauchy(5)",
    }
    grid, old = radon_exact.density("sigma_b")
    new = np.interp(grid, *narrow.density("sigma_b"))
    inside = (grid > 0.02) & (grid < 0.5)
    ratio = new[inside] / old[inside]
    prior_ratio = np.exp(
        log_scale_prior("halfnormal", 0.2, grid[inside])
        - log_scale_prior("halfcauchy", 5.0, grid[inside])
    )
    np.testing.assert_allclose(ratio / ratio[0], prior_ratio / prior_ratio[0], rtol=2e-3)
    assert narrow.mean("sigma_b") < radon_exact.mean("sigma_b") - 0.05
    # The other scales barely move.
    assert narrow.mean("eps") == pytest.approx(radon_exact.mean("eps"), abs=0.01)


def test_priors_by_family_name_use_prior_scale():
    exponential = fg.exact_radon_scales(prior="exponential", prior_scale=1.0)
    assert set(exponential.priors.values()) == {"Exponential(scale=1)"}
    pair = fg.exact_radon_scales(prior=("halfnormal", 2.0))
    assert set(pair.priors.values()) == {"HalfNormal(2)"}


# ---------------------------------------------------------------------------------- long runs


def _assert_within_mcse(idata, exact, name):
    draws = idata["posterior"][name].to_numpy().ravel()
    checks = {
        "mean": (draws.mean(), exact.mean(name), azs.mcse(idata, var_names=[name])),
        "q05": (
            np.quantile(draws, 0.05),
            exact.quantile(name, 0.05),
            azs.mcse(idata, var_names=[name], method="quantile", prob=0.05),
        ),
        "q50": (
            np.quantile(draws, 0.5),
            exact.quantile(name, 0.5),
            azs.mcse(idata, var_names=[name], method="quantile", prob=0.5),
        ),
    }
    for what, (estimate, truth, mcse) in checks.items():
        error = float(mcse[name])
        assert abs(estimate - truth) < MCSE_TOLERANCE * error, (
            f"{what} of {name}: sampled {estimate:.4f}, exact {truth:.4f}, MCSE {error:.4f}"
        )


@pytest.mark.parametrize("name", ["sigma_a", "sigma_b", "eps"])
def test_radon_exact_agrees_with_a_long_noncentered_run(
    name, radon_exact, radon_long_noncentered_idata
):
    assert int(radon_long_noncentered_idata["sample_stats"]["diverging"].sum()) == 0
    _assert_within_mcse(radon_long_noncentered_idata, radon_exact, name)


@pytest.mark.parametrize("name", ["mu", "tau"])
def test_eight_schools_exact_agrees_with_a_long_noncentered_run(
    name, schools_exact, schools_long_noncentered_idata
):
    _assert_within_mcse(schools_long_noncentered_idata, schools_exact, name)


# ---------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ({"sigma_b": (0.0, 0.3)}, r"grid misses the posterior: .* sigma_b .* upper edge 0\.3"),
        ({"eps": (0.76, 0.9)}, r"grid misses the posterior: .* eps .* lower edge 0\.76"),
        ({"sigma_a": (0.0, 0.35)}, r"sigma_a .* upper edge .* bounds=\{'sigma_a'"),
    ],
)
def test_a_grid_that_misses_the_posterior_raises(bounds, message):
    with pytest.raises(ValueError, match=message):
        fg.exact_radon_scales(bounds=bounds)


def test_a_too_narrow_tau_grid_raises_however_fine_it_is():
    for points in (101, 4001):
        with pytest.raises(ValueError, match=r"grid misses the posterior: .* tau .* upper edge 5"):
            fg.exact_eight_schools(bounds={"tau": (0.0, 5.0)}, grid_points=points)


def test_a_wide_enough_fixed_grid_is_accepted(radon_exact):
    fixed = fg.exact_radon_scales(bounds={"sigma_b": (0.0, 1.5)})
    assert fixed.grids["sigma_b"][-1] == 1.5
    assert fixed.mean("sigma_b") == pytest.approx(radon_exact.mean("sigma_b"), abs=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"prior": "cauchy"}, ValueError, r"prior='cauchy' is not a known prior family"),
        ({"prior": {"sigma_b": "student"}}, ValueError, r"prior\['sigma_b'\]='student'"),
        ({"prior_scale": 0.0}, ValueError, r"positive finite number, got 0\.0"),
        ({"prior_scale": -2}, ValueError, r"positive finite number, got -2"),
        ({"prior": {"sigma_b": ("halfnormal", -1.0)}}, ValueError, r"got -1\.0"),
        ({"prior": {"tau": "halfnormal"}}, ValueError, r"prior names \['tau'\].*sigma_a"),
        ({"prior": ["halfnormal"]}, TypeError, r"family name .* or a \(family, scale\) pair"),
        ({"bounds": {"sigma_c": (0, 1)}}, ValueError, r"bounds names 'sigma_c'"),
        ({"bounds": {"sigma_b": (1.0, 0.5)}}, ValueError, r"lower < upper"),
        ({"bounds": {"eps": (0.0, 1.0)}}, ValueError, r"must start above 0"),
        ({"bounds": {"sigma_b": "wide"}}, TypeError, r"\(lower, upper\) pair"),
        ({"grid_points": 4}, ValueError, r"at least 8, got 4"),
        ({"grid_points": {"sigma_d": 40}}, ValueError, r"grid_points names \['sigma_d'\]"),
        ({"max_edge_mass": 0.0}, ValueError, r"max_edge_mass must be a number in \(0, 1\)"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        fg.exact_radon_scales(**kwargs)


def test_bad_data_are_refused():
    with pytest.raises(KeyError, match="log_radon"):
        fg.exact_radon_scales(fg.load_radon().drop(columns="log_radon"))
    with pytest.raises(TypeError, match="DataFrame"):
        fg.exact_eight_schools([1, 2, 3])


def test_unknown_parameters_and_probabilities_are_refused(radon_exact):
    known = r"\['sigma_a', 'sigma_b', 'eps'\]"
    with pytest.raises(KeyError, match=r"'tau' is not a parameter .*" + known):
        radon_exact.density("tau")
    with pytest.raises(KeyError, match="'sigma'"):
        radon_exact.quantile("sigma", 0.5)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        radon_exact.quantile("sigma_b", 1.5)
