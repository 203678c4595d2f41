"""Layer 4, checks: exact verification, independent references, numeric checks, proofs as
data.

Private implementation modules; public names are re-exported by ``symconv``.
"""
