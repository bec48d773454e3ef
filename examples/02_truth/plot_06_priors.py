r"""
The prior matters too
=====================

The exact posterior is exact for one model, and the prior is part of the model. The post
gives every scale a ``HalfCauchy(5)`` prior; another modeller might reasonably have chosen a
``HalfNormal(1)``, an ``Exponential(1)`` or a ``HalfCauchy(1)``. Each choice has its own exact
posterior, and none of them is the true one in any sense a sampler could check.

That gives a yardstick. If a sampler's error is smaller than the difference between
reasonable priors, it hardly matters in practice; if it is larger, the sampler, not the
modeller, is deciding the answer. :func:`funnelguide.exact_radon_scales` computes the exact
posterior under half-Cauchy, half-normal and exponential priors of any scale, so we can put
both kinds of difference side by side for ``sigma_b``.
"""

# %%
# Exact posteriors under five priors
# ----------------------------------
#
# Only the prior of ``sigma_b`` changes; ``sigma_a`` and ``eps`` keep the post's
# ``HalfCauchy(5)``. Four priors are weakly informative: they allow any plausible spread of
# the slopes. The fifth, ``HalfNormal(0.1)``, is informative: it puts 95% of its mass below
# about twice its scale (printed below), so it says the slopes differ by little more than that,
# a strong claim about the counties made before seeing the data. The table of exact posterior
# summaries ends the block.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import funnelguide as fg

RANDOM_SEED = 8927
# sphinx_gallery_start_ignore
# The seed survey (nox -s seed-survey) runs this page at other seeds too.
import os

RANDOM_SEED = int(os.environ.get("FUNNELGUIDE_SEED", RANDOM_SEED))
# sphinx_gallery_end_ignore

priors = {
    "HalfCauchy(5)": ("halfcauchy", 5.0),
    "HalfCauchy(1)": ("halfcauchy", 1.0),
    "HalfNormal(1)": ("halfnormal", 1.0),
    "Exponential(1)": ("exponential", 1.0),
    "HalfNormal(0.1)": ("halfnormal", 0.1),
}
WEAK = ["HalfCauchy(5)", "HalfCauchy(1)", "HalfNormal(1)", "Exponential(1)"]
exact = {
    label: fg.exact_radon_scales(prior={"sigma_b": prior})
    for label, prior in priors.items()
}
summary = pd.DataFrame(
    {label: result.summary().loc["sigma_b"] for label, result in exact.items()}
).T
summary.index.name = "prior of sigma_b"
informative_95 = float(stats.halfnorm(scale=0.1).ppf(0.95))
print(f"HalfNormal(0.1): 95% of its mass lies below {informative_95:.3f}")
summary.round(4)

# %%
# Between the four weakly informative priors, the exact mean and the 5% quantile of
# ``sigma_b`` move by the spreads below; the informative prior moves them much further.
weak = summary.loc[WEAK]
prior_spread = {
    stat: float(weak[stat].max() - weak[stat].min()) for stat in ("mean", "q05")
}
informative_shift = {
    stat: float(
        summary.loc["HalfNormal(0.1)", stat] - summary.loc["HalfCauchy(5)", stat]
    )
    for stat in ("mean", "q05")
}
for stat in ("mean", "q05"):
    print(
        f"{stat:>4}: spread over the weak priors {prior_spread[stat]:.4f}; "
        f"HalfNormal(0.1) against HalfCauchy(5) {informative_shift[stat]:+.4f}"
    )

# %%
# The centered sampler's error, for comparison
# --------------------------------------------
#
# The centered fit of the post's model, with the post's prior, against the exact answer for
# that prior: the error of its mean and 5% quantile from all four chains, and the root mean
# square error of each chain's 5% quantile.
centered_idata = fg.sample(
    fg.radon_model(parameterization="centered"), random_seed=RANDOM_SEED
)
sigma_b = centered_idata.posterior["sigma_b"]
reference = summary.loc["HalfCauchy(5)"]
sampler_error = {
    "mean": float(sigma_b.mean()) - reference["mean"],
    "q05": float(sigma_b.quantile(0.05)) - reference["q05"],
}
chain_q05 = sigma_b.quantile(0.05, dim="draw").values
chain_q05_rmse = float(np.sqrt(np.mean((chain_q05 - reference["q05"]) ** 2)))
for stat, error in sampler_error.items():
    print(
        f"{stat:>4}: centered error {error:+.4f}, "
        f"{abs(error) / prior_spread[stat]:.1f} times the spread over the weak priors"
    )
print(
    f" q05: a centered chain is off by {chain_q05_rmse:.4f} (root mean square),\n"
    f"      {chain_q05_rmse / prior_spread['q05']:.1f} times the spread "
    "over the weak priors"
)

# %%
# Side by side
# ------------
#
# On the left, the exact posterior density of ``sigma_b`` under each prior with the centered
# fit's histogram; on the right, the lower tail as the share of the posterior below each
# value, on a log scale.
fig, (ax_density, ax_tail) = plt.subplots(
    1, 2, figsize=(7.2, 4.4), layout="constrained"
)
styles = {
    "HalfCauchy(5)": {"color": fg.plots.COLORS["exact"], "linestyle": "-", "lw": 1.6},
    "HalfCauchy(1)": {"color": fg.plots.COLORS["other"], "linestyle": "--", "lw": 1.4},
    "HalfNormal(1)": {
        "color": fg.plots.COLORS["highlight"],
        "linestyle": "-.",
        "lw": 1.4,
    },
    "Exponential(1)": {
        "color": fg.plots.COLORS["divergent"],
        "linestyle": ":",
        "lw": 1.8,
    },
    "HalfNormal(0.1)": {
        "color": fg.plots.COLORS["noncentered"],
        "linestyle": "-",
        "lw": 1.0,
    },
}
centered_style = {"color": fg.plots.COLORS["centered"], "lw": 1.4, "alpha": 0.8}
edges = np.linspace(0.0, 0.7, 36)
density, _ = np.histogram(sigma_b.values.ravel(), bins=edges, density=True)
ax_density.stairs(density, edges, label="centered fit, HalfCauchy(5)", **centered_style)
tail_grid = np.geomspace(2e-3, 0.2, 300)
for label, result in exact.items():
    grid, exact_density = result.density("sigma_b")
    ax_density.plot(grid, exact_density, label=label, **styles[label])
    ax_tail.plot(
        tail_grid, result.cdf("sigma_b", tail_grid), label=label, **styles[label]
    )
ax_tail.ecdf(sigma_b.values.ravel(), label="centered fit", **centered_style)
ax_density.set(xlabel="sigma_b", ylabel="posterior density", title="Exact densities")
ax_tail.set(xlabel="sigma_b (log scale)", ylabel="share of the posterior below sigma_b")
ax_tail.set_title("Lower tail, log scale")
ax_tail.set_xscale("log")
fg.plots.plain_log_ticks(ax_tail, axis="x")
# sphinx_gallery_start_ignore
ax_density.set_xlim(0.0, 0.7)
fig.legend(
    *ax_density.get_legend_handles_labels(),
    loc="outside lower center",
    ncols=3,
    title="prior of sigma_b",
    fontsize=9,
    title_fontsize=9,
)
ax_tail.set_xlim(tail_grid[0], tail_grid[-1])
ax_tail.set_ylim(0.0, 0.3)
# sphinx_gallery_end_ignore
fig.suptitle("Exact posterior of sigma_b under five priors, and the centered fit")
plt.show()

# sphinx_gallery_start_ignore
# The teaching claims. Exact, so seed-free: the weak priors' exact means and 5% quantiles
# agree within 0.03 and 0.015, and the informative prior moves both further down than that
# spread, by a factor of more than 3. From the sampler, in the form that held on seeds 1 to 5
# and 8927: a centered chain's 5% quantile is off by more than 3 times the spread over the weak
# priors (8 to 11 times in those runs). (The errors of the centered mean and of the pooled 5%
# quantile, from a third of to about ten times the prior spread, are printed, not asserted.)
assert 1.9 < informative_95 / 0.1 < 2.0, informative_95  # "about twice its scale"
assert prior_spread["mean"] < 0.03 and prior_spread["q05"] < 0.015, prior_spread
for stat in ("mean", "q05"):
    assert informative_shift[stat] < -3 * prior_spread[stat], (stat, informative_shift)
assert chain_q05_rmse > 3 * prior_spread["q05"], (chain_q05_rmse, prior_spread)
for result in exact.values():
    assert max(result.edge_mass["sigma_b"]) < 1e-3, result.edge_mass
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# The four weakly informative priors give nearly the same posterior: in the left panel their
# curves overlap, and their means and lower quantiles differ by the small spreads printed
# above. The data have spoken, and a reasonable change of prior does not change their answer
# much. The informative ``HalfNormal(0.1)`` is different: it pulls the whole posterior toward small
# values, a real change of model that shows at once.
#
# Against that yardstick the centered sampler's error in the mean tells little: its size, as a
# multiple of the spread between weak priors, changes from run to run (this run's is printed
# above), and a small one could be mistaken for a modelling choice. Its error in the lower
# tail is clearer: a centered chain misses the 5% quantile by more than three times what any
# of the weak priors changes (the four chains pooled can land closer, as in the previous
# examples), and in the right panel the centered curve stays at zero over a range where every
# exact curve, whatever the prior, has already risen. That part of the difference cannot be
# blamed on the prior: the sampler made it.
#
# .. admonition:: References
#
#    The use of the following functions, methods, classes and modules is shown
#    in this example:
#
#    - :func:`funnelguide.exact_radon_scales`
#    - :class:`funnelguide.ExactPosterior`
#    - :func:`funnelguide.radon_model`
#    - :func:`funnelguide.sample`
#    - :meth:`matplotlib.axes.Axes.ecdf`
