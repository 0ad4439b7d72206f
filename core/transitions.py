"""Status changes, checked in one place: each model with a lifecycle declares its allowed moves once
(``MATCH_TRANSITIONS = Transitions(MatchStatus, {...})`` next to the model) and every writer of that status
goes through :meth:`Transitions.move` (one object) or :meth:`Transitions.update` (a conditional update of
many rows). A refused move raises :class:`InvalidTransition`, which names where the object is and where it
was asked to go (``source``, ``target``); a verb may give it its own message and code, the ones its users
and API clients already know.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from core.errors import Conflict


class InvalidTransition(Conflict):
    """A status change the model's table does not allow (409 unless the verb says otherwise)."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        target: str,
        code: str = "invalid_transition",
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field)
        self.source = source
        self.target = target
        if status is not None:
            self.status = status


class Transitions[M: models.Model]:
    """The allowed moves of one status field: ``{source: {target, ...}}`` over the values of ``choices``."""

    def __init__(
        self,
        choices: type[models.TextChoices],
        moves: Mapping[str, Iterable[str]],
        *,
        field: str = "status",
    ) -> None:
        values = set(choices.values)
        unknown = (set(moves) | {t for targets in moves.values() for t in targets}) - values
        if unknown:
            raise ValueError(f"{choices.__name__} has no status {sorted(unknown)}")
        self.choices = choices
        self.field = field
        self.moves: dict[str, frozenset[str]] = {value: frozenset(moves.get(value, ())) for value in values}

    def allows(self, source: str, target: str) -> bool:
        return target in self.moves.get(source, frozenset())

    def _label(self, value: str) -> str:
        return str(self.choices(value).label).lower() if value in self.choices.values else value

    def check(
        self,
        source: str,
        target: str,
        *,
        message: str | None = None,
        code: str = "invalid_transition",
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        """Refuse ``source -> target`` unless the table allows it."""
        if self.allows(source, target):
            return
        if message is None:
            message = _("This cannot change from %(source)s to %(target)s.") % {
                "source": self._label(source),
                "target": self._label(target),
            }
        raise InvalidTransition(message, source=source, target=target, code=code, field=field, status=status)

    def move(self, obj: M, target: str, **refusal: Any) -> None:
        """Set ``obj``'s status to ``target`` (the caller saves), refused as :meth:`check` refuses."""
        self.check(getattr(obj, self.field), target, **refusal)
        setattr(obj, self.field, target)

    def update(self, queryset: "models.QuerySet[M]", source: str, target: str, **values: Any) -> int:
        """Move every row of ``queryset`` that is at ``source`` to ``target`` in one conditional update, so
        a concurrent writer that moved a row first wins it. A move the table does not allow is a bug."""
        if not self.allows(source, target):
            raise ValueError(f"{self.choices.__name__}: {source} -> {target} is not an allowed move")
        return queryset.filter(**{self.field: source}).update(**{self.field: target}, **values)
