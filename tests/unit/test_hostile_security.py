"""Nothing that must stay out of the lake is in any lake file: link targets, secrets, handles, the HMAC key.

Every file under the lake root is read — Parquet decoded (it is compressed), everything else as
bytes — after a full hostile ingest, after a crashed one (progress files) and after a run summary.
"""

from __future__ import annotations

import json
import os

import pyarrow.parquet as pq
import pytest
from hostile_landing import DT, HANDLES, OUTSIDE_MARKER, URL_TOKEN, build

from miryoku.sources import landing
from miryoku.sources.base import FetchContext
from miryoku.sources.filedrop import ingest
from miryoku.sources.landing import RefusedFile, open_landing

FORBIDDEN_EXTRA = ("root:x:0:0",)


def lake_texts(root: str) -> dict[str, str]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path) or "landing" in os.path.relpath(path, root).split(os.sep)[:1]:
                continue  # the landing folder is the input, not the lake's output
            if name.endswith(".parquet"):
                out[path] = json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str)
            else:
                with open(path, "rb") as fh:
                    out[path] = fh.read().decode("utf-8", "replace")
    return out


def assert_clean(lake, forbidden: list[str]):
    texts = lake_texts(lake.path())
    assert texts, "nothing was written"
    for path, text in texts.items():
        for value in forbidden:
            assert value not in text, f"{value!r} found in {path}"


@pytest.fixture
def hostile(lake, tmp_path, monkeypatch):
    monkeypatch.setattr(landing, "MAX_LINE_BYTES", 200_000)
    outside = tmp_path / "outside"
    outside.mkdir()
    return build(lake, 200_000, outside)


def test_no_link_target_secret_handle_or_key_in_any_lake_file(lake, hostile):
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    key = lake.cfg.author_key().decode()
    assert_clean(lake, [*HANDLES, OUTSIDE_MARKER, URL_TOKEN, key, *FORBIDDEN_EXTRA])
    assert not lake.cfg.author_key_file().is_relative_to(lake.path())


def test_progress_of_a_crashed_ingest_holds_no_handle(lake, hostile, monkeypatch):
    from miryoku.sources import filedrop

    real = filedrop.LandingConnector.file_pages

    def crash_after_first_file(self, file, done, start, ctx):
        yield from real(self, file, done, start, ctx)
        raise ConnectionError("killed")
    monkeypatch.setattr(filedrop.LandingConnector, "file_pages", crash_after_first_file)
    with pytest.raises(ConnectionError):
        ingest(lake, FetchContext(DT, "run1"), "file", {})
    progress = [p for p in lake.files("_state") if "progress-" in p]
    assert progress, "the crash left no progress file to check"
    assert any(json.loads(lake.read_bytes(p))["units"] for p in progress)
    assert_clean(lake, [*HANDLES, OUTSIDE_MARKER, URL_TOKEN])


def test_the_run_summary_holds_no_handle_or_link_target(lake, hostile):
    from miryoku.lake.runlog import record_step

    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    record_step(lake, DT, "run1", "ingest_file", **stats)
    assert_clean(lake, [*HANDLES, OUTSIDE_MARKER, URL_TOKEN])


def test_a_link_swapped_in_after_listing_is_still_refused(lake, tmp_path):
    target = tmp_path / "secret.txt"
    target.write_text(OUTSIDE_MARKER)
    os.makedirs(lake.path("landing/sns/dash/dt=x"))
    os.symlink(target, lake.path("landing/sns/dash/dt=x/a.jsonl"))
    with pytest.raises(RefusedFile) as refused:
        open_landing(lake, "landing/sns/dash/dt=x/a.jsonl")
    assert refused.value.reason == "symlink_refused"
    os.symlink(tmp_path, lake.path("landing/sns/dash/dt=y"))
    with pytest.raises(RefusedFile):
        open_landing(lake, "landing/sns/dash/dt=y/secret.txt")
