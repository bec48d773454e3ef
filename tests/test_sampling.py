"""sample(): seeded runs, compile once per process, and Neal's funnel (the cache: test_cache.py)."""

from __future__ import annotations

import arviz_stats as azs
import numpy as np
import pymc as pm
import pytensor
import pytest
import xarray as xr

import funnelguide as fg
from funnelguide.sampling import clear_compiled_models, model_fingerprint

SHORT = {"draws": 60, "tune": 60, "chains": 2}


def _assert_same_draws(left: xr.DataTree, right: xr.DataTree) -> None:
    for group in ("posterior", "sample_stats"):
        a, b = left[group].to_dataset(), right[group].to_dataset()
        numeric = [name for name in a.data_vars if a[name].dtype.kind in "biuf"]
        assert numeric
        for name in numeric:
            np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy(), err_msg=name)


# ---------------------------------------------------------------- seeded runs


def test_sample_returns_the_documented_groups(schools_model):
    idata = fg.sample(schools_model, random_seed=1, **SHORT)
    assert {"posterior", "sample_stats", "observed_data"} <= set(idata.children)
    assert idata.posterior["tau"].shape == (2, 60)
    assert idata.posterior["theta"].shape == (2, 60, 8)
    assert idata.sample_stats["diverging"].dtype == bool
    assert {"compile_time", "sampling_time"} <= set(idata.posterior.attrs)


def test_same_seed_gives_identical_draws(schools_model):
    first = fg.sample(schools_model, random_seed=11, **SHORT)
    second = fg.sample(
        fg.eight_schools_model(parameterization="noncentered"), random_seed=11, **SHORT
    )
    _assert_same_draws(first, second)


def test_different_seed_gives_different_draws(schools_model):
    first = fg.sample(schools_model, random_seed=11, **SHORT)
    other = fg.sample(schools_model, random_seed=12, **SHORT)
    assert not np.array_equal(first.posterior["tau"].to_numpy(), other.posterior["tau"].to_numpy())


def test_no_seed_gives_fresh_draws(schools_model):
    first = fg.sample(schools_model, **SHORT)
    second = fg.sample(schools_model, **SHORT)
    assert not np.array_equal(first.posterior["tau"].to_numpy(), second.posterior["tau"].to_numpy())


def test_draws_tune_and_chains_are_honoured(schools_model):
    idata = fg.sample(schools_model, draws=7, tune=5, chains=3, random_seed=1)
    assert idata.posterior.sizes["chain"] == 3
    assert idata.posterior.sizes["draw"] == 7
    assert idata.posterior.attrs["tuning_steps"] == 5


# ---------------------------------------------------------------- compile once, fingerprints


def test_a_model_is_compiled_once_per_process():
    data = fg.load_eight_schools()
    data["y"] += 0.5  # a model no other test compiles, so the first call must compile it
    first = fg.sample(fg.eight_schools_model(data), random_seed=1, **SHORT)
    rebuilt = fg.sample(fg.eight_schools_model(data.copy()), random_seed=2, **SHORT)
    assert first.posterior.attrs["compile_time"] > 0
    assert rebuilt.posterior.attrs["compile_time"] == 0


@pytest.mark.parametrize("parameterization", ["centered", "noncentered", {"b": 0.3}])
def test_rebuilt_identical_model_has_the_same_fingerprint(parameterization):
    first = model_fingerprint(fg.radon_model(parameterization=parameterization))
    second = model_fingerprint(fg.radon_model(fg.load_radon(), parameterization=parameterization))
    assert len(first) == 64
    assert first == second


def test_changed_data_value_changes_the_fingerprint(radon):
    changed = radon.copy()
    changed.loc[10, "log_radon"] += 1e-9
    assert model_fingerprint(fg.radon_model(changed)) != model_fingerprint(fg.radon_model(radon))
    floor_changed = radon.copy()
    floor_changed.loc[10, "floor"] = 1 - floor_changed.loc[10, "floor"]
    assert model_fingerprint(fg.radon_model(floor_changed)) != model_fingerprint(
        fg.radon_model(radon)
    )


def _schools(prior_sd: float) -> pm.Model:
    schools = fg.load_eight_schools()
    with pm.Model(coords={"school": schools["school"].tolist()}) as model:
        mu = pm.Normal("mu", 0.0, prior_sd)
        tau = pm.HalfCauchy("tau", 5.0)
        theta = pm.Normal("theta", mu, tau, dims="school")
        pm.Normal(
            "y", theta, schools["sigma"].to_numpy(), observed=schools["y"].to_numpy(), dims="school"
        )
    return model


def test_changed_prior_changes_the_fingerprint():
    assert model_fingerprint(_schools(5.0)) == model_fingerprint(_schools(5.0))
    assert model_fingerprint(_schools(5.0)) == model_fingerprint(fg.eight_schools_model())
    assert model_fingerprint(_schools(5.0)) != model_fingerprint(_schools(6.0))


def test_parameterization_changes_the_fingerprint():
    prints = {
        model_fingerprint(fg.radon_model(parameterization=p))
        for p in ("centered", "noncentered", {"b": "noncentered"}, {"b": 0.3}, 0.5)
    }
    assert len(prints) == 5


# ---------------------------------------------------------------- Neal's funnel


def test_noncentered_funnel_recovers_the_exact_moments_of_v(funnel_noncentered_idata):
    v = funnel_noncentered_idata.posterior["v"].to_numpy().ravel()
    exact = fg.NEALS_FUNNEL_V_EXACT
    mcse_mean = float(azs.mcse(funnel_noncentered_idata, var_names=["v"], method="mean")["v"])
    mcse_sd = float(azs.mcse(funnel_noncentered_idata, var_names=["v"], method="sd")["v"])
    assert 0 < mcse_mean < 0.2 and 0 < mcse_sd < 0.2  # enough effective draws to mean something
    assert abs(v.mean() - exact["mean"]) < 4 * mcse_mean
    assert abs(v.std() - exact["sd"]) < 4 * mcse_sd
    assert int(funnel_noncentered_idata.sample_stats["diverging"].sum()) == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_centered_funnel_diverges(funnel_centered_model, funnel_centered_idata, seed):
    idata = (
        funnel_centered_idata
        if seed == 1
        else fg.sample(funnel_centered_model, draws=2000, tune=1000, chains=4, random_seed=seed)
    )
    assert int(idata.sample_stats["diverging"].sum()) > 0


def test_centered_funnel_misses_the_neck(funnel_centered_idata, funnel_noncentered_idata):
    centered = funnel_centered_idata.posterior["v"].to_numpy()
    noncentered = funnel_noncentered_idata.posterior["v"].to_numpy()
    # The exact distribution puts 2.3% of its mass below -6; the non-centered fit reaches it.
    assert noncentered.min() < -6
    assert centered.min() > noncentered.min() + 2


def test_an_lkj_model_is_sampled_without_probing_for_a_c_blas(monkeypatch):
    """LKJCholeskyCov's initial point holds a Scan whose C code reads ``blas__ldflags``.

    The first read of that flag probes for a system BLAS and, on a pip installation without
    one, warns. fg.sample compiles without C++, so the probe never runs: the flag's default is
    replaced by a recorder for the duration of the test.
    """
    cxx = pytensor.config.cxx
    param = pytensor.config._config_var_dict["blas__ldflags"]
    monkeypatch.delattr(param, "val", raising=False)  # as if never read in this process
    probes = []
    monkeypatch.setattr(param, "_default", lambda: probes.append("probed") or "")
    with pm.Model() as model:
        _, _, stds = pm.LKJCholeskyCov(
            "chol", n=3, eta=2.0, sd_dist=pm.Exponential.dist(1.0, shape=3)
        )
        pm.Normal("y", 0.0, stds, observed=[0.5, -1.0, 2.0])
    idata = fg.sample(model, draws=50, tune=50, chains=1, random_seed=3, cache_dir=False)
    assert idata.posterior["chol"].shape == (1, 50, 6)
    assert probes == []
    assert pytensor.config.cxx == cxx  # the compiler is the user's again after sampling


def _lkj_model() -> pm.Model:
    rng = np.random.default_rng(0)
    group, x = rng.integers(0, 6, 60), rng.normal(size=60)
    with pm.Model(coords={"group": range(6), "term": ["intercept", "slope"]}) as model:
        chol, _, _ = pm.LKJCholeskyCov(
            "chol", n=2, eta=2.0, sd_dist=pm.Exponential.dist(1.0, shape=2)
        )
        effects = pm.MvNormal("effects", mu=np.zeros(2), chol=chol, dims=("group", "term"))
        mean = effects[group, 0] + effects[group, 1] * x
        pm.Normal("y", mean, 1.0, observed=rng.normal(size=60))
    return model


def test_compiling_leaves_the_model_unchanged_and_every_compile_draws_alike():
    """A first compile used to constant-fold part of LKJCholeskyCov's transform in place.

    The model's fingerprint then changed under the user, and a second compile of the same
    model in the same process gave other draws for the same seed.
    """
    model = _lkj_model()
    before = model_fingerprint(model)
    first = fg.sample(model, **SHORT, random_seed=3, cache_dir=False)
    assert model_fingerprint(model) == before
    clear_compiled_models()
    second = fg.sample(model, **SHORT, random_seed=3, cache_dir=False)
    _assert_same_draws(first, second)
