"""Layer 3, backward: the backward pass (gradients) as groupings of the tap table.

Private implementation modules; public names are re-exported by ``symconv``.
"""
