"""Argument checks shared by several modules of the library (private).

Each check raises an error that names the argument, the value and what is allowed. Checks used
by one module only live in that module.
"""

from __future__ import annotations

import pymc as pm


def _check_model(model: object) -> None:
    """Raise a TypeError unless ``model`` is a :class:`pymc.Model`."""
    if not isinstance(model, pm.Model):
        raise TypeError(
            f"model must be a pymc.Model (e.g. from fg.radon_model()), got {type(model).__name__}."
        )
