"""The command line at its edges: registration of subcommands, options that do not
apply, big layers, size guards, unwritable paths, value syntax and LaTeX style."""

from __future__ import annotations

import argparse
from typing import TextIO

import pytest

from symconv.shell import _cli
from symconv.shell._cli import Command, main


def test_a_registered_subcommand_runs_and_is_listed(capsys, monkeypatch):
    monkeypatch.setattr(_cli, "COMMANDS", dict(_cli.COMMANDS))

    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("--n", type=int, default=2)

    def run(args: argparse.Namespace, out: TextIO) -> int:
        out.write(f"hello {args.n}\n")
        return 0

    _cli.register("hello", Command("say hello", add, run))
    assert main(["hello", "--n", "3"]) == 0
    assert capsys.readouterr().out == "hello 3\n"
    with pytest.raises(SystemExit):
        _cli.build_parser().parse_args(["--help"])
    assert "hello" in capsys.readouterr().out
    with pytest.raises(ValueError, match="already registered"):
        _cli.register("hello", Command("again", add, run))
