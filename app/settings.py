"""Settings, read once from the environment by the composition root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from store.url import DatabaseURL

DEFAULT_DATABASE_URL = "sqlite:///var/dengta.db"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    pool_size: int = 5
    jwt_secret: str | None = None  # else read from (or generated into) jwt_secret_file
    jwt_secret_file: Path = Path("var/jwt-secret")
    jwks_url: str | None = None  # production: verify RS256/ES256 tokens against these keys
    jwt_issuer: str = "dengta"
    graphql_ide: bool = True
    introspection: bool = True
    # "inprocess": the server runs the projection followers itself (the embedded default);
    # "worker": `dengta serve` runs them in a child process it restarts and stops with it;
    # "external": `dengta project` workers, run by someone else, do.
    projections: str = "inprocess"
    read_your_writes_timeout: float = 5.0
    # The business dates the API takes: from `earliest_date` to `future_years` ahead of today.
    earliest_date: date = date(1921, 7, 1)
    future_years: int = 10
    max_body_bytes: int = 1_000_000  # a request body beyond this is refused unread (413)
    port: int = 8000  # where `dengta serve` listens unless --port says otherwise
    # Origins a browser front end may call the API from (CORS); none by default.
    cors_origins: tuple[str, ...] = ()
    # "text": `time LEVEL logger [request id] message` lines; "json": one JSON object a line
    # (time, level, logger, message, request_id, code), for a log collector.
    log_format: str = "text"
    # PostgreSQL with least privilege: `dengta migrate` creates the schema as this owner and
    # grants `app_role` (else the user of `database_url`, else dengta_app) what the server needs.
    owner_database_url: str | None = None
    app_role: str | None = None

    def __post_init__(self) -> None:
        DatabaseURL(self.database_url).backend  # noqa: B018  (raises ValueError when unsupported)
        if self.owner_database_url is not None and \
                DatabaseURL(self.owner_database_url).backend != "postgresql":
            raise ValueError("DENGTA_OWNER_DATABASE_URL must start with postgresql://")
        if self.projections not in ("inprocess", "worker", "external"):
            raise ValueError("DENGTA_PROJECTIONS must be 'inprocess', 'worker' or 'external'")
        if self.log_format not in ("text", "json"):
            raise ValueError("DENGTA_LOG_FORMAT must be 'text' or 'json'")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            database_url=environ.get("DENGTA_DATABASE_URL") or DEFAULT_DATABASE_URL,
            pool_size=int(environ.get("DENGTA_POOL_SIZE") or 5),
            jwt_secret=environ.get("DENGTA_JWT_SECRET") or None,
            jwt_secret_file=Path(environ.get("DENGTA_JWT_SECRET_FILE") or "var/jwt-secret"),
            jwks_url=environ.get("DENGTA_JWKS_URL") or None,
            jwt_issuer=environ.get("DENGTA_JWT_ISSUER") or "dengta",
            graphql_ide=_flag(environ.get("DENGTA_GRAPHQL_IDE"), True),
            introspection=_flag(environ.get("DENGTA_INTROSPECTION"), True),
            projections=environ.get("DENGTA_PROJECTIONS") or "inprocess",
            earliest_date=date.fromisoformat(environ.get("DENGTA_EARLIEST_DATE")
                                             or "1921-07-01"),
            future_years=int(environ.get("DENGTA_FUTURE_YEARS") or 10),
            max_body_bytes=int(environ.get("DENGTA_MAX_BODY_BYTES") or 1_000_000),
            port=int(environ.get("DENGTA_PORT") or environ.get("PORT") or 8000),
            cors_origins=tuple(origin.strip() for origin in
                               (environ.get("DENGTA_CORS_ORIGINS") or "").split(",")
                               if origin.strip()),
            log_format=(environ.get("DENGTA_LOG_FORMAT") or "text").strip().lower(),
            owner_database_url=environ.get("DENGTA_OWNER_DATABASE_URL") or None,
            app_role=environ.get("DENGTA_APP_ROLE") or None,
        )
