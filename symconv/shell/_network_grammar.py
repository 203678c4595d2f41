"""The stack grammar: ``"Conv1d(1,2,3) ReLU MaxPool1d(2)"`` parsed into layers, never ``eval``.

Layer: shell.  A small tokenizer and a recursive-descent parser for the text
form of a :class:`~symconv.Sequential` (the ``symconv network`` command):

.. code-block:: text

    stack  := layer (["->" | "|"] layer)*
    layer  := NAME ["(" [args] ")"]
    args   := arg ("," arg)* [","]          positional arguments before keywords
    arg    := [NAME "="] value
    value  := INT | "-" INT | "(" [value ("," value)* [","]] ")"
            | "True" | "False" | "None" | STRING
    STRING := a quoted word of letters and "_" ('same', "reflect")

Only the layer names in :data:`LAYER_NAMES` are accepted and only literal
values exist: no expression is ever evaluated.  Every error is a
``ValueError`` naming the position (0-based character offset) in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..core._sequential import Flatten, Sequential
from . import _layers, _network_layers

#: The layer names the grammar knows (symconv's public layer classes).
LAYER_NAMES = (
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "Linear", "ReLU", "Sigmoid", "Tanh", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "LocallyConnected1d", "LocallyConnected2d", "TiledConv1d", "TiledConv2d", "Flatten",
)

#: Longest text accepted (a stack is a line, not a file).
MAX_LENGTH = 10_000

_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<arrow>->)|(?P<int>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'[A-Za-z_]*'|\"[A-Za-z_]*\")|(?P<punct>[(),=|\-])"
)


@dataclass(frozen=True)
class Token:
    """One token: its kind (``name``, ``int``, ``string``, ``punct``, ``end``), text, position."""

    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class LayerCall:
    """One parsed layer: its name, positional and keyword literal arguments, position."""

    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    pos: int


def _error(text: str, pos: int, what: str) -> ValueError:
    snippet = text[pos:pos + 20]
    near = f" near {snippet!r}" if snippet else " at the end"
    return ValueError(f"`stack`: {what} at position {pos}{near} (in {_short(text)!r})")


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (whitespace dropped), ending with an ``end`` token.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        For a character no token starts with, naming its position.

    Examples
    --------
    >>> [t.text for t in tokenize("Conv1d(1, 2, 3) -> ReLU")]
    ['Conv1d', '(', '1', ',', '2', ',', '3', ')', '->', 'ReLU', '']
    """
    if not isinstance(text, str):
        raise TypeError(f"`stack` must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"`stack` must be at most {MAX_LENGTH:,} characters, got {len(text):,}")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _error(text, pos, f"unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind != "space":
            tokens.append(Token("punct" if kind == "arrow" else kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        t = self.tokens[self.at]
        self.at += 1
        return t

    def expect(self, text: str, context: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("punct",):
            raise self.fail(f"expected {text!r} {context}, found {self._found()}")
        return self.take()

    def _found(self) -> str:
        return "the end of the text" if self.tok.kind == "end" else repr(self.tok.text)

    def fail(self, what: str, pos: int | None = None) -> ValueError:
        return _error(self.text, self.tok.pos if pos is None else pos, what)

    # stack := layer (["->" | "|"] layer)*
    def stack(self) -> list[LayerCall]:
        if self.tok.kind == "end":
            raise self.fail("expected a layer name, found an empty stack")
        layers = [self.layer()]
        while self.tok.kind != "end":
            if self.tok.text in ("->", "|"):
                self.take()
            layers.append(self.layer())
        return layers

    # layer := NAME ["(" [args] ")"]
    def layer(self) -> LayerCall:
        t = self.tok
        if t.kind != "name":
            raise self.fail(f"expected a layer name, found {self._found()}")
        if t.text not in LAYER_NAMES:
            raise self.fail(
                f"unknown layer {t.text!r}; known layers: {', '.join(LAYER_NAMES)}"
            )
        self.take()
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        if self.tok.text == "(":
            self.take()
            while self.tok.text != ")":
                self.argument(t.text, args, kwargs)
                if self.tok.text == ",":
                    self.take()
                elif self.tok.text != ")":
                    raise self.fail(f"expected ',' or ')' in the arguments of {t.text}, "
                                    f"found {self._found()}")
            self.take()
        return LayerCall(t.text, tuple(args), tuple(kwargs.items()), t.pos)

    # arg := [NAME "="] value
    def argument(self, layer: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        t = self.tok
        nxt = self.tokens[self.at + 1]
        if t.kind == "name" and nxt.text == "=":
            if not t.text.isidentifier() or t.text.startswith("_"):
                raise self.fail(f"bad keyword {t.text!r}")
            if t.text in kwargs:
                raise self.fail(f"keyword {t.text!r} given twice to {layer}")
            self.take()
            self.take()
            kwargs[t.text] = self.value()
            return
        if kwargs:
            raise self.fail(f"positional argument after a keyword argument in {layer}")
        args.append(self.value())

    # value := INT | "-" INT | tuple | True | False | None | STRING
    def value(self) -> Any:
        t = self.tok
        if t.kind == "int":
            self.take()
            return int(t.text)
        if t.kind == "punct" and t.text == "-":
            self.take()
            if self.tok.kind != "int":
                raise self.fail(f"expected an integer after '-', found {self._found()}")
            return -int(self.take().text)
        if t.kind == "string":
            self.take()
            return t.text[1:-1]
        if t.kind == "name" and t.text in ("True", "False", "None"):
            self.take()
            return {"True": True, "False": False, "None": None}[t.text]
        if t.text == "(":
            self.take()
            items: list[Any] = []
            while self.tok.text != ")":
                items.append(self.value())
                if self.tok.text == ",":
                    self.take()
                elif self.tok.text != ")":
                    raise self.fail(f"expected ',' or ')' in a tuple, found {self._found()}")
            self.take()
            return tuple(items)
        raise self.fail(
            "expected a value (an integer, a tuple, True, False, None or a quoted word), "
            f"found {self._found()}"
        )


def parse_stack(text: str) -> list[LayerCall]:
    """Parse a stack such as ``"Conv1d(1,2,3) ReLU MaxPool1d(2)"`` into layer calls.

    Parameters
    ----------
    text : str
        Layer names separated by spaces (or ``->`` / ``|``), each optionally
        followed by literal arguments in parentheses.

    Returns
    -------
    list of LayerCall

    Raises
    ------
    ValueError
        Naming the position of the first thing that does not fit the grammar.
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> calls = parse_stack("Conv1d(1, 2, 3, padding='same') ReLU MaxPool1d(2)")
    >>> [(c.name, c.args, c.kwargs) for c in calls]
    [('Conv1d', (1, 2, 3), (('padding', 'same'),)), ('ReLU', (), ()), ('MaxPool1d', (2,), ())]
    >>> parse_stack("Conv1d(1, 2, 3) __import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `stack`: unknown layer '__import__'; known layers: Conv1d, ...at position 16...
    """
    return _Parser(text).stack()


def build_stack(text: str) -> Any:
    """The :class:`~symconv.Sequential` a stack's text describes.

    Each layer is built by calling symconv's public class with the parsed
    literal arguments; a constructor's own ``ValueError``/``TypeError`` is
    re-raised with the layer and its position prepended.

    Examples
    --------
    >>> build_stack("Conv1d(1, 2, 3) ReLU MaxPool1d(2)")  # doctest: +ELLIPSIS
    Sequential(Conv1d(1, 2, kernel_size=(3,), stride=(1,)), ReLU(), MaxPool1d(...))
    """
    layers = []
    for call in parse_stack(text):
        cls = _class(call.name)
        try:
            layers.append(cls(*call.args, **dict(call.kwargs)))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"`stack`: {call.name} at position {call.pos}: {exc}") from None
    return Sequential(*layers)


def _class(name: str) -> Any:
    """The layer class of a name in :data:`LAYER_NAMES` (looked up in a fixed table)."""
    if name == "Flatten":
        return Flatten
    if name.startswith(("Conv1d", "Conv2d", "Conv3d", "ConvTranspose")):
        return getattr(_layers, name)
    return getattr(_network_layers, name)
