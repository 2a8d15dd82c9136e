"""What a mutation answers when a rule is broken."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A broken rule: nothing was written.")
class UserError:
    field: list[str] | None
    message: str
    code: str
