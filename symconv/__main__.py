"""``python -m symconv``: the command line (see :func:`symconv._cli.main`)."""

from .shell._cli import main

raise SystemExit(main())
