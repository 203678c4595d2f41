"""The HTML explorer, parsed with ``html.parser`` and checked against independent enumerations.

The reference for "which weight sits at which entry of T" is computed here,
without symconv: for signals by probing ``scipy.signal.correlate``/``convolve``
with unit inputs and unit kernels (itself checked against
``scipy.linalg.convolution_matrix``), for layers by a NumPy pad-and-slide
(``np.pad`` in the layer's padding mode) probed the same way.  Every data
attribute that links weights, inputs and outputs in the page must agree.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import sympy

import symconv as sc
from symconv.shell._cli import main

ROOT = Path(__file__).resolve().parents[1]
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source"}


# ----------------------------------------------------------------- parsing


class Node:
    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs, self.text = tag, attrs, ""

    def ints(self, name: str) -> tuple[int, ...]:
        v = self.attrs.get(name)
        return tuple(int(t) for t in v.split()) if v else ()

    def one(self, name: str) -> int:
        (v,) = self.ints(name)
        return v


class Collect(HTMLParser):
    """Every element with a ``data-role`` (with its text), and every tag name seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[Node] = []
        self.tags: Counter[str] = Counter()
        self.stack: list[tuple[str, Node | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        a = {k: (v or "") for k, v in attrs}
        node = Node(tag, a) if "data-role" in a else None
        if node is not None:
            self.nodes.append(node)
        if tag not in VOID:
            self.stack.append((tag, node))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, node in self.stack:
            if node is not None:
                node.text += data

    def role(self, role: str) -> list[Node]:
        return [n for n in self.nodes if n.attrs["data-role"] == role]


def parse(page: str) -> Collect:
    p = Collect()
    p.feed(page)
    p.close()
    return p


# ------------------------------------------------------ independent references


def signal_tk(op: str, mode: str, in_shape: tuple[int, ...], k_shape: tuple[int, ...]):
    """``Tk[k, o, i]``: how often weight k multiplies input i in output o (scipy.signal)."""
    fn = scipy.signal.convolve if op == "convolve" else scipy.signal.correlate
    n_in, n_k = int(np.prod(in_shape)), int(np.prod(k_shape))
    cols = []
    for k in range(n_k):
        wk = np.zeros(n_k)
        wk[k] = 1
        per_input = []
        for i in range(n_in):
            xi = np.zeros(n_in)
            xi[i] = 1
            per_input.append(fn(xi.reshape(in_shape), wk.reshape(k_shape), mode=mode,
                                method="direct").ravel())
        cols.append(np.stack(per_input, axis=1))
    return np.rint(np.stack(cols)).astype(int)


PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def layer_forward(x, w, stride, dilation, padding, mode):
    """Conv layer (groups=1) by pad-and-slide: y[co, *o] = sum w[co, ci, *j] xpad[ci, s*o + d*j]."""
    nd = x.ndim - 1
    xp = np.pad(x, [(0, 0)] + [(padding, padding)] * nd, mode=PAD[mode])
    k = w.shape[2:]
    out = [(xp.shape[1 + a] - dilation * (k[a] - 1) - 1) // stride + 1 for a in range(nd)]
    y = np.zeros((w.shape[0], *out))
    for co in range(w.shape[0]):
        for o in itertools.product(*(range(m) for m in out)):
            acc = 0.0
            for ci in range(w.shape[1]):
                for j in itertools.product(*(range(m) for m in k)):
                    pos = tuple(stride * o[a] + dilation * j[a] for a in range(nd))
                    acc += w[(co, ci, *j)] * xp[(ci, *pos)]
            y[(co, *o)] = acc
    return y


def layer_tk(in_shape, w_shape, stride, dilation, padding, mode):
    n_in, n_k = int(np.prod(in_shape)), int(np.prod(w_shape))
    cols = []
    for k in range(n_k):
        wk = np.zeros(n_k)
        wk[k] = 1
        per_input = []
        for i in range(n_in):
            xi = np.zeros(n_in)
            xi[i] = 1
            per_input.append(layer_forward(xi.reshape(in_shape), wk.reshape(w_shape), stride,
                                           dilation, padding, mode).ravel())
        cols.append(np.stack(per_input, axis=1))
    return np.rint(np.stack(cols)).astype(int)


SIGNALS = [
    ("correlate", "valid", (4,), (3,)),  # the seed
    ("convolve", "full", (4,), (3,)),
    ("convolve", "same", (5,), (3,)),
    ("correlate", "same", (4,), (2,)),
    ("correlate", "valid", (3, 4), (2, 2)),
]
LAYERS = [  # (in_channels, out_channels, kernel, stride, padding, dilation, padding_mode, size)
    (1, 1, 3, 1, 1, 1, "reflect", (5,)),
    (1, 1, 3, 1, 2, 1, "circular", (3,)),
    (1, 2, 3, 2, 2, 2, "zeros", (7,)),
    (2, 2, 2, 1, 1, 1, "replicate", (3, 3)),
]


def signal_case(op, mode, in_shape, k_shape):
    x, w = sympy.symarray("x", in_shape), sympy.symarray("w", k_shape)
    d = getattr(sc, op)(x, w, mode=mode)
    return d, signal_tk(op, mode, in_shape, k_shape)


def layer_case(cin, cout, k, s, p, dil, pm, size):
    cls = {1: sc.Conv1d, 2: sc.Conv2d}[len(size)]
    d = cls(cin, cout, k, stride=s, padding=p, dilation=dil, padding_mode=pm,
            bias=True).derive(input_size=size)
    w_shape = (cout, cin, *([k] * len(size)))
    return d, layer_tk((cin, *size), w_shape, s, dil, p, pm)


CASES = [pytest.param(signal_case, c, id=f"{c[0]}-{c[1]}-{c[2]}") for c in SIGNALS] + [
    pytest.param(layer_case, c, id=f"conv{len(c[7])}d-{c[6]}-s{c[3]}-d{c[5]}") for c in LAYERS]


def transpose_forward(x, w, stride, padding, output_padding):
    """ConvTranspose1d (groups=1) by scattering: y[co, s*i + j - p] += w[ci, co, j] x[ci, i]."""
    c_in, n = x.shape
    c_out, k = w.shape[1], w.shape[2]
    m = (n - 1) * stride - 2 * padding + k + output_padding
    full = np.zeros((c_out, (n - 1) * stride + k + output_padding))
    for ci in range(c_in):
        for i in range(n):
            for co in range(c_out):
                for j in range(k):
                    full[co, stride * i + j] += w[ci, co, j] * x[ci, i]
    return full[:, padding:padding + m]


def transpose_tk(c_in, c_out, k, n, stride, padding, output_padding):
    n_in, n_k = c_in * n, c_in * c_out * k
    cols = []
    for kk in range(n_k):
        wk = np.zeros(n_k)
        wk[kk] = 1
        per_input = []
        for i in range(n_in):
            xi = np.zeros(n_in)
            xi[i] = 1
            per_input.append(transpose_forward(xi.reshape(c_in, n), wk.reshape(c_in, c_out, k),
                                               stride, padding, output_padding).ravel())
        cols.append(np.stack(per_input, axis=1))
    return np.rint(np.stack(cols)).astype(int)


TRANSPOSED = [(2, 2, 3, 3, 2, 1, 1), (1, 2, 2, 4, 1, 0, 0)]  # c_in, c_out, k, n, s, p, op


# ----------------------------------------------------------------- tests


def test_signal_reference_is_scipy_convolution_matrix():
    """The probing reference itself agrees with scipy.linalg.convolution_matrix."""
    w = np.array([5.0, 6.0, 7.0])
    for mode in ("full", "valid", "same"):
        tk = signal_tk("convolve", mode, (5,), (3,))
        assert np.array_equal(np.tensordot(w, tk, axes=1),
                              scipy.linalg.convolution_matrix(w, 5, mode=mode))


def test_layer_reference_matches_torch(torch):
    rng = np.random.default_rng(0)
    for cin, cout, k, s, p, dil, pm, size in LAYERS:
        x = rng.integers(-3, 4, (cin, *size)).astype(float)
        w = rng.integers(-3, 4, (cout, cin, *([k] * len(size)))).astype(float)
        conv = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d}[len(size)](
            cin, cout, k, stride=s, padding=p, dilation=dil, padding_mode=pm, bias=False,
            dtype=torch.float64)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(w))
            got = conv(torch.from_numpy(x)[None])[0].numpy()
        assert np.array_equal(layer_forward(x, w, s, dil, p, pm), got)


def test_transpose_reference_matches_torch(torch):
    rng = np.random.default_rng(1)
    for c_in, c_out, k, n, s, p, op in TRANSPOSED:
        x = rng.integers(-3, 4, (c_in, n)).astype(float)
        w = rng.integers(-3, 4, (c_in, c_out, k)).astype(float)
        got = torch.nn.functional.conv_transpose1d(
            torch.from_numpy(x)[None], torch.from_numpy(w), stride=s, padding=p,
            output_padding=op)[0].numpy()
        assert np.array_equal(transpose_forward(x, w, s, p, op), got)


def transpose_case(c_in, c_out, k, n, s, p, op):
    d = sc.ConvTranspose1d(c_in, c_out, k, stride=s, padding=p, output_padding=op,
                           bias=False).derive(input_size=n)
    return d, transpose_tk(c_in, c_out, k, n, s, p, op)


CASES += [pytest.param(transpose_case, c, id=f"transpose1d-s{c[4]}-p{c[5]}") for c in TRANSPOSED]


@pytest.mark.parametrize(("make", "case"), CASES)
def test_links_match_independent_enumeration(make, case):
    d, tk = make(*case)
    n_k, n_out, n_in = tk.shape
    page = parse(d.to_html(gradient=True))
    taps = Counter({(o, i, k): int(tk[k, o, i]) for k, o, i in zip(*np.nonzero(tk))})
    at = {(o, i): {k for k in range(n_k) if tk[k, o, i]} for o in range(n_out)
          for i in range(n_in)}
    # T: every entry once; non-zeros hold exactly their weights, the rest are zeros.
    t_cells = {(n.one("data-o"), n.one("data-i")): set(n.ints("data-k")) for n in page.role("t")}
    zeros = {(n.one("data-o"), n.one("data-i")) for n in page.role("t0")}
    assert len(page.role("t")) + len(page.role("t0")) == n_out * n_in
    assert t_cells == {key: ks for key, ks in at.items() if ks}
    assert zeros == {key for key, ks in at.items() if not ks}
    # One edge and one term per product.
    edge = Counter((n.one("data-o"), n.one("data-i"), n.one("data-k")) for n in page.role("e"))
    terms = Counter((n.one("data-o"), n.one("data-i"), n.one("data-k"))
                    for n in page.role("term"))
    assert edge == taps
    assert terms == taps
    # P: column k of row o holds the inputs weight k reads for output o.
    p_cells = {(n.one("data-o"), n.one("data-k")): set(n.ints("data-i")) for n in page.role("p")}
    assert p_cells == {(o, k): {i for i in range(n_in) if tk[k, o, i]}
                       for o in range(n_out) for k in range(n_k)}
    # Outputs: their receptive fields; weights: one chip each, with its tie count.
    rf = {n.one("data-o"): set(n.ints("data-rf")) for n in page.role("y") if n.tag == "button"}
    assert rf == {o: {i for i in range(n_in) if tk[:, o, i].any()} for o in range(n_out)}
    chips = {n.one("data-k"): n.attrs["aria-label"] for n in page.role("w")}
    assert sorted(chips) == list(range(n_k))
    for k, aria in chips.items():
        count = int(tk[k].sum())
        assert f"occupies {count} entr" in aria
    # Gradient: G has T's links; dL/dw[k] sums exactly the entries of weight k.
    g_cells = {(n.one("data-o"), n.one("data-i")): set(n.ints("data-k")) for n in page.role("g")}
    assert g_cells == t_cells
    assert {(n.one("data-o"), n.one("data-i")) for n in page.role("g0")} == zeros
    gterms = Counter((n.one("data-o"), n.one("data-i"), n.one("data-k"))
                     for n in page.role("gterm"))
    assert gterms == taps


def test_weight_selection_is_exactly_its_entries_column_and_terms():
    """What ``[data-k~=k]`` (the script's weight selector) reaches, per kind of element."""
    d, tk = signal_case("correlate", "valid", (4,), (3,))
    page = parse(d.to_html())
    for k in range(3):
        hit = [n for n in page.nodes if k in n.ints("data-k")]
        by = Counter(n.attrs["data-role"] for n in hit)
        positions = {(o, i) for o, i in zip(*np.nonzero(tk[k]))}
        assert {(n.one("data-o"), n.one("data-i")) for n in hit
                if n.attrs["data-role"] == "t"} == positions
        assert {n.one("data-o") for n in hit if n.attrs["data-role"] == "p"} == {0, 1}
        assert by == {"w": 1, "t": len(positions), "e": len(positions),
                      "term": len(positions), "p": 2}


def test_seed_values_and_matrix_text():
    """The seed (shared/cases/seed.json): numeric outputs and the symbolic T as written."""
    import json

    seed = json.loads((ROOT / "tests" / "data" / "seed.json").read_text(encoding="utf-8"))
    expect, matrix = seed["expect"]["correlate/valid"], seed["symbolic"]["matrix"]
    page = parse(sc.correlate([1, 2, 3, 4], [5, 6, 7], mode="valid").to_html())
    eqs = page.role("y")
    assert len([n for n in eqs if n.tag == "button"]) == 2
    raw = sc.correlate([1, 2, 3, 4], [5, 6, 7], mode="valid").to_html()
    for v in expect:
        assert f"<mo>=</mo></span><math><mn>{v}</mn></math>" not in raw  # value not a chip
        assert f'<span class="sc-op">=</span><math><mn>{v}</mn></math>' in raw
    sym = parse(sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3)).to_html())
    cells = {(n.one("data-o"), n.one("data-i")): n.text for n in sym.role("t") + sym.role("t0")}
    for o, row in enumerate(matrix):
        for i, entry in enumerate(row):
            assert cells[(o, i)] == entry.replace("_", "")


NASTY = ["<script>alert(1)</script>", "\"&'", "<img src=x onerror=alert(1)>"]


@pytest.mark.parametrize("variant", ["full", "gradient", "large", "repr"])
def test_user_names_are_escaped(variant):
    x = [sympy.Symbol(NASTY[0]), sympy.Symbol(NASTY[1]), sympy.Symbol("a"), sympy.Symbol("b")]
    w = [sympy.Symbol(NASTY[2]), 1, sympy.Symbol("c")]
    d = sc.correlate(x, w, mode="valid")
    page = {
        "full": lambda: d.to_html(),
        "gradient": lambda: d.to_html(gradient=True),
        "large": lambda: d.to_html(max_entries=1, focus_output=(1,), gradient=True),
        "repr": lambda: d._repr_html_(),
    }[variant]()
    parsed = parse(page)
    assert parsed.tags["script"] == 1  # only the explorer's own script
    assert parsed.tags["img"] == 0
    assert "alert(1)</script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Attributes and text round-trip to the exact names.
    labels = " ".join(n.attrs.get("aria-label", "") for n in parsed.nodes)
    texts = " ".join(n.text for n in parsed.nodes)
    for name in NASTY:
        assert name in labels
        assert name in texts


def _pages():
    seed = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))
    layer = sc.Conv2d(2, 2, 2, padding=1, padding_mode="circular").derive(input_size=(3, 3))
    return {
        "seed": seed.to_html(gradient=True),
        "layer": layer.to_html(focus_output=(1, 0, 2)),
        "large": layer.to_html(max_entries=10, focus_weight=(0, 1, 1, 0), gradient=True),
        "repr": layer.gradient()._repr_html_(),
    }


def test_deterministic_and_self_contained():
    first, second = _pages(), _pages()
    assert first == second
    for name, page in first.items():
        low = page.lower()
        for bad in ("http://", "https://", " src=", "<link", "@import", "url(", "<iframe"):
            assert bad not in low, (name, bad)
        assert low.count("<script") == 1


def test_byte_identical_across_processes():
    code = ("import sys, sympy, symconv as sc; sys.stdout.write(sc.Conv1d(1, 2, 3, padding=1, "
            "padding_mode='reflect').derive(input_size=4).to_html(gradient=True))")
    digests = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             check=True).stdout
        digests.add(hashlib.sha256(out).hexdigest())
    assert len(digests) == 1


def test_large_layer_fallback_with_drill_down():
    d = sc.Conv2d(1, 1, 3, padding=1, bias=False).derive(input_size=(40, 40))
    page = d.to_html(focus_output=(0, 5, 7))
    assert len(page) < 400_000
    parsed = parse(page)
    assert 'data-mode="large"' in page
    assert len(parsed.role("t")) < 1000  # of 12,996 non-zeros: only neighbourhoods
    # The focused output is the first neighbourhood; its products are the 3 x 3 window.
    first = page[page.index('data-hood="0"'):page.index('data-hood="1"')]
    hood = parse(first)
    got = Counter((n.one("data-i"), n.one("data-k")) for n in hood.role("term"))
    want = Counter()
    for a, b in itertools.product(range(3), range(3)):
        r, c = 5 + a - 1, 7 + b - 1
        if 0 <= r < 40 and 0 <= c < 40:
            want[(r * 40 + c, a * 3 + b)] += 1
    assert got == want
    assert {n.one("data-i") for n in hood.role("x")} == {i for i, _ in want}
    # A weight's neighbourhood: its tie count from a brute-force count.
    page = d.to_html(focus_weight=(0, 0, 0, 2))
    count = sum(1 for r, c in itertools.product(range(40), range(40))
                if 0 <= r - 1 < 40 and 0 <= c + 1 < 40)
    assert f"the {count:,} entries of T holding w[0, 0, 0, 2]" in page
    first = page[page.index('data-hood="0"'):page.index('data-hood="1"')]
    for n in parse(first).role("t"):
        o, i = n.one("data-o"), n.one("data-i")
        assert divmod(i, 40) == (divmod(o, 40)[0] - 1, divmod(o, 40)[1] + 1)


def test_large_layer_gradient_grouping_needs_few_outputs():
    from symconv.boundary._limits import HTML_GRADIENT_OUTPUTS

    many = sc.correlate(np.zeros(HTML_GRADIENT_OUTPUTS + 5, dtype=int), [1, 2, 3])
    assert "gradient grouping is left out" in many.to_html(gradient=True)
    few = sc.correlate(np.zeros(5000, dtype=int), [1, 2, 3])  # large mode, few outputs
    page = few.to_html(gradient=True, focus_weight=(1,))
    assert "left out" not in page
    hood = parse(page[page.index('data-hood="0"'):page.index('data-hood="1"')])
    # Weight 1 meets input o + 1 in output o (valid correlation): the first 48 are listed.
    assert [(n.one("data-o"), n.one("data-i")) for n in hood.role("gterm")] == [
        (o, o + 1) for o in range(48)]


def test_threshold_is_entries_of_t():
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3))  # T is 2 x 4
    assert 'data-mode="large"' in d.to_html(max_entries=7)
    assert 'data-mode="full"' in d.to_html(max_entries=8)


def test_bad_options_name_the_parameter():
    d = sc.correlate([1, 2, 3, 4], [5, 6, 7])
    with pytest.raises(ValueError, match="`focus_output`"):
        d.to_html(focus_output=(0, 1))
    with pytest.raises(ValueError, match=r"`focus_output`.*out of range"):
        d.to_html(focus_output=(2,))
    with pytest.raises(TypeError, match="`focus_weight`"):
        d.to_html(focus_weight=(1.5,))
    with pytest.raises(TypeError, match="`gradient`"):
        d.to_html(gradient="yes")
    with pytest.raises(ValueError, match="`max_entries`"):
        d.to_html(max_entries=0)
    with pytest.raises(TypeError, match="`obj`"):
        sc.to_html("<derivation>")


def test_options_are_checked_before_the_tap_table():
    huge = sc.Conv2d(3, 512, 3).derive(input_size=(2000, 2000))  # far beyond the table limit
    with pytest.raises(ValueError, match="`focus_output` must be a tuple of 3"):
        huge.to_html(focus_output=(0, 1))
    with pytest.raises(ValueError, match="`max_entries`"):
        huge.to_html(max_entries=-1)
    note = huge._repr_html_()  # Jupyter shows a line, not a traceback
    assert "no explorer" in note and "too large" in note and "<script" not in note


def test_repr_html_is_the_compact_explorer():
    d = sc.Conv1d(1, 1, 3, padding=1, padding_mode="replicate").derive(input_size=4)
    small, full = parse(d._repr_html_()), parse(d.to_html())
    assert 'class="symconv-explorer sc-compact"' in d._repr_html_()
    assert len(small.role("t")) == len(full.role("t")) > 0
    assert len(parse(d.gradient()._repr_html_()).role("g")) == len(full.role("t"))


def test_cli_writes_the_same_page(tmp_path, capsys):
    out = tmp_path / "seed.html"
    code = main(["html", "--x", "4", "--w", "3", "--op", "correlate", "--mode", "valid",
                 "-o", str(out)])
    assert code == 0
    d = sc.correlate(sympy.symarray("x", 4), sympy.symarray("w", 3), mode="valid")
    assert out.read_text(encoding="utf-8") == d.to_html()
    assert main(["html", "--x", "4", "--w", "3", "-o", str(tmp_path / "x.txt")]) == 2
    assert "--output" in capsys.readouterr().err


# ------------------------------------------------------------ general sizes


def test_general_sizes_formulas_and_an_instance():
    n, k = sympy.symbols("n k", integer=True, positive=True)
    g = sc.correlate(sympy.IndexedBase("x", shape=(n,)), sympy.IndexedBase("w", shape=(k,)),
                     mode="valid")
    page = g.to_html(gradient=True, sizes={n: 4, k: 3})
    assert page == sc.to_html(g, gradient=True, sizes={n: 4, k: 3})
    assert 'data-mode="general"' in page and 'data-mode="full"' in page
    titles = ["Sizes", "One output, a sum over taps", "One entry of the layer matrix T",
              "Backward pass"]
    assert all(f"<h3>{t}" in page for t in titles)
    assert "&#x2211;" in page and "&#x230A;" not in page  # a sum; valid size n - k + 1, no floor
    # The instance below the formulas is the seed, linked as the enumeration says.
    inst = parse(page[page.index('data-mode="full"'):])
    tk = signal_tk("correlate", "valid", (4,), (3,))
    taps = Counter({(o, i, kk): 1 for kk, o, i in zip(*np.nonzero(tk))})
    assert Counter((m.one("data-o"), m.one("data-i"), m.one("data-k"))
                   for m in inst.role("e")) == taps
    assert len(inst.role("g")) == len(taps)
    # Gradients and general gradients render too.
    assert 'data-mode="general"' in g.gradient().to_html()
    assert "sc-compact" in g._repr_html_() and "sc-compact" in g.gradient()._repr_html_()


def test_general_sizes_options_and_escaping():
    n, k, s = sympy.symbols("n k s", integer=True, positive=True)
    g = sc.Conv1d(1, 2, kernel_size=k, stride=s, bias=True).derive(input_size=(n,))
    with pytest.raises(ValueError, match="`sizes` must give every size"):
        g.to_html(sizes={n: 5})
    with pytest.raises(ValueError, match="`focus_output`"):
        g.to_html(focus_output=(0, 0))
    with pytest.raises(ValueError, match="`sizes` applies to general-size"):
        sc.correlate([1, 2, 3], [1, 2]).to_html(sizes={n: 3})
    assert 'data-mode="full"' in g.to_html(sizes={n: 5, k: 3, s: 2})
    hostile = sc.correlate(sympy.IndexedBase(NASTY[0], shape=(n,)),
                           sympy.IndexedBase(NASTY[2], shape=(k,)), mode="valid")
    page = hostile.to_html(gradient=True)
    parsed = parse(page)
    assert parsed.tags["script"] == 1 and parsed.tags["img"] == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_mathml_of_general_formulas():
    """Golden MathML, written by hand, for the shapes the general formulas use."""
    from symconv.rendering._mathml import mathml

    o, j = sympy.symbols("o j", integer=True)
    k, d = sympy.symbols("k d", integer=True, positive=True)
    x = sympy.IndexedBase("x")
    assert mathml(x[o + j]) == "<mrow><mi>x</mi><mo>[</mo><mrow><mi>j</mi><mo>+</mo><mi>o</mi>" \
        "</mrow><mo>]</mo></mrow>"
    assert mathml(sympy.Sum(x[j], (j, 0, k - 1))) == (
        "<mrow><munderover><mo>&#x2211;</mo><mrow><mi>j</mi><mo>=</mo><mn>0</mn></mrow><mrow>"
        "<mi>k</mi><mo>&#x2212;</mo><mn>1</mn></mrow></munderover><mrow><mi>x</mi><mo>[</mo>"
        "<mi>j</mi><mo>]</mo></mrow></mrow>")
    assert mathml(sympy.floor(o / d)) == (
        "<mrow><mo>&#x230A;</mo><mfrac><mi>o</mi><mi>d</mi></mfrac><mo>&#x230B;</mo></mrow>")
    assert mathml(sympy.Piecewise((x[o], sympy.Eq(sympy.Mod(o, d), 0)), (0, True))) == (
        '<mrow><mo>{</mo><mtable columnalign="left"><mtr><mtd><mrow><mi>x</mi><mo>[</mo>'
        "<mi>o</mi><mo>]</mo></mrow></mtd><mtd><mtext>if</mtext><mspace width=\"0.3em\">"
        "</mspace><mrow><mrow><mi>o</mi><mo>mod</mo><mi>d</mi></mrow><mo>=</mo><mn>0</mn>"
        "</mrow></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mtext>otherwise</mtext></mtd>"
        "</mtr></mtable></mrow>")
    assert mathml(sympy.Symbol("o1")) == "<msub><mi>o</mi><mn>1</mn></msub>"


# ---------------------------------------------------------------- networks


def test_network_page_one_section_per_layer():
    from symconv.core._sequential import Flatten, Sequential
    from symconv.shell._network_layers import Linear, MaxPool1d, ReLU

    net = Sequential(sc.Conv1d(1, 2, 3), ReLU(), MaxPool1d(2), Flatten(), Linear(8, 1))
    nd = net.derive(input_size=(1, 10))
    page = nd.to_html()
    assert page == sc.to_html(nd) and page.count("<h3>Layer ") == 5
    assert "http" not in page and page.count("<script") == 1
    # The convolution is explored in full, linked as a pad-and-slide enumeration says.
    conv = parse(page[page.index('data-mode="full"'):page.index('data-mode="layer"')])
    tk = layer_tk((1, 10), (2, 1, 3), 1, 1, 0, "zeros")
    taps = Counter({(o, i, k): 1 for k, o, i in zip(*np.nonzero(tk))})
    assert Counter((n.one("data-o"), n.one("data-i"), n.one("data-k"))
                   for n in conv.role("e")) == taps
    assert "<mi>max</mi>" in page  # ReLU and max pooling as formulas
    assert "sc-compact" in nd._repr_html_()
    with pytest.raises(ValueError, match="`focus_output`"):  # one layer's option
        nd.to_html(focus_output=(0,))
