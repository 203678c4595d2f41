"""Junk in, clear errors out, for the layer family (constructors and derive)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symconv as sc

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk_scalar = st.one_of(
    st.integers(-2, 4), st.floats(allow_nan=True, allow_infinity=True), st.none(),
    st.booleans(), st.text(max_size=3), st.just(np.int64(2)), st.just(()),
)
junk_size = st.one_of(junk_scalar, st.tuples(junk_scalar), st.tuples(junk_scalar, junk_scalar),
                      st.lists(st.integers(-1, 4), max_size=4))


def _only_clear_errors(call):
    try:
        call()
    except (ValueError, TypeError) as exc:
        assert "`" in str(exc), f"no parameter named in: {exc}"


@SETTINGS
@given(st.sampled_from(["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"]), junk_size,
       junk_size, junk_size, junk_size, junk_scalar, junk_size)
def test_pooling(name, k, stride, padding, extra, ceil, size):
    def call():
        layer = getattr(sc, name)(k, stride, padding, extra, ceil_mode=ceil)
        _ = layer.derive(input_size=size).output

    _only_clear_errors(call)


@SETTINGS
@given(st.sampled_from(["LocallyConnected1d", "LocallyConnected2d", "TiledConv1d",
                        "TiledConv2d"]),
       junk_scalar, junk_scalar, junk_size, junk_size, junk_size, junk_size, junk_scalar,
       junk_size)
def test_local_and_tiled(name, cin, cout, k, tiles, stride, padding, bias, size):
    def call():
        cls = getattr(sc, name)
        if name.startswith("Tiled"):
            layer = cls(cin, cout, k, tiles, stride=stride, padding=padding, bias=bias)
        else:
            layer = cls(cin, cout, k, stride=stride, padding=padding, bias=bias)
        _ = layer.derive(input_size=size).output

    _only_clear_errors(call)


@SETTINGS
@given(junk_scalar, junk_scalar, junk_scalar, junk_size,
       st.one_of(junk_size, st.lists(junk_scalar, max_size=3)))
def test_linear_and_activations(n_in, n_out, bias, size, x):
    _only_clear_errors(lambda: sc.Linear(n_in, n_out, bias=bias).derive(input_size=size).output)
    _only_clear_errors(lambda: sc.Linear(2, 1).derive(x=x).output)
    _only_clear_errors(lambda: sc.ReLU().derive(input_size=size).output)
    _only_clear_errors(lambda: sc.Tanh().derive(x=x).gradient(grad_output=x).input)
