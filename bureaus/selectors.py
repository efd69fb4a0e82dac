"""Reads on the bureau itself: its names for the level scale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .levels import LevelNames
from .models import LevelName

# Within one request, a bureau's level names are read once (``BureauScopeMiddleware`` opens the
# memo); outside a request every call reads them, so a task or command never sees stale names.
_memo: ContextVar[dict[int, LevelNames] | None] = ContextVar("level_names_memo", default=None)


@contextmanager
def level_names_memo() -> Iterator[None]:
    """Read each bureau's level names at most once in the block (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget_level_names(bureau_id: int) -> None:
    """Drop the memo of a bureau whose names just changed."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(bureau_id, None)


def level_names(bureau_id: int | None) -> LevelNames:
    """The bureau's names for the level scale (one query); the defaults for no bureau."""
    if bureau_id is None:
        return LevelNames()
    memo = _memo.get()
    if memo is not None and bureau_id in memo:
        return memo[bureau_id]
    rows = list(
        LevelName.objects.filter(bureau_id=bureau_id).values_list("level", "name", "hidden")
    )
    names = LevelNames(
        names={level: name for level, name, _hidden in rows if name},
        hidden=frozenset(level for level, _name, hidden in rows if hidden),
    )
    if memo is not None:
        memo[bureau_id] = names
    return names
