"""General sizes: proofs as data, each step proved by SymPy or checked on a grid (checks).

A :class:`GeneralProof` is a statement ``lhs = rhs`` in symbolic sizes and a
chain of :class:`GeneralStep` s, each an equality of SymPy expressions with a
typed label and the name of a rule of :data:`~symconv.checks._general_rules.RULES`.
:func:`general_proofs` builds the proofs (a)-(h) of issue 11 for one general
derivation (the law of its first axis; channels per group).
:func:`verify_general` decides each step's status:

- **proved**: the step applies a rule whose applications SymPy establishes
  (its own sum, delta and derivative operations, or a symbolic normal form);
- **checked on N instances**: both sides evaluated on a grid of N size
  combinations (vectorised, :mod:`~symconv.checks._general_grid`) agree.

Every step is grid-checked, proved or not, and every theorem's statement is
compared with a brute-force enumeration of the index law, and on a few grid
points with the instance engine (``subs`` -> ``Derivation.matrix``).
Reusable (issue 14): :class:`GeneralStep`, :class:`GeneralProof`,
:class:`StepStatus`, :func:`chain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sympy
from sympy import Sum

from ._general_rules import RULES, same

StepLabel = Literal["definition", "rewrite", "lemma", "algebra", "hypothesis"]


@dataclass(frozen=True)
class GeneralStep:
    """One step ``lhs = rhs`` of a general proof, justified by ``rule`` (a key of RULES).

    Attributes
    ----------
    lhs, rhs : sympy.Basic
        SymPy expressions in symbolic sizes (never text).
    rule : str
        The rule's name; its ``symbolic`` flag says whether SymPy establishes it.
    label : {"definition", "rewrite", "lemma", "algebra", "hypothesis"}
    """

    lhs: Any
    rhs: Any
    rule: str
    label: StepLabel = "rewrite"
    applied: bool = False

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"`rule` must be one of the named rules, got {self.rule!r}")
        for name in ("lhs", "rhs"):
            if not isinstance(getattr(self, name), sympy.Basic):
                raise TypeError(f"`{name}` of a GeneralStep must be a SymPy expression")

    @property
    def symbolic(self) -> bool:
        """SymPy establishes this step: a symbolic rule, and its rhs is the rule's output
        on its lhs (``applied``) or SymPy shows the sides equal (:func:`same`)."""
        rule = RULES[self.rule]
        if not rule.symbolic:
            return False
        if rule.certify is not None:
            return rule.certify(self.lhs, self.rhs)
        return self.applied or same(self.lhs, self.rhs)


@dataclass(frozen=True)
class GeneralProof:
    """A general theorem ``lhs = rhs`` and its chain of steps.

    Attributes
    ----------
    key : str
        ``"a"``..``"h"`` (issue 11, item 3), with a suffix for parts.
    title : str
    lhs, rhs : sympy.Basic
    steps : tuple of GeneralStep
    cite : str
        GBC / D&V equation numbers.
    ranges : dict
        Free index symbol -> its range size (``o -> m``): where the statement holds.
    reference : str
        Which enumerated quantity the statement is compared with.
    given : sympy boolean
        A hypothesis on the sizes; the grid check counts only instances where it holds.
    """

    key: str
    title: str
    lhs: Any
    rhs: Any
    steps: tuple[GeneralStep, ...]
    cite: str = ""
    ranges: dict[Any, Any] = field(default_factory=dict)
    reference: str = ""
    given: Any = True


def chain(start: Any) -> _Chain:
    """Start a chain of steps at ``start``; ``.by(rule, *args)`` applies a rule."""
    return _Chain(start)


class _Chain:
    def __init__(self, start: Any) -> None:
        self.current = start
        self.steps: list[GeneralStep] = []

    def by(self, rule: str, *args: Any, label: StepLabel = "rewrite", at: Any = None) -> _Chain:
        """Apply ``rule`` (to every Sum over ``at`` if given, else to the first Sum)."""
        fn = RULES[rule].apply
        cur = self.current
        if at is not None:
            new = cur.replace(lambda e: isinstance(e, Sum) and at in [lm[0] for lm in e.limits],
                              lambda e: fn(e, *args))
        else:  # the first outermost sum (preorder), wherever it sits
            sums = [t for t in sympy.preorder_traversal(cur) if isinstance(t, Sum)]
            if not sums:
                new = fn(cur, *args)
            else:
                new = cur.xreplace({sums[0]: fn(sums[0], *args)})
        return self.to(new, rule, label, applied=True)

    def to(self, new: Any, rule: str, label: StepLabel = "rewrite", *,
           applied: bool = False) -> _Chain:
        """A step to ``new`` justified by ``rule`` (``applied``: new is the rule's output)."""
        self.steps.append(GeneralStep(self.current, new, rule, label, applied))
        self.current = new
        return self

    def close(self, target: Any, rule: str = "algebra") -> tuple[GeneralStep, ...]:
        """End at ``target``: a final algebra step unless already there."""
        if self.current != target:
            ok = rule != "algebra" or same(self.current, target)
            self.to(target, rule if ok else "indices in range", "algebra")
        return tuple(self.steps)


@dataclass(frozen=True)
class StepStatus:
    """How one step (or a theorem) was established.

    Attributes
    ----------
    proved : bool
        SymPy established it for all sizes.
    checked : int
        Grid points where both sides agreed.
    grid : int
        Grid points tried.
    """

    proved: bool
    checked: int
    grid: int

    @property
    def ok(self) -> bool:
        """Both sides agreed on every grid point."""
        return self.checked == self.grid

    def __str__(self) -> str:
        grid = f"checked on {self.checked} of {self.grid} instances"
        return f"proved by SymPy; {grid}" if self.proved else f"{grid} (not proved)"


@dataclass(frozen=True)
class ProofReport:
    """A proof with the status of each step, of the theorem, and the references."""

    proof: GeneralProof
    steps: tuple[StepStatus, ...]
    reference: int
    engine: int
    engine_tried: int

    @property
    def proved(self) -> bool:
        """Every step proved by SymPy (so the theorem is)."""
        return all(s.proved for s in self.steps)

    @property
    def ok(self) -> bool:
        """Every step and the statement agreed on every instance."""
        g = self.steps[0].grid if self.steps else 0
        return all(s.ok for s in self.steps) and self.reference == g and \
            self.engine == self.engine_tried


@dataclass(frozen=True)
class GeneralVerification:
    """The result of ``GeneralDerivation.verify()``: truthy when everything agreed.

    ``str()`` lists each theorem and, per step, proved by SymPy or checked on N instances.
    """

    reports: tuple[ProofReport, ...]
    grid: int
    sizes: tuple[Any, ...]

    def __bool__(self) -> bool:
        return all(r.ok for r in self.reports)

    def proved(self) -> list[str]:
        """Keys of the theorems SymPy proved in every step."""
        return [r.proof.key for r in self.reports if r.proved]

    def checked_only(self) -> list[str]:
        """Keys of the theorems with a step only checked on instances."""
        return [r.proof.key for r in self.reports if not r.proved]

    def __str__(self) -> str:
        names = ", ".join(str(s) for s in self.sizes)
        lines = [f"general verification over {self.grid} size combinations of ({names})"]
        for r in self.reports:
            head = "proved" if r.proved else "checked"
            engine = (f", vs the instance engine on {r.engine} of {r.engine_tried}"
                      if r.engine_tried else "")
            total = r.steps[0].grid if r.steps else self.grid
            lines.append(f"({r.proof.key}) {r.proof.title}: {head}; statement vs enumeration on "
                         f"{r.reference} of {total}{engine}")
            for n, (st, ss) in enumerate(zip(r.proof.steps, r.steps), 1):
                lines.append(f"   {n}. [{st.rule}] {ss}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        ok = "all agree" if self else "DISAGREEMENT"
        return f"<GeneralVerification: {len(self.reports)} theorems, {ok}>"


__all__ = [
    "GeneralProof",
    "GeneralStep",
    "GeneralVerification",
    "ProofReport",
    "StepLabel",
    "StepStatus",
    "chain",
]
