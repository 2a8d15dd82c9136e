"""`dengta import-business-scores`: business scores per organisation from a CSV file, all or
nothing, through the API's input boundary."""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from app.bootstrap import open_application
from app.boundary import REASON, Checker, DateWindow
from app.settings import Settings
from app.startup import EXISTING
from domain.cycles import AssessmentCycle
from domain.errors import DomainError
from domain.organizations import Organization

SYSTEM_IMPORT = "system:import"


def read_business_scores(path: str, names: dict[str, UUID]) -> dict[UUID, str]:
    """Rows of `organisation, score` (the organisation by id or by its exact name); a header
    row is allowed. Raises ValueError naming the first bad row."""
    scores: dict[UUID, str] = {}
    with open(path, newline="", encoding="utf-8-sig") as file:
        for number, row in enumerate(csv.reader(file), 1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise ValueError(f"row {number}: expected organisation, score")
            who, value = row[0].strip(), row[1].strip()
            if number == 1 and not value.replace(".", "", 1).isdigit():
                continue  # the header
            organization = names.get(who)
            if organization is None:
                try:
                    organization = UUID(who)
                except ValueError:
                    raise ValueError(f"row {number}: no assessed organisation named {who!r}"
                                     ) from None
            scores[organization] = value
    return scores


def bounded_import(settings: Settings, reason: str, scores: dict[UUID, str]) -> str:
    """The API's input boundary, for the rows of an import: raises ValueError listing every
    violation; returns the reason as the boundary cleans it."""
    checker = Checker(DateWindow(settings.earliest_date, settings.future_years), date.today())
    cleaned = checker.text(reason, REASON, ("reason",))
    for organization, value in scores.items():
        with contextlib.suppress(InvalidOperation):  # (not a number: the domain says so)
            checker.decimal(Decimal(value), ("score", str(organization)))
    if checker.problems:
        raise ValueError("; ".join(f"{' '.join(p.path)}: {p.message}"
                                   for p in checker.problems))
    return cleaned


def cmd_import_business_scores(settings: Settings, args: argparse.Namespace) -> int:
    app = open_application(settings)
    try:
        cycle = app.get(AssessmentCycle, UUID(args.cycle), "cycle")
        names = {app.get(Organization, o).name: o for o in cycle.organization_ids}
        scores = read_business_scores(args.file, names)
        reason = bounded_import(settings, args.reason, scores)
        written = app.import_business_scores(SYSTEM_IMPORT, cycle.id, scores=scores,
                                             reason=reason)
    except (ValueError, OSError, DomainError) as error:
        print(f"nothing imported: {error}", file=sys.stderr)
        return 2
    print(f"imported {len(scores)} business scores into 《{cycle.title}》 at position "
          f"{written.position}")
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    business = commands.add_parser(
        "import-business-scores",
        help="业绩考评: import business scores (CSV rows: organisation id or name, score)")
    business.add_argument("--cycle", required=True, metavar="ID", help="the cycle's id")
    business.add_argument("--reason", default="", help="required after publication")
    business.add_argument("file", help="a UTF-8 CSV file")
    business.set_defaults(run=cmd_import_business_scores, store=EXISTING)
