"""Hand checker: single numbers located, matches shown as sums of products, reversed and
swapped outputs, dilation, explicit and asymmetric padding (TensorFlow 'SAME').

Every expected value comes from NumPy, SciPy or PyTorch, never from symconv."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

import symconv as sc

X, W = [1, 2, 3, 4], [5, 6, 7]


def test_a_single_number_is_located_with_its_products():
    valid = np.correlate(X, W, "valid")  # [38, 56]
    rep = sc.check_hand(X, W, [int(valid[0])])
    assert not rep
    assert rep.slip == "one_element" and rep.closest == ("correlate", "valid")
    text = str(rep)
    assert "38 is y_0 of valid correlation = 1*5 + 2*6 + 3*7" in text
    assert "stride" not in text  # it used to answer "every 2nd element (stride 2)"
    rep = sc.check_hand(X, W, [int(valid[1])])
    assert "56 is y_1 of valid correlation = 2*5 + 3*6 + 4*7" in str(rep)


def test_a_single_number_from_a_full_convolution():
    full = np.convolve(X, W)  # [5, 16, 34, 52, 45, 28]
    rep = sc.check_hand(X, W, [int(full[-1])])
    assert rep.slip == "one_element"
    assert "28 is y_5 of full convolution = 4*7" in str(rep)


def test_a_match_shows_its_sums_of_products():
    full = np.convolve(X, W)
    rep = sc.check_hand(X, W, full.tolist())
    assert rep.matches == [("convolve", "full")]
    shown = rep.match_products[("convolve", "full")]
    assert shown[0] == f"y_0 = 1*5 = {full[0]}"
    assert shown[2] == f"y_2 = 1*7 + 2*6 + 3*5 = {full[2]}"
    assert shown[-1] == "y_5 = 4*7 = 28" and len(shown) == 6
    assert f"      y_2 = 1*7 + 2*6 + 3*5 = {full[2]}" in str(rep)
    long = sc.check_hand(list(range(10)), [1], list(range(10)), op="convolve", mode="full")
    assert long.match_products[("convolve", "full")][-1] == "... 4 more"


def test_reversed_outputs_are_a_slip():
    valid = np.correlate(X, W, "valid")
    rep = sc.check_hand(X, W, valid[::-1].tolist())
    assert not rep and rep.slip == "reversed" and rep.closest == ("correlate", "valid")
    assert "read backwards" in str(rep)
    x2 = np.arange(1, 13).reshape(3, 4)
    w2 = np.array([[1, -1], [2, 0]])
    ref = scipy.signal.correlate2d(x2, w2, "valid")
    rep = sc.check_hand(x2, w2, ref[::-1, ::-1], op="correlate", mode="valid")
    assert rep.slip == "reversed"


def test_swapped_operands_are_a_slip():
    x, w = [1, 2, 3, 4, 5], [2, -1, 3]
    swapped = scipy.signal.correlate(w, x, "same")  # the size of w: a different window
    rep = sc.check_hand(x, w, swapped.tolist(), op="correlate", mode="same")
    assert not rep and rep.slip == "swapped"
    assert "correlate(w, x)" in str(rep)


@pytest.mark.parametrize("dilation", [2, 3])
def test_dilation_against_a_dilated_kernel_built_here(dilation):
    x, w = np.arange(1, 10), np.array([1, -2, 3])
    wd = np.zeros(dilation * 2 + 1, dtype=int)
    wd[::dilation] = w
    claim = np.correlate(x, wd, "valid")
    rep = sc.check_hand(x, w, claim, dilation=dilation)
    assert ("correlate", "valid") in rep.matches
    first = rep.match_products[("correlate", "valid")][0]
    assert first == (f"y_0 = 1*1 + {1 + dilation}*(-2) + {1 + 2 * dilation}*3 = {claim[0]}")
    assert not sc.check_hand(x, w, claim, dilation=1)


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (1, 0), (2, 1), (0, 0)])
def test_explicit_asymmetric_padding_against_numpy(lo, hi):
    x, w = np.array([3, 1, 4, 1, 5, 9]), np.array([2, 7, 1])
    claim = np.correlate(np.pad(x, (lo, hi)), w, "valid")
    rep = sc.check_hand(x, w, claim, padding=(lo, hi), op="correlate")
    assert rep.matches == [("correlate", f"padding={(lo, hi)}")]
    conv = np.convolve(np.pad(x, (lo, hi)), w, "valid")
    assert sc.check_hand(x, w, conv, padding=(lo, hi)).matches[0][0] == "convolve"


def _tf_same(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    """TensorFlow's SAME by its documented rule, in NumPy: pad the odd one at the end."""
    n, k = x.size, w.size
    out = -(-n // stride)
    total = max((out - 1) * stride + k - n, 0)
    padded = np.pad(x, (total // 2, total - total // 2))
    return np.correlate(padded, w, "valid")[::stride]


@pytest.mark.parametrize(("n", "k", "stride"), [(5, 2, 1), (5, 2, 2), (6, 4, 3), (7, 3, 2)])
def test_tensorflow_same_padding(n, k, stride):
    x = np.arange(1, n + 1)
    w = np.arange(2, k + 2)
    claim = _tf_same(x, w, stride)
    rep = sc.check_hand(x, w, claim, padding="SAME", stride=stride, op="correlate")
    assert rep.matches == [("correlate", "padding='SAME' (TensorFlow)")]


@pytest.mark.torch
def test_tensorflow_same_matches_torch_with_asymmetric_padding(torch):
    x, w = np.arange(1.0, 8.0), np.array([1.0, -1.0, 2.0, 0.5])
    stride = 2
    total = max((-(-7 // stride) - 1) * stride + 4 - 7, 0)
    xt = torch.nn.functional.pad(torch.tensor(x)[None, None], (total // 2, total - total // 2))
    ref = torch.nn.functional.conv1d(xt, torch.tensor(w)[None, None], stride=stride)[0, 0]
    rep = sc.check_hand(x, w, ref.numpy(), padding="SAME", stride=stride, op="correlate")
    assert rep


def test_padding_and_mode_together_are_refused():
    with pytest.raises(ValueError, match=r"give `mode` or `padding`, not both"):
        sc.check_hand(X, W, [38], mode="valid", padding=1)
    with pytest.raises(ValueError, match=r"`padding` must be an integer, \(low, high\) pairs "
                                         r"or 'SAME'"):
        sc.check_hand(X, W, [38], padding="same")
    with pytest.raises(ValueError, match=r"`dilation` must be positive"):
        sc.check_hand(X, W, [38], dilation=0)


# ------------------------------------------------------------------ channels

RNG = np.random.default_rng(7)
XC = RNG.integers(-3, 4, size=(2, 6))
WC = RNG.integers(-3, 4, size=(3, 2, 3))


def _layer(x: np.ndarray, w: np.ndarray, pad: tuple[int, int] = (0, 0), stride: int = 1,
           flip: bool = False) -> np.ndarray:
    """A multi-channel 1-D layer by its definition, in NumPy (no batch)."""
    c_out, c_in = w.shape[:2]
    kern = w[..., ::-1] if flip else w
    return np.stack([sum(np.correlate(np.pad(x[ci], pad), kern[co, ci], "valid")
                         for ci in range(c_in))[::stride] for co in range(c_out)])


def test_channels_match_with_products_over_every_input_channel():
    claim = _layer(XC, WC)
    rep = sc.check_hand(XC, WC, claim, channels=True)
    assert rep.matches == [("correlate", "valid")]
    first = rep.match_products[("correlate", "valid")][0]
    pairs = [f"{XC[ci, j]}*{WC[0, ci, j]}" for ci in range(2) for j in range(3)]
    assert first.startswith("y_0_0 = ") and first.endswith(f" = {claim[0, 0]}")
    assert first.count("*") == len(pairs) == 6


@pytest.mark.parametrize(("pad", "stride"), [((1, 1), 1), ((0, 2), 2), ((2, 1), 3)])
def test_channels_with_padding_and_stride(pad, stride):
    claim = _layer(XC, WC, pad, stride)
    rep = sc.check_hand(XC, WC, claim, channels=True, padding=pad, stride=stride,
                        op="correlate")
    assert rep, str(rep)


def test_channels_slips_flipped_and_reversed():
    flipped = _layer(XC, WC, flip=True)  # true convolution per channel pair
    rep = sc.check_hand(XC, WC, flipped, channels=True, op="correlate", mode="valid")
    assert rep.slip == "flipped"
    rev = _layer(XC, WC)[:, ::-1]
    assert sc.check_hand(XC, WC, rev, channels=True).slip == "reversed"


@pytest.mark.torch
def test_channels_against_torch_conv1d(torch):
    x = torch.tensor(XC, dtype=torch.float64)
    w = torch.tensor(WC, dtype=torch.float64)
    for padding, stride, dilation in [(0, 1, 1), (1, 2, 1), (2, 1, 2)]:
        ref = torch.nn.functional.conv1d(x[None], w, padding=padding, stride=stride,
                                         dilation=dilation)[0]
        rep = sc.check_hand(XC, WC, ref.numpy().astype(int), channels=True, padding=padding,
                            stride=stride, dilation=dilation, op="correlate")
        assert rep, (padding, stride, dilation, str(rep))


def test_channels_shapes_are_checked():
    with pytest.raises(ValueError, match=r"with `channels`, `x` must have shape "
                                         r"\(in_channels, \*spatial\)"):
        sc.check_hand(XC, WC[:, :1], [[1]], channels=True)
    with pytest.raises(TypeError, match=r"`channels` must be True or False"):
        sc.check_hand(XC, WC, [[1]], channels="yes")


# ------------------------------------------------------------------ gradients


def test_weight_and_input_gradients_against_numpy():
    g = [1, -2]
    dw = np.correlate(X, g, "valid")  # dL/dw_k = sum_o g_o x_{o+k}
    dx = np.convolve(g, W, "full")  # dL/dx = the transposed convolution of g
    rep = sc.check_hand(X, W, dw, grad_output=g)
    assert rep.matches == [("correlate", "valid")]
    assert rep.match_products[("correlate", "valid")][0] == f"dw_0 = 1*1 + (-2)*2 = {dw[0]}"
    rep = sc.check_hand(X, W, dx, grad_output=g, wrt="x")
    assert rep.matches == [("correlate", "valid")]
    wrong = dw + np.array([0, 0, 1])
    rep = sc.check_hand(X, W, wrong, grad_output=g)
    assert not rep and rep.index == (2,) and rep.right_value == dw[2]
    assert f"First wrong element: dw_2 = 1*3 + (-2)*4 = {dw[2]}, not {wrong[2]}" in str(rep)


@pytest.mark.torch
def test_gradients_of_a_strided_padded_layer_against_autograd(torch):
    x = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], requires_grad=True)
    w = torch.tensor([2.0, -1.0, 3.0], requires_grad=True)
    y = torch.nn.functional.conv1d(x[None, None], w[None, None], padding=1, stride=2)[0, 0]
    g = torch.tensor([1.0, -1.0, 2.0])
    (y * g).sum().backward()
    xs, ws, gs = [3, 1, 4, 1, 5, 9], [2, -1, 3], [1, -1, 2]
    rep = sc.check_hand(xs, ws, w.grad.numpy().astype(int), grad_output=gs, padding=1,
                        stride=2, op="correlate")
    assert rep, str(rep)
    rep = sc.check_hand(xs, ws, x.grad.numpy().astype(int), grad_output=gs, padding=1,
                        stride=2, op="correlate", wrt="x")
    assert rep, str(rep)


def test_gradient_claims_are_checked():
    with pytest.raises(ValueError, match=r"`claimed` must have the shape of `w` \(3,\)"):
        sc.check_hand(X, W, [1, 2], grad_output=[1, 1])
    with pytest.raises(ValueError, match=r"no convention tried gives an output of that shape"):
        sc.check_hand(X, W, [1, 2, 3], grad_output=[1] * 9)
    with pytest.raises(ValueError, match=r"`wrt` must be one of 'w', 'x'"):
        sc.check_hand(X, W, [1, 2, 3], grad_output=[1, 1], wrt="b")
