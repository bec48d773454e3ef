"""funnel_report on centered and non-centered radon fits, and on Neal's funnel."""

from __future__ import annotations

import arviz_stats as azs
import numpy as np
import pytest

import funnelguide as fg
from funnelguide.diagnostics import EBFMI_MIN, REPORT_WIDTH


@pytest.fixture(scope="module")
def centered_report(radon_centered_idata):
    return fg.funnel_report(
        radon_centered_idata, scale="sigma_b", group="b", model=fg.radon_model()
    )


@pytest.fixture(scope="module")
def noncentered_report(radon_noncentered_idata):
    return fg.funnel_report(
        radon_noncentered_idata,
        scale="sigma_b",
        group="b",
        model=fg.radon_model(parameterization="noncentered"),
    )


def test_report_numbers_match_the_fit(radon_centered_idata, centered_report):
    report = centered_report
    diverging = radon_centered_idata.sample_stats["diverging"].to_numpy()
    assert (report.scale, report.group) == ("sigma_b", "b")
    assert (report.chains, report.draws) == (4, 1000)
    assert report.divergences == int(diverging.sum())
    assert report.divergence_share == pytest.approx(diverging.mean())
    assert report.rhat == pytest.approx(
        float(azs.rhat(radon_centered_idata, var_names=["sigma_b"])["sigma_b"])
    )
    assert report.ess_bulk == pytest.approx(
        float(azs.ess(radon_centered_idata, var_names=["sigma_b"], method="bulk")["sigma_b"])
    )
    assert report.ebfmi.shape == (4,)
    assert np.all(report.ebfmi > 0)


def test_report_reads_the_parameterization(centered_report, noncentered_report):
    assert centered_report.parameterization == "centered"
    assert noncentered_report.parameterization == "noncentered"


def test_noncentered_radon_fit_is_healthy(noncentered_report):
    assert np.all(noncentered_report.ebfmi > EBFMI_MIN)
    assert noncentered_report.ess_bulk > 300
    assert noncentered_report.rhat < 1.05
    assert noncentered_report.divergence_share < 0.01


def test_centered_radon_fit_is_flagged(centered_report, noncentered_report):
    assert centered_report.ess_bulk < noncentered_report.ess_bulk / 2
    assert not centered_report.ok
    assert centered_report.problems
    assert any("effective sample size" in p or "E-BFMI" in p for p in centered_report.problems)
    assert centered_report.verdict.startswith("the sampler struggles")
    assert "noncentered" in centered_report.recommendation


def test_centered_radon_fit_misses_the_lower_tail_of_sigma_b(
    radon_centered_idata, radon_noncentered_idata
):
    # If the centered draws were right, 1% of the posterior would lie below their 1% quantile;
    # the non-centered fit puts clearly more there (by more than 3 Monte Carlo errors).
    centered_q01 = float(radon_centered_idata.posterior["sigma_b"].quantile(0.01))
    below = (radon_noncentered_idata.posterior["sigma_b"] < centered_q01).astype(float)
    share, share_mcse = float(below.mean()), float(azs.mcse(below, method="mean"))
    assert share > 0.01 + 3 * share_mcse, (share, share_mcse)


def test_report_prints_its_key_lines(centered_report):
    text = str(centered_report)
    lines = text.splitlines()
    assert lines[0].startswith("Funnel report for sigma_b (scale of b, centered), 4 chains x 1000")
    for label in ("divergences", "R-hat", "ESS bulk/tail", "E-BFMI", "verdict", "recommendation"):
        assert any(line.strip().startswith(label) for line in lines), label
    assert f"{centered_report.rhat:.3f}" in text
    assert f"{centered_report.ess_bulk:.0f} / {centered_report.ess_tail:.0f}" in text
    assert " ".join(centered_report.verdict.split()) in " ".join(text.split())
    assert " ".join(centered_report.recommendation.split()) in " ".join(text.split())
    long_lines = [line for line in lines[1:] if len(line) > REPORT_WIDTH]
    assert not long_lines, long_lines


def test_funnel_divergences_are_located_on_the_scale(funnel_centered_idata):
    report = fg.funnel_report(funnel_centered_idata, scale="v", group="x")
    assert report.divergences > 0
    assert 0.0 < report.divergent_scale_quantile <= 1.0
    assert any("divergent transitions" in p for p in report.problems)
    assert "median quantile of v" in str(report)


def test_report_without_divergences_has_no_location(funnel_noncentered_idata):
    report = fg.funnel_report(
        funnel_noncentered_idata,
        scale="v",
        group="x",
        model=fg.neals_funnel_model(parameterization="noncentered"),
    )
    assert report.divergences == 0
    assert np.isnan(report.divergent_scale_quantile)
    assert report.parameterization == "noncentered"
    assert report.ok
    assert report.verdict.startswith("healthy: no divergences")
    assert report.recommendation == "None needed."


def test_report_on_eight_schools(schools_model):
    idata = fg.sample(schools_model, draws=200, tune=200, chains=2, random_seed=4)
    report = fg.funnel_report(idata, scale="tau", group="theta", model=schools_model)
    assert (report.scale, report.group, report.chains, report.draws) == ("tau", "theta", 2, 200)
    assert report.parameterization == "noncentered"


@pytest.fixture(scope="module")
def noncentered_schools():
    """Eight schools, non-centered, written out here; a fit whose checks pass."""
    import pymc as pm

    y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
    with pm.Model(coords={"school": list("ABCDEFGH")}) as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", 5.0)
        z = pm.Normal("z", 0.0, 1.0, dims="school")
        theta = pm.Deterministic("theta", mu + tau * z, dims="school")
        pm.Normal("y", theta, sigma, observed=y, dims="school")
    fit = fg.sample(model, draws=1000, tune=1000, chains=4, random_seed=8927)
    return model, fit


def _with_divergences(fit, count):
    """A copy of ``fit`` whose ``count`` draws of smallest tau are flagged divergent."""
    copy = fit.copy()
    stats = copy["sample_stats"].to_dataset()
    tau = copy["posterior"]["tau"].to_numpy()
    flags = np.zeros(tau.shape, dtype=bool)
    flags.flat[np.argsort(tau, axis=None)[:count]] = True
    stats["diverging"] = (stats["diverging"].dims, flags)
    copy["sample_stats"] = stats
    return copy


@pytest.mark.parametrize("count", [0, 3])
def test_a_healthy_noncentered_fit_gets_a_healthy_verdict(noncentered_schools, count):
    """No divergences, or a handful (3 of 4000), with R-hat, ESS and E-BFMI passing."""
    model, fit = noncentered_schools
    report = fg.funnel_report(
        _with_divergences(fit, count), scale="tau", group="theta", model=model
    )
    assert report.parameterization == "noncentered"
    assert report.divergences == count
    assert report.rhat < 1.01
    assert min(report.ess_bulk, report.ess_tail) > 400
    assert np.all(report.ebfmi > EBFMI_MIN)
    assert report.verdict.startswith("healthy"), report.verdict
    assert "struggles" not in report.verdict
    if count:
        assert "3 divergent transitions" in report.verdict
        assert "target_accept" in report.recommendation
    else:
        assert report.recommendation == "None needed."
        assert "divergen" not in report.recommendation


def test_many_divergences_still_mean_a_struggle(noncentered_schools):
    model, fit = noncentered_schools
    report = fg.funnel_report(_with_divergences(fit, 200), scale="tau", group="theta", model=model)
    assert report.verdict.startswith("the sampler struggles"), report.verdict
    assert "200 divergent transitions mostly at small values of tau" in report.verdict


# ---------------------------------------------------------------- estimate


def test_estimate_of_the_mean_and_a_quantile_with_mcse(radon_noncentered_idata):
    sigma_b = radon_noncentered_idata.posterior["sigma_b"]
    mean = fg.estimate(radon_noncentered_idata, var="sigma_b")
    assert isinstance(mean, fg.Estimate)
    assert mean.value == pytest.approx(float(sigma_b.mean()))
    expected_mcse = azs.mcse(radon_noncentered_idata, var_names=["sigma_b"], method="mean")
    assert mean.mcse == pytest.approx(float(expected_mcse["sigma_b"]))
    # the MCSE of a mean is about sd / sqrt(ESS): positive and far below the sd
    assert 0 < mean.mcse < 0.2 * float(sigma_b.std())

    value, mcse = fg.estimate(radon_noncentered_idata, "sigma_b", quantile=0.05)
    assert value == pytest.approx(float(sigma_b.quantile(0.05)))
    expected_q = azs.mcse(
        radon_noncentered_idata, var_names=["sigma_b"], method="quantile", prob=0.05
    )
    assert mcse == pytest.approx(float(expected_q["sigma_b"]))
    assert value < mean.value
