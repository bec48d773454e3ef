"""Diagnosing a funnel from a fit: numbers and a plain-language verdict, never a figure."""

from __future__ import annotations

import numbers
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from funnelguide._idata import divergent, posterior_var, sample_stat, scalar_draws

__all__ = [
    "CENTERING_THRESHOLD",
    "Estimate",
    "FunnelReport",
    "ParameterizationAdvice",
    "estimate",
    "funnel_report",
    "suggest_parameterization",
]

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
            *_wrapped("verdict", self.verdict),
            *_wrapped("recommendation", self.recommendation),
        ]
        return "\n".join(lines)


#: Width of a printed report, so it reads in a terminal and in a gallery page's output block.
REPORT_WIDTH = 78


def _wrapped(label: str, text: str) -> list[str]:
    """Lay out ``label`` and ``text`` as a hanging paragraph of at most REPORT_WIDTH columns."""
    first = f"  {label:<15}"
    return textwrap.wrap(
        text,
        width=REPORT_WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_on_hyphens=False,
    )


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
    *,
    scale: str,
    chains: int,
    divergences: int,
    quantile: float,
    rhat: float,
    ess_bulk: float,
    ess_tail: float,
    ebfmi: np.ndarray,
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
                "the scale with a non-centered fit before trusting it "
                f"(parameterization={{{group!r}: 'noncentered'}})."
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


def funnel_report(idata: xr.DataTree, *, scale: str = "sigma_b", group: str = "b") -> FunnelReport:
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
    scale_draws = scalar_draws(idata, scale, argument="scale")
    posterior_var(idata, group, argument="group")
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
        scale=scale,
        chains=chains,
        divergences=int(diverging.sum()),
        quantile=quantile,
        rhat=rhat,
        ess_bulk=ess_bulk,
        ess_tail=ess_tail,
        ebfmi=ebfmi,
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


# --------------------------------------------------------------------------------------------
# Choosing a parameterization per group
# --------------------------------------------------------------------------------------------

#: A group whose average shrinkage factor is below this is best centered, above it non-centered.
CENTERING_THRESHOLD = 0.5
#: Draws per bin of similar scale values when estimating the shrinkage factors.
_DRAWS_PER_BIN = 200
_MAX_BINS = 20


@dataclass(frozen=True, eq=False)
class ParameterizationAdvice:
    """What :func:`suggest_parameterization` found. Print it for a readable summary.

    Attributes
    ----------
    choice : dict of str to str
        ``"centered"`` or ``"noncentered"`` per group; can be passed as the
        ``parameterization`` of a model builder, e.g. ``fg.radon_model(parameterization=...)``.
    evidence : pandas.DataFrame
        One row per group: ``scale``, ``members``, ``kappa_mean`` (the average shrinkage factor
        the choice rests on), ``kappa_median``, ``data_dominated`` (share of members with a
        shrinkage factor below the threshold), ``borderline`` (average within 0.1 of the
        threshold, where both forms sample about equally well) and ``choice``.
    kappa : dict of str to pandas.Series
        The shrinkage factor of every member of every group, indexed by the member's label.
    threshold : float
        The threshold the choice used.
    """

    choice: dict[str, str]
    evidence: pd.DataFrame
    kappa: dict[str, pd.Series] = field(repr=False)
    threshold: float

    def __str__(self) -> str:
        lines = [
            "Parameterization advice (shrinkage factor kappa: 0 = the data pin each member, "
            f"1 = the prior does; centered below {self.threshold:g})",
            self.evidence.to_string(float_format=lambda value: f"{value:.3f}"),
        ]
        for group, row in self.evidence.iterrows():
            reason = (
                "its data inform the members more than the group's scale does"
                if row["choice"] == "centered"
                else "the group's scale, not the data, pins most members"
            )
            hedge = (
                " (borderline: either form should sample about equally well)"
                if row["borderline"]
                else ""
            )
            lines.append(f"  {group}: {row['choice']}, {reason}{hedge}.")
        return "\n".join(lines)


def _checked_groups(groups: object) -> dict[str, str]:
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError(
            "groups must be a non-empty mapping from group to its scale parameter, e.g. "
            f"{{'a': 'sigma_a', 'b': 'sigma_b'}}; got {groups!r}."
        )
    for group, scale in groups.items():
        if not isinstance(group, str) or not isinstance(scale, str):
            raise TypeError(
                f"groups must map variable names to variable names (str to str), got "
                f"{group!r}: {scale!r}."
            )
    return dict(groups)


def _member_draws(idata: xr.DataTree, group: str) -> tuple[np.ndarray, list[str]]:
    """Draws of a group's members as (draws, members), and the members' labels."""
    array = posterior_var(idata, group)
    member_dims = [dim for dim in array.dims if dim not in ("chain", "draw")]
    if not member_dims:
        raise ValueError(
            f"group {group!r} is a scalar; a group must have one value per member (e.g. 'b' "
            "with dimension county)."
        )
    stacked = array.stack(member=member_dims).transpose("chain", "draw", "member")
    values = stacked.to_numpy().reshape(-1, stacked.sizes["member"])
    if values.shape[1] < 2:
        raise ValueError(f"group {group!r} has {values.shape[1]} member; it needs at least 2.")
    if len(member_dims) == 1:
        labels = [str(label) for label in array[member_dims[0]].to_numpy()]
    else:
        labels = [
            "[" + ", ".join(str(part) for part in label) + "]"
            for label in stacked["member"].to_numpy()
        ]
    return values, labels


def _shrinkage_factors(members: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Estimate each member's kappa = E[Var(member | scale, data) / scale**2].

    Draws are sorted by the scale and cut into bins of similar scale values; within a bin, a
    member's variance about the draw's mean over members (which removes the group's common
    location) estimates its variance given the scale. Each bin's variance over its mean squared
    scale is averaged over the bins, weighted by their draws.
    """
    n_draws, n_members = members.shape
    deviations = members - members.mean(axis=1, keepdims=True)
    n_bins = int(np.clip(n_draws // _DRAWS_PER_BIN, 1, _MAX_BINS))
    kappa = np.zeros(n_members)
    for in_bin in np.array_split(np.argsort(scale), n_bins):
        # Subtracting the mean of J members removes 1/J of each member's own variance.
        variance = deviations[in_bin].var(axis=0, ddof=1) * n_members / (n_members - 1)
        kappa += in_bin.size / n_draws * variance / np.mean(scale[in_bin] ** 2)
    return kappa


def suggest_parameterization(
    idata: xr.DataTree, *, groups: Mapping[str, str], threshold: float = CENTERING_THRESHOLD
) -> ParameterizationAdvice:
    """Suggest, for each hierarchical group, the centered or the non-centered form.

    Papaspiliopoulos, Roberts and Skold (2007) showed that which form samples well depends on
    how strongly each member's own data inform it compared with the group's scale. For a
    member ``theta[j] ~ Normal(mu, sigma)`` whose data carry information ``I[j]``, the
    *shrinkage factor*

    ``kappa[j] = Var(theta[j] | sigma, data) / sigma**2 = 1 / (1 + sigma**2 I[j])``

    is near 0 when the data pin the member (the centered form mixes fast; the non-centered one
    is slow) and near 1 when the prior does (the centered form is caught in a funnel). A Gibbs
    sampler's convergence rate is ``kappa`` centered and ``1 - kappa`` non-centered, hence the
    threshold 0.5 on the average ``kappa`` over the members.

    ``kappa[j]`` is estimated from the draws, without refitting: the draws are grouped into bins
    of similar ``sigma``, and in each bin the member's variance about the draw's mean over all
    members (which removes the common location ``mu``) is divided by the bin's mean
    ``sigma**2``; the bins are then averaged. Only the group and its scale are read, so a fit of
    either form works (non-centered fits keep the group, e.g. ``b``, as a Deterministic).

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`sample` or :func:`pymc.sample`, centered, non-centered or partial.
    groups : mapping of str to str
        Each group to advise on and its scale parameter (the standard deviation of its
        members), e.g. ``{"a": "sigma_a", "b": "sigma_b"}``.
    threshold : float, default 0.5
        Average shrinkage factor below which a group is centered.

    Returns
    -------
    ParameterizationAdvice
        ``.choice`` (group to ``"centered"`` / ``"noncentered"``), ``.evidence`` (a table per
        group), ``.kappa`` (per member); ``print`` it for a summary.

    Raises
    ------
    TypeError
        If ``groups`` is not a non-empty mapping of names.
    KeyError
        If a group or a scale is not in the posterior.
    ValueError
        If a scale is not a positive scalar parameter, a group has fewer than two members, or
        ``threshold`` is not in (0, 1).

    See Also
    --------
    funnel_report : Whether a fit shows the signs of a funnel.
    radon_model : Takes the advice's ``choice`` as its ``parameterization``.

    Notes
    -----
    The estimate is a posterior average of ``kappa``; with few draws per bin it is noisy at the
    level of a few hundredths, so an average within 0.1 of the threshold is flagged
    ``borderline``: both forms then sample about equally well.

    References
    ----------
    Papaspiliopoulos, O., Roberts, G. O. and Skold, M. (2007). A general framework for the
    parametrization of hierarchical models. *Statistical Science* 22(1), 59-73.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(parameterization="noncentered"),
    ...                   draws=500, tune=500, chains=2, random_seed=1)
    >>> advice = fg.suggest_parameterization(idata, groups={"theta": "tau"})
    >>> advice.choice
    {'theta': 'noncentered'}
    """
    groups = _checked_groups(groups)
    if (
        not isinstance(threshold, numbers.Real)
        or isinstance(threshold, bool)
        or not 0.0 < threshold < 1.0
    ):
        raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}.")
    if not isinstance(idata, xr.DataTree) or "posterior" not in idata.children:
        raise TypeError(
            "idata must be the xarray.DataTree returned by fg.sample or pymc.sample, with a "
            f"posterior group; got {type(idata).__name__}."
        )
    posterior = idata["posterior"].to_dataset()
    rows, kappas, choice = {}, {}, {}
    for group, scale in groups.items():
        for role, name in (("group", group), ("scale", scale)):
            if name not in posterior.data_vars:
                raise KeyError(
                    f"groups names {role} {name!r} (in {group!r}: {scale!r}), which is not in "
                    f"the posterior; it has {sorted(posterior.data_vars)}."
                )
        members, labels = _member_draws(idata, group)
        scale_draws = scalar_draws(idata, scale).ravel()
        if not np.all(scale_draws > 0):
            raise ValueError(
                f"scale {scale!r} of group {group!r} has non-positive draws; it must be the "
                "group's standard deviation."
            )
        kappa = _shrinkage_factors(members, scale_draws)
        kappas[group] = pd.Series(kappa, index=pd.Index(labels, name="member"), name=group)
        mean = float(kappa.mean())
        choice[group] = "centered" if mean < threshold else "noncentered"
        rows[group] = {
            "scale": scale,
            "members": kappa.size,
            "kappa_mean": mean,
            "kappa_median": float(np.median(kappa)),
            "data_dominated": float(np.mean(kappa < threshold)),
            "borderline": abs(mean - threshold) < 0.1,
            "choice": choice[group],
        }
    evidence = pd.DataFrame.from_dict(rows, orient="index")
    evidence.index.name = "group"
    return ParameterizationAdvice(
        choice=choice, evidence=evidence, kappa=kappas, threshold=float(threshold)
    )


class Estimate(NamedTuple):
    """A posterior summary from draws and its Monte Carlo standard error; unpacks as a pair.

    Parameters
    ----------
    value : float
        The estimate: a posterior mean or quantile computed from the draws.
    mcse : float
        Its Monte Carlo standard error, from :func:`arviz_stats.mcse`.
    """

    value: float
    mcse: float


def estimate(
    idata: xr.DataTree, var: str = "sigma_b", *, quantile: float | None = None
) -> Estimate:
    r"""Estimate a scalar parameter's posterior mean or one quantile, with its MCSE.

    Two fits of the same posterior disagree by more than chance only when their difference is
    several of its standard errors, :math:`\sqrt{\mathrm{MCSE}_1^2 + \mathrm{MCSE}_2^2}`,
    and a fit agrees with an exact answer when its error is a few of its own MCSE. This
    returns both numbers for one fit, so such comparisons are one line each. The MCSE rests on
    the fit's effective sample size: for a fit that never visited part of the posterior it is
    optimistic.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit, as returned by :func:`funnelguide.sample` or :func:`pymc.sample`.
    var : str, default "sigma_b"
        A scalar parameter of the posterior.
    quantile : float, optional
        A probability strictly between 0 and 1: estimate that quantile (linear interpolation
        between draws). By default the posterior mean is estimated.

    Returns
    -------
    Estimate
        ``(value, mcse)``, a named tuple of floats.

    Raises
    ------
    KeyError
        If ``var`` is not a variable of the posterior.
    ValueError
        If ``var`` is not scalar, or ``quantile`` is not a number strictly between 0 and 1.

    See Also
    --------
    arviz_stats.mcse : the Monte Carlo standard error of means and quantiles.

    Examples
    --------
    >>> import funnelguide as fg
    >>> fit = fg.sample(fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1)
    >>> tau_mean, tau_mean_mcse = fg.estimate(fit, "tau")
    >>> tau_q05 = fg.estimate(fit, "tau", quantile=0.05)
    """
    values = scalar_draws(idata, var)
    if quantile is None:
        value = float(values.mean())
        mcse = azs.mcse(idata, var_names=[var], method="mean")[var]
        return Estimate(value, float(mcse))
    if (
        not isinstance(quantile, numbers.Real)
        or isinstance(quantile, bool)
        or not 0.0 < float(quantile) < 1.0
    ):
        raise ValueError(
            f"quantile must be a probability strictly between 0 and 1 (or None for the mean), "
            f"got {quantile!r}."
        )
    prob = float(quantile)
    value = float(np.quantile(values, prob))
    mcse = azs.mcse(idata, var_names=[var], method="quantile", prob=prob)[var]
    return Estimate(value, float(mcse))
