"""The composition root: builds the application on the configured store."""

from __future__ import annotations

from app.settings import Settings
from domain.application import DengtaApplication
from store.url import DatabaseURL


def open_application(settings: Settings) -> DengtaApplication:
    env = DatabaseURL(settings.database_url).library_env(pool_size=settings.pool_size)
    return DengtaApplication(env=env)
