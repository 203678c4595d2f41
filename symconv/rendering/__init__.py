"""Layer 5, rendering: LaTeX, pictures and HTML; the only code that knows notation.

Private implementation modules; public names are re-exported by ``symconv``.
"""
