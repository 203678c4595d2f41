"""Proofs as data: statements and steps, each step checked when the proof is built.

Layer: checks. Over 400 lines: the seven proofs share one builder over the same tap
table; the Proof/Step data types could move to a module of their own.

A :class:`Proof` holds a statement and a chain of :class:`Step` s.  Each step
is an equation (or inequality) between SymPy objects, with a justification in
words and the concrete values that make it checkable for *this* derivation:
pairs of lists compared exactly (symbolically: equal, or ``expand`` of the
difference is 0) and again after substituting seeded random integers for every
free symbol (numerically).  A step may also cite an existing symbolic proof
(``d.verify()``, ``d.gradient().verify()``) for the whole identity.  A check
that fails raises :class:`ProofError`: symconv's own failure, never a user
error.  A proof is truthy only when its steps were all checked and lead from the
statement's left side to its right side.

Proofs are pure data: every side and every piece of math in a justification is a
SymPy object -- the derivation's values, and the typed quantities of
:mod:`symconv.checks._proof_terms` (roles, entries, ``Grad``, ``Flip``,
``OutputSize``, a reference ``Operation``...) -- and each step names its rule
(:data:`RULES`).  No LaTeX and no Symbol name to be decoded: the notation is the
renderers' (:mod:`symconv.rendering._notation` for LaTeX,
:mod:`symconv.rendering._proof_text` for ``str``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import prod
from operator import is_
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Add, Basic, Integer, MatrixBase, Mul, Symbol

from ..boundary import _formulas
from ..boundary._limits import PROOF_ONE_PASS_LIMIT, PROOF_RANK_LIMIT, REFERENCE_LIMIT
from ..core._gc import without_gc
from ..core._symbolic import sums_of_pairs  # sums of products as Add(*(u*v)) builds them, fast
from ._proof_terms import (
    Convolve,
    Correlate,
    Dim,
    Flip,
    Grad,
    Letter,
    Operation,
    OutputSize,
    Rank,
    Role,
    RoleMatrix,
    TransposedConv,
    Vec,
    entry,
)

if TYPE_CHECKING:
    from ..core._derivation import Derivation

RELATIONS: tuple[str, ...] = ("=", "<", "<=")

#: Steps compare at most this many entries of a vector identity (a seeded sample);
#: the cited symbolic proof covers every entry.
SAMPLE = 300



#: A justification: words (``str``) and math (SymPy objects), in reading order.  Only the
#: renderers know notation: LaTeX (symconv.rendering._latex) or plain text
#: (symconv.rendering._proof_text).
Why = tuple[Any, ...]

#: The rule each step applies (``Step.rule``): a typed label, the same for every layer.
RULES: tuple[str, ...] = (
    "stated",          # a step written by hand (the default)
    "definition",      # an output written as its products, one per tap
    "grouping",        # the products grouped by input (T) or by weight (P)
    "every entry",     # one entry shown, every entry compared (and proved: cited)
    "reversal",        # the kernel reversed in its spatial axes
    "reindexing",      # the same sum of products read in the other order
    "size formula",    # an output size from the window count
    "chain rule",      # a gradient as the sum over the entries a quantity occupies
    "substitution",    # a definition put in
    "adjoint",         # T^T g as a transposed convolution (a reference operation)
    "linear map",      # T as a linear function of the weights
    "rank",            # the rank of a matrix
    "count",           # a count of columns or entries
)

# The letters of the justifications: roles (renamed by ``names``) and formula letters.
_o, _i, _k = sympy.symbols("o i k", integer=True, cls=Letter)
_x, _w, _g, _T, _P = (sympy.IndexedBase(Role(n)) for n in ("x", "w", "g", "T", "P"))
_G = sympy.IndexedBase(Letter("G"))
_Pm, _Tm, _wm = Role("P"), Role("T"), Role("w")
_A, _M, _N = (Letter(n) for n in ("A", "M", "N"))


def _words(why: str | Why) -> str:
    """A justification in an error message: its words and SymPy's ``str`` of its math."""
    if isinstance(why, str):
        return why
    return "".join(p if isinstance(p, str) else str(p) for p in why)


class ProofError(AssertionError):
    """A proof step symconv built does not check: a bug in symconv, not a user error.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> try:
    ...     Proof("x squared", x**2, x, (Step(x**2, x, "wrong", [x**2], [x]),))
    ... except ProofError as e:
    ...     print(e)
    proof 'x squared', step 1 (wrong): x**2 = x fails symbolically
    """


@dataclass(frozen=True)
class Step:
    """One step of a proof: ``lhs relation rhs``, because ``justification``.

    Attributes
    ----------
    lhs, rhs : sympy.Basic
        What is displayed (symbols, concrete expressions, matrix symbols).
    justification : str or tuple
        Why the step holds: words, or words (``str``) and math (SymPy objects).
    left, right : sequence of sympy values
        The concrete instances compared (entry by entry) for this derivation.
    evidence : object, optional
        A symbolic proof of the whole identity (truthy when it holds), cited.
    relation : {"=", "<", "<="}
    rule : str
        The rule the step applies, one of :data:`RULES` (``"stated"`` by default).

    Examples
    --------
    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> s = Step(a * (a + b), a**2 + a*b, "distribute", [a * (a + b)], [a**2 + a*b])
    >>> s.justification, s.relation, s.rule
    ('distribute', '=', 'stated')
    """

    lhs: Any
    rhs: Any
    justification: str | Why
    left: Sequence[Any] = ()
    right: Sequence[Any] = ()
    evidence: Any = None
    relation: str = "="
    rule: str = "stated"

    def __post_init__(self) -> None:
        # Sides are SymPy objects or numbers, never text (which sympify would evaluate).
        for name, values in (("lhs", [self.lhs]), ("rhs", [self.rhs]),
                             ("left", list(self.left)), ("right", list(self.right))):
            for v in values:
                allowed = (Basic, MatrixBase, int, float, complex, Fraction)
                if not isinstance(v, allowed) or isinstance(v, bool):
                    raise TypeError(f"`{name}` of a Step must hold SymPy expressions or "
                                    f"numbers, got {v!r} ({type(v).__name__})")
        if self.relation not in RELATIONS:
            raise ValueError(f"`relation` must be one of '=', '<', '<='; got {self.relation!r}")
        if self.rule not in RULES:
            raise ValueError(f"`rule` must be one of {', '.join(map(repr, RULES))}; "
                             f"got {self.rule!r}")


@dataclass(frozen=True)
class StepCheck:
    """How one step was checked: entries compared, and the symbolic proof cited."""

    compared: int
    cited: str | None

    def __str__(self) -> str:
        if not self.compared:
            return f"proved symbolically: {self.cited}"
        out = f"{self.compared} entr{'y' if self.compared == 1 else 'ies'} checked " \
              "symbolically and at seeded random integers"
        return out + (f"; proved for all entries: {self.cited}" if self.cited else "")


@dataclass(frozen=True)
class Proof:
    """A statement and its checked steps.

    Built by :func:`proofs`; building one checks every step and raises
    :class:`ProofError` if any fails.

    Attributes
    ----------
    title : str
    lhs, rhs : sympy.Basic
        The statement ``lhs relation rhs``.
    steps : tuple of Step
    relation : str
    seed : int
        Seed of the random integers of the numeric checks.
    checks : tuple of StepCheck
        Filled in when the proof is built.

    Examples
    --------
    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> p = Proof("Square of a sum", (a + b) ** 2, a**2 + 2*a*b + b**2,
    ...           (Step((a + b) ** 2, a**2 + 2*a*b + b**2, "expand",
    ...                 [(a + b) ** 2], [a**2 + 2*a*b + b**2]),))
    >>> bool(p), str(p.checks[0])
    (True, '1 entry checked symbolically and at seeded random integers')
    >>> Proof("Wrong", a, b, (Step(a, b, "no reason", [a], [b]),))
    Traceback (most recent call last):
    ...
    symconv.checks._proofs.ProofError: proof 'Wrong', step 1 (no reason): a = b fails symbolically
    """

    title: str
    lhs: Any
    rhs: Any
    steps: tuple[Step, ...]
    relation: str = "="
    seed: int = 0
    checks: tuple[StepCheck, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        checks = tuple(_check(self.title, n, s, rng) for n, s in enumerate(self.steps, 1))
        object.__setattr__(self, "checks", checks)

    def __bool__(self) -> bool:
        """True only when every step was checked and the steps lead from lhs to rhs.

        Examples
        --------
        >>> import sympy
        >>> a, b, c = sympy.symbols("a b c")
        >>> bool(Proof("empty", a, a, ()))
        False
        >>> s1 = Step(a + b, b + a, "commute", [a + b], [b + a])
        >>> s2 = Step(b + a, c * 0 + a + b, "add zero", [b + a], [a + b])
        >>> bool(Proof("chain", a + b, a + b, (s1, s2)))
        True
        >>> bool(Proof("broken", a + b, c, (s1,)))
        False
        """
        if not self.steps or len(self.checks) != len(self.steps):
            return False
        if not all(c.compared or c.cited for c in self.checks):
            return False
        return self.chain() is not None

    def chain(self) -> str | None:
        """The relation the steps establish from ``lhs`` to ``rhs`` (None: no chain).

        Steps are followed in order: a step applies where its left side is an
        expression already reached from ``lhs``; the relations compose (``=``
        with ``=`` is ``=``, any ``<`` makes ``<``, otherwise ``<=``).  The chain
        must reach ``rhs`` with a relation at least as strong as the statement's.
        Steps outside the chain (instances, lemmas) are allowed.
        """
        reached: list[tuple[Any, str]] = [(self.lhs, "=")]
        for step in self.steps:
            for expr, rel in list(reached):
                if _same(step.lhs, expr):
                    reached.append((step.rhs, _compose(rel, step.relation)))
        for expr, rel in reached:
            if _same(expr, self.rhs) and _implies(rel, self.relation):
                return rel
        return None

    def __str__(self) -> str:
        from ..rendering._proof_text import proof_text

        return proof_text(self)

    def __repr__(self) -> str:
        return f"<Proof {self.title!r}: {len(self.steps)} checked steps>"

    def _repr_latex_(self) -> str:
        from ..rendering._latex import repr_latex

        return repr_latex(self)


def _same(a: Any, b: Any) -> bool:
    """Structural equality of two displayed sides (SymPy objects, matrices or numbers)."""
    if isinstance(a, MatrixBase) != isinstance(b, MatrixBase):
        return False
    return bool(a == b)


def _compose(first: str, second: str) -> str:
    if "<" in (first, second):
        return "<"
    return "=" if first == second == "=" else "<="


def _implies(got: str, wanted: str) -> bool:
    return got == wanted or wanted == "<=" or (wanted == "<" and got == "<")


def _holds(relation: str, a: Any, b: Any) -> bool:
    if relation == "=":
        if _same_products(a, b) or a == b:
            return True
        diff = sympy.sympify(a, strict=True) - sympy.sympify(b, strict=True)
        return bool(sympy.expand(diff) == 0)
    rel = sympy.Lt(a, b) if relation == "<" else sympy.Le(a, b)
    return bool(rel is sympy.true)


def _same_products(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are sums whose terms are pairwise the same object or
    products of the same objects in the same order; False otherwise, undecided.

    Only ever True where ``a == b`` is (SymPy compares the args of sums and products
    in order), without a Python-level ``__eq__`` per product: the sums built for the
    sampled rows hold new products of the same Symbols as the views' sums.
    """
    if type(a) is not Add or type(b) is not Add:
        return False
    x, y = a.args, b.args
    if len(x) != len(y):
        return False
    for s, t in zip(x, y):
        if s is t:
            continue
        if type(s) is not Mul or type(t) is not Mul:
            return False
        u, v = s.args, t.args
        if len(u) != len(v) or not all(map(is_, u, v)):
            return False
    return True


def _check(title: str, n: int, step: Step, rng: np.random.Generator) -> StepCheck:
    where = f"proof {title!r}, step {n} ({_words(step.justification)})"
    cited = None
    if step.evidence is not None:
        if not step.evidence:
            raise ProofError(f"{where}: the cited proof fails:\n{step.evidence}")
        cited = "; ".join(str(r.statement) for r in getattr(step.evidence, "results", ())) \
            or str(getattr(step.evidence, "statement", step.evidence))
    left, right = list(step.left), list(step.right)
    if len(left) != len(right):
        raise ProofError(f"{where}: {len(left)} left values but {len(right)} right values")
    forms = [_form(v) if isinstance(v, Basic) else None for v in left + right]
    n = len(left)
    for j, (a, b) in enumerate(zip(left, right)):
        if not (step.relation == "=" and _same_pairs(forms[j], forms[n + j])) and \
                not _holds(step.relation, a, b):
            raise ProofError(f"{where}: {a} {step.relation} {b} fails symbolically")
    seen: dict[int, Any] = {}  # the free symbols by id (no SymPy hashing per factor)
    for v, form in zip(left + right, forms):
        if form is not None:
            seen.update(form[1])
        elif isinstance(v, Basic):
            seen.update((id(f), f) for f in v.free_symbols)
    free = set(seen.values())  # equal Symbols merge, as in a set of free_symbols
    # Plain Symbols sort by name under default_sort_key (same class key, then the name).
    plain = all(type(f) is Symbol for f in free)
    ordered = sorted(free, key=_name if plain else sympy.default_sort_key)
    values = rng.integers(-9, 10, size=len(ordered)).tolist()
    value_of = dict(zip(ordered, values))
    by_id = {i: value_of[f] for i, f in seen.items()}
    env = None
    table: list[Any] = []  # by_id as sorted NumPy arrays, made for the first long sum
    for j, (a, b) in enumerate(zip(left, right)):
        na, nb = _at(forms[j], by_id, table), _at(forms[n + j], by_id, table)
        if na is None or nb is None:
            env = env or {s: Integer(v) for s, v in zip(ordered, values)}
            na = sympy.sympify(a, strict=True).xreplace(env)
            nb = sympy.sympify(b, strict=True).xreplace(env)
        if not _holds(step.relation, na, nb):
            raise ProofError(
                f"{where}: {a} {step.relation} {b} fails at random integers ({na} vs {nb})"
            )
    return StepCheck(len(left), cited)


def _name(s: Symbol) -> str:
    return s.name


#: Sums already read by :func:`_form`, by id (each entry keeps its sum alive, so the id
#: stays its own): the sampled outputs recur in the matrix, im2col and flip proofs.
_FORMS: dict[int, tuple[Any, Any]] = {}
_FORMS_LIMIT = 4096


#: Sums of at least this many products of two Symbols are evaluated with NumPy.
_VECTOR_TERMS = 64


def _form(v: Basic) -> tuple[Any, dict[int, Any], dict[int, int], Any] | None:
    """``v`` as a sum of products of Symbols and integers: the factors of each term, its
    Symbols by id (``v.free_symbols``), its integers' values by id, and, when ``v`` is a
    sum of at least ``_VECTOR_TERMS`` products of two Symbols, the ids of their factors
    as an ``(n, 2)`` NumPy array (else None); None when ``v`` is anything else.

    One walk over ``v`` for both the free symbols and the value at random integers
    (the checks of a LeNet document read about 2,400 sums of up to 784 products).
    """
    hit = _FORMS.get(id(v))
    if hit is not None and hit[0] is v:
        return hit[1]
    terms = [t.args if type(t) is Mul else (t,) for t in (v.args if type(v) is Add else (v,))]
    factors = [f for t in terms for f in t]
    form: Any = None
    if not set(map(type, factors)) - {Symbol}:
        pairs = None
        if type(v) is Add and len(terms) >= _VECTOR_TERMS and len(factors) == 2 * len(terms) \
                and all(type(t) is Mul for t in v.args):
            pairs = np.fromiter(map(id, factors), dtype=np.int64,
                                count=len(factors)).reshape(-1, 2)
        form = (terms, dict(zip(map(id, factors), factors)), {}, pairs)
    elif all(type(f) is Symbol or isinstance(f, Integer) for f in factors):
        symbols = [f for f in factors if type(f) is Symbol]
        form = (terms, dict(zip(map(id, symbols), symbols)),
                {id(f): int(f) for f in factors if type(f) is not Symbol}, None)
    if len(_FORMS) >= _FORMS_LIMIT:
        _FORMS.clear()
    _FORMS[id(v)] = (v, form)
    return form


def _same_pairs(fa: Any, fb: Any) -> bool:
    """True when both forms are sums of the same products of two Symbols, in the same
    order (the same factor objects): then the sums are equal as SymPy compares them
    (same type, args pairwise equal); False: undecided."""
    return fa is not None and fb is not None and fa[3] is not None and fb[3] is not None \
        and bool(np.array_equal(fa[3], fb[3]))


def _at(form: Any, by_id: dict[int, int], table: list[Any]) -> Any:
    """The sum of :func:`_form` ``form`` at the integers ``by_id`` (keyed by the Symbols'
    ids), by exact integer arithmetic; None for no form or a Symbol not in ``by_id``
    (the caller uses xreplace).  ``table``: ``by_id`` as sorted arrays, filled on first
    use (long sums of products of two Symbols are summed by NumPy in int64: at most
    81 per product).

    The same value ``xreplace`` gives, without rebuilding the expression.
    """
    if form is None:
        return None
    if form[3] is not None:
        if not table:
            keys = np.fromiter(by_id.keys(), dtype=np.int64, count=len(by_id))
            vals = np.fromiter(by_id.values(), dtype=np.int64, count=len(by_id))
            order = np.argsort(keys)
            table.extend((keys[order], vals[order]))
        keys, vals = table
        pos = np.searchsorted(keys, form[3]).clip(0, len(keys) - 1)
        if not np.array_equal(keys[pos], form[3]):
            return None
        got = vals[pos]
        return Integer(int((got[:, 0] * got[:, 1]).sum()))
    get = ({**by_id, **form[2]} if form[2] else by_id).__getitem__
    try:
        return Integer(sum(prod(map(get, map(id, t))) for t in form[0]))
    except KeyError:
        return None


# ------------------------------------------------------------- the proofs


def _sample(n: int, rng: np.random.Generator) -> list[int]:
    if n <= SAMPLE:
        return list(range(n))
    return sorted(rng.choice(n, size=SAMPLE, replace=False).tolist())


def _mat(role: str, rows: int, cols: int = 1) -> RoleMatrix:
    return RoleMatrix(role, rows, cols)


def _sizes(vals: dict[Any, int]) -> list[Any]:
    """``n = 7, k = 3, ...`` as words and equations."""
    out: list[Any] = []
    for j, (sym, v) in enumerate(vals.items()):
        out += [", "] if j else []
        out.append(sympy.Eq(sym, Integer(v), evaluate=False))
    return out


def _outer(m: int, n: int) -> Any:
    """``G = g x^T`` as matrix symbols (the dense layer's weight gradient)."""
    return sympy.Eq(sympy.MatrixSymbol("G", m, n), _mat("g", m) * _mat("x", n).T,
                    evaluate=False)


def _shown_product(a: Any, b: Any) -> Any:
    return Mul(a, b, evaluate=False)


def _shown_sum(terms: list[Any]) -> Any:
    if not terms:
        return Integer(0)
    return terms[0] if len(terms) == 1 else Add(*terms, evaluate=False)


class _Builder:
    """Builds the proofs of one derivation (see :func:`proofs`)."""

    def __init__(self, d: Derivation, seed: int) -> None:
        self.d = d
        self.seed = seed
        self.t = d.taps
        self.rng = np.random.default_rng(seed)
        self.xs = d.flat_input
        self.ws = d.flat_weight
        self.verification = d.verify()  # cited by the matrix and im2col proofs
        self.bias = d.bias_per_output()
        t = self.t
        self.M, self.N, self.K = t.n_out, t.n_in, t.n_weight
        self.o_star = int(np.argmax(np.diff(t.starts)))
        self.rows = _sample(self.M, self.rng)

    def _taps_of(self, o: int) -> list[tuple[int, int]]:
        t = self.t
        lo, hi = int(t.starts[o]), int(t.starts[o + 1])
        return list(zip(t.i[lo:hi].tolist(), t.k[lo:hi].tolist()))

    def _y_sym(self, o: int) -> Any:
        return entry("y", np.unravel_index(o, self.d.spec.output_shape))

    def _definition(self, o: int) -> tuple[Any, Any]:
        """``y_o`` as built from the taps (shown unevaluated) and its value."""
        terms = [_shown_product(self.ws[k], self.xs[i]) for i, k in self._taps_of(o)]
        b = [] if self.bias is None else [self.bias[o]]
        return _shown_sum(terms + b), Add(*[self.ws[k] * self.xs[i] for i, k in self._taps_of(o)],
                                          *b)

    def _statement(self, left: str, right: str) -> tuple[Any, Any]:
        M = self.M
        lhs = _mat("y", M)
        inner = {"T": _mat("T", M, self.N) * _mat("x", self.N),
                 "P": _mat("P", M, self.K) * _mat("w", self.K)}[right]
        rhs = inner + _mat("b", M) if self.bias is not None else inner
        return lhs, rhs

    def matrix(self) -> Proof:
        d, o = self.d, self.o_star
        shown, value = self._definition(o)
        rep = d.matrix_entries()
        row = rep.get(o, {})
        grouped = [_shown_product(e, self.xs[i]) for i, e in sorted(row.items())]
        b = [] if self.bias is None else [self.bias[o]]
        # Row o of T times x, as a textbook shows it, when the row is short and each entry
        # a single weight (sums of weights from reflect padding stay in the grouped form).
        if self.N <= 10 and all(not isinstance(e, Add) for e in row.values()):
            t_row = sympy.Matrix([[row.get(i, 0) for i in range(self.N)]])
            grouped = [sympy.MatMul(t_row, sympy.Matrix(self.xs), evaluate=False)]
        lhs, rhs = self._statement("y", "T")
        tx = sums_of_pairs([[(e, self.xs[i]) for i, e in rep.get(r, {}).items()]
                            for r in self.rows],
                           None if self.bias is None else [self.bias[r] for r in self.rows])
        steps = (
            Step(self._y_sym(o), shown, (f"definition: the {len(self._taps_of(o))} products "
                 "of this output, one per tap ", sympy.Tuple(_o, _i, _k)),
                 [d.flat_output[o]], [value], rule="definition"),
            Step(shown, _shown_sum(grouped + b), ("group the products by input: ", _T[_o, _i],
                 " is the sum of the weights that multiply ", _x[_i], " in output ", _o),
                 [value],
                 [Add(*[e * self.xs[i] for i, e in row.items()], *b)], rule="grouping"),
            Step(lhs, rhs, "the same grouping holds for every output",
                 [d.flat_output[r] for r in self.rows], tx, self.verification.results[0],
                 rule="every entry"),
        )
        return Proof("Matrix form", lhs, rhs, steps, seed=self.seed)

    def patches(self) -> Proof:
        d, o = self.d, self.o_star
        shown, value = self._definition(o)
        rep = d.patch_entries()
        row = rep.get(o, {})
        b = [] if self.bias is None else [self.bias[o]]
        grouped = [_shown_product(e, self.ws[k]) for k, e in sorted(row.items())]
        lhs, rhs = self._statement("y", "P")
        pw = sums_of_pairs([[(e, self.ws[k]) for k, e in rep.get(r, {}).items()]
                            for r in self.rows],
                           None if self.bias is None else [self.bias[r] for r in self.rows])
        steps = (
            Step(self._y_sym(o), shown, "definition", [d.flat_output[o]], [value],
                 rule="definition"),
            Step(shown, _shown_sum(grouped + b), ("row ", _o, " of ", _Pm, " is the patch of "
                 "inputs that output ", _o, " reads, in the column of the weight that "
                 "multiplies each (im2col)"),
                 [value],
                 [Add(*[e * self.ws[k] for k, e in row.items()], *b)], rule="grouping"),
            Step(lhs, rhs, "the same for every output",
                 [d.flat_output[r] for r in self.rows], pw, self.verification.results[1],
                 rule="every entry"),
        )
        return Proof("im2col form", lhs, rhs, steps, seed=self.seed)

    def flip(self) -> Proof:
        from ..core._derivation import Derivation

        d = self.d
        s = d.spec
        w = d.weight_values
        spatial = tuple(range(w.ndim - s.ndim, w.ndim))
        flipped = np.flip(w, axis=spatial)
        other = Derivation(replace(s, flip=not s.flip), d.input_values, flipped, d.bias_values)
        x, wm = _mat("x", self.N), _mat("w", self.K)
        mine, theirs = (Convolve, Correlate) if s.flip else (Correlate, Convolve)
        lhs, rhs = mine(x, wm), theirs(x, Flip(wm))
        fw = flipped.reshape(-1).tolist()
        # A short kernel is shown reversed; a long one as the reversal it is (numpy.flip).
        shown = sympy.Matrix(fw) if self.K <= 12 else \
            Operation.of("numpy.flip", (wm,), {"axis": spatial})
        steps = (
            Step(Flip(wm), shown, "reverse the kernel in every spatial axis: the first tap "
                 "becomes the last",
                 fw, [w[self._mirror(k, w.shape, spatial)] for k in range(self.K)],
                 rule="reversal"),
            Step(lhs, rhs, "the reversed kernel read in the other order meets the same inputs: "
                 "every output is the same sum of products",
                 [d.flat_output[r] for r in self.rows],
                 self._sampled_outputs(other), rule="reindexing"),
        )
        return Proof("Convolution is correlation with the flipped kernel", lhs, rhs, steps,
                     seed=self.seed)

    def _sampled_outputs(self, other: Derivation) -> list[Any]:
        """``other``'s outputs at the sampled rows.  For an all-symbolic derivation only
        those rows are built, from ``other``'s own taps (``sums_of_pairs`` gives the same
        objects as its full ``flat_output``); otherwise its full outputs are read."""
        d = self.d
        symbolic = d.given("x") is None and d.given("w") is None and d.given("b") is None
        if not symbolic or len(self.rows) == self.M:
            return [other.flat_output[r] for r in self.rows]
        t = other.taps
        xs, ws, bias = other.flat_input, other.flat_weight, other.bias_per_output()
        starts, ii, kk = t.starts.tolist(), t.i.tolist(), t.k.tolist()
        pairs = [[(ws[kk[j]], xs[ii[j]]) for j in range(starts[r], starts[r + 1])]
                 for r in self.rows]
        return sums_of_pairs(pairs, None if bias is None else [bias[r] for r in self.rows])

    @staticmethod
    def _mirror(k: int, shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
        """The multi-index of flat weight ``k`` reversed in ``axes`` (``j -> size - 1 - j``):
        where ``numpy.flip`` must have read entry ``k`` of the flipped kernel."""
        idx = np.unravel_index(k, shape)
        return tuple(shape[a] - 1 - int(j) if a in axes else int(j) for a, j in enumerate(idx))

    def output_size(self) -> Proof:
        s = self.d.spec
        n, k, st, dl, p, q = sympy.symbols("n k s d p q", integer=True, cls=Letter)
        formula = sympy.floor((n + p + q - dl * (k - 1) - 1) / st) + 1
        n_out = OutputSize()
        steps = []
        for a in range(s.ndim):
            vals = {n: s.in_size[a], k: s.kernel_size[a], st: s.stride[a], dl: s.dilation[a],
                    p: s.padding[a][0], q: s.padding[a][1]}
            py = _formulas.conv_output_size(s.in_size[a], s.kernel_size[a], s.stride[a],
                                            s.dilation[a], *s.padding[a])
            instance = formula.subs({v: Integer(c) for v, c in vals.items()})
            steps.append(Step(
                OutputSize(Integer(a)) if s.ndim > 1 else n_out, instance,
                (f"axis {a}: ", *_sizes(vals), "; the last window starts at most ",
                 n + p + q - dl * (k - 1) - 1),
                [Integer(s.out_size[a]), Integer(s.out_size[a])],
                [instance, Integer(py)], rule="size formula"))
        if s.kind == "transpose":
            a_, m = sympy.symbols("a m", integer=True, cls=Letter)
            tformula = (n - 1) * st - 2 * p + dl * (k - 1) + a_ + 1
            for a in range(s.ndim):
                vals = {n: s.out_size[a], k: s.kernel_size[a], st: s.stride[a],
                        dl: s.dilation[a], p: s.padding[a][0], a_: s.output_padding[a]}
                inst = tformula.subs({v: Integer(c) for v, c in vals.items()})
                py = _formulas.transposed_output_size(*(vals[v] for v in (n, k, st, dl, p, a_)))
                steps.append(Step(m, inst, f"transposed layer, axis {a}: its output "
                                  "is the forward convolution's input",
                                  [Integer(s.in_size[a])] * 2, [inst, Integer(py)],
                                  rule="size formula"))
        # The general statement, checked at the sizes of every axis above.
        at = [formula.subs({n: Integer(s.in_size[a]), k: Integer(s.kernel_size[a]),
                            st: Integer(s.stride[a]), dl: Integer(s.dilation[a]),
                            p: Integer(s.padding[a][0]), q: Integer(s.padding[a][1])})
              for a in range(s.ndim)]
        steps.append(Step(n_out, formula, "the general formula, checked at the sizes of "
                          f"the {s.ndim} ax{'is' if s.ndim == 1 else 'es'} above",
                          [Integer(v) for v in s.out_size], at, rule="size formula"))
        return Proof("Output size", n_out, formula, tuple(steps), seed=self.seed)

    def gradient_proofs(self) -> list[Proof]:
        d = self.d
        s = d.spec
        gr = d.gradient()
        gv = gr.verify()
        res = {r.statement.split(":")[0]: r for r in gv.results}
        gs = gr.flat_output
        t = self.t
        # tied weights
        counts = np.bincount(t.k, minlength=self.K)
        k_star = int(np.argmax(counts))
        group = gr.tie_groups()[k_star]
        pos = list(zip(group.rows.tolist(), group.cols.tolist()))
        G = [_G[Integer(r), Integer(c)] for r, c in pos]
        gsum = [_shown_product(gs[r], self.xs[c]) for r, c in pos]
        g_sum = sums_of_pairs([[(gs[r], self.xs[c]) for r, c in pos]])[0]  # the tie group's sum
        grad_wk = Grad(entry("w", np.unravel_index(k_star, s.weight_shape)))
        P = d.patch_entries()
        ks = _sample(self.K, self.rng)
        pt_g: list[Any] = []
        # column k of P^T g, every sampled k in one pass over P
        if self.K * self.M <= PROOF_ONE_PASS_LIMIT:
            by_k: dict[int, list[Any]] = {k: [] for k in ks}
            for o, row in P.items():
                for kk, e in row.items():
                    if kk in by_k:
                        by_k[kk].append((e, gs[o]))
            pt_g = sums_of_pairs([by_k[k] for k in ks])
        tied_rhs = _mat("P", self.M, self.K).T * _mat("g", self.M)
        tied = Proof(
            "Gradient of a tied weight", grad_wk, _shown_sum(G), (
                Step(grad_wk, _shown_sum(G), ("chain rule: this weight occupies "
                     f"{group.count} entries of ", _Tm, ", so its gradient sums those entries of ",
                     _outer(self.M, self.N), " (structural zeros of ", _Tm, " are in no sum: "
                     "they stay zero)"),
                     [gr.flat_weight[k_star]], [g_sum],
                     res.get("dL/dw[k] = sum of G = g x^T over the tie group of w[k]"),
                     rule="chain rule"),
                Step(_shown_sum(G), _shown_sum(gsum),
                     (sympy.Eq(_G[_o, _i], _g[_o] * _x[_i], evaluate=False),),
                     [g_sum], [gr.flat_weight[k_star]], rule="substitution"),
                Step(Grad(_mat("w", self.K)), tied_rhs, ("every weight at once: column ", _k,
                     " of ", _Pm, " holds the inputs ", _w[_k], " meets"),
                     [gr.flat_weight[k] for k in ks] if pt_g else [], pt_g,
                     rule="every entry"),
            ), seed=self.seed)
        # input gradient
        i_star = int(np.argmax(np.bincount(t.i, minlength=self.N)))
        rep = d.matrix_entries()
        col = [(o, row[i_star]) for o, row in sorted(rep.items()) if i_star in row]
        grad_xi = Grad(entry("x", np.unravel_index(i_star, s.input_shape)))
        gx = Grad(_mat("x", self.N))
        tt_g = _mat("T", self.M, self.N).T * _mat("g", self.M)
        adjoint = gv.results[1]
        cols = _sample(self.N, self.rng)
        wanted = set(cols)
        by_col: dict[int, list[Any]] = {i: [] for i in cols}
        for o, row in rep.items():
            for i, e in row.items():
                if i in wanted:
                    by_col[i].append((e, gs[o]))
        gm, wm = _mat("g", self.M), _mat("w", self.K)
        oracle, left, right = self._reference_adjoint(gr, cols)
        said: Why = (tt_g, " is the transposed convolution of ", gm, " by ", wm)
        if oracle is not None:
            said = (tt_g, " is ", oracle)
        inp = Proof(
            "Input gradient is the transposed convolution", gx, tt_g, (
                Step(grad_xi, _shown_sum([_shown_product(e, gs[o]) for o, e in col]),
                     ("chain rule: this input meets the weights in its column of ", _Tm),
                     [gr.flat_input[i_star]], sums_of_pairs([[(e, gs[o]) for o, e in col]]),
                     rule="chain rule"),
                Step(gx, tt_g, ("every input at once: the column of ", _Tm, " of each input"),
                     [gr.flat_input[i] for i in cols], sums_of_pairs([by_col[i] for i in cols]),
                     res.get("dL/dx = T^T g"), rule="every entry"),
                Step(tt_g, TransposedConv(gm, wm),
                     (*said, " (the taps ", sympy.Tuple(_o, _i, _k), " with ", _o, " and ", _i,
                      " swapped)"),
                     left, right, adjoint, rule="adjoint"),
            ), seed=self.seed)
        return [tied, inp]

    def _reference_adjoint(self, gr: Any, cols: list[int]
                           ) -> tuple[Operation | None, list[Any], list[Any]]:
        """The NumPy oracle's transposed convolution of ``g``: the operation (as data),
        ``dL/dx`` (sampled) and the oracle's entries; ``None, [], []`` when it does not apply."""
        from . import _reference

        s = self.d.spec
        g, w = gr.output_values, self.d.weight_values
        operands = (_mat("g", self.M), _mat("w", self.K))
        out: np.ndarray | None = None
        call: Operation | None = None
        if len(self.t) > REFERENCE_LIMIT:  # the oracle's object arithmetic is quadratic
            return None, [], []
        if s.kind == "signal":
            other = "convolve" if s.op == "correlate" else "correlate"
            if s.mode == "circular":  # the adjoint of a periodic op is the other periodic op
                out = _reference.signal_nd(g, w, other, "circular")
                call = Operation.of(other, operands, {"mode": "circular"})
            full = _reference.signal_nd(g, w, other, "full")
            window = [(lo, lo + n) for (lo, _), n in zip(s.padding, s.in_size)]
            if out is None and all(lo >= 0 and hi <= m for (lo, hi), m in
                                   zip(window, full.shape)):
                out = full[tuple(slice(lo, hi) for lo, hi in window)]
                whole = all(lo == 0 and hi == m for (lo, hi), m in zip(window, full.shape))
                call = Operation.of(other, operands, {"mode": "full"}, () if whole else window)
        elif s.kind == "conv" and s.padding_mode == "zeros" and all(
                lo == hi for lo, hi in s.padding):
            pad = [lo for lo, _ in s.padding]
            op = [_formulas.adjoint_output_padding(n, k, st, dl, lo) for n, k, st, dl, lo
                  in zip(s.in_size, s.kernel_size, s.stride, s.dilation, pad)]
            out = _reference.conv_transpose_nd(g, w, stride=s.stride, padding=pad,
                                               output_padding=op, dilation=s.dilation,
                                               groups=s.groups)
            call = Operation.of(f"conv_transpose{s.ndim}d", operands, {
                "stride": tuple(s.stride), "padding": tuple(pad), "output_padding": tuple(op),
                "dilation": tuple(s.dilation), "groups": s.groups})
        elif s.kind == "transpose":
            full = _reference.conv_nd(g, w, stride=s.stride, padding=s.padding,
                                      dilation=s.dilation, groups=s.groups)
            out = full[(slice(None),) + tuple(slice(0, n) for n in s.out_size)]
            whole = tuple(full.shape[1:]) == tuple(s.out_size)
            call = Operation.of(f"conv{s.ndim}d", operands, {
                "stride": tuple(s.stride), "padding": tuple(tuple(p) for p in s.padding),
                "dilation": tuple(s.dilation), "groups": s.groups},
                () if whole else [(0, n) for n in s.out_size])
        if out is None or out.size != self.N:
            return None, [], []
        flat = np.asarray(out, dtype=object).reshape(-1)
        expected = [sympy.sympify(flat[i], strict=True) for i in cols]
        return call, [gr.flat_input[i] for i in cols], expected

    def dense_subset(self) -> Proof:
        t = self.t
        rows, _cols, entry_of_tap = t.entries
        n_entries = int(rows.size)
        # A maps the weights to the entries of T: A[e, k] = number of taps (e, k).
        used = int(np.unique(t.k).size)
        if n_entries * self.K <= PROOF_RANK_LIMIT:
            A = np.zeros((n_entries, self.K))
            np.add.at(A, (entry_of_tap, t.k), 1.0)
            numeric_rank = int(np.linalg.matrix_rank(A))
        else:
            numeric_rank = used
        r = used
        MN = self.M * self.N
        dim, rank = Dim(_Tm, _wm), Rank(_A)
        rel = "<" if r < MN else "="
        steps = [
            Step(dim, rank, (_Tm, " depends linearly on ", _wm, ": ",
                             sympy.Eq(Vec(_Tm), _A * _wm, evaluate=False),
                             ", with the entry of ", _A, " in row ", sympy.Tuple(_o, _i),
                             " and column ", _k, " the number of taps ",
                             sympy.Tuple(_o, _i, _k)),
                 [Integer(r)], [Integer(numeric_rank)], rule="linear map"),
            Step(rank, Integer(r), ("each weight used by a tap gives an independent column of ",
                                    _A, f" ({used} of {self.K} weights are used)"),
                 [Integer(numeric_rank)], [Integer(r)], rule="rank"),
            Step(Integer(r), Integer(self.K), (_A, " has one column per weight"),
                 [Integer(r)],
                 [Integer(self.K)], relation="<=", rule="count"),
            Step(Integer(self.K), Integer(MN),
                 ("a dense layer has ", sympy.Eq(_M * _N,
                                                  Mul(Integer(self.M), Integer(self.N),
                                                      evaluate=False), evaluate=False),
                  " free entries"),
                 [Integer(self.K)], [Integer(MN)], relation=rel if self.K < MN else "<=",
                 rule="count"),
        ]
        return Proof("Convolutions are a strict subset of dense layers" if rel == "<"
                     else "Convolution versus dense layer", dim, Integer(MN), tuple(steps),
                     relation=rel, seed=self.seed)


@without_gc  # ~10^5 SymPy objects built: collections would walk them all
def proofs(d: Derivation, seed: int = 0) -> list[Proof]:
    """The proofs of one derivation, every step checked as it is built.

    Matrix form, im2col form, convolution versus correlation with the flipped
    kernel, output size, the tied-weight gradient, the input gradient as a
    transposed convolution, and convolutions as a (strict) subset of dense
    layers.

    Parameters
    ----------
    d : Derivation
    seed : int
        Seed of the random integers of the numeric checks (and of the sample of
        entries compared for large layers).

    Returns
    -------
    list of Proof

    Raises
    ------
    ProofError
        If a step does not check (a bug in symconv).

    Examples
    --------
    >>> import symconv as sc, sympy
    >>> d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    >>> [p.title for p in sc.proofs(d)]  # doctest: +NORMALIZE_WHITESPACE
    ['Matrix form', 'im2col form', 'Convolution is correlation with the flipped kernel',
     'Output size', 'Gradient of a tied weight', 'Input gradient is the transposed convolution',
     'Convolutions are a strict subset of dense layers']
    >>> print(sc.proofs(d)[0].steps[0].rhs)
    w_0*x_0 + w_1*x_1 + w_2*x_2
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"`seed` must be an integer, got {seed!r}")
    b = _Builder(d, int(seed))
    return [b.matrix(), b.patches(), b.flip(), b.output_size(), *b.gradient_proofs(),
            b.dense_subset()]
