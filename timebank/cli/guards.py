"""Input no database can store, refused before a command runs: text with a NUL character
or a lone surrogate (PostgreSQL refuses the first, UTF-8 the second), as the HTTP API
refuses it with a 422 (``webapi/inputs.py``). The command stops with a usage error naming
the option (exit 2), instead of a driver's traceback.

``COUNT`` bounds the whole numbers of items and prices the office types, far above any
real stock or price and far below what a 64-bit column holds once multiplied.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from timebank.cli.localized import current_lang
from timebank.i18n import N_, translate

__all__ = ["COUNT", "MAX_COUNT", "storable"]

F = TypeVar("F", bound=Callable[..., Any])
MAX_COUNT = 1_000_000_000
COUNT = click.IntRange(max=MAX_COUNT)
UNSTORABLE = N_("text with a NUL character or an unpaired surrogate cannot be stored")


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)


def storable(fn: F) -> F:
    """Refuse the command when any of its text arguments cannot be stored."""
    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            if any(_unstorable(text) for text in _texts(value)):
                ctx = click.get_current_context()
                param = next((p for p in ctx.command.params if p.name == name), None)
                raise click.BadParameter(translate(UNSTORABLE, current_lang(ctx)), ctx=ctx,
                                         param=param, param_hint=None if param else name)
        return fn(*args, **kwargs)
    return checked  # type: ignore[return-value]
