"""Maps the one store setting, DENGTA_DATABASE_URL, onto the library's environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

SQLITE_FACTORY = "store.sqlite:AuditedSQLiteFactory"
POSTGRES_FACTORY = "store.postgres:AuditedPostgresFactory"


@dataclass(frozen=True)
class DatabaseURL:
    url: str

    @property
    def backend(self) -> str:
        scheme = urlsplit(self.url).scheme
        if scheme == "sqlite":
            return "sqlite"
        if scheme in ("postgresql", "postgres"):
            return "postgresql"
        raise ValueError(
            "DENGTA_DATABASE_URL must start with sqlite:/// or postgresql://, not "
            f"{self.masked()!r}"
        )

    def masked(self) -> str:
        """The URL with its password replaced by ***, for anything printed or logged."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        user = f"{parts.username}:***@" if parts.username else ":***@"
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=user + host))

    @property
    def sqlite_path(self) -> Path:
        """sqlite:///var/dengta.db is relative to the working directory;
        sqlite:////srv/dengta.db is absolute."""
        return Path(unquote(urlsplit(self.url).path)[1:])

    def library_env(self, pool_size: int = 5) -> dict[str, str]:
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": SQLITE_FACTORY,
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        parts = urlsplit(self.url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "PERSISTENCE_MODULE": POSTGRES_FACTORY,
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "dengta",
            "POSTGRES_HOST": query.get("host") or parts.hostname or "localhost",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "no",
        }
