"""The evidence behind every claim of the textbook: proof steps and instance checks, run live.

Layer: checks.  Over 400 lines: one function per claim (28 of them) next to the
reference loops it is checked against and the one registry the document and the
tests read; split by source, the shared Evidence/Makers and helpers would travel
between three modules.  One function per claim (Goodfellow, Bengio & Courville ch. 9,
eqs. 9.4-9.13; Dumoulin & Visin, relationships 1-15; the structure theorems),
registered in :data:`CLAIMS`.  Each returns :class:`Evidence`:

* ``steps`` -- the proof of the general-size statement as data, each step with
  its status: ``"proved"`` (SymPy establishes it symbolically for symbolic
  sizes), ``"checked"`` (evaluated on a grid of sizes; the count is given) or
  ``"definition"``;
* ``checks`` -- instance comparisons, each a concrete convolution built by
  symconv and compared with an independent reference (a loop written from the
  textbook formula here, NumPy/SciPy, and ``torch.nn.functional`` when it
  imports).  Each can fail: ``tamper`` is applied to symconv's side before
  every comparison (the tests pass one that perturbs a value and expect failure).

Nothing here knows LaTeX (``rendering/_textbook.py`` states the claims).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import sympy

from ..boundary._spec import conv_out_size, transpose_out_size
from ..core._blocks import block_partition
from ..core._stretch import stretched_input, stretched_kernel, subsampled
from ..core._structure import diagonalize, kronecker_form
from ._structure_checks import check_equivalent, check_kronecker, prove_diagonalization
from ._structure_general import prove_convolution_theorem, prove_stretched_kernel

Status = Literal["proved", "checked", "definition"]
Tamper = Callable[[np.ndarray], np.ndarray]


def _identity(a: np.ndarray) -> np.ndarray:
    return a


@dataclass(frozen=True)
class Makers:
    """The front-door constructors the claims build with (passed down by the shell).

    The checks layer may not import the shell; ``symconv.textbook`` hands its
    own ``convolve``, ``correlate`` and layer classes down in one of these.
    """

    convolve: Any
    correlate: Any
    Conv2d: Any
    ConvTranspose2d: Any
    LocallyConnected2d: Any
    TiledConv2d: Any
    MaxPool2d: Any
    Conv1d: Any = None  # with the next one: the general-size engine's derivations
    ConvTranspose1d: Any = None


@dataclass(frozen=True)
class ProofStep:
    """One step of a general-size proof: what, and how it is established."""

    text: str
    status: Status
    count: int = 0  # grid points, for "checked"


@dataclass
class Evidence:
    """The proof steps and instance checks of one claim (truthy when nothing failed)."""

    key: str
    steps: list[ProofStep] = field(default_factory=list)
    checks: int = 0
    references: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.failures and self.checks > 0

    def compare(self, what: str, reference: str, got: Any, want: Any) -> None:
        """Count one instance check; record a failure when the arrays differ."""
        self.checks += 1
        self.references.add(reference)
        a, b = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-9):
            self.failures.append(f"{what} vs {reference}")

    def exact(self, what: str, result: Any) -> None:
        """Count one exact (symbolic) check whose result object is truthy when it holds."""
        self.checks += 1
        self.references.add("exact symbolic comparison")
        if not result:
            self.failures.append(f"{what}: {result}")

    def prove(self, text: str, difference: Any) -> None:
        """A step SymPy proves: ``simplify(difference) == 0`` with symbolic sizes."""
        ok = sympy.simplify(difference) == 0
        self.steps.append(ProofStep(text, "proved"))
        if not ok:
            self.failures.append(f"proof step not closed by SymPy: {text}")

    def grid(self, text: str, holds: Iterable[bool]) -> None:
        """A step checked on every point of a grid of sizes."""
        results = list(holds)
        self.steps.append(ProofStep(text, "checked", len(results)))
        if not all(results):
            self.failures.append(f"grid check fails: {text}")


def _num(a: Any) -> np.ndarray:
    return np.array(a.tolist(), dtype=float)


def _ints(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.integers(-4, 5, size=shape)


def _torch() -> Any:
    try:
        import torch
        import torch.nn.functional as functional
    except ImportError:
        return None
    return torch, functional


def _t(a: np.ndarray) -> Any:
    import torch

    return torch.tensor(np.asarray(a, dtype=float)[None], dtype=torch.float64)


SYM = {name: sympy.Symbol(name, integer=True, positive=True) for name in "iksdq"}
NONNEG = {name: sympy.Symbol(name, integer=True, nonnegative=True) for name in "pa"}


# ------------------------------------------------------------------ references


def conv_full_94(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    """GBC 9.4 written out: ``S(i, j) = sum_m sum_n I(m, n) K(i - m, j - n)``."""
    (a, b), (c, d) = img.shape, ker.shape
    out = np.zeros((a + c - 1, b + d - 1))
    for i, j, m, n in itertools.product(range(a + c - 1), range(b + d - 1), range(a), range(b)):
        if 0 <= i - m < c and 0 <= j - n < d:
            out[i, j] += img[m, n] * ker[i - m, j - n]
    return out


def conv_commuted_95(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    """GBC 9.5: ``S(i, j) = sum_m sum_n I(i - m, j - n) K(m, n)``."""
    (a, b), (c, d) = img.shape, ker.shape
    out = np.zeros((a + c - 1, b + d - 1))
    for i, j, m, n in itertools.product(range(a + c - 1), range(b + d - 1), range(c), range(d)):
        if 0 <= i - m < a and 0 <= j - n < b:
            out[i, j] += img[i - m, j - n] * ker[m, n]
    return out


def layer_97(v: np.ndarray, k: np.ndarray, s: int = 1) -> np.ndarray:
    """GBC 9.7/9.8 (0-based): ``Z[i,j,k] = sum_{l,m,n} V[l, j*s+m, k*s+n] K[i,l,m,n]``."""
    co, ci, kh, kw = k.shape
    oh, ow = (v.shape[1] - kh) // s + 1, (v.shape[2] - kw) // s + 1
    z = np.zeros((co, oh, ow))
    for i, j, kk, ch, m, n in itertools.product(range(co), range(oh), range(ow), range(ci),
                                               range(kh), range(kw)):
        z[i, j, kk] += v[ch, j * s + m, kk * s + n] * k[i, ch, m, n]
    return z


def local_99(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """GBC 9.9: ``Z[i,j,k] = sum_{l,m,n} V[l, j+m, k+n] W[i,j,k,l,m,n]``."""
    co, oh, ow, ci, kh, kw = w.shape
    z = np.zeros((co, oh, ow))
    for i, j, k, ch, m, n in itertools.product(range(co), range(oh), range(ow), range(ci),
                                              range(kh), range(kw)):
        z[i, j, k] += v[ch, j + m, k + n] * w[i, j, k, ch, m, n]
    return z


def tiled_910(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """GBC 9.10: ``Z[i,j,k] = sum V[l, j+m, k+n] K[i, j%t, k%t, l, m, n]`` (symconv's layout)."""
    co, th, tw, ci, kh, kw = w.shape
    oh, ow = v.shape[1] - kh + 1, v.shape[2] - kw + 1
    z = np.zeros((co, oh, ow))
    for i, j, k, ch, m, n in itertools.product(range(co), range(oh), range(ow), range(ci),
                                              range(kh), range(kw)):
        z[i, j, k] += v[ch, j + m, k + n] * w[i, j % th, k % tw, ch, m, n]
    return z


def kernel_grad_911(g: np.ndarray, v: np.ndarray, shape: tuple[int, ...], s: int) -> np.ndarray:
    """GBC 9.11: ``dJ/dK[i,j,k,l] = sum_{m,n} G[i,m,n] V[j, m*s+k, n*s+l]``."""
    out = np.zeros(shape)
    co, ci, kh, kw = shape
    for i, j, k, ch, m, n in itertools.product(range(co), range(ci), range(kh), range(kw),
                                              range(g.shape[1]), range(g.shape[2])):
        out[i, j, k, ch] += g[i, m, n] * v[j, m * s + k, n * s + ch]
    return out


def input_grad_913(k: np.ndarray, g: np.ndarray, size: tuple[int, int], s: int) -> np.ndarray:
    """GBC 9.13 (0-based): ``dJ/dV[i,j,k] = sum over l*s+m = j, n*s+p = k, and q of
    K[q,i,m,p] G[q,l,n]``."""
    co, ci, kh, kw = k.shape
    out = np.zeros((ci, *size))
    for i, j, kk in itertools.product(range(ci), range(size[0]), range(size[1])):
        for ch, m, n, p, q in itertools.product(range(g.shape[1]), range(kh), range(g.shape[2]),
                                               range(kw), range(co)):
            if ch * s + m == j and n * s + p == kk:
                out[i, j, kk] += k[q, i, m, p] * g[q, ch, n]
    return out


# ------------------------------------------------------------------ GBC ch. 9


def _gbc_sizes() -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [((3, 3), (2, 2)), ((3, 4), (2, 3)), ((4, 2), (3, 2)), ((2, 3), (2, 2))]


def gbc_94(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    import scipy.signal  # imported when used: `import symconv` stays light

    ev = Evidence("gbc-9.4")
    ev.steps.append(ProofStep("symconv's convolve(mode='full') is y[m] = sum_k x[m - k] "
                              "w[k] over the k with 0 <= m - k < n, per axis", "definition"))
    rng = np.random.default_rng(94)
    for si, sk in _gbc_sizes():
        img, ker = _ints(rng, *si), _ints(rng, *sk)
        y = tamper(_num(mk.convolve(img, ker, mode="full").output))
        ev.compare(f"convolve {si}*{sk}", "loops of eq. 9.4", y, conv_full_94(img, ker))
        ev.compare(f"convolve {si}*{sk}", "scipy.signal.convolve2d", y,
                   scipy.signal.convolve2d(img, ker, mode="full"))
    return ev


def gbc_95(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.5")
    i, m = sympy.symbols("i m", integer=True)
    ev.prove("the substitution m -> i - m maps I(m) K(i - m) onto I(i - m) K(m) and back "
             "(an involution of the index set)", (i - (i - m)) - m)
    rng = np.random.default_rng(95)
    for si, sk in _gbc_sizes()[:3]:
        xs, ws = sympy.symarray("I", si), sympy.symarray("K", sk)
        a, b = mk.convolve(xs, ws, mode="full").output, mk.convolve(ws, xs, mode="full").output
        diff = [sympy.expand(u - v) for u, v in zip(sympy.flatten(a), sympy.flatten(b))]
        ev.exact(f"I*K = K*I symbolically, {si} and {sk}", all(d == 0 for d in diff))
        img, ker = _ints(rng, *si), _ints(rng, *sk)
        ev.compare(f"convolve {si}*{sk}", "loops of eq. 9.5",
                   tamper(_num(mk.convolve(img, ker, mode="full").output)),
                   conv_commuted_95(img, ker))
    return ev


def gbc_96(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    import scipy.signal  # imported when used: `import symconv` stays light

    ev = Evidence("gbc-9.6")
    ev.steps.append(ProofStep("correlate(mode='valid') is y[m] = sum_k x[m + k] w[k]: the "
                              "tap law i = o + j with stride 1, no padding", "definition"))
    rng = np.random.default_rng(96)
    tt = _torch()
    for si, sk in _gbc_sizes():
        img, ker = _ints(rng, *si), _ints(rng, *sk)
        y = tamper(_num(mk.correlate(img, ker, mode="valid").output))
        want = layer_97(img[None], ker[None, None])[0]
        ev.compare("correlate valid", "loops of eq. 9.6", y, want)
        ev.compare("correlate valid", "scipy.signal.correlate2d", y,
                   scipy.signal.correlate2d(img, ker, mode="valid"))
        if tt is not None:
            ev.compare("correlate valid", "torch.nn.functional.conv2d", y,
                       tt[1].conv2d(_t(img)[None], _t(ker)[None])[0, 0].numpy())
    return ev


def _layer_cases() -> list[tuple[int, int, tuple[int, int], tuple[int, int]]]:
    return [(1, 2, (4, 4), (2, 2)), (2, 3, (3, 5), (2, 3)), (3, 2, (5, 4), (3, 2))]


def gbc_97(mk: Makers, tamper: Tamper = _identity, stride: int = 1,
           key: str = "gbc-9.7") -> Evidence:
    ev = Evidence(key)
    ev.steps.append(ProofStep("Conv2d's tap law per axis: output o reads input s*o + j "
                              "(no padding, no dilation), summed over input channels",
                              "definition"))
    rng = np.random.default_rng(97 + stride)
    tt = _torch()
    for ci, co, size, ks in _layer_cases():
        v, k = _ints(rng, ci, *size), _ints(rng, co, ci, *ks)
        d = mk.Conv2d(ci, co, ks, stride=stride, bias=False).derive(x=v, weight=k)
        y = tamper(_num(d.output))
        ev.compare(f"Conv2d({ci}, {co}, {ks}, stride={stride})",
                   f"loops of eq. 9.{7 if stride == 1 else 8}", y, layer_97(v, k, stride))
        if tt is not None:
            ev.compare("Conv2d", "torch.nn.functional.conv2d", y,
                       tt[1].conv2d(_t(v), _t(k)[0], stride=stride)[0].numpy())
        if stride > 1:
            ev.exact("strided = stride-1 conv read every s-th output",
                     check_equivalent(d, subsampled(d)))
    return ev


def gbc_98(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = gbc_97(mk, tamper, stride=2, key="gbc-9.8")
    more = gbc_97(mk, tamper, stride=3, key="gbc-9.8")
    ev.checks += more.checks
    ev.failures += more.failures
    ev.references |= more.references
    return ev


def gbc_99(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.9")
    ev.steps.append(ProofStep("a locally connected layer has the taps of Conv2d with one "
                              "weight per tap (no ties)", "definition"))
    rng = np.random.default_rng(99)
    for ci, co, size, ks in _layer_cases():
        layer = mk.LocallyConnected2d(ci, co, ks, bias=False)
        v = _ints(rng, ci, *size)
        shape = layer.derive(input_size=(ci, *size)).weight.shape
        w = _ints(rng, *shape)
        d = layer.derive(x=v, weight=w)
        ev.compare(f"LocallyConnected2d({ci}, {co}, {ks})", "loops of eq. 9.9",
                   tamper(_num(d.output)), local_99(v, w))
        conv = mk.Conv2d(ci, co, ks, bias=False).derive(input_size=(ci, *size))
        ev.exact("the structural zeros of Conv2d",
                 d.stats().structural_zeros == conv.stats().structural_zeros)
    return ev


def gbc_910(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.10")
    ev.steps.append(ProofStep("a tiled convolution cycles t kernels: output (j, k) uses "
                              "kernel (j mod t, k mod t)", "definition"))
    rng = np.random.default_rng(910)
    for (ci, co, size, ks), t in zip(_layer_cases(), (2, 2, 3)):
        layer = mk.TiledConv2d(ci, co, ks, tiles=t, bias=False)
        v = _ints(rng, ci, *size)
        w = _ints(rng, *layer.derive(input_size=(ci, *size)).weight.shape)
        d = layer.derive(x=v, weight=w)
        ev.compare(f"TiledConv2d({ci}, {co}, {ks}, tiles={t})", "loops of eq. 9.10",
                   tamper(_num(d.output)), tiled_910(v, w))
    return ev


def _grad_case(mk: Makers, rng: np.random.Generator, ci: int, co: int, size: tuple[int, int],
               ks: tuple[int, int], s: int) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    v, k = _ints(rng, ci, *size), _ints(rng, co, ci, *ks)
    d = mk.Conv2d(ci, co, ks, stride=s, bias=False).derive(x=v, weight=k)
    g = _ints(rng, *d.output.shape)
    return d, v, k, g


def _autograd(v: np.ndarray, k: np.ndarray, g: np.ndarray, s: int) -> tuple[Any, Any] | None:
    tt = _torch()
    if tt is None:
        return None
    vt = _t(v).requires_grad_(True)
    kt = _t(k)[0].requires_grad_(True)
    (tt[1].conv2d(vt, kt, stride=s) * _t(g)).sum().backward()
    return vt.grad[0].numpy(), kt.grad.numpy()


def gbc_911(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.11")
    ev.steps.append(ProofStep("dJ/dK = sum over the outputs of G times the input each weight "
                              "multiplies (the tie group of the weight)", "definition"))
    rng = np.random.default_rng(911)
    for (ci, co, size, ks), s in itertools.product(_layer_cases(), (1, 2)):
        d, v, k, g = _grad_case(mk, rng, ci, co, size, ks, s)
        got = tamper(_num(d.gradient(grad_output=g).weight))
        ev.compare(f"dJ/dK stride {s}", "loops of eq. 9.11", got,
                   kernel_grad_911(g, v, k.shape, s))
        ref = _autograd(v, k, g, s)
        if ref is not None:
            ev.compare(f"dJ/dK stride {s}", "torch.autograd", got, ref[1])
    return ev


def _unit_differences(v: np.ndarray, k: np.ndarray, g: np.ndarray, s: int) -> np.ndarray:
    """dJ/dV of ``J(V) = sum G * c(K, V, s)`` (eq. 9.8 loops): J is linear in V, so each
    partial derivative is exactly ``J(V + e) - J(V)`` for the unit tensor ``e``."""
    base = float((g * layer_97(v, k, s)).sum())
    out = np.zeros(v.shape)
    for idx in np.ndindex(*v.shape):
        bumped = np.array(v, dtype=float)
        bumped[idx] += 1
        out[idx] = float((g * layer_97(bumped, k, s)).sum()) - base
    return out


def gbc_912(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.12")
    ev.steps.append(ProofStep("symconv's dJ/dV is T^T G, the derivative of J = G . (T vec(V)) "
                              "(the chain rule through the linear map T)", "definition"))
    rng = np.random.default_rng(912)
    for (ci, co, size, ks), s in itertools.product(_layer_cases()[:2], (1, 2)):
        d, v, k, g = _grad_case(mk, rng, ci, co, size, ks, s)
        got = tamper(_num(d.gradient(grad_output=g).input))
        ev.compare(f"dJ/dV stride {s}", "exact unit differences of J through the loops of "
                   "eq. 9.8", got, _unit_differences(v, k, g, s))
        ref = _autograd(v, k, g, s)
        if ref is not None:
            ev.compare(f"dJ/dV stride {s}", "torch.autograd", got, ref[0])
    return ev


def gbc_913(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-9.13")
    ev.steps.append(ProofStep("dJ/dV = T^T G: the taps (o, i, k) with o and i swapped, so "
                              "V[i, j, k] collects K[q, i, m, p] G[q, l, n] over "
                              "l*s + m = j, n*s + p = k (0-based)", "definition"))
    rng = np.random.default_rng(913)
    for (ci, co, size, ks), s in itertools.product(_layer_cases(), (1, 2)):
        d, v, k, g = _grad_case(mk, rng, ci, co, size, ks, s)
        got = tamper(_num(d.gradient(grad_output=g).input))
        ev.compare(f"dJ/dV stride {s}", "loops of eq. 9.13", got,
                   input_grad_913(k, g, size, s))
        ref = _autograd(v, k, g, s)
        if ref is not None:
            ev.compare(f"dJ/dV stride {s}", "torch.autograd", got, ref[0])
    return ev


def gbc_recon(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    ev = Evidence("gbc-recon")
    ev.steps.append(ProofStep("R = h(K, H, s) is eq. 9.13 with G = H: the transposed "
                              "convolution of H", "definition"))
    rng = np.random.default_rng(9130)
    tt = _torch()
    for (ci, co, size, ks), s in itertools.product(_layer_cases(), (1, 2)):
        d, _v, k, h = _grad_case(mk, rng, ci, co, size, ks, s)
        pads = tuple((n - kk) % s for n, kk in zip(size, ks))  # output_padding back to V's size
        r = mk.ConvTranspose2d(co, ci, ks, stride=s, output_padding=pads, bias=False).derive(
            x=h, weight=k)
        got = tamper(_num(r.output))
        ev.compare(f"ConvTranspose2d stride {s}", "loops of eq. 9.13 with G = H", got,
                   input_grad_913(k, h, size, s))
        ev.compare(f"ConvTranspose2d stride {s}", "symconv's own dJ/dV (T^T H)", got,
                   _num(d.gradient(grad_output=h).input))
        if tt is not None:
            ev.compare(f"ConvTranspose2d stride {s}", "torch.nn.functional.conv_transpose2d",
                       got, tt[1].conv_transpose2d(_t(h), _t(k)[0], stride=s,
                                                   output_padding=pads)[0].numpy())
    return ev


# ------------------------------------------------------------ Dumoulin & Visin


@dataclass(frozen=True)
class Relationship:
    """One of Dumoulin & Visin's relationships: parameter constraints and the size formula."""

    number: int
    kind: Literal["conv", "pool", "transpose", "dilated"]
    subs: dict[Any, Any]  # the relationship's setting, substituted into the general law
    formula: Any  # o (or o') in terms of i, k, s, p, d (or i', a)
    valid: Callable[[int, int, int, int, int], bool]  # i, k, s, p, d -> in this setting?


def _rel(number: int, kind: Any, subs: dict[str, Any], formula: Any,
         valid: Callable[[int, int, int, int, int], bool]) -> Relationship:
    names = {**SYM, **NONNEG}
    return Relationship(number, kind, {names[a]: v for a, v in subs.items()}, formula, valid)


_i, _k, _s, _d, _q = (SYM[c] for c in "iksdq")
_p, _a = NONNEG["p"], NONNEG["a"]
_fl = sympy.floor

RELATIONSHIPS: dict[int, Relationship] = {r.number: r for r in [
    _rel(1, "conv", {"s": 1, "p": 0, "d": 1}, _i - _k + 1,
         lambda i, k, s, p, d: s == 1 and p == 0 and d == 1),
    _rel(2, "conv", {"s": 1, "d": 1}, _i - _k + 2 * _p + 1,
         lambda i, k, s, p, d: s == 1 and d == 1),
    _rel(3, "conv", {"s": 1, "d": 1, "k": 2 * _q + 1, "p": _q}, _i,
         lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2),
    _rel(4, "conv", {"s": 1, "d": 1, "p": _k - 1}, _i + _k - 1,
         lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1),
    _rel(5, "conv", {"p": 0, "d": 1}, _fl((_i - _k) / _s) + 1,
         lambda i, k, s, p, d: p == 0 and d == 1 and s > 1),
    _rel(6, "conv", {"d": 1}, _fl((_i + 2 * _p - _k) / _s) + 1,
         lambda i, k, s, p, d: d == 1 and s > 1),
    _rel(7, "pool", {"p": 0, "d": 1}, _fl((_i - _k) / _s) + 1,
         lambda i, k, s, p, d: p == 0 and d == 1),
    _rel(8, "transpose", {"s": 1, "p": 0, "d": 1, "a": 0}, _i + _k - 1,
         lambda i, k, s, p, d: s == 1 and p == 0 and d == 1),
    _rel(9, "transpose", {"s": 1, "d": 1, "a": 0}, _i + (_k - 1) - 2 * _p,
         lambda i, k, s, p, d: s == 1 and d == 1),
    _rel(10, "transpose", {"s": 1, "d": 1, "a": 0, "k": 2 * _q + 1, "p": _q}, _i,
         lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2),
    _rel(11, "transpose", {"s": 1, "d": 1, "a": 0, "p": _k - 1}, _i - (_k - 1),
         lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1),
    _rel(12, "transpose", {"p": 0, "d": 1, "a": 0}, _s * (_i - 1) + _k,
         lambda i, k, s, p, d: p == 0 and d == 1 and s > 1 and (i - k) % s == 0),
    _rel(13, "transpose", {"d": 1, "a": 0}, _s * (_i - 1) + _k - 2 * _p,
         lambda i, k, s, p, d: d == 1 and s > 1 and (i + 2 * p - k) % s == 0),
    _rel(14, "transpose", {"d": 1}, _s * (_i - 1) + _a + _k - 2 * _p,
         lambda i, k, s, p, d: d == 1 and s > 1),
    _rel(15, "dilated", {}, _fl((_i + 2 * _p - _k - (_k - 1) * (_d - 1)) / _s) + 1,
         lambda i, k, s, p, d: d > 1),
]}


def _size_grid(valid: Callable[[int, int, int, int, int], bool]
               ) -> list[tuple[int, int, int, int, int]]:
    out = []
    for i, k, s, p, d in itertools.product(range(1, 10), range(1, 5), range(1, 4), range(4),
                                           range(1, 4)):
        if d * (k - 1) + 1 <= i + 2 * p and valid(i, k, s, p, d):
            out.append((i, k, s, p, d))
    return out


def _brute_out(i: int, k: int, s: int, p: int, d: int) -> int:
    """Outputs counted one by one: positions o whose window fits the padded input."""
    return sum(1 for o in range(i + 2 * p + 1) if s * o + d * (k - 1) <= i + 2 * p - 1)


def _instances(valid: Callable[[int, int, int, int, int], bool], count: int
               ) -> list[tuple[int, int, int, int, int]]:
    grid = [g for g in _size_grid(valid) if g[0] <= 6]
    step = max(1, len(grid) // count)
    return grid[::step][:count]


def dv(mk: Makers, number: int, tamper: Tamper = _identity) -> Evidence:
    """Evidence for D&V relationship ``number``: its size law and instances of it."""
    rel = RELATIONSHIPS[number]
    ev = Evidence(f"dv-{number}")
    if rel.kind == "transpose":
        return _dv_transpose(mk, rel, ev, tamper)
    general: Any = conv_out_size(_i, _k, _s, _d, _p, _p)
    ev.prove("the general output law o = floor((i + 2p - d(k-1) - 1)/s) + 1 in this setting "
             "is the relationship", general.subs(rel.subs) - rel.formula)
    grid = _size_grid(rel.valid)
    ev.grid("the general output law counts the window positions that fit the padded input "
            "(enumerated one by one)",
            (conv_out_size(i, k, s, d, p, p) == _brute_out(i, k, s, p, d)
             for i, k, s, p, d in grid))
    from . import _reference

    rng = np.random.default_rng(number)
    tt = _torch()
    for i, k, s, p, d in _instances(rel.valid, 6):
        x, w = _ints(rng, 1, i, i), _ints(rng, 1, 1, k, k)
        want_size = int(rel.formula.subs({_i: i, _k: k, _s: s, _p: p, _d: d,
                                          _q: (k - 1) // 2}))
        if rel.kind == "pool":
            y = tamper(_num(mk.MaxPool2d(k, stride=s).derive(x=x).output))
            ref = np.array([[x[0, a * s:a * s + k, b * s:b * s + k].max()
                             for b in range(want_size)] for a in range(want_size)])[None]
            ev.compare(f"MaxPool2d({k}, stride={s}) on {i}x{i}", "max over each window (loops)",
                       y, ref)
            if tt is not None:
                ev.compare("MaxPool2d", "torch.nn.functional.max_pool2d", y,
                           tt[1].max_pool2d(_t(x), k, s)[0].numpy())
            continue
        layer = mk.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
        dd = layer.derive(x=x, weight=w)
        y = tamper(_num(dd.output))
        ev.compare(f"output size of Conv2d(k={k}, s={s}, p={p}, d={d}) on {i}x{i}",
                   "the relationship's formula", y.shape, (1, want_size, want_size))
        ev.compare("Conv2d values", "NumPy pad-and-slide reference", y,
                   _reference.conv_nd(x, w, stride=(s, s), padding=((p, p), (p, p)),
                                      dilation=(d, d)))
        if tt is not None:
            ev.compare("Conv2d values", "torch.nn.functional.conv2d", y,
                       tt[1].conv2d(_t(x), _t(w)[0], stride=s, padding=p, dilation=d)[0].numpy())
        if rel.kind == "dilated":
            ev.exact("dilated conv = conv with the zero-stretched kernel",
                     check_equivalent(dd, stretched_kernel(dd)))
    if rel.kind == "dilated":
        j = sympy.Symbol("j", integer=True, nonnegative=True)
        o = sympy.Symbol("o", integer=True, nonnegative=True)
        ev.prove("kernel tap j of the dilated conv reads input s*o + d*j - p; tap d*j of the "
                 "zero-stretched kernel (dilation 1) reads the same input",
                 (_s * o + (_d * j) - _p) - (_s * o + _d * j - _p))
    return ev


def _dv_transpose(mk: Makers, rel: Relationship, ev: Evidence, tamper: Tamper) -> Evidence:
    from . import _reference

    general: Any = transpose_out_size(_i, _k, _s, _d, _p, _a)
    ev.prove("the transposed output law o' = (i'-1)s - 2p + d(k-1) + a + 1 in this setting "
             "is the relationship", general.subs(rel.subs) - rel.formula)
    t, j, o = (sympy.Symbol(c, integer=True) for c in "tjo")
    lo = _d * (_k - 1) - _p
    ev.prove("direct view: the stretched input holds x[t] at lo + s*t with lo = d(k-1) - p; "
             "output o reads it through flipped tap k-1-j exactly when the transposed "
             "convolution's tap law o = s*t + d*j - p holds",
             (o + _d * (_k - 1 - j) - (lo + _s * t)) - (o - (_s * t + _d * j - _p)))
    grid = [(i, k, s, p, d) for i, k, s, p, d in _size_grid(rel.valid)]
    ev.grid("the transposed output of a conv's output size, with a = (i + 2p - k) mod s, "
            "is the conv's input size again",
            (transpose_out_size(conv_out_size(i, k, s, d, p, p), k, s, d, p,
                                (i + 2 * p - d * (k - 1) - 1) % s) == i
             for i, k, s, p, d in grid))
    rng = np.random.default_rng(rel.number)
    tt = _torch()
    for n, (i, k, s, p, d) in enumerate(_instances(rel.valid, 6)):
        ip = conv_out_size(i, k, s, d, p, p)
        a = (i + 2 * p - k) % s
        layer = mk.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a, bias=False)
        x, w = _ints(rng, 1, ip, ip), _ints(rng, 1, 1, k, k)
        dd = layer.derive(x=x, weight=w)
        y = tamper(_num(dd.output))
        want = int(rel.formula.subs({_i: ip, _k: k, _s: s, _p: p, _a: a, _q: (k - 1) // 2}))
        ev.compare(f"output size of ConvTranspose2d(k={k}, s={s}, p={p}, a={a}) on "
                   f"{ip}x{ip}", "the relationship's formula", y.shape, (1, want, want))
        ev.compare("ConvTranspose2d values", "NumPy reference conv_transpose", y,
                   _reference.conv_transpose_nd(x, w, stride=(s, s), padding=[p, p],
                                                output_padding=(a, a), dilation=(1, 1)))
        if tt is not None:
            ev.compare("ConvTranspose2d values", "torch.nn.functional.conv_transpose2d", y,
                       tt[1].conv_transpose2d(_t(x), _t(w)[0], stride=s, padding=p,
                                              output_padding=a)[0].numpy())
        e = stretched_input(dd)
        ev.compare("direct conv of the stretched input", "the transposed conv's values",
                   tamper(_num(e.output)), _reference.conv_transpose_nd(
                       x, w, stride=(s, s), padding=[p, p], output_padding=(a, a), dilation=(1, 1)))
        if n < 2 and ip <= 3:  # symbolic: every entry, every symbol
            sym = mk.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a).derive(
                input_size=(1, ip, ip))
            ev.exact("stretched-input view equals the transposed conv symbolically",
                     check_equivalent(sym, stretched_input(sym)))
    return ev


# ------------------------------------------------------------------ structure


def kronecker(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    """T = sum_k w_k (E (x) S_j1 (x) S_j2): exact at instances, applied to x vs references."""
    from . import _reference

    ev = Evidence("kronecker")
    ev.steps.append(ProofStep(
        "C-order flattening: row o1*m2 + o2 and column i1*n2 + i2 of A (x) B hold "
        "A[o1, i1] B[o2, i2], so the product of the per-axis tap conditions "
        "[i1 = s1*o1 + d1*j1 - p1][i2 = s2*o2 + d2*j2 - p2] is the entry of S_j1 (x) S_j2; "
        "channels add the outer factor E_(q,c)", "definition"))
    rng = np.random.default_rng(5)
    cases: list[tuple[Any, ...]] = [
             (1, 1, (4, 5), (2, 3), 1, 0, 1), (2, 3, (5, 4), (3, 2), 2, 1, 1),
             (1, 2, (6, 6), (2, 2), 1, 1, 2), (2, 2, (4, 4), (3, 3), (1, 2), 1, 1)]
    for ci, co, size, ks, s, p, d in cases:
        x, w = _ints(rng, ci, *size), _ints(rng, co, ci, *ks)
        dd = mk.Conv2d(ci, co, ks, stride=s, padding=p, dilation=d, bias=False).derive(
            x=x, weight=w)
        kf = kronecker_form(dd)
        y = tamper(kf.to_numpy() @ x.reshape(-1))
        st = (s, s) if isinstance(s, int) else s
        ref = _reference.conv_nd(x, w, stride=st, padding=((p, p), (p, p)), dilation=(d, d))
        ev.compare(f"sum of Kronecker terms times vec(x), Conv2d({ci}, {co}, {ks})",
                   "NumPy pad-and-slide reference", y, ref.reshape(-1))
        sym = mk.Conv2d(ci, co, ks, stride=s, padding=p, dilation=d, bias=False).derive(
            input_size=(ci, *size))
        ev.exact("T equals its Kronecker form entry by entry", check_kronecker(sym))
        ev.exact("T equals its labelled blocks W^(q,c)_j reassembled",
                 block_partition(sym).matrix() == sym.matrix)
    return ev


def circulant(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    """The convolution theorem: F T F^-1 = diag(F c), proved for general n (1-D and 2-D)
    by SymPy and exact in Q(zeta_n) at n = 1..8 and three 2-D sizes."""
    ev = Evidence("circulant")
    o, j, n = sympy.Symbol("o", integer=True), sympy.Symbol("j", integer=True), _i
    ev.prove("with circular padding and stride 1, output o + 1 reads input (o + 1) + j - lo "
             "= (o + j - lo) + 1 (mod n): T[o+1, i+1] = T[o, i], T is circulant",
             ((o + 1) + j - _p) - ((o + j - _p) + 1))
    a, m = sympy.Symbol("a", integer=True), sympy.Symbol("m", integer=True)
    geo = sympy.Sum(sympy.exp(-2 * sympy.pi * sympy.I * a * m / n), (m, 0, n - 1)).doit()
    ok = isinstance(geo, sympy.Piecewise) and geo.args[-1][0] == 0
    ev.steps.append(ProofStep("rows of F are orthogonal: sum_m exp(-2 pi i a m / n) is n when "
                              "exp(-2 pi i a / n) = 1 and 0 otherwise (SymPy's geometric sum)",
                              "proved"))
    if not ok:
        ev.failures.append("geometric sum not closed by SymPy")
    rng = np.random.default_rng(8)
    for size in [(1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (2, 3), (3, 3), (2, 4)]:
        ks = tuple(min(3, v) for v in size)
        x, w = _ints(rng, *size), _ints(rng, *ks)
        sym = mk.convolve(sympy.symarray("x", size), sympy.symarray("w", ks), mode="circular")
        dg = diagonalize(sym)
        proof = prove_diagonalization(sym, dg)
        ev.exact(f"F T F^-1 = diag(F c) exactly, n = {size}", proof)
        num = mk.convolve(x, w, mode="circular")
        y = tamper(_num(num.output))
        wp = np.fft.fftn(w, s=size, axes=tuple(range(len(size))))
        ev.compare(f"circular convolve {size}", "numpy.fft: ifftn(fftn(x) fftn(w, n))", y,
                   np.fft.ifftn(np.fft.fftn(x) * wp).real)
        dn = diagonalize(num)
        ev.compare(f"eigenvalues {size}", "numpy.fft.fftn of the first column",
                   np.array([complex(v) for v in dn.eigenvalues]).real,
                   np.fft.fftn(np.array([float(v) for v in dn.first_column]).reshape(size)
                               ).reshape(-1).real)
    for dims in (1, 2):
        where = "general n" if dims == 1 else "general n1, n2 (2-D, F = F_n1 (x) F_n2)"
        for text, held in prove_convolution_theorem(dims):
            ev.steps.append(ProofStep(f"{where}: {text}", "proved"))
            if not held:
                ev.failures.append(f"convolution theorem step not closed by SymPy: {text}")
    return ev


def stretching(mk: Makers, tamper: Tamper = _identity) -> Evidence:
    """Strided = subsampled stride-1 conv; dilated = conv with the stretched kernel."""
    from . import _reference

    ev = Evidence("stretching")
    o, j = sympy.Symbol("o", integer=True), sympy.Symbol("j", integer=True)
    ev.prove("stride: output o of the strided conv reads s*o + d*j - p, which is what output "
             "s*o of the stride-1 conv reads",
             (1 * (_s * o) + _d * j - _p) - (_s * o + _d * j - _p))
    rng = np.random.default_rng(3)
    cases: list[tuple[Any, ...]] = [((7, 8), (2, 3), (2, 3), 1, (3, 2)),
                                    ((6, 6), (3, 3), 2, 0, 1), ((5, 7), (2, 2), 3, 1, 2)]
    for size, ks, s, p, d in cases:
        x, w = _ints(rng, 1, *size), _ints(rng, 2, 1, *ks)
        dd = mk.Conv2d(1, 2, ks, stride=s, padding=p, dilation=d, bias=False).derive(
            x=x, weight=w)
        st = (s, s) if isinstance(s, int) else s
        dl = (d, d) if isinstance(d, int) else d
        ref = _reference.conv_nd(x, w, stride=st, padding=((p, p), (p, p)), dilation=dl)
        sub, stk = subsampled(dd), stretched_kernel(dd)
        ev.compare("stride-1 conv read every s-th output", "NumPy pad-and-slide reference",
                   tamper(_num(sub.output)), ref)
        ev.compare("conv with the zero-stretched kernel", "NumPy pad-and-slide reference",
                   tamper(_num(stk.output)), ref)
        ev.exact("subsampled view, exactly", check_equivalent(dd, sub))
        ev.exact("stretched-kernel view, exactly", check_equivalent(dd, stk))
    return ev


GBC: dict[str, Callable[..., Evidence]] = {
    "9.4": gbc_94, "9.5": gbc_95, "9.6": gbc_96, "9.7": gbc_97, "9.8": gbc_98,
    "9.9": gbc_99, "9.10": gbc_910, "9.11": gbc_911, "9.12": gbc_912, "9.13": gbc_913,
}
#: Stated in GBC's text after eq. 9.13, without an equation number of its own.
GBC_TEXT: dict[str, Callable[..., Evidence]] = {"recon": gbc_recon}
STRUCTURE: dict[str, Callable[..., Evidence]] = {
    "kronecker": kronecker, "circulant": circulant, "stretching": stretching,
}


# ------------------------------------------------------- the general-size engine

#: Which theorems of the general-size engine (``GeneralDerivation.verify()``) each claim
#: cites: (derivation, theorem key).  "conv" is Conv1d(1, 1, k, s, p, d) on n inputs,
#: "transpose" ConvTranspose1d(1, 1, k, s, p, d) on n inputs, all sizes symbolic.
ENGINE_CITES: dict[str, tuple[tuple[str, str], ...]] = {
    "gbc-9.7": (("conv", "a"), ("conv", "b")),
    "gbc-9.8": (("conv", "a"), ("conv", "h")),
    "gbc-9.11": (("conv", "e1"),),
    "gbc-9.12": (("conv", "e2"),),
    "gbc-9.13": (("conv", "e2"), ("conv", "c")),
    "gbc-recon": (("transpose", "a"), ("transpose", "c")),
    "dv-6": (("conv", "f"),),
    "dv-15": (("conv", "f"),),
    "dv-14": (("transpose", "f"), ("transpose", "a")),
    "kronecker": (("conv", "a"), ("conv", "h")),  # 1-D: T[o, i] = sum_j w_j S_j[o, i]
}


def general_engine(mk: Makers) -> dict[str, Any]:
    """The engine's verification of a general Conv1d and ConvTranspose1d (symbolic sizes)."""
    if mk.Conv1d is None or mk.ConvTranspose1d is None:
        return {}
    i, k, s, d, p = _i, _k, _s, _d, _p
    conv = mk.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d, bias=False)
    tconv = mk.ConvTranspose1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d,
                               bias=False)
    return {"conv": conv.derive(input_size=(i,)).verify(),
            "transpose": tconv.derive(input_size=(i,)).verify()}


def cite_engine(ev: Evidence, engine: dict[str, Any]) -> None:
    """Add the engine's theorems that ``ev`` cites as proof steps, with their status."""
    for which, key in ENGINE_CITES.get(ev.key, ()):
        if which not in engine:
            continue
        report = next(r for r in engine[which].reports if r.proof.key == key)
        grid = report.steps[0].grid if report.steps else 0
        for step, status in zip(report.proof.steps, report.steps):
            layer = "ConvTranspose1d" if which == "transpose" else "Conv1d"
            text = (f"general-size engine, {layer}"
                    f" ({key}) {report.proof.title}: {step.rule}")
            if status.proved:
                ev.steps.append(ProofStep(text, "proved"))
            else:
                ev.steps.append(ProofStep(text, "checked", status.checked))
        ev.steps.append(ProofStep(
            f"general-size engine ({key}): the statement against a brute-force enumeration "
            f"of the index law", "checked", report.reference))
        if not report.ok or grid == 0:
            ev.failures.append(f"general-size engine theorem ({key}) does not agree")


def general_stretching(mk: Makers) -> dict[str, list[tuple[ProofStep, bool]]]:
    """The zero-stretching views for general sizes, on the engine's general derivations.

    Returns, per view, proof steps with whether each held: SymPy's
    ``Sum.change_index`` and ``simplify`` where they close the identity, the
    engine's grid evaluator (random operands) everywhere.
    """
    if mk.Conv1d is None or mk.ConvTranspose1d is None:
        return {}
    from sympy import Eq, Mod, Piecewise, Sum

    from ._general_grid import compare, make_grid

    n, k, s, d, p = _i, _k, _s, _d, _p
    o, j = sympy.Symbol("o", integer=True), sympy.Symbol("j", integer=True)
    out: dict[str, list[tuple[ProofStep, bool]]] = {}

    def valid(v: Any) -> Any:
        big = (v[n] - 1) * v[s] - 2 * v[p] + v[d] * (v[k] - 1) + 1
        return (big >= 1) & (v[p] <= v[d] * (v[k] - 1)) & \
            (v[n] + 2 * v[p] >= v[d] * (v[k] - 1) + 1)

    grid = make_grid([n, k, s, d, p], valid)
    # transposed = direct conv of the stretched input (flipped kernel, stride 1, dilation d)
    gt = mk.ConvTranspose1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d,
                            bias=False).derive(input_size=(n,))
    x, w = gt.input, gt.weight
    e = o + d * j - (d * (k - 1) - p)  # position read in the stretched input
    direct = Sum(Piecewise((w[0, 0, k - 1 - j] * x[0, e / s], Eq(Mod(e, s), 0)), (0, True)),
                 (j, 0, k - 1))
    lhs = gt.output[0, o]
    moved = direct.change_index(j, k - 1 - j)
    same = moved.limits == lhs.limits and sympy.simplify(moved.function - lhs.function) == 0
    hits = compare(grid, lhs, direct, {o: gt.output_size[0]}, [x, w])
    out["stretched_input"] = [
        (ProofStep("general sizes: the direct convolution of the stretched input, reindexed "
                   "j -> k-1-j (SymPy Sum.change_index), has the same summand and range as "
                   "the engine's general ConvTranspose1d output y[o] (SymPy simplify)",
                   "proved"), bool(same)),
        (ProofStep("general sizes: both sides evaluated with random operands by the "
                   "engine's grid evaluator", "checked", hits), hits == grid.size > 0),
    ]
    # strided = stride-1 conv read at s*o; dilated = conv with the stretched kernel
    gs = mk.Conv1d(1, 1, kernel_size=k, stride=s, padding=p, dilation=d,
                   bias=False).derive(input_size=(n,))
    g1 = mk.Conv1d(1, 1, kernel_size=k, stride=1, padding=p, dilation=d,
                   bias=False).derive(input_size=(n,))
    strided, read = gs.output[0, o], g1.output[0, s * o]
    same = strided.limits == read.limits and sympy.simplify(
        strided.function - read.function.subs(g1.input, gs.input)
        .subs(g1.weight, gs.weight)) == 0
    xs, ws = gs.input, gs.weight
    t = sympy.Symbol("t", integer=True)
    stretched = Sum(Piecewise((ws[0, 0, t / d] * xs[0, s * o + t - p], Eq(Mod(t, d), 0)),
                              (0, True)), (t, 0, d * (k - 1)))
    hits_k = compare(grid, strided, stretched, {o: gs.output_size[0]}, [xs, ws])
    out["stretching"] = [
        (ProofStep("general sizes: output o of the strided conv and output s*o of the "
                   "stride-1 conv are the same sum (SymPy simplify of the engine's general "
                   "Conv1d outputs)", "proved"), bool(same)),
    ]
    out["dilation"] = [
        (ProofStep(f"general sizes, dilated conv = conv with the zero-stretched kernel "
                   f"v[t] = w[t/d] if d | t else 0: {text}", "proved"), held)
        for text, held in prove_stretched_kernel(gs, o)
    ] + [
        (ProofStep("general sizes: the dilated conv and the undilated conv with the "
                   "zero-stretched kernel, both evaluated by the engine's grid evaluator",
                   "checked", hits_k), hits_k == grid.size > 0),
    ]
    return out


def run_all(mk: Makers, tamper: Tamper = _identity) -> dict[str, Evidence]:
    """Every claim's evidence, keyed ``gbc-9.4`` ... ``dv-15``, ``kronecker`` ..."""
    out = {f"gbc-{k}": f(mk, tamper) for k, f in {**GBC, **GBC_TEXT}.items()}
    out.update({f"dv-{n}": dv(mk, n, tamper) for n in RELATIONSHIPS})
    out.update({k: f(mk, tamper) for k, f in STRUCTURE.items()})
    engine = general_engine(mk)
    for ev in out.values():
        cite_engine(ev, engine)
    general = general_stretching(mk)
    transposes = [f"dv-{n}" for n, r in RELATIONSHIPS.items() if r.kind == "transpose"]
    for key, steps in general.items():
        targets = {"stretching": ["stretching"], "dilation": ["stretching", "dv-15"],
                   "stretched_input": ["stretching", *transposes]}[key]
        for target in targets:
            for step, held in steps:
                out[target].steps.append(step)
                if not held:
                    out[target].failures.append(f"general-size step fails: {step.text}")
    return out
