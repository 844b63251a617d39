"""The tables whose every write leaves an audit entry, and any further checks of `lms audit verify`.
Each area registers its own tables beside its models, and its checks beside their queries."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.audit.verify import Finding


@dataclass(frozen=True)
class Chained:
    model: type
    table: str
    label: str  # what an admin calls these rows, e.g. "Training records"
    fields: tuple[str, ...]  # every column but the key: the row's audited content
    person: Callable[[object], int | None]  # whom a row is about
    actions: dict[str, str]  # action -> what it means, e.g. "completion.recorded": "Training recorded"


CHAINED: dict[str, Chained] = {}


def chained(model: type, *, label: str, person: Callable[[object], int | None], actions: dict[str, str]) -> None:
    table = model.__table__
    fields = tuple(column.key for column in table.columns if not column.primary_key)
    CHAINED[table.name] = Chained(model, table.name, label, fields, person, actions)


CHECKS: list[Callable[[], Iterable["Finding"]]] = []


def check(find: Callable[[], Iterable["Finding"]]) -> None:
    """An area's own check, run by verify() after the chain and the chained tables: audit cannot import the areas."""
    CHECKS.append(find)


def action_label(action: str) -> str:
    for spec in CHAINED.values():
        if action in spec.actions:
            return spec.actions[action]
    return action
