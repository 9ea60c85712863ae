"""Decoding and reading Japanese open-data CSV files the way they really arrive.

Municipal and ministry files come as UTF-8 with or without a BOM, Shift_JIS or its Windows superset
CP932, with CRLF, LF or classic-Mac CR-only line endings, header cells spanning several physical lines,
two-row (merged) headers, trailing commas, short rows and footer rows after a blank line. The encoding
is detected by strict decoding and recorded with every row; a file no candidate decodes is an error,
never a silent guess (no ``errors="replace"``).

Shift_JIS-compatible files are decoded with the CP932 table: almost every such file is written on
Windows, where 0x8160 means ～ (U+FF5E), not the JIS 〜 (U+301C). The recorded encoding still says
``shift_jis`` when the bytes use no CP932 extension (NEC/IBM characters such as ①, ㈱, 髙).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

BOM = b"\xef\xbb\xbf"
ENCODINGS = ("utf-8-sig", "utf-8", "shift_jis", "cp932")


class EncodingError(ValueError):
    """No supported encoding decodes the bytes strictly."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8-sig | utf-8 | shift_jis | cp932
    line_ending: str  # CRLF | LF | CR | mixed | none


def line_ending(data: bytes) -> str:
    crlf = data.count(b"\r\n")
    cr = data.count(b"\r") - crlf
    lf = data.count(b"\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


# Python's cp932 codec maps the single bytes 0x80, 0xA0 and 0xFD–0xFF to a C1 control and private-use
# characters; no real text contains them, so text holding them is treated as not CP932 at all.
CP932_JUNK = re.compile("[\u0080\uf8f0-\uf8f3]")


def _decodes(data: bytes, enc: str) -> bool:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return False
    return not (enc == "cp932" and CP932_JUNK.search(text))


def detect_encoding(data: bytes) -> str:
    """The first of utf-8-sig (BOM), utf-8, shift_jis, cp932 that decodes ``data`` strictly."""
    if b"\x00" in data:
        raise EncodingError("file contains NUL bytes: binary, or UTF-16/32, not a CSV this reader accepts")
    if data.startswith(BOM):
        data[3:].decode("utf-8")  # a BOM followed by invalid UTF-8 is an error, not CP932
        return "utf-8-sig"
    for enc in ("utf-8", "shift_jis", "cp932"):
        if _decodes(data, enc):
            return enc
    raise EncodingError("bytes are not valid UTF-8, Shift_JIS or CP932")


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``; ``declared`` (from configuration) is verified strictly instead of detected."""
    if declared:
        enc = declared.lower().replace("_", "-")
        enc = {"sjis": "shift_jis", "shift-jis": "shift_jis", "utf8": "utf-8", "utf-8-bom": "utf-8-sig",
               "windows-31j": "cp932", "ms932": "cp932"}.get(enc, enc)
        if enc == "utf-8" and data.startswith(BOM):
            enc = "utf-8-sig"
        try:
            data.decode("cp932" if enc == "shift_jis" else enc)
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingError(f"file is not valid {declared}: {exc}") from None
    else:
        try:
            enc = detect_encoding(data)
        except UnicodeDecodeError as exc:
            raise EncodingError(f"file starts with a UTF-8 BOM but is not valid UTF-8: {exc}") from None
    text = data.decode("cp932" if enc == "shift_jis" else enc)
    return Decoded(text=text, encoding=enc, line_ending=line_ending(data))


def read_rows(text: str) -> list[list[str]]:
    """CSV rows of ``text``; CR, LF and CRLF all end a record, quoted cells keep embedded newlines."""
    return list(csv.reader(io.StringIO(text, newline="")))


def header_name(cell: str) -> str:
    """A header cell as one line: embedded newlines (Excel-style wrapped headers) and edge spaces go."""
    return re.sub(r"\s*[\r\n]+\s*", "", cell).strip()


def combine_headers(rows: list[list[str]]) -> list[str]:
    """Column names from one or more header rows; merged (spanning) cells are carried to the right.

    ``[["人口", "", "世帯"], ["男", "女", ""]]`` → ``["人口_男", "人口_女", "世帯"]``. Empty or repeated
    names become ``_col<N>`` (1-based) or get a ``_<k>`` suffix, so every column has a unique name.
    """
    width = max(len(r) for r in rows)
    filled: list[list[str]] = []
    for depth, row in enumerate(rows):
        cells = [header_name(c) for c in row] + [""] * (width - len(row))
        if depth < len(rows) - 1:  # spanning labels: carry right over empty cells
            last = ""
            for i, cell in enumerate(cells):
                if cell:
                    last = cell
                elif last:
                    cells[i] = last
        filled.append(cells)
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(width):
        parts = [filled[d][i] for d in range(len(rows)) if filled[d][i]]
        parts = [p for j, p in enumerate(parts) if j == 0 or p != parts[j - 1]]
        name = "_".join(parts) or f"_col{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names


@dataclass
class CsvTable:
    """A decoded CSV file: column names, data rows (row number, cells) and rows set aside, with why."""

    decoded: Decoded
    columns: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    set_aside: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        return [(n, dict(zip(self.columns, cells, strict=True))) for n, cells in self.rows]


def parse_csv(data: bytes, *, header_rows: int = 1, declared_encoding: str | None = None,
              has_header: bool = True, columns: list[str] | None = None) -> CsvTable:
    """Decode and split a CSV file into named rows.

    - short rows are padded with empty cells (trailing empty columns are often left out);
    - a row longer than the header whose extra cells are empty is trimmed; with non-empty extra cells
      it is set aside as ``too_many_fields`` (a shifted row must not land in the wrong columns);
    - blank rows are skipped; rows after the last blank row that are not followed by data, when the
      file's data rows came before, are a footer (``footer_row``), e.g. a title/version line.
    Row numbers are 1-based record numbers of the file (a header spanning lines counts as one record).
    """
    decoded = decode_bytes(data, declared_encoding)
    raw = read_rows(decoded.text)
    if has_header:
        if len(raw) < header_rows:
            raise ValueError("file has no header row")
        names = combine_headers(raw[:header_rows])
        body = list(enumerate(raw[header_rows:], start=header_rows + 1))
    else:
        width = max((len(r) for r in raw), default=0)
        names = columns or [f"_col{i + 1}" for i in range(width)]
        body = list(enumerate(raw, start=1))
    table = CsvTable(decoded, names)
    blank = [not any(c.strip() for c in cells) for _, cells in body]
    end = max((i + 1 for i, b in enumerate(blank) if not b), default=0)
    last_blank = max((i for i in range(end) if blank[i]), default=-1)
    footer_from = end
    if last_blank > 0 and end - (last_blank + 1) <= 3:  # a few rows after a blank line: a footer
        footer_from = last_blank + 1
    for index, (number, cells) in enumerate(body):
        if not any(c.strip() for c in cells):
            continue
        if index >= footer_from:
            table.set_aside.append((number, "footer_row", cells))
            continue
        if len(cells) > len(names):
            extra = cells[len(names):]
            if any(c.strip() for c in extra):
                table.set_aside.append((number, "too_many_fields", cells))
                continue
            cells = cells[:len(names)]
        table.rows.append((number, cells + [""] * (len(names) - len(cells))))
    return table
