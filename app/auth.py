"""Authentication: Bearer JWTs (HS256 with a local secret by default) mapped to a principal."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt

# The administrator, a person: `dengta init` and `dengta demo` register 系统管理员 under this
# fixed id (app/administrator.py), and the tokens `dengta serve` and `dengta token --admin`
# print name them, so the audit trail says who acted. Fixed, so every store and every command
# finds them without a lookup.
ADMINISTRATOR_ID = UUID("431fb138-8bde-41f2-b4d5-3e5e0c1d64e5")
ADMINISTRATOR_SUBJECT = f"person:{ADMINISTRATOR_ID}"
# The administrator as nobody in particular: no command mints it any more; tokens minted by
# code (the test suite builds its worlds with them) are still taken.
ADMIN_SUBJECT = "admin"
ALGORITHM = "HS256"
JWKS_ALGORITHMS = ["RS256", "ES256"]
VERIFIED_TOKENS = 4096  # remembered at most; then forgotten all at once


class AuthenticationError(Exception):
    """Raised when a request's token is missing, malformed, expired, wrongly signed or names
    nobody we know."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: the built-in administrator or a registered person. `actor` is what
    events record."""

    subject: str

    @property
    def is_admin(self) -> bool:
        return self.subject in (ADMINISTRATOR_SUBJECT, ADMIN_SUBJECT)

    @property
    def person_id(self) -> UUID | None:
        if self.subject.startswith("person:"):
            return UUID(self.subject.removeprefix("person:"))
        return None

    @property
    def actor(self) -> str:
        return self.subject


@dataclass(frozen=True)
class SigningSecret:
    """The HS256 secret and, when this call generated it, the file it was written to."""

    value: str
    created: Path | None = None


def signing_secret(configured: str | None, path: Path) -> SigningSecret:
    """The embedded default's signing secret, as the server and every command find it:
    DENGTA_JWT_SECRET, else the file DENGTA_JWT_SECRET_FILE names (a relative path, like a
    relative SQLite path, from the working directory), generated there on first use."""
    if configured:
        return SigningSecret(configured)
    if path.exists():
        return SigningSecret(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret)
    return SigningSecret(secret, path.absolute())


@dataclass(frozen=True)
class TokenService:
    """Mints HS256 tokens for the embedded default; verifies them, or, when a JWKS URL is
    configured (production, an OIDC provider), RS256/ES256 tokens signed by its keys."""

    secret: str
    issuer: str = "dengta"
    jwks_url: str | None = None
    _jwks: Any = field(init=False, repr=False, default=None)
    # token -> (principal, expiry): checking a signature costs ~0.15 ms, a tenth of a small
    # request, and a client sends the same token with every request until it expires.
    _verified: dict[str, tuple[Principal, float]] = field(
        init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True) if self.jwks_url else None
        object.__setattr__(self, "_jwks", jwks)

    def mint(self, subject: str, ttl_seconds: int = 8 * 3600) -> str:
        now = int(time.time())
        claims = {"sub": subject, "iss": self.issuer, "iat": now, "exp": now + ttl_seconds}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        """The token's principal; a token seen before is not checked again until it expires
        (it was signed for that long: a stateless token cannot be revoked sooner anyway)."""
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        principal, expires = self._check(token)
        if len(self._verified) >= VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        try:
            key: Any = self.secret
            algorithms = [ALGORITHM]
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = JWKS_ALGORITHMS
            claims = jwt.decode(token, key, algorithms=algorithms, issuer=self.issuer,
                                options={"require": ["sub", "exp", "iss"]})
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("the token's signature is not valid") from None
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"the token is not valid: {error}") from None
        subject = str(claims["sub"])
        if subject != ADMIN_SUBJECT and not _is_person_subject(subject):
            raise AuthenticationError("the token names no known kind of subject")
        return Principal(subject), float(claims["exp"])


def _is_person_subject(subject: str) -> bool:
    if not subject.startswith("person:"):
        return False
    try:
        UUID(subject.removeprefix("person:"))
    except ValueError:
        return False
    return True


def bearer_token(header: str | None) -> str:
    if not header:
        raise AuthenticationError("no Authorization header; send 'Bearer <token>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    return token.strip()
