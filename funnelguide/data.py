"""Bundled data sets: loaded from files inside the package, never from the network."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_batting", "load_eight_schools", "load_radon"]


def _read_bundled_csv(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    with resources.files("funnelguide.datasets").joinpath(name).open("r", encoding="utf-8") as f:
        return pd.read_csv(f, dtype=dtypes)


def load_radon() -> pd.DataFrame:
    """Load the Minnesota radon measurements used by Gelman and Hill (2007).

    919 household measurements in 85 counties, bundled with the package; no network is used.
    The file is the public copy of the data in the R package HLMdiag (data set ``radon``), with
    its columns renamed. See ``funnelguide/datasets/README.md`` for the full provenance.

    Returns
    -------
    pandas.DataFrame
        One row per measurement, with columns

        ``county``
            County name, upper case.
        ``county_idx``
            Integer code 0..84 of the county, counties in alphabetical order.
        ``floor``
            0 if measured in the basement, 1 if on the first floor.
        ``log_radon``
            Natural log of the radon activity (pCi/L). Readings of zero were set to 0.1 before
            taking the log, as in HLMdiag's copy; Wiecki's post used ``log(activity + 0.1)``
            instead, so values differ slightly from the post's.
        ``log_uranium``
            Log soil uranium of the county (county-level predictor).

    See Also
    --------
    radon_model : The hierarchical regression of ``log_radon`` on ``floor`` by county.

    Examples
    --------
    >>> import funnelguide as fg
    >>> radon = fg.load_radon()
    >>> radon.shape
    (919, 5)
    >>> radon["county"].nunique()
    85
    """
    return _read_bundled_csv(
        "radon.csv",
        {
            "county": "str",
            "county_idx": "int64",
            "floor": "int64",
            "log_radon": "float64",
            "log_uranium": "float64",
        },
    )


def load_eight_schools() -> pd.DataFrame:
    """Load the eight schools data of Rubin (1981).

    Estimated coaching effects on SAT-V scores in eight schools and their standard errors, as
    tabulated in Gelman et al. (2013), *Bayesian Data Analysis*, table 5.2. Bundled with the
    package; no network is used.

    Returns
    -------
    pandas.DataFrame
        Eight rows with columns ``school`` (``"A"`` to ``"H"``), ``y`` (estimated effect) and
        ``sigma`` (its standard error).

    See Also
    --------
    eight_schools_model : The hierarchical model of the effects.

    Examples
    --------
    >>> import funnelguide as fg
    >>> fg.load_eight_schools()["y"].tolist()
    [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
    """
    return _read_bundled_csv(
        "eight_schools.csv", {"school": "str", "y": "float64", "sigma": "float64"}
    )


def load_batting() -> pd.DataFrame:
    """Load Efron and Morris's (1975) batting averages of 18 players, 1970 season.

    Hits of 18 Major League players in their first 45 at-bats of 1970, and their at-bats and
    batting average over the rest of that season, from table 1 of Efron and Morris (1975),
    "Data analysis using Stein's estimator and its generalizations", *Journal of the American
    Statistical Association* 70, 311-319; the data of Bob Carpenter's Stan case study
    "Hierarchical Partial Pooling for Repeated Binary Trials". Bundled with the package; no
    network is used. See ``funnelguide/datasets/README.md`` for the provenance.

    Returns
    -------
    pandas.DataFrame
        18 rows, in the paper's order (by hits, then as printed), with columns

        ``player``
            The player's name.
        ``at_bats``
            45 for every player: the early-season trials.
        ``hits``
            Hits in those 45 at-bats.
        ``remaining_at_bats``
            At-bats in the rest of the 1970 season.
        ``remaining_average``
            Batting average over those, as published (three decimals).
        ``remaining_hits``
            Hits in the rest of the season: the one whole number that rounds to
            ``remaining_average`` over ``remaining_at_bats``.

    Examples
    --------
    >>> import funnelguide as fg
    >>> batting = fg.load_batting()
    >>> batting.shape
    (18, 6)
    >>> int(batting["hits"].sum())
    215
    """
    return _read_bundled_csv(
        "batting.csv",
        {
            "player": "str",
            "at_bats": "int64",
            "hits": "int64",
            "remaining_at_bats": "int64",
            "remaining_average": "float64",
            "remaining_hits": "int64",
        },
    )
