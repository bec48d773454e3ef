"""Finding the hierarchical groups of any PyMC model from its graph, never from names.

A *hierarchical group* is a vector of members drawn from a location-scale family whose scale
depends on another free variable. It shows in one of three forms:

- **centered**: a free variable ``x ~ F(loc, scale)``;
- **noncentered**: a Deterministic ``x = loc + scale * z`` (or ``loc + z @ L.T`` for a
  multivariate normal) of a free variable ``z`` whose own scale is fixed;
- **partial**: the same Deterministic, with a ``z`` whose scale depends on free variables too
  (``z ~ F(w * loc, scale**w)``, ``x = loc + scale**(1 - w) * (z - w * loc)``).

The forms are read off the structure of the graph (PyMC's model-graph representation,
:func:`pymc.model.fgraph.fgraph_from_model`), so a group is found whatever its variables are
called.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.model.fgraph import (
    ModelDeterministic,
    ModelFreeRV,
    ModelObservedRV,
    ModelVar,
    fgraph_from_model,
)
from pymc.pytensorf import toposort_replace
from pytensor.graph import Constant, FunctionGraph, Variable, ancestors
from pytensor.tensor.basic import Alloc
from pytensor.tensor.blockwise import Blockwise
from pytensor.tensor.elemwise import DimShuffle, Elemwise
from pytensor.tensor.subtensor import AdvancedSubtensor, Subtensor

from funnelguide._checks import _check_model
from funnelguide._compile import _evaluation_compile

__all__ = ["hierarchical_groups"]

#: Location-scale families: RandomVariable class name -> (family, index of loc, index of scale)
#: among the distribution's parameters. A multivariate normal's "scale" is its covariance.
FAMILIES: dict[str, tuple[str, int, int]] = {
    "NormalRV": ("Normal", 0, 1),
    "StudentTRV": ("StudentT", 1, 2),
    "CauchyRV": ("Cauchy", 0, 1),
    "LaplaceRV": ("Laplace", 0, 1),
    "LogisticRV": ("Logistic", 0, 1),
    "MvNormalRV": ("MvNormal", 0, 1),
}


@dataclass
class Group:
    """One hierarchical group, in terms of a model's fgraph (internal).

    ``loc`` and ``scale`` are fgraph expressions (``scale`` is the Cholesky factor for a
    multivariate normal); ``rv`` is the free random variable of the centered form or the
    latent ``z`` of the other forms, whose op, generator, size and other parameters a rewrite
    reuses; ``node`` is the model variable that stands for the group (its free variable or its
    Deterministic) and ``latent`` the free variable ``z`` (None when centered).
    """

    name: str
    family: str
    form: str
    dims: tuple[str, ...]
    loc: Variable
    scale: Variable
    rv: Variable
    node: Variable
    latent: Variable | None
    scale_vars: tuple[str, ...]
    loc_text: str

    def params(self, rv: Variable) -> list[Variable]:
        """Return the distribution parameters of ``rv``."""
        return list(rv.owner.op.dist_params(rv.owner))


def _family(var: Variable) -> tuple[str, int, int] | None:
    owner = var.owner
    if owner is None:
        return None
    return FAMILIES.get(type(owner.op).__name__)


def _free_vars(fgraph: FunctionGraph) -> list[Variable]:
    return [v for v in fgraph.variables if v.owner and isinstance(v.owner.op, ModelFreeRV)]


def free_ancestors(expr: Variable, free: set[Variable]) -> list[Variable]:
    """Return the model free variables ``expr`` depends on, not looking through them."""
    return [var for var in ancestors([expr], blockers=free) if var in free]


def _is_constant(var: Variable, value: float) -> bool:
    while var.owner and isinstance(var.owner.op, DimShuffle):
        var = var.owner.inputs[0]
    if not isinstance(var, Constant):
        return False
    return bool(np.all(np.asarray(var.data) == value))


def _unbroadcast(expr: Variable) -> Variable:
    """Strip what only broadcasts ``expr``: added axes, ``second(like, x)`` and ``alloc(x, ...)``.

    PyMC broadcasts a multivariate normal's ``mu`` to the shape of its factor with
    ``second(chol[..., -1], mu)``; the broadcast is not part of the location a reader wrote.
    """
    while expr.owner:
        op = expr.owner.op
        if isinstance(op, DimShuffle) and op.is_expand_dims:
            expr = expr.owner.inputs[0]
        elif isinstance(op, Elemwise) and type(op.scalar_op).__name__ == "Second":
            expr = expr.owner.inputs[1]
        elif isinstance(op, Alloc):
            expr = expr.owner.inputs[0]
        else:
            break
    return expr


def _readable_index(index: Variable) -> str:
    """Name an index: its model variable (e.g. a ``pm.Data``), its own name, or its size."""
    index = _unbroadcast(index)
    if index.owner and isinstance(index.owner.op, ModelVar):
        return index.owner.op.name
    if index.name:
        return index.name
    if isinstance(index, Constant):
        data = np.asarray(index.data)
        if data.size == 1:
            return f"{data.item():g}"
        return f"<{data.size} indices>"
    return readable(index)


def readable(expr: Variable) -> str:
    """Write an expression short: a model name, ``base[index]``, a constant, or a call."""
    expr = _unbroadcast(expr)
    if expr.owner and isinstance(expr.owner.op, ModelVar):
        return expr.owner.op.name
    if isinstance(expr, Constant):
        data = np.asarray(expr.data)
        if data.size == 1:
            return f"{data.item():g}"
        if np.all(data == data.flat[0]):
            return f"{data.flat[0]:g}"
        return f"<constant of shape {data.shape}>"
    if expr.owner and isinstance(expr.owner.op, AdvancedSubtensor | Subtensor):
        base, *index = expr.owner.inputs
        if isinstance(expr.owner.op, AdvancedSubtensor):
            return f"{readable(base)}[{', '.join(_readable_index(i) for i in index)}]"
    if expr.name:
        return expr.name
    named = [
        var.owner.op.name
        for var in ancestors([expr])
        if var.owner and isinstance(var.owner.op, ModelVar) and var is not expr
    ]
    inner = ", ".join(dict.fromkeys(named))
    return f"f({inner})" if inner else "expression"


def _contains(expr: Variable, target: Variable) -> bool:
    return target in ancestors([expr])


def _affine(expr: Variable, z: Variable) -> tuple[Variable, Variable, str, Variable] | None:
    """Split ``expr`` as ``shift + mult * z`` (kind "mul") or ``shift + z @ mult.T`` ("matmul").

    Returns ``(shift, mult, kind, top_loc)``, where ``top_loc`` is the sum of the terms free of
    ``z`` at the outermost addition (the readable location), or None if ``expr`` is not of that
    form. Only additions, subtractions of a term free of ``z``, products and divisions by terms
    free of ``z`` are looked through.
    """
    zero, one = pt.constant(0.0), pt.constant(1.0)
    if expr is z:
        return zero, one, "mul", zero
    owner = expr.owner
    if owner is None:
        return None
    op = owner.op
    inputs = owner.inputs
    with_z = [i for i, inp in enumerate(inputs) if _contains(inp, z)]
    if len(with_z) != 1:
        return None
    [k] = with_z
    others = [inp for i, inp in enumerate(inputs) if i != k]
    if isinstance(op, Blockwise) and str(op) == "Matmul" and k == 0 and inputs[0] is z:
        right = inputs[1]
        if right.owner and isinstance(right.owner.op, DimShuffle):
            order = right.owner.op.new_order
            if len(order) == 2 and tuple(order) == (1, 0):
                return zero, right.owner.inputs[0], "matmul", zero
        return zero, right.T, "matmul", zero
    if not isinstance(op, Elemwise):
        return None
    inner = _affine(inputs[k], z)
    if inner is None:
        return None
    shift, mult, kind, _ = inner
    scalar_op = type(op.scalar_op).__name__
    if scalar_op == "Add":
        rest = others[0] if len(others) == 1 else pt.add(*others)
        return shift + rest, mult, kind, rest
    if kind != "mul":
        return None
    if scalar_op == "Sub" and k == 0:
        return shift - others[0], mult, kind, -others[0]
    if scalar_op == "Mul":
        factor = others[0] if len(others) == 1 else pt.mul(*others)
        return shift * factor, mult * factor, kind, zero
    if scalar_op == "TrueDiv" and k == 0:
        return shift / others[0], mult / others[0], kind, zero
    return None


def _cholesky_of(cov: Variable) -> Variable:
    """Return the lower Cholesky factor of ``cov``, read off ``L @ L.T`` if written so."""
    inner = cov
    while inner.owner and isinstance(inner.owner.op, DimShuffle) and inner.owner.op.is_expand_dims:
        inner = inner.owner.inputs[0]
    if inner.owner and str(inner.owner.op) == "Matmul":
        left, right = inner.owner.inputs
        if (
            right.owner
            and isinstance(right.owner.op, DimShuffle)
            and tuple(right.owner.op.new_order) == (1, 0)
            and right.owner.inputs[0] is left
        ):
            return left
    return pt.linalg.cholesky(inner, lower=True)


def _deterministic_group(
    fgraph: FunctionGraph, det: Variable, free: set[Variable]
) -> tuple[Variable, Group] | None:
    """Return the non-centered or partial group the Deterministic ``det`` stands for, if any."""
    expr = det.owner.inputs[0]
    candidates = [z for z in free_ancestors(expr, free) if _family(z.owner.inputs[0])]
    inside = set(ancestors([expr]))
    for z in candidates:
        if z.type.ndim != expr.type.ndim:
            continue
        users = [node for node, _ in fgraph.clients[z] if node.outputs]
        if any(node.outputs[0] not in inside for node in users):
            continue  # z feeds other variables too: not a reparameterized group
        split = _affine(expr, z)
        if split is None:
            continue
        shift, mult, kind, top_loc = split
        rv = z.owner.inputs[0]
        family, loc_i, scale_i = _family(rv)
        params = rv.owner.op.dist_params(rv.owner)
        z_loc, z_scale = params[loc_i], params[scale_i]
        others = free - {z}
        if kind == "matmul":
            if family != "Normal" or not (_is_constant(z_loc, 0) and _is_constant(z_scale, 1)):
                continue
            family, loc, scale, form = "MvNormal", shift, mult, "noncentered"
        elif family == "MvNormal":
            continue
        else:
            standard = _is_constant(z_loc, 0) and _is_constant(z_scale, 1)
            loc = shift if standard else shift + mult * z_loc
            scale = mult if standard else mult * z_scale
            form = "partial" if free_ancestors(z_scale, others) else "noncentered"
        scale_vars = free_ancestors(scale, others)
        if not free_ancestors(mult, others):
            continue
        op = det.owner.op
        group = Group(
            name=op.name,
            family=family,
            form=form,
            dims=tuple(op.dims),
            loc=loc,
            scale=scale,
            rv=rv,
            node=det,
            latent=z,
            scale_vars=tuple(v.owner.op.name for v in scale_vars),
            loc_text=readable(top_loc) if not _is_constant(top_loc, 0) else "0",
        )
        return z, group
    return None


def find_groups(fgraph: FunctionGraph) -> dict[str, Group]:
    """Every hierarchical group of a model's fgraph (with inlined views), by name."""
    free = set(_free_vars(fgraph))
    groups: dict[str, Group] = {}
    latents: set[Variable] = set()
    for det in fgraph.variables:
        if det.owner and isinstance(det.owner.op, ModelDeterministic):
            found = _deterministic_group(fgraph, det, free)
            if found is not None:
                latents.add(found[0])
                groups[found[1].name] = found[1]
    for var in fgraph.variables:
        if var not in free or var in latents:
            continue
        rv = var.owner.inputs[0]
        family_info = _family(rv)
        if family_info is None:
            continue
        family, loc_i, scale_i = family_info
        params = rv.owner.op.dist_params(rv.owner)
        scale_vars = free_ancestors(params[scale_i], free - {var})
        if not scale_vars:
            continue
        scale = _cholesky_of(params[scale_i]) if family == "MvNormal" else params[scale_i]
        op = var.owner.op
        groups[op.name] = Group(
            name=op.name,
            family=family,
            form="centered",
            dims=tuple(op.dims),
            loc=params[loc_i],
            scale=scale,
            rv=rv,
            node=var,
            latent=None,
            scale_vars=tuple(v.owner.op.name for v in scale_vars),
            loc_text=readable(params[loc_i]),
        )
    return groups


def model_groups(model: pm.Model) -> tuple[FunctionGraph, dict[str, Group]]:
    """Return a model's fgraph (inlined views) and its groups."""
    _check_model(model)
    initvals = [rv.name for rv, value in model.rvs_to_initial_values.items() if value is not None]
    if initvals:
        raise ValueError(
            f"variable(s) {initvals} have an initval; the model graph cannot be rewritten with "
            "it. Build the model without initval=... (pass initial points to the sampler "
            "instead) and try again."
        )
    fgraph, _ = fgraph_from_model(model, inlined_views=True)
    return fgraph, find_groups(fgraph)


def evaluator(fgraph: FunctionGraph, exprs: list[Variable]):
    """Compile ``exprs`` (fgraph expressions) as a function of the model's free variables.

    Returns ``(function, names)``: the function takes one value per name (the free variables
    the expressions depend on, untransformed) and returns the expressions' values.
    """
    inner = FunctionGraph(outputs=exprs, clone=True)
    replacements, inputs = [], []
    for node in inner.toposort():
        if isinstance(node.op, ModelFreeRV | ModelObservedRV):
            out = node.outputs[0]
            value = out.type(name=node.op.name)
            if isinstance(node.op, ModelFreeRV):
                inputs.append(value)
            else:
                value = node.inputs[1]
            replacements.append((out, value))
        elif isinstance(node.op, ModelVar):
            replacements.append((node.outputs[0], node.inputs[0]))
    toposort_replace(inner, replacements)
    used = [v for v in inputs if v in set(ancestors(inner.outputs))]
    with _evaluation_compile():  # evaluated at the draws: no numba compile for that
        fn = pytensor.function(used, inner.outputs, on_unused_input="ignore")
    return fn, [v.name for v in used]


def free_shapes(model: pm.Model) -> dict[str, tuple[int, ...]]:
    """Shape of every free variable, from its dims or static type; compiled only if needed."""

    def length(dim: str) -> int | None:
        var = model.dim_lengths.get(dim)
        if isinstance(var, Constant):
            return int(var.data)
        return int(var.get_value()) if hasattr(var, "get_value") else None

    shapes: dict[str, tuple[int, ...]] = {}
    for rv in model.free_RVs:
        dims = model.named_vars_to_dims.get(rv.name)
        shape = tuple(length(d) for d in dims) if dims else tuple(rv.type.shape)
        if any(n is None for n in shape) or len(shape) != rv.type.ndim:
            return {
                name: tuple(int(n) for n in value) for name, value in model.eval_rv_shapes().items()
            }
        shapes[rv.name] = shape
    return shapes


def _members(shapes: dict[str, tuple[int, ...]], group: Group) -> int:
    source = group.node if group.latent is None else group.latent
    shape = shapes.get(source.owner.op.name)
    if shape is None:
        return 0
    if group.family == "MvNormal":
        shape = shape[:-1]
    return int(np.prod(shape))


def hierarchical_groups(model: pm.Model) -> pd.DataFrame:
    """Find the hierarchical groups of a PyMC model from its graph.

    A group is a free variable drawn from a location-scale family (Normal, StudentT, Cauchy,
    Laplace, Logistic; MvNormal with a Cholesky factor or a covariance) whose scale depends on
    another free variable, in centered form, or the Deterministic ``loc + scale * z`` of a
    free variable ``z`` (``loc + z @ L.T`` for a multivariate normal) in non-centered or
    partially centered form. Forms are recognised from the graph's structure, never from
    variable names.

    Parameters
    ----------
    model : pymc.Model
        Any PyMC model.

    Returns
    -------
    pandas.DataFrame
        One row per group, indexed by the group's name, with columns ``family``, ``form``
        (``"centered"``, ``"noncentered"`` or ``"partial"``), ``loc`` (a readable text such as
        ``mu_b`` or ``region[region_idx]``; an index that is a ``pm.Data`` shows its name, an
        unnamed array its length, e.g. ``region[<40 indices>]``), ``scale`` (the free
        variables the scale depends on, comma-separated, e.g. ``"sigma"``), ``dims``,
        ``members`` (number of members; rows of a multivariate normal)
        and ``latent`` (the free variable sampled in place of a non-centered or partial group,
        None when centered). Empty, with the same columns, for a model with no group.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`.
    ValueError
        If a variable of the model has an ``initval`` (the graph cannot be rewritten).

    See Also
    --------
    reparameterize : Rewrite the groups into another form.
    diagnose : Diagnose each group from a fit.

    Examples
    --------
    >>> import pymc as pm
    >>> import funnelguide as fg
    >>> with pm.Model(coords={"school": range(8)}) as model:
    ...     mu = pm.Normal("mu")
    ...     tau = pm.HalfNormal("tau")
    ...     theta = pm.Normal("theta", mu, tau, dims="school")
    >>> groups = fg.hierarchical_groups(model)
    >>> groups[
    ...     ["family", "form", "loc", "scale", "members"]
    ... ]  # doctest: +NORMALIZE_WHITESPACE
          family      form loc scale  members
    group
    theta  Normal  centered  mu   tau        8
    """
    _, groups = model_groups(model)
    shapes = free_shapes(model) if groups else {}
    columns = ["family", "form", "loc", "scale", "dims", "members", "latent"]
    rows = {
        name: {
            "family": group.family,
            "form": group.form,
            "loc": group.loc_text,
            "scale": ", ".join(group.scale_vars),
            "dims": group.dims,
            "members": _members(shapes, group),
            "latent": None if group.latent is None else group.latent.owner.op.name,
        }
        for name, group in groups.items()
    }
    order = [var.name for var in model.named_vars.values() if var.name in rows]
    frame = pd.DataFrame.from_dict({name: rows[name] for name in order}, orient="index")
    frame = frame.reindex(columns=columns)
    frame.index.name = "group"
    return frame
