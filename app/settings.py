"""Settings, read once from the environment by the composition root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from store.url import DatabaseURL

DEFAULT_DATABASE_URL = "sqlite:///var/dengta.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    pool_size: int = 5

    def __post_init__(self) -> None:
        DatabaseURL(self.database_url).backend  # noqa: B018  (raises ValueError when unsupported)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            database_url=environ.get("DENGTA_DATABASE_URL") or DEFAULT_DATABASE_URL,
            pool_size=int(environ.get("DENGTA_POOL_SIZE") or 5),
        )
