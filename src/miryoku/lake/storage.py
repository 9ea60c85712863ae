"""One storage layer over ``pyarrow.fs`` so a local folder and ``s3://bucket/prefix`` behave alike.

Every byte the Python side writes goes through ``Lake``; Spark gets the same locations as URIs
(``spark_uri``) so both sides agree on where a table lives. S3 has no directories and no rename, so
``move`` of a folder there is copy-every-object-then-delete (safe to repeat after a crash: the source
stays whole until every copy exists); ``publish`` builds its atomic switch on top (manifests).
"""

from __future__ import annotations

import ctypes
import errno
import io
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from miryoku.config import Settings, s3_access, settings

TABLE_VERSIONS = {
    "sns_posts": 1,
    "posts": 1,
    "post_terms": 1,
    "term_daily": 1,
}


def table_name(table: str) -> str:
    """``posts`` → ``posts_v1``; names already carrying a version pass through."""
    if re.search(r"_v\d+$", table):
        return table
    return f"{table}_v{TABLE_VERSIONS.get(table, 1)}"


def safe_key(value: str) -> str:
    """A run id or source name made safe as one path segment (no separators, no traversal)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.=-]+", "_", value).strip("._")
    if not cleaned:
        raise ValueError(f"{value!r} cannot be used as a path segment")
    return cleaned


def _s3_filesystem(cfg: Settings) -> pafs.FileSystem:
    """Credentials are resolved here, once per ``Lake``, and live only inside the pyarrow object."""
    return pafs.S3FileSystem(**s3_access(cfg).pyarrow_kwargs())


@dataclass
class Lake:
    """A lake root: relative paths like ``silver/posts_v1/dt=2026-01-02`` resolve under it."""

    cfg: Settings

    @classmethod
    def from_settings(cls, lake_root: str | None = None) -> Lake:
        return cls(settings(lake_root))

    def __post_init__(self) -> None:
        root = self.cfg.lake_root
        if root.startswith("s3://"):
            self.fs = _s3_filesystem(self.cfg)
            self.base = root[len("s3://"):]
        elif root.startswith("file://"):
            self.fs = pafs.LocalFileSystem()
            self.base = root[len("file://"):]
        elif "://" in root:
            raise ValueError(f"unsupported lake root {root!r}: use a folder or s3://bucket/prefix")
        else:
            self.fs = pafs.LocalFileSystem()
            self.base = root

    @property
    def root(self) -> str:
        return self.cfg.lake_root

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    # --- locations -------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return "/".join([self.base.rstrip("/"), *[p.strip("/") for p in parts if p]])

    def uri(self, *parts: str) -> str:
        """The location as other engines name it (``s3://…`` or an absolute folder)."""
        return f"s3://{self.path(*parts)}" if not self.is_local else self.path(*parts)

    def spark_uri(self, *parts: str) -> str:
        """The same location as Spark (Hadoop) names it."""
        p = self.path(*parts)
        return f"s3a://{p}" if not self.is_local else f"file://{p}"

    def table_dir(self, layer: str, table: str) -> str:
        return f"{layer}/{table_name(table)}"

    def partition_dir(self, layer: str, table: str, dt: str) -> str:
        return f"{self.table_dir(layer, table)}/dt={dt}"

    # --- primitive I/O ---------------------------------------------------------------------
    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def is_dir(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type == pafs.FileType.Directory

    def listdir(self, rel: str) -> list[str]:
        """Names directly under ``rel`` (empty if it does not exist)."""
        if not self.exists(rel):
            return []
        infos = self.fs.get_file_info(pafs.FileSelector(self.path(rel), recursive=False))
        return sorted(i.base_name for i in infos)

    def files(self, rel: str, suffix: str = "") -> list[str]:
        """Relative paths of all files under ``rel`` ending in ``suffix``."""
        if not self.exists(rel):
            return []
        infos = self.fs.get_file_info(pafs.FileSelector(self.path(rel), recursive=True))
        prefix = self.path() + "/"
        return sorted(
            i.path[len(prefix):] for i in infos
            if i.type == pafs.FileType.File and i.path.endswith(suffix)
        )

    def write_bytes(self, rel: str, data: bytes) -> None:
        """One object PUT on S3 (all or nothing); no directory markers, S3 needs none. Locally a
        temporary file renamed over the target, so a reader never sees a half-written file."""
        if not self.is_local:
            with self.fs.open_output_stream(self.path(rel)) as out:
                out.write(data)
            return
        self.fs.create_dir(self.path(rel).rsplit("/", 1)[0], recursive=True)
        tmp = f"{self.path(rel)}.{uuid.uuid4().hex}.tmp"
        with self.fs.open_output_stream(tmp) as out:
            out.write(data)
        self.fs.move(tmp, self.path(rel))

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.path(rel)) as src:
            return src.read()

    def write_json(self, rel: str, obj) -> None:
        self.write_bytes(rel, json.dumps(obj, ensure_ascii=False, indent=2, default=str).encode())

    def read_json(self, rel: str):
        return json.loads(self.read_bytes(rel))

    def write_parquet(self, rel: str, table: pa.Table) -> None:
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        self.write_bytes(rel, buf.getvalue())

    def read_parquet(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        """All Parquet files under ``rel`` (a file or a folder) as one table, without partition columns."""
        paths = [rel] if rel.endswith(".parquet") else self.files(rel, ".parquet")
        tables = [pq.read_table(self.path(p), filesystem=self.fs, columns=columns) for p in paths]
        if not tables:
            raise FileNotFoundError(f"no Parquet files under {self.path(rel)}")
        return pa.concat_tables(tables, promote_options="default")

    def delete(self, rel: str) -> None:
        info = self.fs.get_file_info(self.path(rel))
        if info.type == pafs.FileType.Directory:
            self.fs.delete_dir(self.path(rel))
        elif info.type == pafs.FileType.File:
            self.fs.delete_file(self.path(rel))

    def copy_file(self, src: str, dst: str) -> None:
        """Server-side copy on S3 (CopyObject), a plain copy locally."""
        if self.is_local:
            self.fs.create_dir(self.path(dst).rsplit("/", 1)[0], recursive=True)
        self.fs.copy_file(self.path(src), self.path(dst))

    def exchange(self, a: str, b: str) -> bool:
        """Swap two existing local folders in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

        Returns False where that is not available (another OS, an old kernel, S3) so callers fall back
        to two renames; a reader never sees either path missing when it succeeds.
        """
        if not self.is_local or not sys.platform.startswith("linux"):
            return False
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is None:
            return False
        at_fdcwd, rename_exchange = -100, 2
        result = renameat2(at_fdcwd, os.fsencode(self.path(a)), at_fdcwd, os.fsencode(self.path(b)),
                           rename_exchange)
        if result != 0:
            err = ctypes.get_errno()
            if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                return False
            raise OSError(err, os.strerror(err), self.path(a))
        return True

    def move(self, src: str, dst: str) -> None:
        """Rename a file or folder. Locally one ``rename``; on S3 (no rename, and pyarrow's ``move``
        refuses prefixes) every object is copied first and the source deleted last, so a crash leaves
        the source complete and a repeated ``move`` converges."""
        if self.is_local:
            self.fs.create_dir(self.path(dst).rsplit("/", 1)[0], recursive=True)
            self.fs.move(self.path(src), self.path(dst))
            return
        info = self.fs.get_file_info(self.path(src))
        if info.type == pafs.FileType.File:
            self.copy_file(src, dst)
        elif info.type == pafs.FileType.Directory:
            src, dst = src.strip("/"), dst.strip("/")
            for rel in self.files(src):
                self.copy_file(rel, dst + rel[len(src):])
        else:
            raise FileNotFoundError(self.path(src))
        self.delete(src)
