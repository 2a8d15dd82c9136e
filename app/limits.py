"""Request limits in front of every route: a body larger than the limit is refused before the
rest is read (413); a JSON body nested deeper than MAX_JSON_DEPTH, or a GraphQL document longer
than MAX_DOCUMENT_CHARS, is refused (400) before anything parses it further. A refusal is a
GraphQL-shaped error with a code, never a 500."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 32  # a mutation's input needs 5 or 6 levels
MAX_DOCUMENT_CHARS = 100_000  # 2,000 tokens of GraphQL fit in far less


class RequestRefusedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest (iteratively: a deep value must not exhaust the
    stack that measures it)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in item
                         if isinstance(child, dict | list))
    return deepest


def check_graphql_body(body: bytes) -> None:
    try:
        data = json.loads(body)
    except RecursionError:
        raise RequestRefusedError(400, "JSON_TOO_DEEP",
                             f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        return  # not JSON: the GraphQL endpoint says what is wrong, the usual way
    if json_depth(data) > MAX_JSON_DEPTH:
        raise RequestRefusedError(400, "JSON_TOO_DEEP",
                             f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    requests = data if isinstance(data, list) else [data]
    for request in requests:
        query = request.get("query") if isinstance(request, dict) else None
        if isinstance(query, str) and len(query) > MAX_DOCUMENT_CHARS:
            raise RequestRefusedError(400, "DOCUMENT_TOO_LARGE",
                                 f"the GraphQL document is longer than {MAX_DOCUMENT_CHARS:,} "
                                 "characters")


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        try:
            body = await self.read_body(scope, receive)
            if scope["path"].endswith("/graphql"):
                check_graphql_body(body)
        except RequestRefusedError as refused:
            await refuse(send, refused)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def read_body(self, scope: Scope, receive: Receive) -> bytes:
        too_large = RequestRefusedError(413, "BODY_TOO_LARGE",
                                   f"the request body is larger than {self.max_body_bytes:,} "
                                   "bytes")
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise RequestRefusedError(400, "BAD_REQUEST",
                                         "Content-Length is not a number") from None
                if declared > self.max_body_bytes:
                    raise too_large
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise too_large
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


async def refuse(send: Send, refused: RequestRefusedError) -> None:
    body = json.dumps({"errors": [{"message": refused.message,
                                   "extensions": {"code": refused.code}}]}).encode()
    await send({"type": "http.response.start", "status": refused.status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
