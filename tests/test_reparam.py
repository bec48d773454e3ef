"""fg.reparameterize: the change-of-variables identity, the posterior by sampling, bad input."""

from __future__ import annotations

import functools

import arviz_stats as azs
import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest

import funnelguide as fg

FAMILIES = {
    "Normal": lambda name, loc, scale, **kw: pm.Normal(name, loc, scale, **kw),
    "StudentT": lambda name, loc, scale, **kw: pm.StudentT(name, nu=4.0, mu=loc, sigma=scale, **kw),
    "Cauchy": lambda name, loc, scale, **kw: pm.Cauchy(name, loc, scale, **kw),
    "Laplace": lambda name, loc, scale, **kw: pm.Laplace(name, loc, scale, **kw),
    "Logistic": lambda name, loc, scale, **kw: pm.Logistic(name, loc, scale, **kw),
}
REGION_IDX = np.array([0, 0, 1, 1, 2])


def _nested(family: str) -> pm.Model:
    """A nested model: region ~ Normal(mu, s_r), district ~ family(region[idx], s_d)."""
    with pm.Model(coords={"region": range(3), "district": range(5)}) as model:
        idx = pm.Data("region_idx", REGION_IDX)
        mu = pm.Normal("mu")
        s_r = pm.HalfNormal("s_r")
        s_d = pm.HalfNormal("s_d")
        region_eff = pm.Normal("region_eff", mu, s_r, dims="region")
        FAMILIES[family]("district_eff", region_eff[idx], s_d, dims="district")
        pm.Potential("penalty", -0.5 * s_d**2)
    return model


#: The identity tests evaluate small graphs at a few points. PyTensor's FAST_COMPILE mode (Python
#: implementations, fewer rewrites) compiles such a graph in a fraction of a second, where the
#: default backend takes seconds per function; what is tested is the graph's value, and the
#: default backend runs the rewritten models in every sampling test.
IDENTITY_MODE = "FAST_COMPILE"


@functools.cache
def _centered(family: str):
    """The nested model of ``family`` and its compiled log density, shared by the tests."""
    model = _nested(family)
    return model, model.compile_logp(mode=IDENTITY_MODE)


def _random_point(model: pm.Model, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {k: v + rng.normal(0, 0.7, np.shape(v)) for k, v in model.initial_point().items()}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("weight", [0.0, 0.35, "per-member"])
def test_change_of_variables_identity(family, weight):
    """logp_new(theta, z) == logp_old(theta, x(theta, z)) + sum (1 - w) log scale, by hand."""
    model, logp_old = _centered(family)
    rng = np.random.default_rng(11)
    w = np.array([0.0, 0.2, 0.5, 0.9, 1.0]) if weight == "per-member" else float(weight)
    w_region = 0.6
    new = fg.reparameterize(model, {"district_eff": w, "region_eff": w_region})
    logp_new = new.compile_logp(mode=IDENTITY_MODE)
    for _ in range(3):
        point = _random_point(new, rng)
        mu, s_r, s_d = point["mu"], np.exp(point["s_r_log__"]), np.exp(point["s_d_log__"])
        # x(theta, z), written out by hand from the centering-weight formula.
        z_r = point["region_eff_partial"]
        region = mu + s_r ** (1 - w_region) * (z_r - w_region * mu)
        z_d = point[
            "district_eff_offset" if isinstance(w, float) and w == 0.0 else "district_eff_partial"
        ]
        loc = region[REGION_IDX]
        district = loc + s_d ** (1 - w) * (z_d - w * loc)
        old_point = {"mu": mu, "s_r_log__": point["s_r_log__"], "s_d_log__": point["s_d_log__"]}
        old_point |= {"region_eff": region, "district_eff": district}
        log_jac = 3 * (1 - w_region) * np.log(s_r) + np.sum((1 - w) * np.log(s_d) * np.ones(5))
        np.testing.assert_allclose(logp_new(point), logp_old(old_point) + log_jac, rtol=1e-9)


@pytest.mark.parametrize("written", ["chol", "cov"])
def test_mvnormal_identity(written):
    """x = mu + z @ L.T with z standard normal: log|det dx/dz| = members * sum(log diag L)."""
    with pm.Model(coords={"g": range(4), "k": range(2)}) as model:
        mu = pm.Normal("mu", shape=2)
        s = pm.HalfNormal("s", shape=2)
        rho = 0.4
        cov = pt.stack([[s[0] ** 2, rho * s[0] * s[1]], [rho * s[0] * s[1], s[1] ** 2]])
        if written == "chol":
            pm.MvNormal("ab", mu=mu, chol=pt.linalg.cholesky(cov), dims=("g", "k"))
        else:
            pm.MvNormal("ab", mu=mu, cov=cov, dims=("g", "k"))
    assert fg.hierarchical_groups(model).loc["ab", "family"] == "MvNormal"
    new = fg.reparameterize(model)
    rng = np.random.default_rng(5)
    logp_new, logp_old = (
        new.compile_logp(mode=IDENTITY_MODE),
        model.compile_logp(mode=IDENTITY_MODE),
    )
    for _ in range(3):
        point = _random_point(new, rng)
        sd = np.exp(point["s_log__"])
        chol = np.linalg.cholesky(
            np.array([[sd[0] ** 2, rho * sd[0] * sd[1]], [rho * sd[0] * sd[1], sd[1] ** 2]])
        )
        ab = point["mu"] + point["ab_offset"] @ chol.T
        old_point = {"mu": point["mu"], "s_log__": point["s_log__"], "ab": ab}
        log_jac = 4 * np.sum(np.log(np.diag(chol)))
        np.testing.assert_allclose(logp_new(point), logp_old(old_point) + log_jac, rtol=1e-9)


def test_round_trip_gives_back_the_centered_density():
    model = _nested("StudentT")
    back = fg.reparameterize(fg.reparameterize(model, 0.3), "centered")
    assert sorted(v.name for v in back.free_RVs) == sorted(v.name for v in model.free_RVs)
    point = _random_point(model, np.random.default_rng(2))
    np.testing.assert_allclose(back.compile_logp()(point), model.compile_logp()(point))


def test_the_input_model_is_left_as_it_is():
    model = _nested("Normal")
    names = sorted(model.named_vars)
    fg.reparameterize(model)
    assert sorted(model.named_vars) == names
    assert fg.hierarchical_groups(model)["form"].tolist() == ["centered", "centered"]


def test_builders_match_the_forms_written_by_hand():
    """The builders' rewritten forms equal the hand-written ones of before (identical logp)."""
    data = fg.load_eight_schools()
    for weight in (0.0, 0.4):
        with pm.Model(coords={"school": data["school"].tolist()}) as by_hand:
            mu = pm.Normal("mu", 0.0, 5.0)
            tau = pm.HalfCauchy("tau", 5.0)
            if weight == 0.0:
                offset = pm.Normal("theta_offset", 0.0, 1.0, dims="school")
                theta = pm.Deterministic("theta", mu + tau * offset, dims="school")
            else:
                part = pm.Normal("theta_partial", weight * mu, tau**weight, dims="school")
                theta = pm.Deterministic(
                    "theta", mu + tau ** (1 - weight) * (part - weight * mu), dims="school"
                )
            pm.Normal("y", theta, data["sigma"].to_numpy(), observed=data["y"].to_numpy())
        built = fg.eight_schools_model(parameterization=weight)
        assert built.named_vars_to_dims["theta"] == ("school",)
        point = _random_point(by_hand, np.random.default_rng(3))
        np.testing.assert_allclose(built.compile_logp()(point), by_hand.compile_logp()(point))


# ---------------------------------------------------------------- posterior by sampling


def _crossed(rng: np.random.Generator) -> pm.Model:
    n = 60
    a_idx, b_idx = rng.integers(0, 6, n), rng.integers(0, 4, n)
    y = rng.normal(0.5, 0.3, 6)[a_idx] + rng.normal(0, 1.0, 4)[b_idx] + rng.normal(0, 1, n)
    with pm.Model(coords={"a_level": range(6), "b_level": range(4), "obs": range(n)}) as model:
        mu = pm.Normal("mu", 0, 2)
        s_a = pm.HalfNormal("s_a", 1)
        s_b = pm.HalfNormal("s_b", 1)
        a = pm.Normal("a", 0, s_a, dims="a_level")
        b = pm.StudentT("b", nu=5, mu=0, sigma=s_b, dims="b_level")
        pm.Normal("y", mu + a[a_idx] + b[b_idx], 1.0, observed=y, dims="obs")
    return model


def _nested_data(rng: np.random.Generator) -> pm.Model:
    district_idx = np.repeat(np.arange(5), 4)
    with pm.Model(coords={"region": range(3), "district": range(5), "obs": range(20)}) as model:
        idx = pm.Data("region_idx", REGION_IDX)
        mu = pm.Normal("mu", 0, 2)
        s_r = pm.HalfNormal("s_r", 1)
        s_d = pm.HalfNormal("s_d", 1)
        region_eff = pm.Normal("region_eff", mu, s_r, dims="region")
        district_eff = pm.Normal("district_eff", region_eff[idx], s_d, dims="district")
        pm.Deterministic("district_mean", district_eff * 1.0, dims="district")
        pm.Normal("y", district_eff[district_idx], 1.0, observed=rng.normal(1, 1.5, 20))
    return model


def _schools(rng: np.random.Generator) -> pm.Model:
    y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    with pm.Model(coords={"school": list("ABCDEFGH")}) as model:
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfNormal("tau", 5)
        theta = pm.Laplace("theta", mu, tau, dims="school")
        pm.Normal("y", theta, 12.0, observed=y, dims="school")
    return model


@pytest.mark.parametrize(
    ("build", "checked"),
    [(_crossed, ["mu", "s_a", "a"]), (_nested_data, ["mu", "district_eff"]), (_schools, ["mu"])],
)
def test_posterior_unchanged_by_sampling(build, checked):
    model = build(np.random.default_rng(0))
    rewritten = fg.reparameterize(model, "noncentered")
    settings = {"draws": 400, "tune": 400, "chains": 2, "random_seed": 1}
    fits = [fg.sample(model, **settings), fg.sample(rewritten, **settings)]
    for name in model.named_vars_to_dims:
        if name in model.free_RVs or name in [v.name for v in model.free_RVs]:
            assert fits[1].posterior[name].dims[2:] == model.named_vars_to_dims[name]
    for name in checked:
        means = [fit.posterior[name].mean(("chain", "draw")).to_numpy() for fit in fits]
        mcse = [azs.mcse(fit, var_names=[name])[name].to_numpy() for fit in fits]
        tolerance = 4.0 * np.sqrt(mcse[0] ** 2 + mcse[1] ** 2)
        assert np.all(np.abs(means[0] - means[1]) < tolerance), name


# ---------------------------------------------------------------- bad input


def test_no_group_raises():
    with pm.Model() as model:
        pm.Normal("x", 0, pm.HalfNormal("s"), observed=[1.0, 2.0])
    with pytest.raises(ValueError, match="no hierarchical group"):
        fg.reparameterize(model)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"nope": "noncentered"}, "'nope' is not a variable of the model"),
        ({"y": "noncentered"}, "'y' is an observed variable"),
        ({"mu": "noncentered"}, "'mu' has a scale that depends on no free variable"),
        ({"theta": 1.5}, r"parameterization\['theta'\] has weight\(s\) outside \[0, 1\]"),
        ({"theta": [0.5, 0.5, 0.5]}, r"parameterization\['theta'\] has shape \(3,\)"),
        ({"theta": "sideways"}, r"parameterization\['theta'\]='sideways' is not a known"),
    ],
)
def test_bad_parameterization_names_the_variable(mapping, message):
    model = _schools(np.random.default_rng(0))
    with pytest.raises(ValueError, match=message):
        fg.reparameterize(model, mapping)


def test_truncated_group_is_left_and_explained():
    with pm.Model() as model:
        s = pm.HalfNormal("s")
        pm.Truncated("t", pm.Normal.dist(0, s), lower=0, shape=3)
    with pm.Model() as other:
        s = pm.HalfNormal("s")
        pm.Normal("x", 0, s, shape=3)
        pm.Truncated("t", pm.Normal.dist(0, s), lower=0, shape=3)
    assert fg.hierarchical_groups(model).empty
    with pytest.raises(ValueError, match="'t' is truncated or censored"):
        fg.reparameterize(other, {"t": "noncentered"})


def test_custom_transform_and_initval_say_what_to_do():
    with pm.Model() as model:
        s = pm.HalfNormal("s")
        pm.Normal("x", 0, s, shape=3, transform=pm.distributions.transforms.ordered)
    with pytest.raises(ValueError, match="group 'x' has a custom transform"):
        fg.reparameterize(model)
    with pm.Model() as model:
        s = pm.HalfNormal("s")
        pm.Normal("x", 0, s, shape=3, initval=np.zeros(3))
    with pytest.raises(ValueError, match=r"\['x'\] have an initval"):
        fg.hierarchical_groups(model)


def test_name_clash_is_refused():
    with pm.Model() as model:
        s = pm.HalfNormal("s")
        pm.Normal("x", 0, s, shape=3)
        pm.Normal("x_offset", 0, 1)
    with pytest.raises(ValueError, match="would be 'x_offset'"):
        fg.reparameterize(model)


def test_sample_refuses_discrete_free_variables_before_compiling():
    with pm.Model() as model:
        pm.Poisson("k", 3.0)
        pm.Normal("x", 0, 1)
    with pytest.raises(ValueError, match=r"discrete free variable\(s\) \['k'\]"):
        fg.sample(model, draws=10, tune=10, chains=1)
