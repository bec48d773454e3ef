"""Argument checks shared by several modules of the library (private).

Each check raises an error that names the argument, the value and what is allowed. Checks used
by one module only live in that module.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pymc as pm


def _check_model(model: object) -> None:
    """Raise a TypeError unless ``model`` is a :class:`pymc.Model`."""
    if not isinstance(model, pm.Model):
        raise TypeError(
            f"model must be a pymc.Model (e.g. from fg.radon_model()), got {type(model).__name__}."
        )


def _is_real(value: object) -> bool:
    """Whether ``value`` is a real number (a Python or NumPy scalar), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    """Whether ``value`` is an integer (a Python or NumPy scalar), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _checked_int(where: str, value: object, minimum: int) -> int:
    """Return ``value`` as an int; a ValueError unless it is an integer of at least ``minimum``."""
    if not _is_integer(value) or value < minimum:
        raise ValueError(f"{where} must be an integer of at least {minimum}, got {value!r}.")
    return int(value)


def _checked_fraction(where: str, value: object) -> float:
    """Return ``value`` as a float; a ValueError unless it is a number in (0, 1)."""
    if not _is_real(value) or not 0.0 < value < 1.0:
        raise ValueError(f"{where} must be a number in (0, 1), got {value!r}.")
    return float(value)


def _checked_frame(
    data: object, *, numeric: Sequence[str], labels: Sequence[str], what: str
) -> pd.DataFrame:
    """Check that ``data`` is a non-empty frame with the columns a model needs, all filled."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame of {what}, got {type(data).__name__}.")
    missing = [col for col in (*labels, *numeric) if col not in data.columns]
    if missing:
        raise KeyError(
            f"data is missing column(s) {missing}; {what} needs {[*labels, *numeric]}, "
            f"and data has {list(data.columns)}."
        )
    if len(data) == 0:
        raise ValueError(f"data has no rows; {what} needs at least one.")
    for col in numeric:
        if not pd.api.types.is_numeric_dtype(data[col]) or pd.api.types.is_bool_dtype(data[col]):
            column = data[col]
            not_numbers = column.notna() & pd.to_numeric(column, errors="coerce").isna()
            example = column[not_numbers] if not_numbers.any() else column
            raise TypeError(
                f"data[{col!r}] must be numeric (int or float), got dtype {column.dtype}, "
                f"e.g. value {example.iloc[0]!r} at row {example.index[0]!r}."
            )
    for col in (*labels, *numeric):
        bad = data[col].isna().to_numpy()
        if col in numeric:
            bad = bad | ~np.isfinite(data[col].to_numpy(dtype=float))
        if bad.any():
            rows = list(data.index[bad][:5])
            raise ValueError(
                f"data[{col!r}] has {int(bad.sum())} missing or non-finite value(s), "
                f"first at row(s) {rows}; drop or fill them before building the model."
            )
    return data
