"""The input boundary's rules: what a value a client sends must be before anything is written.

Text is normalised to NFC and refused when it holds NUL, control or invisible format
characters (newline and tab are allowed in long text); each kind of text has a length limit,
each list an item limit; decimals are finite, within ±10^12 and at most 6 decimal places;
business dates fall in a plausible window (from the party's founding to a few years ahead).
Nothing here knows GraphQL: `app.graphql.kit.boundary` applies these rules to every argument, the
CLI's imports to their rows. A check returns the cleaned value and adds what is wrong to
`problems`, so that every violation of an input is reported at once."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

Path = tuple[str, ...]


@dataclass(frozen=True)
class Violation:
    path: Path
    code: str
    message: str


@dataclass(frozen=True)
class TextKind:
    label: str
    max_chars: int
    multiline: bool
    strip: bool


CODE = TextKind("a code", 64, multiline=False, strip=True)
IDENTIFIER = TextKind("an id", 200, multiline=False, strip=True)
NAME = TextKind("a name or title", 200, multiline=False, strip=True)
ITEM = TextKind("an item", 500, multiline=False, strip=True)
REASON = TextKind("a reason or note", 2000, multiline=True, strip=False)
LONG_TEXT = TextKind("a text", 20000, multiline=True, strip=False)

# Input field name -> its kind of text (names as GraphQL spells them). A name missing here is
# a reason-sized text: the boundary never lets a string through unbounded.
TEXT_KINDS: dict[str, TextKind] = {
    **dict.fromkeys(("name", "title", "unit", "category", "topic", "label", "item",
                     "goalTitle", "search", "nameContains"), NAME),
    **dict.fromkeys(("kind", "post", "role", "level", "field", "direction", "severity",
                     "type", "side", "step", "cap", "cadence", "grade", "rubricLevel",
                     "source", "eventType", "aggregateType", "status", "evaluatorKind"),
                    CODE),
    **dict.fromkeys(("actor",), IDENTIFIER),
    **dict.fromkeys(("reason", "comment", "note"), REASON),
    **dict.fromkeys(("description", "content", "criteria", "condition", "minutes"),
                    LONG_TEXT),
    **dict.fromkeys(("evidence",), ITEM),
}
DEFAULT_TEXT = REASON

# List field name -> how many items it may hold.
LIST_LIMITS: dict[str, int] = {"evidence": 20, "scores": 2000}
DEFAULT_LIST_LIMIT = 500

MAX_DECIMAL = Decimal(10) ** 12
DECIMAL_PLACES = 6

ALLOWED_IN_MULTILINE = frozenset("\n\t")


@dataclass(frozen=True)
class DateWindow:
    """The business dates the boundary takes: from `earliest` up to `future_years` ahead of
    `today`."""

    earliest: date = date(1921, 7, 1)
    future_years: int = 10

    def latest(self, today: date) -> date:
        return today.replace(year=today.year + self.future_years, day=min(today.day, 28))


@dataclass
class Checker:
    window: DateWindow
    today: date
    problems: list[Violation] = field(default_factory=list)

    def refuse(self, path: Path, code: str, message: str) -> None:
        self.problems.append(Violation(path, code, message))

    def text(self, value: str, kind: TextKind, path: Path) -> str:
        cleaned = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
        if kind.strip:
            cleaned = cleaned.strip()
        bad = unwanted_characters(cleaned, kind.multiline)
        if bad:
            self.refuse(path, "INVALID_TEXT",
                        f"{kind.label} may not hold control or invisible characters "
                        f"(found {', '.join(f'U+{ord(c):04X}' for c in bad[:5])})")
        if len(cleaned) > kind.max_chars:
            self.refuse(path, "TOO_LONG",
                        f"{kind.label} is at most {kind.max_chars:,} characters "
                        f"(got {len(cleaned):,})")
        return cleaned

    def items(self, count: int, name: str, path: Path) -> None:
        limit = LIST_LIMITS.get(name, DEFAULT_LIST_LIMIT)
        if count > limit:
            self.refuse(path, "TOO_MANY_ITEMS", f"at most {limit:,} items (got {count:,})")

    def decimal(self, value: Decimal, path: Path) -> Decimal:
        if not value.is_finite():
            self.refuse(path, "INVALID_NUMBER", "must be a finite number")
            return value
        if abs(value) > MAX_DECIMAL:
            self.refuse(path, "OUT_OF_RANGE", f"must lie within ±{MAX_DECIMAL:,}")
            return value
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
            # Trailing zeros are no precision: 1.50000000 is 1.5.
            value = value.normalize()
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
                self.refuse(path, "TOO_PRECISE",
                            f"at most {DECIMAL_PLACES} decimal places")
                return value
        try:  # plain notation (1E+2 is 100) and no negative zero
            return Decimal(format(value, "f")) + Decimal(0)
        except InvalidOperation:  # pragma: no cover - finite values always format
            return value

    def business_date(self, value: date, path: Path) -> date:
        latest = self.window.latest(self.today)
        if not self.window.earliest <= value <= latest:
            self.refuse(path, "OUT_OF_RANGE",
                        f"must lie between {self.window.earliest.isoformat()} and "
                        f"{latest.isoformat()}")
        return value


def unwanted_characters(text: str, multiline: bool) -> list[str]:
    """Control (Cc), format (Cf: zero-width, bidi overrides) and surrogate characters, but
    newline and tab in long text."""
    if text.isprintable():  # the common case, at C speed
        return []
    return [c for c in text
            if unicodedata.category(c) in ("Cc", "Cf", "Cs")
            and not (multiline and c in ALLOWED_IN_MULTILINE)]
