"""Reading draws out of a sampling result, with errors that say what the result has."""

from __future__ import annotations

import numpy as np
import xarray as xr

from funnelguide._checks import _is_integer

__all__ = ["divergent", "draws", "element_label", "posterior_var", "sample_stat", "scalar_draws"]


def _group(idata: object, group: str) -> xr.Dataset:
    if not isinstance(idata, xr.DataTree):
        raise TypeError(
            f"idata must be the xarray.DataTree returned by fg.sample or pymc.sample, "
            f"got {type(idata).__name__}."
        )
    if group not in idata.children:
        raise ValueError(
            f"idata has no {group!r} group (it has {sorted(idata.children)}); "
            f"pass the full result of fg.sample or pymc.sample."
        )
    return idata[group].to_dataset()


def posterior_var(idata: xr.DataTree, var: str, *, argument: str = "var") -> xr.DataArray:
    """Return the posterior draws of ``var``, naming the variables there are if it is missing.

    ``argument`` is the caller's name for ``var`` (``"scale"``, ``"group"``), used in errors.
    """
    posterior = _group(idata, "posterior")
    if var not in posterior.data_vars:
        raise KeyError(
            f"{argument}={var!r} is not a variable of the posterior; "
            f"it has {sorted(posterior.data_vars)}."
        )
    return posterior[var]


def _element(array: xr.DataArray, var: str, index: int | str | None) -> xr.DataArray:
    extra = [dim for dim in array.dims if dim not in ("chain", "draw")]
    if index is None:
        return array
    if len(extra) != 1:
        raise ValueError(
            f"index={index!r} needs a variable with one dimension besides chain and draw; "
            f"{var!r} has dims {list(array.dims)}."
        )
    dim = extra[0]
    labels = array[dim].to_numpy()
    if _is_integer(index):
        if not -len(labels) <= index < len(labels):
            raise ValueError(
                f"index={index!r} is out of range for {var!r}, which has {len(labels)} "
                f"entries along {dim!r} (0 to {len(labels) - 1})."
            )
        return array.isel({dim: int(index)})
    if index in labels:
        return array.sel({dim: index})
    raise ValueError(
        f"index={index!r} is neither a position (0 to {len(labels) - 1}) nor a label of "
        f"{dim!r} (e.g. {list(labels[:3])!r})."
    )


def draws(idata: xr.DataTree, var: str, index: int | str | None = None) -> xr.DataArray:
    """Return the draws of ``var`` (one element of it if ``index`` is given), dims chain, draw."""
    return _element(posterior_var(idata, var), var, index)


def element_label(var: str, index: int | str | None) -> str:
    """Name an element the way a reader knows it: ``b[75]`` or ``b[AITKIN]``."""
    return var if index is None else f"{var}[{index}]"


def divergent(idata: xr.DataTree) -> xr.DataArray:
    """Return the boolean ``diverging`` flags (chain, draw) of a result's sample statistics."""
    stats = _group(idata, "sample_stats")
    if "diverging" not in stats.data_vars:
        raise ValueError(
            "idata's sample_stats has no 'diverging' variable; it has "
            f"{sorted(stats.data_vars)}. Pass a result of a NUTS sampler."
        )
    return stats["diverging"].astype(bool)


def sample_stat(idata: xr.DataTree, name: str) -> xr.DataArray:
    """Return one sample statistic, naming those there are if it is missing."""
    stats = _group(idata, "sample_stats")
    if name not in stats.data_vars:
        raise ValueError(f"idata's sample_stats has no {name!r}; it has {sorted(stats.data_vars)}.")
    return stats[name]


def scalar_draws(idata: xr.DataTree, var: str, *, argument: str = "var") -> np.ndarray:
    """Return a scalar variable's draws as an array (chain, draw), refusing vector variables."""
    array = posterior_var(idata, var, argument=argument)
    if array.dims != ("chain", "draw"):
        raise ValueError(
            f"{argument}={var!r} must be a scalar parameter (dims chain, draw), but has dims "
            f"{list(array.dims)}."
        )
    return array.to_numpy()
