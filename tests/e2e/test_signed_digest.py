"""`dengta keygen`, `dengta digest --sign` and `dengta verify --digest-file` as a user runs
them: a signed digest checks offline, fails when altered, and catches a tampered chain."""

from __future__ import annotations

import json

from app.bootstrap import open_application
from app.settings import Settings
from tests.e2e.test_cli import dengta
from tests.integration.stories import tell
from tests.integration.tampering import (
    drop_append_only_triggers,
    events_table,
    execute_as_owner,
    id_column,
)


def test_a_signed_digest_verifies_and_fails_when_altered_or_the_chain_is(
        database_url, tmp_path) -> None:
    app = open_application(Settings(database_url=database_url))
    try:
        story = tell(app)
        key = tmp_path / "keys" / "inspector"
        made = dengta(database_url, "keygen", "--out", str(key))
        assert made.returncode == 0, made.stderr
        assert (key.stat().st_mode & 0o777) == 0o600
        assert dengta(database_url, "keygen", "--out", str(key)).returncode == 2
        digest_file = tmp_path / "digest.json"
        signed = dengta(database_url, "digest", "--sign", str(key), "--out", str(digest_file))
        assert signed.returncode == 0, signed.stderr
        kept = json.loads(digest_file.read_text())
        assert kept["position"] == story.last_position and kept["recorded_at"]
        public = f"{key}.pub"
        ok = dengta(database_url, "verify", "--digest-file", str(digest_file),
                    "--public-key", public)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "signature OK" in ok.stdout and f"OK {story.last_position}" in ok.stdout

        altered = tmp_path / "altered.json"
        altered.write_text(json.dumps({**kept, "position": kept["position"] - 1}))
        refused = dengta(database_url, "verify", "--digest-file", str(altered),
                         "--public-key", public)
        assert refused.returncode == 1 and "BAD SIGNATURE" in refused.stdout
        other = tmp_path / "other"
        dengta(database_url, "keygen", "--out", str(other))
        assert dengta(database_url, "verify", "--digest-file", str(digest_file),
                      "--public-key", f"{other}.pub").returncode == 1
        assert dengta(database_url, "verify", "--digest-file",
                      str(digest_file)).returncode == 2

        table = events_table(app)
        drop_append_only_triggers(app, table)
        execute_as_owner(app, f"UPDATE {table} SET topic = 'dengta:Goal.Forged' "
                              f"WHERE {id_column(app)} = 3")
        broken = dengta(database_url, "verify", "--digest-file", str(digest_file),
                        "--public-key", public)
        assert broken.returncode == 1 and "BROKEN 3" in broken.stdout
    finally:
        app.close()
