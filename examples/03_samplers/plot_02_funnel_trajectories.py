r"""
A divergence, step by step
==========================

NUTS explores a posterior by simulating a frictionless puck sliding over the surface of the
negative log density: it gives the puck a random push (a momentum), follows it for a while, and
takes where it ends up as the next draw. The simulation moves in small steps of the *leapfrog*
integrator, and one step size, tuned during warm-up, has to serve the whole posterior. Exact
dynamics conserve the puck's energy (potential plus kinetic); the leapfrog steps conserve it only
approximately, and the sampler uses the energy error to decide whether to trust a trajectory.

In Neal's funnel, :math:`v \sim \mathcal{N}(0, 3)` and :math:`x \mid v \sim \mathcal{N}(0,
e^{v/2})`, the width of the posterior in :math:`x` changes by a factor of :math:`e^{3} \approx
20` between :math:`v = 0` and :math:`v = -6`. A step that is small in the wide mouth is far too
large in the narrow neck, and there the energy error does not merely grow: it explodes. When the
energy rises by more than 1000 (the threshold of Stan and PyMC), the sampler gives up on the trajectory and reports
a *divergence*. This page watches that happen, in the two dimensions where it can be seen.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.animation import FuncAnimation
from scipy import stats

import funnelguide as fg
from funnelguide.dynamics import (
    DIVERGENCE_THRESHOLD,
    funnel_logp_grad,
    hmc_trajectories,
    leapfrog,
)

RANDOM_SEED = 8927
STEP_SIZE = 0.25
N_STEPS = 24
#: An energy error above 1 means the leapfrog path has left the exact one (acceptance < 37%).
OFF_TRACK = 1.0

# %%
# Four trajectories with one step size
# ------------------------------------
#
# :func:`funnelguide.dynamics.leapfrog` integrates the dynamics from a start and a momentum with a
# fixed step size and records the energy (the Hamiltonian) after every step; it stops once the
# energy has risen by more than ``DIVERGENCE_THRESHOLD`` (a fall does not count). The four momenta below
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
        "error > 1 at step": [t["off_track_step"] or "never" for t in trajectories.values()],
        "divergent": [t["divergent"] for t in trajectories.values()],
    },
    index=pd.Index(list(cases), name="trajectory"),
)
print(f"step size {STEP_SIZE}, at most {N_STEPS} steps\n")
print(summary.to_string(float_format="{:.3g}".format))

# %%
# The animation
# -------------
#
# The left panel shows the funnel: the grey shading is its log density, the dashed lines mark
# two standard deviations of :math:`x` at each :math:`v` (95% of the mass lies between them).
# The right panel shows each trajectory's absolute energy error after every step, on a log
# scale, with the divergence threshold. A cross marks the step at which a trajectory's energy
# error first exceeded 1: there it left the exact path, and from there the error runs away.
styles = {
    "mouth 1": {"color": fg.plots.COLORS["other"], "linestyle": "-", "marker": "o"},
    "mouth 2": {"color": fg.plots.COLORS["noncentered"], "linestyle": "-.", "marker": "s"},
    "mouth to neck": {"color": fg.plots.COLORS["centered"], "linestyle": "--", "marker": "^"},
    "neck": {"color": fg.plots.COLORS["highlight"], "linestyle": ":", "marker": "D"},
}
X_LIMITS, V_LIMITS = (-6.0, 6.0), (-8.0, 6.0)
ERROR_FLOOR = 1e-4


def draw_funnel(ax):
    """Shade the funnel's log density and mark +-2 standard deviations of x."""
    x_grid = np.linspace(*X_LIMITS, 300)
    v_grid = np.linspace(*V_LIMITS, 300)
    xx, vv = np.meshgrid(x_grid, v_grid)
    log_density = stats.norm.logpdf(vv, 0, 3) + stats.norm.logpdf(xx, 0, np.exp(vv / 2))
    ax.contourf(xx, vv, np.clip(log_density, -12, None), levels=12, cmap="Greys", alpha=0.6)
    ax.plot(2 * np.exp(v_grid / 2), v_grid, color=fg.plots.COLORS["exact"], lw=0.8, ls="--")
    ax.plot(-2 * np.exp(v_grid / 2), v_grid, color=fg.plots.COLORS["exact"], lw=0.8, ls="--")
    ax.set(xlim=X_LIMITS, ylim=V_LIMITS, xlabel="x", ylabel="v")


def draw_error_axes(ax):
    """Set up the energy-error panel: log scale, the divergence threshold."""
    ax.axhline(DIVERGENCE_THRESHOLD, color=fg.plots.COLORS["divergent"], lw=1.2)
    ax.text(0.3, DIVERGENCE_THRESHOLD * 1.8, "divergence threshold", fontsize="small")
    ax.set(
        yscale="log",
        xlim=(0, N_STEPS),
        ylim=(ERROR_FLOOR, 1e6),
        xlabel="leapfrog step",
        ylabel="|energy error|",
    )


fig, (ax_funnel, ax_error) = plt.subplots(
    1, 2, figsize=(7.2, 3.4), dpi=80, layout="constrained", width_ratios=[1.1, 1]
)
draw_funnel(ax_funnel)
draw_error_axes(ax_error)
ax_funnel.set_title("Leapfrog trajectories in (x, v)")
ax_error.set_title("Energy error per step")
fig.suptitle(f"Fixed-step leapfrog in the funnel, step size {STEP_SIZE}")
paths, errors, crosses = {}, {}, {}
for name, style in styles.items():
    (paths[name],) = ax_funnel.plot([], [], lw=1.5, markersize=3, label=name, **style)
    (errors[name],) = ax_error.plot([], [], lw=1.5, markersize=3, **style)
    (crosses[name],) = ax_funnel.plot(
        [], [], "X", color=fg.plots.COLORS["divergent"], markeredgecolor="black", markersize=10
    )
ax_funnel.legend(fontsize="x-small", loc="lower right")
step_label = ax_error.text(0.98, 0.04, "", ha="right", transform=ax_error.transAxes)


def show_step(step):
    """Draw every trajectory up to leapfrog step ``step``."""
    for name, trajectory in trajectories.items():
        shown = trajectory["positions"][: step + 1]
        paths[name].set_data(shown[:, 0], shown[:, 1])
        steps = np.arange(1, len(shown))
        errors[name].set_data(steps, np.maximum(trajectory["abs_error"][1 : step + 1], ERROR_FLOOR))
        off_track_step = trajectory["off_track_step"]
        if off_track_step is not None and step >= off_track_step:
            crosses[name].set_data(*trajectory["positions"][off_track_step, :, None])
        else:
            crosses[name].set_data([], [])
    step_label.set_text(f"step {step} of {N_STEPS}")
    return [*paths.values(), *errors.values(), *crosses.values(), step_label]


animation = FuncAnimation(fig, show_step, frames=N_STEPS + 1, interval=250, repeat_delay=1500)
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
print(rates.round(3))
print(f"\nall starts: {diverged.mean():.1%} divergent")
print(f"starts with v < -4: {diverged[start_v < -4].mean():.1%} divergent")
print(f"starts with v > 0:  {diverged[start_v > 0].mean():.1%} divergent")

static, (ax_last, ax_rate) = plt.subplots(
    1, 2, figsize=(7.2, 3.4), layout="constrained", width_ratios=[1.1, 1]
)
draw_funnel(ax_last)
for name, trajectory in trajectories.items():
    positions = trajectory["positions"]
    ax_last.plot(positions[:, 0], positions[:, 1], lw=1.5, markersize=3, label=name, **styles[name])
    if trajectory["off_track_step"] is not None:
        ax_last.plot(
            *positions[trajectory["off_track_step"]],
            "X",
            color=fg.plots.COLORS["divergent"],
            markeredgecolor="black",
            markersize=10,
        )
ax_last.legend(fontsize="x-small", loc="lower right")
ax_last.set_title("Four trajectories, X: error above 1")
centers = np.array([interval.mid for interval in rates.index])
ax_rate.barh(
    centers,
    rates["share divergent"].to_numpy(),
    height=np.diff(bin_edges)[0] * 0.9,
    color=fg.plots.COLORS["divergent"],
    edgecolor="black",
    linewidth=0.5,
)
ax_rate.set(
    xlim=(-0.03, 1.03), ylim=V_LIMITS, xlabel="share of trajectories divergent", ylabel="starting v"
)
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
    off_track_v = trajectories[name]["positions"][trajectories[name]["off_track_step"], 1]
    assert off_track_v < -3.5, f"{name} should leave the exact path in the neck, v={off_track_v}"
assert trajectories["mouth to neck"]["off_track_step"] > 3, "starts out fine in the mouth"
assert diverged[start_v < -6].mean() > 0.9
assert diverged[start_v > 0].mean() < 0.1
assert diverged[start_v < -4].mean() > 5 * diverged[start_v > 0].mean()
# The page stays light: all frames, inline, take less than 3 MB.
html = animation.to_jshtml()
assert len(html) < 3_000_000, f"the animation is {len(html) / 1e6:.1f} MB"
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
# too large for the posterior. A sampler that keeps its step size cannot enter the neck, and
# shrinking the step enough to pass through it would make every step in the mouth pointlessly
# small. That is why the centered radon model misses small values of ``sigma_b``: they are the
# neck of its funnel. The next example changes the coordinates instead of the step.
#
# .. admonition:: References
#
#    The use of the following functions is shown in this example:
#
#    - :func:`funnelguide.dynamics.leapfrog`
#    - :func:`funnelguide.dynamics.hmc_trajectories`
#    - :func:`funnelguide.dynamics.funnel_logp_grad`
#    - :data:`funnelguide.dynamics.DIVERGENCE_THRESHOLD`
#    - `matplotlib.animation.FuncAnimation`
