"""Bundled data sets: loaded from files inside the package, never from the network."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_eight_schools", "load_radon"]


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
