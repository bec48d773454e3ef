"""efficiency and posterior_agreement on models written here: orderings known in advance."""

from __future__ import annotations

import arviz_stats as azs
import numpy as np
import pymc as pm
import pytest
import xarray as xr

import funnelguide as fg

# Eight schools' estimates and standard errors (Rubin 1981): weakly informed members, a funnel
# when centered.
Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SE = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def _schools(y: np.ndarray) -> pm.Model:
    with pm.Model(coords={"school": list("ABCDEFGH")}) as model:
        location = pm.Normal("location", 0.0, 5.0)
        spread = pm.HalfCauchy("spread", 5.0)
        effect = pm.Normal("effect", location, spread, dims="school")
        pm.Normal("score", effect, SE, observed=y, dims="school")
    return model


@pytest.fixture(scope="module")
def centered_model():
    return _schools(Y)


@pytest.fixture(scope="module")
def noncentered_model(centered_model):
    return fg.reparameterize(centered_model, "noncentered")


@pytest.fixture(scope="module")
def centered_idata(centered_model):
    return fg.sample(centered_model, draws=1000, tune=1000, chains=4, random_seed=5)


@pytest.fixture(scope="module")
def noncentered_idata(noncentered_model):
    return fg.sample(noncentered_model, draws=1000, tune=1000, chains=4, random_seed=5)


@pytest.fixture(scope="module")
def reference_idata(noncentered_model):
    return fg.sample(noncentered_model, draws=4000, tune=1000, chains=4, random_seed=6)


def test_efficiency_orders_a_centered_funnel_below_its_noncentered_form(
    centered_idata, noncentered_idata
):
    centered = fg.efficiency(centered_idata, ["location", "spread", "effect"])
    noncentered = fg.efficiency(noncentered_idata, ["location", "spread", "effect"])
    assert centered.index.tolist() == [
        "divergences",
        "worst ESS",
        "worst ESS / s",
        "worst ESS / 1000 gradients",
    ]
    assert centered["divergences"] > noncentered["divergences"]
    assert noncentered["worst ESS"] > 2 * centered["worst ESS"]
    assert noncentered["worst ESS / 1000 gradients"] > 2 * centered["worst ESS / 1000 gradients"]


def test_efficiency_counts_what_the_fit_holds(noncentered_idata):
    every = fg.efficiency(noncentered_idata)
    location_only = fg.efficiency(noncentered_idata, ["location"])
    # Every posterior variable by default, the Deterministic effect and effect_offset included:
    # the worst over all of them is no better than the worst of one.
    assert every["worst ESS"] <= location_only["worst ESS"]
    assert location_only["worst ESS"] == pytest.approx(
        float(azs.ess(noncentered_idata, var_names=["location"])["location"])
    )
    effect_ess = azs.ess(noncentered_idata, var_names=["effect_offset"])["effect_offset"]
    assert every["worst ESS"] <= float(effect_ess.min())
    assert every["divergences"] == int(noncentered_idata.sample_stats["diverging"].sum())
    seconds = noncentered_idata.posterior.attrs["sampling_time"]
    assert every["worst ESS / s"] * seconds == pytest.approx(every["worst ESS"])
    steps = float(noncentered_idata.sample_stats["n_steps"].sum())
    assert every["worst ESS / 1000 gradients"] * steps / 1000 == pytest.approx(every["worst ESS"])


def test_two_fits_of_one_model_agree_and_of_two_models_do_not(
    noncentered_idata, centered_idata, reference_idata
):
    same = fg.posterior_agreement(noncentered_idata, reference_idata)
    # Default: the variables both fits have, the model's own and the rewrite's offsets.
    assert set(same.index) == {"location", "spread", "effect", "effect_offset"}
    assert same.max() < 4.5
    # The centered fit of the same posterior, compared on the variables the two forms share.
    assert set(fg.posterior_agreement(centered_idata, reference_idata).index) == {
        "location",
        "spread",
        "effect",
    }
    shifted = fg.sample(
        fg.reparameterize(_schools(Y + 30.0), "noncentered"),
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=5,
    )
    different = fg.posterior_agreement(shifted, reference_idata, ["location", "effect"])
    assert different["location"] > 10 * same["location"]
    assert different["location"] > 10


def test_agreement_of_a_fit_with_itself_is_zero(noncentered_idata):
    agreement = fg.posterior_agreement(noncentered_idata, noncentered_idata, ["spread", "effect"])
    assert agreement.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("nuts_sampler", ["nutpie", "pymc"])
def test_a_pymc_sample_fit_is_supported(nuts_sampler):
    with pm.Model(coords={"member": range(4)}):
        mu = pm.Normal("mu")
        sigma = pm.HalfNormal("sigma")
        theta = pm.Normal("theta", mu, sigma, dims="member")
        pm.Normal("y", theta, 1.0, observed=[0.5, -0.2, 1.1, 0.3], dims="member")
        idata = pm.sample(
            draws=200,
            tune=200,
            chains=2,
            random_seed=3,
            nuts_sampler=nuts_sampler,
            progressbar=False,
            compute_convergence_checks=False,
        )
    result = fg.efficiency(idata)
    ess = azs.ess(idata, var_names=["mu", "sigma", "theta"])
    assert result["worst ESS"] == pytest.approx(min(float(ess[v].min()) for v in ess.data_vars))
    assert result["worst ESS / s"] > 0
    assert result["worst ESS / 1000 gradients"] > 0


def _without(idata: xr.DataTree, group: str) -> xr.DataTree:
    return xr.DataTree.from_dict(
        {name: idata[name].to_dataset() for name in idata.children if name != group}
    )


def test_bad_input_is_named(noncentered_idata, reference_idata):
    with pytest.raises(KeyError, match=r"var_names names \['tau'\], not in the posterior; it has"):
        fg.efficiency(noncentered_idata, ["location", "tau"])
    with pytest.raises(KeyError, match=r"var_names \(in reference\) names \['scores'\]"):
        bad = noncentered_idata.copy()
        bad["posterior"] = bad.posterior.to_dataset().assign(scores=bad.posterior["location"])
        fg.posterior_agreement(bad, reference_idata, ["scores"])
    with pytest.raises(ValueError, match=r"idata has no 'posterior' group"):
        fg.efficiency(_without(noncentered_idata, "posterior"))
    with pytest.raises(ValueError, match=r"idata has no 'posterior' group"):
        fg.posterior_agreement(_without(noncentered_idata, "posterior"), reference_idata)
    with pytest.raises(ValueError, match=r"idata has no 'sample_stats' group"):
        fg.efficiency(_without(noncentered_idata, "sample_stats"))
    with pytest.raises(TypeError, match=r"must be the xarray\.DataTree"):
        fg.efficiency(noncentered_idata.posterior.to_dataset())
    with pytest.raises(TypeError, match=r"var_names must be None or a list of variable names"):
        fg.efficiency(noncentered_idata, [3])
    with pytest.raises(ValueError, match=r"var_names must name at least one variable"):
        fg.efficiency(noncentered_idata, [])


def test_a_fit_without_sampling_time_is_refused_by_name(noncentered_idata):
    untimed = noncentered_idata.copy()
    untimed["posterior"] = untimed.posterior.to_dataset()
    untimed.posterior.attrs = {
        k: v for k, v in noncentered_idata.posterior.attrs.items() if k != "sampling_time"
    }
    with pytest.raises(ValueError, match=r"posterior\.attrs has no 'sampling_time'"):
        fg.efficiency(untimed)


def test_fits_of_different_shapes_or_no_shared_variable_are_refused(noncentered_idata):
    renamed = noncentered_idata.copy()
    posterior = renamed.posterior.to_dataset()
    renamed["posterior"] = posterior.rename({name: f"{name}_x" for name in posterior.data_vars})
    with pytest.raises(ValueError, match=r"share no posterior variable"):
        fg.posterior_agreement(noncentered_idata, renamed)
    fewer = noncentered_idata.copy()
    fewer["posterior"] = posterior.isel(school=slice(0, 5))
    with pytest.raises(ValueError, match=r"variable 'effect' has dims"):
        fg.posterior_agreement(fewer, noncentered_idata, ["effect"])


def test_a_cached_fit_keeps_its_sampling_time(noncentered_model, tmp_path):
    fresh = fg.sample(noncentered_model, draws=200, tune=200, random_seed=9, cache_dir=tmp_path)
    stored = fg.sample(noncentered_model, draws=200, tune=200, random_seed=9, cache_dir=tmp_path)
    assert stored.posterior.attrs["sampling_time"] == fresh.posterior.attrs["sampling_time"]
    assert fg.efficiency(stored).equals(fg.efficiency(fresh))
