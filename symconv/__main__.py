"""``python -m symconv``: the command line (see :func:`symconv._cli.main`).

Layer: top (the package entry point).
"""

from .shell._cli import main

raise SystemExit(main())
