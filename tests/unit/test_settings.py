"""Settings read from the environment, and secrets kept out of what is printed."""

from __future__ import annotations

import pytest

from app.settings import Settings
from store.url import DatabaseURL


@pytest.mark.parametrize(("environ", "port"), [
    ({}, 8000), ({"PORT": "9000"}, 9000), ({"DENGTA_PORT": "9100", "PORT": "9000"}, 9100)])
def test_the_port_comes_from_dengta_port_then_port(environ, port) -> None:
    assert Settings.from_env(environ).port == port


def test_cors_origins_are_a_comma_separated_list() -> None:
    settings = Settings.from_env({"DENGTA_CORS_ORIGINS": " http://a.example ,https://b.example,"})
    assert settings.cors_origins == ("http://a.example", "https://b.example")
    assert Settings.from_env({}).cors_origins == ()


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://dengta:s3cr%40t@db:5432/dengta", "postgresql://dengta:***@db:5432/dengta"),
    ("postgresql://dengta@db/dengta", "postgresql://dengta@db/dengta"),
    ("sqlite:///var/dengta.db", "sqlite:///var/dengta.db"),
])
def test_printed_urls_hide_the_password(url, shown) -> None:
    assert DatabaseURL(url).masked() == shown


def test_a_bad_url_is_named_without_its_password() -> None:
    with pytest.raises(ValueError, match=r"mysql://root:\*\*\*@db/x") as refused:
        DatabaseURL("mysql://root:hunter2@db/x").backend  # noqa: B018
    assert "hunter2" not in str(refused.value)
