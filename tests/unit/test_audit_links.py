"""The chain's byte layout is fixed: chains written by earlier versions must still verify."""

from __future__ import annotations

from uuid import UUID

from store.audit import GENESIS, canonical_bytes, link, split_topic

ISSUED = canonical_bytes(7, 1_790_000_000_123_456, "person:秘书",
                         UUID("12345678-1234-5678-1234-567812345678"), 3, "dengta:Goal.Issued",
                         b'{"weight":100}')


def test_the_canonical_bytes_of_an_event_keep_their_layout() -> None:
    assert ISSUED.hex() == (
        "0000000000000007" "00065bfeda27c240" "12345678123456781234567812345678"
        "0000000000000003" "0000000d" "706572736f6e3ae7a798e4b9a6"
        "00000012" "64656e6774613a476f616c2e497373756564" "7b22776569676874223a3130307d"
    )


def test_a_link_is_the_sha256_of_the_previous_hash_and_the_canonical_bytes() -> None:
    assert link(GENESIS, ISSUED).hex() == (
        "c4c14177cd833a2b7f0b9128d03faaa5c04a52158e7b5e51fefbf6bdde9d664f")


def test_a_topic_names_the_aggregate_and_the_event() -> None:
    assert split_topic("dengta:Goal.Issued") == ("Goal", "Issued")
    assert split_topic("Snapshot") == ("Snapshot", "Snapshot")


def test_version_2_covers_the_type_columns_and_the_snapshot_digest() -> None:
    from store.audit import canonical_bytes_v2

    def issued(event_type: str, snapshot: bytes | None) -> bytes:
        return canonical_bytes_v2(7, 1_790_000_000_123_456, "person:秘书",
                                  UUID("12345678-1234-5678-1234-567812345678"), 3,
                                  "dengta:Goal.Issued", b'{"weight":100}', "Goal", event_type,
                                  snapshot)

    assert issued("Issued", None).hex() == (
        "02" "0000000000000007" "00065bfeda27c240" "12345678123456781234567812345678"
        "0000000000000003" "0000000d" "706572736f6e3ae7a798e4b9a6"
        "00000012" "64656e6774613a476f616c2e497373756564" "00000004" "476f616c"
        "00000006" "497373756564" "00000000" "7b22776569676874223a3130307d"
    )
    assert issued("Issued", bytes(32)) != issued("Issued", None)
    assert issued("Cancelled", None) != issued("Issued", None)
