"""How the library has PyTensor compile: reproducibly for the sampler, quickly for the rest."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import pytensor

#: PyTensor flags for compiling a model, so that the same seed gives the same draws whether
#: numba compiles the model afresh or loads it from PyTensor's on-disk cache. With fastmath,
#: LLVM may reassociate floating-point sums, and the inner kernels come in two copies that are
#: optimized differently: the stand-alone one a fresh compile calls, and the one embedded in the
#: cached outer function a warm process calls (weak symbols, first definition wins). Without
#: fastmath both copies compute bit-identical results. See ``tests/test_compile_cache.py``.
_REPRODUCIBLE_NUMBA_FLAGS = {"numba__fastmath": False}

#: ... and no C++ while compiling. The sampled functions are numba's; the one other function
#: compiled is PyMC's initial point (``pymc.initial_point.make_initial_point_fn``, pure-Python
#: FAST_COMPILE mode). But the inner graph of a Scan in it, such as the draw of an LKJ
#: correlation matrix that ``LKJCholeskyCov``'s support point keeps in the graph, is linked with
#: C thunks, and the C code of its matrix product reads ``pytensor.config.blas__ldflags``. On a
#: pip installation without a system BLAS, that first read probes for one and warns "PyTensor
#: could not link to a BLAS installation" (an error in a build with warnings as errors). With no
#: C++ compiler PyTensor links such inner graphs in Python (NumPy does the product with its own
#: BLAS) and probes nothing; functions without inner graphs were pure Python already, so their
#: initial points, and the draws, are the same. See ``tests/test_sampling.py``.
_COMPILE_FLAGS = {**_REPRODUCIBLE_NUMBA_FLAGS, "cxx": ""}


def _reproducible_compile():
    """Return a context in which PyTensor compiles bit-reproducibly, fresh or from disk.

    Sampling compiles inside it, so that one call gives one number in a fresh process and in a
    warm one.
    """
    return pytensor.config.change_flags(**_COMPILE_FLAGS)


#: ... and for a function that is evaluated a few thousand times at most (a MAP's optimizer, log
#: densities at the draws, a Laplace approximation's draws, a group's scale at the draws):
#: PyTensor's FAST_COMPILE mode, run by the Python linker. numba takes about 10 s to compile a
#: model's log density afresh on 2 cores, far more than such a function spends running; the
#: Python linker compiles in well under a second, and, with no machine code at all, cannot differ
#: between a fresh and a cached compile.
_EVALUATION_FLAGS = {**_COMPILE_FLAGS, "mode": "FAST_COMPILE"}


@contextlib.contextmanager
def _evaluation_compile():
    """Compile and evaluate quickly inside this context, for functions evaluated few times.

    The MAP, log densities, a Laplace approximation's draws and a group's scale compile inside
    it (see ``_EVALUATION_FLAGS``); the sampler's functions, evaluated millions of times, and a
    Laplace approximation's Hessian, which takes many gradients, do not. NumPy evaluates the
    Python-linked functions; what runs inside the context (the MAP's search) does so without
    NumPy's floating-point warnings, as numba code never warned: an optimizer's line search tries
    non-finite points and backs off, and where warnings are errors a warning there aborted it.
    """
    with (
        pytensor.config.change_flags(**_EVALUATION_FLAGS),
        np.errstate(invalid="ignore", divide="ignore", over="ignore"),
    ):
        yield


@contextlib.contextmanager
def _fresh_transforms(model):
    """Compile ``model`` inside this context, so that compiling leaves the model untouched.

    Compiling can rewrite in place graphs that a model keeps outside its variables: those of
    its transforms. ``LKJCholeskyCov``'s transform keeps ``cumsum(arange(1, n + 1)) - 1``,
    which the first compile constant-folds, in the model and in every copy of it (copies share
    their transforms). A second compile then starts from another graph, numba makes other
    machine code of it, and the same seed gives other draws; the model's fingerprint changes
    too. Inside this context each transform is a deep copy, which the compile may fold at will;
    the model's own transforms are back in place afterwards. The graph compiled is the same as
    without the context (so the draws are the ones a first compile gives), and every compile
    of a model in a process gives the same draws. See ``tests/test_sampling.py``.
    """
    originals = dict(model.rvs_to_transforms)
    try:
        for rv, transform in originals.items():
            if transform is not None:
                model.rvs_to_transforms[rv] = copy.deepcopy(transform)
        yield model
    finally:
        model.rvs_to_transforms.clear()
        model.rvs_to_transforms.update(originals)
