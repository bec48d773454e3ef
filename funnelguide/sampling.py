"""Sampling with NUTS on PyMC's fast default path, compiling each model once per process.

:func:`sample` runs PyMC 6's default NUTS, nutpie, and returns the same :class:`xarray.DataTree`
that :func:`pymc.sample` returns. It adds two things a gallery that samples the same few models
many times needs:

- a **compiled-model cache** in memory: a model is compiled once per process, keyed by a
  fingerprint of its graph and data (:func:`model_fingerprint`), so rebuilding the same model and
  sampling it again with another seed skips the compile;
- an optional **result cache** on disk (``cache_dir``, in ``funnelguide.cache``): a repeated
  call with the same model, data, settings, seed and library versions returns the stored draws
  without sampling; safe when several processes share one folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from typing import Any, Literal

import numpy as np
import pymc as pm
import pytensor
import xarray as xr
from pytensor.graph.basic import Constant
from pytensor.graph.traversal import ancestors
from pytensor.tensor.random.type import RandomType

from funnelguide import cache
from funnelguide._checks import _check_model, _checked_int, _is_integer
from funnelguide._compile import _fresh_transforms, _reproducible_compile
from funnelguide.cache import CACHE_DIR_ENV, CacheWarning

__all__ = ["CACHE_DIR_ENV", "CacheWarning", "clear_compiled_models", "model_fingerprint", "sample"]

_NUTS_SAMPLERS = ("nutpie", "pymc", "numpyro", "blackjax")
#: Compiled nutpie models of this process, keyed by :func:`model_fingerprint`.
_COMPILED: dict[str, Any] = {}


def model_fingerprint(model: pm.Model) -> str:
    """Return a content hash of a model's graph, data and coordinates.

    Two models built by the same code on the same data have the same fingerprint, whatever
    their object identity; a change of prior, parameterization, data value or coordinate changes
    it. :func:`sample` keys its compiled-model cache by this fingerprint.

    Parameters
    ----------
    model : pymc.Model
        The model.

    Returns
    -------
    str
        A 64-character hexadecimal SHA-256 digest.

    Examples
    --------
    >>> import funnelguide as fg
    >>> from funnelguide.sampling import model_fingerprint
    >>> model_fingerprint(fg.eight_schools_model()) == model_fingerprint(
    ...     fg.eight_schools_model()
    ... )
    True
    """
    _check_model(model)
    outputs = [model.logp(), *model.deterministics]
    graph_text = io.StringIO()
    pytensor.dprint(outputs, file=graph_text, print_type=True)
    digest = hashlib.sha256(graph_text.getvalue().encode())
    for var in ancestors(outputs):
        value = None
        if isinstance(var.type, RandomType):
            continue  # a random generator's state (e.g. under a Deterministic), not model content
        if isinstance(var, Constant):
            value = var.data
        elif hasattr(var, "get_value"):
            value = var.get_value(borrow=True)
        if value is not None:
            array = np.ascontiguousarray(value)
            digest.update(f"{var.name}|{array.dtype}|{array.shape}|".encode())
            digest.update(array.tobytes())
    names = {
        "free": [rv.name for rv in model.free_RVs],
        "observed": [rv.name for rv in model.observed_RVs],
        "deterministic": [d.name for d in model.deterministics],
        "transforms": {
            rv.name: type(tr).__name__ for rv, tr in model.rvs_to_transforms.items() if tr
        },
        "coords": {k: [str(c) for c in v] for k, v in model.coords.items() if v is not None},
        "dims": {k: list(v) for k, v in model.named_vars_to_dims.items()},
    }
    digest.update(json.dumps(names, sort_keys=True).encode())
    return digest.hexdigest()


def clear_compiled_models() -> None:
    """Forget every compiled model of this process, so the next :func:`sample` compiles again."""
    _COMPILED.clear()


def _check_continuous(model: pm.Model) -> None:
    """Refuse discrete free variables before compiling: nutpie's NUTS cannot sample them."""
    discrete = [rv.name for rv in model.free_RVs if rv.type.dtype.startswith(("int", "uint"))]
    if discrete:
        raise ValueError(
            f"model has discrete free variable(s) {discrete}; fg.sample runs nutpie's NUTS, "
            "which samples continuous variables only. Marginalize them out (e.g. "
            "pymc_extras.marginalize), observe them, or use pymc.sample, which pairs NUTS "
            "with a Metropolis step for discrete variables."
        )


def _check_seed(random_seed: object) -> int | None:
    if random_seed is None:
        return None
    if not _is_integer(random_seed) or not 0 <= random_seed < 2**63:
        raise ValueError(
            f"random_seed must be None or an integer in [0, 2**63), got {random_seed!r}."
        )
    return int(random_seed)


def _compiled_nutpie_model(model: pm.Model, fingerprint: str) -> tuple[Any, float]:
    """Return nutpie's compiled ``model`` and the seconds spent compiling (0 if cached)."""
    import nutpie

    if fingerprint in _COMPILED:
        return _COMPILED[fingerprint], 0.0
    start = time.perf_counter()
    with _reproducible_compile(), _fresh_transforms(model):
        compiled = nutpie.compile_pymc_model(model, backend="numba")
    _COMPILED[fingerprint] = compiled
    return compiled, time.perf_counter() - start


def _run_sampler(
    model: pm.Model,
    fingerprint: str,
    settings: dict[str, Any],
    sampler_kwargs: dict[str, Any],
) -> xr.DataTree:
    """Sample ``model``; the one place where draws are made."""
    nuts_sampler = settings["nuts_sampler"]
    if nuts_sampler != "nutpie":
        # PyTensor's default linker is numba, so PyMC's own NUTS needs the same flags as nutpie.
        with _reproducible_compile(), _fresh_transforms(model):
            return pm.sample(
                model=model,
                draws=settings["draws"],
                tune=settings["tune"],
                chains=settings["chains"],
                random_seed=settings["random_seed"],
                nuts_sampler=nuts_sampler,
                progressbar=settings["progressbar"],
                compute_convergence_checks=False,
                **sampler_kwargs,
            )
    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    compiled, compile_time = _compiled_nutpie_model(model, fingerprint)
    seed = settings["random_seed"]
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    start = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        draws=settings["draws"],
        tune=settings["tune"],
        chains=settings["chains"],
        cores=min(settings["chains"], os.cpu_count() or 1),
        seed=seed,
        save_warmup=False,
        progress_bar=settings["progressbar"],
        **sampler_kwargs,
    )
    sampling_time = time.perf_counter() - start
    patch_nutpie_idata(idata, model, sampling_time=sampling_time)
    idata.posterior.attrs["compile_time"] = compile_time
    idata.posterior.attrs["random_seed"] = seed
    return idata


def sample(
    model: pm.Model,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int | None = None,
    cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
    nuts_sampler: str = "nutpie",
    progressbar: bool = False,
    **sampler_kwargs: Any,
) -> xr.DataTree:
    """Sample a model with NUTS, compiling it once per process, optionally caching the draws.

    A thin layer over PyMC 6's fast default path (nutpie): the result is the
    :class:`xarray.DataTree` that :func:`pymc.sample` returns, with groups ``posterior``,
    ``sample_stats`` (``diverging`` among them), ``observed_data`` and ``constant_data``.
    The same ``random_seed`` gives the same draws.

    Parameters
    ----------
    model : pymc.Model
        The model, e.g. from :func:`radon_model`.
    draws, tune, chains : int, default 1000, 1000, 4
        Draws kept per chain, tuning steps per chain, and chains.
    random_seed : int, optional
        Seed; the same seed gives identical draws. Required when ``cache_dir`` is given.
    cache_dir : path-like, optional
        Folder of the result cache. A call whose model (graph and data), settings, seed and
        library versions match a stored entry returns that entry without sampling. Only files
        named by their 64-character key are ever written there. When not given, a call with a
        ``random_seed`` uses the folder named by the environment variable
        ``FUNNELGUIDE_CACHE_DIR`` if it is set and not empty; a call without a seed is never
        cached. ``False`` means no cache whatever the environment says (e.g. to time a run).
    nuts_sampler : {"nutpie", "pymc", "numpyro", "blackjax"}, default "nutpie"
        Which NUTS implementation runs; anything but nutpie goes through :func:`pymc.sample`.
    progressbar : bool, default False
        Show the sampler's progress bar.
    **sampler_kwargs
        Passed to the sampler: ``target_accept`` or ``maxdepth`` for nutpie (see
        :func:`nutpie.sample`), or any keyword of :func:`pymc.sample` for the others.

    Returns
    -------
    xarray.DataTree
        Posterior draws and sample statistics. On the nutpie path, ``posterior.attrs`` holds
        ``compile_time`` (0 when the compiled model was reused) and ``sampling_time`` in seconds.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`pymc.Model`, or ``cache_dir`` is not a folder, None or
        False.
    ValueError
        For counts below their minimum, a bad seed, an unknown ``nuts_sampler``, or a
        ``cache_dir`` without a ``random_seed``.

    Warns
    -----
    CacheWarning
        When a stored entry is corrupt, unreadable or belongs to another call; it is sampled
        again and replaced.

    See Also
    --------
    pymc.sample : What this wraps.
    funnel_report : Diagnose the result.

    Examples
    --------
    >>> import funnelguide as fg
    >>> idata = fg.sample(fg.eight_schools_model(parameterization="noncentered"),
    ...                   draws=200, tune=200, chains=2, random_seed=1)
    >>> idata.posterior["tau"].shape
    (2, 200)
    """
    _check_model(model)
    _check_continuous(model)
    settings = {
        "draws": _checked_int("draws", draws, 1),
        "tune": _checked_int("tune", tune, 0),
        "chains": _checked_int("chains", chains, 1),
        "random_seed": _check_seed(random_seed),
        "nuts_sampler": nuts_sampler,
        "progressbar": bool(progressbar),
    }
    if nuts_sampler not in _NUTS_SAMPLERS:
        raise ValueError(
            f"nuts_sampler={nuts_sampler!r} is not available; use one of {list(_NUTS_SAMPLERS)}."
        )
    fingerprint = model_fingerprint(model)
    folder = cache.resolve_cache_dir(cache_dir, settings["random_seed"])
    if folder is None:
        return _run_sampler(model, fingerprint, settings, sampler_kwargs)
    key, material = cache.cache_key(
        fingerprint, {k: v for k, v in settings.items() if k != "progressbar"}, sampler_kwargs
    )
    stored = cache.read_entry(folder, key, stacklevel=2)
    if stored is not None:
        return stored
    idata = _run_sampler(model, fingerprint, settings, sampler_kwargs)
    return cache.write_entry(folder, key, idata, material)
