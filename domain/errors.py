"""Typed domain errors: each names a broken rule and carries a machine-readable code."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Raised when a use case is refused; nothing has been written."""

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInputError(DomainError):
    """Raised when a value is malformed or out of range (an empty title, a weight of 120)."""

    code = "INVALID_INPUT"


class NotFoundError(DomainError):
    """Raised when an id names nothing of the expected kind."""

    code = "NOT_FOUND"


class AlreadyExistsError(DomainError):
    """Raised when creating something under an id that is already taken."""

    code = "ALREADY_EXISTS"


class ConcurrencyError(DomainError):
    """Raised when someone else changed the same record first; reload and try again."""

    code = "CONFLICT"


class ReasonRequiredError(DomainError):
    """Raised when a change that policy says must be explained comes without a reason."""

    code = "REASON_REQUIRED"


class InvalidTransitionError(DomainError):
    """Raised when a lifecycle step does not follow from the current status."""

    code = "INVALID_TRANSITION"


class GoalNotModifiableError(DomainError):
    """Raised when a closed or cancelled goal is asked to change."""

    code = "GOAL_NOT_MODIFIABLE"


class WeightsMustSumTo100Error(DomainError):
    """Raised when the weights of an issued goal's subgoals would not sum to 100."""

    code = "WEIGHTS_MUST_SUM_TO_100"


class LevelMustStepDownError(DomainError):
    """Raised when a subgoal's level is not below its parent's (term > annual > specific)."""

    code = "LEVEL_MUST_STEP_DOWN"


class PeriodOutsideParentError(DomainError):
    """Raised when a subgoal's period does not lie inside its parent's, or a parent would no
    longer contain its subgoals."""

    code = "PERIOD_OUTSIDE_PARENT"


class OutsideParentScopeError(DomainError):
    """Raised when a subgoal is owned by an organisation outside its parent goal's subtree."""

    code = "OUTSIDE_PARENT_SCOPE"


class HasActiveChildrenError(DomainError):
    """Raised when dissolving an organisation or cancelling a goal that still has live children."""

    code = "HAS_ACTIVE_CHILDREN"


class CycleError(DomainError):
    """Raised when a move would put an organisation under itself or its own descendant."""

    code = "CYCLE"


class HierarchyError(DomainError):
    """Raised when an organisation kind may not sit under its parent's kind."""

    code = "INVALID_HIERARCHY"


class DissolvedError(DomainError):
    """Raised when a dissolved organisation is asked to change or take on members or goals."""

    code = "DISSOLVED"


class PostRequiredError(DomainError):
    """Raised when a primary responsible person holds no post in the goal's organisation, or a
    meeting lists someone who held no post in its organisation on the meeting date."""

    code = "POST_REQUIRED"


class PartyMembershipRequiredError(DomainError):
    """Raised when a party post is given to someone who is not a party member."""

    code = "PARTY_MEMBERSHIP_REQUIRED"


class DuplicateError(DomainError):
    """Raised when the same post or responsibility is given twice."""

    code = "DUPLICATE"


class SegregationOfDutiesError(DomainError):
    """Raised when one person would hold two duties that must be held by different people
    (verify a rectification they submitted or own; approve a reopening they asked for)."""

    code = "SEGREGATION_OF_DUTIES"


class LetterSignedError(DomainError):
    """Raised when a goal on a signed responsibility letter is changed without an approved
    amendment, or a signed letter's goal list is edited."""

    code = "LETTER_SIGNED"


class SignerNotAuthorizedError(DomainError):
    """Raised when a letter is signed by someone who is not that side's secretary."""

    code = "SIGNER_NOT_AUTHORIZED"


class CycleLockedError(DomainError):
    """Raised when a locked cycle is asked to change (only a two-person reopen may)."""

    code = "CYCLE_LOCKED"


class SelfEvaluationFirstError(DomainError):
    """Raised when the higher level scores an item the organisation has not self-evaluated."""

    code = "SELF_EVALUATION_FIRST"


class StandardNotInForceError(DomainError):
    """Raised when a branch self-checks on a day no version of the standard is in force, or
    an acceptance judges a self-check against a version no longer in force."""

    code = "STANDARD_NOT_IN_FORCE"
