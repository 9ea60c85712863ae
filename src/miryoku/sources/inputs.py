"""Where file-based sources get their files: configured URLs and the lake's landing folder for D.

``urls`` are downloaded with ``safefetch`` (their own hosts are allowed implicitly; they come from the
configuration, not from a third party). Files saved by hand — RESAS responses kept after the API
closed, a market's yearly CSV, an e-Stat download — go to ``<lake>/landing/files/<source>/dt=<D>/``
(or the source's ``landing`` folder). Files are read in name order, one ``InputFile`` each; names are
shown in bronze as data and never used to build a path. As in the SNS file drop, nothing is read
through a link: symlinked files and folders and non-regular files are refused (``refused_inputs``
lists them with the reason, and each is logged), and files are opened with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from miryoku.lake.storage import Lake, safe_key
from miryoku.sources.base import FetchContext
from miryoku.sources.landing import Skipped, landing_files, open_landing
from miryoku.sources.safefetch import FetchPolicy, fetch_url
from miryoku.sources.secrets import safe_url

LANDING = "landing/files"
log = logging.getLogger(__name__)


@dataclass
class InputFile:
    name: str  # display name (last path segment), data only
    location: str  # the URL (credentials masked) or the lake-relative path
    data: bytes


def landing_dir(name: str, options: dict, ctx: FetchContext) -> str:
    base = str(options.get("landing") or f"{LANDING}/{safe_key(name)}").strip("/")
    if ".." in base.split("/"):
        raise ValueError(f"landing folder {base!r} must stay inside the lake")
    return f"{base}/dt={ctx.dt}"


def list_inputs(lake: Lake, ctx: FetchContext, name: str, options: dict, suffixes: tuple[str, ...]) -> list[str]:
    """Every input's key in a stable order: configured URLs first, then landing files."""
    urls = [str(u) for u in options.get("urls", [])]
    files, _ = _landing(lake, ctx, name, options)
    return urls + [f for f in files if f.lower().endswith(suffixes)]


def refused_inputs(lake: Lake, ctx: FetchContext, name: str, options: dict) -> list[Skipped]:
    """Landing entries that are not read (links, FIFOs, …), with the reason; for the run's stats."""
    return _landing(lake, ctx, name, options)[1]


def _landing(lake: Lake, ctx: FetchContext, name: str, options: dict) -> tuple[list[str], list[Skipped]]:
    folder = landing_dir(name, options, ctx)
    files, skipped = landing_files(lake, folder)
    names = sorted(f.rel for f in files) + sorted(s.file for s in skipped if s.reason == "unsupported_name")
    refused = [s for s in skipped if s.reason != "unsupported_name"]
    for entry in refused:
        log.warning("landing entry not read: %s (%s)", entry.file, entry.reason)
    return sorted(names), refused


def read_input(lake: Lake, key: str, options: dict, policy: FetchPolicy | None = None) -> InputFile:
    if key.startswith(("http://", "https://")):
        host = urlsplit(key).hostname or ""
        policy = policy or FetchPolicy.from_options(options, extra_hosts=[host])
        data, final = fetch_url(key, policy)
        return InputFile(name=urlsplit(final).path.rsplit("/", 1)[-1] or host, location=safe_url(final), data=data)
    with open_landing(lake, key) as stream:  # RefusedFile if it became a link since listing
        data = stream.read()
    return InputFile(name=key.rsplit("/", 1)[-1], location=key, data=data)


def iter_inputs(lake: Lake, ctx: FetchContext, name: str, options: dict, suffixes: tuple[str, ...],
                done: int = 0) -> Iterator[tuple[int, InputFile]]:
    """(1-based index, file) for every input after the first ``done`` (already staged) ones."""
    for index, key in enumerate(list_inputs(lake, ctx, name, options, suffixes), start=1):
        if index > done:
            yield index, read_input(lake, key, options)
