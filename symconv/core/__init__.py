"""Layer 2, core: the tap table, the Derivation and its views, numeric export.

Private implementation modules; public names are re-exported by ``symconv``.
"""
