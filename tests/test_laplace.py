import numpy as np
import pytest

import funnelguide as fg


@pytest.fixture(scope="module")
def pooled():
    model = fg.pooled_radon_model()
    return model, fg.sample(model, draws=1000, tune=500, chains=2, random_seed=4)


def test_laplace_matches_nuts_on_the_pooled_regression(pooled):
    model, idata = pooled
    approx = fg.laplace_approximation(model)
    assert approx.converged
    assert approx.names == ("a", "b", "eps_log__")
    draws = approx.sample(4000, random_seed=1)
    for name in ("a", "b", "eps"):
        nuts = idata.posterior[name].to_numpy()
        laplace = draws.posterior[name].to_numpy()
        assert abs(laplace.mean() - nuts.mean()) < 0.2 * nuts.std()
        assert laplace.std() == pytest.approx(nuts.std(), rel=0.15)


def test_laplace_draws_keep_scales_positive_and_have_model_dims():
    approx = fg.laplace_approximation(fg.eight_schools_model(parameterization="noncentered"))
    draws = approx.sample(200, random_seed=2)
    assert (draws.posterior["tau"] > 0).all()
    assert draws.posterior["theta"].dims == ("chain", "draw", "school")


def test_laplace_has_no_gaussian_on_the_centered_radon_funnel():
    with pytest.raises(ValueError, match="not negative definite"):
        fg.laplace_approximation(fg.radon_model())


def test_laplace_sample_rejects_bad_draws():
    approx = fg.laplace_approximation(fg.pooled_radon_model())
    with pytest.raises(ValueError, match="draws must be an integer of at least 1, got 0"):
        approx.sample(0)


def test_same_seed_same_laplace_draws():
    approx = fg.laplace_approximation(fg.pooled_radon_model())
    a = approx.sample(50, random_seed=9).posterior["b"].to_numpy()
    b = approx.sample(50, random_seed=9).posterior["b"].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_the_map_of_the_funnel_is_a_point_part_way_up_an_unbounded_ridge():
    """What is true of the centered radon posterior, whichever fit looks at it: the joint
    density rises without bound as sigma_b shrinks with every slope at mu_b, so the point
    find_map stops at is not the densest one, and draws from a fit that explores the funnel
    (non-centered) lie far below the MAP's density in the bulk."""
    model = fg.radon_model(parameterization="centered")
    map_estimate = fg.find_map(model)
    map_log_density = fg.log_density_at(model, map_estimate)
    n_slopes = np.size(map_estimate["b"])

    def on_the_ridge(sigma_b: float) -> float:
        flat = np.full(n_slopes, map_estimate["mu_b"])
        return fg.log_density_at(model, dict(map_estimate, b=flat, sigma_b=sigma_b))

    ridge = [on_the_ridge(float(map_estimate["sigma_b"]) * 10.0**-k) for k in (1, 2, 3)]
    assert np.all(np.diff(ridge) > 0) and ridge[0] > map_log_density

    idata = fg.sample(
        fg.radon_model(parameterization="noncentered"),
        draws=300,
        tune=500,
        chains=2,
        random_seed=5,
    )
    draws_density = fg.joint_log_density(model, idata)
    assert draws_density.dims == ("chain", "draw")
    assert np.isfinite(draws_density).all()
    assert map_log_density - float(draws_density.median()) > 50


def test_log_density_at_agrees_with_joint_log_density(pooled):
    model, idata = pooled
    point = {name: idata.posterior[name].to_numpy()[0, 0] for name in ("a", "b", "eps")}
    expected = float(fg.joint_log_density(model, idata)[0, 0])
    assert fg.log_density_at(model, point) == pytest.approx(expected, rel=1e-9)


def test_log_density_at_names_missing_variables():
    with pytest.raises(KeyError, match=r"lacks the free variable\(s\) \['eps'\]"):
        fg.log_density_at(fg.pooled_radon_model(), {"a": 1.0, "b": 0.0})


def test_joint_log_density_names_missing_variables(pooled):
    _, idata = pooled
    with pytest.raises(KeyError, match="'mu_a' is not a variable of the posterior"):
        fg.joint_log_density(fg.radon_model(), idata)


@pytest.mark.parametrize(
    "model_builder",
    [fg.pooled_radon_model, lambda: fg.eight_schools_model(parameterization="noncentered")],
    ids=["pooled radon", "eight schools"],
)
def test_laplace_covariance_is_the_inverse_of_the_symbolic_hessian(model_builder):
    """The finite-difference Hessian agrees with PyTensor's symbolic one at the mode."""
    from pymc.blocking import DictToArrayBijection, RaveledVars

    model = model_builder()
    approx = fg.laplace_approximation(model)
    info = DictToArrayBijection.map(model.initial_point()).point_map_info
    hessian = model.compile_d2logp(jacobian=True, negate_output=False)
    symbolic = np.asarray(hessian(DictToArrayBijection.rmap(RaveledVars(approx.mean, info))))
    np.testing.assert_allclose(
        np.linalg.inv(approx.covariance), -symbolic, rtol=1e-6, atol=1e-8 * np.abs(symbolic).max()
    )
