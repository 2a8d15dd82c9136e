"""What a mutation answers when a rule is broken."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError


@strawberry.type(description="A broken rule: nothing was written.")
class UserError:
    field: list[str] | None
    message: str
    code: str


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def user_error(error: DomainError) -> UserError:
    """A domain error as the client sees it: its input field's path in GraphQL's spelling."""
    path = [camel(part) for part in error.field.split(".")] if error.field else None
    return UserError(field=path, message=error.message, code=error.code)
