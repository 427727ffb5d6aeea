"""Reading ledger files as streams of rows.

A ledger is an .xlsx workbook, one .csv file, a folder of CSV files or a .zip of them. Each
worksheet or file becomes a `Table` whose rows are read on demand, so that a workbook of
150,000 rows is never held in memory: workbooks are opened read-only and every row is read
whatever the sheet's dimension tag claims (a tag that understates the size would otherwise cut
the sheet short without a word).

Archives (an .xlsx is a zip too) are checked before anything is parsed: every member is
unpacked once as a stream, counting bytes, and the archive is refused as soon as a member
exceeds the size or compression-ratio bound or all members together exceed the total bound
(a 64 KB upload that unpacks to gigabytes would otherwise tie up the process that parses it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: A cell after reading: text (stripped), or a date / datetime / bool kept from Excel.
Cell = str | dt.date | dt.datetime | bool

#: Members smaller than this are never refused for their compression ratio (tiny XML parts
#: compress extremely well and are harmless).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_MEMBERS = 5000
_CHUNK = 1 << 16


class LedgerFileError(Exception):
    """The file as a whole cannot be read (wrong type, corrupt, too big unpacked, no sheet)."""


@dataclass
class Table:
    """One worksheet or CSV file: its name and its rows, read afresh on every call."""

    name: str
    open_rows: Callable[[], Iterator[Sequence[Any]]]
    #: the number of rows the file claims (a workbook's dimension tag); only a progress hint
    size_hint: int | None = None

    def rows(self) -> Iterator[list[Cell]]:
        for raw in self.open_rows():
            yield [to_cell(value) for value in raw]


def to_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool | dt.date):  # datetime is a date too
        return value
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # Excel keeps every number as a float: 12.0 is "12"
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


# --- archive bounds ---------------------------------------------------------------------------


def unpacked_limit() -> int:
    return int(getattr(settings, "LEDGER_UNPACKED_MAX_BYTES", 256 * 1024 * 1024))


def ratio_limit() -> int:
    return int(getattr(settings, "LEDGER_UNPACKED_MAX_RATIO", 100))


def _too_big() -> LedgerFileError:
    return LedgerFileError(
        _(
            "The file unpacks to far more data than a ledger holds (more than %(limit)s, or "
            "compressed more than %(ratio)s to 1); it was not read. Save the workbook again "
            "in Excel or WPS and upload that file."
        )
        % {"limit": filesizeformat(unpacked_limit()), "ratio": ratio_limit()}
    )


def _member_allowance(info: zipfile.ZipInfo) -> int:
    by_ratio = max(RATIO_FLOOR_BYTES, ratio_limit() * max(info.compress_size, 1))
    return min(unpacked_limit(), by_ratio)


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose members unpack beyond the bounds; reads each member once as a
    stream (never more than the allowance plus one chunk is unpacked), so that the headers'
    declared sizes are not simply trusted."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _too_big()
    if sum(info.file_size for info in infos) > unpacked_limit():
        raise _too_big()
    if any(info.file_size > _member_allowance(info) for info in infos):
        raise _too_big()
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        allowance, read = _member_allowance(info), 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    read += len(chunk)
                    total += len(chunk)
                    if read > allowance or total > unpacked_limit():
                        raise _too_big()
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise LedgerFileError(
                _("The file is damaged (%(error)s); save it again and upload that file.")
                % {"error": exc}
            ) from exc


def open_archive(stream: IO[bytes]) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LedgerFileError(_("The file is not a valid .xlsx or .zip file.")) from exc
    try:
        check_archive(archive)
    except LedgerFileError:
        archive.close()
        raise
    return archive


# --- CSV --------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; else GB18030 (Chinese Excel saves CSV in GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise LedgerFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from exc


def _csv_table(name: str, load: Callable[[], bytes]) -> Table:
    def rows() -> Iterator[Sequence[Any]]:
        reader = csv.reader(io.StringIO(_decode(load()), newline=""))
        try:
            yield from reader
        except csv.Error as exc:
            raise LedgerFileError(
                _("%(name)s is not a readable CSV file.") % {"name": name}
            ) from exc

    return Table(name=name, open_rows=rows)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _csv_zip_tables(archive: zipfile.ZipFile) -> list[Table]:
    tables = []
    for info in archive.infolist():
        name = Path(_member_name(info)).name
        if info.is_dir() or name.startswith(".") or "__MACOSX" in info.filename:
            continue
        if name.lower().endswith(".csv"):
            tables.append(_csv_table(name[:-4], lambda info=info: archive.read(info)))
    return tables


# --- workbooks --------------------------------------------------------------------------------


def _worksheet_table(worksheet: Any) -> Table:
    # The dimension tag is only a hint for the progress bar: reading uses the real extent.
    hint = worksheet.max_row if isinstance(worksheet.max_row, int) else None
    worksheet.reset_dimensions()

    def rows() -> Iterator[Sequence[Any]]:
        return worksheet.iter_rows(values_only=True)

    return Table(name=worksheet.title, open_rows=rows, size_hint=hint)


def _workbook_tables(stream: IO[bytes], stack: ExitStack) -> list[Table]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LedgerFileError(_("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
    stack.callback(workbook.close)
    return [_worksheet_table(ws) for ws in workbook.worksheets if hasattr(ws, "iter_rows")]


def _unsupported() -> LedgerFileError:
    return LedgerFileError(
        _(
            "Unsupported file: give an .xlsx workbook, a .zip of CSV files, a .csv file "
            "or a folder of CSV files (an old .xls workbook: save it as .xlsx first)."
        )
    )


def _stream_tables(stream: IO[bytes], name: str, stack: ExitStack) -> list[Table]:
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(b"PK"):
        archive = open_archive(stream)
        if "xl/workbook.xml" in archive.namelist():
            archive.close()  # checked; openpyxl reads the workbook on its own
            stream.seek(0)
            return _workbook_tables(stream, stack)
        stack.callback(archive.close)
        return _csv_zip_tables(archive)
    if name.lower().endswith(".csv"):
        limit = int(getattr(settings, "LEDGER_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)) * 4
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise _too_big()
        return [_csv_table(Path(name).stem, lambda: data)]
    raise _unsupported()


def _folder_tables(folder: Path) -> list[Table]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    return [_csv_table(path.stem, path.read_bytes) for path in files]


@contextmanager
def open_tables(source: str | Path | IO[bytes], name: str) -> Iterator[list[Table]]:
    """Every table of a workbook, a folder of CSV files, a .zip of them, or one CSV file; the
    files stay open (and the tables readable) inside the `with` block."""
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            path = Path(source)
            if path.is_dir():
                yield _folder_tables(path)
                return
            if not path.is_file():
                raise LedgerFileError(_("No such file or folder: %(path)s") % {"path": path})
            stream: IO[bytes] = stack.enter_context(path.open("rb"))
        else:
            stream = source
        yield _stream_tables(stream, name, stack)


def check_file(source: IO[bytes], name: str) -> None:
    """Open and check a file as the import would (type, archive bounds, readable workbook)
    without reading its rows: what the upload page does before it keeps an upload."""
    with open_tables(source, name):
        pass
