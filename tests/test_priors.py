"""One table of priors (funnelguide._model_priors), read by the models and the exact posteriors.

For every prior of every model: the built model's log density of that parameter equals, at
random points, the table's and the one the exact code evaluates (its scale priors through
``log_scale_prior``, its normal priors through their standard deviations).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from scipy import stats

import funnelguide as fg
from funnelguide import dynamics
from funnelguide._model_priors import MODEL_PRIORS, Prior
from funnelguide.exact import log_scale_prior
from funnelguide.exact._priors import _resolve_priors
from funnelguide.exact.eight_schools import EIGHT_SCHOOLS_MU_SD, EIGHT_SCHOOLS_TAU_PRIOR
from funnelguide.exact.radon import RADON_MU_SD, RADON_SCALES

BUILDERS = {
    "radon_model": fg.radon_model,
    "pooled_radon_model": fg.pooled_radon_model,
    "eight_schools_model": fg.eight_schools_model,
    "neals_funnel_model": lambda: fg.neals_funnel_model(ndim=3),
}
CASES = [(model, name) for model, priors in MODEL_PRIORS.items() for name in priors]


def _points(prior: Prior, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spread = prior.scale * rng.exponential(size=7) * rng.choice([0.01, 1.0, 30.0], size=7)
    if prior.family == "normal":
        return prior.loc + spread * rng.choice([-1.0, 1.0], size=7)
    return spread


def _exact_logpdf(model: str, name: str, x: np.ndarray) -> np.ndarray | None:
    """The log prior of ``name`` as funnelguide.exact evaluates it; None where it has none."""
    if model == "radon_model" and name in RADON_SCALES:
        defaults = _resolve_priors(None, None, {n: MODEL_PRIORS[model][n] for n in RADON_SCALES})
        return log_scale_prior(*defaults[name], x)
    if model == "radon_model":  # mu_a, mu_b: integrated against Normal(0, RADON_MU_SD)
        return stats.norm(0.0, RADON_MU_SD).logpdf(x)
    if model == "eight_schools_model" and name == "tau":
        return log_scale_prior(*EIGHT_SCHOOLS_TAU_PRIOR, x)
    if model == "eight_schools_model":
        return stats.norm(0.0, EIGHT_SCHOOLS_MU_SD).logpdf(x)
    if model == "neals_funnel_model":  # the funnel of fg.dynamics and NEALS_FUNNEL_V_EXACT
        return stats.norm(fg.NEALS_FUNNEL_V_EXACT["mean"], dynamics.V_SD).logpdf(x)
    return None  # the pooled model has no exact posterior


def test_every_model_has_a_table_and_every_table_a_builder() -> None:
    assert set(MODEL_PRIORS) == set(BUILDERS)


@pytest.fixture(scope="module")
def built() -> dict[str, pm.Model]:
    return {model: build() for model, build in BUILDERS.items()}


@pytest.mark.parametrize(("model", "name"), CASES, ids=[f"{m}.{n}" for m, n in CASES])
def test_model_exact_and_table_agree_on_each_prior(built, model: str, name: str) -> None:
    prior = MODEL_PRIORS[model][name]
    rv = built[model][name]
    assert rv in built[model].free_RVs
    x = _points(prior, seed=sum(map(ord, model + name)))
    # PyTensor keeps a constant such as 100.0**2 in float32 when that is exact, so the model's
    # log density differs from scipy's in the 8th digit; a changed prior differs far more.
    from_model = pm.logp(rv, x).eval()
    np.testing.assert_allclose(from_model, prior.logpdf(x), rtol=1e-7)
    if (exact := _exact_logpdf(model, name, x)) is not None:
        np.testing.assert_allclose(exact, prior.logpdf(x), rtol=1e-12)


def test_a_prior_changed_in_the_table_changes_the_model(monkeypatch) -> None:
    table = MODEL_PRIORS["eight_schools_model"]
    monkeypatch.setitem(table, "tau", Prior("halfnormal", 2.0))
    tau = fg.eight_schools_model()["tau"]
    assert float(pm.logp(tau, 1.5).eval()) == pytest.approx(stats.halfnorm(scale=2.0).logpdf(1.5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "cauchy", "scale": 1.0}, "unknown prior family 'cauchy'"),
        ({"family": "normal", "scale": 0.0}, "positive and finite, got 0.0"),
        ({"family": "halfnormal", "scale": 1.0, "loc": 2.0}, "halfnormal prior has no location"),
    ],
)
def test_a_bad_table_entry_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Prior(**kwargs)
