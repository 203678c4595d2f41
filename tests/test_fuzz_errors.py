"""Junk in, clear errors out: the public API raises only ValueError/TypeError on bad input."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symconv as sc

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

junk_scalar = st.one_of(
    st.integers(-3, 4), st.floats(allow_nan=True, allow_infinity=True), st.none(),
    st.booleans(), st.text(max_size=3), st.just(np.int64(2)), st.just(()),
)
junk_size = st.one_of(junk_scalar, st.tuples(junk_scalar), st.tuples(junk_scalar, junk_scalar),
                      st.lists(st.integers(-1, 4), max_size=4))


def _only_clear_errors(call):
    try:
        call()
    except (ValueError, TypeError) as exc:
        assert str(exc), "an error must say what is wrong"
        assert "`" in str(exc) or "mode=" in str(exc), f"no parameter named in: {exc}"


@SETTINGS
@given(junk_scalar, junk_scalar, junk_size, junk_size, junk_size, junk_size, junk_scalar,
       st.sampled_from(["zeros", "reflect", "replicate", "circular", "mirror", 3]))
def test_conv2d_constructor_and_derive(cin, cout, k, stride, padding, dilation, groups, pmode):
    def call():
        layer = sc.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation,
                          groups=groups, padding_mode=pmode)
        layer.derive(input_size=(3, 4))

    _only_clear_errors(call)


@SETTINGS
@given(junk_size, junk_size, junk_size, junk_size, junk_scalar)
def test_conv_transpose1d(k, stride, padding, output_padding, size):
    def call():
        sc.ConvTranspose1d(1, 2, k, stride=stride, padding=padding,
                           output_padding=output_padding).derive(input_size=size)

    _only_clear_errors(call)


@SETTINGS
@given(st.one_of(junk_size, st.lists(st.lists(st.integers(-2, 2), max_size=3), max_size=3)),
       st.one_of(junk_size, st.lists(st.integers(-2, 2), max_size=3)),
       st.sampled_from(["full", "valid", "same", "circular", None]))
def test_signal_functions(x, w, mode):
    _only_clear_errors(lambda: sc.correlate(x, w, mode=mode).output)
    _only_clear_errors(lambda: sc.convolve(x, w, mode=mode).output)


@SETTINGS
@given(junk_size, junk_size)
def test_derive_values_and_gradients(x, g):
    d = sc.Conv1d(1, 1, 2, bias=False).derive(input_size=3)
    _only_clear_errors(lambda: sc.Conv1d(1, 1, 2).derive(x=x))
    _only_clear_errors(lambda: d.gradient(grad_output=g).input)
    _only_clear_errors(lambda: d.terms(*x) if isinstance(x, (tuple, list)) else d.terms(x))


@SETTINGS
@given(st.one_of(junk_size, st.lists(st.integers(-2, 2), min_size=1, max_size=4)),
       st.one_of(junk_size, st.lists(st.integers(-2, 2), min_size=1, max_size=3)),
       st.one_of(junk_size, st.lists(st.integers(-5, 5), max_size=6)))
def test_check_hand(x, w, claimed):
    _only_clear_errors(lambda: str(sc.check_hand(x, w, claimed)))
