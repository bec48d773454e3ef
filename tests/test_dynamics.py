import numpy as np
import pytest

from funnelguide.dynamics import (
    DIVERGENCE_THRESHOLD,
    funnel_logp_grad,
    hmc_trajectories,
    leapfrog,
    offset_funnel_logp_grad,
)


def _numerical_gradient(logp_grad, position, h=1e-6):
    return np.array(
        [
            (logp_grad(position + h * e)[0] - logp_grad(position - h * e)[0]) / (2 * h)
            for e in np.eye(2)
        ]
    )


@pytest.mark.parametrize("logp_grad", [funnel_logp_grad, offset_funnel_logp_grad])
@pytest.mark.parametrize("position", [[0.7, -1.3], [-2.0, 2.5], [0.05, -6.0]])
def test_gradient_matches_finite_differences(logp_grad, position):
    position = np.array(position)
    np.testing.assert_allclose(
        logp_grad(position)[1], _numerical_gradient(logp_grad, position), rtol=1e-5, atol=1e-6
    )


def test_funnel_density_is_the_normal_product():
    from scipy import stats

    x, v = 0.4, -1.1
    exact = stats.norm(0, 3).logpdf(v) + stats.norm(0, np.exp(v / 2)).logpdf(x)
    exact_at_origin = stats.norm(0, 3).logpdf(0.0) + stats.norm(0, 1.0).logpdf(0.0)
    logp = funnel_logp_grad(np.array([x, v]))[0]
    assert logp == pytest.approx(exact - exact_at_origin)


def test_leapfrog_energy_error_is_second_order():
    start, momentum = np.array([0.3, 1.0]), np.array([1.0, -0.5])
    errors = []
    for step_size in (0.2, 0.1):
        n_steps = round(2.0 / step_size)
        _, _, energies = leapfrog(
            offset_funnel_logp_grad, start, momentum, step_size=step_size, n_steps=n_steps
        )
        errors.append(np.max(np.abs(energies - energies[0])))
    assert 3.0 < errors[0] / errors[1] < 5.0


def test_leapfrog_is_reversible():
    start, momentum = np.array([0.3, 0.5]), np.array([0.8, -0.2])
    q, p, _ = leapfrog(funnel_logp_grad, start, momentum, step_size=0.05, n_steps=40)
    back_q, back_p, _ = leapfrog(funnel_logp_grad, q[-1], -p[-1], step_size=0.05, n_steps=40)
    np.testing.assert_allclose(back_q[-1], start, atol=1e-9)
    np.testing.assert_allclose(-back_p[-1], momentum, atol=1e-9)


def test_same_step_size_diverges_in_the_neck_not_in_the_mouth_nor_in_offset_space():
    mouth = np.tile([0.01, 3.0], (20, 1))
    neck = np.tile([0.01, -6.0], (20, 1))
    settings = {"step_size": 0.3, "n_steps": 30, "random_seed": 1}
    neck_runs = hmc_trajectories(funnel_logp_grad, neck, **settings)
    mouth_runs = hmc_trajectories(funnel_logp_grad, mouth, **settings)
    offset_runs = hmc_trajectories(offset_funnel_logp_grad, neck, **settings)
    assert all(run.divergent for run in neck_runs)
    assert sum(run.divergent for run in mouth_runs) < 10
    assert not any(run.divergent for run in offset_runs)
    assert max(run.max_abs_energy_error for run in offset_runs) < 1.0
    assert min(run.max_abs_energy_error for run in neck_runs) > DIVERGENCE_THRESHOLD


def test_divergent_trajectory_stops_and_pads_with_nan():
    run = hmc_trajectories(
        funnel_logp_grad, np.array([[0.01, -8.0]]), step_size=0.5, n_steps=50, random_seed=3
    )[0]
    assert run.divergent
    assert np.isnan(run.positions[-1]).all()


def test_same_seed_same_trajectories():
    starts = np.array([[0.1, 0.0], [0.2, -2.0]])
    a = hmc_trajectories(funnel_logp_grad, starts, step_size=0.2, n_steps=10, random_seed=7)
    b = hmc_trajectories(funnel_logp_grad, starts, step_size=0.2, n_steps=10, random_seed=7)
    for run_a, run_b in zip(a, b, strict=True):
        np.testing.assert_array_equal(run_a.positions, run_b.positions)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"step_size": 0.0, "n_steps": 5}, "step_size must be positive, got 0.0"),
        ({"step_size": 0.1, "n_steps": 0}, "n_steps must be an integer of at least 1, got 0"),
        ({"step_size": 0.1, "n_steps": 2.5}, "n_steps must be an integer of at least 1, got 2.5"),
    ],
)
def test_leapfrog_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        leapfrog(funnel_logp_grad, np.zeros(2), np.ones(2), **kwargs)


def test_leapfrog_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="equal length"):
        leapfrog(funnel_logp_grad, np.zeros(2), np.ones(3), step_size=0.1, n_steps=1)


def test_trajectories_reject_bad_starts():
    with pytest.raises(ValueError, match=r"starts must have shape \(n, 2\), got shape \(3,\)"):
        hmc_trajectories(funnel_logp_grad, np.zeros(3), step_size=0.1, n_steps=1)


def test_funnel_rejects_wrong_dimension():
    with pytest.raises(ValueError, match=r"position must have shape \(2,\)"):
        funnel_logp_grad(np.zeros(3))


def test_a_fall_in_energy_is_not_a_divergence():
    """The samplers' rule is one-sided: only a rise above the threshold (or non-finite) counts."""
    # From a high-potential point in the neck, one step of 0.02 lowers the energy by over 1000.
    _, _, energies = leapfrog(
        funnel_logp_grad, np.array([3.0, -7.0]), np.zeros(2), step_size=0.02, n_steps=3
    )
    error = energies - energies[0]
    assert error[1] < -DIVERGENCE_THRESHOLD
    assert np.isfinite(energies).all(), "a fall in energy stopped the integration"
    assert error.max() <= DIVERGENCE_THRESHOLD
