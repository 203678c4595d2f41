"""symconv: how a convolution layer replaces a matrix multiplication, exactly.

Layer: top (re-exports the public names; see docs/architecture.md).

Build a convolution signal-style (:func:`convolve`, :func:`correlate`, with
NumPy/SciPy semantics) or layer-style (:class:`Conv2d` and friends, with
PyTorch semantics), then read its :class:`Derivation`: every output as a sum of
products, the layer matrix ``T`` with its tied and zero entries, the im2col
matrix ``P``, exact proofs (``verify``) and numeric checks (``check``).

Pipeline: ``spec -> taps -> derivation views -> proofs -> latex``.

``import symconv`` loads the front door (``convolve``, ``correlate``, the
``Conv*d`` layers: SymPy, NumPy and the core); every other public name is
imported when it is first used (PEP 562 module ``__getattr__``): proofs,
checks, gradients, LaTeX, HTML, plots, networks, the textbook and the torch
bridge (``tests/test_speed_import.py``).  ``dir(symconv)``, ``from symconv
import *`` and type checkers see every name.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, imported eagerly for type checkers
    from .backward._general_gradients import GeneralGradient as GeneralGradient
    from .backward._gradients import Gradient as Gradient
    from .backward._gradients import TieGroup as TieGroup
    from .backward._network_gradient import NetworkGradient as NetworkGradient
    from .boundary._spec import ConvSpec as ConvSpec
    from .boundary._values import parse_value as parse_value
    from .checks._hierarchy import layer_hierarchy as layer_hierarchy
    from .checks._numeric import CheckReport as CheckReport
    from .checks._proofs import Proof as Proof
    from .checks._proofs import ProofError as ProofError
    from .checks._proofs import Step as Step
    from .checks._proofs import proofs as proofs
    from .checks._verify import Verification as Verification
    from .core._blocks import BlockPartition as BlockPartition
    from .core._blocks import block_partition as block_partition
    from .core._dense import DenseConstraints as DenseConstraints
    from .core._dense import dense_constraints as dense_constraints
    from .core._derivation import Derivation as Derivation
    from .core._derivation import Stats as Stats
    from .core._general import GeneralDerivation as GeneralDerivation
    from .core._network_structure import Composition as Composition
    from .core._network_structure import ReceptiveField as ReceptiveField
    from .core._sequential import Flatten as Flatten
    from .core._sequential import NetworkDerivation as NetworkDerivation
    from .core._sequential import Sequential as Sequential
    from .core._stretch import Equivalent as Equivalent
    from .core._stretch import stretched_input as stretched_input
    from .core._stretch import stretched_kernel as stretched_kernel
    from .core._stretch import subsampled as subsampled
    from .core._structure import Diagonalization as Diagonalization
    from .core._structure import KroneckerForm as KroneckerForm
    from .core._structure import KroneckerTerm as KroneckerTerm
    from .core._structure import diagonalize as diagonalize
    from .core._structure import kronecker_form as kronecker_form
    from .core._taps import TapTable as TapTable
    from .rendering._document import latex_document as latex_document
    from .rendering._html import repr_html as repr_html
    from .rendering._html import to_html as to_html
    from .rendering._latex import repr_latex as repr_latex
    from .rendering._latex import to_latex as to_latex
    from .rendering._network_plot import plot_dense_overlay as plot_dense_overlay
    from .rendering._plot import plot_connectivity as plot_connectivity
    from .rendering._plot import plot_matrix as plot_matrix
    from .rendering._plot import to_tikz as to_tikz
    from .rendering._structure_latex import structure_latex as structure_latex
    from .rendering._structure_plot import arithmetic_tikz as arithmetic_tikz
    from .rendering._structure_plot import plot_arithmetic as plot_arithmetic
    from .rendering._structure_plot import plot_blocks as plot_blocks
    from .shell._book import textbook as textbook
    from .shell._handcheck import HandCheck as HandCheck
    from .shell._handcheck import check_hand as check_hand
    from .shell._layers import Conv1d as Conv1d
    from .shell._layers import Conv2d as Conv2d
    from .shell._layers import Conv3d as Conv3d
    from .shell._layers import ConvTranspose1d as ConvTranspose1d
    from .shell._layers import ConvTranspose2d as ConvTranspose2d
    from .shell._layers import ConvTranspose3d as ConvTranspose3d
    from .shell._network_layers import Activation as Activation
    from .shell._network_layers import AvgPool1d as AvgPool1d
    from .shell._network_layers import AvgPool2d as AvgPool2d
    from .shell._network_layers import Linear as Linear
    from .shell._network_layers import LocallyConnected1d as LocallyConnected1d
    from .shell._network_layers import LocallyConnected2d as LocallyConnected2d
    from .shell._network_layers import MaxPool1d as MaxPool1d
    from .shell._network_layers import MaxPool2d as MaxPool2d
    from .shell._network_layers import ReLU as ReLU
    from .shell._network_layers import Sigmoid as Sigmoid
    from .shell._network_layers import Tanh as Tanh
    from .shell._network_layers import TiledConv1d as TiledConv1d
    from .shell._network_layers import TiledConv2d as TiledConv2d
    from .shell._signal import convolve as convolve
    from .shell._signal import correlate as correlate
    from .shell._torch import from_torch as from_torch

# The front door is imported eagerly (it needs SymPy, NumPy and the core anyway);
# everything else -- proofs, checks, gradients, LaTeX, HTML, plots, networks, the
# textbook, torch -- when first used, through __getattr__ below.
from .shell._layers import Conv1d as Conv1d
from .shell._layers import Conv2d as Conv2d
from .shell._layers import Conv3d as Conv3d
from .shell._layers import ConvTranspose1d as ConvTranspose1d
from .shell._layers import ConvTranspose2d as ConvTranspose2d
from .shell._layers import ConvTranspose3d as ConvTranspose3d
from .shell._signal import convolve as convolve
from .shell._signal import correlate as correlate

__version__ = "0.1.0"

#: Where each public name lives (module relative to this package).
_WHERE: dict[str, str] = {
    "Activation": ".shell._network_layers",
    "arithmetic_tikz": ".rendering._structure_plot",
    "block_partition": ".core._blocks",
    "BlockPartition": ".core._blocks",
    "AvgPool1d": ".shell._network_layers",
    "AvgPool2d": ".shell._network_layers",
    "check_hand": ".shell._handcheck",
    "CheckReport": ".checks._numeric",
    "Composition": ".core._network_structure",
    "Conv1d": ".shell._layers",
    "Conv2d": ".shell._layers",
    "Conv3d": ".shell._layers",
    "convolve": ".shell._signal",
    "ConvSpec": ".boundary._spec",
    "ConvTranspose1d": ".shell._layers",
    "ConvTranspose2d": ".shell._layers",
    "ConvTranspose3d": ".shell._layers",
    "correlate": ".shell._signal",
    "dense_constraints": ".core._dense",
    "DenseConstraints": ".core._dense",
    "Derivation": ".core._derivation",
    "Diagonalization": ".core._structure",
    "diagonalize": ".core._structure",
    "Equivalent": ".core._stretch",
    "Flatten": ".core._sequential",
    "from_torch": ".shell._torch",
    "GeneralDerivation": ".core._general",
    "GeneralGradient": ".backward._general_gradients",
    "Gradient": ".backward._gradients",
    "HandCheck": ".shell._handcheck",
    "kronecker_form": ".core._structure",
    "KroneckerForm": ".core._structure",
    "KroneckerTerm": ".core._structure",
    "latex_document": ".rendering._document",
    "layer_hierarchy": ".checks._hierarchy",
    "Linear": ".shell._network_layers",
    "LocallyConnected1d": ".shell._network_layers",
    "LocallyConnected2d": ".shell._network_layers",
    "MaxPool1d": ".shell._network_layers",
    "MaxPool2d": ".shell._network_layers",
    "NetworkDerivation": ".core._sequential",
    "NetworkGradient": ".backward._network_gradient",
    "parse_value": ".boundary._values",
    "plot_arithmetic": ".rendering._structure_plot",
    "plot_blocks": ".rendering._structure_plot",
    "plot_connectivity": ".rendering._plot",
    "plot_dense_overlay": ".rendering._network_plot",
    "plot_matrix": ".rendering._plot",
    "Proof": ".checks._proofs",
    "ProofError": ".checks._proofs",
    "proofs": ".checks._proofs",
    "ReceptiveField": ".core._network_structure",
    "ReLU": ".shell._network_layers",
    "repr_html": ".rendering._html",
    "repr_latex": ".rendering._latex",
    "Sequential": ".core._sequential",
    "Sigmoid": ".shell._network_layers",
    "Stats": ".core._derivation",
    "Step": ".checks._proofs",
    "stretched_input": ".core._stretch",
    "stretched_kernel": ".core._stretch",
    "structure_latex": ".rendering._structure_latex",
    "subsampled": ".core._stretch",
    "Tanh": ".shell._network_layers",
    "TapTable": ".core._taps",
    "textbook": ".shell._book",
    "TieGroup": ".backward._gradients",
    "TiledConv1d": ".shell._network_layers",
    "TiledConv2d": ".shell._network_layers",
    "to_html": ".rendering._html",
    "to_latex": ".rendering._latex",
    "to_tikz": ".rendering._plot",
    "Verification": ".checks._verify",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it in the module namespace."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'symconv' has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
