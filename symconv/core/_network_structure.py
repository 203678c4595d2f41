"""The structure of a network: receptive fields and composed convolutions (core layer).

Receptive field: each layer contributes its connection pattern ``C_l``
(``C_l[o, i] = 1`` when output ``o`` reads input ``i``): the ``(o, i)`` pairs
of its tap table, the support of its matrix, or (for a layer without either,
such as max pooling or an activation) the inputs each output's expression
contains, derived once on fresh symbols.  The network's pattern is the
boolean product ``C_L ... C_1``, computed with ``scipy.sparse`` (vectorised,
no SymPy for tapped layers).

Composition: two stride-1 correlations compose into one correlation whose
kernel is the full convolution of the two kernels; with strides ``s1`` then
``s2``, one correlation of stride ``s1 s2`` whose kernel is ``w1`` fully
convolved with ``w2`` dilated by ``s1``.  :func:`compose` builds that single
convolution for a stack of plain convolutions and proves, exactly at this
instance, that its matrix equals the stack's composite matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.tensor.array.arrayop import Flatten as ArrayEntries

from ..boundary._values import symbols
from ._derivation import Derivation
from ._tapped import as_array

if TYPE_CHECKING:
    from ._sequential import NetworkDerivation


def entries(a: Any) -> list[Any]:
    """The entries of a SymPy Array in C order."""
    return list(ArrayEntries(a))


def values(a: Any) -> np.ndarray:
    """A SymPy Array as a NumPy object array of the same shape."""
    return np.array(entries(a) + [None], dtype=object)[:-1].reshape(tuple(a.shape))


@dataclass(frozen=True)
class ReceptiveField:
    """Which inputs each output of a network depends on.

    Attributes
    ----------
    pattern : scipy.sparse.csr_array of bool
        ``pattern[o, i]`` is True when flat output ``o`` depends on flat input
        ``i`` (structurally: through some chain of taps, whatever the values).
    input_shape, output_shape : tuple of int

    Examples
    --------
    >>> import symconv as sc
    >>> net = sc.Sequential(sc.Conv1d(1, 1, 3), sc.Conv1d(1, 1, 2, stride=2))
    >>> rf = net.derive(input_size=(1, 8)).receptive_field()
    >>> rf.sizes.tolist()
    [[4, 4, 4]]
    >>> rf.inputs(0, 1)
    [(0, 2), (0, 3), (0, 4), (0, 5)]
    """

    pattern: Any
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]

    @property
    def sizes(self) -> np.ndarray:
        """How many inputs each output depends on (shape of the output)."""
        return np.diff(self.pattern.indptr).reshape(self.output_shape)

    def inputs(self, *index: int) -> list[tuple[int, ...]]:
        """The input indices output ``index`` depends on, in C order."""
        o = int(np.ravel_multi_index(tuple(int(v) for v in index), self.output_shape))
        cols = self.pattern.indices[self.pattern.indptr[o]:self.pattern.indptr[o + 1]]
        return [tuple(int(v) for v in np.unravel_index(c, self.input_shape))
                for c in np.sort(cols)]

    @property
    def extents(self) -> np.ndarray:
        """Per output, the span (max - min + 1) of its inputs along every input axis.

        Shape ``(*output_shape, len(input_shape))``; for a stack of convolutions
        the spatial spans are the textbook receptive-field sizes.
        """
        p = self.pattern
        coords = np.stack(np.unravel_index(p.indices, self.input_shape), axis=1)
        starts = p.indptr[:-1]
        out = np.zeros((p.shape[0], len(self.input_shape)), dtype=np.int64)
        nonempty = np.diff(p.indptr) > 0
        if coords.size:
            s = starts[nonempty]
            hi = np.maximum.reduceat(coords, s, axis=0)
            lo = np.minimum.reduceat(coords, s, axis=0)
            out[nonempty] = hi - lo + 1
        return out.reshape(*self.output_shape, len(self.input_shape))


def connection_pattern(layer: Any, ld: Any) -> Any:
    """``C[o, i]`` (bool, CSR) of one layer derivation: which inputs each output reads."""
    n_in, n_out = int(np.prod(ld.input.shape)), int(np.prod(ld.output.shape))
    taps = getattr(ld, "taps", None)
    if taps is not None and hasattr(taps, "o") and hasattr(taps, "i"):
        rows, cols = np.asarray(taps.o, dtype=np.int64), np.asarray(taps.i, dtype=np.int64)
    elif getattr(ld, "is_linear", False) and type(ld).__name__ == "FlattenDerivation":
        rows = cols = np.arange(n_in, dtype=np.int64)
    else:  # no table: read each output's dependence on fresh input symbols
        xs = symbols("r", tuple(ld.input.shape))
        flat = xs.reshape(-1).tolist()
        where = {s: j for j, s in enumerate(flat)}
        local = layer.derive(x=xs)
        rr: list[int] = []
        cc: list[int] = []
        for o, e in enumerate(_flat(local.output)):
            found = sorted(where[s] for s in e.free_symbols if s in where)
            rr.extend([o] * len(found))
            cc.extend(found)
        rows, cols = np.array(rr, dtype=np.int64), np.array(cc, dtype=np.int64)
    import scipy.sparse  # imported when used: `import symconv` stays light

    data = np.ones(rows.size, dtype=np.int64)
    m = scipy.sparse.csr_array((data, (rows, cols)), shape=(n_out, n_in))
    m.sum_duplicates()
    m.data[:] = 1
    return m


def _flat(a: Any) -> list[Any]:
    return entries(a)


def receptive_field(nd: NetworkDerivation) -> ReceptiveField:
    """The composed connection pattern of every layer of ``nd``."""
    import scipy.sparse  # imported when used

    total = None
    for layer, ld in zip(nd.network.layers, nd.layers):
        c = connection_pattern(layer, ld)
        total = c if total is None else c @ total
        total.data[:] = 1  # boolean product: keep 0/1 (counts would grow)
    assert total is not None
    total = scipy.sparse.csr_array(total.astype(bool))
    total.sort_indices()
    return ReceptiveField(total, tuple(nd.input.shape), tuple(nd.output.shape))


# ------------------------------------------------------------- composition


@dataclass(frozen=True)
class Composition:
    """A stack of plain convolutions as one convolution, proved at this instance.

    Attributes
    ----------
    layer : layer object
        The single equivalent convolution (class of the stack's first layer):
        kernel ``k1 + (k2 - 1) s1 + ...``, stride ``s1 s2 ...``, no padding.
    weight : sympy.Array
        Its kernel: ``W[q, c] = sum_m w1[m, c] * dilate(w2[q, m], s1)`` (full
        convolutions), folded over the stack.
    bias : sympy.Array or None
        ``b2[q] + sum_m b1[m] * sum(w2[q, m])``, folded; None without biases.
    derivation : Derivation
        The single convolution derived on the same input.
    holds : bool
        Whether its matrix and offset equal the stack's composite ``T`` and
        ``offset`` entry by entry (``expand`` of each difference is 0).

    Examples
    --------
    >>> import symconv as sc
    >>> net = sc.Sequential(sc.Conv1d(1, 1, 2, bias=False), sc.Conv1d(1, 1, 2, bias=False))
    >>> comp = net.derive(input_size=(1, 4)).composition()
    >>> comp.weight, comp.holds
    ([[[w1_0_0_0*w2_0_0_0, w1_0_0_0*w2_0_0_1 + w1_0_0_1*w2_0_0_0, w1_0_0_1*w2_0_0_1]]], True)
    """

    layer: Any
    weight: sympy.Array
    bias: sympy.Array | None
    derivation: Derivation
    holds: bool

    def proofs(self) -> tuple[Any, ...]:
        """The general-size theorem behind it: stride-1 composition, step by step.

        One :class:`symconv.checks._composition.CompositionProof` (symbolic ``n``,
        ``k1``, ``k2``; 1-D, one channel, stride 1): which steps SymPy proves,
        which rely on hand-coded arguments (the last, the clipping) and which are
        checked on instances is in its ``status``; ``holds`` above is this
        instance's exact identity.

        Examples
        --------
        >>> import symconv as sc
        >>> two = sc.Sequential(sc.Conv1d(1, 1, 3), sc.Conv1d(1, 1, 2))
        >>> (pr,) = two.derive(input_size=(1, 5)).composition().proofs()
        >>> pr.status
        'proved by SymPy except step 9 proved with 2 hand-coded arguments'
        """
        from ..checks._composition import composition_proof

        return (composition_proof(),)


def full_convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full N-D convolution of two object arrays (kernel taps), by its definition."""
    shape = tuple(p + q - 1 for p, q in zip(a.shape, b.shape))
    out = np.full(shape, sympy.S.Zero, dtype=object)
    for j in np.ndindex(*b.shape):
        if b[j] == 0:
            continue
        window = tuple(slice(v, v + n) for v, n in zip(j, a.shape))
        out[window] = out[window] + a * b[j]
    return out


def _dilate(w: np.ndarray, step: tuple[int, ...]) -> np.ndarray:
    shape = tuple((n - 1) * s + 1 for n, s in zip(w.shape, step))
    out = np.full(shape, sympy.S.Zero, dtype=object)
    out[tuple(slice(None, None, s) for s in step)] = w
    return out


def _plain_conv(pos: int, layer: Any, ld: Any) -> tuple[int, ...]:
    """Check that ``ld`` is a plain convolution (no padding, dilation 1, groups 1)."""
    spec = getattr(ld, "spec", None)
    ok = (isinstance(ld, Derivation) and spec is not None and spec.kind == "conv"
          and all(p == (0, 0) for p in spec.padding) and set(spec.dilation) == {1}
          and spec.groups == 1)
    if not ok or spec is None:
        raise ValueError(
            f"`composition` needs a stack of plain convolutions (Conv*d without padding, "
            f"dilation 1, groups 1); layer {pos + 1} is {layer!r}"
        )
    return tuple(spec.stride)


def compose(nd: NetworkDerivation) -> Composition:
    """The single convolution equal to a stack of plain convolutions (see :class:`Composition`)."""
    strides = [_plain_conv(p, layer, ld)
               for p, (layer, ld) in enumerate(zip(nd.network.layers, nd.layers))]
    first = nd.layers[0]
    W = _values(first.weight)
    B = None if first.bias is None else _values(first.bias)
    step = strides[0]  # the distance, in inputs, between neighbouring outputs so far
    for ld, s in zip(nd.layers[1:], strides[1:]):
        w2 = _values(ld.weight)
        q_out, m_in = w2.shape[:2]
        c_in = W.shape[1]
        rows = []
        for q in range(q_out):
            row = []
            for c in range(c_in):
                terms = [full_convolve(W[m, c], _dilate(w2[q, m], step)) for m in range(m_in)]
                row.append(sum(terms[1:], terms[0]))
            rows.append(np.stack(row))
        W = np.stack(rows)
        if ld.bias is not None or B is not None:
            b2 = np.zeros(q_out, dtype=object) if ld.bias is None else _values(ld.bias)
            carried = [sum((B[m] * sum(w2[q, m].reshape(-1).tolist()) for m in range(m_in)),
                           sympy.S.Zero) if B is not None else sympy.S.Zero
                       for q in range(q_out)]
            B = np.array([sympy.expand(b2[q] + carried[q]) for q in range(q_out)], dtype=object)
        step = tuple(a * b for a, b in zip(step, s))
    W = np.vectorize(sympy.expand, otypes=[object])(W)
    layer = type(nd.network.layers[0])(
        W.shape[1], W.shape[0], tuple(W.shape[2:]), stride=step, bias=B is not None)
    single = layer.derive(x=nd.input, weight=W, bias=B)
    T = nd.matrix
    Ts = single.matrix
    same_matrix = Ts.shape == T.shape and all(
        sympy.expand(a - b) == 0 for a, b in zip(Ts, T))
    same_output = all(sympy.expand(a - b) == 0
                      for a, b in zip(_flat(single.output), _flat(nd.output)))
    holds = same_matrix and same_output
    return Composition(layer, as_array(W), None if B is None else as_array(B), single, bool(holds))


def _values(a: Any) -> np.ndarray:
    return values(a)
