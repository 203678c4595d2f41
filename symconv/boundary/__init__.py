"""Layer 1, boundary: validation of user arguments, value parsing, the size formulas.

Private implementation modules; public names are re-exported by ``symconv``.
"""
