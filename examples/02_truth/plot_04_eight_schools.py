r"""
Eight schools against the exact answer
======================================

The eight schools data (Rubin 1981) are the smallest classic example of a hierarchical
model: the estimated effect :math:`y_j` of a coaching programme in each of eight schools, with
its standard error :math:`\sigma_j`, and a model that lets the true effects :math:`\theta_j`
share a mean :math:`\mu` and a spread :math:`\tau`,

.. math::

   \mu \sim \mathcal{N}(0, 5), \quad \tau \sim \text{HalfCauchy}(5), \quad
   \theta_j \sim \mathcal{N}(\mu, \tau), \quad y_j \sim \mathcal{N}(\theta_j, \sigma_j).

Eight noisy measurements say little about :math:`\tau`, so its posterior reaches down to
zero, where the :math:`\theta_j` are squeezed together: the funnel again, in far fewer
dimensions than the radon model's (both counts are printed below). And again the answer is
known. Given :math:`\tau`, each :math:`y_j` is normal
with variance :math:`\sigma_j^2 + \tau^2` once :math:`\theta_j` is integrated out, and so is
:math:`\mu`; :func:`funnelguide.exact_eight_schools` evaluates what is left on a fine grid
over :math:`\tau`. This example compares the centered and non-centered fits with it.
"""

# %%
# Data and exact answer
# ---------------------
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

for name, model in (
    ("eight schools", fg.eight_schools_model()),
    ("radon", fg.radon_model()),
):
    dimensions = sum(value.size for value in model.initial_point().values())
    print(f"{name} model: {dimensions} parameters sampled")
fg.load_eight_schools()

# %%
# The exact answer, from :func:`funnelguide.exact_eight_schools` (the fine grid over ``tau``
# described above):
exact = fg.exact_eight_schools()
print(exact)

# %%
# Two fits and their diagnostics
# ------------------------------
#
# Both forms, sampled with nutpie's defaults and the same seed, and diagnosed with
# :func:`funnelguide.funnel_report` for the scale ``tau`` of the group ``theta``.
models = {
    "centered": fg.eight_schools_model(parameterization="centered"),
    "non-centered": fg.eight_schools_model(parameterization="noncentered"),
}
centered_idata = fg.sample(models["centered"], random_seed=RANDOM_SEED)
noncentered_idata = fg.sample(models["non-centered"], random_seed=RANDOM_SEED)
fits = {"centered": centered_idata, "non-centered": noncentered_idata}
reports = {
    label: fg.funnel_report(idata, scale="tau", group="theta", model=models[label])
    for label, idata in fits.items()
}
for report in reports.values():
    print(report)
    print()

# %%
# The centered fit diverges many times, mostly at small values of ``tau`` (the median
# quantile in the report is low), and fails the other checks as well. The non-centered fit
# usually reports a few divergences too: non-centering reshapes the funnel, it does not make
# every step easy. The report calls a fit with a handful of them (at most 0.5% of its draws)
# and no other problem healthy apart from those, and still recommends a look at them. Whether
# those few matter is a question the exact answer can settle.
#
# The posterior of ``tau``
# ------------------------
#
# On the left, both fits' histograms with their means and the exact density; on the right,
# the lower tail as the share of the posterior below each value of ``tau``, on a log scale.
fig, (ax_density, ax_tail) = plt.subplots(
    1, 2, figsize=(7.2, 3.6), layout="constrained"
)
fg.plots.plot_scale_posteriors(
    fits, scale="tau", exact=exact.density("tau"), bins=40, ax=ax_density
)
ax_density.axvline(
    exact.mean("tau"),
    color=fg.plots.COLORS["exact"],
    lw=1.0,
    linestyle=":",
    label=f"mean, exact: {exact.mean('tau'):.2f}",
)
ax_density.set_xlim(0.0, exact.quantile("tau", 0.98))
ax_density.set_ylim(0.0, 1.6 * ax_density.get_ylim()[1])  # room for the legend
ax_density.legend(fontsize=9, loc="upper right")
ax_density.set_title("Densities and means")

tail_grid = np.geomspace(exact.quantile("tau", 0.002), exact.quantile("tau", 0.5), 300)
fg.plots.plot_lower_tail(
    fits,
    scale="tau",
    exact=(tail_grid, exact.cdf("tau", tail_grid)),
    top=0.5,
    ax=ax_tail,
)
ax_tail.set_title("Lower half, log scale")
fig.suptitle(
    "Posterior of tau in eight schools: exact, centered fit and non-centered fit"
)
plt.show()

# %%
# Errors against the truth
# ------------------------
#
# The mean and three quantiles of ``tau``, and the mean of ``mu``, from each fit with their
# MCSE (:func:`funnelguide.estimate`), against the exact values.


quantities = {
    "tau mean": ("tau", None, exact.mean("tau")),
    "tau 5% quantile": ("tau", 0.05, exact.quantile("tau", 0.05)),
    "tau 25% quantile": ("tau", 0.25, exact.quantile("tau", 0.25)),
    "tau median": ("tau", 0.5, exact.quantile("tau", 0.5)),
    "mu mean": ("mu", None, exact.mean("mu")),
}
rows = []
for label, idata in fits.items():
    for name, (var, quantile, truth) in quantities.items():
        value, mcse = fg.estimate(idata, var, quantile=quantile)
        error = value - truth
        rows.append(
            {
                "fit": label,
                "quantity": name,
                "estimate": value,
                "MCSE": mcse,
                "exact": truth,
                "error": error,
                "error / MCSE": error / mcse,
            }
        )
errors = pd.DataFrame(rows).set_index(["fit", "quantity"])
errors.round(3)

# %%
# And the exact posterior mass below the smallest ``tau`` each fit drew:
mass_below_lowest = {}
for label, idata in fits.items():
    lowest = float(idata.posterior["tau"].min())
    mass_below_lowest[label] = float(exact.cdf("tau", lowest))
    print(
        f"{label:<13} smallest tau drawn {lowest:.2g}; exact posterior mass below it: "
        f"{mass_below_lowest[label]:.2%}"
    )

# %%
# The funnel behind it
# --------------------
#
# School A's effect against ``tau`` on a log scale, with the divergent draws marked: the
# centered draws stop where the funnel narrows, and the divergences crowd at that edge.
fig, axes = plt.subplots(
    1, 2, figsize=(7.2, 4.4), sharex=True, sharey=True, layout="constrained"
)
colors = {
    "centered": fg.plots.COLORS["centered"],
    "non-centered": fg.plots.COLORS["noncentered"],
}
for ax, (label, idata), marker in zip(axes, fits.items(), ("o", "^"), strict=True):
    fg.plots.plot_funnel(
        idata,
        var="theta",
        index="A",
        scale="tau",
        log_scale=True,
        ax=ax,
        color=colors[label],
        marker=marker,
    )
    ax.axhline(
        exact.quantile("tau", 0.05),
        color=fg.plots.COLORS["exact"],
        lw=1.0,
        linestyle=":",
        label="exact 5% quantile of tau",
    )
    ax.set_title(f"{label} fit")
    # sphinx_gallery_start_ignore
    # each panel's legend under it (its divergence count is its own), off the funnel's neck
    ax.legend(
        fontsize=9,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncols=1,
        frameon=False,
        markerscale=1.5,
    )
    # sphinx_gallery_end_ignore
axes[1].set_ylabel("")
fig.suptitle("theta[A] against tau (log scale), divergent draws marked")
plt.show()

# sphinx_gallery_thumbnail_number = 1

# sphinx_gallery_start_ignore
# The teaching claims, in the form that held on every seed we tried (8927 and 1 to 20): the
# non-centered estimates of tau's mean, 5%, 25% and 50% quantiles and mu's mean are within
# 4 MCSE of the exact values; the centered 5% quantile of tau is too high; the centered chains
# never reach a region holding more than 5% of the exact posterior of tau (the non-centered
# ones leave less than 0.5%); the centered fit has more divergences than the non-centered one
# and a quarter of its ESS at most.
for name in quantities:
    row = errors.loc[("non-centered", name)]
    assert abs(row["error / MCSE"]) < 4, (name, row.to_dict())
assert errors.loc[("centered", "tau 5% quantile"), "error"] > 0, errors
assert mass_below_lowest["centered"] > 0.05, mass_below_lowest
assert mass_below_lowest["non-centered"] < 0.005, mass_below_lowest
assert reports["centered"].divergences > reports["non-centered"].divergences, reports
assert reports["centered"].ess_bulk < reports["non-centered"].ess_bulk / 4, reports
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# Eight schools repeats the radon story with about a tenth as many groups. The non-centered
# histogram of ``tau`` lies on the exact density, and every estimate in the table is within a
# few MCSE of the exact value: its few divergences did not bias it. The centered fit diverges,
# mostly at small ``tau``, and its chains stop short of the neck: in the close-up its curve
# stays at zero while the exact one climbs, and several percent of the posterior near zero is
# never drawn, so its 5% quantile of ``tau`` is too high. Other estimates can err either way,
# because a chain that does get near the neck tends to stick there for a while, as the dense
# band of centered draws in the last figure shows. The mean of ``mu``, which depends little on
# the neck, comes out about right from both fits: a bias in the scale need not show in every
# quantity, which is one more reason to look at the scale's lower tail.
#
# .. admonition:: References
#
#    The use of the following functions, methods, classes and modules is shown
#    in this example:
#
#    - :func:`funnelguide.load_eight_schools`
#    - :func:`funnelguide.eight_schools_model`
#    - :func:`funnelguide.exact_eight_schools`
#    - :func:`funnelguide.sample`
#    - :func:`funnelguide.funnel_report`
#    - :func:`funnelguide.estimate`
#    - :func:`funnelguide.plots.plot_scale_posteriors`
#    - :func:`funnelguide.plots.plot_lower_tail`
#    - :func:`funnelguide.plots.plot_funnel`
