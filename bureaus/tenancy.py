"""Bureau tenancy: every tenant-owned row belongs to one bureau, and reads fail closed.

The bureau in scope lives in a context variable. ``BureauScopeMiddleware`` sets it once per request
from the signed-in user; a Celery task sets it from the bureau id it was given; a management command
sets it explicitly. Every tenant-owned model uses ``BureauManager`` as its default manager, whose
querysets carry a ``BureauScope`` condition. The condition is resolved when the SQL is compiled, not
when the queryset is built, so it holds for querysets made at import time (form fields), for
subqueries, unions, updates and deletes alike:

* a bureau in scope   -> ``WHERE <table>.bureau_id = <that bureau>``
* ``all_bureaus()``   -> no condition (platform superusers, deliberate cross-bureau jobs)
* nothing in scope    -> ``BureauScopeError``: a read without a bureau is a bug, never "all rows".

Going around the scope for one query is ``Model.objects.all_bureaus()``; grep for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import FullResultSet, ValidationError
from django.db import models
from django.db.models.expressions import Expression
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _


class BureauScopeError(RuntimeError):
    """A tenant-owned model was read with no bureau in scope."""


class _AllBureaus:
    def __repr__(self) -> str:
        return "ALL_BUREAUS"


ALL_BUREAUS: Any = _AllBureaus()

# None: nothing in scope; an int: that bureau's id; ALL_BUREAUS: deliberately every bureau.
_scope: ContextVar[int | _AllBureaus | None] = ContextVar("bureau_scope", default=None)


def current_bureau_id() -> int | None:
    """The id of the bureau in scope; None in an all-bureaus scope; raises with no scope."""
    scope = _scope.get()
    if scope is None:
        raise BureauScopeError("No bureau is in scope.")
    if scope is ALL_BUREAUS:
        return None
    return scope


def scope_is_set() -> bool:
    return _scope.get() is not None


@contextmanager
def bureau_scope(bureau: models.Model | int) -> Iterator[None]:
    """Run the block with one bureau in scope (a Bureau or its id)."""
    bureau_id = bureau if isinstance(bureau, int) else bureau.pk
    if bureau_id is None:
        raise BureauScopeError("Cannot scope to an unsaved bureau.")
    token = _scope.set(int(bureau_id))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def all_bureaus() -> Iterator[None]:
    """Run the block across every bureau: platform administration and bureau-wide sweeps only."""
    token = _scope.set(ALL_BUREAUS)
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def no_bureau() -> Iterator[None]:
    """Run the block with nothing in scope (tests use it to prove reads fail closed)."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def activate(scope: int | _AllBureaus | None):
    """Set the scope until ``deactivate(token)``; for middleware, which cannot use ``with``."""
    return _scope.set(scope)


def deactivate(token) -> None:
    _scope.reset(token)


class BureauScope(Expression):
    """A WHERE condition on ``bureau_id`` that reads the bureau in scope at SQL compile time."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column: Expression | None = None):
        super().__init__()
        self.column = column

    def get_source_expressions(self):
        return [self.column] if self.column is not None else []

    def set_source_expressions(self, exprs):
        self.column = exprs[0] if exprs else None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        # Resolved once, against the query it filters. Django resolves a subquery's WHERE again
        # against the outer query; by then the column is bound and must stay the inner one.
        column = self.column if self.column is not None else models.F("bureau")
        clone.column = column.resolve_expression(query, allow_joins, reuse, summarize)
        return clone

    def as_sql(self, compiler, connection):
        scope = _scope.get()
        if scope is None:
            model = getattr(compiler.query, "model", None)
            name = model.__name__ if model is not None else "a tenant-owned model"
            raise BureauScopeError(
                f"{name} was read with no bureau in scope. Scope the work with bureau_scope(), "
                f"or use {name}.objects.all_bureaus() where crossing bureaus is intended."
            )
        if scope is ALL_BUREAUS:
            raise FullResultSet
        return compiler.compile(Exact(self.column, scope))


class BureauQuerySet(models.QuerySet):
    def for_bureau(self, bureau: models.Model | int) -> BureauQuerySet:
        bureau_id = bureau if isinstance(bureau, int) else bureau.pk
        return self.filter(bureau_id=bureau_id)


class BureauManager(models.Manager.from_queryset(BureauQuerySet)):
    """Default manager of every tenant-owned model: its querysets are scoped to the bureau."""

    # Migrations get a plain manager: they run outside any request and see every bureau.
    use_in_migrations = False

    def get_queryset(self) -> BureauQuerySet:
        return super().get_queryset().filter(BureauScope())

    def all_bureaus(self) -> BureauQuerySet:
        """Every bureau's rows: the one named way around the scope."""
        return super().get_queryset()


class TenantModel(models.Model):
    """A row owned by one bureau.

    ``tenant_links`` names the foreign keys to other tenant-owned rows; ``clean()`` and ``save()``
    refuse a link to another bureau's row.
    """

    bureau = models.ForeignKey(
        "bureaus.Bureau", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )

    objects = BureauManager()

    tenant_links: tuple[str, ...] = ()

    # Related-object access (obj.school) and deletion cascades use Django's plain base manager:
    # they follow a link from a row that was already read in scope.

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # An invariant, not business logic: a link across bureaus must never reach the database.
        wrong = self.cross_bureau_links()
        if wrong:
            raise ValueError(
                f"{type(self).__name__} of bureau {self.bureau_id} links across bureaus: {wrong}"
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.bureau_id is None:
            return
        wrong = self.cross_bureau_links()
        if wrong:
            raise ValidationError({name: _("This belongs to another bureau.") for name in wrong})

    def cross_bureau_links(self) -> list[str]:
        """Names of the links in ``tenant_links`` that point into another bureau."""
        wrong = []
        for name in self.tenant_links:
            field = self._meta.get_field(name)
            if getattr(self, field.attname) is None:
                continue
            target = getattr(self, name)
            target_bureau = getattr(target, "bureau_id", None)
            if target_bureau is not None and target_bureau != self.bureau_id:
                wrong.append(name)
        return wrong


def is_tenant_model(model: type[models.Model]) -> bool:
    """A model is tenant-owned when it has a ``bureau`` foreign key."""
    try:
        field = model._meta.get_field("bureau")
    except Exception:
        return False
    return getattr(field, "related_model", None) is not None and (
        field.related_model._meta.label == "bureaus.Bureau"
    )
