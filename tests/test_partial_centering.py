"""Partial centering changes the geometry, never the distribution."""

import numpy as np
import pymc as pm
import pytest
from scipy import stats

import funnelguide as fg


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.7, 1.0])
def test_any_weight_gives_neals_funnel_exactly(weight):
    # Neal's funnel has no data, so its posterior is its prior: forward draws of v and x from
    # the model in any form must follow v ~ Normal(0, 3) and x | v ~ Normal(0, exp(v / 2)).
    model = fg.neals_funnel_model(ndim=4, parameterization={"x": weight})
    v, x = pm.draw([model["v"], model["x"]], draws=20_000, random_seed=11)
    assert stats.kstest(v, stats.norm(0, 3).cdf).pvalue > 1e-3
    standardized = (x / np.exp(v / 2)[:, None]).ravel()
    assert stats.kstest(standardized, stats.norm(0, 1).cdf).pvalue > 1e-3
    # and the components are independent given v
    assert abs(np.corrcoef(standardized[0::3], standardized[1::3])[0, 1]) < 0.03
