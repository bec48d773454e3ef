"""Rewriting any PyMC model's hierarchical groups into another parameterization.

The rewrite works on PyMC's model-graph representation, as :func:`pymc.do` and
:func:`pymc.observe` do: the model becomes a ``FunctionGraph`` of model variables
(:func:`pymc.model.fgraph.fgraph_from_model`), each group's variable is replaced by its new
form (:func:`pymc.pytensorf.toposort_replace`), and a new model is built from the graph
(:func:`pymc.model.fgraph.model_from_fgraph`). The centering weight ``w`` is the one of
:mod:`funnelguide.models` and of NumPyro's ``LocScaleReparam``::

    x_partial ~ F(w * loc, scale**w)
    x = loc + scale**(1 - w) * (x_partial - w * loc)

with ``w = 1`` the centered ``x ~ F(loc, scale)`` and ``w = 0`` the non-centered
``x_offset ~ F(0, 1)``, ``x = loc + scale * x_offset``. A multivariate normal with Cholesky
factor ``L`` is non-centered as ``x = loc + x_offset @ L.T`` with a standard normal
``x_offset``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.model.fgraph import (
    model_deterministic,
    model_free_rv,
    model_from_fgraph,
)
from pymc.pytensorf import toposort_replace
from pytensor.graph import FunctionGraph, Variable
from pytensor.tensor.type_other import NoneTypeT

from funnelguide.groups import FAMILIES, Group, find_groups, free_shapes, model_groups
from funnelguide.models import PARAMETERIZATIONS

__all__ = ["reparameterize"]

Weight = float | np.ndarray


def _weight(value: object, where: str, shape: tuple[int, ...]) -> Weight:
    """One parameterization value as a centering weight: a float or an array over members."""
    if isinstance(value, str):
        if value not in PARAMETERIZATIONS:
            raise ValueError(
                f"{where}={value!r} is not a known parameterization; use one of "
                f"{sorted(PARAMETERIZATIONS)}, a centering weight in [0, 1] or an array of them."
            )
        return PARAMETERIZATIONS[value]
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.ndarray | list | tuple):
        raise TypeError(
            f"{where} must be one of {sorted(PARAMETERIZATIONS)}, a number in [0, 1] or an "
            f"array of them, got {value!r} of type {type(value).__name__}."
        )
    array = np.asarray(value, dtype=float)
    if not np.all((array >= 0.0) & (array <= 1.0)):  # also rejects NaN
        raise ValueError(
            f"{where} has weight(s) outside [0, 1] ({array[~((array >= 0) & (array <= 1))][:3]}"
            "); a centering weight is 1 for centered, 0 for non-centered, or in between."
        )
    if array.ndim == 0:
        return float(array)
    try:
        if np.broadcast_shapes(array.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{where} has shape {array.shape}, which does not broadcast to the group's "
            f"members, of shape {shape}."
        ) from None
    if np.all(array == array.flat[0]):
        return float(array.flat[0])
    return array


def _not_a_group(model: pm.Model, name: str, groups: Mapping[str, Group]) -> str:
    """Why ``name`` cannot be rewritten, in words."""
    var = model.named_vars.get(name)
    found = f"the model's hierarchical groups are {sorted(groups)}."
    if var is None:
        return f"{name!r} is not a variable of the model; {found}"
    if var in model.observed_RVs:
        return f"{name!r} is an observed variable, not a hierarchical group; {found}"
    if var in model.free_RVs and var.owner is not None:
        op = type(var.owner.op).__name__
        if "Truncated" in op or "Censored" in op:
            return (
                f"{name!r} is truncated or censored ({op}); a shift and scale of such a "
                "variable is not of the same family, so it is left as it is. " + found
            )
        if op not in FAMILIES:
            return (
                f"{name!r} is drawn from {op.removesuffix('RV')}, not a location-scale family "
                f"({', '.join(f[0] for f in FAMILIES.values())}); {found}"
            )
        return f"{name!r} has a scale that depends on no free variable; {found}"
    return f"{name!r} is not a hierarchical group; {found}"


def _resolve(
    model: pm.Model,
    parameterization: object,
    groups: Mapping[str, Group],
    shapes: Mapping[str, tuple[int, ...]],
) -> dict[str, Weight]:
    """Return a centering weight per group to rewrite; groups a mapping leaves out are kept."""

    def shape_of(group: Group) -> tuple[int, ...]:
        source = group.node if group.latent is None else group.latent
        shape = tuple(int(n) for n in shapes[source.owner.op.name])
        return shape[:-1] if group.family == "MvNormal" else shape

    if isinstance(parameterization, Mapping):
        weights = {}
        for name, value in parameterization.items():
            if name not in groups:
                raise ValueError("parameterization names " + _not_a_group(model, name, groups))
            where = f"parameterization[{name!r}]"
            weights[name] = _weight(value, where, shape_of(groups[name]))
        return weights
    return {
        name: _weight(parameterization, "parameterization", shape_of(group))
        for name, group in groups.items()
    }


def _size(rv: Variable, shape: tuple[int, ...]) -> Variable:
    size = rv.owner.inputs[1]
    return pt.constant(np.array(shape, dtype="int64")) if isinstance(size.type, NoneTypeT) else size


def _centered_like(group: Group, loc: Variable, scale: Variable, shape: tuple[int, ...]):
    """Draw a new random variable of the group's family with the given loc and scale."""
    if group.family == "MvNormal":
        return pm.MvNormal.dist(mu=loc, chol=scale, shape=shape)
    rv = group.rv
    _, loc_i, scale_i = FAMILIES[type(rv.owner.op).__name__]
    params = list(rv.owner.op.dist_params(rv.owner))
    params[loc_i], params[scale_i] = loc, scale
    rng = rv.owner.inputs[0]
    node = rv.owner.op.make_node(rng, _size(rv, shape), *params)
    return node.default_output()


def _check_rewritable(group: Group) -> None:
    if group.latent is None:
        transform = group.node.owner.op.transform
        if transform is not None:
            raise ValueError(
                f"group {group.name!r} has a custom transform ({type(transform).__name__}); a "
                "location-scale group needs none. Build it without transform=... to rewrite it."
            )


def _rewrite(
    fgraph: FunctionGraph,
    group: Group,
    weight: Weight,
    full_shape: tuple[int, ...],
    taken: set[str],
) -> None:
    """Replace one group in ``fgraph`` by its form at centering weight ``weight``."""
    _check_rewritable(group)
    loc, scale, name, dims = group.loc, group.scale, group.name, group.dims
    centered = isinstance(weight, float) and weight == 1.0
    if centered:
        new_rv = _centered_like(group, loc, scale, full_shape)
        value = new_rv.type(name=name)
        replacement = model_free_rv(new_rv, value, None, name, *dims)
    else:
        suffix = "_offset" if isinstance(weight, float) and weight == 0.0 else "_partial"
        new_name = name + suffix
        if new_name in taken:
            raise ValueError(
                f"cannot rewrite group {name!r}: its new free variable would be {new_name!r}, "
                "a name the model already uses. Rename that variable first."
            )
        if group.family == "MvNormal":
            if suffix == "_partial":
                raise ValueError(
                    f"group {name!r} is multivariate normal; only weights 0 and 1 are "
                    f"supported for it, got {weight!r}."
                )
            new_rv = pm.Normal.dist(0.0, 1.0, shape=full_shape)
            x_of = lambda z: loc + z @ scale.T  # noqa: E731
        elif suffix == "_offset":
            new_rv = _centered_like(group, pt.constant(0.0), pt.constant(1.0), full_shape)
            x_of = lambda z: loc + scale * z  # noqa: E731
        else:
            w = pt.constant(weight)
            new_rv = _centered_like(group, w * loc, scale**w, full_shape)
            x_of = lambda z: loc + scale ** (1.0 - w) * (z - w * loc)  # noqa: E731
        value = new_rv.type(name=new_name)
        latent = model_free_rv(new_rv, value, None, new_name, *dims)
        replacement = model_deterministic(x_of(latent), name, *dims)
    latent_old = group.latent
    toposort_replace(fgraph, [(group.node, replacement)])
    if latent_old is not None and latent_old in fgraph.outputs:
        fgraph.remove_output(fgraph.outputs.index(latent_old))


def reparameterize(model: pm.Model, parameterization: object = "noncentered") -> pm.Model:
    """Rewrite a model's hierarchical groups into another parameterization, same posterior.

    Every group :func:`hierarchical_groups` finds, in any form, can be rewritten centered,
    non-centered or partially centered with a centering weight ``w`` in [0, 1], one per group or
    one per member::

        x_partial ~ F(w * loc, scale**w);  x = loc + scale**(1 - w) * (x_partial - w * loc)

    (``w = 1``: ``x ~ F(loc, scale)``; ``w = 0``: ``x_offset ~ F(0, 1)``,
    ``x = loc + scale * x_offset``; a multivariate normal: ``x = loc + x_offset @ L.T``). The
    group keeps its name and dims, as a Deterministic unless centered; data, coords,
    Deterministics, Potentials and observed variables are kept. The input model is not changed.

    Parameters
    ----------
    model : pymc.Model
        Any PyMC model with at least one hierarchical group.
    parameterization : str, float, array or mapping, default "noncentered"
        ``"centered"``, ``"noncentered"``, a centering weight in [0, 1] or an array of weights
        that broadcasts to a group's members, applied to every group; or a mapping from group
        name to any of those. Groups a mapping leaves out stay as they are. A
        :class:`Diagnosis`'s ``parameterization`` is such a mapping.

    Returns
    -------
    pymc.Model
        A new model with the same posterior for the original variables.

    Raises
    ------
    TypeError
        If ``model`` is not a model or a value is of the wrong type.
    ValueError
        If the model has no hierarchical group, a mapping names a variable that is not one
        (the message says why: observed, truncated or censored, not location-scale, ...), a
        weight is outside [0, 1] or of the wrong shape, a group has a custom transform or a
        variable an ``initval``, or a new name would clash with an existing one.

    See Also
    --------
    hierarchical_groups : The groups found and their current form.
    diagnose : Advice on which form to use, as a mapping this function takes.

    Examples
    --------
    >>> import pymc as pm
    >>> import funnelguide as fg
    >>> with pm.Model(coords={"school": range(8)}) as model:
    ...     mu = pm.Normal("mu")
    ...     tau = pm.HalfNormal("tau")
    ...     theta = pm.Normal("theta", mu, tau, dims="school")
    >>> noncentered = fg.reparameterize(model, "noncentered")
    >>> (
    ...     [rv.name for rv in noncentered.free_RVs],
    ...     noncentered.named_vars_to_dims["theta"],
    ... )
    (['mu', 'tau', 'theta_offset'], ('school',))
    >>> fg.hierarchical_groups(noncentered).loc["theta", "form"]
    'noncentered'
    """
    fgraph, groups = model_groups(model)
    if not groups:
        raise ValueError(
            "model has no hierarchical group (a location-scale free variable whose scale "
            "depends on another free variable), so there is nothing to reparameterize."
        )
    shapes = free_shapes(model)
    weights = _resolve(model, parameterization, groups, shapes)
    for name, weight in weights.items():
        group = find_groups(fgraph)[name]  # again: an earlier rewrite may have changed it
        if isinstance(weight, float) and (
            (weight == 1.0 and group.form == "centered")
            or (weight == 0.0 and group.form == "noncentered")
        ):
            continue
        source = group.node if group.latent is None else group.latent
        full_shape = tuple(int(n) for n in shapes[source.owner.op.name])
        taken = {
            var.owner.op.name
            for var in fgraph.variables
            if var.owner is not None and hasattr(var.owner.op, "dims") and var is not group.latent
        }
        _rewrite(fgraph, group, weight, full_shape, taken)
    new_model = model_from_fgraph(fgraph, mutate_fgraph=True)
    _keep_order(new_model, model)
    return new_model


def _keep_order(new_model: pm.Model, model: pm.Model) -> None:
    """Order the new model's free variables and Deterministics as the original's.

    ``model_from_fgraph`` lists variables in the graph's topological order; a reader (and a
    sampler's initial point) expects the model's own order, with each new latent variable where
    its group stood.
    """
    position = {name: float(i) for i, name in enumerate(model.named_vars)}
    for name in new_model.named_vars:
        for suffix in ("_offset", "_partial"):
            group = name.removesuffix(suffix)
            if name not in position and group != name and group in position:
                position[name] = position[group] - 0.5
    last = float(len(position))
    new_model.free_RVs.sort(key=lambda rv: position.get(rv.name, last))
    new_model.deterministics.sort(key=lambda var: position.get(var.name, last))
