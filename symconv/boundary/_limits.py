"""Every size limit of symconv in one place, each with its reason (boundary layer).

A limit is refused *before* the work it guards: counts are arithmetic, so the
check costs nothing, and the message names the quantity, the limit and what to
use instead.  Modules import their limits from here (tests may still patch the
module-level name they imported).  The numbers were chosen on the development
machine (2 cores, 24 GiB): each keeps its operation under a few seconds or a
few GiB.

Examples
--------
>>> from symconv.boundary._limits import LIMITS
>>> LIMITS["SYMBOLIC_LIMIT"][0]
2000000
"""

from __future__ import annotations

# ------------------------------------------------------------ sizes (the spec)

#: Largest size, stride, padding, dilation, output padding or channel count.  It
#: keeps the index law ``s*o + d*j - p`` of every axis inside int64 (each term
#: below 2**62) so NumPy never overflows, and it is far beyond any real layer.
MAX_SIZE = 2**31 - 1

#: Largest number of elements of an input, output or weight (about 10**12).
#: Shapes multiply as Python integers; above this nothing (not even the
#: ``starts`` array of the tap table, 8 bytes per output) could be built.
MAX_ELEMENTS = 2**40

# ------------------------------------------------------ the tap table (core)

#: Peak memory allowed while building the tap table and reading its structure
#: (``stats()``): index arrays *and* the temporaries of building and grouping
#: them (estimated before anything is allocated).  4 GiB, a sixth of the machine.
TABLE_LIMIT_BYTES = 4 * 2**30

#: Symbolic views (outputs, T, P, gradients as SymPy objects) of layers with more
#: products than this are refused: SymPy needs about 1 KiB and 5 us per product.
SYMBOLIC_LIMIT = 2_000_000

#: Symbolic work on fewer products than this is quick and reports no progress.
PROGRESS_THRESHOLD = 200_000

#: ``to_numpy`` refuses dense matrices with more entries than this (2 GiB of float64).
EXPORT_DENSE_LIMIT = 2**28

#: :func:`kronecker_form` refuses when ``weights * rows * columns`` exceeds this
#: (every term is a dense 0/1 matrix the size of T).
KRONECKER_LIMIT = 4_000_000

#: :func:`diagonalize` refuses a symbolic DFT matrix larger than this many entries.
DFT_LIMIT = 4096

#: ``d.gemm()`` refuses a symbolic im2col matrix ``X`` with more entries than this
#: (use ``stats()``, whose ``im2col_entries`` is counted without building it).
GEMM_LIMIT = 250_000

# ------------------------------------------------------------------ backward

#: ``Gradient.verify`` compares the dense structural-zero mask too up to this many
#: entries of T (one byte each); beyond, the tie groups alone are compared.
MASK_CHECK_LIMIT = 10_000_000

#: ``Gradient.dense`` refuses matrices with more entries than this (SymPy objects).
GRADIENT_DENSE_LIMIT = 250_000

#: ``Gradient.structural_zeros`` (one byte per entry of T) refuses larger masks.
MASK_LIMIT = 500_000_000

# -------------------------------------------------------------------- checks

#: ``check(trials=...)``: each trial evaluates every view once; beyond this the
#: check would run for minutes and its arrays grow with ``trials``.
MAX_TRIALS = 1_000

#: The NumPy oracle of the proofs recomputes the transposed convolution
#: symbolically up to this many products (its object arithmetic is quadratic);
#: beyond, the step cites the gradient module's symbolic proof alone.
REFERENCE_LIMIT = 5_000

#: A proof step computes the sampled columns of ``P^T g`` in one pass over P when
#: ``weights * outputs`` is at most this (else column by column).
PROOF_ONE_PASS_LIMIT = 200_000

#: A proof step builds the dense 0/1 map from weights to entries of T (for its
#: numeric rank) up to this many entries; beyond, it counts the used weights.
PROOF_RANK_LIMIT = 4_000_000

#: Network checks take finite differences for at most this many input and
#: parameter entries (two evaluations of the whole network per entry).
FD_LIMIT = 2_000

#: Networks whose layers hold more output entries than this are checked backward
#: layer by layer: the composite symbolic gradient of a large nonlinear stack is huge.
COMPOSITE_LIMIT = 400

# ---------------------------------------------------------------- rendering

#: Matrix pictures refuse more cells than this (matplotlib draws each one).
MAX_CELLS = 40_000

#: Connectivity diagrams refuse more edges (products) than this.
MAX_EDGES = 20_000

#: Grids with more cells than this are drawn without text labels.
LABEL_CELLS = 600

#: The dense overlay of a network picture is refused above this many edges
#: (outputs x inputs): beyond, the picture is unreadable.
MAX_DENSE_EDGES = 4000

#: The HTML page shows every entry of T (or product) up to this many; above, the
#: page shows structure and drill-down only (the browser stays responsive).
HTML_MAX_ENTRIES = 4096

#: Above HTML_MAX_ENTRIES the page shows the gradient grouping only for layers with
#: at most this many outputs: the upstream gradient alone is one symbol per output.
HTML_GRADIENT_OUTPUTS = 100_000

# -------------------------------------------------------------------- shell

#: The text report prints the matrix T only up to this many entries.
PRINT_ENTRIES = 600

#: ``symconv network`` prints at most this many entries of each layer's output.
NETWORK_PRINT_ENTRIES = 40

#: The text report (``print(d)``, ``symconv derive``) prints at most this many
#: outputs (and gradient entries) unless asked for more: LeNet C1 has 4,704.
PRINT_OUTPUTS = 50


def _limits() -> dict[str, tuple[int, str]]:
    """Every limit above: name -> (value, its reason), read from this module's comments."""
    import inspect
    import re

    source = inspect.getsource(inspect.getmodule(_limits))  # type: ignore[arg-type]
    out: dict[str, tuple[int, str]] = {}
    for comment, name in re.findall(r"((?:^#:.*\n)+)^([A-Z_]+) = ", source, re.M):
        reason = " ".join(line[3:].strip() for line in comment.splitlines())
        out[name] = (globals()[name], reason)
    return out


#: name -> (value, reason) for every limit, e.g. for docs/errors.md.
LIMITS: dict[str, tuple[int, str]] = _limits()
