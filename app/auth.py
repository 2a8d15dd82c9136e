"""Authentication: Bearer JWTs (HS256 with a local secret by default) mapped to a principal."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt

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
        return self.subject == ADMIN_SUBJECT

    @property
    def person_id(self) -> UUID | None:
        if self.subject.startswith("person:"):
            return UUID(self.subject.removeprefix("person:"))
        return None

    @property
    def actor(self) -> str:
        return self.subject


def load_or_create_secret(path: Path) -> str:
    """The embedded default's signing secret, generated on first run and kept under var/."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


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
