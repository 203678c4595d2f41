"""Guards before work: counting is arithmetic, limits live in one place, extreme values
get a ValueError/TypeError naming the parameter (never OverflowError, MemoryError or a
NumPy message), and the tap-table limit counts the whole peak of memory."""

from __future__ import annotations

import gc
import itertools
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symconv as sc
from symconv.boundary import _limits
from symconv.core import _derivation
from symconv.core._taps import axis_tap_count, count_taps, floor_sum, table_peak_bytes

ROOT = Path(__file__).resolve().parents[1]


def brute_axis(n_in: int, n_out: int, k: int, s: int, d: int, lo: int) -> int:
    """Enumerate every (o, j) pair and keep the reads inside the input (zero padding)."""
    return sum(1 for o in range(n_out) for j in range(k) if 0 <= s * o + d * j - lo < n_in)


# ------------------------------------------------------------------ counting


@given(st.integers(1, 14), st.integers(1, 16), st.integers(1, 7), st.integers(1, 5),
       st.integers(1, 5), st.integers(0, 12))
def test_axis_count_equals_enumeration(n_in, n_out, k, s, d, lo):
    assert axis_tap_count(n_in, n_out, k, s, d, lo, "zeros") == brute_axis(n_in, n_out, k, s, d,
                                                                            lo)
    for mode in ("reflect", "replicate", "circular"):
        assert axis_tap_count(n_in, n_out, k, s, d, lo, mode) == n_out * k


@given(st.integers(0, 30), st.integers(1, 12), st.integers(-40, 40), st.integers(-60, 60))
def test_floor_sum_equals_the_sum(n, m, a, b):
    assert floor_sum(n, m, a, b) == sum((a * t + b) // m for t in range(n))


@pytest.mark.parametrize(("cin", "cout", "groups", "k", "stride", "pad", "dil", "mode"), [
    (1, 1, 1, 3, 1, 0, 1, "zeros"), (2, 4, 2, 3, 2, 1, 1, "zeros"), (3, 2, 1, 2, 3, 2, 2, "zeros"),
    (2, 2, 1, 3, 1, 1, 1, "reflect"), (4, 4, 4, 3, 2, 1, 1, "circular"),
])
def test_count_taps_equals_the_built_table(cin, cout, groups, k, stride, pad, dil, mode):
    for layer in (sc.Conv2d(cin, cout, k, stride=stride, padding=pad, dilation=dil,
                            groups=groups, padding_mode=mode),):
        d = layer.derive(input_size=(7, 6))
        assert count_taps(d.spec) == len(d.taps)
    if mode == "zeros":
        t = sc.ConvTranspose2d(cin, cout, k, stride=stride, padding=pad, dilation=dil,
                               groups=groups).derive(input_size=(4, 5))
        assert count_taps(t.spec) == len(t.taps)


def test_counting_a_huge_kernel_allocates_nothing():
    """Full correlation of length n with a length-n kernel: every x_i w_j once, n**2."""
    n = 10**4
    gc.collect()
    tracemalloc.start()
    d = sc.Conv1d(1, 1, n, padding=n - 1).derive(input_size=n)
    text = repr(d)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert f"{n * n:,} products" in text
    assert peak < 2 * 2**20  # was an n_out x k grid: 3.25 GiB


# ---------------------------------------------------------------- the limits


def test_every_limit_is_defined_in_limits_with_its_reason():
    pattern = re.compile(r"^([A-Z][A-Z_]*(?:LIMIT|MAX|THRESHOLD|CELLS|EDGES|ENTRIES)[A-Z_]*)"
                         r"\s*(?::[^=]+)?=\s*[\d(]", re.M)
    outside = []
    for path in sorted((ROOT / "symconv").rglob("*.py")):
        if path.name == "_limits.py":
            continue
        outside += [f"{path.name}: {m}" for m in pattern.findall(path.read_text("utf-8"))]
    assert outside == []
    for name, (value, reason) in _limits.LIMITS.items():
        assert isinstance(value, int) and value > 0, name
        assert len(reason) > 30, name  # each says why
    for name in ("SYMBOLIC_LIMIT", "TABLE_LIMIT_BYTES", "MASK_LIMIT", "MAX_CELLS", "MAX_EDGES",
                 "PROOF_ONE_PASS_LIMIT", "PROOF_RANK_LIMIT", "MAX_TRIALS", "MAX_SIZE"):
        assert name in _limits.LIMITS


# ------------------------------------------------------------ extreme values


@pytest.mark.parametrize(("make", "param"), [
    (lambda: sc.Conv1d(1, 1, 3, stride=10**30).derive(input_size=5), "stride"),
    (lambda: sc.Conv1d(1, 1, 3, padding=10**12).derive(input_size=5), "padding"),
    (lambda: sc.Conv1d(1, 1, 3).derive(input_size=10**30), "input_size"),
    (lambda: sc.Conv1d(10**10, 1, 3).derive(input_size=5), "in_channels"),
    (lambda: sc.ConvTranspose1d(1, 1, 3, stride=10**30).derive(input_size=5), "stride"),
])
def test_huge_sizes_are_a_value_error_naming_the_parameter(make, param):
    with pytest.raises(ValueError, match=rf"`{param}` must be at most 2,147,483,647, got \d+"):
        make()


def test_too_many_elements_is_refused_before_allocating():
    layer = sc.Conv3d(1, 1, 1, bias=False)
    with pytest.raises(ValueError, match=r"the input would have 4,398,046,511,104 elements"):
        layer.derive(input_size=(2**14, 2**14, 2**14))


def test_trials_and_seed_are_bounded():
    d = sc.correlate([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"`trials` must be at most 1,000 .*got 1000000"):
        d.check(trials=10**6)
    with pytest.raises(ValueError, match=r"`trials` must be positive, got 0"):
        d.check(trials=0)
    with pytest.raises(ValueError, match=r"`seed` must be >= 0, got -1"):
        d.check(seed=-1)
    with pytest.raises(TypeError, match=r"`seed` must be an integer"):
        d.check(seed=1.5)
    with pytest.raises(ValueError, match=r"`trials` must be at most"):
        d.gradient().check(trials=10**9)
    assert d.check(trials=_limits.MAX_TRIALS // 100, seed=2**70)  # large seeds are fine


def test_to_scipy_with_an_integer_beyond_int64():
    d = sc.correlate([1, 2, 3], [2**70, 2])
    with pytest.raises(ValueError, match=r"`w` holds the integer 1180591620717411303424, "
                                         r"outside int64"):
        d.to_scipy()
    ok = sc.correlate([1, 2, 3], [2**62, 2]).to_scipy().toarray()
    assert ok.tolist() == [[2**62, 2, 0], [0, 2**62, 2]]


def test_mode_none_is_a_type_error_as_in_numpy():
    with pytest.raises(TypeError):
        np.convolve([1, 2], [1], mode=None)  # the reference behaviour
    with pytest.raises(TypeError, match=r"`mode` must be a string, one of .*got None"):
        sc.convolve([1, 2], [1], mode=None)
    with pytest.raises(ValueError, match=r"`mode` must be one of .*got 'ful'"):
        sc.convolve([1, 2], [1], mode="ful")
    with pytest.raises(TypeError, match=r"`padding_mode` must be a string"):
        sc.Conv1d(1, 1, 3, padding_mode=0)


@pytest.mark.parametrize("bad", [sympy.nan, sympy.oo, -sympy.oo, sympy.zoo, float("nan"),
                                 float("inf")])
def test_non_finite_values_are_a_value_error_not_a_proof_error(bad):
    d = sc.correlate([1, bad, 3], sympy.symarray("w", 2))
    with pytest.raises(ValueError, match=r"`x` holds .* \(entry 1\): the document's proofs"):
        d.latex_document()
    with pytest.raises(ValueError, match=r"`x` holds .* \(entry 1\): a numeric check"):
        d.check()
    layer = sc.Conv1d(1, 1, 2).derive(x=[[1, 2, 3]], weight=[[[bad, 1]]])
    with pytest.raises(ValueError, match=r"`weight` holds"):
        layer.latex_document()


# ------------------------------------------------------- the tap-table limit


LAYERS = [
    sc.Conv2d(8, 8, 3, padding=1, padding_mode="reflect", bias=False),
    sc.Conv2d(8, 8, 3, padding=1, padding_mode="circular", bias=False),
    sc.Conv2d(8, 8, 3, padding=1, bias=False),
    sc.Conv2d(4, 8, 3, padding=1, groups=2, padding_mode="replicate"),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda lay: lay.params.padding_mode)
def test_peak_estimate_bounds_the_measured_peak_of_stats(layer):
    d = layer.derive(input_size=(48, 48))
    estimate = table_peak_bytes(d.spec)
    gc.collect()
    tracemalloc.start()
    d.stats()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak <= estimate <= 3 * peak + 2**20


def test_table_limit_counts_the_peak_not_the_index_bytes(monkeypatch):
    layer = sc.Conv2d(8, 8, 3, padding=1, padding_mode="reflect", bias=False)
    index_bytes = layer.derive(input_size=(48, 48)).stats().table_bytes
    monkeypatch.setattr(_derivation, "TABLE_LIMIT_BYTES", 2 * index_bytes)
    d = layer.derive(input_size=(48, 48))
    with pytest.raises(ValueError, match=r"GiB at its peak"):
        d.stats()  # the index arrays alone would fit, the grouping of reflect taps not


def test_limits_table_is_consistent_with_module_names():
    for a, b in itertools.combinations(_limits.LIMITS, 2):
        assert a != b
