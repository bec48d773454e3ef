"""Diagnosing a funnel from a fit: numbers and a plain-language verdict, never a figure."""

from __future__ import annotations

from dataclasses import dataclass, field

import arviz_stats as azs
import numpy as np
import xarray as xr

from funnelguide._idata import divergent, posterior_var, sample_stat, scalar_draws

__all__ = ["FunnelReport", "funnel_report"]

#: Thresholds the verdict uses, following Vehtari et al. (2021) and Betancourt (2017).
RHAT_MAX = 1.01
ESS_PER_CHAIN_MIN = 100
EBFMI_MIN = 0.3


@dataclass(frozen=True)
class FunnelReport:
    """What :func:`funnel_report` found. Print it for a readable summary.

    Attributes
    ----------
    scale, group : str
        The scale parameter and the group it scales (e.g. ``"sigma_b"`` and ``"b"``).
    parameterization : str
        ``"centered"``, ``"noncentered"`` or ``"partial"``, read off the result's variables.
    chains, draws : int
        Chains and draws per chain.
    divergences : int
        Divergent transitions after tuning.
    divergence_share : float
        Divergences over all draws.
    divergent_scale_quantile : float
        Median, over divergent draws, of the quantile of the scale among all draws: near 0 when
        divergences sit at small scale values, the funnel's neck. NaN without divergences.
    rhat, ess_bulk, ess_tail : float
        Rank-normalized split R-hat and bulk / tail effective sample sizes of the scale.
    ebfmi : numpy.ndarray
        Energy Bayesian fraction of missing information, one per chain.
    problems : tuple of str
        Each sign of trouble found, in words.
    verdict, recommendation : str
        A one-line verdict and what to do about it.
    """

    scale: str
    group: str
    parameterization: str
    chains: int
    draws: int
    divergences: int
    divergence_share: float
    divergent_scale_quantile: float
    rhat: float
    ess_bulk: float
    ess_tail: float
    ebfmi: np.ndarray = field(repr=False)
    problems: tuple[str, ...]
    verdict: str
    recommendation: str

    @property
    def ok(self) -> bool:
        """True when no sign of trouble was found."""
        return not self.problems

    def __str__(self) -> str:
        where = (
            "-"
            if np.isnan(self.divergent_scale_quantile)
            else f"median quantile of {self.scale} there: {self.divergent_scale_quantile:.2f}"
        )
        lines = [
            f"Funnel report for {self.scale} (scale of {self.group}, {self.parameterization}), "
            f"{self.chains} chains x {self.draws} draws",
            f"  divergences    {self.divergences} ({self.divergence_share:.1%}); {where}",
            f"  R-hat          {self.rhat:.3f}",
            f"  ESS bulk/tail  {self.ess_bulk:.0f} / {self.ess_tail:.0f}",
            "  E-BFMI         " + ", ".join(f"{value:.2f}" for value in self.ebfmi),
            f"  verdict        {self.verdict}",
            f"  recommendation {self.recommendation}",
        ]
        return "\n".join(lines)


def _parameterization_of(posterior: xr.Dataset, group: str) -> str:
    if f"{group}_offset" in posterior.data_vars:
        return "noncentered"
    if f"{group}_partial" in posterior.data_vars:
        return "partial"
    return "centered"


def _divergent_scale_quantile(scale_draws: np.ndarray, diverging: np.ndarray) -> float:
    if not diverging.any():
        return float("nan")
    ordered = np.sort(scale_draws.ravel())
    ranks = np.searchsorted(ordered, scale_draws[diverging], side="right") / ordered.size
    return float(np.median(ranks))


def _problems(
    *, scale: str, chains: int, divergences: int, quantile: float, rhat: float,
    ess_bulk: float, ess_tail: float, ebfmi: np.ndarray,
) -> list[str]:
    found = []
    if divergences:
        where = " mostly at small values of " + scale if quantile < 0.25 else ""
        found.append(f"{divergences} divergent transitions{where}")
    if rhat > RHAT_MAX:
        found.append(f"R-hat of {scale} is {rhat:.3f} (> {RHAT_MAX})")
    if min(ess_bulk, ess_tail) < ESS_PER_CHAIN_MIN * chains:
        found.append(
            f"effective sample size of {scale} is low (bulk {ess_bulk:.0f}, tail {ess_tail:.0f}; "
            f"want {ESS_PER_CHAIN_MIN * chains})"
        )
    low = np.flatnonzero(ebfmi < EBFMI_MIN)
    if low.size:
        found.append(f"E-BFMI below {EBFMI_MIN} in chain(s) {low.tolist()}")
    return found


def _verdict(problems: list[str], parameterization: str, group: str) -> tuple[str, str]:
    if not problems:
        verdict = "no sign of a funnel in these diagnostics."
        if parameterization == "centered":
            return verdict, (
                "A centered fit can miss the neck without a warning: compare the lower tail of "
                f"the scale with a non-centered fit before trusting it (parameterization={{{group!r}: "
                "'noncentered'})."
            )
        return verdict, "None needed."
    verdict = "the sampler struggles with this group's funnel: " + "; ".join(problems) + "."
    if parameterization == "centered":
        return verdict, (
            f"Reparameterize: make {group!r} non-centered (parameterization={{{group!r}: "
            "'noncentered'}); raising target_accept only hides the bias."
        )
    return verdict, (
        "The non-centered form is not enough here; if the group is well informed by its data, "
        "try it centered, or tighten the prior on its scale."
    )


def funnel_report(
    idata: xr.DataTree, *, scale: str = "sigma_b", group: str = "b"
) -> FunnelReport:
    """Diagnose a hierarchical group's funnel from a fit.

    Counts divergences and finds where they sit along the scale, computes R-hat and bulk/tail
    ESS of the scale and E-BFMI per chain, and gives a plain-language verdict.

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`sample` or :func:`pymc.sample` with ``posterior`` and
        ``sample_stats`` (``diverging`` and ``energy``).
    scale : str, default "sigma_b"
        The group's scale parameter, a scalar in the posterior.
    group : str, default "b"
        The group it scales, a variable in the posterior.

    Returns
    -------
    FunnelReport
        The numbers, a verdict and a recommendation; ``print`` it for a summary.

    Raises
    ------
    KeyError
        If ``scale`` or ``group`` is not in the posterior.
    ValueError
        If the result has no sample statistics, or ``scale`` is not a scalar parameter.

    See Also
    --------
    sample : Make the fit.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=2)
    >>> report = fg.funnel_report(idata, scale="tau", group="theta")
    >>> report.parameterization
    'centered'
    """
    scale_draws = scalar_draws(idata, scale)
    posterior_var(idata, group)
    diverging = divergent(idata).to_numpy()
    sample_stat(idata, "energy")
    chains, n_draws = scale_draws.shape
    rhat = float(azs.rhat(idata, var_names=[scale])[scale])
    ess_bulk = float(azs.ess(idata, var_names=[scale], method="bulk")[scale])
    ess_tail = float(azs.ess(idata, var_names=[scale], method="tail")[scale])
    ebfmi = np.atleast_1d(azs.bfmi(idata)["energy"].to_numpy())
    quantile = _divergent_scale_quantile(scale_draws, diverging)
    parameterization = _parameterization_of(idata["posterior"].to_dataset(), group)
    problems = _problems(
        scale=scale, chains=chains, divergences=int(diverging.sum()), quantile=quantile,
        rhat=rhat, ess_bulk=ess_bulk, ess_tail=ess_tail, ebfmi=ebfmi,
    )
    verdict, recommendation = _verdict(problems, parameterization, group)
    return FunnelReport(
        scale=scale,
        group=group,
        parameterization=parameterization,
        chains=chains,
        draws=n_draws,
        divergences=int(diverging.sum()),
        divergence_share=float(diverging.mean()),
        divergent_scale_quantile=quantile,
        rhat=rhat,
        ess_bulk=ess_bulk,
        ess_tail=ess_tail,
        ebfmi=ebfmi,
        problems=tuple(problems),
        verdict=verdict,
        recommendation=recommendation,
    )
