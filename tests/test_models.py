"""Model builders: variable names per parameterization, priors, coords, partial centering."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from scipy import stats

import funnelguide as fg
from funnelguide.sampling import model_fingerprint

RADON_COMMON = {"mu_a", "sigma_a", "a", "mu_b", "sigma_b", "b", "eps", "log_radon"}


def _names(model: pm.Model) -> dict[str, set[str]]:
    return {
        "free": {rv.name for rv in model.free_RVs},
        "deterministic": {d.name for d in model.deterministics},
        "observed": {rv.name for rv in model.observed_RVs},
    }


def _logps(model: pm.Model, values: dict[str, object]) -> dict[str, float]:
    """Log density of each named free variable at ``values`` (untransformed), no Jacobian."""
    rvs = [model[name] for name in values]
    point = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        x = np.asarray(values.get(rv.name, model.initial_point()[value_var.name]))
        if rv.name in values and transform is not None:
            assert type(transform).__name__ == "LogTransform"
            x = np.log(x)
        point[value_var.name] = x
    logp_fn = model.compile_logp(vars=rvs, jacobian=False, sum=False)
    return {name: float(np.sum(lp)) for name, lp in zip(values, logp_fn(point), strict=True)}


# ---------------------------------------------------------------- radon: names per form


def test_centered_radon_model_has_the_posts_names():
    names = _names(fg.radon_model(parameterization="centered"))
    assert names["free"] == {"mu_a", "sigma_a", "a", "mu_b", "sigma_b", "b", "eps"}
    assert names["deterministic"] == set()
    assert names["observed"] == {"log_radon"}


def test_noncentered_radon_model_adds_offsets_and_keeps_a_b_as_deterministics():
    names = _names(fg.radon_model(parameterization="noncentered"))
    assert names["free"] == {"mu_a", "sigma_a", "a_offset", "mu_b", "sigma_b", "b_offset", "eps"}
    assert names["deterministic"] == {"a", "b"}
    assert names["observed"] == {"log_radon"}


def test_mapping_parameterizes_each_group_and_defaults_to_centered():
    names = _names(fg.radon_model(parameterization={"b": "noncentered"}))
    assert {"a", "b_offset"} <= names["free"]
    assert "a_offset" not in names["free"]
    assert names["deterministic"] == {"b"}
    both = _names(fg.radon_model(parameterization={"a": "noncentered", "b": "centered"}))
    assert {"a_offset", "b"} <= both["free"]
    assert both["deterministic"] == {"a"}


def test_partial_weight_adds_a_partial_variable():
    model = fg.radon_model(parameterization={"b": 0.3})
    names = _names(model)
    assert {"a", "b_partial"} <= names["free"]
    assert names["deterministic"] == {"b"}
    assert RADON_COMMON <= set(model.named_vars)
    everywhere = _names(fg.radon_model(parameterization=0.5))
    assert {"a_partial", "b_partial"} <= everywhere["free"]
    assert everywhere["deterministic"] == {"a", "b"}


def test_partial_centering_prior_and_transform_are_as_documented():
    w = 0.3
    model = fg.radon_model(parameterization={"b": w})
    mu_b, sigma_b = 0.4, 0.2
    b_partial = np.linspace(-1.0, 1.0, 85)
    # b_partial ~ Normal(w * mu_b, sigma_b**w)
    logp = _logps(model, {"mu_b": mu_b, "sigma_b": sigma_b, "b_partial": b_partial})
    expected = stats.norm(w * mu_b, sigma_b**w).logpdf(b_partial).sum()
    assert logp["b_partial"] == pytest.approx(expected, rel=1e-5)
    # b = mu_b + sigma_b**(1 - w) * (b_partial - w * mu_b)
    inputs = [model["mu_b"], model["sigma_b"], model["b_partial"]]
    b_fn = model.compile_fn(model["b"], inputs=inputs)
    b = b_fn({"mu_b": mu_b, "sigma_b": sigma_b, "b_partial": b_partial})
    np.testing.assert_allclose(b, mu_b + sigma_b ** (1 - w) * (b_partial - w * mu_b), rtol=1e-5)


@pytest.mark.parametrize(
    ("weight", "name"),
    [(1, "centered"), (1.0, "centered"), (0, "noncentered"), (0.0, "noncentered")],
)
def test_weights_one_and_zero_give_exactly_the_named_forms(weight, name):
    by_weight = fg.radon_model(parameterization=weight)
    by_name = fg.radon_model(parameterization=name)
    assert _names(by_weight) == _names(by_name)
    assert model_fingerprint(by_weight) == model_fingerprint(by_name)
    assert model_fingerprint(fg.radon_model(parameterization={"b": weight})) == model_fingerprint(
        fg.radon_model(parameterization={"b": name})
    )


# ---------------------------------------------------------------- radon: priors, coords, data


def test_radon_priors_are_the_posts():
    model = fg.radon_model()
    values = {"mu_a": 250.0, "mu_b": -40.0, "sigma_a": 0.7, "sigma_b": 3.0, "eps": 12.0}
    logp = _logps(model, values)
    # Normal(0, sd=100**2): a sd of 100 instead would give a logp lower by about 3.
    assert logp["mu_a"] == pytest.approx(stats.norm(0, 100**2).logpdf(250.0), rel=1e-6)
    assert logp["mu_b"] == pytest.approx(stats.norm(0, 100**2).logpdf(-40.0), rel=1e-6)
    for name in ("sigma_a", "sigma_b", "eps"):
        assert logp[name] == pytest.approx(stats.halfcauchy(scale=5).logpdf(values[name]), rel=1e-5)


def test_radon_prior_sigma_is_read_off_the_graph():
    model = fg.radon_model()
    for name in ("mu_a", "mu_b"):
        node = model[name].owner
        assert type(node.op).__name__ == "NormalRV"
        mu, sigma = (float(np.asarray(x.data)) for x in node.inputs[-2:])
        assert (mu, sigma) == (0.0, 100.0**2)


def test_radon_group_prior_is_normal_around_its_hyperparameters():
    model = fg.radon_model()
    b = np.linspace(-2.0, 1.0, 85)
    logp = _logps(model, {"mu_b": -0.5, "sigma_b": 0.3, "b": b})
    assert logp["b"] == pytest.approx(stats.norm(-0.5, 0.3).logpdf(b).sum(), rel=1e-6)


def test_radon_coords_and_data(radon):
    model = fg.radon_model()
    counties = list(model.coords["county"])
    assert len(counties) == 85
    assert counties == sorted(radon["county"].unique())
    assert len(model.coords["obs_id"]) == 919
    assert model.named_vars_to_dims["b"] == ("county",)
    assert model.named_vars_to_dims["log_radon"] == ("obs_id",)
    np.testing.assert_array_equal(model["county_idx"].get_value(), radon["county_idx"])
    np.testing.assert_array_equal(model["floor"].get_value(), radon["floor"])
    np.testing.assert_array_equal(model.rvs_to_values[model["log_radon"]].data, radon["log_radon"])


def test_radon_model_on_a_subset_codes_its_own_counties(radon):
    subset = radon[radon["county"].isin(["WRIGHT", "ANOKA", "HENNEPIN"])]
    model = fg.radon_model(subset)
    assert list(model.coords["county"]) == ["ANOKA", "HENNEPIN", "WRIGHT"]
    assert len(model.coords["obs_id"]) == len(subset) == 52 + 105 + 13
    codes = model["county_idx"].get_value()
    np.testing.assert_array_equal(
        np.array(["ANOKA", "HENNEPIN", "WRIGHT"])[codes], subset["county"].to_numpy()
    )


# ---------------------------------------------------------------- eight schools, Neal's funnel


def test_eight_schools_names_priors_and_coords():
    centered = fg.eight_schools_model()
    assert _names(centered) == {
        "free": {"mu", "tau", "theta"},
        "deterministic": set(),
        "observed": {"y"},
    }
    assert list(centered.coords["school"]) == list("ABCDEFGH")
    noncentered = fg.eight_schools_model(parameterization="noncentered")
    assert _names(noncentered)["free"] == {"mu", "tau", "theta_offset"}
    assert _names(noncentered)["deterministic"] == {"theta"}
    logp = _logps(centered, {"mu": 3.0, "tau": 2.0})
    assert logp["mu"] == pytest.approx(stats.norm(0, 5).logpdf(3.0), rel=1e-6)
    assert logp["tau"] == pytest.approx(stats.halfcauchy(scale=5).logpdf(2.0), rel=1e-6)


def test_eight_schools_likelihood_uses_the_known_standard_errors():
    model = fg.eight_schools_model()
    schools = fg.load_eight_schools()
    theta = np.arange(8.0)
    logp_fn = model.compile_logp(vars=[model["y"]], sum=True)
    point = {**model.initial_point(), "theta": theta}
    expected = stats.norm(theta, schools["sigma"]).logpdf(schools["y"]).sum()
    assert float(logp_fn(point)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("ndim", [2, 10, 25])
def test_neals_funnel_has_ndim_dimensions(ndim):
    model = fg.neals_funnel_model(ndim)
    assert _names(model) == {"free": {"v", "x"}, "deterministic": set(), "observed": set()}
    assert len(model.coords["component"]) == ndim - 1
    assert sum(int(np.prod(v.shape)) for v in model.initial_point().values()) == ndim


def test_neals_funnel_noncentered_names():
    names = _names(fg.neals_funnel_model(5, parameterization="noncentered"))
    assert names == {"free": {"v", "x_offset"}, "deterministic": {"x"}, "observed": set()}
    partial = _names(fg.neals_funnel_model(5, parameterization={"x": 0.5}))
    assert partial["free"] == {"v", "x_partial"}


def test_neals_funnel_density_is_neals():
    model = fg.neals_funnel_model(4)
    x = np.array([0.5, -1.0, 2.0])
    logp = _logps(model, {"v": 1.5, "x": x})
    assert logp["v"] == pytest.approx(stats.norm(0, 3).logpdf(1.5), rel=1e-6)
    assert logp["x"] == pytest.approx(stats.norm(0, np.exp(1.5 / 2)).logpdf(x).sum(), rel=1e-6)


def test_neals_funnel_exact_moments():
    assert fg.NEALS_FUNNEL_V_EXACT["mean"] == 0.0
    assert fg.NEALS_FUNNEL_V_EXACT["sd"] == 3.0
    assert fg.NEALS_FUNNEL_V_EXACT["p_below_minus_3"] == pytest.approx(stats.norm.cdf(-1.0))
