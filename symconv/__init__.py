"""symconv: how a convolution layer replaces a matrix multiplication, exactly.

Layer: top (re-exports the public names; see docs/architecture.md).

Build a convolution signal-style (:func:`convolve`, :func:`correlate`, with
NumPy/SciPy semantics) or layer-style (:class:`Conv2d` and friends, with
PyTorch semantics), then read its :class:`Derivation`: every output as a sum of
products, the layer matrix ``T`` with its tied and zero entries, the im2col
matrix ``P``, exact proofs (``verify``) and numeric checks (``check``).

Pipeline: ``spec -> taps -> derivation views -> proofs -> latex``.
"""

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

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "AvgPool1d",
    "AvgPool2d",
    "CheckReport",
    "Composition",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvSpec",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "DenseConstraints",
    "Derivation",
    "Diagonalization",
    "Equivalent",
    "Flatten",
    "GeneralDerivation",
    "GeneralGradient",
    "Gradient",
    "HandCheck",
    "KroneckerForm",
    "KroneckerTerm",
    "Linear",
    "LocallyConnected1d",
    "LocallyConnected2d",
    "MaxPool1d",
    "MaxPool2d",
    "NetworkDerivation",
    "NetworkGradient",
    "Proof",
    "ProofError",
    "ReLU",
    "ReceptiveField",
    "Sequential",
    "Sigmoid",
    "Stats",
    "Step",
    "Tanh",
    "TapTable",
    "TieGroup",
    "TiledConv1d",
    "TiledConv2d",
    "Verification",
    "arithmetic_tikz",
    "check_hand",
    "convolve",
    "correlate",
    "dense_constraints",
    "diagonalize",
    "from_torch",
    "kronecker_form",
    "latex_document",
    "layer_hierarchy",
    "parse_value",
    "plot_arithmetic",
    "plot_connectivity",
    "plot_dense_overlay",
    "plot_matrix",
    "proofs",
    "repr_html",
    "repr_latex",
    "stretched_input",
    "stretched_kernel",
    "structure_latex",
    "subsampled",
    "textbook",
    "to_html",
    "to_latex",
    "to_tikz",
]
