"""
What the centered model got wrong
=================================

A sampler that cannot enter part of the posterior does not report a gap: it
reports the rest of the posterior as if it were all of it. The centered radon
model's chains enter the neck of its funnel, where ``sigma_b`` is small, rarely
and move through it slowly once there (chapter 1's third example showed one
stuck in it), so its draws of ``sigma_b`` under-represent a lower tail that the
posterior has.

This example measures that bias. The non-centered fit, whose diagnostics were
healthy in the previous example, serves as the reference. We overlay both
posteriors of ``sigma_b``, look closely at the lower tail, and put numbers on the
difference together with their Monte Carlo standard errors (MCSE), so that a
real difference can be told apart from the noise of a finite run.
"""

# %%
# Two fits of one posterior
# -------------------------
#
# The same radon model in its two forms, sampled with the same settings and
# seed as before.
import arviz_stats as azs
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

centered_idata = fg.sample(
    fg.radon_model(parameterization="centered"), random_seed=RANDOM_SEED
)
noncentered_idata = fg.sample(
    fg.radon_model(parameterization="noncentered"), random_seed=RANDOM_SEED
)
centered_sigma = centered_idata.posterior["sigma_b"]
noncentered_sigma = noncentered_idata.posterior["sigma_b"]

# %%
# The tail that was never reached
# -------------------------------
#
# If the centered draws were right, 1% of the posterior would lie below their
# 1% quantile. The non-centered fit tells us how much really lies there. The
# share is an average of an indicator over correlated draws, so its MCSE comes
# from :func:`arviz_stats.mcse` applied to that indicator.
centered_q01 = float(centered_sigma.quantile(0.01))
below_centered_q01 = noncentered_sigma < centered_q01
share_below = float(below_centered_q01.mean())
share_below_mcse = float(azs.mcse(below_centered_q01.astype(float), method="mean"))

centered_min = float(centered_sigma.min())
share_below_min = float((noncentered_sigma < centered_min).mean())

noncentered_q025 = float(noncentered_sigma.quantile(0.025))
centered_share_below_nc_q025 = float((centered_sigma < noncentered_q025).mean())

print(f"centered 1% quantile of sigma_b:              {centered_q01:.3f}")
print(
    f"share of non-centered draws below it:         {share_below:.3f} "
    f"± {share_below_mcse:.3f} (the centered fit says 0.010)"
)
print(f"smallest centered draw of sigma_b:            {centered_min:.3f}")
print(f"share of non-centered draws below even that:  {share_below_min:.3f}")
print(f"non-centered 2.5% quantile of sigma_b:        {noncentered_q025:.3f}")
print(
    f"share of centered draws below it:             {centered_share_below_nc_q025:.4f}"
)

# %%
# Both posteriors of ``sigma_b``
# ------------------------------
#
# On the left, the two posteriors overlaid with their means, the region below
# the centered 1% quantile shaded. On the right, the lower tail close up: the
# share of draws below each value of ``sigma_b`` (the empirical cumulative
# distribution function), with ``sigma_b`` on a log scale.
fig, (ax_density, ax_tail) = plt.subplots(
    1, 2, figsize=(7.2, 3.6), layout="constrained"
)
fits = {"centered": centered_idata, "non-centered": noncentered_idata}
fg.plots.plot_scale_posteriors(fits, scale="sigma_b", bins=30, ax=ax_density)
ax_density.axvspan(
    0.0,
    centered_q01,
    color=fg.plots.COLORS["highlight"],
    alpha=0.3,
    lw=0,
    label="below centered 1% quantile",
)
ax_density.set_ylim(0.0, 1.6 * ax_density.get_ylim()[1])  # room for the legend
ax_density.legend(fontsize=9, loc="upper right")
ax_density.set_title("Densities and means")

fg.plots.plot_lower_tail(
    fits,
    scale="sigma_b",
    xlim=(
        float(noncentered_sigma.quantile(0.002)),
        float(centered_sigma.quantile(0.3)),
    ),
    ax=ax_tail,
)
ax_tail.axvspan(0.0, centered_q01, color=fg.plots.COLORS["highlight"], alpha=0.3, lw=0)
ax_tail.axhline(
    0.01, color=fg.plots.COLORS["exact"], lw=0.8, linestyle=":", label="1% of the draws"
)
ax_tail.set_title("Lower tail, log scale")
ax_tail.legend(fontsize=9, loc="upper left")
fig.suptitle("Posterior of sigma_b from the centered and non-centered fits")
plt.show()

# %%
# Both histograms are bumpy, the centered one more so: it rests on far fewer
# effective draws. Toward zero, though, the difference is not a wobble. In the
# close-up the centered curve stays at zero while the non-centered curve has
# already climbed past 1%.
#
# The size of the bias
# --------------------
#
# Each estimate below comes with its MCSE, from :func:`funnelguide.estimate`
# (which calls :func:`arviz_stats.mcse`); the difference of two independent fits
# has a standard error of :math:`\sqrt{\mathrm{MCSE}_c^2 + \mathrm{MCSE}_{nc}^2}`.
# A difference of more than about three such standard errors is not noise.
#
# The centered fit's own MCSE rests on its effective sample size, which the
# previous example found to be small and unreliable, so its error bars are
# optimistic.

rows = {"mean": None, "5% quantile": 0.05, "1% quantile": 0.01}
comparison, differences = {}, {}
for name, quantile in rows.items():
    c_value, c_mcse = fg.estimate(centered_idata, "sigma_b", quantile=quantile)
    nc_value, nc_mcse = fg.estimate(noncentered_idata, "sigma_b", quantile=quantile)
    diff, diff_se = c_value - nc_value, float(np.hypot(c_mcse, nc_mcse))
    differences[name] = diff / diff_se
    comparison[name] = {
        "centered": c_value,
        "MCSE c": c_mcse,
        "non-centered": nc_value,
        "MCSE nc": nc_mcse,
        "difference": diff,
        "SE": diff_se,
        "in SEs": round(diff / diff_se, 1),
    }

# sphinx_gallery_start_ignore
# The teaching claim, in the form that holds for every seed we tried (8927 and 1 to 10):
# the non-centered fit puts more than the nominal 1% below the centered 1% quantile, by
# more than three of its MCSEs, and the centered fit puts less than 1% of its draws where
# the non-centered fit puts 2.5%. (The mean and 5% quantile differences are printed but
# not asserted: their sign and size change from run to run.)
assert share_below > 0.01 + 3 * share_below_mcse, (share_below, share_below_mcse)
assert centered_share_below_nc_q025 < 0.01, centered_share_below_nc_q025
assert share_below_min > 0.0, share_below_min
# sphinx_gallery_end_ignore
pd.DataFrame(comparison).T.rename_axis("sigma_b").round(3)

# %%
# A passing R-hat, a wrong tail
# -----------------------------
#
# The default fit above fails today's R-hat, so a careful reader would not have trusted it.
# Longer runs are the usual cure for a high R-hat, and with the centered model they can make
# it pass while the tail stays wrong. Below, eight centered fits of 5000 draws per chain, each
# with its own seed, against the exact posterior of ``sigma_b``
# (:func:`funnelguide.exact_radon_scales`, which integrates the slopes and intercepts out on a
# grid): for each, R-hat of ``sigma_b`` and the share of its draws below the exact 2.5%
# quantile, which a correct fit puts near 0.025.
centered_model = fg.radon_model(parameterization="centered")
exact = fg.exact_radon_scales()
exact_q025 = float(exact.quantile("sigma_b", 0.025))
print(f"exact 2.5% quantile of sigma_b: {exact_q025:.4f}")

long_fits = []
for seed in range(RANDOM_SEED, RANDOM_SEED + 8):
    long_idata = fg.sample(centered_model, draws=5000, random_seed=seed)
    long_sigma = long_idata.posterior["sigma_b"]
    long_fits.append(
        {
            "seed": seed,
            "R-hat": float(azs.rhat(long_idata, var_names=["sigma_b"])["sigma_b"]),
            "share below exact 2.5% quantile": float((long_sigma < exact_q025).mean()),
            "divergences": int(long_idata.sample_stats["diverging"].sum()),
        }
    )
long_table = pd.DataFrame(long_fits).set_index("seed")
long_table["R-hat below 1.01"] = long_table["R-hat"] < 1.01
# sphinx_gallery_start_ignore
# The lesson: at least one of these fits passes R-hat, and every one that passes still misses
# the lower tail (less than 1% of its draws where the exact posterior puts 2.5%).
passing = long_table[long_table["R-hat below 1.01"]]
assert len(passing) >= 1, long_table
assert (passing["share below exact 2.5% quantile"] < 0.01).all(), passing
# sphinx_gallery_end_ignore
long_table.round(4)

# %%
# The last column marks the fits whose R-hat passes 1.01 (at least one of the eight; the
# build checks it), and each of those still puts less than 1% of its draws below a value
# that holds 2.5% of the exact posterior. R-hat
# compares chains with each other; when every chain misses the same region, they agree, and
# R-hat has nothing to see. Longer runs of the same sampler let the chains
# agree without letting them into the neck.

# %%
# Conclusion
# ----------
#
# The lower tail is where the centered fit is wrong, and there the error is
# far larger than its Monte Carlo noise. In the close-up on the right, the
# centered curve stays flat at zero over a range of ``sigma_b`` that holds a
# few percent of the posterior: the shaded region, which the centered draws
# say holds 1%, holds more, by over three MCSEs. Some of the posterior lies below
# the smallest value any centered chain ever visited.
#
# The mean and the 5% quantile are blunter witnesses. Missing the neck pushes
# the centered estimates up; a chain that does slip into the neck and stays
# there for a while pulls them down again. Depending on the run, the two errors
# can leave the mean close to right or clearly off, as the table shows for this
# run. Comparing means alone would not reveal the problem reliably; the lower
# tail revealed it in this run and on every seed of the survey, though a milder
# quantile such as 5% can come out nearly right (chapter 3 shows one). Any
# answer that depends on small ``sigma_b`` (how similar the counties' floor
# effects might be, or the chance that they are all equal) would come out wrong
# from the centered fit.
#
# .. admonition:: References
#
#    The use of the following functions, methods, classes and modules is shown
#    in this example:
#
#    - :func:`funnelguide.radon_model`
#    - :func:`funnelguide.sample`
#    - :func:`funnelguide.estimate`
#    - :func:`funnelguide.plots.plot_scale_posteriors`
#    - :func:`funnelguide.plots.plot_lower_tail`
#    - :func:`arviz_stats.mcse`
