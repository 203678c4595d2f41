"""The index formulas of a convolution, written once as plain Python.

Layer: boundary.

Each function is evaluated in the tests against the tap table, the spec and
NumPy, and rendered to LaTeX by latexify-py for the documents
(:func:`formula_latex`): the formula printed in a paper is the code that was
tested.  All of them are per spatial axis, 0-based, single channel, zero
padding, cross-correlation order (PyTorch's convolution); an array argument
such as ``x`` is indexed ``x[i]`` and must read 0 outside its range when
padding is involved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


def conv_output_size(n: int, k: int, s: int, d: int, p: int, q: int) -> int:
    """Output length of a convolution along one axis.

    Parameters
    ----------
    n, k, s, d : int
        Input length, kernel size, stride, dilation.
    p, q : int
        Padding before and after the input.

    Examples
    --------
    >>> conv_output_size(32, 5, 1, 1, 0, 0), conv_output_size(7, 3, 2, 2, 1, 1)
    (28, 3)
    """
    return (n + p + q - d * (k - 1) - 1) // s + 1


def adjoint_output_padding(n: int, k: int, s: int, d: int, p: int) -> int:
    """Output padding that makes a transposed convolution give back all ``n`` inputs.

    The adjoint of a convolution with padding ``p`` on both sides: its
    transposed convolution (same ``k, s, d, p``) reaches ``n - a`` inputs, the
    ``a`` last ones skipped by the stride are restored by output padding ``a``.

    Examples
    --------
    >>> adjoint_output_padding(7, 3, 2, 1, 0), adjoint_output_padding(8, 3, 2, 1, 0)
    (0, 1)
    """
    return (n + 2 * p - d * (k - 1) - 1) % s


def transposed_output_size(n: int, k: int, s: int, d: int, p: int, a: int) -> int:
    """Output length of a transposed convolution along one axis (``a``: output padding).

    Examples
    --------
    >>> transposed_output_size(3, 3, 2, 1, 1, 1)
    6
    """
    return (n - 1) * s - 2 * p + d * (k - 1) + a + 1


def input_index(o: int, j: int, s: int, d: int, p: int) -> int:
    """Index of the input that kernel tap ``j`` of output ``o`` reads (before padding).

    Examples
    --------
    >>> [input_index(1, j, 2, 1, 1) for j in range(3)]
    [1, 2, 3]
    """
    return o * s + j * d - p


def output_element(x: Any, w: Any, o: int, K: int, s: int, d: int, p: int) -> Any:
    """One output of a correlation: ``y[o]`` as a sum of products.

    Examples
    --------
    >>> output_element([1, 2, 3, 4], [5, 6, 7], 1, 3, 1, 1, 0)
    56
    """
    return sum(w[j] * x[o * s + j * d - p] for j in range(K))


def convolution_element(x: Any, w: Any, m: int, K: int) -> Any:
    """One output of a true convolution (kernel flipped), ``m`` indexing the full result.

    Examples
    --------
    >>> from collections import defaultdict
    >>> x = defaultdict(int, enumerate([1, 2, 3, 4]))  # reads 0 outside 0..3
    >>> [convolution_element(x, [5, 6, 7], m, 3) for m in range(6)]
    [5, 16, 34, 52, 45, 28]
    """
    return sum(w[k] * x[m - k] for k in range(K))


def matrix_entry(w: Any, o: int, i: int, K: int, s: int, d: int, p: int) -> Any:
    """Entry ``T[o, i]`` of the layer matrix: the weight output ``o`` applies to input ``i``.

    Examples
    --------
    >>> [matrix_entry([5, 6, 7], 1, i, 3, 1, 1, 0) for i in range(4)]
    [0, 5, 6, 7]
    """
    return sum(w[j] * (i == o * s + j * d - p) for j in range(K))


def weight_gradient(x: Any, g: Any, j: int, M: int, s: int, d: int, p: int) -> Any:
    """Gradient of a loss with respect to the tied weight ``w[j]`` (``M`` outputs).

    Examples
    --------
    >>> weight_gradient([1, 2, 3, 4], [1, 10], 0, 2, 1, 1, 0)
    21
    """
    return sum(g[o] * x[o * s + j * d - p] for o in range(M))


def input_gradient(w: Any, g: Any, i: int, K: int, M: int, s: int, d: int, p: int) -> Any:
    """Gradient of a loss with respect to input ``x[i]``: the transposed convolution.

    Examples
    --------
    >>> [input_gradient([5, 6, 7], [1, 10], i, 3, 2, 1, 1, 0) for i in range(4)]
    [5, 56, 67, 70]
    """
    return sum(w[j] * g[o] * (i == o * s + j * d - p) for o in range(M) for j in range(K))


#: The formulas the documents print, in order, with the name each is shown under.
FORMULAS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("n_out", conv_output_size),
    ("i", input_index),
    ("y", output_element),
    ("T", matrix_entry),
    ("grad_w", weight_gradient),
    ("grad_x", input_gradient),
)


@cache
def formula_latex(fn: Callable[..., Any]) -> str:
    r"""The LaTeX of one formula function, rendered from its source by latexify-py.

    Examples
    --------
    >>> print(formula_latex(input_index))
    \mathrm{input\_index}(o, j, s, d, p) = o s + j d - p
    """
    import latexify

    return str(latexify.get_latex(fn))
