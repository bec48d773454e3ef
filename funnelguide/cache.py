"""The result cache of :func:`funnelguide.sample`: sampled draws stored on disk by content key.

A call of :func:`~funnelguide.sample` whose model (graph and data), settings, seed, sampler
keywords and library versions match a stored entry returns that entry without sampling. The
key is a SHA-256 over the exact content of all of these (:func:`cache_key`): arrays enter by
dtype, shape and bytes, never by a printed form that could be shortened.

An entry is one folder named by its key, holding ``data.zarr`` (the draws) and ``manifest.json``
(what the call was and a hash of every file). It is safe when several processes write and read
the same key at once, as the gallery's parallel workers do:

- an entry is written complete under a temporary name and renamed into place in one step, so a
  reader sees either no entry or a whole one;
- a live entry is never deleted: the only entry ever moved away is one found corrupt while
  holding the key's lock (a file ``<key>.lock``, :func:`fcntl.flock`), and only after it was
  checked again under that lock;
- a reader checks the manifest and every file's hash before it trusts an entry; an entry that is
  corrupt or belongs to another call is sampled again, with a :class:`CacheWarning`.

Only names that start with an entry's key are ever written in the cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import numbers
import os
import platform
import shutil
import uuid
import warnings
from collections.abc import Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xarray as xr

try:  # POSIX; without it the rename is still atomic, only a corrupt entry's repair may race
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["CACHE_DIR_ENV", "CacheWarning", "cache_key", "read_entry", "write_entry"]

#: The environment variable that names the default ``cache_dir`` of :func:`funnelguide.sample`
#: (calls with a ``random_seed`` only). The site build sets it, so that the examples and the
#: pages that sample the same model with the same settings and seed share one run.
CACHE_DIR_ENV = "FUNNELGUIDE_CACHE_DIR"

_FORMAT = "funnelguide-sample-cache"
_FORMAT_VERSION = 2
_DATA = "data.zarr"
_MANIFEST = "manifest.json"
_VERSIONED_PACKAGES = (
    "funnelguide",
    "pymc",
    "pytensor",
    "nutpie",
    "numpy",
    "numba",
    "xarray",
    "arviz-base",
)


class CacheWarning(UserWarning):
    """A cache entry could not be used (corrupt, foreign or unreadable) and was resampled."""


def resolve_cache_dir(
    cache_dir: str | os.PathLike[str] | Literal[False] | None, random_seed: int | None
) -> Path | None:
    """Return the cache folder a call of :func:`funnelguide.sample` uses, or None for no cache.

    Parameters
    ----------
    cache_dir : path-like, None or False
        As given to :func:`funnelguide.sample`. None falls back to ``FUNNELGUIDE_CACHE_DIR``
        (calls with a seed only); False means no cache.
    random_seed : int or None
        The call's checked seed.

    Returns
    -------
    pathlib.Path or None
        The folder, or None when the call is not cached.

    Raises
    ------
    TypeError
        If ``cache_dir`` is not a str, path, None or False.
    ValueError
        If a ``cache_dir`` is given without a ``random_seed``.
    """
    if cache_dir is None and random_seed is not None:
        cache_dir = os.environ.get(CACHE_DIR_ENV) or None
    if cache_dir is None or cache_dir is False:
        return None
    if not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(
            f"cache_dir must be a folder (str or path), None or False, got {cache_dir!r}."
        )
    if random_seed is None:
        raise ValueError(
            f"cache_dir={os.fspath(cache_dir)!r} needs an explicit random_seed, got "
            "random_seed=None: without a seed, a stored result could not stand for a new call. "
            "Pass random_seed=<int>, or cache_dir=None."
        )
    return Path(cache_dir)


def _package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _VERSIONED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _feed(digest: Any, value: object, where: str) -> None:
    """Feed ``value`` into ``digest`` by exact content, tagged by kind so kinds never collide."""

    def tagged(tag: str, payload: bytes) -> None:
        digest.update(f"{tag}:{len(payload)}:".encode() + payload)

    if value is None or isinstance(value, bool):
        tagged("const", repr(value).encode())
    elif isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise TypeError(
                f"{where} is a numpy array of dtype object, which has no exact content to key "
                "the result cache by; pass a numeric array, or cache_dir=False."
            )
        header = f"{type(value).__name__}|{array.dtype.str}|{array.shape}"
        tagged("ndarray", header.encode())
        tagged("bytes", np.ascontiguousarray(array).tobytes())
    elif isinstance(value, numbers.Integral):
        tagged("int", str(int(value)).encode())
    elif isinstance(value, float):
        tagged("float", value.hex().encode())
    elif isinstance(value, complex):
        tagged("complex", f"{value.real.hex()},{value.imag.hex()}".encode())
    elif isinstance(value, str):
        tagged("str", value.encode())
    elif isinstance(value, bytes):
        tagged("bytes", value)
    elif isinstance(value, list | tuple):
        tagged(type(value).__name__, str(len(value)).encode())
        for i, item in enumerate(value):
            _feed(digest, item, f"{where}[{i}]")
    elif isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(
                f"{where} is a mapping with keys that are not all str, which cannot be part of "
                "the result cache's key. Pass cache_dir=False to sample without the cache."
            )
        tagged("mapping", str(len(value)).encode())
        for k in sorted(value):
            tagged("key", k.encode())
            _feed(digest, value[k], f"{where}[{k!r}]")
    else:
        raise TypeError(
            f"{where} is of type {type(value).__name__}, which cannot be part of the result "
            "cache's key (allowed: None, bool, int, float, complex, str, bytes, numpy arrays "
            "and scalars, and lists, tuples and str-keyed dicts of these). Pass cache_dir=False "
            "to sample without the cache."
        )


def cache_key(
    model_fingerprint: str, settings: Mapping[str, Any], sampler_kwargs: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Return the key of a call and the readable description stored in its manifest.

    Parameters
    ----------
    model_fingerprint : str
        :func:`funnelguide.sampling.model_fingerprint` of the model.
    settings : mapping
        The call's checked settings (draws, tune, chains, seed, sampler), JSON-serializable.
    sampler_kwargs : mapping
        The extra keywords passed to the sampler; they enter the key by exact content.

    Returns
    -------
    key : str
        A 64-character hexadecimal SHA-256 digest.
    material : dict
        What the key was made of, for the manifest (the keywords by name, type and digest).

    Raises
    ------
    TypeError
        If a value in ``sampler_kwargs`` has no exact content to hash (e.g. a sampler object).

    Examples
    --------
    >>> import numpy as np
    >>> from funnelguide.cache import cache_key
    >>> a, _ = cache_key("0" * 64, {"draws": 10}, {"init": np.arange(2000.0)})
    >>> b = np.arange(2000.0)
    >>> b[1000] = -1.0  # the printed form of the two arrays is the same
    >>> (
    ...     repr(b) == repr(np.arange(2000.0)),
    ...     a == cache_key("0" * 64, {"draws": 10}, {"init": b})[0],
    ... )
    (True, False)
    """
    kwargs_digests = {}
    for name in sorted(sampler_kwargs):
        digest = hashlib.sha256()
        _feed(digest, sampler_kwargs[name], f"sampler keyword {name}={sampler_kwargs[name]!r:.60}")
        kwargs_digests[name] = {
            "type": type(sampler_kwargs[name]).__name__,
            "sha256": digest.hexdigest(),
        }
    material = {
        "format_version": _FORMAT_VERSION,
        "model": model_fingerprint,
        "settings": dict(settings),
        "sampler_kwargs": kwargs_digests,
        "versions": _package_versions(),
    }
    key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    return key, material


def _tree_digest(folder: Path) -> str:
    """SHA-256 over every file below ``folder``: relative paths and contents, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _load_checked(entry: Path, key: str) -> xr.DataTree:
    """Load the entry ``entry`` for ``key``; raise if anything about it is wrong."""
    manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != _FORMAT or manifest.get("key") != key:
        raise ValueError("its manifest belongs to another call or another program")
    if manifest.get("sha256") != _tree_digest(entry / _DATA):
        raise ValueError("its content does not match the hash stored when it was written")
    extra = sorted({p.name for p in entry.iterdir()} - {_DATA, _MANIFEST})
    if extra:
        raise ValueError(f"it holds files that are not part of an entry: {extra}")
    idata = xr.open_datatree(entry / _DATA, engine="zarr", consolidated=False).load()
    idata.close()
    if "posterior" not in idata.children or idata.attrs.get("funnelguide_cache_key") != key:
        raise ValueError("it holds no posterior for this call")
    return idata


def read_entry(cache: Path, key: str, *, stacklevel: int = 2) -> xr.DataTree | None:
    """Return the stored result for ``key``, or None (with a warning if an entry was unusable).

    Parameters
    ----------
    cache : pathlib.Path
        The cache folder.
    key : str
        The call's key, from :func:`cache_key`.
    stacklevel : int, default 2
        Passed to :func:`warnings.warn` (plus one for this function), so the warning points at
        the user's call.

    Returns
    -------
    xarray.DataTree or None
        The stored draws, loaded into memory, or None on a miss or an unusable entry.

    Warns
    -----
    CacheWarning
        When an entry exists but is corrupt, unreadable or belongs to another call.
    """
    entry = cache / key
    if not entry.exists():
        return None
    try:
        return _load_checked(entry, key)
    except Exception as error:  # any unreadable entry is resampled, never served
        warnings.warn(
            f"Ignoring the cache entry {entry.name} in {cache}: {error}. "
            "Sampling again; the entry will be replaced.",
            CacheWarning,
            stacklevel=stacklevel + 1,
        )
        return None


@contextlib.contextmanager
def _key_lock(cache: Path, key: str) -> Iterator[None]:
    """Hold the exclusive lock of ``key`` (a lock file that stays, so its lock is never lost)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(cache / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_entry(
    cache: Path, key: str, idata: xr.DataTree, material: Mapping[str, Any]
) -> xr.DataTree:
    """Store ``idata`` under ``key`` and return it with the key in its attributes.

    The entry is written complete under a temporary name and renamed into place. If another
    process stored a good entry for the key meanwhile, that one is kept and ours dropped (the
    same call gives the same draws). ``idata`` itself is never changed.

    Parameters
    ----------
    cache : pathlib.Path
        The cache folder, created if missing.
    key : str
        The call's key, from :func:`cache_key`.
    idata : xarray.DataTree
        The draws to store.
    material : mapping
        What the key was made of, written to the manifest.

    Returns
    -------
    xarray.DataTree
        A copy of ``idata`` whose ``attrs`` hold ``funnelguide_cache_key``.
    """
    cache.mkdir(parents=True, exist_ok=True)
    result = idata.copy(deep=False)
    result.attrs = {**idata.attrs, "funnelguide_cache_key": key}
    tag = uuid.uuid4().hex
    tmp = cache / f"{key}.{tag}.tmp"
    try:
        tmp.mkdir()
        result.to_zarr(tmp / _DATA, mode="w", consolidated=False)
        manifest = {"format": _FORMAT, "key": key, "sha256": _tree_digest(tmp / _DATA)}
        (tmp / _MANIFEST).write_text(
            json.dumps({**manifest, **material}, indent=2, sort_keys=True), encoding="utf-8"
        )
        _publish(cache, key, tmp, tag)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _publish(cache: Path, key: str, tmp: Path, tag: str) -> None:
    """Rename the complete entry ``tmp`` into place, unless a good entry is there already."""
    entry = cache / key
    with _key_lock(cache, key):
        if entry.exists():
            try:
                _load_checked(entry, key)
                return  # another process stored this call first: keep its entry
            except Exception:  # corrupt: move it away (readers of it fail either way)
                stale = cache / f"{key}.{tag}.stale"
                os.rename(entry, stale)
                shutil.rmtree(stale, ignore_errors=True)
        os.rename(tmp, entry)
