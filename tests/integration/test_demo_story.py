"""The demo's chapters on each backend: each ends at a moment that travels to exactly its last
event, whole seconds when loaded with pauses, and a second load writes nothing and finds the
same moments in the log."""

from __future__ import annotations

from app.demo import load_demo, moments
from app.settings import Settings
from domain.application import DengtaApplication
from store.audit_reads import position_at
from store.db import Database
from store.url import DatabaseURL


def test_each_chapter_ends_at_a_typeable_moment_found_again_on_a_second_load(
        app: DengtaApplication, settings: Settings) -> None:
    first = load_demo(app, pause=True)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        found = moments(app, conn)
        assert [moment.title for moment in found] == [
            "组织与人员到位", "2026年度目标下达与责任书签订", "一季度执行",
            "二季度执行与年中权重调整", "二季度考核公布", "公布后更正、补报与复查",
            "东山县局党支部书记调整"]
        assert found[-1].position == first.last_position
        assert [m.position for m in found] == sorted({m.position for m in found})
        for moment in found:
            assert moment.at.microsecond == 0 and moment.iso.endswith("Z"), moment.iso
            assert position_at(conn, moment.at) == moment.position, moment
        second = load_demo(app)
        assert not second.created
        assert moments(app, conn) == found
