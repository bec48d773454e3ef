"""Diagnosing a funnel from a fit: numbers and a plain-language verdict, never a figure."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from funnelguide._checks import _checked_fraction, _is_real
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
        ``"centered"``, ``"noncentered"`` or ``"partial"``, read off the model's graph;
        ``"unknown"`` when no model was given.
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


def _parameterization_of(model: object, group: str) -> str:
    """Read the form of ``group`` off the model's graph; "unknown" without a model."""
    if model is None:
        return "unknown"
    from funnelguide.groups import hierarchical_groups

    groups = hierarchical_groups(model)
    if group not in groups.index:
        raise ValueError(
            f"group {group!r} is not a hierarchical group of the model; its groups are "
            f"{list(groups.index)}."
        )
    return str(groups.loc[group, "form"])


def _divergent_scale_quantile(scale_draws: np.ndarray, diverging: np.ndarray) -> float:
    if not diverging.any():
        return float("nan")
    ordered = np.sort(scale_draws.ravel())
    ranks = np.searchsorted(ordered, scale_draws[diverging], side="right") / ordered.size
    return float(np.median(ranks))


#: At most this share of divergent draws, with every other check passed, is a minor warning
#: (a handful, e.g. 3 of 4000) rather than a sign that the sampler struggles.
FEW_DIVERGENCES_SHARE = 0.005


def _problems(
    *,
    scale: str,
    chains: int,
    divergences: int,
    quantile: float,
    rhat: float,
    ess_bulk: float,
    ess_tail: float,
) -> list[str]:
    """Signs of trouble along one scale: divergences, R-hat and ESS (not E-BFMI, model-wide)."""
    found = []
    if divergences:
        where = " mostly at small values of " + scale if quantile < 0.25 else ""
        noun = "transition" if divergences == 1 else "transitions"
        found.append(f"{divergences} divergent {noun}{where}")
    if rhat > RHAT_MAX:
        found.append(f"R-hat of {scale} is {rhat:.3f} (> {RHAT_MAX})")
    if min(ess_bulk, ess_tail) < ESS_PER_CHAIN_MIN * chains:
        found.append(
            f"effective sample size of {scale} is low (bulk {ess_bulk:.0f}, tail {ess_tail:.0f}; "
            f"want {ESS_PER_CHAIN_MIN * chains})"
        )
    return found


def _ebfmi_problems(ebfmi: np.ndarray) -> list[str]:
    """Check E-BFMI, a statistic of each chain's energy and so of the whole model."""
    low = np.flatnonzero(ebfmi < EBFMI_MIN)
    if not low.size:
        return []
    return [f"E-BFMI below {EBFMI_MIN} in chain(s) {low.tolist()} (model-wide)"]


def _minor(problems: list[str], divergences: int, draws: int) -> bool:
    """Tell whether the only sign of trouble is a handful of divergences."""
    return (
        len(problems) == 1
        and divergences > 0
        and problems[0].startswith(f"{divergences} divergent")
        and divergences <= FEW_DIVERGENCES_SHARE * draws
    )


def _healthy_verdict(problems: list[str], divergences: int, draws: int, what: str) -> str | None:
    """Return the verdict of a fit with no problem or only a few divergences, else None."""
    if not problems:
        return (
            f"healthy: no divergences, R-hat below {RHAT_MAX} and enough effective draws "
            f"{what}; no sign of a funnel."
        )
    if _minor(problems, divergences, draws):
        return (
            f"healthy apart from {problems[0]} ({divergences / draws:.1%} of draws): R-hat "
            f"and effective draws pass {what}."
        )
    return None


def _verdict(
    problems: list[str], parameterization: str, group: str, divergences: int, draws: int
) -> tuple[str, str]:
    healthy = _healthy_verdict(problems, divergences, draws, "for the scale")
    if healthy is not None and not problems:
        if parameterization != "noncentered":
            return healthy, (
                "A centered fit can miss the neck without a warning: compare the lower tail of "
                "the scale with a non-centered fit before trusting it "
                f"(parameterization={{{group!r}: 'noncentered'}})."
            )
        return healthy, "None needed."
    verdict = healthy or (
        "the sampler struggles with this group's funnel: " + "; ".join(problems) + "."
    )
    actions = _actions(problems, divergences)
    if parameterization == "centered":
        hedge = _target_accept_hedge(divergences)
        return verdict, (
            f"Reparameterize: make {group!r} non-centered (parameterization={{{group!r}: "
            f"'noncentered'}}).{hedge}"
        )
    if parameterization == "unknown":
        return verdict, (
            "Pass model= to know the group's form; fg.diagnose(idata, model) advises a form "
            "per group from the shrinkage of its members."
        )
    return verdict, (
        f"{actions} Only if the data pin most members (fg.diagnose's shrinkage factors below "
        "0.5) is the centered form the better one."
    )


def _target_accept_hedge(divergences: int) -> str:
    """Return the caveat on target_accept for a diverging centered funnel (empty if none)."""
    if not divergences:
        return ""
    return (
        " A higher target_accept can reduce the divergences of a centered funnel but "
        "rarely lets the sampler reach its neck, so the estimates can stay biased."
    )


def _actions(problems: list[str], divergences: int) -> str:
    """Say what to do about the evidence found, citing only evidence there is."""
    steps = []
    if divergences:
        steps.append(
            "raise target_accept (e.g. 0.95) and look at where the divergences sit along the scale"
        )
    if any(p.startswith(("R-hat", "effective sample size")) for p in problems):
        steps.append("run more or longer chains and check R-hat and ESS again")
    if any(p.startswith("E-BFMI") for p in problems):
        steps.append(
            "find the variable that mixes worst (E-BFMI is model-wide: fg.diagnose looks at "
            "every group)"
        )
    if not steps:
        return "None needed for this group."
    text = "; ".join(steps)
    return text[0].upper() + text[1:] + "."


def funnel_report(
    idata: xr.DataTree, *, scale: str, group: str, model: object = None
) -> FunnelReport:
    """Diagnose a hierarchical group's funnel from a fit.

    Counts divergences and finds where they sit along the scale, computes R-hat and bulk/tail
    ESS of the scale and E-BFMI per chain, and gives a plain-language verdict.

    The verdict is "healthy" when there are no divergences, R-hat is below 1.01, bulk and tail
    ESS are at least 100 per chain and E-BFMI is at least 0.3 in every chain; "healthy apart
    from" a handful of divergences (at most 0.5% of draws) when those pass; and "the sampler
    struggles" otherwise. The recommendation names only the evidence found.

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`sample` or :func:`pymc.sample` with ``posterior`` and
        ``sample_stats`` (``diverging`` and ``energy``).
    scale : str
        The group's scale parameter, a scalar in the posterior (e.g. ``"tau"``).
    group : str
        The group it scales, a variable in the posterior (e.g. ``"theta"``).
    model : pymc.Model, optional
        The fitted model: the group's form (centered, non-centered, partial) is read off its
        graph (:func:`hierarchical_groups`). Without it the form is ``"unknown"``.

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
    >>> idata = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=2
    ... )
    >>> report = fg.funnel_report(
    ...     idata, scale="tau", group="theta", model=fg.eight_schools_model()
    ... )
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
    parameterization = _parameterization_of(model, group)
    problems = _problems(
        scale=scale,
        chains=chains,
        divergences=int(diverging.sum()),
        quantile=quantile,
        rhat=rhat,
        ess_bulk=ess_bulk,
        ess_tail=ess_tail,
    )
    problems += _ebfmi_problems(ebfmi)
    verdict, recommendation = _verdict(
        problems, parameterization, group, int(diverging.sum()), diverging.size
    )
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


def _common_loc_deviations(members: np.ndarray) -> np.ndarray:
    """Each member's deviation from the draw's mean over members, scaled to its own variance.

    Without a model, a member's own loc is unknown; for a group with one common loc, the mean
    over its ``J`` members stands in for it. Subtracting that mean removes ``1/J`` of each
    member's own variance, which the factor ``sqrt(J / (J - 1))`` restores.
    """
    n_members = members.shape[1]
    deviations = members - members.mean(axis=1, keepdims=True)
    return deviations * np.sqrt(n_members / (n_members - 1))


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

    This is :func:`diagnose`'s estimator seen without the model: :func:`diagnose` finds the
    groups and their scales in the model's graph and subtracts each member's own loc, so nested
    groups and indexed locs work; here, with only the draws, the mean over members stands in
    for a loc common to all. For a model of your own, use :func:`diagnose`.

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
    diagnose : The same estimator for every group of any model, found from its graph.
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
    _checked_fraction("threshold", threshold)
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
        kappa = _binned_kappa(
            "Normal", _common_loc_deviations(members), scale_draws[:, None], np.log(scale_draws)
        )
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


def estimate(idata: xr.DataTree, var: str, *, quantile: float | None = None) -> Estimate:
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
    var : str
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
    >>> fit = fg.sample(
    ...     fg.eight_schools_model(), draws=200, tune=200, chains=2, random_seed=1
    ... )
    >>> tau_mean, tau_mean_mcse = fg.estimate(fit, "tau")
    >>> tau_q05 = fg.estimate(fit, "tau", quantile=0.05)
    """
    values = scalar_draws(idata, var)
    if quantile is None:
        value = float(values.mean())
        mcse = azs.mcse(idata, var_names=[var], method="mean")[var]
        return Estimate(value, float(mcse))
    if not _is_real(quantile) or not 0.0 < float(quantile) < 1.0:
        raise ValueError(
            f"quantile must be a probability strictly between 0 and 1 (or None for the mean), "
            f"got {quantile!r}."
        )
    prob = float(quantile)
    value = float(np.quantile(values, prob))
    mcse = azs.mcse(idata, var_names=[var], method="quantile", prob=prob)[var]
    return Estimate(value, float(mcse))


# --------------------------------------------------------------------------------------------
# Diagnosing every group of any model
# --------------------------------------------------------------------------------------------

#: Interquartile range of each family's standard member (loc 0, scale 1), for families without
#: a finite or simple variance; the Normal uses its variance, as suggest_parameterization does.
_STANDARD_IQR = {"Laplace": 2.0 * np.log(2.0), "Logistic": 2.0 * np.log(3.0), "Cauchy": 2.0}


@dataclass(frozen=True, eq=False)
class GroupDiagnosis:
    """What :func:`diagnose` found for one hierarchical group.

    Attributes
    ----------
    name, family, form : str
        The group, its distribution and its form in the fitted model.
    scale : tuple of str
        The free variables its scale depends on.
    divergent_scale_quantile : float
        Median, over divergent draws, of the quantile of the group's scale among all draws
        (near 0: the divergences sit at the funnel's neck); NaN without divergences.
    rhat, ess_bulk, ess_tail : float
        The worst R-hat and the smallest bulk / tail ESS over the scale's free variables.
    kappa : pandas.Series
        Shrinkage factor per member: 0 when its data pin it, 1 when the group's scale does.
    choice : str
        ``"centered"`` or ``"noncentered"``: the form the average shrinkage factor advises.
    member_weights : numpy.ndarray
        Per member, the centering weight 1 (centered) or 0 (non-centered) its own shrinkage
        factor advises, shaped like the group's members.
    problems : tuple of str
        Signs of trouble along this group's scale (divergences, R-hat, ESS); E-BFMI, a
        whole-model statistic, is in ``Diagnosis.problems``.
    verdict, recommendation : str
        In words.
    """

    name: str
    family: str
    form: str
    scale: tuple[str, ...]
    divergent_scale_quantile: float
    rhat: float
    ess_bulk: float
    ess_tail: float
    kappa: pd.Series = field(repr=False)
    choice: str
    member_weights: np.ndarray = field(repr=False)
    problems: tuple[str, ...]
    verdict: str
    recommendation: str


@dataclass(frozen=True, eq=False)
class Diagnosis:
    """What :func:`diagnose` found, for every group of a model. Print it for a summary.

    Attributes
    ----------
    groups : dict of str to GroupDiagnosis
        One entry per hierarchical group.
    chains, draws, divergences : int
        Chains, draws per chain and divergent transitions of the fit.
    ebfmi : numpy.ndarray
        E-BFMI per chain.
    problems : tuple of str
        Signs of trouble of the whole model rather than of one group: E-BFMI below 0.3 in a
        chain (it measures how well each chain's energy is explored, so it cannot be pinned
        on one group). Each group's own signs are in ``groups[name].problems``.
    parameterization : dict of str to str
        The advised form per group, ``"centered"`` or ``"noncentered"``;
        ``fg.reparameterize(model, diagnosis.parameterization)`` takes it as it is.
    member_parameterization : dict of str to numpy.ndarray
        The advised centering weight per member (1 or 0), also a valid ``parameterization``.
    """

    groups: dict[str, GroupDiagnosis]
    chains: int
    draws: int
    divergences: int
    ebfmi: np.ndarray = field(repr=False)
    problems: tuple[str, ...]
    parameterization: dict[str, str]
    member_parameterization: dict[str, np.ndarray] = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when neither the model nor any group shows a sign of trouble."""
        return not self.problems and all(not group.problems for group in self.groups.values())

    def to_dataframe(self) -> pd.DataFrame:
        """Tabulate the diagnosis, one row per group.

        Returns
        -------
        pandas.DataFrame
            Indexed by group: family, form, scale, divergences, where they sit on the scale,
            R-hat, bulk and tail ESS, the mean shrinkage factor, the share of members advised
            centered, and the advice for the group.
        """
        rows = {
            name: {
                "family": g.family,
                "form": g.form,
                "scale": ", ".join(g.scale),
                "divergences": self.divergences,
                "divergent_scale_quantile": g.divergent_scale_quantile,
                "rhat": g.rhat,
                "ess_bulk": g.ess_bulk,
                "ess_tail": g.ess_tail,
                "kappa_mean": float(g.kappa.mean()),
                "share_centered": float(np.mean(g.member_weights)),
                "advice": g.choice,
            }
            for name, g in self.groups.items()
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "group"
        return frame

    def __str__(self) -> str:
        lines = [f"Diagnosis, {self.chains} chains x {self.draws} draws"]
        share = self.divergences / max(self.chains * self.draws, 1)
        lines.append(f"  divergences    {self.divergences} ({share:.1%})")
        lines.append(
            "  E-BFMI         "
            + ", ".join(f"{value:.2f}" for value in self.ebfmi)
            + " (per chain, model-wide)"
        )
        if self.problems:
            lines += _wrapped(
                "model",
                "; ".join(self.problems)
                + ": the energy of the whole model is poorly explored, whichever group causes "
                "it. Look for the group with the worst ESS below, or the largest kappa in a "
                "centered form.",
            )
        if not self.groups:
            lines += _wrapped(
                "groups",
                "none found: no location-scale free variable whose scale depends on another "
                "free variable, so there is no funnel to diagnose or reparameterize.",
            )
        for name, g in self.groups.items():
            where = (
                ""
                if np.isnan(g.divergent_scale_quantile)
                else f"; divergences at scale quantile {g.divergent_scale_quantile:.2f}"
            )
            lines += [
                f"Group {name} ({g.family}, {g.form}), scale {', '.join(g.scale)}",
                f"  R-hat          {g.rhat:.3f}{where}",
                f"  ESS bulk/tail  {g.ess_bulk:.0f} / {g.ess_tail:.0f}",
                f"  kappa          mean {g.kappa.mean():.2f}, "
                f"{np.mean(g.member_weights):.0%} of {g.kappa.size} members data-dominated",
                *_wrapped("verdict", g.verdict),
                *_wrapped("recommendation", g.recommendation),
            ]
        return "\n".join(lines)


def _family_kappa(family: str, deviation: np.ndarray, scale: np.ndarray, bins: list) -> np.ndarray:
    """Binned ``E[Var(member | scale) / scale**2]`` from deviations from the member's own loc."""
    n_draws = deviation.shape[0]
    kappa = np.zeros(deviation.shape[1:])
    for in_bin in bins:
        if family in _STANDARD_IQR:
            q75, q25 = np.percentile(deviation[in_bin], [75, 25], axis=0)
            spread = ((q75 - q25) / np.mean(scale[in_bin], axis=0) / _STANDARD_IQR[family]) ** 2
        else:
            spread = deviation[in_bin].var(axis=0, ddof=1) / np.mean(scale[in_bin] ** 2, axis=0)
        kappa += in_bin.size / n_draws * spread
    return kappa


def _binned_kappa(
    family: str, deviation: np.ndarray, scale: np.ndarray, summary: np.ndarray
) -> np.ndarray:
    """Estimate per-member shrinkage factors (for diagnose and suggest_parameterization alike).

    ``deviation`` (draws, *members) holds each member's deviation from its loc, ``scale`` the
    scale per draw (broadcasting to the members), ``summary`` one number per draw by which the
    draws are sorted and cut into bins of similar scale.
    """
    n_bins = int(np.clip(summary.size // _DRAWS_PER_BIN, 1, _MAX_BINS))
    bins = np.array_split(np.argsort(summary), n_bins)
    return _family_kappa(family, deviation, scale, bins)


def _group_kappa(group, fgraph, posterior: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per member shrinkage factor and a per-draw scalar scale (for binning and quantiles)."""
    from funnelguide.groups import evaluator

    fn, names = evaluator(fgraph, [group.loc, group.scale])
    missing = [name for name in [group.name, *names] if name not in posterior.data_vars]
    if missing:
        raise KeyError(
            f"diagnosing group {group.name!r} needs {missing} in the posterior, which has "
            f"{sorted(posterior.data_vars)}; sample without var_names filtering them out."
        )
    stacked = {
        name: posterior[name].stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy()
        for name in [group.name, *names]
    }
    members = stacked[group.name]
    locs, scales = [], []
    for i in range(members.shape[0]):
        loc, scale = fn(*(stacked[name][i] for name in names))
        locs.append(np.broadcast_to(loc, members.shape[1:]))
        scales.append(scale)
    deviation = members - np.stack(locs)
    if group.family == "MvNormal":
        chol = np.stack([np.broadcast_to(s, s.shape[-2:]) for s in scales])
        white = np.stack([np.linalg.solve(c, d.T).T for c, d in zip(chol, deviation, strict=True)])
        summary = np.log(np.abs(np.diagonal(chol, axis1=-2, axis2=-1))).mean(axis=-1)
        deviation, scale = white, np.ones_like(white)
    else:
        scale = np.stack([np.broadcast_to(s, members.shape[1:]) for s in scales])
        summary = np.log(scale.reshape(scale.shape[0], -1)).mean(axis=1)
    family = "Normal" if group.family in ("MvNormal", "StudentT") else group.family
    kappa = _binned_kappa(family, deviation, scale, summary)
    if group.family == "MvNormal":
        kappa = kappa.mean(axis=-1)
    return kappa, summary


def _group_advice(
    form: str,
    choice: str,
    problems: list[str],
    name: str,
    *,
    divergences: int,
    draws: int,
    weak_members: int,
) -> tuple[str, str]:
    """Verdict and recommendation for one group, citing only evidence found in the fit."""
    healthy = _healthy_verdict(problems, divergences, draws, "along this group's scale")
    if not problems:
        if form == "centered" and choice == "noncentered":
            return healthy, (
                "The shrinkage factors say the group's scale, not the data, pins most members: "
                "a centered fit can miss the neck without a warning. Compare with a "
                f"non-centered fit ({{{name!r}: 'noncentered'}}) before trusting it."
            )
        if form != "centered" and choice == "centered":
            return healthy, (
                "The data pin most members: the centered form "
                f"({{{name!r}: 'centered'}}) may sample faster."
            )
        return healthy, "None needed."
    verdict = healthy or (
        "the sampler struggles along this group's scale: " + "; ".join(problems) + "."
    )
    actions = _actions(problems, divergences)
    per_member = (
        f" Consider per-member weights (diagnosis.member_parameterization) for the "
        f"{weak_members} weakly informed member(s)."
        if weak_members
        else ""
    )
    if form == "centered":
        if choice == "noncentered":
            hedge = _target_accept_hedge(divergences)
            return verdict, (
                f"Reparameterize: make {name!r} non-centered ({{{name!r}: 'noncentered'}})." + hedge
            )
        return verdict, (
            "Most members are pinned by their data, where the centered form is the right one. "
            + actions
            + per_member
        )
    if choice == "centered":
        return verdict, (
            f"The data pin most members of {name!r}: try it centered "
            f"({{{name!r}: 'centered'}}), or per-member weights."
        )
    return verdict, "The form is right for these weakly informed members. " + actions


def diagnose(
    idata: xr.DataTree, model: object, *, threshold: float = CENTERING_THRESHOLD
) -> Diagnosis:
    """Diagnose every hierarchical group of a model from one fit, and advise a form for each.

    For each group :func:`hierarchical_groups` finds (in any form): where the divergences sit
    along its scale, the R-hat and ESS of its scale, and the shrinkage factor of each member,
    ``kappa = E[Var(member | scale, data)] / scale**2`` (see :func:`suggest_parameterization`),
    estimated from each member's deviation from its own loc, evaluated per draw from the model
    graph, so nested and indexed locs work. A group is advised centered when its average
    ``kappa`` is below ``threshold``, and each member likewise.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of ``model`` from :func:`sample` or :func:`pymc.sample`, with ``posterior`` and
        ``sample_stats``.
    model : pymc.Model
        The model that was fitted.
    threshold : float, default 0.5
        Average shrinkage factor below which a group (or member) is advised centered.

    Returns
    -------
    Diagnosis
        Per group numbers and advice; ``.parameterization`` goes straight into
        :func:`reparameterize`; ``print`` it for a summary, ``.to_dataframe()`` for a table.

    Raises
    ------
    TypeError
        If ``idata`` or ``model`` is of the wrong type.
    KeyError
        If the posterior lacks a variable a group's diagnosis needs.
    ValueError
        If the fit has no sample statistics or ``threshold`` is not in (0, 1).

    See Also
    --------
    hierarchical_groups, reparameterize

    Examples
    --------
    >>> import pymc as pm
    >>> import funnelguide as fg
    >>> with pm.Model(coords={"school": range(8)}) as model:
    ...     mu = pm.Normal("mu")
    ...     tau = pm.HalfNormal("tau")
    ...     theta = pm.Normal("theta", mu, tau, dims="school")
    ...     y = pm.Normal(
    ...         "y", theta, 10.0, observed=[28, 8, -3, 7, -1, 1, 18, 12], dims="school"
    ...     )
    >>> fit = fg.sample(model, draws=300, tune=300, chains=2, random_seed=1)
    >>> diagnosis = fg.diagnose(fit, model)
    >>> diagnosis.parameterization
    {'theta': 'noncentered'}
    """
    from funnelguide.groups import model_groups

    _checked_fraction("threshold", threshold)
    if not isinstance(idata, xr.DataTree) or "posterior" not in idata.children:
        raise TypeError(
            "idata must be the xarray.DataTree returned by fg.sample or pymc.sample, with a "
            f"posterior group; got {type(idata).__name__}."
        )
    fgraph, groups = model_groups(model)
    diverging = divergent(idata).to_numpy()
    sample_stat(idata, "energy")
    chains, n_draws = diverging.shape
    ebfmi = np.atleast_1d(azs.bfmi(idata)["energy"].to_numpy())
    posterior = idata["posterior"].to_dataset()
    found: dict[str, GroupDiagnosis] = {}
    for name, group in groups.items():
        kappa, summary = _group_kappa(group, fgraph, posterior)
        scale_vars = list(group.scale_vars)
        rhat = float(np.nanmax([azs.rhat(idata, var_names=[v])[v].max() for v in scale_vars]))
        ess = {
            method: float(
                np.nanmin(
                    [azs.ess(idata, var_names=[v], method=method)[v].min() for v in scale_vars]
                )
            )
            for method in ("bulk", "tail")
        }
        quantile = _divergent_scale_quantile(summary.reshape(chains, n_draws), diverging)
        label = scale_vars[0] if len(scale_vars) == 1 else f"{name}'s scale"
        problems = _problems(
            scale=label,
            chains=chains,
            divergences=int(diverging.sum()),
            quantile=quantile,
            rhat=rhat,
            ess_bulk=ess["bulk"],
            ess_tail=ess["tail"],
        )
        choice = "centered" if float(np.mean(kappa)) < threshold else "noncentered"
        verdict, recommendation = _group_advice(
            group.form,
            choice,
            problems,
            name,
            divergences=int(diverging.sum()),
            draws=diverging.size,
            weak_members=int(np.sum(kappa >= threshold)),
        )
        found[name] = GroupDiagnosis(
            name=name,
            family=group.family,
            form=group.form,
            scale=group.scale_vars,
            divergent_scale_quantile=quantile,
            rhat=rhat,
            ess_bulk=ess["bulk"],
            ess_tail=ess["tail"],
            kappa=pd.Series(kappa.ravel(), name=name),
            choice=choice,
            member_weights=(kappa < threshold).astype(float),
            problems=tuple(problems),
            verdict=verdict,
            recommendation=recommendation,
        )
    return Diagnosis(
        groups=found,
        chains=chains,
        draws=n_draws,
        divergences=int(diverging.sum()),
        ebfmi=ebfmi,
        problems=tuple(_ebfmi_problems(ebfmi)),
        parameterization={name: g.choice for name, g in found.items()},
        member_parameterization={
            name: g.member_weights for name, g in found.items() if g.family != "MvNormal"
        },
    )
