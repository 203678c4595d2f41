"""check_hand against numpy/scipy/torch results and the seed's hand-derived values."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.signal
import sympy

import symconv as sc

X, W = [1, 2, 3, 4], [5, 6, 7]

# The seed (shared/cases/seed.json): values computed by hand and with numpy/scipy/torch.
SEED = {
    ("convolve", "full"): [5, 16, 34, 52, 45, 28],
    ("convolve", "valid"): [34, 52],
    ("convolve", "same"): [16, 34, 52, 45],
    ("correlate", "full"): [7, 20, 38, 56, 39, 20],
    ("correlate", "valid"): [38, 56],
    ("correlate", "same"): [20, 38, 56, 39],
}


# ------------------------------------------------------------------ matches


@pytest.mark.parametrize(("convention", "claimed"), SEED.items())
def test_seed_each_convention_matches_only_itself(convention, claimed):
    rep = sc.check_hand(X, W, claimed)
    assert rep.matches == [convention]
    assert bool(rep)
    assert rep.closest is None and rep.slip is None


def test_seed_full_convolution_and_valid_correlation():
    assert sc.check_hand(X, W, [5, 16, 34, 52, 45, 28]).matches == [("convolve", "full")]
    rep = sc.check_hand(X, W, [38, 56])
    assert rep.matches == [("correlate", "valid")]
    assert "cross-correlation" in str(rep)


def test_seed_valid_correlation_is_not_valid_convolution():
    rep = sc.check_hand(X, W, [38, 56], op="convolve", mode="valid")
    assert not rep and rep.matches == []
    assert rep.closest == ("convolve", "valid")
    assert rep.slip == "not_flipped"
    assert rep.index == (0,)
    assert (rep.claimed_value, rep.right_value) == (38, 34)
    assert rep.products == "y_0 = 1*7 + 2*6 + 3*5 = 34"
    text = str(rep)
    assert "kernel not flipped (or flipped twice)" in text
    assert "y_0 = 1*7 + 2*6 + 3*5 = 34, not 38" in text


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize(("n", "k"), [(5, 3), (6, 4), (3, 5), (4, 4), (7, 2)])
def test_random_integers_match_numpy_and_scipy(op, mode, n, k):
    rng = np.random.default_rng(10 * n + k)
    x = rng.integers(-9, 10, n)
    w = rng.integers(-9, 10, k)
    ref = getattr(scipy.signal, op)(x, w, mode=mode, method="direct")
    # numpy's 'same' keeps max(n, k) entries and centres correlate differently: skip those
    if mode != "same" or (op == "convolve" and n >= k):
        assert ref.tolist() == getattr(np, op)(x, w, mode).tolist()
    rep = sc.check_hand(x, w, ref.tolist())
    assert (op, mode) in rep.matches
    for c in rep.matches:  # every other match must give the very same numbers
        assert np.array(rep.results[c].tolist(), dtype=np.int64).tolist() == ref.tolist()


@pytest.mark.parametrize("k", [2, 4])
def test_pytorch_same_window_for_even_kernels(torch, k):
    rng = np.random.default_rng(k)
    x = rng.integers(-5, 6, 6)
    w = rng.integers(-5, 6, k)
    tx = torch.tensor(x, dtype=torch.float64).reshape(1, 1, -1)
    tw = torch.tensor(w, dtype=torch.float64).reshape(1, 1, -1)
    ref = torch.nn.functional.conv1d(tx, tw, padding="same").reshape(-1).to(torch.int64)
    rep = sc.check_hand(x, w, ref.tolist())
    assert ("correlate", "same_torch") in rep.matches
    scipy_same = scipy.signal.correlate(x, w, mode="same")
    assert scipy_same.tolist() != ref.tolist()  # the windows really differ
    assert ("correlate", "same") not in rep.matches


def test_same_torch_not_listed_separately_for_odd_kernels():
    rep = sc.check_hand(X, W, [20, 38, 56, 39])
    assert rep.matches == [("correlate", "same")]
    assert ("correlate", "same_torch") not in rep.results


def test_two_dimensional_against_scipy():
    rng = np.random.default_rng(7)
    x = rng.integers(-4, 5, (4, 5))
    w = rng.integers(-4, 5, (2, 3))
    for op, fn in (("convolve", scipy.signal.convolve2d), ("correlate", scipy.signal.correlate2d)):
        for mode in ("full", "valid", "same"):
            ref = fn(x, w, mode=mode)
            # correlate2d centres 'same' like PyTorch (K // 2), unlike scipy.signal.correlate
            expected = "same_torch" if fn is scipy.signal.correlate2d and mode == "same" else mode
            assert (op, expected) in sc.check_hand(x, w, ref.tolist()).matches
    assert scipy.signal.correlate(x, w, mode="same").tolist() in [
        r.tolist() for c, r in sc.check_hand(x, w, x.tolist()).results.items()
        if c == ("correlate", "same")
    ]


def test_two_dimensional_slip_and_products():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    w = [[1, 0], [0, 2]]
    right = scipy.signal.convolve2d(x, w, mode="valid")  # [[7, 10], [16, 19]]
    claimed = scipy.signal.correlate2d(x, w, mode="valid")  # [[11, 14], [20, 23]]
    rep = sc.check_hand(x, w, claimed.tolist(), op="convolve", mode="valid")
    assert rep.slip == "not_flipped"
    assert rep.index == (0, 0)
    assert (rep.claimed_value, rep.right_value) == (claimed[0, 0], right[0, 0])
    # y[0,0] = x00*w11 + x01*w10 + x10*w01 + x11*w00 (kernel flipped)
    assert rep.products == "y_0_0 = 1*2 + 2*0 + 4*0 + 5*1 = 7"
    assert rep.right_value == 1 * 2 + 5 * 1


# ------------------------------------------------------------------- slips


def test_slip_kernel_flipped_when_correlation_intended():
    rep = sc.check_hand(X, W, np.convolve(X, W, "valid").tolist(), op="correlate", mode="valid")
    assert rep.slip == "flipped" and rep.closest == ("correlate", "valid")
    assert (rep.claimed_value, rep.right_value) == (34, 38)


def test_slip_edges_trimmed():
    rep = sc.check_hand(X, W, np.convolve(X, W, "valid").tolist(), mode="full")
    assert rep.closest == ("convolve", "full") and rep.slip == "edges_trimmed"
    assert rep.index is None  # shapes differ: no element-wise comparison
    assert "The sizes differ: the claim has 2 entries, convolve/full gives 6 entries" in str(rep)


@pytest.mark.parametrize(("cut", "text"), [(slice(0, 5), "y[0:5]"), (slice(1, 6), "y[1:6]"),
                                           (slice(1, 4), "y[1:4]")])
def test_slip_edges_trimmed_any_sub_window_of_the_intended_mode(cut, text):
    claimed = np.convolve(X, W, "full")[cut].tolist()
    rep = sc.check_hand(X, W, claimed, op="convolve", mode="full")
    assert (rep.closest, rep.slip) == (("convolve", "full"), "edges_trimmed")
    assert f"{text} of convolve, mode='full'" in rep.slip_detail


def test_slip_edges_trimmed_2d():
    x = np.arange(12).reshape(3, 4)
    w = np.array([[1, -1], [2, 0]])
    full = scipy.signal.convolve2d(x, w, mode="full")  # shape (4, 5)
    rep = sc.check_hand(x, w, full[1:3, 0:4].tolist(), op="convolve", mode="full")
    assert rep.slip == "edges_trimmed"
    assert "y[1:3, 0:4]" in rep.slip_detail


def test_slip_edges_kept():
    rep = sc.check_hand(X, W, np.correlate(X, W, "full").tolist(), mode="valid")
    assert (rep.closest, rep.slip) == (("correlate", "valid"), "edges_kept")
    rep = sc.check_hand(X, W, np.correlate(X, W, "full").tolist(), op="correlate", mode="valid")
    assert (rep.closest, rep.slip) == (("correlate", "valid"), "edges_kept")


def test_slip_off_by_one_window():
    full = np.convolve(X, W, "full")
    claimed = full[1:3].tolist()  # valid starts at index 2
    rep = sc.check_hand(X, W, claimed)
    assert rep.matches == []
    assert (rep.closest, rep.slip) == (("convolve", "valid"), "off_by_one")
    assert rep.index == (0,) and rep.right_value == full[2] and rep.claimed_value == full[1]


def test_slip_off_by_one_between_the_two_same_windows():
    x, w = [1, 2, 3, 4], [5, 6]
    claimed = scipy.signal.correlate(x, w, mode="full")[1:5].tolist()  # PyTorch's window
    rep = sc.check_hand(x, w, claimed, op="correlate", mode="same")
    assert (rep.closest, rep.slip) == (("correlate", "same"), "off_by_one")
    assert sc.check_hand(x, w, claimed).matches == [("correlate", "same_torch")]


def test_slip_stride_skipped():
    rep = sc.check_hand(X, W, [5, 16, 34, 52, 45, 28], stride=2)
    assert rep.matches == []
    assert (rep.closest, rep.slip) == (("convolve", "full"), "stride_skipped")
    assert rep.stride == (2,)


def test_slip_stride_applied():
    claimed = np.convolve(X, W, "full")[::2].tolist()  # [5, 34, 45]
    rep = sc.check_hand(X, W, claimed)
    assert (rep.closest, rep.slip) == (("convolve", "full"), "stride_applied")
    assert "every 2nd element" in str(rep)
    assert sc.check_hand(X, W, claimed, stride=2).matches == [("convolve", "full")]


def test_stride_matches_pytorch_strided_layer(torch):
    x = np.arange(1, 10)
    w = np.array([2, -1, 3])
    tx = torch.tensor(x, dtype=torch.float64).reshape(1, 1, -1)
    tw = torch.tensor(w, dtype=torch.float64).reshape(1, 1, -1)
    ref = torch.nn.functional.conv1d(tx, tw, stride=3).reshape(-1).to(torch.int64).tolist()
    assert sc.check_hand(x, w, ref, stride=3).matches == [("correlate", "valid")]


def test_no_slip_closest_by_fewest_wrong_entries():
    claimed = [5, 16, 34, 52, 45, 29]
    rep = sc.check_hand(X, W, claimed)
    assert rep.slip is None and rep.closest == ("convolve", "full")
    assert rep.index == (5,)
    assert rep.products == "y_5 = 4*7 = 28"


# ---------------------------------------------------------------- exactness


def test_fractions_and_symbols_compare_exactly():
    x = [Fraction(1, 2), Fraction(1, 3)]
    w = [3, 6]
    claimed = [Fraction(3, 2), 4, 2]  # 1/2*3, 1/2*6 + 1/3*3, 1/3*6
    assert sc.check_hand(x, w, claimed).matches == [("convolve", "full")]
    a, b = sympy.symbols("a b")
    rep = sc.check_hand([a, b], [2, 3], [2 * a, 3 * a + 2 * b, 3 * b])
    assert rep.matches == [("convolve", "full")]
    rep = sc.check_hand([a, b], [2, 3], [2 * a, 3 * a + 2 * b, 4 * b])
    assert rep.index == (2,) and rep.right_value == 3 * b
    assert rep.products == "y_2 = b*3 = 3*b"


def test_floats_that_are_not_exact_do_not_match():
    assert not sc.check_hand([1, 2], [1, 3], [1, 5.000001, 6])
    assert sc.check_hand([1, 2], [1, 3], [1.0, 5.0, 6.0]).matches == [("convolve", "full")]


def test_negative_and_fractional_factors_are_parenthesised():
    rep = sc.check_hand([-1, Fraction(1, 2)], [2], [0, 0], op="convolve", mode="full")
    assert rep.products == "y_0 = (-1)*2 = -2"


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(claimed="38, 56"), TypeError, r"`claimed` must be numbers or SymPy expressions"),
        (dict(claimed=[[38, 56]]), ValueError, r"`claimed` must be a non-empty array with "
         r"as many dimensions as `x` \(1\), got shape \(1, 2\)"),
        (dict(claimed=[]), ValueError, r"`claimed` must be a non-empty array"),
        (dict(stride=0), ValueError, r"`stride` must be positive, got 0"),
        (dict(op="conv"), ValueError, r"`op` must be one of 'convolve', 'correlate'; got 'conv'"),
        (dict(mode="half"), ValueError, r"`mode` must be one of 'full', 'valid', 'same', "
         r"'same_torch', 'circular'; got 'half'"),
        (dict(x="1,2"), TypeError, r"`x` must be numbers or SymPy expressions"),
        (dict(w=[[1, 2]]), ValueError, r"`x` and `w` must have the same number of dimensions"),
    ],
)
def test_bad_input_messages(kwargs, error, match):
    args = {"x": X, "w": W, "claimed": [38, 56], **kwargs}
    with pytest.raises(error, match=match):
        sc.check_hand(args.pop("x"), args.pop("w"), args.pop("claimed"), **args)


def test_intended_valid_mode_that_cannot_apply():
    with pytest.raises(ValueError, match=r"`mode`='valid' cannot apply: .* got x shape \(2, 3\)"):
        sc.check_hand([[1, 2, 3], [4, 5, 6]], [[1], [2], [3]], [[1]], mode="valid")
