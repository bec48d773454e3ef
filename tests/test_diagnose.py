"""fg.diagnose: per-group advice on simulated data where the right answer is known."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

import funnelguide as fg


@pytest.fixture(scope="module")
def rich_and_weak():
    """Group a: 12 members x 100 precise observations each; group b: one noisy one each."""
    rng = np.random.default_rng(3)
    members, per_member = 12, 100
    rich_idx = np.repeat(np.arange(members), per_member)
    y_rich = rng.normal(0, 1, members)[rich_idx] + rng.normal(0, 0.5, rich_idx.size)
    y_weak = rng.normal(0, 0.3, members) + rng.normal(0, 3, members)
    with pm.Model(coords={"rich": range(members), "weak": range(members)}) as model:
        mu = pm.Normal("mu", 0, 2)
        s_a, s_b = pm.HalfNormal("s_a", 1), pm.HalfNormal("s_b", 1)
        a = pm.Normal("a", mu, s_a, dims="rich")
        b = pm.Normal("b", 0, s_b, dims="weak")
        pm.Normal("y_rich", a[pm.Data("rich_idx", rich_idx)], 0.5, observed=y_rich)
        pm.Normal("y_weak", b, 3.0, observed=y_weak, dims="weak")
    fit = fg.sample(model, draws=400, tune=400, chains=2, random_seed=1)
    return model, fit


def test_advice_centers_the_rich_group_and_noncenters_the_weak(rich_and_weak):
    model, fit = rich_and_weak
    diagnosis = fg.diagnose(fit, model)
    assert diagnosis.parameterization == {"a": "centered", "b": "noncentered"}
    assert diagnosis.groups["a"].kappa.max() < 0.5 < diagnosis.groups["b"].kappa.min()
    table = diagnosis.to_dataframe()
    assert table.loc["b", "advice"] == "noncentered"
    assert all(len(line) <= 78 for line in str(diagnosis).splitlines())
    advised = fg.reparameterize(model, diagnosis.parameterization)
    forms = fg.hierarchical_groups(advised)["form"].to_dict()
    assert forms == {"a": "centered", "b": "noncentered"}
    assert fg.reparameterize(model, diagnosis.member_parameterization) is not None


def test_the_advice_holds_from_a_noncentered_fit(rich_and_weak):
    """Shrinkage is read from each member's deviation from its own loc, in any form."""
    model, _ = rich_and_weak
    noncentered = fg.reparameterize(model, "noncentered")
    fit = fg.sample(noncentered, draws=400, tune=400, chains=2, random_seed=2)
    diagnosis = fg.diagnose(fit, noncentered)
    assert diagnosis.parameterization == {"a": "centered", "b": "noncentered"}
    assert diagnosis.groups["a"].form == "noncentered"


def test_a_model_without_groups_is_said_so():
    with pm.Model() as model:
        pm.Normal("y", pm.Normal("mu"), 1.0, observed=[0.1, 0.2, 0.3])
    fit = fg.sample(model, draws=100, tune=100, chains=2, random_seed=1)
    diagnosis = fg.diagnose(fit, model)
    assert diagnosis.groups == {}
    assert diagnosis.parameterization == {}
    assert "none found" in str(diagnosis)


def test_a_posterior_lacking_the_group_names_it(rich_and_weak):
    model, fit = rich_and_weak
    thin = fit.copy()
    thin["posterior"] = thin["posterior"].to_dataset().drop_vars("a")
    with pytest.raises(KeyError, match=r"needs \['a'\]"):
        fg.diagnose(thin, model)


def _with_sample_stats(fit, **replace):
    """A copy of ``fit`` with some sample statistics replaced (same chains and draws)."""
    copy = fit.copy()
    stats = copy["sample_stats"].to_dataset()
    for name, values in replace.items():
        stats[name] = (stats[name].dims, values)
    copy["sample_stats"] = stats
    return copy


def test_advice_cites_only_evidence_in_the_fit(rich_and_weak):
    """A short fit without divergences: low ESS is the evidence, and the advice says so."""
    model, fit = rich_and_weak
    short = fit.isel(draw=slice(0, 25))
    diverging = short["sample_stats"]["diverging"]
    short = _with_sample_stats(short, diverging=np.zeros(diverging.shape, dtype=bool))
    diagnosis = fg.diagnose(short, model)
    assert diagnosis.divergences == 0
    flagged = [g for g in diagnosis.groups.values() if g.problems]
    assert flagged, "25 draws per chain should give a low ESS somewhere"
    for group in diagnosis.groups.values():
        text = (group.verdict + " " + group.recommendation).lower()
        assert "divergen" not in text, (group.name, text)
    # the data-rich group stays centered: what to do is to run longer, not to chase divergences
    rich = diagnosis.groups["a"]
    assert rich.problems and rich.choice == "centered"
    assert "longer chains" in rich.recommendation, rich.recommendation


def test_ebfmi_is_reported_once_for_the_whole_model(rich_and_weak):
    """E-BFMI is a per-chain statistic: it goes in the model's header, not in each group."""
    model, fit = rich_and_weak
    energy = fit["sample_stats"]["energy"]
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=energy.shape), axis=-1)  # slowly explored energy
    sticky = _with_sample_stats(fit, energy=walk)
    diagnosis = fg.diagnose(sticky, model)
    assert diagnosis.ebfmi.max() < 0.3
    assert len(diagnosis.problems) == 1
    assert "E-BFMI" in diagnosis.problems[0]
    assert not diagnosis.ok
    for group in diagnosis.groups.values():
        assert not any("E-BFMI" in p for p in group.problems), group.problems
        assert "E-BFMI" not in group.verdict + group.recommendation
    text = str(diagnosis)
    assert text.count("E-BFMI below") == 1
    assert text.index("E-BFMI below") < text.index("Group ")
    healthy = fg.diagnose(fit, model)
    assert healthy.problems == ()


def test_dataframe_columns_are_readable_strings(rich_and_weak):
    model, fit = rich_and_weak
    table = fg.diagnose(fit, model).to_dataframe()
    assert table["scale"].to_dict() == {"a": "s_a", "b": "s_b"}
