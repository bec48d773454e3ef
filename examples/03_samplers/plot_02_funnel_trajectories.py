r"""
A divergence, step by step
==========================

NUTS explores a posterior by simulating a frictionless puck sliding over the surface of the
negative log density: it gives the puck a random push (a momentum), follows it for a while, and
draws the next point at random from the points the trajectory passed through, weighted by their
density. The simulation moves in small steps of the *leapfrog*
integrator, and one step size, tuned during warm-up, has to serve the whole posterior. Exact
dynamics conserve the puck's energy (potential plus kinetic); the leapfrog steps conserve it only
approximately, and the sampler uses the energy error to decide whether to trust a trajectory.

In Neal's funnel, :math:`v \sim \mathcal{N}(0, 3)` and :math:`x \mid v \sim \mathcal{N}(0,
e^{v/2})`, the width of the posterior in :math:`x` changes by a factor of :math:`e^{3} \approx
20` between :math:`v = 0` and :math:`v = -6`. A step that is small in the wide mouth is far too
large in the narrow neck, and there the energy error does not merely grow: it explodes. When the
energy rises more than 1000 above its start (the threshold of Stan and PyMC), the sampler gives up
on the trajectory and reports a *divergence*. This page watches that happen, in the two
dimensions where it can be seen.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import funnelguide as fg
from funnelguide.dynamics import (
    DIVERGENCE_THRESHOLD,
    funnel_logp_grad,
    hmc_trajectories,
    leapfrog,
)

RANDOM_SEED = 8927
# sphinx_gallery_start_ignore
# The seed survey (nox -s seed-survey) runs this page at other seeds too.
import os

RANDOM_SEED = int(os.environ.get("FUNNELGUIDE_SEED", RANDOM_SEED))
# sphinx_gallery_end_ignore
STEP_SIZE = 0.25
N_STEPS = 24
#: An energy error above 1 means the leapfrog path has left the exact one
#: (acceptance < 37%).
OFF_TRACK = 1.0

# %%
# Four trajectories with one step size
# ------------------------------------
#
# :func:`funnelguide.dynamics.leapfrog` integrates the dynamics from a start and a momentum with a
# fixed step size and records the energy (the Hamiltonian) after every step; it stops once the
# energy has risen by more than ``DIVERGENCE_THRESHOLD``. The four momenta below
# are chosen by hand to show the three things that can happen: two trajectories stay in the
# mouth, one starts in the mouth and heads down into the neck, one starts in the neck.
cases = {
    "mouth 1": ([1.5, 2.0], [1.0, 0.5]),
    "mouth 2": ([-2.0, 3.0], [-0.5, -0.8]),
    "mouth to neck": ([1.0, 1.5], [-1.0, -3.5]),
    "neck": ([0.05, -5.0], [0.3, -0.3]),
}
trajectories = {}
for name, (start, momentum) in cases.items():
    positions, _, energies = leapfrog(
        funnel_logp_grad,
        np.array(start),
        np.array(momentum),
        step_size=STEP_SIZE,
        n_steps=N_STEPS,
    )
    n_done = int(np.isfinite(energies).sum())
    abs_error = np.abs(energies[:n_done] - energies[0])
    off_track = np.flatnonzero(abs_error > OFF_TRACK)
    trajectories[name] = {
        "positions": positions[:n_done],
        "abs_error": abs_error,
        "divergent": bool(abs_error[-1] > DIVERGENCE_THRESHOLD),
        "off_track_step": int(off_track[0]) if off_track.size else None,
    }

summary = pd.DataFrame(
    {
        "start x": [start[0] for start, _ in cases.values()],
        "start v": [start[1] for start, _ in cases.values()],
        "steps taken": [len(t["positions"]) - 1 for t in trajectories.values()],
        "max |energy error|": [t["abs_error"].max() for t in trajectories.values()],
        "error > 1 at step": [
            t["off_track_step"] or "never" for t in trajectories.values()
        ],
        "divergent": [t["divergent"] for t in trajectories.values()],
    },
    index=pd.Index(list(cases), name="trajectory"),
)
print(f"step size {STEP_SIZE}, at most {N_STEPS} steps")
fg.plots.format_table(summary)

# %%
# The animation
# -------------
#
# The left panel shows the funnel: the grey shading is its log density, the dashed lines mark
# two standard deviations of :math:`x` at each :math:`v` (95% of the mass lies between them).
# The right panel shows each trajectory's absolute energy error after every step, on a log
# scale, with the divergence threshold. A cross marks the step at which a trajectory's energy
# error first exceeded 1: there it left the exact path, and from there the error runs away.
# :func:`funnelguide.plots.animate_trajectories` draws one frame per leapfrog step.
paths = {name: t["positions"] for name, t in trajectories.items()}
off_track_steps = {name: t["off_track_step"] for name, t in trajectories.items()}
animation = fg.plots.animate_trajectories(
    paths,
    {name: t["abs_error"] for name, t in trajectories.items()},
    threshold=DIVERGENCE_THRESHOLD,
    marks=off_track_steps,
    title=f"Fixed-step leapfrog in the funnel, step size {STEP_SIZE}",
)
plt.show()

# %%
# What the sampler sees
# ---------------------
#
# A sampler does not choose its momenta: it draws them at random. Here one trajectory of
# :func:`funnelguide.dynamics.hmc_trajectories` starts from each of 2000 exact draws of the
# funnel, with a random momentum and the same step size, and the right panel shows the share of
# trajectories that diverged, by the height :math:`v` they started from. The left panel is the
# last frame of the animation.
rng = np.random.default_rng(RANDOM_SEED)
start_v = rng.normal(0, 3, size=2000)
start_x = rng.normal(0, np.exp(start_v / 2))
random_runs = hmc_trajectories(
    funnel_logp_grad,
    np.column_stack([start_x, start_v]),
    step_size=STEP_SIZE,
    n_steps=N_STEPS,
    random_seed=RANDOM_SEED,
)
diverged = np.array([run.divergent for run in random_runs])
bin_edges = np.arange(-9.0, 10.0, 1.5)
bins = pd.cut(start_v, bin_edges)
rates = (
    pd.DataFrame({"divergent": diverged, "bin": bins})
    .groupby("bin", observed=True)["divergent"]
    .agg(["size", "mean"])
)
rates.columns = ["trajectories", "share divergent"]
rates.round(3)

# %%
print(f"all starts: {diverged.mean():.1%} divergent")
print(f"starts with v < -4: {diverged[start_v < -4].mean():.1%} divergent")
print(f"starts with v > 0:  {diverged[start_v > 0].mean():.1%} divergent")

static, (ax_last, ax_rate) = plt.subplots(
    1, 2, figsize=(7.2, 3.6), layout="constrained", width_ratios=[1.1, 1]
)
fg.plots.shade_neals_funnel(ax=ax_last)
fg.plots.plot_trajectories(paths, marks=off_track_steps, ax=ax_last)
ax_last.set_title("Four trajectories, X: error above 1")
fg.plots.legend_below(static)
# sphinx_gallery_start_ignore
centers = np.array([interval.mid for interval in rates.index])
ax_rate.barh(
    centers,
    rates["share divergent"].to_numpy(),
    height=np.diff(bin_edges)[0] * 0.9,
    color=fg.plots.COLORS["divergent"],
    edgecolor="black",
    linewidth=0.5,
)
ax_rate.set(xlim=(-0.03, 1.03), ylim=ax_last.get_ylim())
# sphinx_gallery_end_ignore
ax_rate.set(xlabel="share of trajectories divergent", ylabel="starting v")
ax_rate.set_title("2000 random starts and momenta")
static.suptitle("Divergences happen in the neck of the funnel")
plt.show()

# sphinx_gallery_thumbnail_number = 2

# sphinx_gallery_start_ignore
# The claims of this page: mouth trajectories keep a small energy error, those that reach the
# neck diverge, and divergences concentrate at low v.
for name in ("mouth 1", "mouth 2"):
    assert not trajectories[name]["divergent"], name
    assert trajectories[name]["abs_error"].max() < 0.5, name
    assert len(trajectories[name]["positions"]) == N_STEPS + 1, name
for name in ("mouth to neck", "neck"):
    assert trajectories[name]["divergent"], name
    off_track_v = trajectories[name]["positions"][
        trajectories[name]["off_track_step"], 1
    ]
    assert off_track_v < -3.5, (
        f"{name} should leave the exact path in the neck, v={off_track_v}"
    )
assert trajectories["mouth to neck"]["off_track_step"] > 3, (
    "starts out fine in the mouth"
)
assert diverged[start_v < -6].mean() > 0.9
assert diverged[start_v > 0].mean() < 0.1
assert diverged[start_v < -4].mean() > 5 * diverged[start_v > 0].mean()
# sphinx_gallery_end_ignore

# %%
# Conclusion
# ----------
#
# In the mouth, the leapfrog steps trace smooth curves and the energy error stays tiny, a few
# hundredths: the puck goes where the exact dynamics would take it. The trajectory that heads
# down starts just as well, but as it enters the neck, where the funnel is narrower than one
# step, it overshoots from one wall to the other, each overshoot larger than the last; in a few
# steps the energy error climbs through many orders of magnitude, past the threshold, and the
# trajectory is abandoned. Started in the neck, a trajectory does not even get going. The right
# panel of the second figure says the same for random starts: almost none diverge above
# :math:`v = 0`, almost all below :math:`v = -6`.
#
# A divergence is therefore not noise: it is the sampler telling you *where* its step size was
# too large for the posterior. With the step size it keeps, a sampler rarely gets deep into the
# neck, and a chain that does get in moves through it slowly and can stay stuck there for many
# draws (as some chains of the first chapter did); shrinking the step enough to pass through it
# freely would make every step in the mouth pointlessly small. That is why the centered radon
# model under-samples small values of ``sigma_b``: they are the neck of its funnel. The next
# example changes the coordinates instead of the step.
#
# .. admonition:: References
#
#    The use of the following functions is shown in this example:
#
#    - :func:`funnelguide.dynamics.leapfrog`
#    - :func:`funnelguide.dynamics.hmc_trajectories`
#    - :func:`funnelguide.dynamics.funnel_logp_grad`
#    - :data:`funnelguide.dynamics.DIVERGENCE_THRESHOLD`
#    - :func:`funnelguide.plots.animate_trajectories`
#    - :func:`funnelguide.plots.shade_neals_funnel`
#    - :func:`funnelguide.plots.plot_trajectories`
#    - :func:`funnelguide.plots.format_table`
