"""Layers too large to print: structure without SymPy, a clear symbolic guard, progress.

Expected numbers are counted by hand: a 3-tap kernel with padding 1 on 32
positions makes 32 * 3 - 2 = 94 products per axis, so a 3x3 layer on 32x32
makes 94**2 = 8836 per channel pair.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import symconv as sc
from symconv.core import _progress
from symconv.core._derivation import SYMBOLIC_LIMIT


class FakeTTY(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_large_layer_stats_without_sympy():
    d = sc.Conv2d(64, 64, 3, padding=1).derive(input_size=(32, 32))
    st = d.stats()
    products = 64 * 64 * 94**2
    assert st.products == products == 36_192_256
    assert st.matrix_shape == (65_536, 65_536)  # 64 * 32 * 32 both ways
    assert st.nonzeros == products and st.folded_entries == 0
    assert st.structural_zeros == 65_536**2 - products
    # 65,536 outputs and inputs index 0..65,535: uint16; 36,864 weights: uint16
    assert st.index_dtypes == ("uint16", "uint16", "uint16")
    assert st.table_bytes == 6 * products == 217_153_536
    # a corner weight reaches 31 x 31 positions, the centre one 32 x 32
    assert st.tie_counts.shape == (64, 64, 3, 3)
    assert st.tie_counts[5, 7].tolist() == [[961, 992, 961], [992, 1024, 992], [961, 992, 961]]
    assert st.parameters == 36_864 + 64
    assert st.dense_parameters == 65_536**2 + 65_536
    assert "_x" not in d.__dict__ and "_w" not in d.__dict__  # no SymPy values were made


def test_lenet_c1_stats():
    st = sc.Conv2d(1, 6, 5).derive(input_size=(32, 32)).stats()
    assert st.products == 6 * 28 * 28 * 25 == 117_600
    # 4,704 outputs and 1,024 inputs need uint16; 150 weights fit uint8
    assert st.index_dtypes == ("uint16", "uint16", "uint8")
    assert st.table_bytes == 117_600 * (2 + 2 + 1)
    assert np.all(st.tie_counts == 28 * 28)


@pytest.mark.parametrize(
    ("layer", "size", "products"),
    [(sc.Conv2d(64, 64, 3, padding=1), (32, 32), "36,192,256"),
     (sc.ConvTranspose2d(64, 64, 3, padding=1), (32, 32), "36,192,256"),
     (sc.Conv2d(512, 512, 3, padding=1), (224, 224), "117,676,441,600")],
)
@pytest.mark.parametrize("view", ["output", "matrix", "patches"])
def test_symbolic_views_refuse_huge_layers_before_building_anything(layer, size, products, view):
    d = layer.derive(input_size=size)
    with pytest.raises(
        ValueError,
        match=rf"the symbolic `{view}` of this convolution would hold {products} products "
              rf"\(limit 2,000,000\): .* Use the numeric views instead: stats\(\), to_scipy\(\), "
              r"to_numpy\(\)",
    ):
        getattr(d, view)
    # neither the tap table (a layer of 10**11 products would not fit in memory)
    # nor any SymPy value was built
    assert not {"taps", "_x", "_w", "_b"} & set(d.__dict__)
    assert products in repr(d)


def test_just_over_the_limit_still_has_numeric_views(torch):
    # 16 * 16 * 8836 = 2,262,016 products: over the symbolic limit
    rng = np.random.default_rng(0)
    w = rng.standard_normal((16, 16, 3, 3))
    d = sc.Conv2d(16, 16, 3, padding=1, bias=False).derive(input_size=(32, 32), weight=w)
    assert d.stats().products == 2_262_016 > SYMBOLIC_LIMIT
    with pytest.raises(ValueError, match="2,262,016 products"):
        d.output  # noqa: B018
    x = rng.standard_normal((16, 32, 32))
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1)
    np.testing.assert_allclose(d.to_scipy() @ x.reshape(-1), want.numpy().reshape(-1),
                               rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------------ progress


def test_progress_on_a_terminal():
    out = FakeTTY()
    items = list(_progress.track(range(4), 4, "outputs", size=10**6, stream=out))
    assert items == [0, 1, 2, 3]
    assert out.getvalue() == (
        "\rsymconv: building outputs   0% (0 / 4)"
        "\rsymconv: building outputs  25% (1 / 4)"
        "\rsymconv: building outputs  50% (2 / 4)"
        "\rsymconv: building outputs  75% (3 / 4)"
        "\rsymconv: building outputs 100% (4 / 4)\n"
    )


def test_progress_writes_once_per_percent():
    out = FakeTTY()
    assert sum(_progress.track(range(1000), 1000, "x", size=10**6, stream=out)) == 499_500
    assert out.getvalue().count("\r") == 101  # 0..99 %, then 100 %


@pytest.mark.parametrize(
    ("stream", "size"),
    [(io.StringIO(), 10**6),  # a pipe or file: never
     (FakeTTY(), _progress.PROGRESS_THRESHOLD - 1)],  # small work: never
)
def test_progress_is_silent_off_terminals_and_for_small_work(stream, size):
    assert list(_progress.track("abc", 3, "x", size=size, stream=stream)) == ["a", "b", "c"]
    assert stream.getvalue() == ""


def test_progress_of_real_symbolic_work(monkeypatch):
    fake = FakeTTY()
    monkeypatch.setattr(_progress, "PROGRESS_THRESHOLD", 10)
    monkeypatch.setattr("sys.stderr", fake)
    d = sc.Conv1d(1, 1, 3).derive(input_size=6)  # 4 outputs of 3 products
    assert str(d.output[0, 3]) == "b_0 + w_0_0_0*x_0_3 + w_0_0_1*x_0_4 + w_0_0_2*x_0_5"
    assert fake.getvalue().endswith("symconv: building outputs 100% (4 / 4)\n")
    d.matrix  # noqa: B018
    assert fake.getvalue().endswith("symconv: building sparse matrix 100% (12 / 12)\n")


def test_oversized_tables_are_refused_at_once():
    """A layer whose tap table alone would not fit in memory raises before allocating."""
    d = sc.Conv2d(512, 512, 3, padding=1).derive(input_size=(512, 512))
    # Per axis 512 outputs x 3 taps, less the 2 that fall on zero padding.
    products = (3 * 512 - 2) ** 2 * 512 * 512
    with pytest.raises(ValueError, match=rf"would hold {products:,} products .* GiB at its peak"):
        d.stats()
    numeric = sc.Conv2d(512, 512, 3, padding=1).derive(
        input_size=(512, 512), weight=np.ones((512, 512, 3, 3)))
    with pytest.raises(ValueError, match=r"too large to build here"):
        numeric.to_scipy()  # numeric weights: the table itself is what is refused
