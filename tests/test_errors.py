"""Bad input: every case in DESIGN.md raises ValueError/TypeError naming parameter, rule, value."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symconv as sc

LAYER_ERRORS = [
    (dict(in_channels=0, out_channels=1, kernel_size=3), ValueError, r"`in_channels` must be positive, got 0"),
    (dict(in_channels=1, out_channels=-2, kernel_size=3), ValueError, r"`out_channels` must be positive, got -2"),
    (dict(in_channels=1, out_channels=1, kernel_size=0), ValueError, r"`kernel_size` must be positive, got 0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, stride=0), ValueError, r"`stride` must be positive, got 0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, dilation=0), ValueError, r"`dilation` must be positive, got 0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding=-1), ValueError, r"`padding` must be >= 0, got -1"),
    (dict(in_channels=3, out_channels=2, kernel_size=3, groups=2), ValueError,
     r"`in_channels` \(=3\) must be divisible by `groups` \(=2\)"),
    (dict(in_channels=2, out_channels=3, kernel_size=3, groups=2), ValueError,
     r"`out_channels` \(=3\) must be divisible by `groups` \(=2\)"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, groups=0), ValueError, r"`groups` must be positive, got 0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding="full"), ValueError,
     r"`padding` must be one of 'valid', 'same'; got 'full'"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding="same", stride=2), ValueError,
     r"`padding`='same' is not supported for strided convolutions"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding_mode="mirror"), ValueError,
     r"`padding_mode` must be one of 'zeros', 'reflect', 'replicate', 'circular'; got 'mirror'"),
    (dict(in_channels=1, out_channels=1, kernel_size=(3, 3)), ValueError,
     r"`kernel_size` must have 1 entry \(one per spatial dimension\), got \(3, 3\)"),
    (dict(in_channels=1.5, out_channels=1, kernel_size=3), TypeError,
     r"`in_channels` must be an integer, got 1.5 \(float\)"),
    (dict(in_channels="3", out_channels=1, kernel_size=3), TypeError, r"`in_channels` must be an integer, got '3'"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, bias="yes"), TypeError, r"`bias` must be True or False"),
    (dict(in_channels=1, out_channels=1, kernel_size=True), TypeError, r"`kernel_size` must be an integer"),
]


@pytest.mark.parametrize(("kwargs", "exc", "match"), LAYER_ERRORS)
def test_layer_constructor_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sc.Conv1d(**kwargs)


DERIVE_ERRORS = [
    (sc.Conv1d(1, 1, 5), dict(input_size=3), ValueError,
     r"`kernel_size` \(=5, dilated span 5\) must not exceed the padded input size \(=3 \+ 0 \+ 0 = 3\)"),
    (sc.Conv1d(1, 1, 3, dilation=3), dict(input_size=6), ValueError, r"dilated span 7"),
    (sc.Conv1d(1, 1, 3), dict(input_size=0), ValueError, r"`input_size` must be positive, got 0"),
    (sc.Conv1d(1, 1, 3), dict(), ValueError, r"`input_size` is required when `x` is not given"),
    (sc.Conv2d(1, 1, 3), dict(input_size=5), ValueError, r"`input_size` must be a tuple of 2 spatial sizes"),
    (sc.Conv2d(2, 1, 3), dict(input_size=(3, 5, 5)), ValueError,
     r"`input_size` has 3 channels but the layer's `in_channels` is 2"),
    (sc.Conv1d(2, 1, 3), dict(x=[[1, 2, 3]]), ValueError,
     r"`x` must have shape \(in_channels=2, \*spatial\) with 1 spatial dimension \(no batch dimension\), got shape \(1, 3\)"),
    (sc.Conv1d(1, 2, 3), dict(input_size=4, weight=[[[1, 2, 3]]]), ValueError,
     r"`weight` must have shape \(2, 1, 3\), got shape \(1, 1, 3\)"),
    (sc.Conv1d(1, 2, 3), dict(input_size=4, bias=[1, 2, 3]), ValueError, r"`bias` must have shape \(2,\), got shape \(3,\)"),
    (sc.Conv1d(1, 2, 3, bias=False), dict(input_size=4, bias=[1, 2]), ValueError,
     r"`bias` was given but the layer was built with bias=False"),
    (sc.Conv1d(1, 1, 3, padding=3, padding_mode="reflect"), dict(input_size=3), ValueError,
     r"`padding` \(=3\) must be smaller than the input size \(=3\) .* padding_mode='reflect'"),
    (sc.Conv1d(1, 1, 3, padding=4, padding_mode="circular"), dict(input_size=3), ValueError,
     r"`padding` \(=4\) must not exceed the input size \(=3\) .* padding_mode='circular'"),
    (sc.Conv1d(1, 1, 3), dict(x=[["1", "2", "3"]]), TypeError, r"`x` must be numbers or SymPy expressions, got text"),
    (sc.Conv1d(1, 1, 3), dict(x=[[1, 2, "x+1"]]), TypeError, r"never evaluates strings"),
    (sc.Conv1d(1, 1, 2), dict(input_size=3, weight=[[[1, None]]]), TypeError,
     r"`weight` must hold numbers or SymPy expressions, got None"),
    (sc.Conv1d(1, 1, 2), dict(input_size=(3, 4, 5)), ValueError, r"`input_size` must give the 1 spatial size"),
]


@pytest.mark.parametrize(("layer", "kwargs", "exc", "match"), DERIVE_ERRORS)
def test_derive_errors(layer, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        layer.derive(**kwargs)


SIGNAL_ERRORS = [
    (([1, 2, 3], [1, 2]), dict(mode="periodic"), ValueError, r"`mode` must be one of 'full', 'valid', 'same', 'circular'; got 'periodic'"),
    (([1, 2, 3], [[1, 2]]), {}, ValueError, r"`x` and `w` must have the same number of dimensions"),
    (([], [1]), {}, ValueError, r"`x` must not be empty, got shape \(0,\)"),
    ((5, [1]), {}, ValueError, r"`x` must have at least one dimension, got a scalar"),
    (([[1, 2, 3], [4, 5]], [1]), {}, ValueError, r"`x` must be a rectangular array"),
    (("1,2,3", [1]), {}, TypeError, r"`x` must be numbers or SymPy expressions, got text '1,2,3'"),
    (([1, 2], ["__import__('os')"]), {}, TypeError, r"`w` must be numbers or SymPy expressions, got text"),
    (([True, False], [1]), {}, TypeError, r"`x` must hold numbers, got booleans"),
    (([[1, 2, 3], [1, 2, 3]], [[1, 2], [1, 2], [1, 2]]), dict(mode="valid"), ValueError,
     r"mode='valid' needs `x` or `w` at least as large as the other in every dimension"),
]


@pytest.mark.parametrize(("args", "kwargs", "exc", "match"), SIGNAL_ERRORS)
def test_signal_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sc.correlate(*args, **kwargs)


def test_transposed_errors():
    with pytest.raises(ValueError, match=r"`output_padding` must be smaller than either `stride` or `dilation`"):
        sc.ConvTranspose1d(1, 1, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"`padding_mode` of a transposed convolution must be 'zeros'"):
        sc.ConvTranspose2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"`padding` of a transposed convolution must be an integer or a tuple"):
        sc.ConvTranspose1d(1, 1, 3, padding="same")
    with pytest.raises(ValueError, match=r"output size of the transposed convolution must be positive"):
        sc.ConvTranspose1d(1, 1, 1, padding=2).derive(input_size=2)


def test_terms_index_errors():
    d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    with pytest.raises(ValueError, match=r"`index` must have 1 entry for an output of shape \(2,\), got \(0, 0\)"):
        d.terms(0, 0)
    with pytest.raises(ValueError, match=r"`index` \(5,\) is out of range for axis 0 of size 2"):
        d.terms(5)
    with pytest.raises(TypeError, match=r"`index` entries must be integers, got 0.5"):
        d.terms(0.5)


def test_check_argument_errors():
    d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    with pytest.raises(ValueError, match=r"`trials` must be positive, got 0"):
        d.check(trials=0)
    with pytest.raises(TypeError, match=r"`seed` must be an integer, got 'a'"):
        d.check(seed="a")


def test_no_bare_errors_from_deep_inside():
    """Odd but plausible inputs never leak IndexError/ZeroDivisionError/SympifyError."""
    for bad in ([object()], [{"a": 1}], np.array(["a"]), [sympy.Matrix([1])]):
        with pytest.raises((TypeError, ValueError)):
            sc.convolve(bad, [1])


def test_parse_value_is_safe():
    assert sc.parse_value(" 3 ") == 3
    assert sc.parse_value("-0.5") == sympy.Rational(-1, 2)
    assert sc.parse_value("2/6") == sympy.Rational(1, 3)
    assert sc.parse_value("w_1") == sympy.Symbol("w_1")
    for text in ["__import__('os').system('true')", "1+1", "x.y", "", "1/0", "exp(1)"]:
        with pytest.raises(ValueError, match=r"value"):
            sc.parse_value(text)
