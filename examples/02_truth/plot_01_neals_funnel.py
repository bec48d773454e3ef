r"""
Neal's funnel and its exact answer
==================================

Comparing two samplers tells us that they disagree, not which one is right. To judge a sampler
we need a posterior whose answer is known exactly. Radford Neal built one for this purpose: a
scale variable :math:`v` and nine variables :math:`x_k` whose spread is :math:`e^{v/2}`,

.. math::

   v \sim \mathcal{N}(0, 3), \qquad x_k \mid v \sim \mathcal{N}(0, e^{v/2}),
   \quad k = 1, \dots, 9 .

(the second argument of :math:`\mathcal{N}` is the standard deviation, as in PyMC). Whatever
the :math:`x_k` do, :math:`v` on its own is normal with mean 0 and standard deviation 3, so
the share :math:`\Phi(-1)` of it, about a sixth, lies below :math:`-3`, one standard deviation
down. The shape is the radon model's funnel in its purest
form: the smaller :math:`v`, the narrower the neck. This example samples the funnel in its
centered and non-centered forms, holds both against the exact answer with Monte Carlo errors,
and looks at where the centered sampler's divergences happen, down to the leapfrog step that
blew up.
"""

# %%
# The exact answer
# ----------------
#
# :data:`funnelguide.NEALS_FUNNEL_V_EXACT` holds the three numbers we check: the mean and
# standard deviation of :math:`v`, and the probability :math:`\Phi(-1)` that :math:`v < -3`.
import arviz_stats as azs
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

exact = fg.NEALS_FUNNEL_V_EXACT
exact_v = stats.norm(loc=exact["mean"], scale=exact["sd"])
print(exact)

# %%
# Sampling both forms
# -------------------
#
# The centered form samples :math:`x` directly; the non-centered form samples standard normal
# offsets and computes :math:`x = e^{v/2} \cdot \text{offset}`. Both use nutpie with the
# default settings (4 chains of 1000 draws after 1000 tuning steps). For the centered fit we
# also ask nutpie to record every divergence in detail (``store_divergences=True``, passed
# through :func:`funnelguide.sample` to :func:`nutpie.sample`).
centered_idata = fg.sample(
    fg.neals_funnel_model(parameterization="centered"),
    random_seed=RANDOM_SEED,
    store_divergences=True,
)
noncentered_idata = fg.sample(
    fg.neals_funnel_model(parameterization="noncentered"), random_seed=RANDOM_SEED
)
fits = {"centered": centered_idata, "non-centered": noncentered_idata}

# %%
# Estimates against the truth
# ---------------------------
#
# Each estimate comes with its Monte Carlo standard error (MCSE) from
# :func:`arviz_stats.mcse`: the mean and standard deviation of :math:`v` directly, and
# :math:`P(v < -3)` as the mean of the indicator :math:`[v < -3]`. The last column is the
# error in units of the MCSE; a well-behaved estimate is off by at most two or three of them.


def v_estimates(idata):
    """E[v], sd(v) and P(v < -3), each with its MCSE, as {name: (value, mcse)}."""
    v = idata.posterior["v"]
    below = (v < -3.0).astype(float)
    return {
        "E[v]": (
            float(v.mean()),
            float(azs.mcse(idata, var_names=["v"], method="mean")["v"]),
        ),
        "sd(v)": (
            float(v.std()),
            float(azs.mcse(idata, var_names=["v"], method="sd")["v"]),
        ),
        "P(v < -3)": (float(below.mean()), float(azs.mcse(below, method="mean"))),
    }


truth = {
    "E[v]": exact["mean"],
    "sd(v)": exact["sd"],
    "P(v < -3)": exact["p_below_minus_3"],
}
rows = []
for label, idata in fits.items():
    for name, (value, mcse) in v_estimates(idata).items():
        error = value - truth[name]
        rows.append(
            {
                "fit": label,
                "quantity": name,
                "estimate": value,
                "MCSE": mcse,
                "exact": truth[name],
                "error": error,
                "error / MCSE": error / mcse if mcse > 0 else -np.inf * (error < 0),
            }
        )
table = pd.DataFrame(rows).set_index(["fit", "quantity"])
table_shown = table.round(4)

estimates = {label: v_estimates(idata) for label, idata in fits.items()}
lowest_centered_v = float(centered_idata.posterior["v"].min())
mass_below_lowest = float(exact_v.cdf(lowest_centered_v))
print(
    f"lowest v any centered chain reached: {lowest_centered_v:.2f}\n"
    f"exact posterior mass below it: {mass_below_lowest:.1%}"
)
table_shown

# %%
# The non-centered estimates sit within a few MCSE of the truth. The centered ones miss it,
# and the centered MCSE is no guide to by how much: it rests on an effective sample size
# computed from chains that do not explore the whole distribution. (A zero MCSE for
# :math:`P(v < -3)` means that no centered draw at all fell below :math:`-3`.) A fairer yardstick
# is the MCSE of the fit that works: it says how close 4000 draws of this distribution can get.
ess_v = {
    label: float(azs.ess(idata, var_names=["v"], method="bulk")["v"])
    for label, idata in fits.items()
}
worst_centered_miss = max(
    abs(estimates["centered"][name][0] - truth[name])
    / estimates["non-centered"][name][1]
    for name in truth
)
print(
    f"bulk ESS of v: centered {ess_v['centered']:.0f}, "
    f"non-centered {ess_v['non-centered']:.0f}"
)
print(f"largest centered error, in non-centered MCSEs: {worst_centered_miss:.0f}")

# %%
# The marginal of :math:`v`
# -------------------------
#
# The exact density of :math:`v` (black) beside the histograms of both fits. The shaded region,
# :math:`v < -3`, holds the share of the exact distribution given in the legend.
fig, ax = plt.subplots(figsize=(7.2, 3.6), layout="constrained")
grid = np.linspace(-11.0, 11.0, 400)
edges = np.linspace(-11.0, 11.0, 56)
styles = {
    "centered": {"color": fg.plots.COLORS["centered"], "linestyle": "-"},
    "non-centered": {"color": fg.plots.COLORS["noncentered"], "linestyle": "--"},
}
for label, idata in fits.items():
    density, _ = np.histogram(
        idata.posterior["v"].values.ravel(), bins=edges, density=True
    )
    ax.stairs(density, edges, lw=1.6, label=f"{label} draws", **styles[label])
ax.plot(
    grid,
    exact_v.pdf(grid),
    color=fg.plots.COLORS["exact"],
    lw=1.4,
    label="exact: Normal(0, 3)",
)
ax.axvspan(
    grid[0],
    -3.0,
    color=fg.plots.COLORS["highlight"],
    alpha=0.25,
    lw=0,
    label=f"v < -3 ({exact_v.cdf(-3.0):.2%} exact)",
)
ax.set_xlim(grid[0], grid[-1])
ax.set_xlabel("v")
ax.set_ylabel("density")
ax.legend(fontsize=9, loc="upper left")
fig.suptitle("Marginal of v in Neal's funnel: exact density and the draws of both fits")
plt.show()

# %%
# The non-centered histogram follows the exact curve into both tails. The centered histogram
# does not: its chains rarely get into the neck, so the shaded region is short of draws and
# the rest of the distribution has too many, which makes the centered mean too high and its
# spread too small. In some runs a centered chain does slip into the neck and then stays there
# for hundreds of draws, and the histogram gets a spike below :math:`-3` instead of a gap;
# either way its shape is not the exact one.
#
# Where the divergences sit
# -------------------------
#
# A divergence is a trajectory whose energy error exploded; the sampler then keeps a draw
# from the part of the trajectory before the explosion. With ``store_divergences=True``
# nutpie also records the leapfrog step that failed: the position where it started
# (``divergence_start``) and where it landed (``divergence_end``), in the unconstrained
# parameters, which here are :math:`v` and :math:`x` themselves.
stats_c = centered_idata.sample_stats
diverging = stats_c["diverging"].values
v_draws = centered_idata.posterior["v"].values
step_start_v = (
    stats_c["divergence_start"].sel(unconstrained_parameter="v").values[diverging]
)
step_end_v = (
    stats_c["divergence_end"].sel(unconstrained_parameter="v").values[diverging]
)
chain_of, draw_of = np.nonzero(diverging)
divergences = pd.DataFrame(
    {
        "chain": chain_of,
        "draw": draw_of,
        "v of the draw kept": v_draws[diverging],
        "v at step start": step_start_v,
        "v at step end": step_end_v,
        "energy error": stats_c["divergence_energy_error"].values[diverging],
    }
)
print(
    f"centered fit: {diverging.sum()} divergences; non-centered fit: "
    f"{int(noncentered_idata.sample_stats['diverging'].sum())}"
)
median_all = float(np.median(v_draws))
median_start = float(np.median(step_start_v))
print(
    f"median v of all centered draws: {median_all:.2f} "
    f"(exact quantile {exact_v.cdf(median_all):.2f})\n"
    f"median v of the failed steps' starts: {median_start:.2f} "
    f"(exact quantile {exact_v.cdf(median_start):.2f})"
)
divergences.head(10).round(2)  # the first ten, if there are more

# %%
# The failed steps start low in the region the chains explore, at the entrance of the neck or
# inside it; where they land is often far away, because the step that diverged shot out of the
# funnel. The left panel shows the centered draws of
# :math:`x_1` against :math:`v`, with the divergent draws and the starting points of the
# failed steps; the right panel compares, on the scale of :math:`v`, all centered draws, the
# divergent draws and the failed steps' starts, with the exact distribution's quantiles.
fig, (ax_funnel, ax_strip) = plt.subplots(
    1, 2, figsize=(7.2, 3.8), layout="constrained", width_ratios=(3, 2)
)
fg.plots.plot_funnel(
    noncentered_idata,
    var="x",
    index=0,
    scale="v",
    ax=ax_funnel,
    color=fg.plots.COLORS["noncentered"],
    marker="^",
    s=5,
    alpha=0.3,
    label="non-centered draws",
    show_divergences=False,
)
fg.plots.plot_funnel(
    centered_idata,
    var="x",
    index=0,
    scale="v",
    ax=ax_funnel,
    color=fg.plots.COLORS["centered"],
    marker="o",
    s=5,
    alpha=0.4,
    label="centered draws",
)
step_start_x = (
    stats_c["divergence_start"].sel(unconstrained_parameter="x_0").values[diverging]
)
ax_funnel.scatter(
    step_start_x,
    step_start_v,
    marker="D",
    s=30,
    facecolor="none",
    edgecolor=fg.plots.COLORS["exact"],
    linewidths=1.2,
    label="start of the failed step",
)
ax_funnel.axhline(
    -3.0, color=fg.plots.COLORS["highlight"], lw=1.0, linestyle="--", label="v = -3"
)
ax_funnel.set_xlim(-12.0, 12.0)
ax_funnel.set_ylim(-10.0, 10.0)
ax_funnel.set_xlabel("x[0]")
ax_funnel.set_title("x[0] against v")

violin = ax_strip.violinplot(
    v_draws.ravel(), positions=[0], widths=0.8, showextrema=False
)
for body in violin["bodies"]:
    body.set_facecolor(fg.plots.COLORS["centered"])
    body.set_alpha(0.5)
few = {
    "divergent draws": (v_draws[diverging], "x", fg.plots.COLORS["divergent"]),
    "failed steps' starts": (step_start_v, "D", fg.plots.COLORS["exact"]),
}
rng = np.random.default_rng(RANDOM_SEED)
for position, (values, marker, color) in enumerate(few.values(), start=1):
    jitter = position + rng.uniform(-0.15, 0.15, values.size)
    ax_strip.scatter(jitter, values, marker=marker, s=30, color=color, lw=1.2)
for q, style in ((exact["p_below_minus_3"], "--"), (0.5, ":")):
    ax_strip.axhline(
        exact_v.ppf(q),
        color=fg.plots.COLORS["highlight"],
        lw=1.0,
        linestyle=style,
        label=f"exact {q:.0%} quantile of v" + (" (v = -3)" if q < 0.5 else ""),
    )
ax_strip.set_xticks(
    range(3),
    ["all centered\ndraws", "divergent\ndraws", "failed steps'\nstarts"],
    fontsize=9,
)
ax_strip.set_ylim(-10.0, 10.0)
ax_strip.set_ylabel("v")
ax_strip.set_title("v where things happen")
fg.plots.legend_below(fig, ncols=3, markerscale=1.5)
fig.suptitle(
    "Centered fit of Neal's funnel: draws, divergent draws and the failed steps' starts"
)
plt.show()

# sphinx_gallery_thumbnail_number = 2

# sphinx_gallery_start_ignore
# The teaching claims, in the form that held on every seed we tried (8927 and 1 to 24):
# - the non-centered estimates of E[v], sd(v) and P(v < -3) are within 4 MCSE of the truth;
# - some centered estimate misses the truth by more than 10 non-centered MCSEs, the centered
#   fit has less than 1/20 of the non-centered effective sample size of v, and its chains
#   leave more than 3% of the exact distribution below their lowest draw unvisited.
#   (The centered P(v < -3) is not asserted: in most runs it is far too low, but when a chain
#   sticks in the neck it can come out about right, or too high, with a huge MCSE.)
# - the centered fit diverges, the non-centered one does not, and the failed steps start
#   lower in v than the centered draws typically are.
assert abs(exact["p_below_minus_3"] - 1 / 6) < 0.01  # "about a sixth"
assert abs(exact["p_below_minus_3"] - exact_v.cdf(exact["mean"] - exact["sd"])) < 1e-12
for name, (value, mcse) in estimates["non-centered"].items():
    assert abs(value - truth[name]) < 4 * mcse, (name, value, mcse)
assert worst_centered_miss > 10, worst_centered_miss
assert ess_v["centered"] < ess_v["non-centered"] / 20, ess_v
assert mass_below_lowest > 0.03, mass_below_lowest
assert diverging.sum() > 0
assert int(noncentered_idata.sample_stats["diverging"].sum()) == 0
assert median_start < median_all, (median_start, median_all)
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# With the answer known, the verdict needs no second sampler. The non-centered fit recovers
# the mean, the spread and the lower tail of :math:`v` within its Monte Carlo error, and its
# histogram lies on the exact density. The centered fit does not: its histogram has the wrong
# shape, its estimates miss the truth by many times what 4000 well-mixed draws would allow,
# and its effective sample size is a small fraction of the non-centered one. Part of the
# distribution, below the lowest value any centered chain reached, was never visited at all.
# Its own MCSE does not reveal the size of these errors; only the truth, or a sampler that
# works, does.
#
# The sampler did leave a trace of its trouble. nutpie usually reports only a handful of
# divergences, too few to look alarming on their own, but their failed steps start at the
# bottom of the region the chains explore, where the funnel narrows into the neck. Divergences
# point at the place the sampler cannot follow the distribution; a small count is no reason
# for comfort.
#
# .. admonition:: References
#
#    The use of the following functions, methods, classes and modules is shown
#    in this example:
#
#    - :func:`funnelguide.neals_funnel_model`
#    - :data:`funnelguide.NEALS_FUNNEL_V_EXACT`
#    - :func:`funnelguide.sample`
#    - :func:`funnelguide.plots.plot_funnel`
#    - :func:`arviz_stats.mcse`
#    - :func:`nutpie.sample`
