"""Who may call a field at all: an authenticated principal (what each may do is the policy's)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from app.graphql.kit.context import Context


class IsAuthenticated(BasePermission):
    message = "authentication required: send 'Authorization: Bearer <token>'"
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        if info.context.auth_error is not None:
            # Permission instances are shared by all requests: say why in the error itself.
            raise GraphQLError(f"authentication failed: {info.context.auth_error}",
                               extensions=self.error_extensions)
        return info.context.principal is not None


AUTHENTICATED: list[type[BasePermission]] = [IsAuthenticated]
