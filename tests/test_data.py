"""The bundled data: shape, counts, ranges, coding and the exact bytes shipped."""

from __future__ import annotations

import hashlib
import math
from importlib import resources

import numpy as np
import pytest

import funnelguide as fg

# SHA-256 of the files as committed; a change to either file must be deliberate.
CHECKSUMS = {
    "radon.csv": "58e634d15a4a36388f65e241fbb3d411fc6876429f620e37b357ee61b17aa6bf",
    "eight_schools.csv": "a1c28881a82a652fba1d3afc6254761fa95fd7f16f2ccab1fc7a7075dc8a8a0e",
}


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_bundled_file_has_the_committed_checksum(name):
    data = resources.files("funnelguide.datasets").joinpath(name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == CHECKSUMS[name]


def test_radon_has_919_rows_and_the_documented_columns(radon):
    assert radon.shape == (919, 5)
    assert list(radon.columns) == ["county", "county_idx", "floor", "log_radon", "log_uranium"]
    assert radon.notna().all().all()


def test_radon_has_85_counties_with_the_known_counts(radon):
    counts = radon["county"].value_counts()
    assert len(counts) == 85
    assert counts.sum() == 919
    assert counts.min() == 1
    assert counts.max() == 116
    assert counts.idxmax() == "ST LOUIS"
    # Counts of Gelman and Hill (2007), chapter 12.
    assert counts["HENNEPIN"] == 105
    assert counts["ANOKA"] == 52
    assert counts["AITKIN"] == 4
    assert counts["LAC QUI PARLE"] == 2
    assert sorted(counts[counts == 1].index) == ["MAHNOMEN", "MURRAY", "WILKIN"]


def test_radon_county_names_are_clean_upper_case(radon):
    names = radon["county"]
    assert (names == names.str.upper()).all()
    assert (names == names.str.strip()).all()


def test_county_idx_codes_counties_in_alphabetical_order(radon):
    pairs = radon[["county", "county_idx"]].drop_duplicates().sort_values("county_idx")
    assert len(pairs) == 85  # one code per county and one county per code
    assert pairs["county_idx"].tolist() == list(range(85))
    assert pairs["county"].tolist() == sorted(pairs["county"])
    assert pairs["county"].iloc[0] == "AITKIN"
    assert pairs["county"].iloc[-1] == "YELLOW MEDICINE"


def test_radon_value_ranges(radon):
    assert set(radon["floor"].unique()) == {0, 1}
    assert (radon["floor"] == 1).sum() == 153
    assert radon["log_radon"].between(math.log(0.1) - 1e-6, 4.0).all()
    assert radon["log_radon"].min() == pytest.approx(math.log(0.1), abs=1e-6)
    # Zero readings were set to 0.1 pCi/L before the log (datasets/README.md).
    assert np.isclose(radon["log_radon"], math.log(0.1), atol=1e-6).sum() == 4
    assert radon["log_radon"].mean() == pytest.approx(1.2246, abs=1e-4)
    assert radon["log_uranium"].between(-1.0, 0.6).all()


def test_log_uranium_is_a_county_level_predictor(radon):
    assert (radon.groupby("county")["log_uranium"].nunique() == 1).all()


def test_load_radon_returns_an_independent_frame_each_call():
    first = fg.load_radon()
    first.loc[0, "log_radon"] = 99.0
    assert fg.load_radon().loc[0, "log_radon"] != 99.0


def test_eight_schools_values():
    schools = fg.load_eight_schools()
    assert list(schools.columns) == ["school", "y", "sigma"]
    assert schools["school"].tolist() == list("ABCDEFGH")
    assert schools["y"].tolist() == [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]
    assert schools["sigma"].tolist() == [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]


BATTING_SHA256 = "4c62e2ac7260635f5832d40901e9b7faac247f217652ee60d9ce5dbe8e879977"


def test_batting_file_has_the_committed_checksum():
    data = resources.files("funnelguide.datasets").joinpath("batting.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == BATTING_SHA256


def test_batting_matches_efron_and_morris_table_1():
    batting = fg.load_batting()
    assert batting.shape == (18, 6)
    assert batting["player"].is_unique
    assert (batting["at_bats"] == 45).all()
    # Efron and Morris (1975), table 1: the early averages are hits / 45 to three decimals.
    early = dict(zip(batting["player"], (batting["hits"] / 45).round(3), strict=True))
    assert early["Roberto Clemente"] == 0.4
    assert early["Thurman Munson"] == 0.178
    assert early["Max Alvis"] == 0.156
    assert batting["hits"].is_monotonic_decreasing
    assert batting["hits"].sum() == 215
    assert batting.set_index("player").loc["Roberto Clemente", "remaining_average"] == 0.346
    assert batting.set_index("player").loc["Thurman Munson", "remaining_average"] == 0.316


def test_batting_remaining_hits_round_to_the_published_average():
    batting = fg.load_batting()
    ratio = batting["remaining_hits"] / batting["remaining_at_bats"]
    assert np.allclose(ratio.round(3), batting["remaining_average"], atol=1e-12)
    assert (batting["remaining_hits"] < batting["remaining_at_bats"]).all()
