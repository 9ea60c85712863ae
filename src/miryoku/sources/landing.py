"""Listing and opening files in a landing folder without ever reading outside the lake.

A landing folder is written by people and export tools, not by the pipeline, so it may hold
symlinks (to ``/etc/passwd``, to another lake), FIFOs, hidden files, half-uploaded ``.part`` files
or exports with an unexpected extension. Nothing there is read by following a link: on a local
lake every path component is opened with ``O_NOFOLLOW`` relative to its parent's descriptor, and
only regular files are read. Whatever is not read is returned as a ``Skipped`` entry (file and
reason) so the run summary lists it — nothing is skipped silently.

Accepted: files whose name ends in ``.jsonl``, ``.ndjson`` or ``.json`` (any case), not hidden
(no leading ``.``), in the date folder or any real sub-folder of it.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow.fs as pafs

from miryoku.lake.storage import Lake

ACCEPTED_SUFFIXES = (".jsonl", ".ndjson", ".json")
MAX_LINE_BYTES = 1 << 20  # a longer line is quarantined as line_too_long without being held whole
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class RefusedFile(OSError):
    """A landing entry that is not read: a symlink, or not a regular file."""

    def __init__(self, rel: str, reason: str):
        super().__init__(f"{rel}: {reason}")
        self.rel, self.reason = rel, reason


@dataclass(frozen=True)
class LandingFile:
    rel: str  # lake-relative path
    size: int


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def accepted_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(ACCEPTED_SUFFIXES)


def list_entries(lake: Lake, folder: str) -> tuple[list[str], list[str], list[Skipped]]:
    """(sub-folder names, file names, refused entries) directly in ``folder``; links are refused."""
    if not lake.is_local:
        if not lake.exists(folder):
            return [], [], []
        infos = lake.fs.get_file_info(pafs.FileSelector(lake.path(folder), recursive=False))
        dirs = sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)
        return dirs, sorted(i.base_name for i in infos if i.type == pafs.FileType.File), []
    try:
        fd = _open_dir(lake, folder)
    except FileNotFoundError:
        return [], [], []
    except RefusedFile as exc:
        return [], [], [Skipped(exc.rel, exc.reason)]
    dirs, files, refused = [], [], []
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}"
                if entry.is_symlink():
                    refused.append(Skipped(rel, "symlink_refused"))
                elif entry.is_dir(follow_symlinks=False):
                    dirs.append(entry.name)
                elif entry.is_file(follow_symlinks=False):
                    files.append(entry.name)
                else:
                    refused.append(Skipped(rel, "not_a_regular_file"))
    finally:
        os.close(fd)
    return sorted(dirs), sorted(files), sorted(refused, key=lambda s: s.file)


def landing_files(lake: Lake, folder: str) -> tuple[list[LandingFile], list[Skipped]]:
    """Every accepted file under ``folder`` (recursively, in name order) and every entry not read."""
    accepted: list[LandingFile] = []
    skipped: list[Skipped] = []
    dirs, files, refused = list_entries(lake, folder)
    skipped += refused
    for name in files:
        rel = f"{folder}/{name}"
        if accepted_name(name):
            accepted.append(LandingFile(rel, _size(lake, rel)))
        else:
            skipped.append(Skipped(rel, "unsupported_name"))
    for name in dirs:
        sub_files, sub_skipped = landing_files(lake, f"{folder}/{name}")
        accepted += sub_files
        skipped += sub_skipped
    return accepted, skipped


def open_landing(lake: Lake, rel: str) -> BinaryIO:
    """A buffered binary stream of a landing file; ``RefusedFile`` for links and non-regular files."""
    if not lake.is_local:
        return io.BufferedReader(lake.fs.open_input_file(lake.path(rel)), 1 << 20)
    parent, _, name = rel.rpartition("/")
    dir_fd = _open_dir(lake, parent)
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise _refusal(exc, rel) from None
    finally:
        os.close(dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RefusedFile(rel, "not_a_regular_file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb", buffering=1 << 20)


def read_lines(stream: BinaryIO, hasher, number: int = 0) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line or ``None`` when longer than ``MAX_LINE_BYTES``, bytes consumed) per line.

    Memory stays bounded by ``MAX_LINE_BYTES`` whatever the file's size; every byte read goes into
    ``hasher`` so the file's checksum is known when its last line has been read.
    """
    readline, update, limit = stream.readline, hasher.update, MAX_LINE_BYTES + 1
    while line := readline(limit):
        update(line)
        number += 1
        if len(line) < limit or line.endswith(b"\n"):
            yield number, line, len(line)
            continue
        consumed = len(line)
        while not line.endswith(b"\n") and (line := readline(limit)):
            update(line)
            consumed += len(line)
        yield number, None, consumed


def _size(lake: Lake, rel: str) -> int:
    if lake.is_local:
        return os.lstat(lake.path(rel)).st_size
    return lake.fs.get_file_info(lake.path(rel)).size or 0


def _open_dir(lake: Lake, rel: str) -> int:
    """A descriptor of ``rel`` opened component by component from the lake root, never via a link."""
    fd = os.open(lake.path(), _DIR_FLAGS & ~os.O_NOFOLLOW)
    done = []
    for part in [p for p in rel.split("/") if p]:
        done.append(part)
        try:
            next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            os.close(fd)
            raise
        except OSError as exc:
            try:
                is_link = stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
            except OSError:
                is_link = False
            os.close(fd)
            if is_link:
                raise RefusedFile("/".join(done), "symlink_refused") from None
            raise _refusal(exc, "/".join(done)) from None
        os.close(fd)
        fd = next_fd
    return fd


def _refusal(exc: OSError, rel: str) -> OSError:
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        return RefusedFile(rel, "symlink_refused")
    if exc.errno == errno.ENOTDIR:
        return RefusedFile(rel, "not_a_folder")
    return exc
