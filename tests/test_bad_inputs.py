"""Bad input gets a clear error naming the argument, the bad value and what is allowed.

One test per case. Each checks the exception type, that the message names the argument and the
value, and that the error came from funnelguide's own checks, not from deep inside PyTensor.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import pytest

import funnelguide as fg


@contextmanager
def raises_clearly(exception: type[Exception], match: str):
    with pytest.raises(exception, match=match) as info:
        yield info
    assert type(info.value).__module__ == "builtins"
    frames = [str(entry.path) for entry in info.traceback]
    assert not any("pytensor" in frame for frame in frames), frames[-1]
    assert info.value.__cause__ is None and info.value.__context__ is None


@pytest.fixture
def idata_without_sample_stats(radon_noncentered_idata):
    stripped = radon_noncentered_idata.copy()
    del stripped["sample_stats"]
    assert "sample_stats" not in stripped.children
    return stripped


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- parameterization


def test_unknown_parameterization_string():
    with raises_clearly(ValueError, r"parameterization='centred'.*\['centered', 'noncentered'\]"):
        fg.radon_model(parameterization="centred")


@pytest.mark.parametrize(
    "build", [fg.eight_schools_model, fg.neals_funnel_model], ids=["eight_schools", "funnel"]
)
def test_unknown_parameterization_string_in_other_models(build):
    with raises_clearly(ValueError, r"parameterization='non-centered'.*'noncentered'"):
        build(parameterization="non-centered")


def test_unknown_parameterization_string_in_a_mapping():
    with raises_clearly(ValueError, r"parameterization\['b'\]='offset'.*'noncentered'"):
        fg.radon_model(parameterization={"b": "offset"})


def test_unknown_group_key():
    with raises_clearly(ValueError, r"parameterization.*\['c'\].*groups are \['a', 'b'\]"):
        fg.radon_model(parameterization={"c": "noncentered"})


def test_group_key_of_another_model():
    with raises_clearly(ValueError, r"parameterization.*\['b'\].*groups are \['theta'\]"):
        fg.eight_schools_model(parameterization={"b": "noncentered"})


def test_weight_above_one():
    with raises_clearly(ValueError, r"parameterization=1\.5 is outside \[0, 1\]"):
        fg.radon_model(parameterization=1.5)


def test_weight_below_zero_in_a_mapping():
    with raises_clearly(ValueError, r"parameterization\['a'\]=-0\.1 is outside \[0, 1\]"):
        fg.radon_model(parameterization={"a": -0.1})


def test_weight_nan():
    with raises_clearly(ValueError, r"parameterization=nan is outside \[0, 1\]"):
        fg.radon_model(parameterization=float("nan"))


def test_parameterization_of_the_wrong_type():
    with raises_clearly(TypeError, r"parameterization must be .* got None of type NoneType"):
        fg.radon_model(parameterization=None)


def test_boolean_weight_is_refused():
    with raises_clearly(TypeError, r"parameterization\['b'\] must be .* got True of type bool"):
        fg.radon_model(parameterization={"b": True})


# ---------------------------------------------------------------- data


def test_data_missing_a_column(radon):
    with raises_clearly(KeyError, r"data is missing column\(s\) \['floor'\].*needs"):
        fg.radon_model(radon.drop(columns="floor"))


def test_eight_schools_data_missing_a_column():
    with raises_clearly(KeyError, r"data is missing column\(s\) \['sigma'\]"):
        fg.eight_schools_model(fg.load_eight_schools().drop(columns="sigma"))


def test_nan_in_data(radon):
    bad = radon.copy()
    bad.loc[3, "log_radon"] = np.nan
    with raises_clearly(ValueError, r"data\['log_radon'\] has 1 missing .* row\(s\) \[3\]"):
        fg.radon_model(bad)


def test_infinity_in_data(radon):
    bad = radon.astype({"floor": float})
    bad.loc[7, "floor"] = np.inf
    with raises_clearly(ValueError, r"data\['floor'\] has 1 missing or non-finite .* \[7\]"):
        fg.radon_model(bad)


def test_missing_county_name(radon):
    bad = radon.copy()
    bad.loc[12, "county"] = None
    with raises_clearly(ValueError, r"data\['county'\] has 1 missing .* \[12\]"):
        fg.radon_model(bad)


def test_non_numeric_column(radon):
    bad = radon.astype({"floor": object})
    bad.loc[5, "floor"] = "upstairs"
    with raises_clearly(TypeError, r"data\['floor'\] must be numeric.*'upstairs' at row 5"):
        fg.radon_model(bad)


def test_numbers_as_strings_are_refused(radon):
    with raises_clearly(TypeError, r"data\['log_radon'\] must be numeric.*dtype"):
        fg.radon_model(radon.astype({"log_radon": str}))


def test_empty_data(radon):
    with raises_clearly(ValueError, r"data has no rows"):
        fg.radon_model(radon.iloc[:0])


def test_data_that_is_not_a_frame(radon):
    with raises_clearly(TypeError, r"data must be a pandas DataFrame .* got dict"):
        fg.radon_model(radon.to_dict())


def test_non_positive_standard_error():
    schools = fg.load_eight_schools()
    schools.loc[2, "sigma"] = 0.0
    with raises_clearly(ValueError, r"data\['sigma'\] must be positive.* got 0\.0 at row 2"):
        fg.eight_schools_model(schools)


# ---------------------------------------------------------------- ndim


@pytest.mark.parametrize(
    ("ndim", "exception"),
    [(1, ValueError), (0, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError)],
)
def test_wrong_ndim(ndim, exception):
    with raises_clearly(exception, rf"ndim must be .*at least 2.*got {re.escape(repr(ndim))}"):
        fg.neals_funnel_model(ndim)


# ---------------------------------------------------------------- variables, indices, results


def test_scale_not_in_result(radon_noncentered_idata):
    with raises_clearly(KeyError, r"scale='sigma_c' is not a variable .*'sigma_b'"):
        fg.funnel_report(radon_noncentered_idata, scale="sigma_c", group="b")


def test_group_not_in_result(radon_noncentered_idata):
    with raises_clearly(KeyError, r"group='theta' is not a variable .*'b_offset'"):
        fg.funnel_report(radon_noncentered_idata, group="theta", scale="sigma_b")


def test_scale_that_is_not_a_scalar(radon_noncentered_idata):
    with raises_clearly(ValueError, r"scale='b' must be a scalar .*county"):
        fg.funnel_report(radon_noncentered_idata, scale="b", group="b")


def test_plotted_variable_not_in_result(radon_noncentered_idata):
    with raises_clearly(KeyError, r"var='beta' is not a variable of the posterior"):
        fg.plots.plot_chain(radon_noncentered_idata, "beta")


def test_plotted_scale_not_in_result(radon_noncentered_idata):
    with raises_clearly(KeyError, r"scale='tau' is not a variable of the posterior"):
        fg.plots.plot_funnel(radon_noncentered_idata, scale="tau", var="b", index=75)


def test_scale_posteriors_of_a_missing_scale(radon_noncentered_idata):
    with raises_clearly(KeyError, r"scale='tau' is not a variable of the posterior"):
        fg.plots.plot_scale_posteriors({"fit": radon_noncentered_idata}, scale="tau")


def test_map_vs_mean_of_a_variable_missing_from_the_map(radon_noncentered_idata):
    with raises_clearly(KeyError, r"var='b' is not in map_estimate; it has \['a'\]"):
        fg.map_vs_mean({"a": np.zeros(85)}, radon_noncentered_idata, var="b")


def test_map_vs_mean_of_a_variable_missing_from_the_result(radon_noncentered_idata):
    with raises_clearly(KeyError, r"var='theta' is not a variable of the posterior"):
        fg.map_vs_mean({"theta": np.zeros(8)}, radon_noncentered_idata, var="theta")


def test_map_of_another_model(radon_noncentered_idata):
    with raises_clearly(ValueError, r"map_estimate\['b'\] has shape \(84,\).*\(85,\)"):
        fg.map_vs_mean({"b": np.zeros(84)}, radon_noncentered_idata, var="b")


def test_index_out_of_range(radon_noncentered_idata):
    with raises_clearly(ValueError, r"index=85 is out of range for 'b'.*0 to 84"):
        fg.plots.plot_funnel(radon_noncentered_idata, index=85, var="b", scale="sigma_b")


def test_negative_index_out_of_range(radon_noncentered_idata):
    with raises_clearly(ValueError, r"index=-86 is out of range"):
        fg.plots.plot_funnel(radon_noncentered_idata, index=-86, var="b", scale="sigma_b")


def test_unknown_index_label(radon_noncentered_idata):
    with raises_clearly(ValueError, r"index='ATLANTIS' is neither a position.*'county'"):
        fg.plots.plot_funnel(radon_noncentered_idata, index="ATLANTIS", var="b", scale="sigma_b")


def test_index_into_a_scalar(radon_noncentered_idata):
    with raises_clearly(ValueError, r"index=3 needs a variable with one dimension.*'mu_b'"):
        fg.plots.plot_funnel(radon_noncentered_idata, var="mu_b", index=3, scale="sigma_b")


def test_chain_not_in_result(radon_noncentered_idata):
    with raises_clearly(ValueError, r"chain=7 is not a chain of this fit.*\[0, 1, 2, 3\]"):
        fg.plots.plot_chain(radon_noncentered_idata, chain=7, var="sigma_b")


def test_report_on_a_result_without_sample_stats(idata_without_sample_stats):
    with raises_clearly(ValueError, r"idata has no 'sample_stats' group"):
        fg.funnel_report(idata_without_sample_stats, scale="sigma_b", group="b")


def test_funnel_plot_of_a_result_without_sample_stats(idata_without_sample_stats):
    with raises_clearly(ValueError, r"idata has no 'sample_stats' group"):
        fg.plots.plot_funnel(idata_without_sample_stats, var="b", index=75, scale="sigma_b")
    # Without divergences to mark, the posterior alone is enough.
    ax = fg.plots.plot_funnel(
        idata_without_sample_stats, show_divergences=False, var="b", index=75, scale="sigma_b"
    )
    assert len(ax.collections) == 1


def test_result_that_is_not_a_datatree(radon_noncentered_idata):
    posterior = radon_noncentered_idata.posterior.to_dataset()
    with raises_clearly(TypeError, r"idata must be the xarray.DataTree .* got Dataset"):
        fg.funnel_report(posterior, scale="sigma_b", group="b")


# ---------------------------------------------------------------- plots


def test_ax_that_is_not_an_axes(radon_noncentered_idata):
    with raises_clearly(TypeError, r"ax must be a matplotlib Axes or None, got Figure"):
        fg.plots.plot_chain(radon_noncentered_idata, ax=plt.figure(), var="sigma_b")


def test_scale_posteriors_of_no_fits():
    with raises_clearly(ValueError, r"fits is empty"):
        fg.plots.plot_scale_posteriors({}, scale="sigma_b")


def test_map_table_missing_columns():
    import pandas as pd

    with raises_clearly(KeyError, r"table is missing column\(s\) \['posterior_sd'\]"):
        fg.plots.plot_map_vs_mean(pd.DataFrame({"map": [0.0], "posterior_mean": [0.0]}), var="b")


# ---------------------------------------------------------------- sample


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, r"draws must be an integer of at least 1, got 0"),
        ({"draws": 1.5}, r"draws must be an integer of at least 1, got 1\.5"),
        ({"draws": "100"}, r"draws must be an integer of at least 1, got '100'"),
        ({"tune": -1}, r"tune must be an integer of at least 0, got -1"),
        ({"chains": 0}, r"chains must be an integer of at least 1, got 0"),
        ({"chains": True}, r"chains must be an integer of at least 1, got True"),
    ],
    ids=["draws=0", "draws=1.5", "draws='100'", "tune=-1", "chains=0", "chains=True"],
)
def test_bad_counts(schools_model, kwargs, match):
    with raises_clearly(ValueError, match):
        fg.sample(schools_model, **kwargs)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.0, "1", True], ids=repr)
def test_bad_seed(schools_model, seed):
    match = rf"random_seed must be None or an integer.*{re.escape(repr(seed))}"
    with raises_clearly(ValueError, match):
        fg.sample(schools_model, random_seed=seed)


def test_cache_dir_without_seed(schools_model, tmp_path):
    cache_dir = tmp_path / "cache"
    match = rf"cache_dir={re.escape(repr(str(cache_dir)))}.*random_seed=None"
    with raises_clearly(ValueError, match):
        fg.sample(schools_model, cache_dir=cache_dir)
    assert not cache_dir.exists()


def test_unknown_nuts_sampler(schools_model):
    with raises_clearly(ValueError, r"nuts_sampler='stan' is not available.*'nutpie', 'pymc'"):
        fg.sample(schools_model, nuts_sampler="stan")


def test_model_that_is_not_a_model():
    with raises_clearly(TypeError, r"model must be a pymc.Model .* got str"):
        fg.sample("radon")


def test_find_map_of_a_non_model(radon):
    with raises_clearly(TypeError, r"model must be a pymc.Model .* got DataFrame"):
        fg.find_map(radon)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 0.0}, r"top must be a share in \(0, 1\], got 0.0"),
        ({"top": True}, r"top must be a share in \(0, 1\], got True"),
        ({"xlim": (0.5, 0.1)}, r"xlim must be two increasing positive numbers, got \(0.5, 0.1\)"),
        ({"xlim": (0.0, 1.0)}, r"xlim must be two increasing positive numbers"),
        ({"xlim": 3.0}, r"xlim must be two increasing positive numbers, got 3.0"),
    ],
)
def test_lower_tail_with_bad_ranges(radon_noncentered_idata, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fg.plots.plot_lower_tail({"fit": radon_noncentered_idata}, scale="sigma_b", **kwargs)


def test_lower_tail_of_a_scale_that_is_not_positive(radon_noncentered_idata):
    with pytest.raises(ValueError, match=r"scale='mu_b' must be positive .* the fit 'fit'"):
        fg.plots.plot_lower_tail({"fit": radon_noncentered_idata}, scale="mu_b")


def test_lower_tail_of_a_missing_scale_or_no_fits(radon_noncentered_idata):
    with pytest.raises(KeyError, match=r"scale='tau' is not a variable of the posterior"):
        fg.plots.plot_lower_tail({"fit": radon_noncentered_idata}, scale="tau")
    with pytest.raises(ValueError, match="fits is empty"):
        fg.plots.plot_lower_tail({}, scale="sigma_b")


@pytest.mark.parametrize("quantile", [0.0, 1.0, -0.1, 1.5, "0.05", True, float("nan")])
def test_estimate_of_a_bad_quantile(radon_noncentered_idata, quantile):
    with pytest.raises(ValueError, match=r"quantile must be a probability strictly between"):
        fg.estimate(radon_noncentered_idata, "sigma_b", quantile=quantile)


def test_estimate_of_a_missing_or_vector_variable(radon_noncentered_idata):
    with pytest.raises(KeyError, match=r"var='tau' is not a variable of the posterior"):
        fg.estimate(radon_noncentered_idata, "tau")
    with pytest.raises(ValueError, match=r"var='b' must be a scalar parameter"):
        fg.estimate(radon_noncentered_idata, "b")
