"""The hierarchy dense ⊃ locally connected ⊃ tiled ⊃ convolution, exactly (checks layer).

For one geometry (channels, kernel, stride, padding, input size, tiles) the
four layers are derived with symbolic weights and compared through their
matrices ``T`` (Goodfellow et al. §9.5):

1. **zero pattern** -- locally connected, tiled and convolution reach exactly
   the same entries of ``T`` (the convolution's taps); the dense layer reaches all;
2. **no ties / ties** -- every locally connected weight occupies one entry; a
   tiled weight of tile ``τ`` occupies one entry per output position of that
   tile; a convolution weight the sum over tiles;
3. **specialisation** -- substituting ``u[co, pos, ci, j] := v[co, pos mod t, ci, j]``
   into the locally connected ``T`` gives the tiled ``T``, and
   ``v[co, τ, ci, j] := w[co, ci, j]`` into the tiled ``T`` gives the convolution's,
   compared entry by entry with SymPy;
4. **parameter counts** -- ``n_out n_in >= C_out S C_in K >= C_out T C_in K >=
   C_out C_in K`` (weights, tiles at most the output size), read from the tap
   tables and compared with the formulas.

Every statement is exact *for the instance given* (SymPy equality or integer
comparison); no general-size claim is made here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ..boundary._spec import as_tuple, layer_params
from ..boundary._values import symbols
from ..core._derivation import Derivation
from ..core._local import LocalGeometry, local_derivation, local_spec
from ._layer_checks import LayerIdentity, LayerVerification

__all__ = ["layer_hierarchy"]


def _objects(a: Any) -> Any:
    """A SymPy Array as a NumPy object array of the same shape."""
    out = np.empty(tuple(a.shape), dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = a[idx]
    return out


def _pattern(T: sympy.SparseMatrix) -> set[tuple[int, int]]:
    return set(T.todok())


def layer_hierarchy(
    in_channels: int,
    out_channels: int,
    kernel_size: Any,
    tiles: Any,
    input_size: Any,
    stride: Any = 1,
    padding: Any = 0,
) -> LayerVerification:
    """Establish dense ⊃ locally connected ⊃ tiled ⊃ convolution on one geometry.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, tiles, stride, padding : int or tuple of ints
        One entry per spatial axis (1-D or 2-D), as for ``TiledConv1d/2d``.
    input_size : int or tuple of ints
        The spatial input size.

    Returns
    -------
    LayerVerification
        Truthy when every statement holds; ``str()`` lists them and how each was
        established (exact, on this instance).

    Raises
    ------
    ValueError, TypeError
        Arguments as for the layers.

    Examples
    --------
    >>> import symconv as sc
    >>> h = sc.layer_hierarchy(1, 1, 3, tiles=2, input_size=6)
    >>> bool(h), len(h.results)
    (True, 6)
    >>> print(h.results[-1])  # doctest: +NORMALIZE_WHITESPACE
    weights: dense 24 >= locally connected 12 >= tiled 6 >= convolution 3: holds
    (counted from the tap tables, equal to the formulas)
    """
    size = (input_size,) if isinstance(input_size, int) else tuple(input_size)
    nd = len(size)
    if nd not in (1, 2):
        raise ValueError(f"`input_size` must have 1 or 2 spatial sizes, got {input_size!r}")
    params = layer_params(nd, False, in_channels, out_channels, kernel_size, stride, padding,
                          1, 1, False, "zeros")
    t = as_tuple("tiles", tiles, nd, minimum=1)
    spec = local_spec(LocalGeometry(params), size)
    for d, (tt, m) in enumerate(zip(t, spec.out_size)):
        if tt > m:
            raise ValueError(
                f"`tiles` (={tt}) must not exceed the output size (={m}) in spatial "
                f"dimension {d}: extra tiles would be weights no output uses"
            )
    c_out, c_in = params.out_channels, params.in_channels
    k_shape = params.kernel_size
    # distinct letters, so no symbol of one layer is mistaken for another's
    lc = local_derivation(LocalGeometry(params), size, weight=symbols(
        "u", (c_out, *spec.out_size, c_in, *k_shape)))
    tl = local_derivation(LocalGeometry(params, t), size, weight=symbols(
        "v", (c_out, *t, c_in, *k_shape)))
    conv = Derivation(spec)
    T_lc, T_tl, T_cv = lc.matrix, tl.matrix, conv.matrix
    n_out, n_in = T_cv.shape
    results = []
    pat = _pattern(T_cv)
    results.append(LayerIdentity(
        f"zero pattern: locally connected = tiled = convolution ({len(pat)} of "
        f"{n_out * n_in} entries reached; dense reaches all)",
        _pattern(T_lc) == pat == _pattern(T_tl), "sets of entries compared exactly"))
    st_lc, st_tl, st_cv = lc.stats(), tl.stats(), conv.stats()
    assert st_lc.tie_counts is not None and st_tl.tie_counts is not None
    results.append(LayerIdentity(
        "locally connected: every weight occupies at most one entry of T (no ties)",
        int(st_lc.tie_counts.max()) <= 1 and len(set(T_lc.todok().values())) == len(pat),
        "tie counts from the tap table; distinct entries of T counted"))
    # tiled tie counts summed over tiles are the convolution's
    summed = st_tl.tie_counts.reshape(c_out, int(np.prod(t)), c_in, *k_shape).sum(axis=1)
    results.append(LayerIdentity(
        "tie counts: a convolution weight occupies the sum over tiles of its tiled copies",
        bool(np.array_equal(summed, np.asarray(st_cv.tie_counts))),
        "integer arrays compared"))
    # specialisation: LC -> tiled -> conv by substitution, entry by entry
    out_size = spec.out_size
    w_lc = _objects(lc.weight)  # (C_out, *out, C_in, *k)
    w_tl = _objects(tl.weight)  # (C_out, *t, C_in, *k)
    w_cv = _objects(conv.weight)  # (C_out, C_in, *k)
    to_tiled = {}
    for idx in np.ndindex(*w_lc.shape):
        slot = tuple(a % b for a, b in zip(idx[1:1 + nd], t))
        to_tiled[w_lc[idx]] = w_tl[(idx[0], *slot) + idx[1 + nd:]]
    to_conv = {w_tl[idx]: w_cv[(idx[0],) + idx[1 + nd:]] for idx in np.ndindex(*w_tl.shape)}
    results.append(LayerIdentity(
        "tiled T = locally connected T with u[co, pos, ci, j] := v[co, pos mod t, ci, j]",
        T_lc.xreplace(to_tiled) == T_tl, f"{len(pat)} entries compared by SymPy"))
    results.append(LayerIdentity(
        "convolution T = tiled T with v[co, tile, ci, j] := w[co, ci, j]",
        T_tl.xreplace(to_conv) == T_cv, f"{len(pat)} entries compared by SymPy"))
    k = int(np.prod(k_shape))
    formulas = (n_out * n_in, c_out * int(np.prod(out_size)) * c_in * k,
                c_out * int(np.prod(t)) * c_in * k, c_out * c_in * k)
    counted = (n_out * n_in, st_lc.parameters, st_tl.parameters, st_cv.parameters)
    dense, n_lc, n_tl, n_cv = formulas
    results.append(LayerIdentity(
        f"weights: dense {dense} >= locally connected {n_lc} >= tiled {n_tl} >= convolution {n_cv}",
        counted == formulas and dense >= n_lc >= n_tl >= n_cv,
        "counted from the tap tables, equal to the formulas"))
    return LayerVerification(tuple(results))
