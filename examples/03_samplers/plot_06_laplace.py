r"""
Laplace's approximation
=======================

Before samplers were cheap, the standard shortcut was Laplace's: find the posterior mode, measure
the curvature of the log density there (its Hessian), and report the normal distribution with
that mode as its mean and the inverse curvature as its covariance. When the posterior is close to
normal, as it is for a regression with plenty of data, the shortcut is excellent and costs one
optimization.

A hierarchical posterior is not close to normal, and its mode is not where its mass is. This page
applies the approximation to three versions of the radon regression: the model without
hierarchy, where it works; the centered hierarchical model, where there is no normal to fit; and
the non-centered one, where a normal fits but describes the wrong place. The reference each time
is NUTS.
"""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import funnelguide as fg

RANDOM_SEED = 8927
# sphinx_gallery_start_ignore
# The seed survey (nox -s seed-survey) runs this page at other seeds too.
import os

RANDOM_SEED = int(os.environ.get("FUNNELGUIDE_SEED", RANDOM_SEED))
# sphinx_gallery_end_ignore

# %%
# Without hierarchy: the pooled regression
# ----------------------------------------
#
# :func:`funnelguide.pooled_radon_model` fits one intercept ``a`` and one floor slope ``b`` for
# the whole state, with noise ``eps``. :func:`funnelguide.laplace_approximation` finds the mode in
# the sampler's unconstrained coordinates (``eps`` on the log scale) and fits the normal there;
# :meth:`~funnelguide.LaplaceApproximation.sample` draws from it and maps the draws back.
pooled_model = fg.pooled_radon_model()
pooled_laplace = fg.laplace_approximation(pooled_model)
print(
    f"optimizer converged: {pooled_laplace.converged}, "
    f"condition number of the covariance: {pooled_laplace.condition_number:.3g}"
)
laplace_draws = pooled_laplace.sample(4000, random_seed=RANDOM_SEED).posterior
nuts_draws = fg.sample(pooled_model, random_seed=RANDOM_SEED).posterior
pooled_table = pd.DataFrame(
    {
        (method, stat): [
            float(getattr(draws[name], stat)()) for name in ("a", "b", "eps")
        ]
        for method, draws in (("Laplace", laplace_draws), ("NUTS", nuts_draws))
        for stat in ("mean", "std")
    },
    index=pd.Index(["a", "b", "eps"], name="parameter"),
)
print(pooled_table.round(4))

# %%
# The two agree to the precision the figure can show: the histograms of the NUTS draws and of
# the Laplace draws overlap for every parameter.
styles = {
    "NUTS": {"color": fg.plots.COLORS["noncentered"], "linestyle": "-"},
    "Laplace": {"color": fg.plots.COLORS["highlight"], "linestyle": "--"},
}
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.8), layout="constrained")
for ax, name in zip(axes, ("a", "b", "eps"), strict=True):
    both = np.concatenate(
        [nuts_draws[name].to_numpy().ravel(), laplace_draws[name].to_numpy().ravel()]
    )
    edges = np.linspace(*np.quantile(both, [0.001, 0.999]), 40)
    for method, draws in (("NUTS", nuts_draws), ("Laplace", laplace_draws)):
        density, _ = np.histogram(
            draws[name].to_numpy().ravel(), bins=edges, density=True
        )
        ax.stairs(density, edges, lw=1.6, label=method, **styles[method])
    ax.set(xlabel=name, yticks=[])
axes[0].set_ylabel("density")
axes[0].legend(fontsize=9)
fig.suptitle("Pooled radon regression: Laplace's approximation against NUTS")
plt.show()

# %%
# The centered hierarchical model
# -------------------------------
#
# In the centered model the density rises without bound as ``sigma_b`` goes to 0 with every
# slope equal to ``mu_b``. The optimizer runs toward that spike, and where it stops the
# curvature is not that of a peak: the Hessian is not negative definite, so no normal
# distribution has it as its curvature. :func:`funnelguide.laplace_approximation` says so.
centered_model = fg.radon_model(parameterization="centered")
try:
    fg.laplace_approximation(centered_model)
except ValueError as error:
    centered_error = error
    print(textwrap.fill(f"ValueError: {error}", width=80))

# %%
# The non-centered model
# ----------------------
#
# The non-centered model has the same posterior in other coordinates: offsets ``b_offset`` with
# ``b = mu_b + sigma_b * b_offset``. Here the optimizer does find a peak with a proper
# curvature, and the approximation can be drawn from. The reference is a NUTS fit of the same
# model, and the exact posterior of ``sigma_b`` from :func:`funnelguide.exact_radon_scales`.
noncentered_model = fg.radon_model(parameterization="noncentered")
noncentered_laplace = fg.laplace_approximation(noncentered_model)
print(
    f"optimizer converged: {noncentered_laplace.converged}, "
    f"condition number of the covariance: {noncentered_laplace.condition_number:.3g}"
)
laplace_fit = noncentered_laplace.sample(4000, random_seed=RANDOM_SEED).posterior
nuts_fit = fg.sample(noncentered_model, random_seed=RANDOM_SEED).posterior
exact = fg.exact_radon_scales()

quantiles = [0.05, 0.5, 0.95]
sigma_b_table = pd.DataFrame(
    {
        "Laplace": np.quantile(laplace_fit["sigma_b"], quantiles),
        "NUTS": np.quantile(nuts_fit["sigma_b"], quantiles),
        "exact": exact.quantile("sigma_b", np.array(quantiles)),
    },
    index=pd.Index(["5%", "50%", "95%"], name="quantile of sigma_b"),
)
print(sigma_b_table.round(3))

laplace_slopes = laplace_fit["b"].mean(("chain", "draw")).to_numpy()
nuts_slopes = nuts_fit["b"].mean(("chain", "draw")).to_numpy()
print(f"\nspread (sd) of the 85 county slopes, Laplace: {laplace_slopes.std():.3f}")
print(f"spread (sd) of the 85 county slopes, NUTS:    {nuts_slopes.std():.3f}")

# %%
# The left panel shows the posterior of ``sigma_b`` on a log scale, as the share of the
# posterior in each bin: exactly, in the NUTS draws and in the Laplace draws. The right panel
# shows what each says about the counties: the mean slope ``b`` of every county under the
# Laplace approximation against its posterior mean under NUTS.
fig, (ax_scale, ax_slopes) = plt.subplots(
    1, 2, figsize=(7.2, 3.4), layout="constrained"
)
edges = np.geomspace(0.01, 100, 60)
for method, draws in (("NUTS", nuts_fit), ("Laplace", laplace_fit)):
    counts, _ = np.histogram(draws["sigma_b"].to_numpy().ravel(), bins=edges)
    ax_scale.stairs(
        counts / counts.sum(), edges, lw=1.6, label=method, **styles[method]
    )
exact_mass = np.diff(exact.cdf("sigma_b", edges))
ax_scale.stairs(
    exact_mass,
    edges,
    color=fg.plots.COLORS["exact"],
    lw=1.0,
    linestyle=":",
    label="exact",
)
ax_scale.set(
    xscale="log", xlabel="sigma_b (log scale)", ylabel="share of draws per bin"
)
ax_scale.set_title("Posterior of sigma_b")
ax_scale.legend(fontsize=9, loc="upper right")
all_slopes = np.concatenate([laplace_slopes, nuts_slopes])
limits = (all_slopes.min() - 0.1, all_slopes.max() + 0.1)
ax_slopes.plot(limits, limits, color=fg.plots.COLORS["exact"], lw=0.8, label="equal")
ax_slopes.scatter(
    nuts_slopes,
    laplace_slopes,
    s=14,
    marker="D",
    color=fg.plots.COLORS["highlight"],
    label="one county",
)
ax_slopes.set(
    xlim=limits,
    ylim=limits,
    xlabel="b, posterior mean (NUTS)",
    ylabel="b, mean under Laplace",
)
ax_slopes.set_title("County slopes b")
ax_slopes.legend(fontsize=9, loc="upper left")
fig.suptitle("Non-centered radon model: Laplace's approximation against NUTS")
plt.show()

# sphinx_gallery_start_ignore
# The claims of this page.
assert pooled_laplace.converged
for name in ("a", "b", "eps"):
    nuts_sd = pooled_table.loc[name, ("NUTS", "std")]
    assert (
        abs(
            pooled_table.loc[name, ("Laplace", "mean")]
            - pooled_table.loc[name, ("NUTS", "mean")]
        )
        < 0.2 * nuts_sd
    ), name
    assert 0.85 < pooled_table.loc[name, ("Laplace", "std")] / nuts_sd < 1.15, name
assert "not negative definite" in str(centered_error)
exact_median = float(exact.quantile("sigma_b", 0.5))
assert abs(sigma_b_table.loc["50%", "NUTS"] - exact_median) < 0.05
assert sigma_b_table.loc["50%", "Laplace"] > 3 * exact.quantile("sigma_b", 0.95), (
    "Laplace far off"
)
assert laplace_slopes.std() > 2 * nuts_slopes.std(), "Laplace barely pools the slopes"
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# On the pooled regression, Laplace's approximation is as good as NUTS: the means and standard
# deviations in the first table agree, and so do the histograms. Three parameters and 919
# observations make a posterior that is very nearly normal.
#
# On the hierarchical model it fails in two different ways, one per coordinate system. In the
# centered coordinates the mode is the spike at ``sigma_b = 0`` that the previous examples met,
# and there is no normal to fit. In the non-centered coordinates the optimizer finds a proper
# peak, but at the opposite end: the prior of the offsets is highest when they are all near 0,
# and the data can be matched with tiny offsets times a large ``sigma_b``. The table shows the
# approximation's median of ``sigma_b`` many times the exact posterior's 95% quantile, and the
# right panel shows the consequence: with so large a spread allowed, the county slopes are
# pulled toward their common mean far less than the posterior pulls them, and they spread
# several times as widely (both spreads are printed above). The centered mode pools the slopes
# completely; the non-centered mode pools them too little. Both are modes of the same
# posterior, in different coordinates, and the posterior lies in between.
#
# A mode depends on the coordinates it is computed in, a posterior does not; and a normal
# centered on a mode describes the posterior only when the mode is where its mass is. NUTS, run
# on the non-centered model, finds the exact answer.
#
# .. admonition:: References
#
#    The use of the following functions is shown in this example:
#
#    - `funnelguide.laplace_approximation`
#    - `funnelguide.LaplaceApproximation`
#    - `funnelguide.pooled_radon_model`
#    - `funnelguide.radon_model`
#    - `funnelguide.exact_radon_scales`
#    - `funnelguide.sample`
