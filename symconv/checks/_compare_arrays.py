"""Sums of products compared whole arrays at a time, by the identities of their factors.

Layer: checks.

The same proof as :func:`symconv.checks._verify.compare_sums`, for many sums at
once: a sum is read as its terms' identity keys -- for every term (a product
of two plain Symbols) the label of its sum and the ids of its two factors, as
NumPy arrays.  SymPy caches Symbols (equal Symbols are one object), so equal
sorted ``(label, smaller id, larger id)`` triples prove every ``lhs[j]`` equal
to its right-hand side, as ``compare_sums`` does one entry at a time.
Anything else (a coefficient, a power, a mismatch) goes to ``compare_sums``,
which decides exactly and names the first entry that differs.  Used by the
gradient's proofs (:mod:`symconv.checks._gradient_verify`);
:meth:`Derivation.verify` keeps ``compare_sums``.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
from sympy import Add, Mul, S, Symbol

from ._verify import IdentityResult, compare_sums

IdTriples = tuple[np.ndarray, np.ndarray, np.ndarray]
_args = attrgetter("args")


def ids_of(values: list[Any]) -> np.ndarray | None:
    """``id`` of every value when every value is a plain ``Symbol``, else None."""
    if values and set(map(type, values)) != {Symbol}:
        return None
    try:  # int64 converts twice as fast as uint64; addresses fit it on common platforms
        return np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    except OverflowError:
        return np.fromiter(map(id, values), dtype=np.uint64, count=len(values))


def sum_keys(sums: list[Any]) -> IdTriples | None:
    """``(entry, id, id)`` of every term of ``sums`` (factor ids in argument order)
    when every entry is 0, or a product of two plain Symbols, or a sum of such; else None."""
    terms: list[Any] = []
    lens: list[int] = []
    extend, count = terms.extend, lens.append
    zero = S.Zero
    for e in sums:
        if getattr(e, "is_commutative", True) is not True:
            return None  # a*b != b*a: the order-free id pairs below would equate them
        cls = type(e)
        if cls is Add:
            args = e.args
            extend(args)
            count(len(args))
        elif cls is Mul:
            terms.append(e)
            count(1)
        elif e is zero:
            count(0)
        else:
            return None
    if terms and set(map(type, terms)) != {Mul}:
        return None
    factors = list(map(_args, terms))
    if factors and set(map(len, factors)) != {2}:
        return None
    ids = ids_of(list(chain.from_iterable(factors)))
    if ids is None:
        return None
    rows = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    return rows, ids[0::2], ids[1::2]


def pair_ids(rhs: list[list[tuple[Any, Any]]]) -> IdTriples | None:
    """``(entry, id(p), id(q))`` of every pair of ``rhs``, when every factor is a plain
    Symbol and the two factors of each pair differ; else None."""
    flat = list(chain.from_iterable(rhs))
    rows = np.repeat(np.arange(len(rhs), dtype=np.int64), list(map(len, rhs)))
    if not flat:
        return rows, np.zeros(0, np.int64), np.zeros(0, np.int64)
    ps, qs = zip(*flat)
    p, q = ids_of(list(ps)), ids_of(list(qs))
    if p is None or q is None or bool(np.any(p == q)):
        return None
    return rows, p, q


def canonical(triples: IdTriples) -> IdTriples:
    """The triples with each pair's ids ordered (smaller first) and the triples sorted.

    Sorted by one mixed 64-bit key of the whole triple (faster than a three-key
    ``lexsort``); two sides sorted so are equal as sequences exactly when they are
    equal as multisets, except that distinct triples with equal keys could be
    ordered differently -- a false mismatch, which :func:`compare_sums` then settles.
    """
    rows, p, q = triples
    lo, hi = np.minimum(p, q), np.maximum(p, q)
    with np.errstate(over="ignore"):
        key = (lo.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
               ^ hi.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
               ^ rows.astype(np.uint64) * np.uint64(0x165667B19E3779F9))
    order = np.argsort(key)
    return rows[order], lo[order], hi[order]


def same_triples(a: IdTriples, b: IdTriples) -> bool:
    """Equal sequences of :func:`canonical` triples (so equal multisets)."""
    return a[0].size == b[0].size and all(np.array_equal(u, v) for u, v in zip(a, b))


def compare_sums_fast(
    statement: str, lhs: list[Any], rhs: Callable[[], list[list[tuple[Any, Any]]]],
    rhs_ids: Callable[[], IdTriples | None] | None = None,
    memo: dict[int, IdTriples | None] | None = None,
) -> IdentityResult:
    """:func:`compare_sums` on whole arrays: the same result, the same statement.

    ``rhs`` builds the right-hand side's pairs; ``rhs_ids`` (optional) gives their
    ``(entry, id, id)`` triples straight from index arrays, without the pairs.
    ``memo`` keeps the left side's sorted keys by ``id(lhs)`` for a proof that reads the
    same (cached, unmodified) list twice.
    """
    if memo is not None and id(lhs) in memo:
        left = memo[id(lhs)]
    else:
        keys = sum_keys(lhs)
        left = None if keys is None else canonical(keys)
        if memo is not None:
            memo[id(lhs)] = left
    if left is not None:
        pairs: list[list[tuple[Any, Any]]] | None = None
        if rhs_ids is not None:
            right = rhs_ids()
        else:
            pairs = rhs()
            right = pair_ids(pairs)
        same_length = pairs is None or len(pairs) == len(lhs)
        if right is not None and same_length and same_triples(left, canonical(right)):
            return IdentityResult(statement, statement, True, len(lhs), int(left[0].size),
                                  "coefficients")
        return compare_sums(statement, lhs, rhs() if pairs is None else pairs)
    return compare_sums(statement, lhs, rhs())
