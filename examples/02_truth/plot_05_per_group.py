r"""
Choosing the form per group
===========================

The radon model has two hierarchical groups: the county intercepts ``a``, scaled by
``sigma_a``, and the county slopes ``b``, scaled by ``sigma_b``. The post non-centers both,
and remarks in passing that the intercepts would not need it. Which form suits a group depends
on how strongly each member's own data pin it down compared with the group's spread
(Papaspiliopoulos, Roberts and Sköld 2007): a member its data pin down is best sampled
centered, one that leans on the group's prior is best non-centered. The intercepts are
informed by every house in a county; the slopes only by the contrast between a county's
first-floor and basement houses, and many counties have no first-floor house at all.

This example fits all four combinations of centered and non-centered intercepts and slopes,
plus one with partially centered slopes, and compares their divergences, their effective
sample sizes and their lower tail of ``sigma_b`` against the exact answer. It also asks
:func:`funnelguide.suggest_parameterization` for its advice, which it estimates from any one
fit without refitting.
"""

# %%
# The data behind each group
# --------------------------
import arviz_stats as azs
import matplotlib.pyplot as plt
import pandas as pd

import funnelguide as fg

RANDOM_SEED = 8927
# sphinx_gallery_start_ignore
# The seed survey (nox -s seed-survey) runs this page at other seeds too.
import os

RANDOM_SEED = int(os.environ.get("FUNNELGUIDE_SEED", RANDOM_SEED))
# sphinx_gallery_end_ignore

radon = fg.load_radon()
per_county = radon.groupby("county").agg(
    houses=("floor", "size"), first_floor=("floor", "sum")
)
print(
    "counties without a first-floor house:",
    f"{(per_county['first_floor'] == 0).sum()} of {len(per_county)}",
)
per_county.describe().loc[["min", "25%", "50%", "75%", "max"]]

# %%
# Five forms, one posterior
# -------------------------
#
# ``parameterization`` takes a form per group; a number between 0 and 1 is a centering
# weight (1 centered, 0 non-centered), so ``0.3`` samples slopes that are partly centered.
# Every variant is a different model to the sampler, compiled once, and all describe the same
# posterior.
variants = {
    "a c, b c": {"a": "centered", "b": "centered"},
    "a nc, b c": {"a": "noncentered", "b": "centered"},
    "a c, b nc": {"a": "centered", "b": "noncentered"},
    "a nc, b nc": {"a": "noncentered", "b": "noncentered"},
    "a c, b 0.3": {"a": "centered", "b": 0.3},
}
fits = {
    label: fg.sample(fg.radon_model(parameterization=form), random_seed=RANDOM_SEED)
    for label, form in variants.items()
}
exact = fg.exact_radon_scales()

# %%
# What each variant gives
# -----------------------
#
# For each variant: divergences; the worst bulk ESS over all the model's quantities (``mu_a``,
# ``sigma_a``, ``a``, ``mu_b``, ``sigma_b``, ``b``, ``eps``, every element counted) and which
# one it was; that ESS per second of sampling; the bulk ESS of each scale; the error of the 5%
# quantile of ``sigma_b`` against the exact value; the exact posterior mass below the smallest
# ``sigma_b`` drawn; the error of the mean of ``sigma_a`` in units of its MCSE; and the
# average shrinkage factor of each group estimated from this fit (see below).
QUANTITIES = ["mu_a", "sigma_a", "a", "mu_b", "sigma_b", "b", "eps"]
GROUPS = {"a": "sigma_a", "b": "sigma_b"}
exact_q05 = exact.quantile("sigma_b", 0.05)

rows, advice = {}, {}
for label, idata in fits.items():
    ess = azs.ess(idata, var_names=QUANTITIES, method="bulk")
    worst = {name: float(ess[name].min()) for name in QUANTITIES}
    worst_name = min(worst, key=worst.get)
    sigma_a_mcse = float(
        azs.mcse(idata, var_names=["sigma_a"], method="mean")["sigma_a"]
    )
    advice[label] = fg.suggest_parameterization(idata, groups=GROUPS)
    rows[label] = {
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "worst ESS": worst[worst_name],
        "worst of": worst_name,
        "worst ESS/s": worst[worst_name] / idata.posterior.attrs["sampling_time"],
        "ESS sigma_a": worst["sigma_a"],
        "ESS sigma_b": worst["sigma_b"],
        "q05 error": float(idata.posterior["sigma_b"].quantile(0.05)) - exact_q05,
        "mass below": float(
            exact.cdf("sigma_b", float(idata.posterior["sigma_b"].min()))
        ),
        "sigma_a z": (float(idata.posterior["sigma_a"].mean()) - exact.mean("sigma_a"))
        / sigma_a_mcse,
        "kappa a": advice[label].evidence.loc["a", "kappa_mean"],
        "kappa b": advice[label].evidence.loc["b", "kappa_mean"],
    }
table = pd.DataFrame.from_dict(rows, orient="index")
formats = {
    "divergences": "{:.0f}",
    "worst ESS": "{:.0f}",
    "worst ESS/s": "{:.0f}",
    "ESS sigma_a": "{:.0f}",
    "ESS sigma_b": "{:.0f}",
    "mass below": "{:.2%}",
    "sigma_a z": "{:+.1f}",
    "worst of": "{}",
}
table.T.apply(lambda row: row.map(formats.get(row.name, "{:.3f}").format), axis=1)

# %%
# Whatever the form of the intercepts, the worst quantity is ``sigma_b``, and it is poor
# whenever the slopes are centered and good whenever they are not. ``sigma_a`` is sampled well
# by every variant, centered intercepts included: a large ESS, and a mean within a few MCSE
# of the exact value. The partially centered slopes do better in the tail than centered ones,
# as a rule, but not as well as non-centered ones.
#
# The advice
# ----------
#
# :func:`funnelguide.suggest_parameterization` estimates, for every member of a group, the
# shrinkage factor :math:`\kappa`: its posterior variance given the group's scale, divided by
# the scale squared. Near 0 the member's own data pin it down and the centered form mixes
# well; near 1 the group's prior does and the non-centered form is the one to use. The choice
# follows the group's average, with 0.5 as the threshold. (The concept page
# :ref:`concepts-reparameterization` computes the same :math:`\kappa` county by county from the
# data alone, the hyperparameters held fixed.) Here is its advice from the fully
# centered fit, the one a modeller would usually have first (its ``evidence`` table:
# ``kappa_mean`` and ``kappa_median`` over the group's members, ``data_dominated`` the share
# of members with :math:`\kappa` below the threshold; printing the result adds a sentence
# per group):
advice["a c, b c"].evidence.round(3)

# %%
# The advice, and the kappas it rests on, come out about the same from every variant (the
# last two rows of the table above). Per county, the picture is plain: intercepts of counties
# with many houses have small :math:`\kappa`, slopes have large :math:`\kappa` almost
# everywhere. Each :math:`\kappa` is estimated from the draws (the member's spread among draws
# of similar scale), so where the data say almost nothing and the value is close to 1, Monte
# Carlo error can put the estimate a little above 1 (the largest is printed below).
kappa = pd.DataFrame({group: advice["a c, b c"].kappa[group] for group in GROUPS})
kappa["houses"] = per_county.loc[kappa.index, "houses"]

fig, (ax_kappa, ax_ess) = plt.subplots(1, 2, figsize=(7.2, 3.8), layout="constrained")
ax_kappa.scatter(kappa["houses"], kappa["a"], marker="o", label="intercept a")
ax_kappa.scatter(kappa["houses"], kappa["b"], marker="^", label="slope b")
threshold = fg.diagnostics.CENTERING_THRESHOLD
ax_kappa.axhline(threshold, linestyle="--", label=f"threshold {threshold:g}")
# sphinx_gallery_start_ignore
intercepts, slopes = ax_kappa.collections
intercepts.set(sizes=[16], color=fg.plots.COLORS["other"])
slopes.set(sizes=[16], facecolor="none", edgecolor=fg.plots.COLORS["centered"])
ax_kappa.lines[-1].set(color=fg.plots.COLORS["exact"], lw=1.0)
# sphinx_gallery_end_ignore
ax_kappa.set_xscale("log")
fg.plots.plain_log_ticks(ax_kappa, axis="x")
ax_kappa.set_xlabel("houses in the county (log scale)")
ax_kappa.set_ylabel("shrinkage factor kappa")
# sphinx_gallery_start_ignore
ax_kappa.set_ylim(0.0, 1.1)
ax_kappa.legend(fontsize=9, loc="lower left")
# sphinx_gallery_end_ignore
ax_kappa.set_title("Each county's kappa")
print(f"largest kappa estimated for a slope: {kappa['b'].max():.3f}")

fg.plots.plot_bars(
    table.rename(columns={"ESS sigma_a": "sigma_a", "ESS sigma_b": "sigma_b"}),
    columns=["sigma_a", "sigma_b"],
    notes=[f"{n} div." for n in table["divergences"]],
    ax=ax_ess,
)
ax_ess.set_ylabel("bulk ESS")
ax_ess.set_title("ESS of the scales per variant")
fig.suptitle("Which groups need non-centering: kappa per county and ESS per variant")
plt.show()

# sphinx_gallery_start_ignore
# The teaching claims, in the form that held on seeds 1, 2, 3 and 8927:
# - the advice is non-centered for the slopes, from every fit, and the intercepts' kappa is
#   well below the slopes' (their own advice is borderline: centered, barely);
# - variants with non-centered slopes have more than 3 times the worst ESS of any variant with
#   centered slopes, and leave less than 0.5% of sigma_b's exact posterior below their
#   lowest draw, where centered slopes leave more than 1%;
# - sigma_a is sampled well by every variant: ESS above 400 and a mean within 4 MCSE of exact;
# - the partially centered slopes have a smaller worst ESS than either variant with
#   non-centered slopes, and leave more of sigma_b's posterior below their lowest draw.
for label, result in advice.items():
    assert result.choice["b"] == "noncentered", (label, result)
    assert rows[label]["kappa a"] < rows[label]["kappa b"] - 0.2, (label, rows[label])
slopes_nc = ["a c, b nc", "a nc, b nc"]
slopes_c = ["a c, b c", "a nc, b c"]
assert min(rows[v]["worst ESS"] for v in slopes_nc) > 3 * max(
    rows[v]["worst ESS"] for v in slopes_c
), table
assert all(rows[v]["mass below"] < 0.005 for v in slopes_nc), table
assert all(rows[v]["mass below"] > 0.01 for v in slopes_c), table
for label, row in rows.items():
    assert row["ESS sigma_a"] > 400, (label, row)
    assert abs(row["sigma_a z"]) < 4, (label, row)
partial = rows["a c, b 0.3"]
assert partial["worst ESS"] < min(rows[v]["worst ESS"] for v in slopes_nc), table
assert partial["mass below"] > max(rows[v]["mass below"] for v in slopes_nc), table
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# The numbers bear out the post's remark. Centering or non-centering the intercepts makes
# little difference: ``sigma_a`` is sampled well either way and its mean agrees with the exact
# value. The slopes decide everything. With centered slopes the worst ESS is that of
# ``sigma_b``, small, and the chains never reach the lowest part of its posterior; with
# non-centered slopes the worst ESS is several times larger and the lower tail is there.
# Partial centering with weight 0.3 falls short of full non-centering of the slopes here:
# fewer effective draws, and a lower tail of ``sigma_b`` that does not reach as far. A weight
# must be chosen, and this one was not the best.
#
# The advice agrees and explains why. Most slopes have a shrinkage factor near 1: with few or
# no first-floor houses, a county's slope is what the other counties say it is, and that is the
# funnel's signature. The intercepts' average is close to the threshold: counties with many
# houses would be sampled best centered, those with one or two non-centered, and on balance
# either form works, as the table shows. The advice can be read off any fit, even the centered
# one that mixes badly, before deciding which model to trust.
#
# .. admonition:: References
#
#    The use of the following functions, methods, classes and modules is shown
#    in this example:
#
#    - :func:`funnelguide.radon_model`
#    - :func:`funnelguide.sample`
#    - :func:`funnelguide.suggest_parameterization`
#    - :class:`funnelguide.ParameterizationAdvice`
#    - :func:`funnelguide.exact_radon_scales`
#    - :func:`funnelguide.load_radon`
#    - :func:`arviz_stats.ess`
#    - :func:`arviz_stats.mcse`
#    - :func:`funnelguide.plots.plot_bars`
