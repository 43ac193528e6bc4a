"""Self-checks for the exercises at the end of each notebook.

Each chapter has a module here (``nb02``, ``nb03``, ...) whose ``check_*`` functions take the
student's answer (a value or a function), test it, print feedback that says *what* is wrong,
and return a ``Result`` (truthy when correct). The reference solutions in ``solutions/``
are run by the tests, so every checker is proven to accept a right answer.

    >>> from forge_utils.exercises import nb02
    >>> nb02.check_one_hot(my_one_hot)
    ✓ 正确：`one_hot([2, 0, 3, 2], 5)` 与参考答案一致（20 个元素，形状 (4, 5)）

The feedback is in 简体中文 (the students read it); code inside it stays in backticks.
"""
from __future__ import annotations

import re
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
        return ("✓ 正确：" if self.passed else "× 还不对：") + self.message


def passed(message: str) -> Result:
    return Result(True, message)


def failed(message: str) -> Result:
    return Result(False, message)


def code(what: str) -> str:
    """``what`` as the feedback shows it: in backticks, unless it already marks its code part with them
    (as in "自注意力加因果掩码 (4, 4) 时，`masked_attention`")."""
    return what if "`" in what else f"`{what}`"


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
        return failed(f"{code(what)} 应该是数值（列表、NumPy 数组或张量），实际得到 {type(value).__name__}：{err}")


def compare_arrays(actual: object, expected: object, what: str, atol: float = 1e-6) -> Result:
    """Shape first, then values, with a message that names the first wrong entry."""
    got = as_array(actual, what)
    if isinstance(got, Result):
        return got
    want = np.asarray(expected, dtype=np.float64)
    if got.shape != want.shape:
        return failed(f"{code(what)} 的形状是 {got.shape}，应为 {want.shape}")
    bad = ~np.isclose(got, want, atol=atol, rtol=1e-5)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return failed(
            f"{code(what)}：{bad.size} 个元素中有 {int(bad.sum())} 个不对，第一个在下标 {index}："
            f"得到 {got[index]:.6g}，应为 {want[index]:.6g}"
        )
    return passed(f"{code(what)} 与参考答案一致（{got.size} 个元素，形状 {got.shape}）")


def call_safely(function: Callable[..., Any], *args: Any, what: str) -> tuple[object, str | None]:
    """Call the student's function → ``(value, None)``, or ``(None, message)`` if it is not
    callable or raised. Use as ``value, error = call_safely(f, x, what="f(x)")`` then
    ``if error: return report(failed(error))``.
    """
    if not callable(function):
        match = re.search(r"`([A-Za-z_]\w*)", what) or re.match(r"([A-Za-z_]\w*)", what)  # the function's name
        return None, f"`{match.group(1) if match else what}` 应该是一个函数，实际得到 {type(function).__name__}"
    try:
        return function(*args), None
    except NotImplementedError:
        return None, f"{code(what)} 还没有实现：把 `raise NotImplementedError` 换成你的代码"
    except Exception as err:  # the student's code may raise anything
        return None, f"{code(what)} 运行出错：{type(err).__name__}: {err}"


def call_for_number(function: Callable[..., Any], *args: Any, what: str) -> tuple[float | None, str | None]:
    """``call_safely`` for answers that must be one number → ``(float, None)`` or ``(None, message)``."""
    got: Any  # whatever the student returned: float() itself decides whether it is one number
    got, error = call_safely(function, *args, what=what)
    if error:
        return None, error
    try:
        return float(got), None
    except (TypeError, ValueError):
        return None, f"{code(what)} 应该返回一个数，实际返回了 {type(got).__name__} {got!r}"


def call_for_array(function: Callable[..., Any], *args: Any, what: str) -> tuple[np.ndarray | None, str | None]:
    """``call_safely`` for answers that must be numbers → ``(float array, None)`` or ``(None, message)``."""
    got, error = call_safely(function, *args, what=what)
    if error:
        return None, error
    values = as_array(got, what)
    if isinstance(values, Result):
        return None, values.message
    return values, None
