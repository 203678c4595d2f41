"""Numeric checks: the symbolic results, lambdified, against independent references.

Layer: checks.

Every variable gets seeded random integers (one column per trial, all trials
evaluated at once).  The output, ``T vec(x) + b`` and ``P vec(w) + b`` are
evaluated through ``sympy.lambdify`` (shape by shape, with generated argument
names only: :mod:`symconv.checks._evaluate`) and compared with SciPy
(``scipy.signal``) for signals, with the textbook NumPy implementation in
``symconv.checks._reference`` for layers, and with ``torch.nn.functional`` whenever
PyTorch imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..boundary._spec import check_trials_seed
from ..core._gc import without_gc
from . import _reference
from ._evaluate import evaluate_at_random

if TYPE_CHECKING:
    from ..core._derivation import Derivation


@dataclass(frozen=True)
class Comparison:
    """One symbolic view compared with one reference over every trial."""

    view: str
    reference: str
    agree: bool
    max_abs_error: float

    @classmethod
    def of(cls, view: str, reference: str, got: np.ndarray, expected: np.ndarray, *,
           exact: bool) -> Comparison:
        """Compare evaluated values with a reference's: exactly for integer data."""
        err = float(np.max(np.abs(got - expected))) if got.size else 0.0
        if exact:
            agree = bool(np.array_equal(got, expected))
        else:
            agree = bool(np.allclose(got, expected, rtol=1e-9, atol=1e-12))
        return cls(view, reference, agree, err)

    def __str__(self) -> str:
        verdict = "agrees" if self.agree else f"DIFFERS (max |error| {self.max_abs_error:.3g})"
        return f"{self.view:<18} vs {self.reference}: {verdict}"


@dataclass(frozen=True)
class CheckReport:
    """The result of :meth:`Derivation.check`: truthy when every comparison agrees.

    Examples
    --------
    >>> import symconv as sc
    >>> report = sc.correlate([1, 2, 3, 4], [5, 6, 7]).check(trials=2)
    >>> bool(report), len(report.comparisons)
    (True, 6)
    >>> print(report.comparisons[0])
    output             vs scipy.signal.correlate: agrees
    """

    comparisons: tuple[Comparison, ...]
    trials: int
    seed: int
    free_symbols: int
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return all(c.agree for c in self.comparisons)

    def __str__(self) -> str:
        head = (
            f"{len(self.comparisons)} comparisons, {self.trials} trial(s) of seeded random "
            f"integers (seed {self.seed}) for {self.free_symbols} free symbol(s):"
        )
        return "\n".join([head, *(f"  {c}" for c in self.comparisons), *self.notes])

    def __repr__(self) -> str:
        verdict = "passed" if self else "FAILED"
        return f"<CheckReport {verdict}: {len(self.comparisons)} comparisons>"


#: A reference: the evaluated operands (each ``(n, trials)``) -> the expected value
#: of every view (one ``(n, trials)`` array for all views, or one per view name).
Reference = Callable[[list[np.ndarray]], "np.ndarray | dict[str, np.ndarray]"]
#: The symbolic views evaluated: (operands, derived groups) -> ``{view: (n, trials)}``.
Views = Callable[[list[np.ndarray], list[np.ndarray]], dict[str, np.ndarray]]


@without_gc
def run_check(operands: Sequence[Sequence[Any]], derived: Sequence[Sequence[Any]],
              views: Views, references: Callable[[list[str], bool], list[tuple[str, Reference]]],
              trials: object, seed: object) -> CheckReport:
    """The one check driver (forward and backward passes).

    ``operands`` (input, weight, bias[, upstream gradient]) and ``derived`` (the
    symbolic views' expressions) are evaluated together at seeded random integers
    (:func:`~symconv.checks._evaluate.evaluate_at_random`); ``views`` turns them
    into the compared arrays; ``references(notes, complex_data)`` lists the
    independent references, each given the evaluated operands.
    """
    n_trials, n_seed = check_trials_seed(trials, seed)
    n_free, values = evaluate_at_random([*operands, *derived], trials=n_trials, seed=n_seed)
    ops, der = values[:len(operands)], values[len(operands):]
    got = views(ops, der)
    exact = _is_integral(*ops)
    notes: list[str] = []
    comparisons = []
    for ref_name, ref in references(notes, any(np.iscomplexobj(a) for a in ops)):
        expected = ref(ops)
        for view, val in got.items():
            want = expected if isinstance(expected, np.ndarray) else expected[view]
            comparisons.append(Comparison.of(view, ref_name, val, want, exact=exact))
    return CheckReport(tuple(comparisons), n_trials, n_seed, n_free, tuple(notes))


def each_trial(fn: Callable[..., Any], shapes: Sequence[tuple[int, ...] | None]) -> Reference:
    """A per-sample reference ``fn(*operands)`` run on every trial (``None`` shape: absent)."""

    def ref(ops: list[np.ndarray]) -> np.ndarray | dict[str, np.ndarray]:
        runs = [
            fn(*[None if shp is None else a[:, t].reshape(shp) for a, shp in zip(ops, shapes)])
            for t in range(ops[0].shape[1])
        ]
        if isinstance(runs[0], dict):
            return {k: np.stack([np.asarray(r[k]).reshape(-1) for r in runs], axis=1)
                    for k in runs[0]}
        return np.stack([np.asarray(r).reshape(-1) for r in runs], axis=1)

    return ref


def check(d: Derivation, trials: int = 3, seed: int = 0) -> CheckReport:
    """Evaluate ``d``'s symbolic views numerically and compare with references."""
    spec = d.spec
    bias = d.flat_bias
    # The cached entries behind d.matrix / d.patches (no copies to read them).
    T, P = _SparseParts.of(d.matrix_entries(), (len(d.flat_output), len(d.flat_input))), \
        _SparseParts.of(d.patch_entries(), (len(d.flat_output), len(d.flat_weight)))
    plus_b = " + b" if bias is not None else ""

    def views(ops: list[np.ndarray], der: list[np.ndarray]) -> dict[str, np.ndarray]:
        x, w, b = ops[0], ops[1], ops[2] if bias is not None else None
        y, t_vals, p_vals = der
        return {
            "output": y,
            "T vec(x)" + plus_b: T.apply(t_vals, x, b, spec),
            "P vec(w)" + plus_b: P.apply(p_vals, w, b, spec),
        }

    def references(notes: list[str], complex_data: bool) -> list[tuple[str, Reference]]:
        refs = _references(d, notes)
        if complex_data and spec.kind != "signal":
            refs = [r for r in refs if not r[0].startswith("torch")]
            notes.append("Complex data: the PyTorch comparison was skipped (compared in float64).")
        shapes = (spec.input_shape, spec.weight_shape, None if bias is None else (len(bias),))
        return [(name, each_trial(fn, shapes)) for name, fn in refs]

    return run_check([d.flat_input, d.flat_weight, bias or []],
                     [d.flat_output, T.distinct, P.distinct], views, references, trials, seed)


def _is_integral(*arrays: np.ndarray | None) -> bool:
    return all(
        a is None or (np.isrealobj(a) and bool(np.all(np.mod(a, 1) == 0))) for a in arrays
    )


@dataclass(frozen=True)
class _SparseParts:
    """A SymPy sparse matrix as COO positions plus its distinct entries."""

    rows: np.ndarray
    cols: np.ndarray
    which: np.ndarray  # entry e is distinct[which[e]]
    distinct: list[Any]
    shape: tuple[int, int]

    @classmethod
    def of(cls, rows_dict: Mapping[int, Mapping[int, Any]], shape: tuple[int, int]
           ) -> _SparseParts:
        """From the ``{row: {column: entry}}`` entries of a sparse matrix."""
        lengths: list[int] = []
        cols: list[int] = []
        entries: list[Any] = []
        for row in rows_dict.values():
            lengths.append(len(row))
            cols.extend(row)
            entries.extend(row.values())
        rows = np.repeat(np.fromiter(rows_dict, dtype=np.int64, count=len(rows_dict)), lengths)
        # Each distinct entry is evaluated once (T holds a few weights many times over);
        # "distinct" by identity, which NumPy finds without SymPy's Python-level hash
        # (equal objects that are not the same object are merely evaluated twice).
        ids = np.fromiter(map(id, entries), dtype=np.uint64, count=len(entries))
        _, first, which = np.unique(ids, return_index=True, return_inverse=True)
        distinct = [entries[j] for j in first.tolist()]
        return cls(rows, np.array(cols, dtype=np.int64), which.reshape(-1), distinct, shape)

    def apply(self, vals: np.ndarray, v: np.ndarray, b: np.ndarray | None, spec: Any
              ) -> np.ndarray:
        """``M v + b`` per trial, given the distinct entries' values ``vals``."""
        import scipy.sparse  # imported when used: `import symconv` stays light

        out = np.empty((self.shape[0], v.shape[1]), dtype=np.result_type(vals, v))
        for t in range(v.shape[1]):
            m = scipy.sparse.csr_array((vals[self.which, t], (self.rows, self.cols)),
                                       shape=self.shape)
            out[:, t] = m @ v[:, t]
        if b is not None:
            per_channel = int(np.prod(spec.output_shape[1:]))
            out += np.repeat(b, per_channel, axis=0)
        return out


RefFn = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]


def _references(d: Derivation, notes: list[str]) -> list[tuple[str, RefFn]]:
    s = d.spec
    refs: list[tuple[str, RefFn]] = []
    if s.kind == "signal" and s.mode == "circular":  # periodic: the FFT and np.roll
        op = str(s.op)
        refs.append(("numpy.fft", lambda x, w, b: _reference.circular_fft(x, w, op)))
        refs.append(("NumPy np.roll reference",
                     lambda x, w, b: _reference.signal_nd(x, w, op, "circular")))
        return refs
    if s.kind == "signal":
        import scipy.signal

        fn = getattr(scipy.signal, s.op)  # type: ignore[arg-type]
        # NumPy and SciPy conjugate the kernel in correlate; symconv never does, so
        # their correlate is handed conj(w) (a no-op for real data).
        fix = np.conj if s.op == "correlate" else (lambda w: w)
        refs.append(
            (f"scipy.signal.{s.op}",
             lambda x, w, b: fn(x, fix(w), mode=s.mode, method="direct"))
        )
        if s.ndim == 1:
            npfn = getattr(np, s.op)  # type: ignore[arg-type]
            if _x_at_least_w(s):
                refs.append((f"numpy.{s.op}", lambda x, w, b: npfn(x, fix(w), mode=s.mode)))
        return refs
    if s.kind == "conv":
        refs.append(
            (
                "NumPy reference conv",
                lambda x, w, b: _reference.conv_nd(
                    x, w, b, stride=s.stride, padding=s.padding, dilation=s.dilation,
                    groups=s.groups, padding_mode=s.padding_mode,
                ),
            )
        )
    else:
        refs.append(
            (
                "NumPy reference conv_transpose",
                lambda x, w, b: _reference.conv_transpose_nd(
                    x, w, b, stride=s.stride, padding=[p for p, _ in s.padding],
                    output_padding=s.output_padding, dilation=s.dilation, groups=s.groups,
                ),
            )
        )
    torch_ref = _torch_reference(d)
    if torch_ref is None:
        notes.append("PyTorch is not installed: the torch.nn.functional comparison was skipped.")
    else:
        refs.append(torch_ref)
    return refs


def _x_at_least_w(s: Any) -> bool:
    """NumPy swaps the arguments when the kernel is longer; scipy.signal keeps x's size."""
    return bool(s.in_size[0] >= s.kernel_size[0])


def _torch_reference(d: Derivation) -> tuple[str, RefFn] | None:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    s = d.spec

    def tensor(a: np.ndarray | None) -> Any:
        return None if a is None else torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))

    if s.kind == "conv":
        conv = getattr(F, f"conv{s.ndim}d")

        def run(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
            xt = tensor(x)[None]
            pads = [q for lo_hi in reversed(s.padding) for q in lo_hi]
            mode = {"zeros": "constant"}.get(s.padding_mode, s.padding_mode)
            if any(pads):
                xt = F.pad(xt, pads, mode=mode)
            return conv(xt, tensor(w), tensor(b), s.stride, 0, s.dilation, s.groups)[0].numpy()

        return f"torch.nn.functional.conv{s.ndim}d", run
    tconv = getattr(F, f"conv_transpose{s.ndim}d")

    def run_t(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        pad = tuple(p for p, _ in s.padding)
        return tconv(tensor(x)[None], tensor(w), tensor(b), s.stride, pad,
                     s.output_padding, s.groups, s.dilation)[0].numpy()

    return f"torch.nn.functional.conv_transpose{s.ndim}d", run_t
