"""The funnel-explorer directive: option validation and what it writes, in a tiny Sphinx build."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import funnel_explorer  # noqa: E402

import funnelguide as fg  # noqa: E402
from funnelguide import dynamics  # noqa: E402


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("step-size", "0", "above 0"),
        ("step-size", "-0.1", "above 0"),
        ("step-size", "nan", "above 0"),
        ("step-size", "big", "must be a number"),
        ("steps", "0", "from 1 to 1000"),
        ("steps", "2.5", "must be an integer"),
        ("steps", "1001", "from 1 to 1000"),
        ("start", "1", "two numbers 'v, x'"),
        ("start", "-20, 0", "v must be from -9 to 9"),
        ("momentum", "1, inf", "two numbers"),
        ("threshold", "-5", "above 0"),
        ("seed", "0", "from 1"),
    ],
)
def test_bad_option_names_option_value_and_range(option: str, value: str, message: str) -> None:
    convert = funnel_explorer.OPTION_SPEC[option]
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        convert(value)
    assert repr(option) in str(info.value) and value in str(info.value)


def test_good_options_parse() -> None:
    spec = funnel_explorer.OPTION_SPEC
    assert spec["start"]("-4, 0.1") == [-4.0, 0.1]
    assert spec["momentum"]("1 -2") == [1.0, -2.0]
    assert spec["steps"]("1000") == 1000
    assert spec["step-size"]("0.25") == 0.25


def test_reference_cases_match_the_library_in_v_x_order() -> None:
    cases = funnel_explorer.reference_cases(0.3, 7, [0.5, -1.0])
    case = next(c for c in cases if c["parameterization"] == "centered")
    v, x = case["start"]
    q, _, h = dynamics.leapfrog(
        dynamics.funnel_logp_grad, np.array([x, v]), np.array([-1.0, 0.5]), step_size=0.3, n_steps=7
    )
    np.testing.assert_allclose(np.array(case["positions"])[:, ::-1], q)
    np.testing.assert_allclose(case["energy_errors"], h - h[0])


def _build(tmp_path: Path, body: str) -> tuple[int, str, Path]:
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['funnel_explorer']\nhtml_theme = 'basic'\n", encoding="utf-8"
    )
    (src / "index.rst").write_text("Test\n====\n\n" + body, encoding="utf-8")
    out = tmp_path / "out"
    import io

    warnings = io.StringIO()
    app = Sphinx(
        str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
        status=None, warning=warnings, freshenv=True, warningiserror=False,
    )  # fmt: skip
    app.build()
    return app.statuscode, warnings.getvalue(), out


def test_directive_writes_widget_config_and_fallback(tmp_path: Path) -> None:
    code, warnings, out = _build(
        tmp_path, ".. funnel-explorer::\n   :step-size: 0.3\n   :steps: 12\n   :start: -2, 0.5\n"
    )
    assert code == 0 and "ERROR" not in warnings and "WARNING" not in warnings, warnings
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="funnel-explorer"' in page
    assert "funnel-explorer.js" in page and "funnel-explorer.css" in page
    assert 'src="data:image/png;base64,' in page
    payload = re.search(r'class="funnel-explorer-config">(.*?)</script>', page, re.S).group(1)
    config = json.loads(payload)
    assert config["step_size"] == 0.3 and config["steps"] == 12 and config["start"] == [-2.0, 0.5]
    assert config["threshold"] == dynamics.DIVERGENCE_THRESHOLD
    assert config["p_below_minus_3"] == fg.NEALS_FUNNEL_V_EXACT["p_below_minus_3"]
    assert len(config["reference_cases"]) == 4


def test_bad_option_is_a_build_error(tmp_path: Path) -> None:
    _, warnings, out = _build(tmp_path, ".. funnel-explorer::\n   :steps: -3\n")
    assert "funnel-explorer option 'steps' must be from 1 to 1000, got '-3'" in warnings
    assert 'class="funnel-explorer"' not in (out / "index.html").read_text(encoding="utf-8")
