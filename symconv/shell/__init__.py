"""Layer 6, shell: the front door (signal and layer constructors, from_torch), the hand
checker, the CLI.

Private implementation modules; public names are re-exported by ``symconv``.
"""
