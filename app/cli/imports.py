"""`dengta import-business-scores`: business scores per organisation from a CSV (UTF-8 or
GB18030) or xlsx file, all or nothing, through the API's input boundary (app/imports)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.bootstrap import open_application
from app.boundary import Checker, DateWindow
from app.graphql.kit.ids import BadIdError, any_id
from app.imports.business_scores import import_business_scores
from app.imports.columns import ImportRefusedError
from app.settings import Settings
from app.startup import EXISTING
from domain.errors import DomainError

SYSTEM_IMPORT = "system:import"


def cmd_import_business_scores(settings: Settings, args: argparse.Namespace) -> int:
    try:
        cycle_id = any_id(args.cycle, "AssessmentCycle")
    except BadIdError as error:
        print(f"--cycle takes a cycle's id (as the API shows it, or a uuid): {error}",
              file=sys.stderr)
        return 2
    app = open_application(settings)
    checker = Checker(DateWindow(settings.earliest_date, settings.future_years), date.today())
    try:
        imported = import_business_scores(app, SYSTEM_IMPORT, cycle_id,
                                          Path(args.file), args.reason, checker)
    except ImportRefusedError as refused:
        count = len(refused.problems)
        read_as = f"，读取方式 (read as): {refused.source}" if refused.source else ""
        print(f"未导入任何数据 (nothing imported): {args.file} 有 {count} 处问题 ({count} "
              f"problem{'s' if count != 1 else ''}){read_as}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError, DomainError) as error:
        print(f"未导入任何数据 (nothing imported): {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    print(f"已导入 {imported.count} 条业绩得分到《{imported.cycle_title}》(imported "
          f"{imported.count} business scores at position {imported.position}); "
          f"读取方式 (read as): {imported.source}")
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    business = commands.add_parser(
        "import-business-scores",
        help="业绩考评: import business scores (CSV or xlsx: a header row naming 组织 and "
             "得分, then a row per organisation: its name or id, its score)")
    business.add_argument("--cycle", required=True, metavar="ID",
                          help="the cycle's id (as the API shows it, or a uuid)")
    business.add_argument("--reason", default="", help="required after publication")
    business.add_argument("file", help="a CSV (UTF-8 or GB18030) or xlsx file")
    business.set_defaults(run=cmd_import_business_scores, store=EXISTING)
