"""fg.hierarchical_groups: groups found from the graph's structure, whatever their names."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

import funnelguide as fg


def test_forms_are_read_from_structure_not_names():
    """Deliberately misleading names: the form comes from the graph."""
    with pm.Model(coords={"g": range(4)}) as model:
        centre = pm.Normal("centre")
        spread = pm.HalfNormal("spread")
        raw = pm.Normal("looks_centered", 0.0, 1.0, dims="g")
        pm.Deterministic("alpha", centre + spread * raw, dims="g")
        part = pm.Normal("beta_offset", 0.3 * centre, spread**0.3, dims="g")
        pm.Deterministic("beta", centre + spread**0.7 * (part - 0.3 * centre), dims="g")
        pm.Normal("gamma_offset", centre, spread, dims="g")
    groups = fg.hierarchical_groups(model)
    assert groups["form"].to_dict() == {
        "alpha": "noncentered",
        "beta": "partial",
        "gamma_offset": "centered",
    }
    assert groups.loc["alpha", "latent"] == "looks_centered"
    assert groups.loc["alpha", "scale"] == "spread"
    assert groups.loc["alpha", "dims"] == ("g",)
    assert groups.loc["beta", "members"] == 4


def test_nested_crossed_indexed_and_mvnormal_groups():
    idx = np.array([0, 0, 1, 2])
    with pm.Model(coords={"region": range(3), "district": range(4), "k": range(2)}) as model:
        region_idx = pm.Data("region_idx", idx)
        mu = pm.Normal("mu")
        s_r, s_d = pm.HalfNormal("s_r"), pm.HalfNormal("s_d")
        region_eff = pm.Normal("region_eff", mu, s_r, dims="region")
        pm.Normal("district_eff", region_eff[region_idx], s_d * s_r, dims="district")
        chol, _, _ = pm.LKJCholeskyCov(
            "chol", n=2, eta=2.0, sd_dist=pm.Exponential.dist(1.0), compute_corr=True
        )
        pm.MvNormal("slopes", mu=pt.zeros(2), chol=chol, dims=("region", "k"))
        pm.Normal("fixed", mu, 2.0, dims="region")  # scale is a constant: no group
    groups = fg.hierarchical_groups(model)
    assert sorted(groups.index) == ["district_eff", "region_eff", "slopes"]
    assert groups.loc["district_eff", "loc"] == "region_eff[region_idx]"
    assert set(groups.loc["district_eff", "scale"].split(", ")) == {"s_d", "s_r"}
    assert groups.loc["slopes", "family"] == "MvNormal"
    assert groups.loc["slopes", "members"] == 3
    assert groups.loc["slopes", "scale"] == "chol"
    assert groups.loc["slopes", "loc"] == "0"  # pt.zeros(2), not the broadcast to chol
    rewritten = fg.hierarchical_groups(fg.reparameterize(model))
    assert set(rewritten["form"]) == {"noncentered"}
    assert rewritten.loc["district_eff", "loc"] == "region_eff[region_idx]"


def test_a_model_without_groups_gives_an_empty_table():
    with pm.Model() as model:
        pm.Normal("y", pm.Normal("mu"), 1.0, observed=[0.1, 0.2])
    groups = fg.hierarchical_groups(model)
    assert groups.empty
    assert {"family", "loc", "scale", "dims", "members", "form"} <= set(groups.columns)


def test_loc_and_scale_read_as_written():
    """An MvNormal's mu is shown as itself, not as its broadcast to the Cholesky factor; an
    index that is a plain array shows its length, one that is a pm.Data its name; scales
    are plain strings, in every form."""
    district_of_school = np.array([0, 0, 1, 1, 2])
    with pm.Model(coords={"district": range(3), "school": range(5), "k": range(2)}) as model:
        school_district = pm.Data("school_district", district_of_school)
        mu = pm.Normal("mu", 0.0, 5.0, dims="k")
        chol, _, _ = pm.LKJCholeskyCov(
            "chol", n=2, eta=2.0, sd_dist=pm.Exponential.dist(1.0, shape=2), compute_corr=True
        )
        pm.MvNormal("pairs", mu=mu, chol=chol, dims=("district", "k"))
        sigma = pm.HalfNormal("sigma")
        district_effect = pm.Normal("district_effect", 0.0, sigma, dims="district")
        pm.Normal("school_effect", district_effect[district_of_school], sigma, dims="school")
        pm.Normal("school_effect_data", district_effect[school_district], sigma, dims="school")
    for form in ("centered", "noncentered"):
        groups = fg.hierarchical_groups(fg.reparameterize(model, form))
        assert groups["loc"].to_dict() == {
            "pairs": "mu",
            "district_effect": "0",
            "school_effect": "district_effect[<5 indices>]",
            "school_effect_data": "district_effect[school_district]",
        }, form
        assert groups["scale"].to_dict() == {
            "pairs": "chol",
            "district_effect": "sigma",
            "school_effect": "sigma",
            "school_effect_data": "sigma",
        }, form
