"""The result cache of fg.sample (funnelguide.cache): hits, misses, keys, corrupt entries."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import xarray as xr

import funnelguide as fg
import funnelguide.sampling as sampling
from funnelguide.cache import cache_key
from funnelguide.sampling import model_fingerprint

SHORT = {"draws": 60, "tune": 60, "chains": 2}


def _assert_same_draws(left: xr.DataTree, right: xr.DataTree) -> None:
    for group in ("posterior", "sample_stats"):
        a, b = left[group].to_dataset(), right[group].to_dataset()
        numeric = [name for name in a.data_vars if a[name].dtype.kind in "biuf"]
        assert numeric
        for name in numeric:
            np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy(), err_msg=name)


# ---------------------------------------------------------------- result cache


@pytest.fixture
def cached_sample(schools_model, tmp_path):
    """Call fg.sample with one fixed set of arguments and a cache in tmp_path."""
    cache_dir = tmp_path / "cache"

    def call(**overrides):
        kwargs = {**SHORT, "random_seed": 5, "cache_dir": cache_dir, **overrides}
        return fg.sample(schools_model, **kwargs)

    call.cache_dir = cache_dir
    return call


@pytest.fixture
def sampler_calls(monkeypatch):
    """Count calls of the one function that draws; ``calls.forbid()`` makes it raise."""
    real = sampling._run_sampler
    calls = []

    def counting(*args, **kwargs):
        if calls and calls[-1] == "forbidden":
            raise AssertionError("sampled although the cache should have answered")
        calls.append("run")
        return real(*args, **kwargs)

    monkeypatch.setattr(sampling, "_run_sampler", counting)

    class Calls:
        @staticmethod
        def count() -> int:
            return calls.count("run")

        @staticmethod
        def forbid() -> None:
            calls.append("forbidden")

        @staticmethod
        def allow() -> None:
            if calls and calls[-1] == "forbidden":
                calls.pop()

    return Calls


def _entry(cache_dir, idata):
    """The entry's data store and manifest."""
    key = idata.attrs["funnelguide_cache_key"]
    return cache_dir / key / "data.zarr", cache_dir / key / "manifest.json"


def test_cache_miss_samples_and_writes_one_entry(cached_sample, sampler_calls):
    idata = cached_sample()
    assert sampler_calls.count() == 1
    key = idata.attrs["funnelguide_cache_key"]
    assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
    assert sorted(p.name for p in cached_sample.cache_dir.iterdir()) == [key, f"{key}.lock"]
    assert sorted(p.name for p in (cached_sample.cache_dir / key).iterdir()) == [
        "data.zarr",
        "manifest.json",
    ]
    manifest = json.loads((cached_sample.cache_dir / key / "manifest.json").read_text())
    assert manifest["key"] == key
    assert manifest["settings"]["random_seed"] == 5
    assert manifest["model"] == model_fingerprint(
        fg.eight_schools_model(parameterization="noncentered")
    )


def test_cache_hit_returns_equal_draws_without_sampling(cached_sample, sampler_calls):
    first = cached_sample()
    sampler_calls.forbid()
    second = cached_sample()
    _assert_same_draws(first, second)
    assert second.attrs["funnelguide_cache_key"] == first.attrs["funnelguide_cache_key"]
    assert sampler_calls.count() == 1


def test_cache_key_depends_on_seed_and_settings(cached_sample, sampler_calls):
    keys = {
        cached_sample().attrs["funnelguide_cache_key"],
        cached_sample(random_seed=6).attrs["funnelguide_cache_key"],
        cached_sample(draws=61).attrs["funnelguide_cache_key"],
        cached_sample(target_accept=0.95).attrs["funnelguide_cache_key"],
    }
    assert len(keys) == 4
    assert sampler_calls.count() == 4
    assert len([p for p in cached_sample.cache_dir.iterdir() if p.is_dir()]) == 4


def _flip_bytes_in_a_chunk(store, manifest):
    chunk = next(
        p
        for p in sorted((store / "posterior" / "tau").rglob("*"))
        if p.is_file() and p.name != "zarr.json"
    )
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0xFF
    chunk.write_bytes(bytes(data))


def _foreign_manifest(store, manifest):
    text = json.loads(manifest.read_text())
    text["key"] = "0" * 64
    manifest.write_text(json.dumps(text))


def _foreign_format(store, manifest):
    manifest.write_text(json.dumps({"format": "something-else", "key": store.parent.name}))


def _truncated_manifest(store, manifest):
    text = manifest.read_bytes()
    manifest.write_bytes(text[: len(text) // 2])


def _missing_manifest(store, manifest):
    manifest.unlink()


def _missing_store(store, manifest):
    for path in sorted(store.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    store.rmdir()


def _extra_file_in_store(store, manifest):
    (store / "posterior" / "stray").write_bytes(b"not part of the entry")


@pytest.mark.parametrize(
    "corrupt",
    [
        _flip_bytes_in_a_chunk,
        _foreign_manifest,
        _foreign_format,
        _truncated_manifest,
        _missing_manifest,
        _missing_store,
        _extra_file_in_store,
    ],
)
def test_corrupt_entry_is_resampled_with_a_warning_and_replaced(
    cached_sample, sampler_calls, corrupt
):
    original = cached_sample()
    store, manifest = _entry(cached_sample.cache_dir, original)
    corrupt(store, manifest)
    with pytest.warns(fg.CacheWarning, match=store.parent.name):
        resampled = cached_sample()
    assert sampler_calls.count() == 2
    _assert_same_draws(original, resampled)  # same seed, same process
    # The entry was replaced: the next call is a clean hit (any warning would be an error).
    sampler_calls.forbid()
    hit = cached_sample()
    _assert_same_draws(original, hit)
    key = store.parent.name
    assert sorted(p.name for p in cached_sample.cache_dir.iterdir()) == [key, f"{key}.lock"]


def _snapshot(folder):
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_files_outside_the_key_names_are_never_touched(cached_sample, sampler_calls):
    cache_dir = cached_sample.cache_dir
    cache_dir.mkdir()
    (cache_dir / "notes.txt").write_text("mine")
    (cache_dir / "other.zarr").mkdir()
    (cache_dir / "other.zarr" / "data").write_bytes(b"\x00\x01")
    (cache_dir / ("f" * 64 + ".json")).write_text("{not json")  # another key's broken entry
    os.utime(cache_dir / "notes.txt", ns=(1_000_000_000, 1_000_000_000))
    before = _snapshot(cache_dir)

    original = cached_sample()  # miss
    cached_sample()  # hit
    store, manifest = _entry(cache_dir, original)
    _truncated_manifest(store, manifest)
    with pytest.warns(fg.CacheWarning):
        cached_sample()  # corrupt -> resampled and replaced

    after = _snapshot(cache_dir)
    for name, content in before.items():
        assert after[name] == content, name
    own = {name for name in after if name.startswith(store.parent.name)}
    assert set(after) == set(before) | own  # nothing else written, no temporary files left


# ---------------------------------------------------------------- FUNNELGUIDE_CACHE_DIR


def test_cache_dir_from_the_environment(schools_model, tmp_path, monkeypatch, sampler_calls):
    folder = tmp_path / "from-env"
    monkeypatch.setenv(sampling.CACHE_DIR_ENV, str(folder))
    first = fg.sample(schools_model, **SHORT, random_seed=11)
    assert sampler_calls.count() == 1
    store, manifest = _entry(folder, first)
    assert store.is_dir() and manifest.is_file()
    sampler_calls.forbid()
    again = fg.sample(schools_model, **SHORT, random_seed=11)
    np.testing.assert_array_equal(again.posterior["tau"], first.posterior["tau"])


def test_cache_dir_from_the_environment_needs_a_seed_and_yields_to_an_argument(
    schools_model, tmp_path, monkeypatch, sampler_calls
):
    folder = tmp_path / "from-env"
    monkeypatch.setenv(sampling.CACHE_DIR_ENV, str(folder))
    fg.sample(schools_model, **SHORT)  # no seed: sampled, never stored, no error
    assert not folder.exists()
    explicit = tmp_path / "explicit"
    fg.sample(schools_model, **SHORT, random_seed=12, cache_dir=explicit)
    assert not folder.exists()
    assert len([p for p in explicit.iterdir() if p.is_dir()]) == 1
    monkeypatch.setenv(sampling.CACHE_DIR_ENV, "")  # empty: no cache
    fg.sample(schools_model, **SHORT, random_seed=12)
    assert not folder.exists()
    assert sampler_calls.count() == 3


def test_cache_dir_false_ignores_the_environment(schools_model, tmp_path, monkeypatch):
    folder = tmp_path / "from-env"
    monkeypatch.setenv(sampling.CACHE_DIR_ENV, str(folder))
    fg.sample(schools_model, **SHORT, random_seed=13, cache_dir=False)
    assert not folder.exists()


@pytest.mark.parametrize("cache_dir", [True, 3, ["cache"]])
def test_cache_dir_of_a_wrong_type(schools_model, cache_dir):
    with pytest.raises(TypeError, match=r"cache_dir must be a folder \(str or path\), None"):
        fg.sample(schools_model, **SHORT, random_seed=13, cache_dir=cache_dir)


# ---------------------------------------------------------------- the key: exact content


def test_arrays_that_print_alike_get_different_keys():
    """numpy shortens the repr of large arrays, so a key made from repr would collide."""
    first = np.zeros(2000)
    second = first.copy()
    second[1000] = 1.0
    assert repr(first) == repr(second)  # the old key's material was the same
    settings = {"draws": 10, "random_seed": 1}
    assert (
        cache_key("0" * 64, settings, {"init_mean": first})[0]
        != cache_key("0" * 64, settings, {"init_mean": second})[0]
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (np.zeros(3, dtype="float64"), np.zeros(3, dtype="float32")),  # dtype
        (np.zeros((2, 3)), np.zeros((3, 2))),  # shape, same bytes
        (1, 1.0),  # int and float
        (0.1, float(np.nextafter(0.1, 1.0))),  # floats one ulp apart
        ("1", 1),
        ([1, 2], (1, 2)),
        ({"a": 1}, {"a": 1.0}),
    ],
)
def test_different_keyword_values_get_different_keys(left, right):
    assert cache_key("0" * 64, {}, {"x": left})[0] != cache_key("0" * 64, {}, {"x": right})[0]


def test_equal_keyword_values_get_equal_keys():
    a = {"init_mean": np.arange(5.0), "target_accept": 0.9, "nested": {"b": [1, 2], "a": None}}
    b = {"target_accept": 0.9, "nested": {"a": None, "b": [1, 2]}, "init_mean": np.arange(5.0)}
    assert cache_key("0" * 64, {}, a)[0] == cache_key("0" * 64, {}, b)[0]


def test_large_array_keyword_is_not_served_another_calls_draws(
    schools_model, tmp_path, monkeypatch
):
    """Two calls whose keyword arrays print alike must not share an entry."""
    drawn = fg.sample(schools_model, **SHORT, random_seed=3, cache_dir=False)
    calls = []

    def sampler(model, fingerprint, settings, sampler_kwargs):
        # a stand-in sampler that accepts any keyword: records it and returns real draws
        calls.append(sampler_kwargs)
        return drawn.copy(deep=True)

    monkeypatch.setattr(sampling, "_run_sampler", sampler)
    first = np.zeros(2000)
    second = first.copy()
    second[1000] = 1.0
    for value in (first, second, first):
        fg.sample(schools_model, **SHORT, random_seed=3, cache_dir=tmp_path, init_mean=value)
    assert len(calls) == 2  # first and second sampled; first again was a hit
    np.testing.assert_array_equal(calls[1]["init_mean"], second)


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1: "a"}])
def test_keyword_without_exact_content_is_rejected_clearly(schools_model, tmp_path, value):
    with pytest.raises(TypeError, match=r"sampler keyword extra=.*cache"):
        fg.sample(schools_model, **SHORT, random_seed=3, cache_dir=tmp_path, extra=value)


# ---------------------------------------------------------------- the caller's data


def _attrs_of_every_node(tree: xr.DataTree) -> dict[str, dict]:
    return {node.path: dict(node.attrs) for node in tree.subtree}


def test_writing_an_entry_never_changes_the_idata_given(schools_model, tmp_path):
    from funnelguide import cache

    idata = fg.sample(schools_model, **SHORT, random_seed=4, cache_dir=False)
    before = _attrs_of_every_node(idata)
    tau = idata.posterior["tau"].to_numpy().copy()
    stored = cache.write_entry(tmp_path, "a" * 64, idata, {"note": "test"})
    assert _attrs_of_every_node(idata) == before
    np.testing.assert_array_equal(idata.posterior["tau"].to_numpy(), tau)
    assert stored.attrs["funnelguide_cache_key"] == "a" * 64
    assert "funnelguide_cache_key" not in idata.attrs


def test_a_hit_is_not_changed_by_changing_the_result_of_a_miss(cached_sample, sampler_calls):
    first = cached_sample()
    tau = first.posterior["tau"].to_numpy().copy()
    first.posterior["tau"][...] = -1.0  # the caller edits the result it got
    first.attrs["note"] = "mine"
    sampler_calls.forbid()
    hit = cached_sample()
    np.testing.assert_array_equal(hit.posterior["tau"].to_numpy(), tau)
    assert "note" not in hit.attrs
