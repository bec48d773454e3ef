"""The ``funnel-explorer`` directive: an interactive leapfrog and NUTS widget for Neal's funnel.

Usable from MyST (```` ```{funnel-explorer} ````) and reST (``.. funnel-explorer::``). It writes the
widget's root element (``docs/_static/funnel-explorer.js`` draws into it), a JSON configuration
with reference trajectories computed now by :mod:`funnelguide.dynamics`, the exact P(v < -3) of
the funnel, and a static figure of one trajectory for readers without JavaScript.

Options (all validated; a bad value is a build error that names the option, the value and what is
allowed): ``step-size``, ``steps``, ``start`` (``v, x``), ``momentum`` (``p_v, p_x``),
``threshold``, ``sampler-step-size``, ``draws``, ``seed``.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

#: The panels' range of v and of x; a start outside it could not be drawn or dragged.
V_RANGE = (-9.0, 9.0)
X_RANGE = (-12.0, 12.0)
MAX_STEPS = 1000


def _number(name: str, low: float, high: float, *, integer: bool = False):
    """An option converter: a finite number in ``(low, high]`` (integers: ``[low, high]``)."""
    kind = "an integer" if integer else "a number"

    def convert(argument: str | None) -> float | int:
        text = (argument or "").strip()
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise ValueError(
                f"funnel-explorer option {name!r} must be {kind}, got {argument!r}."
            ) from None
        if integer:
            ok = low <= value <= high
            allowed = f"from {low:g} to {high:g}"
        else:
            ok = math.isfinite(value) and low < value <= high
            allowed = f"above {low:g} and at most {high:g}"
        if not ok:
            raise ValueError(
                f"funnel-explorer option {name!r} must be {allowed}, got {argument!r}."
            )
        return value

    return convert


def _pair(name: str, first: tuple[float, float], second: tuple[float, float], labels: str):
    """An option converter: two comma-separated finite numbers within the given ranges."""

    def convert(argument: str | None) -> list[float]:
        parts = (argument or "").replace(",", " ").split()
        try:
            values = [float(part) for part in parts]
        except ValueError:
            values = []
        if len(values) != 2 or not all(math.isfinite(value) for value in values):
            raise ValueError(
                f"funnel-explorer option {name!r} must be two numbers '{labels}', got {argument!r}."
            )
        for value, (low, high), label in zip(
            values, (first, second), labels.split(", "), strict=True
        ):
            if not low <= value <= high:
                raise ValueError(
                    f"funnel-explorer option {name!r}: {label} must be from {low:g} to {high:g}, "
                    f"got {value:g} in {argument!r}."
                )
        return values

    return convert


OPTION_SPEC = {
    "step-size": _number("step-size", 0.0, 1.5),
    "steps": _number("steps", 1, MAX_STEPS, integer=True),
    "start": _pair("start", V_RANGE, X_RANGE, "v, x"),
    "momentum": _pair("momentum", (-5.0, 5.0), (-5.0, 5.0), "p_v, p_x"),
    "threshold": _number("threshold", 0.0, 1e6),
    "sampler-step-size": _number("sampler-step-size", 0.0, 1.5),
    "draws": _number("draws", 1, 5000, integer=True),
    "seed": _number("seed", 1, 2**31 - 1, integer=True),
}

DEFAULTS: dict[str, Any] = {
    "step-size": 0.2,
    "steps": 50,
    "start": [-4.0, 0.1],
    "momentum": [1.0, 1.0],
    "threshold": None,
    "sampler-step-size": 0.5,
    "draws": 1000,
    "seed": 1,
}


def reference_cases(step_size: float, steps: int, momentum: list[float]) -> list[dict[str, Any]]:
    """Leapfrog trajectories by :func:`funnelguide.dynamics.leapfrog`, positions as ``[v, x]``.

    One start in the wide mouth of the funnel and one in its neck, in both parameterizations,
    so a reader's browser can be checked against the library.
    """
    import numpy as np

    from funnelguide import dynamics

    cases = []
    for start in ([2.0, 1.0], [-5.0, 0.05]):
        for name, logp_grad in (
            ("centered", dynamics.funnel_logp_grad),
            ("noncentered", dynamics.offset_funnel_logp_grad),
        ):
            position = np.array([start[1], start[0]])  # fg.dynamics stores [x, v]
            q, _, energies = dynamics.leapfrog(
                logp_grad,
                position,
                np.array([momentum[1], momentum[0]]),
                step_size=step_size,
                n_steps=steps,
            )
            finite = np.isfinite(energies)
            cases.append(
                {
                    "parameterization": name,
                    "start": start,
                    "momentum": momentum,
                    "step_size": step_size,
                    "steps": steps,
                    "positions": [[float(p[1]), float(p[0])] for p in q[finite]],
                    "energy_errors": [float(e) for e in energies[finite] - energies[0]],
                }
            )
    return cases


def fallback_png(config: dict[str, Any]) -> bytes:
    """A static figure of the configured trajectory in both coordinates, for no-JS readers."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from funnelguide import dynamics

    v0, x0 = config["start"]
    pv, px = config["momentum"]
    kwargs = {"step_size": config["step_size"], "n_steps": config["steps"]}
    centered, _, _ = dynamics.leapfrog(
        dynamics.funnel_logp_grad, np.array([x0, v0]), np.array([px, pv]), **kwargs
    )
    offset, _, _ = dynamics.leapfrog(
        dynamics.offset_funnel_logp_grad,
        np.array([x0 * math.exp(-v0 / 2), v0]),
        np.array([px, pv]),
        **kwargs,
    )
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), layout="constrained")
    v_grid = np.linspace(*V_RANGE, 200)
    for ax, (low, high), name, traj in (
        (axes[0], X_RANGE, "x", centered),
        (axes[1], (-4.0, 4.0), "z", offset),
    ):
        h_grid, vv = np.meshgrid(np.linspace(low, high, 200), v_grid)
        if name == "x":
            logp = -0.5 * vv**2 / 9 - 0.5 * h_grid**2 * np.exp(-vv) - 0.5 * vv
        else:
            logp = -0.5 * vv**2 / 9 - 0.5 * h_grid**2
        ax.contourf(h_grid, vv, np.maximum(logp, logp.max() - 12), levels=12, cmap="Blues")
        ax.plot(traj[:, 0], traj[:, 1], color="#c2410c" if name == "x" else "#15803d", lw=1.5)
        ax.plot([traj[0, 0]], [traj[0, 1]], "ko", ms=4)
        ax.set(xlim=(low, high), ylim=V_RANGE, xlabel=name, ylabel="v")
    axes[0].set_title("centered (x, v)")
    axes[1].set_title("offset (z, v)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


class FunnelExplorerDirective(Directive):
    """Insert the funnel explorer widget."""

    has_content = False
    option_spec = OPTION_SPEC

    def run(self) -> list[nodes.Node]:
        import funnelguide as fg
        from funnelguide import dynamics

        options = {**DEFAULTS, **self.options}
        config = {
            "step_size": options["step-size"],
            "steps": options["steps"],
            "start": options["start"],
            "momentum": options["momentum"],
            "threshold": options["threshold"] or dynamics.DIVERGENCE_THRESHOLD,
            "sampler_step_size": options["sampler-step-size"],
            "draws": options["draws"],
            "seed": options["seed"],
            "p_below_minus_3": fg.NEALS_FUNNEL_V_EXACT["p_below_minus_3"],
            "reference_cases": reference_cases(
                options["step-size"], options["steps"], options["momentum"]
            ),
        }
        png = base64.b64encode(fallback_png(config)).decode("ascii")
        payload = json.dumps(config).replace("</", "<\\/")
        markup = (
            '<div class="funnel-explorer">'
            f'<script type="application/json" class="funnel-explorer-config">{payload}</script>'
            '<div class="fe-fallback">'
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(self._alt(config))}">'
            "<p>The interactive explorer needs JavaScript; this figure shows the configured "
            "trajectory, computed when the site was built.</p></div></div>"
        )
        return [nodes.raw("", markup, format="html")]

    @staticmethod
    def _alt(config: dict[str, Any]) -> str:
        v0, x0 = config["start"]
        return (
            f"A leapfrog trajectory of {config['steps']} steps of size {config['step_size']} from "
            f"v = {v0}, x = {x0}, in centered and in offset coordinates."
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the widget's script and style sheet."""
    app.add_directive("funnel-explorer", FunnelExplorerDirective)
    app.add_js_file("funnel-explorer.js")
    app.add_css_file("funnel-explorer.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
