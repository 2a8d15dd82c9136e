"""The administrator as a person in the store (系统管理员), registered by `dengta init` and
`dengta demo`, so what an administrator token does names a person in the audit trail."""

from __future__ import annotations

from app.auth import ADMINISTRATOR_ID
from domain.application import DengtaApplication
from domain.people import Person

ADMINISTRATOR_NAME = "系统管理员"
REGISTRATION_REASON = "系统管理员：管理员令牌（dengta serve、dengta token --admin）以其名义操作"


def administrator(app: DengtaApplication) -> Person | None:
    """The store's administrator, or None before `dengta init` (or `dengta demo`) ran.
    Raises domain.errors.NotFoundError if the administrator's id holds something else."""
    if not app.exists(ADMINISTRATOR_ID):
        return None
    return app.get(Person, ADMINISTRATOR_ID, "administrator")


def ensure_administrator(app: DengtaApplication, actor: str) -> bool:
    """Register the administrator unless the store has them; whether it did."""
    if administrator(app) is not None:
        return False
    app.register_person(actor, name=ADMINISTRATOR_NAME, party_member=False,
                        reason=REGISTRATION_REASON, id=ADMINISTRATOR_ID)
    return True
