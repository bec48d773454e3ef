"""Modes against expectations: the MAP of a model, and how it compares with posterior means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import arviz_base as azb
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from pymc.blocking import DictToArrayBijection, RaveledVars
from scipy import differentiate
from scipy.optimize import minimize

from funnelguide._checks import _check_model
from funnelguide._compile import _evaluation_compile, _reproducible_compile
from funnelguide._idata import posterior_var

__all__ = [
    "LaplaceApproximation",
    "find_map",
    "joint_log_density",
    "laplace_approximation",
    "log_density_at",
    "map_vs_mean",
]


def find_map(model: pm.Model, **kwargs: Any) -> dict[str, np.ndarray]:
    """Find the joint mode (maximum a posteriori) of a model, like :func:`pymc.find_MAP`.

    The optimizer maximizes the joint density of all parameters. For a hierarchical model that
    density grows without bound as a group's scale goes to 0 with every member equal, so the
    "MAP" of the centered radon model has ``sigma_b`` near 0 and all slopes ``b`` equal: a
    point of high density but no probability mass.

    Parameters
    ----------
    model : pymc.Model
        The model.
    **kwargs
        Passed to :func:`pymc.find_MAP` (e.g. ``method``, ``maxeval``, ``random_seed``). The
        progress bar is off unless ``progressbar=True`` is passed.

    Returns
    -------
    dict of str to numpy.ndarray
        Every free variable and Deterministic of the model, in its own (constrained) space,
        at the mode: ``sigma_b`` itself, not the sampler's ``sigma_b_log__``.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`.

    See Also
    --------
    map_vs_mean : Put the MAP beside the posterior mean.

    Examples
    --------
    >>> import funnelguide as fg
    >>> point = fg.find_map(fg.radon_model())
    >>> bool(point["sigma_b"] < 0.01)
    True
    """
    _check_model(model)
    kwargs.setdefault("progressbar", False)
    kwargs.setdefault("jitter", False)
    kwargs["return_inferencedata"] = True
    # No NumPy warnings where the line search tries non-finite points (see _evaluation_compile).
    with _evaluation_compile():
        result = pm.find_MAP(model=model, **kwargs)
    return {  # np.array keeps scalars as 0-d arrays, as the docstring promises
        name: np.array(np.asarray(value)[0, 0])
        for name, value in result["posterior"].to_dataset().items()
    }


def map_vs_mean(
    map_estimate: dict[str, np.ndarray], idata: xr.DataTree, *, var: str = "b"
) -> pd.DataFrame:
    """Tabulate a variable's MAP against its posterior mean and standard deviation, per element.

    Parameters
    ----------
    map_estimate : dict of str to numpy.ndarray
        The result of :func:`find_map`.
    idata : xarray.DataTree
        A fit of the same model (either parameterization).
    var : str, default "b"
        The variable, a scalar or a vector with one coordinate (e.g. ``county``).

    Returns
    -------
    pandas.DataFrame
        Indexed by the variable's coordinate (``county`` for ``b``), with columns ``map``,
        ``posterior_mean`` and ``posterior_sd``.

    Raises
    ------
    KeyError
        If ``var`` is missing from ``map_estimate`` or from the posterior.
    ValueError
        If their shapes disagree.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.eight_schools_model(parameterization="noncentered")
    >>> idata = fg.sample(model, draws=200, tune=200, chains=2, random_seed=3)
    >>> table = fg.map_vs_mean(fg.find_map(model), idata, var="theta")
    >>> list(table.columns)
    ['map', 'posterior_mean', 'posterior_sd']
    """
    if var not in map_estimate:
        raise KeyError(f"var={var!r} is not in map_estimate; it has {sorted(map_estimate)}.")
    draws = posterior_var(idata, var)
    mean = draws.mean(("chain", "draw"))
    mode = np.asarray(map_estimate[var])
    if mode.shape != mean.shape:
        raise ValueError(
            f"map_estimate[{var!r}] has shape {mode.shape} but the posterior of {var!r} has "
            f"shape {mean.shape}; were they made from the same model?"
        )
    dims = [dim for dim in draws.dims if dim not in ("chain", "draw")]
    index = pd.Index(draws[dims[0]].to_numpy(), name=dims[0]) if len(dims) == 1 else pd.Index([var])
    return pd.DataFrame(
        {
            "map": mode.ravel(),
            "posterior_mean": mean.to_numpy().ravel(),
            "posterior_sd": draws.std(("chain", "draw")).to_numpy().ravel(),
        },
        index=index,
    )


def joint_log_density(model: pm.Model, idata: xr.DataTree) -> xr.DataArray:
    """Evaluate the model's joint log density (log prior plus log likelihood) at every draw.

    The density is in the model's own parameters (no Jacobian of the sampler's transforms), the
    quantity :func:`find_map` maximizes, so the log density at the MAP and at posterior draws can
    be compared directly.

    Parameters
    ----------
    model : pymc.Model
        The model the draws came from (same parameterization).
    idata : xarray.DataTree
        A fit of ``model``.

    Returns
    -------
    xarray.DataArray
        Dims ``chain``, ``draw``.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`.
    KeyError
        If the fit lacks one of the model's free variables.

    See Also
    --------
    log_density_at : The same at a single point, such as the MAP.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.eight_schools_model(parameterization="noncentered")
    >>> idata = fg.sample(model, draws=100, tune=100, chains=2, random_seed=1)
    >>> fg.joint_log_density(model, idata).dims
    ('chain', 'draw')
    """
    from pymc.stats import compute_log_likelihood, compute_log_prior

    _check_model(model)
    for rv in model.free_RVs:
        posterior_var(idata, rv.name)
    with _evaluation_compile():
        parts = [
            compute_log_prior(idata, model=model, extend_inferencedata=False, progressbar=False),
            compute_log_likelihood(
                idata, model=model, extend_inferencedata=False, progressbar=False
            ),
        ]
    terms = [
        array.sum([dim for dim in array.dims if dim not in ("chain", "draw")])
        for part in parts
        for array in part.data_vars.values()
    ]
    return sum(terms[1:], terms[0]).rename("joint_log_density")


def log_density_at(model: pm.Model, point: dict[str, np.ndarray]) -> float:
    """Evaluate the joint log density (no Jacobian) at one point, e.g. a :func:`find_map` result.

    Parameters
    ----------
    model : pymc.Model
        The model.
    point : dict of str to numpy.ndarray
        Values of the model's free variables (transformed values are recomputed from them).

    Returns
    -------
    float

    Raises
    ------
    KeyError
        If ``point`` lacks a free variable of the model.

    Examples
    --------
    >>> import funnelguide as fg
    >>> model = fg.radon_model()
    >>> isinstance(fg.log_density_at(model, fg.find_map(model)), float)
    True
    """
    _check_model(model)
    missing = [rv.name for rv in model.free_RVs if rv.name not in point]
    if missing:
        raise KeyError(f"point lacks the free variable(s) {missing}; it has {sorted(point)}.")
    value_point = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        value = np.asarray(point[rv.name], dtype=value_var.dtype)
        if transform is not None:
            value = transform.forward(value, *rv.owner.inputs).eval()
        value_point[value_var.name] = value
    with _evaluation_compile():
        logp = model.compile_logp(jacobian=False)
    return float(logp(value_point))


@dataclass(frozen=True)
class LaplaceApproximation:
    """A Gaussian approximation of a posterior at its mode, in the sampler's unconstrained space.

    Made by :func:`laplace_approximation`. Scales such as ``sigma_b`` are approximated on the
    log scale, so draws mapped back are always positive.

    Attributes
    ----------
    model : pymc.Model
        The model approximated.
    mean : numpy.ndarray
        The mode, as one unconstrained vector.
    covariance : numpy.ndarray
        The inverse of the negative Hessian of the log density at the mode.
    names : tuple of str
        The unconstrained value variables, in the vector's order (e.g. ``sigma_b_log__``).
    converged : bool
        Whether the optimizer reported success.
    condition_number : float
        Of the covariance: a huge value says the approximation is degenerate.
    """

    model: pm.Model = field(repr=False)
    mean: np.ndarray
    covariance: np.ndarray = field(repr=False)
    names: tuple[str, ...]
    converged: bool
    condition_number: float

    def sample(self, draws: int = 1000, *, random_seed: int | None = None) -> xr.DataTree:
        """Draw from the approximation and map the draws back to the model's parameters.

        Parameters
        ----------
        draws : int, default 1000
            Number of draws (one chain).
        random_seed : int, optional
            Seed.

        Returns
        -------
        xarray.DataTree
            A ``posterior`` group with one chain, holding every free variable and
            Deterministic in its own (constrained) space.
        """
        if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
            raise ValueError(f"draws must be an integer of at least 1, got {draws!r}.")
        rng = np.random.default_rng(random_seed)
        vectors = rng.multivariate_normal(self.mean, self.covariance, size=draws, method="eigh")
        start = DictToArrayBijection.map(self.model.initial_point())
        outputs = [
            var
            for var in self.model.unobserved_value_vars
            if var.name in self.model.named_vars and not var.name.endswith("__")
        ]
        with _evaluation_compile():
            to_constrained = self.model.compile_fn(
                outputs, inputs=self.model.value_vars, on_unused_input="ignore", point_fn=True
            )
        values: dict[str, list[np.ndarray]] = {var.name: [] for var in outputs}
        for vector in vectors:
            point = DictToArrayBijection.rmap(RaveledVars(vector, start.point_map_info))
            for var, value in zip(outputs, to_constrained(point), strict=True):
                values[var.name].append(value)
        dims = {name: list(d) for name, d in self.model.named_vars_to_dims.items()}
        return azb.from_dict(
            {"posterior": {name: np.asarray(v)[None, ...] for name, v in values.items()}},
            dims=dims,
            coords={k: list(v) for k, v in self.model.coords.items() if v is not None},
        )


#: Tolerances of the finite-difference Hessian (absolute, for the many entries that are 0).
_HESSIAN_TOLERANCES = {"atol": 1e-9, "rtol": 1e-9}


def _hessian(gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Return the Hessian at ``x``: the Jacobian of the exact gradient, by finite differences.

    PyTensor can differentiate the gradient symbolically too, but compiling and first running
    that graph takes about half a minute for the 175 parameters of the radon model; SciPy's
    :func:`scipy.differentiate.jacobian` needs a few hundred gradient calls, well under a second,
    and agrees with it to about 1e-9 relative to the largest entry. The result is symmetrized.
    """

    def gradients(points: np.ndarray) -> np.ndarray:  # (n, ...) in, (n, ...) out
        flat = points.reshape(points.shape[0], -1)
        columns = [gradient(flat[:, j]) for j in range(flat.shape[1])]
        return np.stack(columns, axis=1).reshape(points.shape)

    jacobian = differentiate.jacobian(gradients, x, tolerances=_HESSIAN_TOLERANCES).df
    return (jacobian + jacobian.T) / 2


def laplace_approximation(model: pm.Model) -> LaplaceApproximation:
    """Fit a Gaussian at the posterior mode, in the sampler's unconstrained space.

    Maximizes the log density of the unconstrained parameters (Jacobian included, e.g. over
    ``log(sigma_b)``) with L-BFGS-B, then takes the inverse of the negative Hessian there as the
    covariance; the Hessian is the finite-difference Jacobian of the exact gradient
    (:func:`scipy.differentiate.jacobian`). This works when the posterior is close to
    Gaussian, as for the pooled radon regression; on a funnel there is no proper mode, and the
    approximation collapses onto the neck.

    PyMC's own Laplace fit lives in pymc-extras, which at the time of writing requires an
    older PyMC than this project, hence this small version.

    Parameters
    ----------
    model : pymc.Model
        The model.

    Returns
    -------
    LaplaceApproximation

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`.
    ValueError
        If the Hessian at the optimum is not negative definite (no Gaussian fits there).

    See Also
    --------
    find_map : The joint mode in the model's own parameters.

    Examples
    --------
    >>> import funnelguide as fg
    >>> approx = fg.laplace_approximation(fg.pooled_radon_model())
    >>> approx.converged
    True
    >>> draws = approx.sample(500, random_seed=1)
    >>> draws.posterior["eps"].shape
    (1, 500)
    """
    _check_model(model)
    start = DictToArrayBijection.map(model.initial_point())
    with _reproducible_compile():  # numba: the Hessian's differences take many gradients
        logp = model.compile_logp(jacobian=True)
        dlogp = model.compile_dlogp(jacobian=True)

    def point(vector: np.ndarray) -> dict[str, np.ndarray]:
        return DictToArrayBijection.rmap(RaveledVars(vector, start.point_map_info))

    def gradient(vector: np.ndarray) -> np.ndarray:
        return np.asarray(dlogp(point(vector)), dtype=float)

    result = minimize(
        lambda x: -float(logp(point(x))),
        start.data,
        jac=lambda x: -gradient(x),
        method="L-BFGS-B",
    )
    precision = -_hessian(gradient, result.x)
    eigenvalues = np.linalg.eigvalsh(precision)
    if not np.all(eigenvalues > 0):
        raise ValueError(
            "The Hessian at the optimum is not negative definite (smallest eigenvalue of the "
            f"precision {eigenvalues.min():.3g}): no Gaussian approximation exists there."
        )
    return LaplaceApproximation(
        model=model,
        mean=result.x,
        covariance=np.linalg.inv(precision),
        names=tuple(name for name, *_ in start.point_map_info),
        converged=bool(result.success),
        condition_number=float(eigenvalues.max() / eigenvalues.min()),
    )
