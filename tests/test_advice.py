"""suggest_parameterization: the shrinkage evidence, the advice on radon and on rich data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import funnelguide as fg

RADON_GROUPS = {"a": "sigma_a", "b": "sigma_b"}


def _analytic_radon_kappa(idata: object, data: pd.DataFrame | None = None) -> dict[str, float]:
    """Average Var(a_c | all scales, data) / sigma_a**2, and the same for b, over the draws.

    Given sigma_a, sigma_b, eps and the means, county c's (a, b) is Gaussian with precision
    X'X / eps**2 + diag(1 / sigma_a**2, 1 / sigma_b**2): an exact per-draw shrinkage factor.
    """
    data = fg.load_radon() if data is None else data
    counts = data.assign(n=1.0, sxx=data["floor"] ** 2).groupby("county", sort=True)
    n, sx, sxx = (counts[col].sum().to_numpy(dtype=float) for col in ("n", "floor", "sxx"))
    posterior = idata["posterior"]
    sigma_a, sigma_b, eps = (
        posterior[name].to_numpy().reshape(-1, 1) for name in ("sigma_a", "sigma_b", "eps")
    )
    p00 = n / eps**2 + 1.0 / sigma_a**2
    p01 = sx / eps**2
    p11 = sxx / eps**2 + 1.0 / sigma_b**2
    det = p00 * p11 - p01**2
    return {
        "a": float(np.mean(p11 / det / sigma_a**2)),
        "b": float(np.mean(p00 / det / sigma_b**2)),
    }


@pytest.fixture(scope="module")
def rich_data():
    """50 groups x 200 observations, intercepts and slopes clearly spread between groups."""
    rng = np.random.default_rng(7)
    n_groups, per_group = 50, 200
    a = rng.normal(1.5, 0.8, n_groups)
    b = rng.normal(-0.6, 0.4, n_groups)
    group = np.repeat(np.arange(n_groups), per_group)
    floor = rng.binomial(1, 0.3, group.size)
    log_radon = a[group] + b[group] * floor + rng.normal(0.0, 0.75, group.size)
    return pd.DataFrame(
        {"county": [f"G{g:02d}" for g in group], "floor": floor, "log_radon": log_radon}
    )


@pytest.fixture(scope="module")
def rich_idata(rich_data):
    return fg.sample(fg.radon_model(rich_data), draws=500, tune=500, chains=4, random_seed=3)


@pytest.fixture(scope="module")
def noncentered_advice(radon_noncentered_idata):
    return fg.suggest_parameterization(radon_noncentered_idata, groups=RADON_GROUPS)


def test_radon_slopes_are_noncentered_and_intercepts_borderline(
    noncentered_advice, radon_noncentered_idata
):
    advice = noncentered_advice
    evidence = advice.evidence
    assert advice.choice["b"] == "noncentered"
    assert evidence.loc["b", "kappa_mean"] > 0.7
    assert not evidence.loc["b", "borderline"]
    # Intercepts: about half of the counties have enough basement measurements to pin their
    # intercept; the average sits near the threshold, and the advice says so.
    assert 0.4 < evidence.loc["a", "kappa_mean"] < 0.6
    assert evidence.loc["a", "borderline"]
    assert advice.choice["a"] == (
        "centered" if evidence.loc["a", "kappa_mean"] < advice.threshold else "noncentered"
    )
    assert "borderline" in str(advice)


def test_the_estimated_shrinkage_matches_the_exact_per_draw_value(
    noncentered_advice, radon_noncentered_idata
):
    exact = _analytic_radon_kappa(radon_noncentered_idata)
    for group in ("a", "b"):
        assert noncentered_advice.evidence.loc[group, "kappa_mean"] == pytest.approx(
            exact[group], abs=0.03
        )


def test_eight_schools_shrinkage_matches_its_closed_form(schools_model):
    # The estimate is a Monte Carlo one (binned variances of the draws). With 4 x 1000 draws
    # its largest error over the eight schools was 0.037 to 0.077 at seeds 1 to 10, at the
    # tolerance's edge; with 4 x 4000 it was 0.014 to 0.044 at seeds 1 to 8.
    idata = fg.sample(schools_model, draws=4000, tune=1000, chains=4, random_seed=4)
    advice = fg.suggest_parameterization(idata, groups={"theta": "tau"})
    sigma = fg.load_eight_schools()["sigma"].to_numpy()
    tau = idata["posterior"]["tau"].to_numpy().reshape(-1, 1)
    exact = np.mean(sigma**2 / (sigma**2 + tau**2), axis=0)
    np.testing.assert_allclose(advice.kappa["theta"].to_numpy(), exact, atol=0.06)
    assert advice.choice == {"theta": "noncentered"}
    assert advice.kappa["theta"].index.tolist() == list("ABCDEFGH")


def test_a_centered_fit_gives_the_same_advice(noncentered_advice, radon_centered_idata):
    centered = fg.suggest_parameterization(radon_centered_idata, groups=RADON_GROUPS)
    assert centered.choice["b"] == "noncentered"
    for group in ("a", "b"):
        assert centered.evidence.loc[group, "kappa_mean"] == pytest.approx(
            noncentered_advice.evidence.loc[group, "kappa_mean"], abs=0.05
        )


def test_groups_with_plenty_of_data_stay_centered(rich_idata, rich_data):
    advice = fg.suggest_parameterization(rich_idata, groups=RADON_GROUPS)
    assert advice.choice == {"a": "centered", "b": "centered"}
    assert not advice.evidence["borderline"].any()
    exact = _analytic_radon_kappa(rich_idata, rich_data)
    for group in ("a", "b"):
        assert advice.evidence.loc[group, "kappa_mean"] == pytest.approx(exact[group], abs=0.03)
    assert (advice.evidence["data_dominated"] == 1.0).all()
    assert advice.evidence["members"].tolist() == [50, 50]


def test_the_choice_builds_a_model(noncentered_advice):
    model = fg.radon_model(parameterization=noncentered_advice.choice)
    assert "b_offset" in model.named_vars
    assert "a_offset" not in model.named_vars or noncentered_advice.choice["a"] == "noncentered"


def test_the_printed_advice_shows_the_evidence(noncentered_advice):
    text = str(noncentered_advice)
    for word in ("kappa_mean", "sigma_a", "sigma_b", "b: noncentered"):
        assert word in text
    assert noncentered_advice.evidence.index.name == "group"
    assert noncentered_advice.evidence.columns.tolist() == [
        "scale",
        "members",
        "kappa_mean",
        "kappa_median",
        "data_dominated",
        "borderline",
        "choice",
    ]


@pytest.mark.parametrize(
    ("groups", "error", "message"),
    [
        ({"c": "sigma_c"}, KeyError, r"group 'c' .* not in the posterior; it has \["),
        ({"b": "sigma_c"}, KeyError, r"scale 'sigma_c' \(in 'b': 'sigma_c'\)"),
        ({"b": "a"}, ValueError, r"'a' must be a scalar parameter"),
        ({"sigma_a": "sigma_b"}, ValueError, r"group 'sigma_a' is a scalar"),
        ({"b": "mu_b"}, ValueError, r"scale 'mu_b' of group 'b' has non-positive draws"),
        ({}, TypeError, r"non-empty mapping"),
        (["b"], TypeError, r"non-empty mapping"),
        ({"b": 3}, TypeError, r"str to str"),
    ],
)
def test_bad_groups_are_named(radon_noncentered_idata, groups, error, message):
    with pytest.raises(error, match=message):
        fg.suggest_parameterization(radon_noncentered_idata, groups=groups)


def test_bad_threshold_and_result_are_refused(radon_noncentered_idata):
    with pytest.raises(ValueError, match=r"threshold must be a number in \(0, 1\), got 1\.5"):
        fg.suggest_parameterization(radon_noncentered_idata, groups=RADON_GROUPS, threshold=1.5)
    with pytest.raises(TypeError, match=r"xarray\.DataTree"):
        fg.suggest_parameterization({"posterior": None}, groups=RADON_GROUPS)


def _synthetic_fit(scale_draws, member_sd, rng, dims):
    """Normal-normal posterior draws given the scale; exact kappa = s**2 / (s**2 + sigma**2)."""
    sigma = scale_draws.reshape(4, -1)
    s = member_sd.reshape((1, 1, *member_sd.shape))
    shrink = sigma[..., None, None] ** 2 / (sigma[..., None, None] ** 2 + s**2)
    conditional_sd = np.sqrt(shrink) * s
    location = rng.normal(size=sigma.shape)[..., None, None]
    members = location + conditional_sd * rng.normal(size=(*sigma.shape, *member_sd.shape))
    posterior = xr.Dataset(
        {"theta": (("chain", "draw", *dims), members), "sigma": (("chain", "draw"), sigma)},
        coords={dims[0]: [f"r{i}" for i in range(member_sd.shape[0])]},
    )
    kappa = np.mean(s**2 / (s**2 + sigma[..., None, None] ** 2), axis=(0, 1))
    return xr.DataTree.from_dict({"posterior": posterior}), kappa


@pytest.mark.parametrize(("sigma_center", "choice"), [(0.2, "noncentered"), (5.0, "centered")])
def test_kappa_of_synthetic_draws_with_two_member_dimensions(sigma_center, choice):
    rng = np.random.default_rng(11)
    member_sd = rng.uniform(0.5, 2.0, size=(5, 6))
    scale_draws = sigma_center * np.exp(0.3 * rng.normal(size=4 * 2000))
    idata, exact = _synthetic_fit(scale_draws, member_sd, rng, ("row", "col"))
    advice = fg.suggest_parameterization(idata, groups={"theta": "sigma"})
    assert advice.choice == {"theta": choice}
    np.testing.assert_allclose(advice.kappa["theta"].to_numpy(), exact.ravel(), atol=0.08)
    assert advice.kappa["theta"].index[0] == "[r0, 0]"
    assert advice.evidence.loc["theta", "members"] == 30


def test_the_advice_agrees_with_diagnose_which_reads_the_model(
    noncentered_advice, radon_noncentered_idata
):
    """One estimator: the mean over members (no model) against each member's own loc."""
    diagnosis = fg.diagnose(radon_noncentered_idata, fg.radon_model(parameterization="noncentered"))
    for group in ("a", "b"):
        kappa_model = diagnosis.groups[group].kappa.to_numpy()
        kappa_draws = noncentered_advice.kappa[group].to_numpy()
        assert kappa_draws.mean() == pytest.approx(kappa_model.mean(), abs=0.03)
        assert np.corrcoef(kappa_draws, kappa_model)[0, 1] > 0.95
        assert (
            noncentered_advice.choice[group] == diagnosis.parameterization[group]
            or abs(kappa_model.mean() - noncentered_advice.threshold) < 0.05
        )
