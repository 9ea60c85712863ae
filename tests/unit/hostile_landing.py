"""A generated hostile landing folder and the outcome each of its lines must have, written by hand.

Every case is (line bytes, expected outcome): ``"kept"`` or the quarantine reason. Tests compute
the expected counts from this table, never from the code under test.
"""

from __future__ import annotations

import json
import os

DT = "2026-01-02"
HANDLES = ("alice_handle", "screen_bob", "carol_mention", "dave_rt", "erin_user", "frank_acct")
URL_TOKEN = "tok3n-SECRET-9f8e7d"
OUTSIDE_MARKER = "OUTSIDE-THE-LAKE-4c1d"


def post(i: str, **over) -> dict:
    return {"id": i, "created_at": "2026-01-02T10:00:00+09:00", "text": f"青森のりんご {i}", **over}


def j(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def cases(max_line: int) -> list[tuple[bytes, str, str | None]]:
    """(line, outcome, kept post id or None)."""
    nested = {"x": 1}
    for _ in range(80):
        nested = {"x": nested}
    return [
        (j(post("k1", author="alice_handle")), "kept", "k1"),
        (j(post(7)), "kept", "7"),
        (j(post("k2", text="あ\u0000い\u0007う")), "kept", "k2"),
        (j(post("k3", user={"screen_name": "screen_bob", "id_str": "99"}, text="RT @dave_rt: いちご")), "kept", "k3"),
        (j(post("k4", text="@carol_mention 佐賀 https://x.com/erin_user/status/1",
                url=f"https://mstdn.jp/@frank_acct/1?access_token={URL_TOKEN}")), "kept", "k4"),
        (j(post("k5", text="👨\u200d👩\u200d👧 家族旅行")), "kept", "k5"),
        (b'{"id": "s1", "created_at": "2026-01-02T10:00:00+09:00", "text": "\\ud800 bad"}', "invalid_unicode", None),
        (j(post("y1", created_at="0001-01-01T00:00:00+09:00")), "bad_created_at", None),
        (j(post("y2", created_at="9999-12-31T23:59:59-09:00")), "bad_created_at", None),
        (j(post("y3", created_at="2" * 100_000)), "bad_created_at", None),
        (j(post("y4", created_at="2026-01-02T10:00:00")), "bad_created_at", None),
        (j(post({"x": 1})), "bad_id", None),
        (j(post(True)), "bad_id", None),
        (j(post([1])), "bad_id", None),
        (j(post(1.5)), "bad_id", None),
        (j(post("i\u0000d")), "bad_id", None),
        (j(post("")), "missing_id", None),
        (j(post("z1", text="\u200b\u200b\ufeff")), "no_visible_text", None),
        (j(post("z2", text="\u0000")), "no_visible_text", None),
        (j(post("z3", text="\u3164")), "no_visible_text", None),
        (j(post("z4", text=7)), "missing_text", None),
        (b'{"id": "m1", "author": "alice_handle", "text": "broken', "malformed_json", None),
        (b'{"id": "m2", "created_at": "2026-01-02T10:00:00+09:00", "text": "x", "n": NaN}', "malformed_json", None),
        (b'{"id": ' + b"9" * 5000 + b', "text": "x", "created_at": "2026-01-02T10:00:00Z"}', "malformed_json", None),
        (b'{"id": "u1", "author": "screen_bob", "text": "\xff\xfe\xfa not utf-8"}', "invalid_utf8", None),
        (b"[1, 2]", "not_an_object", None),
        (b'"just a string"', "not_an_object", None),
        (j(post("n1", extra=nested)), "too_deeply_nested", None),
        (j(post("h1", hashtags=[{"a": 1}])), "bad_hashtags", None),
        (j(post("l1", lang="x" * 100)), "field_too_long", None),
        (j(post("t1", text="長" * 6000)), "text_too_long", None),
        (j(post("big", text="a" * max_line)), "line_too_long", None),
    ]


def build(lake, max_line: int, outside_dir) -> dict:
    """Write the folder; return what a correct ingest must report (computed from the table above)."""
    base = f"landing/sns/dash/dt={DT}"
    rows = cases(max_line)
    lines = [line for line, _, _ in rows]
    expected = {"kept": [i for _, o, i in rows if o == "kept"], "reasons": {}, "locations": {}, "skipped": set()}
    for number, (_, outcome, _) in enumerate(rows, start=1):
        if outcome != "kept":
            expected["reasons"][outcome] = expected["reasons"].get(outcome, 0) + 1
            expected["locations"][f"{base}/mixed.jsonl:{number}"] = outcome
    lake.write_bytes(f"{base}/mixed.jsonl", b"\n".join(lines[:5]) + b"\n\n  \n" + b"\n".join(lines[5:]) + b"\n")
    # blank lines are not lines of data: shift the locations after them by two
    expected["locations"] = {(_shift(k, 5, 2)): v for k, v in expected["locations"].items()}

    lake.write_bytes(f"{base}/crlf-bom.JSONL", b"\xef\xbb\xbf" + j(post("c1")) + b"\r\n" + j(post("c2")) + b"\r\n")
    lake.write_bytes(f"{base}/sub/export.ndjson", j(post("n2")) + b"\n" + j(post("n3")))  # no final newline
    lake.write_bytes(f"{base}/array.json", json.dumps([post("a1"), post({"bad": 1}), post("a2")]).encode())
    lake.write_bytes(f"{base}/broken-array.json", b'[{"id": "b1", "created_at": "2026-01-02T10:00:00Z", "text": "ok"}, {"id": ')
    lake.write_bytes(f"{base}/empty.jsonl", b"")
    lake.write_bytes(f"{base}/blank.jsonl", b"\n  \n\r\n")
    expected["kept"] += ["c1", "c2", "n2", "n3", "a1", "a2", "b1"]
    for reason, n in (("bad_id", 1), ("malformed_json", 1), ("empty_file", 2)):
        expected["reasons"][reason] = expected["reasons"].get(reason, 0) + n
    expected["locations"][f"{base}/array.json:#2"] = "bad_id"
    expected["locations"][f"{base}/broken-array.json:#2"] = "malformed_json"
    expected["locations"][f"{base}/empty.jsonl"] = "empty_file"
    expected["locations"][f"{base}/blank.jsonl"] = "empty_file"

    # entries that must not be read, each reported
    lake.write_bytes(f"{base}/.hidden.jsonl", j(post("hidden")))
    lake.write_bytes(f"{base}/export.csv", b"id,text\n1,x\n")
    lake.write_bytes(f"{base}/upload.jsonl.part", j(post("part")))
    secret_file = outside_dir / "passwd"
    secret_file.write_text(f"root:x:0:0:{OUTSIDE_MARKER}:/root:/bin/bash\n")
    outside_dt = outside_dir / f"dt={DT}"
    outside_dt.mkdir()
    (outside_dt / "x.jsonl").write_text(json.dumps(post("outside", text=OUTSIDE_MARKER)) + "\n")
    os.symlink(secret_file, lake.path(f"{base}/passwd.jsonl"))
    os.mkfifo(lake.path(f"{base}/pipe.jsonl"))
    os.makedirs(lake.path("landing/sns/linked"))
    os.symlink(outside_dt, lake.path(f"landing/sns/linked/dt={DT}"))
    os.symlink(outside_dir, lake.path("landing/sns/srclink"))
    lake.write_bytes(f"landing/sns/my export/dt={DT}/a.jsonl", j(post("spaced")))
    lake.write_bytes(f"landing/sns/sample/dt={DT}/a.jsonl", j(post("collide")))
    lake.write_bytes("landing/sns/stray.jsonl", j(post("stray")))
    expected["skipped"] = {
        (f"{base}/.hidden.jsonl", "unsupported_name"), (f"{base}/export.csv", "unsupported_name"),
        (f"{base}/upload.jsonl.part", "unsupported_name"), (f"{base}/passwd.jsonl", "symlink_refused"),
        (f"{base}/pipe.jsonl", "not_a_regular_file"), (f"landing/sns/linked/dt={DT}", "symlink_refused"),
        ("landing/sns/srclink", "symlink_refused"), ("landing/sns/my export", "bad_source_name"),
        ("landing/sns/sample", "name_of_a_configured_source"), ("landing/sns/stray.jsonl", "not_a_source_folder"),
    }
    return expected


def _shift(location: str, after: int, by: int) -> str:
    name, _, number = location.rpartition(":")
    return f"{name}:{int(number) + by if int(number) > after else int(number)}"
