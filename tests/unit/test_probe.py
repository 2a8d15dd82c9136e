"""The one line a refused PostgreSQL connection becomes, for the refusals the local test
server (trust authentication, English messages) cannot produce."""

from __future__ import annotations

from store.probe import _refusal

WHERE = ("db.example:5432", "db.example", "5432", "dengta_app", "dengta")


def test_a_refused_password_names_the_user() -> None:
    message = ('connection failed: connection to server at "10.0.0.5", port 5432 failed: '
               'FATAL:  password authentication failed for user "dengta_app"')
    assert _refusal(message, *WHERE) == (
        "PostgreSQL at db.example:5432 refused user 'dengta_app' (password or authentication "
        "failed): correct the user and password in DENGTA_DATABASE_URL")


def test_a_message_in_another_language_is_passed_on_with_user_and_database() -> None:
    message = ('connection to server at "10.0.0.5", port 5432 failed: 致命错误:  用户 '
               '"dengta_app" Password 认证失败\n')
    assert "password" not in message
    assert _refusal(message, *WHERE) == (
        "PostgreSQL at db.example:5432 refused user 'dengta_app' on database 'dengta': "
        + message.strip())
