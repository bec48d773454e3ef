"""
The radon data
==============

Radon is a radioactive gas that seeps from the ground into houses, and a leading cause of lung
cancer among non-smokers. In the late 1980s the US Environmental Protection Agency measured it
in thousands of homes; the Minnesota part of that survey, as prepared by Gelman and Hill (2007),
has 919 measurements in 85 counties. Each row is one house: its county, the floor the reading
was taken on (basement or first floor), and the natural log of the radon level.

Two features of these data drive everything that follows. Radon comes from the soil, so
basement readings run higher than first-floor ones: the *slope* of a regression on floor
matters. And the counties are very unequal: a few have dozens of houses, many have a handful,
and a fair number have no first-floor reading at all. A county with one or two houses says
little about itself on its own, which is why a hierarchical model, which lets counties learn
from each other, is worth its trouble.
"""

import matplotlib.pyplot as plt
import numpy as np

import funnelguide as fg

# %%
# What is measured
# ----------------
#
# :func:`funnelguide.load_radon` reads the bundled file; no network is needed. ``county_idx``
# numbers the counties in alphabetical order, ``floor`` is 0 for the basement and 1 for the
# first floor, and ``log_radon`` is the log of the reading in picocuries per litre.
radon = fg.load_radon()
print(radon.head())
print(f"\n{len(radon)} measurements in {radon['county'].nunique()} counties")

# %%
# Basement against first floor
# ----------------------------
#
# The first thing a model should capture: readings taken in basements are higher.
by_floor = radon.groupby("floor")["log_radon"].agg(["count", "mean", "std"])
by_floor.index = by_floor.index.map({0: "basement", 1: "first floor"})
by_floor.round(3)

# %%
# The two distributions, each with its mean (the legend counts the houses):
fig, ax = plt.subplots(figsize=(7.2, 3.6), layout="constrained")
fg.plots.plot_densities(
    {
        "basement": radon.loc[radon["floor"] == 0, "log_radon"],
        "first floor": radon.loc[radon["floor"] == 1, "log_radon"],
    },
    ax=ax,
)
ax.set_xlabel("log_radon (log pCi/L)")
ax.set_ylabel("density")
ax.set_title("log_radon in basements and on first floors")
plt.show()

# %%
# Counties: a few large, many tiny
# --------------------------------
#
# Count the houses per county, and among them the first-floor houses. The second count is the
# one that matters for the floor slope: a county with no first-floor reading has no data at all
# about its own slope.
per_county = radon.groupby("county").agg(
    houses=("log_radon", "size"),
    first_floor=("floor", "sum"),
    mean_log_radon=("log_radon", "mean"),
)
n_small = int((per_county["houses"] < 5).sum())
n_no_first_floor = int((per_county["first_floor"] == 0).sum())
n_one_first_floor = int((per_county["first_floor"] == 1).sum())
print(f"counties with fewer than 5 houses:        {n_small} of {len(per_county)}")
print(f"counties with no first-floor measurement: {n_no_first_floor}")
print(f"counties with exactly one:                {n_one_first_floor}")

# %%
# The three largest counties, and the rest at a glance:
per_county.nlargest(3, "houses").round(2)

# %%
per_county.describe().round(2)

# %%
# How many counties have how many houses, and how many first-floor houses (the last bar of
# each panel pools the counties with that many or more):

fig, (ax_houses, ax_first) = plt.subplots(
    1, 2, figsize=(7.2, 3.4), layout="constrained"
)
fg.plots.plot_count_bars(per_county["houses"], cap=20, ax=ax_houses)
fg.plots.plot_count_bars(
    per_county["first_floor"], cap=8, ax=ax_first, color=fg.plots.COLORS["highlight"]
)
ax_houses.set(xlabel="houses measured in the county", ylabel="number of counties")
ax_first.set(xlabel="first-floor houses measured in the county", ylabel="")
ax_houses.set_title("All measurements")
ax_first.set_title("First-floor measurements")
fig.suptitle("How many counties have how many measurements")
plt.show()

# %%
# County means against county size
# --------------------------------
#
# Averaging each county on its own is the *unpooled* estimate. The figure shows those averages
# against the number of houses behind each. The shaded band is where county means would fall
# 95% of the time if every county had the same radon level and the only differences were
# house-to-house noise: twice the within-county standard deviation over the square root of the
# county's size, around the statewide mean.
grand_mean = radon["log_radon"].mean()
within_sd = np.sqrt(
    radon.groupby("county")["log_radon"].var(ddof=1).mul(per_county["houses"] - 1).sum()
    / (len(radon) - len(per_county))
)
small = per_county["houses"] < 5
large = per_county["houses"] >= 20
spread_small = per_county.loc[small, "mean_log_radon"].std()
spread_large = per_county.loc[large, "mean_log_radon"].std()
extremes = per_county["mean_log_radon"].sub(grand_mean).abs().nlargest(10)
noise_halfwidth = 2 * within_sd / np.sqrt(per_county["houses"])
outside = per_county["mean_log_radon"].sub(grand_mean).abs() > noise_halfwidth
print(f"statewide mean log_radon:  {grand_mean:.3f}")
print(f"pooled within-county sd:   {within_sd:.3f}")
print(f"sd of county means, counties with fewer than 5 houses: {spread_small:.3f}")
print(f"sd of county means, counties with 20 or more houses:  {spread_large:.3f}")
print(
    f"houses behind the 10 most extreme county means: "
    f"{per_county.loc[extremes.index, 'houses'].tolist()}"
)
print(
    f"county means outside the noise band: {outside.sum()} of {len(per_county)} "
    f"(noise alone would put about {0.05 * len(per_county):.0f} there)"
)
print(
    f"  of which in counties with 20 or more houses: "
    f"{outside[large].sum()} of {large.sum()}"
)

sizes = np.geomspace(1, per_county["houses"].max(), 200)
fig, ax = plt.subplots(figsize=(7.2, 4.0), layout="constrained")
ax.fill_between(
    sizes,
    grand_mean - 2 * within_sd / np.sqrt(sizes),
    grand_mean + 2 * within_sd / np.sqrt(sizes),
    color=fg.plots.COLORS["other"],
    alpha=0.2,
    linewidth=0,
    label="noise alone (95%)",
)
ax.axhline(grand_mean, color=fg.plots.COLORS["exact"], lw=1.0, label="statewide mean")
ax.scatter(
    per_county["houses"],
    per_county["mean_log_radon"],
    s=18,
    color=fg.plots.COLORS["noncentered"],
    label="one county",
)
ax.set_xscale("log")
fg.plots.plain_log_ticks(ax, axis="x")
ax.set_xlabel("houses measured in the county (log scale)")
ax.set_ylabel("county mean of log_radon")
ax.set_title("County mean log_radon against county sample size")
# sphinx_gallery_start_ignore
ax.legend(fontsize=9, loc="lower right")
# sphinx_gallery_end_ignore
plt.show()

# sphinx_gallery_start_ignore
# The claims of this page, checked on the data.
assert len(radon) == 919 and radon["county"].nunique() == 85
assert by_floor.loc["basement", "mean"] > by_floor.loc["first floor", "mean"] + 0.3
assert n_small >= 30, "many counties should have fewer than 5 houses"
assert n_no_first_floor >= 20, "many counties should have no first-floor reading"
assert spread_small > 2 * spread_large, "small counties' means should scatter far more"
assert per_county.loc[extremes.index, "houses"].max() < 10, (
    "extreme means come from small counties"
)
assert outside.sum() > 2 * 0.05 * len(per_county), "counties should differ beyond noise"
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# The first figure shows the floor effect: first-floor readings sit lower than basement ones,
# by the difference of the two means in the first table, and there are far fewer of them. The
# second shows how unequal the counties are: most have a handful of houses, and a large share
# have no first-floor house at all, so their own data say nothing about their floor slope. The
# third shows why county means cannot be taken on their own: the smaller the county, the wider
# its mean scatters, mostly inside the band that noise alone would produce, and the most
# extreme means all come from counties of fewer than ten houses. Yet the counties are not all
# alike either: far more means fall outside the band than noise would put there (the count is
# printed above), among them large counties whose means are known precisely.
#
# So neither one mean for the whole state (complete pooling) nor each county on its own (no
# pooling) will do. A hierarchical model sits between the two: each county gets its own
# intercept ``a`` and slope ``b``, drawn from common distributions whose spreads are learned from
# the data. The spread of the slopes, ``sigma_b``, is what the next examples are about.
#
# .. admonition:: References
#
#    The use of the following functions is shown in this example:
#
#    - `funnelguide.load_radon`
#    - `funnelguide.plots.COLORS`
#    - `funnelguide.plots.plot_densities`
#    - `funnelguide.plots.plot_count_bars`
#    - `funnelguide.plots.plain_log_ticks`

# sphinx_gallery_thumbnail_number = 3
