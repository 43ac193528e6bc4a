"""Self-checks for the exercises at the end of each notebook.

Each chapter has a module here (``nb02``, ``nb03``, ...) whose ``check_*`` functions take the
student's answer (a value or a function), test it, print feedback that says *what* is wrong,
and return a ``Result`` (truthy when correct). The reference solutions in ``solutions/``
are run by the tests, so every checker is proven to accept a right answer.

    >>> from forge_utils.exercises import nb02
    >>> nb02.check_one_hot(my_one_hot)
    ✓ 正确（correct）：...
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Result:
    """Outcome of one check: ``passed`` and the feedback shown to the student."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return ("✓ 正确（correct）：" if self.passed else "× 还不对（not yet）：") + self.message


def passed(message: str) -> Result:
    return Result(True, message)


def failed(message: str) -> Result:
    return Result(False, message)


def report(result: Result) -> Result:
    """Print the result (for notebooks) and return it (for tests)."""
    print(repr(result))
    return result


def as_array(value: object, what: str) -> np.ndarray | Result:
    """Convert a tensor/list/array to a float NumPy array, or a failed Result saying why not."""
    try:
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        return failed(f"{what} should be numbers (a list, NumPy array or tensor); got {type(value).__name__}: {err}")


def compare_arrays(actual: object, expected: object, what: str, atol: float = 1e-6) -> Result:
    """Shape first, then values, with a message that names the first wrong entry."""
    got = as_array(actual, what)
    if isinstance(got, Result):
        return got
    want = np.asarray(expected, dtype=np.float64)
    if got.shape != want.shape:
        return failed(f"{what} has shape {got.shape}, expected {want.shape}")
    bad = ~np.isclose(got, want, atol=atol, rtol=1e-5)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return failed(
            f"{what}: {int(bad.sum())} of {bad.size} entries are off; first at index {index}: "
            f"got {got[index]:.6g}, expected {want[index]:.6g}"
        )
    return passed(f"{what} matches ({got.size} entries, shape {got.shape})")


def call_safely(function: Callable[..., Any], *args: Any, what: str) -> tuple[object, str | None]:
    """Call the student's function → ``(value, None)``, or ``(None, message)`` if it is not
    callable or raised. Use as ``value, error = call_safely(f, x, what="f(x)")`` then
    ``if error: return report(failed(error))``.
    """
    if not callable(function):
        return None, f"{what.split('(')[0]} should be a function, got {type(function).__name__}"
    try:
        return function(*args), None
    except NotImplementedError:
        return None, f"{what} raised NotImplementedError: replace `raise NotImplementedError` with your code"
    except Exception as err:  # the student's code may raise anything
        return None, f"{what} raised {type(err).__name__}: {err}"


def call_for_number(function: Callable[..., Any], *args: Any, what: str) -> tuple[float | None, str | None]:
    """``call_safely`` for answers that must be one number → ``(float, None)`` or ``(None, message)``."""
    got: Any  # whatever the student returned: float() itself decides whether it is one number
    got, error = call_safely(function, *args, what=what)
    if error:
        return None, error
    try:
        return float(got), None
    except (TypeError, ValueError):
        return None, f"{what} should return one number, got {type(got).__name__} {got!r}"


def call_for_array(function: Callable[..., Any], *args: Any, what: str) -> tuple[np.ndarray | None, str | None]:
    """``call_safely`` for answers that must be numbers → ``(float array, None)`` or ``(None, message)``."""
    got, error = call_safely(function, *args, what=what)
    if error:
        return None, error
    values = as_array(got, what)
    if isinstance(values, Result):
        return None, values.message
    return values, None
