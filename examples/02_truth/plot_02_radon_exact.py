r"""
The exact posterior of sigma_b
==============================

The first chapter judged the centered radon fit against the non-centered one. That settles
which fit to trust only if the non-centered fit is right, and two samplers can share a bias.
For the radon model we can do better, because most of it can be integrated out by hand.

Once the three scales ``sigma_a``, ``sigma_b`` and ``eps`` are fixed, the model is a Gaussian
linear regression: every county's intercept and slope, and their means ``mu_a`` and ``mu_b``,
have normal priors and enter the likelihood linearly, so they integrate out in closed form, a
small calculation per county. What is left is the posterior density of the three scales, which
:func:`funnelguide.exact_radon_scales` evaluates on a fine 3-D grid. Its marginals are exact up
to the grid's resolution, with no Monte Carlo error at all. This example puts the post's figure,
the two fits' posteriors of ``sigma_b``, beside that truth and measures each fit's error.
"""

# %%
# The exact answer
# ----------------
#
# The priors are the post's, printed below from the model itself in PyMC's notation, where the
# second argument of ``Normal`` is its standard deviation: ``HalfCauchy(5)`` on each scale and
# a normal with standard deviation :math:`100^2` on the means. The second printout reports the
# exact posterior's grids and the posterior mass near their edges, which must be negligible for
# the grid to hold the posterior.
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

centered_model = fg.radon_model(parameterization="centered")
print(centered_model.str_repr())
exact = fg.exact_radon_scales()
print(exact)

# %%
# The two fits
# ------------
#
# The same fits as in the first chapter: nutpie with its default settings, same seed.
centered_idata = fg.sample(centered_model, random_seed=RANDOM_SEED)
noncentered_idata = fg.sample(
    fg.radon_model(parameterization="noncentered"), random_seed=RANDOM_SEED
)
fits = {"centered": centered_idata, "non-centered": noncentered_idata}

# %%
# The post's figure, with the truth
# ---------------------------------
#
# On the left, the histograms of ``sigma_b`` from both fits with their means, drawn by
# :func:`funnelguide.plots.plot_scale_posteriors`, and the exact density in black. On the
# right, the lower tail: the share of the posterior below each value of ``sigma_b``, exact and
# from each fit's draws, with ``sigma_b`` on a log scale.
fig, (ax_density, ax_tail) = plt.subplots(
    1, 2, figsize=(7.2, 3.6), layout="constrained"
)
fg.plots.plot_scale_posteriors(
    fits, scale="sigma_b", exact=exact.density("sigma_b"), bins=30, ax=ax_density
)
ax_density.axvline(
    exact.mean("sigma_b"),
    color=fg.plots.COLORS["exact"],
    lw=1.0,
    linestyle=":",
    label=f"mean, exact: {exact.mean('sigma_b'):.3f}",
)
ax_density.set_ylim(0.0, 2.1 * ax_density.get_ylim()[1])  # room for the legend
ax_density.legend(fontsize=9, loc="upper right")
ax_density.set_title("Densities and means")

tail_grid = np.geomspace(
    exact.quantile("sigma_b", 0.001), exact.quantile("sigma_b", 0.2), 300
)
fg.plots.plot_lower_tail(
    fits,
    scale="sigma_b",
    exact=(tail_grid, exact.cdf("sigma_b", tail_grid)),
    ax=ax_tail,
)
ax_tail.set_title("Lower tail, log scale")
fig.suptitle("Posterior of sigma_b: exact, centered fit and non-centered fit")
plt.show()

# %%
# The non-centered curve follows the exact one all the way down; the centered curve stays at
# zero while the exact one has already climbed, by the share printed at the end of this page.
#
# Errors against the truth
# ------------------------
#
# Each fit's mean and 5% and 25% quantiles of ``sigma_b``, with their Monte Carlo standard
# errors (MCSE) from :func:`funnelguide.estimate`, the exact value, the error, and the error in
# units of the MCSE. Against an exact answer only the fit's own MCSE counts: an honest fit is
# off by at most two or three of them.

quantities = {
    "mean": (None, exact.mean("sigma_b")),
    "5% quantile": (0.05, exact.quantile("sigma_b", 0.05)),
    "25% quantile": (0.25, exact.quantile("sigma_b", 0.25)),
}
rows = []
for label, idata in fits.items():
    for name, (quantile, truth) in quantities.items():
        value, mcse = fg.estimate(idata, "sigma_b", quantile=quantile)
        error = value - truth
        rows.append(
            {
                "fit": label,
                "sigma_b": name,
                "estimate": value,
                "MCSE": mcse,
                "exact": truth,
                "error": error,
                "error / MCSE": error / mcse,
            }
        )
errors = pd.DataFrame(rows).set_index(["fit", "sigma_b"])
with pd.option_context("display.float_format", "{:.3f}".format):
    print(errors)

# %%
# Measured in the centered fit's own MCSE (the last column), the centered errors can look
# like an honest fit's, and how large they look changes from seed to seed. That yardstick
# rests on an effective sample size computed from chains that never reach the bottom of the
# neck. The mean and the quartile are dominated by the bulk, which the centered chains do
# explore; for the 5% quantile, read the estimate against the exact value. What the table
# does not show, the exact distribution function does: how much of the posterior lies below
# the smallest value a fit ever drew.
mass_below_lowest = {}
for label, idata in fits.items():
    lowest = float(idata.posterior["sigma_b"].min())
    mass_below_lowest[label] = float(exact.cdf("sigma_b", lowest))
    print(
        f"{label:<13} smallest sigma_b drawn {lowest:.2g}; "
        f"exact posterior mass below it: {mass_below_lowest[label]:.2%}"
    )

# sphinx_gallery_start_ignore
# The teaching claims, checked on seeds 1, 2, 3 and 8927 (and, for the mass below the lowest
# draw, 4 and 5): the non-centered mean and 5% and 25% quantiles are within 4 MCSE of the
# exact values; the centered chains never reach a region holding more than 2% of the exact
# posterior, the non-centered ones leave less than 0.5% unvisited. (The centered errors in
# MCSE units are printed, not asserted: the centered MCSE is unreliable and the ratio ranges
# from about 0 to 8 over those seeds.)
for name in quantities:
    row = errors.loc[("non-centered", name)]
    assert abs(row["error / MCSE"]) < 4, (name, row.to_dict())
assert mass_below_lowest["centered"] > 0.02, mass_below_lowest
assert mass_below_lowest["non-centered"] < 0.005, mass_below_lowest
assert max(exact.edge_mass["sigma_b"]) < 1e-3, exact.edge_mass
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# With the exact density drawn in, the post's figure reads plainly. The non-centered
# histogram lies on the exact curve, and its mean and quantiles agree with the exact values
# within their Monte Carlo errors: the first chapter's reference was right. The centered
# histogram is missing the mass near zero; in the close-up its curve stays flat at zero over a
# stretch of ``sigma_b`` that holds more than 2% of the posterior (the share printed above), a
# region no centered chain ever entered. Its mean and quartiles can still land within a few of
# its own MCSEs of the truth, by amounts, and for the mean in directions, that differ from run
# to run: summaries of the bulk do not reveal a missing tail. The exact answer does.
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
#    - :func:`funnelguide.estimate`
#    - :func:`funnelguide.plots.plot_scale_posteriors`
#    - :func:`funnelguide.plots.plot_lower_tail`
