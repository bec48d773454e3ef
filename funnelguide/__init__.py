"""funnelguide: why hierarchical models are tricky to sample, and how to fix it.

The library behind the funnelguide site: bundled data, model builders in centered,
non-centered and per-group forms, fast NUTS sampling with a result cache, funnel diagnostics,
comparisons of fits, modes against expectations, and the figures of the story.
"""

from funnelguide import dynamics, plots
from funnelguide.compare import efficiency, posterior_agreement
from funnelguide.data import load_batting, load_eight_schools, load_radon
from funnelguide.diagnostics import (
    Diagnosis,
    Estimate,
    FunnelReport,
    GroupDiagnosis,
    ParameterizationAdvice,
    diagnose,
    estimate,
    funnel_report,
    suggest_parameterization,
)
from funnelguide.exact import ExactPosterior, exact_eight_schools, exact_radon_scales
from funnelguide.groups import hierarchical_groups
from funnelguide.models import (
    NEALS_FUNNEL_V_EXACT,
    eight_schools_model,
    neals_funnel_model,
    pooled_radon_model,
    radon_model,
)
from funnelguide.modes import (
    LaplaceApproximation,
    find_map,
    joint_log_density,
    laplace_approximation,
    log_density_at,
    map_vs_mean,
)
from funnelguide.reparam import reparameterize
from funnelguide.sampling import CacheWarning, sample

__version__ = "0.1.0"

__all__ = [
    "NEALS_FUNNEL_V_EXACT",
    "CacheWarning",
    "Diagnosis",
    "Estimate",
    "ExactPosterior",
    "FunnelReport",
    "GroupDiagnosis",
    "LaplaceApproximation",
    "ParameterizationAdvice",
    "diagnose",
    "dynamics",
    "efficiency",
    "eight_schools_model",
    "estimate",
    "exact_eight_schools",
    "exact_radon_scales",
    "find_map",
    "funnel_report",
    "hierarchical_groups",
    "joint_log_density",
    "laplace_approximation",
    "load_batting",
    "load_eight_schools",
    "load_radon",
    "log_density_at",
    "map_vs_mean",
    "neals_funnel_model",
    "plots",
    "pooled_radon_model",
    "posterior_agreement",
    "radon_model",
    "reparameterize",
    "sample",
    "suggest_parameterization",
]
