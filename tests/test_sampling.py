"""sample(): seeded runs, compile once per process, the result cache, and Neal's funnel."""

from __future__ import annotations

import json
import os

import arviz_stats as azs
import numpy as np
import pymc as pm
import pytest
import xarray as xr

import funnelguide as fg
import funnelguide.sampling as sampling
from funnelguide.sampling import model_fingerprint

SHORT = {"draws": 60, "tune": 60, "chains": 2}


def _assert_same_draws(left: xr.DataTree, right: xr.DataTree) -> None:
    for group in ("posterior", "sample_stats"):
        a, b = left[group].to_dataset(), right[group].to_dataset()
        numeric = [name for name in a.data_vars if a[name].dtype.kind in "biuf"]
        assert numeric
        for name in numeric:
            np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy(), err_msg=name)


# ---------------------------------------------------------------- seeded runs


def test_sample_returns_the_documented_groups(schools_model):
    idata = fg.sample(schools_model, random_seed=1, **SHORT)
    assert {"posterior", "sample_stats", "observed_data"} <= set(idata.children)
    assert idata.posterior["tau"].shape == (2, 60)
    assert idata.posterior["theta"].shape == (2, 60, 8)
    assert idata.sample_stats["diverging"].dtype == bool
    assert {"compile_time", "sampling_time"} <= set(idata.posterior.attrs)


def test_same_seed_gives_identical_draws(schools_model):
    first = fg.sample(schools_model, random_seed=11, **SHORT)
    second = fg.sample(
        fg.eight_schools_model(parameterization="noncentered"), random_seed=11, **SHORT
    )
    _assert_same_draws(first, second)


def test_different_seed_gives_different_draws(schools_model):
    first = fg.sample(schools_model, random_seed=11, **SHORT)
    other = fg.sample(schools_model, random_seed=12, **SHORT)
    assert not np.array_equal(first.posterior["tau"].to_numpy(), other.posterior["tau"].to_numpy())


def test_no_seed_gives_fresh_draws(schools_model):
    first = fg.sample(schools_model, **SHORT)
    second = fg.sample(schools_model, **SHORT)
    assert not np.array_equal(first.posterior["tau"].to_numpy(), second.posterior["tau"].to_numpy())


def test_draws_tune_and_chains_are_honoured(schools_model):
    idata = fg.sample(schools_model, draws=7, tune=5, chains=3, random_seed=1)
    assert idata.posterior.sizes["chain"] == 3
    assert idata.posterior.sizes["draw"] == 7
    assert idata.posterior.attrs["tuning_steps"] == 5


# ---------------------------------------------------------------- compile once, fingerprints


def test_a_model_is_compiled_once_per_process():
    data = fg.load_eight_schools()
    data["y"] += 0.5  # a model no other test compiles, so the first call must compile it
    first = fg.sample(fg.eight_schools_model(data), random_seed=1, **SHORT)
    rebuilt = fg.sample(fg.eight_schools_model(data.copy()), random_seed=2, **SHORT)
    assert first.posterior.attrs["compile_time"] > 0
    assert rebuilt.posterior.attrs["compile_time"] == 0


@pytest.mark.parametrize("parameterization", ["centered", "noncentered", {"b": 0.3}])
def test_rebuilt_identical_model_has_the_same_fingerprint(parameterization):
    first = model_fingerprint(fg.radon_model(parameterization=parameterization))
    second = model_fingerprint(fg.radon_model(fg.load_radon(), parameterization=parameterization))
    assert len(first) == 64
    assert first == second


def test_changed_data_value_changes_the_fingerprint(radon):
    changed = radon.copy()
    changed.loc[10, "log_radon"] += 1e-9
    assert model_fingerprint(fg.radon_model(changed)) != model_fingerprint(fg.radon_model(radon))
    floor_changed = radon.copy()
    floor_changed.loc[10, "floor"] = 1 - floor_changed.loc[10, "floor"]
    assert model_fingerprint(fg.radon_model(floor_changed)) != model_fingerprint(
        fg.radon_model(radon)
    )


def _schools(prior_sd: float) -> pm.Model:
    schools = fg.load_eight_schools()
    with pm.Model(coords={"school": schools["school"].tolist()}) as model:
        mu = pm.Normal("mu", 0.0, prior_sd)
        tau = pm.HalfCauchy("tau", 5.0)
        theta = pm.Normal("theta", mu, tau, dims="school")
        pm.Normal(
            "y", theta, schools["sigma"].to_numpy(), observed=schools["y"].to_numpy(), dims="school"
        )
    return model


def test_changed_prior_changes_the_fingerprint():
    assert model_fingerprint(_schools(5.0)) == model_fingerprint(_schools(5.0))
    assert model_fingerprint(_schools(5.0)) == model_fingerprint(fg.eight_schools_model())
    assert model_fingerprint(_schools(5.0)) != model_fingerprint(_schools(6.0))


def test_parameterization_changes_the_fingerprint():
    prints = {
        model_fingerprint(fg.radon_model(parameterization=p))
        for p in ("centered", "noncentered", {"b": "noncentered"}, {"b": 0.3}, 0.5)
    }
    assert len(prints) == 5


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
    key = idata.attrs["funnelguide_cache_key"]
    return cache_dir / f"{key}.zarr", cache_dir / f"{key}.json"


def test_cache_miss_samples_and_writes_one_entry(cached_sample, sampler_calls):
    idata = cached_sample()
    assert sampler_calls.count() == 1
    key = idata.attrs["funnelguide_cache_key"]
    assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
    assert sorted(p.name for p in cached_sample.cache_dir.iterdir()) == [
        f"{key}.json",
        f"{key}.zarr",
    ]
    manifest = json.loads((cached_sample.cache_dir / f"{key}.json").read_text())
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
    assert len(list(cached_sample.cache_dir.glob("*.zarr"))) == 4


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
    manifest.write_text(json.dumps({"format": "something-else", "key": store.stem}))


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
    with pytest.warns(fg.CacheWarning, match=store.name):
        resampled = cached_sample()
    assert sampler_calls.count() == 2
    _assert_same_draws(original, resampled)  # same seed, same process
    # The entry was replaced: the next call is a clean hit (any warning would be an error).
    sampler_calls.forbid()
    hit = cached_sample()
    _assert_same_draws(original, hit)
    assert sorted(p.name for p in cached_sample.cache_dir.iterdir()) == sorted(
        [store.name, manifest.name]
    )


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
    own = {name for name in after if name.startswith((store.name, manifest.name))}
    assert set(after) == set(before) | own  # nothing else written, no temporary files left


# ---------------------------------------------------------------- Neal's funnel


def test_noncentered_funnel_recovers_the_exact_moments_of_v(funnel_noncentered_idata):
    v = funnel_noncentered_idata.posterior["v"].to_numpy().ravel()
    exact = fg.NEALS_FUNNEL_V_EXACT
    mcse_mean = float(azs.mcse(funnel_noncentered_idata, var_names=["v"], method="mean")["v"])
    mcse_sd = float(azs.mcse(funnel_noncentered_idata, var_names=["v"], method="sd")["v"])
    assert 0 < mcse_mean < 0.2 and 0 < mcse_sd < 0.2  # enough effective draws to mean something
    assert abs(v.mean() - exact["mean"]) < 4 * mcse_mean
    assert abs(v.std() - exact["sd"]) < 4 * mcse_sd
    assert int(funnel_noncentered_idata.sample_stats["diverging"].sum()) == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_centered_funnel_diverges(funnel_centered_model, funnel_centered_idata, seed):
    idata = (
        funnel_centered_idata
        if seed == 1
        else fg.sample(funnel_centered_model, draws=2000, tune=1000, chains=4, random_seed=seed)
    )
    assert int(idata.sample_stats["diverging"].sum()) > 0


def test_centered_funnel_misses_the_neck(funnel_centered_idata, funnel_noncentered_idata):
    centered = funnel_centered_idata.posterior["v"].to_numpy()
    noncentered = funnel_noncentered_idata.posterior["v"].to_numpy()
    # The exact distribution puts 2.3% of its mass below -6; the non-centered fit reaches it.
    assert noncentered.min() < -6
    assert centered.min() > noncentered.min() + 2


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
    assert len(list(explicit.glob("*.json"))) == 1
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
