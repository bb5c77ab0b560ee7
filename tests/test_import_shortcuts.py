"""Import's shorter paths give the outcome of the longer ones: the consent log it writes
matches the kiosk that took the sign-ups, and a line the shortcut checks is judged as by
the full checks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kiosk.errors import ImportRefusedError
from kiosk.exporting import export_signups
from kiosk.importing import ImportResult, import_jsonl
from kiosk.store import Store
from tests.test_importing import import_peak, line, make_record, write_jsonl


def _consent_log(store: Store) -> dict[str, list[tuple]]:
    """Each sign-up's proof of consent, in the order it was written (rowid), checking
    that every row points at its own sign-up's seq."""
    rows = store._read(
        lambda db: db.execute(
            "SELECT c.signup_id, c.channel, c.granted, c.wording, c.basis, c.recorded_at, "
            "c.device_id, c.content_version, c.language FROM consent_log c "
            "JOIN signups s ON s.seq = c.seq AND s.id = c.signup_id ORDER BY c.rowid"
        ).fetchall()
    )
    assert len(rows) == store._read(
        lambda db: db.execute("SELECT COUNT(*) FROM consent_log").fetchone()[0]
    )
    grouped: dict[str, list[tuple]] = {}
    for signup_id, *rest in rows:
        grouped.setdefault(signup_id, []).append(tuple(rest))
    return grouped


@pytest.mark.parametrize(("chunk", "keys_held"), [(250, 1024), (2, 1024), (3, 1), (4, 5)])
def test_an_import_writes_the_same_proof_of_consent_as_the_kiosk_that_took_it(
    tmp_path, monkeypatch, chunk, keys_held
):
    """The office's consent log on the importing kiosk matches the source kiosk's, row for
    row: channels in order, wording, basis, time, kiosk, pack and language, for sign-ups
    with different choices, wordings and bases (and none), across chunks."""
    import kiosk.store.bulk as bulk

    monkeypatch.setattr(bulk, "_CONSENT_KEYS_MAX", keys_held)
    monkeypatch.setitem(bulk._ImportMixin.import_stream.__kwdefaults__, "chunk_size", chunk)
    wordings = [
        {"email": "Yes, email me.", "sms": "Yes, text me.", "phone": "Yes, ring me."},
        {"sms": "Tá, téacs.", "email": "Tá, ríomhphost.\nStop any time.", "phone": "Glaoigh."},
    ]
    choices = [
        {"email": True, "sms": False},
        {"sms": True, "email": False, "phone": True},
        {"phone": False},
        {},
        {"email": True, "sms": True},
    ]
    rng = random.Random(3)  # a kind of record recurs in the same, the next and later chunks
    records = []
    for i in range(40):
        consents, wording = rng.choice(choices), rng.choice(wordings)
        records.append(
            make_record(
                i,
                consents=dict(consents),
                consent_text=dict(wording),
                consent_basis={k: "soft_opt_in" for k in consents} if rng.random() < 0.3 else {},
                language=("en", "ga")[i % 2],
                content_version=f"pack-{i % 3}",
            )
        )
    with Store(tmp_path / "source" / "kiosk.db") as source:
        for record in records:
            source.save_signup(record)
        expected = _consent_log(source)
        path = export_signups(source, "jsonl", tmp_path / "out.jsonl").path
    text = path.read_text(encoding="utf-8").splitlines()
    write_jsonl(path, [*text, text[4], text[0]])  # repeats within the file
    with Store(tmp_path / "here" / "kiosk.db") as here:
        here.save_signup(records[5])  # already held
        assert import_jsonl(here, path) == ImportResult(added=39, skipped=3)
        assert _consent_log(here) == expected
    assert len(expected) == sum(1 for r in records if r.consents)  # none: no rows


_FAULTS = {
    "a NUL": lambda v: v + "\x00",
    "a zero-width space": lambda v: v[:1] + "\u200b" + v[1:],
    "a line separator": lambda v: v[:1] + "\u2028" + v[1:],
    "a trailing space": lambda v: v + " ",
    "a double space": lambda v: v[:1] + "  " + v[1:],
    "upper case": str.upper,
    "a decomposed accent": lambda v: v + "e\u0301",
    "the sealed prefix": lambda v: "sealed:v1:" + v,
    "the year 2999": lambda v: "2999" + v[4:],
    "the year 1999": lambda v: "1999" + v[4:],
    "nothing": lambda v: "",
    "a number": lambda v: 7,
    "a list": lambda v: [v],
    "null": lambda v: None,
}


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "created_at",
        "donation_ref",
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "device_id",
        "content_version",
        "language",
        "withdrawn_at",
    ],
)
def test_a_second_record_repeating_a_field_with_one_fault_is_judged_as_by_the_full_checks(
    tmp_path, monkeypatch, field
):
    """Most lines take a shorter path through the checks (record_shape._from_export): for
    every fault, a file whose second record repeats the first's field with that fault is
    imported, or refused with the same words, exactly as with the full checks alone."""
    import kiosk.record_shape

    first = make_record(0, phone="+353871234567").to_json() | {"withdrawn_at": None}
    value = first[field] if first[field] is not None else first["created_at"]
    with (
        Store(tmp_path / "fast" / "kiosk.db") as fast,
        Store(tmp_path / "full" / "kiosk.db") as full,
    ):

        def outcome(store: Store, path: Path) -> object:
            try:
                return import_jsonl(store, path), list(store.iter_records())
            except ImportRefusedError as exc:
                return str(exc)

        for i, (fault, change) in enumerate(_FAULTS.items(), 1):
            changed = make_record(i, phone="+353871234567").to_json() | {field: change(value)}
            first_name, last_name = changed["first_name"], changed["last_name"]
            if (
                field in ("first_name", "last_name")
                and isinstance(first_name, str)
                and (last_name is None or isinstance(last_name, str))
            ):  # the name agrees
                changed["name"] = f"{first_name} {last_name}" if last_name else first_name
            path = write_jsonl(tmp_path / f"{i}.jsonl", [line(first), line(changed)])
            shortened = outcome(fast, path)
            with monkeypatch.context() as m:
                m.setattr(kiosk.record_shape, "_from_export", lambda *args: None)
                assert outcome(full, path) == shortened, fault


# A change to one of the parts a kiosk's records share (found again by their JSON: see
# record_bounds._parts_key), made to a second record that otherwise repeats the first.
_SHARED_CHANGES = {
    "a count for a choice": ("consents", lambda v: {k: int(x) for k, x in v.items()}),
    "a fraction for a choice": ("consents", lambda v: {k: float(x) for k, x in v.items()}),
    "text for a choice": ("consents", lambda v: {k: str(x).lower() for k, x in v.items()}),
    "a list for a choice": ("consents", lambda v: {k: [x] for k, x in v.items()}),
    "an object for a choice": ("consents", lambda v: {k: {"yes": x} for k, x in v.items()}),
    "null for a choice": ("consents", lambda v: dict.fromkeys(v)),
    "NaN for a choice": ("consents", lambda v: dict.fromkeys(v, float("nan"))),
    "a number for a wording": ("consent_text", lambda v: dict.fromkeys(v, 7)),
    "a number for a kiosk": ("device_id", lambda v: 7),
    "choices in another order": ("consents", lambda v: dict(reversed(v.items()))),
    "wordings in another order": ("consent_text", lambda v: dict(reversed(v.items()))),
    "bases in another order": ("consent_basis", lambda v: dict(reversed(v.items()))),
    "a NUL in a wording": ("consent_text", lambda v: {k: w + "\x00" for k, w in v.items()}),
    "a basis in capitals": ("consent_basis", lambda v: {k: b.upper() for k, b in v.items()}),
    "no basis": ("consent_basis", lambda v: None),
    "an interest as a number": ("interests", lambda v: [7]),
    "interests as text": ("interests", lambda v: ",".join(v)),
    "a second interest": ("interests", lambda v: [*v, "talk"]),
}


@pytest.mark.parametrize("change", sorted(_SHARED_CHANGES))
def test_a_second_record_changing_a_shared_part_is_judged_as_by_the_full_checks(
    tmp_path, monkeypatch, change
):
    """The shared parts found again by their JSON: a second record whose parts differ from
    the first's only in type or order is judged exactly as by the full checks, and one
    that imports keeps its own channels' order."""
    import kiosk.record_shape

    field, alter = _SHARED_CHANGES[change]
    first = make_record(0).to_json()
    changed = make_record(1).to_json() | {field: alter(first[field])}
    path = write_jsonl(tmp_path / "a.jsonl", [line(first), line(changed)])

    def outcome(store: Store) -> object:
        try:
            result = import_jsonl(store, path)
        except ImportRefusedError as exc:
            return str(exc)
        stored = store.get(changed["id"])
        order = [list(stored.consents), list(stored.consent_text), list(stored.consent_basis)]
        return result, list(store.iter_records()), order

    with (
        Store(tmp_path / "fast" / "kiosk.db") as fast,
        Store(tmp_path / "full" / "kiosk.db") as full,
    ):
        shortened = outcome(fast)
        with monkeypatch.context() as m:
            m.setattr(kiosk.record_shape, "_from_export", lambda *args: None)
            m.setattr(kiosk.record_shape, "_shared_seen", lambda *args: None)
            assert outcome(full) == shortened
    if not isinstance(shortened, str) and isinstance(changed[field], dict):
        assert shortened[2][("consents", "consent_text", "consent_basis").index(field)] == list(
            changed[field]
        )


def test_a_file_of_long_all_different_wordings_is_imported_in_bounded_memory(data_dir, tmp_path):
    """The checks and rows remember the parts a kiosk's records share. A hostile file in
    which no two records share them, each as long as allowed, must not fill that memory:
    what is remembered, and a chunk of records, is bounded in size, not only in count."""
    import json

    channels = [f"ch{c}" for c in range(20)]  # the most a record may have
    n = 600
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            words = {ch: f"{i:06d} {ch} " + "w" * 1_980 for ch in channels}  # near the limit
            rec = make_record(i).to_json() | {
                "consents": dict.fromkeys(channels, True),
                "consent_text": words,
                "consent_basis": dict.fromkeys(channels, "consent"),
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    size = path.stat().st_size
    with Store(data_dir / "kiosk.db") as store:
        result, peak = import_peak(store, path)
        last = _consent_log(store)[rec["id"]]
    assert result.added == n
    assert [row[2] for row in last] == list(words.values())  # its own wordings, exactly
    # Before the bound: 59 MB for this 25 MB file. Now about 11 MB.
    assert peak < 24_000_000, (peak, size)


def test_parts_passed_by_check_bounds_are_held_to_their_types_too():
    """check_bounds remembers the shared parts it passes, and from_json finds them again by
    their JSON: a choice that is not true or false is refused whoever asks first."""
    from datetime import UTC, datetime

    from kiosk.records import SignupRecord, check_bounds

    bad = make_record(0).to_json() | {"consents": {"email": "yes", "sms": None}}
    for _ in range(2):  # the second time, anything remembered would be found
        with pytest.raises(ValueError, match="consents: expected true or false"):
            check_bounds(bad, datetime.now(UTC))
        with pytest.raises(ValueError, match="consents: expected true or false"):
            SignupRecord.from_json(bad)
