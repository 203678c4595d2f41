"""`from_torch`: real PyTorch layers, their exact matrices, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import symconv as sc

pytestmark = pytest.mark.torch

MODULES = [
    ("Conv1d", dict(in_channels=2, out_channels=4, kernel_size=3, stride=2, padding=1,
                    groups=2), (8,)),
    ("Conv1d", dict(in_channels=1, out_channels=2, kernel_size=4, padding="same",
                    dilation=2, padding_mode="circular"), (9,)),
    ("Conv2d", dict(in_channels=3, out_channels=2, kernel_size=(3, 2), padding="valid",
                    bias=False), (5, 4)),
    ("Conv2d", dict(in_channels=2, out_channels=2, kernel_size=3, padding=(2, 1),
                    padding_mode="reflect", stride=(2, 1)), (4, 5)),
    ("Conv3d", dict(in_channels=1, out_channels=2, kernel_size=(2, 1, 2), padding=1,
                    padding_mode="replicate"), (3, 2, 3)),
    ("ConvTranspose1d", dict(in_channels=2, out_channels=2, kernel_size=3, stride=2,
                             output_padding=1, padding=1), (4,)),
    ("ConvTranspose2d", dict(in_channels=4, out_channels=2, kernel_size=2, stride=(2, 1),
                             groups=2, dilation=(1, 2)), (3, 2)),
    ("ConvTranspose3d", dict(in_channels=1, out_channels=2, kernel_size=2, bias=False),
     (2, 2, 3)),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(MODULES)]


def make(torch, name: str, kwargs: dict, seed: int = 0):
    torch.manual_seed(seed)
    return getattr(torch.nn, name)(**kwargs)


@pytest.mark.parametrize(("name", "kwargs", "size"), MODULES, ids=IDS)
def test_matrix_is_the_module_jacobian(torch, name, kwargs, size):
    module = make(torch, name, kwargs).double()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((module.in_channels, *size)))
    jac = torch.autograd.functional.jacobian(module, x).reshape(-1, x.numel()).numpy()
    d = sc.from_torch(module, input_size=size)
    np.testing.assert_allclose(d.to_scipy().toarray(), jac, rtol=1e-12, atol=1e-12)
    assert type(d.spec.kind) is str and d.spec.kind == (
        "transpose" if "Transpose" in name else "conv"
    )


@pytest.mark.parametrize(("name", "kwargs", "size"), MODULES, ids=IDS)
def test_output_and_check(torch, name, kwargs, size):
    module = make(torch, name, kwargs, seed=1)  # float32, as most real layers are
    x = torch.from_numpy(np.random.default_rng(1).standard_normal((module.in_channels, *size)))
    d = sc.from_torch(module, x=x)
    # float32 parameters are copied exactly into float64
    np.testing.assert_array_equal(d._raw["w"], module.weight.detach().double().numpy())
    assert d._raw["w"].dtype == np.float64
    if module.bias is None:
        assert d.bias is None
    else:
        np.testing.assert_array_equal(d._raw["b"], module.bias.detach().double().numpy())
    want = module.double()(x).detach().numpy()
    got = np.array(d.output.tolist(), dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    assert d.check(trials=1)


def test_symbolic_input_and_check(torch):
    module = make(torch, "Conv2d", dict(in_channels=1, out_channels=1, kernel_size=2))
    d = sc.from_torch(module, input_size=(1, 3, 3))
    free = sorted(map(str, d.output[0, 0, 0].free_symbols))
    assert free == ["x_0_0_0", "x_0_0_1", "x_0_1_0", "x_0_1_1"]
    assert d.check(trials=2)


def test_unsupported_module_is_named(torch):
    with pytest.raises(TypeError, match=r"`module` must be a torch\.nn\.Conv1d, .*Linear, .* or "
                                        r"Sequential, got torch\.nn\.modules\.dropout\.Dropout"):
        sc.from_torch(torch.nn.Dropout(), input_size=3)
    with pytest.raises(TypeError, match=r"got builtins\.str"):
        sc.from_torch("Conv2d", input_size=(3, 3))


def test_lazy_module_must_be_initialised(torch):
    with pytest.raises(ValueError, match=r"`module` \(LazyConv2d\) has uninitialised parameters"):
        sc.from_torch(torch.nn.LazyConv2d(2, 3), input_size=(5, 5))


def test_sizes_are_checked_like_derive(torch):
    module = make(torch, "Conv2d", dict(in_channels=3, out_channels=2, kernel_size=3))
    with pytest.raises(ValueError, match=r"`input_size` is required when `x` is not given"):
        sc.from_torch(module)
    with pytest.raises(ValueError, match=r"`input_size` has 2 channels but the layer's "
                                         r"`in_channels` is 3"):
        sc.from_torch(module, input_size=(2, 5, 5))
    with pytest.raises(ValueError, match=r"`x` must have shape \(in_channels=3, \*spatial\)"):
        sc.from_torch(module, x=torch.zeros(1, 3, 5, 5))  # a batch dimension
