"""The inputs of file-based sources, with local files and refused URLs handled as an officer expects.

A source's ``urls`` may name, besides http(s) URLs, **local files**: a path or a ``file://`` URL.
They are read only from under the source's ``import_folder`` (an absolute folder on the machine
running the task; relative paths are taken inside it) — a path that resolves anywhere else, through
``..`` or a symbolic link, is refused. Without ``import_folder`` no local file is read at all.

A URL the safe fetcher refuses (a host not allowed, a loopback or private address) becomes one line
naming the setting that would allow it; ``fail_alone`` records the failed step in the run summary
before the error is raised, so the source fails alone and the night's summary still says why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from miryoku.lake.runlog import record_step, summarize
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext
from miryoku.sources.inputs import InputFile, list_inputs, read_input
from miryoku.sources.safefetch import RefusedURL


class InputRefused(ValueError):
    """An input the source's configuration does not allow; the message names the setting."""


def refused_url_message(source: str, url: str, exc: RefusedURL) -> str:
    why = str(exc).splitlines()[0]
    if "non-public address" in why:
        fix = f"set allow_private_addresses = true in [sources.{source}] (test servers only)"
    elif "allowed_hosts" in why:
        fix = f"add the host to allowed_hosts in [sources.{source}]"
    elif "max_bytes" in why:
        fix = f"raise max_bytes in [sources.{source}]"
    else:
        fix = f"fix the URL in urls of [sources.{source}]"
    return f"source {source}: refused {urlsplit(url).scheme}://{urlsplit(url).hostname}/…: {why}; to allow it, {fix}"


def local_path(source: str, key: str, options: dict) -> Path:
    """The file a local ``urls`` entry names, checked to lie under ``import_folder``."""
    folder = options.get("import_folder")
    if not folder:
        raise InputRefused(f"source {source}: {key!r} is a local file; set import_folder in [sources.{source}] "
                           "to the folder local files may be read from")
    root = Path(folder).expanduser()
    if not root.is_absolute():
        raise InputRefused(f"source {source}: import_folder {folder!r} must be an absolute path")
    raw = unquote(urlsplit(key).path) if key.startswith("file:") else key
    target = Path(os.path.realpath(root / raw))
    if not target.is_relative_to(os.path.realpath(root)):
        raise InputRefused(f"source {source}: {key!r} is outside import_folder {folder!r}; only files under "
                           "import_folder are read")
    if not target.is_file():
        raise InputRefused(f"source {source}: {key!r} is not a file under import_folder {folder!r}")
    return target


def is_local(key: str) -> bool:
    return key.startswith("file:") or "://" not in key


def iter_source_inputs(lake: Lake, ctx: FetchContext, name: str, options: dict, suffixes: tuple[str, ...],
                       done: int = 0) -> Iterator[tuple[int, InputFile]]:
    """(1-based index, file) of every configured URL, local file and landing file after ``done``."""
    urls = [str(u) for u in options.get("urls", [])]
    for index, key in enumerate(list_inputs(lake, ctx, name, options, suffixes), start=1):
        if index <= done:
            continue
        if index <= len(urls) and is_local(key):
            path = local_path(name, key, options)
            yield index, InputFile(name=path.name, location=f"file://{path}", data=path.read_bytes())
            continue
        if index <= len(urls) and not key.startswith(("http://", "https://")):
            raise InputRefused(f"source {name}: {urlsplit(key).scheme}:// is not read; urls take http(s) URLs, "
                               "or local files under import_folder")
        try:
            yield index, read_input(lake, key, options)
        except RefusedURL as exc:
            raise InputRefused(refused_url_message(name, key, exc)) from None


def fail_alone(lake: Lake, ctx: FetchContext, name: str, run: Callable[[], dict]) -> dict:
    """Run a source; a refused input is recorded as this source's failed step, then raised."""
    try:
        return run()
    except InputRefused as exc:
        record_step(lake, ctx.dt, ctx.run_id, f"ingest_{name}", success=False, error=str(exc),
                    rows_in=0, rows_out=0, rows_quarantined=0)
        summarize(lake, ctx.dt, ctx.run_id)
        raise InputRefused(str(exc)) from None
