"""Test-support harness around headless LibreOffice Calc.

Functions:

* ``soffice_path()``      -- locate the LibreOffice executable.
* ``recalc()``            -- convert a workbook with every formula recalculated on load.
* ``error_cells()``       -- list spreadsheet error values in a recalculated workbook.
* ``render_png()``        -- render sheets to PNG (one image per sheet) for human review.
* ``require_libreoffice()`` -- skip the test (locally) or fail it (CI=true) if LibreOffice is missing.

Every LibreOffice run gets its own throw-away user profile
(``-env:UserInstallation``), so runs are isolated from each other and from
the user's own LibreOffice settings, and can run in parallel.

Facts checked on LibreOffice 25.2.3 (see tests/test_calc_engine.py):

* Without ``OOXMLRecalcMode = 0`` in the profile, Calc keeps the cached
  results stored in an xlsx (xlsxwriter stores 0, or whatever ``value=``
  says) instead of recalculating them.
* ``soffice --convert-to`` exits 0 even when the source cannot be loaded
  ("Error: source file could not be loaded" on stderr), so success is judged
  by the output file.
* python-calamine (0.9.x) returns error cells as ``""`` -- the same as an
  empty cell or a formula returning ``""`` -- so ``error_cells`` reads the
  error markers from the workbook XML itself.
* In xlsx output, LibreOffice maps its own ``Err:5xx`` codes to ``#VALUE!``
  (e.g. circular reference Err:522, invalid argument Err:502); ods output keeps
  the exact ``Err:5xx`` text.
* PDF export with ``SinglePageSheets`` gives exactly one page per sheet in
  workbook order, including hidden/very hidden and empty sheets (an empty
  sheet becomes a near-zero-height page, i.e. a 1-pixel-high PNG).  Print
  ranges, manual page breaks and fit-to-page settings are ignored.  Without
  ``SinglePageSheets`` hidden sheets are skipped and sheets are paginated.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

SOFFICE_TIMEOUT = 180.0
"""Seconds one LibreOffice run may take before it is killed."""

SOFFICE_FLAGS = ("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck")

PDF_SINGLE_PAGE_FILTER = (
    'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
)
"""``--convert-to`` argument: PDF export with each whole sheet on one page."""

RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
"""Profile settings: always recalculate OOXML and ODF formulas on load (0 = always)."""

ERROR_VALUES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
     "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
"""Error literals as written in xlsx files (LibreOffice ods adds ``Err:5xx``)."""

_ERR_RE = re.compile(r"^Err:\d{3}$")

_NS_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_ODS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_NS_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_DOC_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"


# --------------------------------------------------------------------------
# Locating and running LibreOffice
# --------------------------------------------------------------------------


def soffice_path() -> str | None:
    """Return the absolute path of ``soffice``/``libreoffice`` on PATH, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return os.path.abspath(found)
    return None


def is_error_value(value: object) -> bool:
    """True if ``value`` is a spreadsheet error literal (``#DIV/0!``, ``Err:502`` ...)."""
    return isinstance(value, str) and (value in ERROR_VALUES or bool(_ERR_RE.match(value)))


def _child_env(profile: Path) -> dict[str, str]:
    """Environment for soffice; replaces HOME if it is missing or unusable."""
    env = os.environ.copy()
    home = env.get("HOME", "")
    if not home or not os.path.isdir(home) or not os.access(home, os.W_OK):
        env["HOME"] = str(profile)
    return env


def _run_soffice(
    src: Path,
    outdir: Path,
    convert_to: str,
    ext: str,
    *,
    force_recalc: bool = True,
    timeout: float = SOFFICE_TIMEOUT,
) -> Path:
    """Run one ``soffice --convert-to`` with a fresh profile; return the output file."""
    src = Path(src).expanduser().resolve(strict=True)
    if not src.is_file():
        raise FileNotFoundError(f"not a file: {src}")
    outdir = Path(outdir).expanduser().resolve()
    target = outdir / f"{src.stem}.{ext}"
    if target == src or (target.exists() and os.path.samefile(target, src)):
        raise ValueError(
            f"output {target} would overwrite the source; use an outdir other than {src.parent}"
        )
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice/libreoffice) not found on PATH")

    outdir.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()  # never mistake a stale output for success

    profile = Path(tempfile.mkdtemp(prefix="nastavnik-lo-profile-"))
    try:
        if force_recalc:
            (profile / "user").mkdir()
            (profile / "user" / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            *SOFFICE_FLAGS,
            "--convert-to", convert_to,
            "--outdir", str(outdir),
            str(src),
        ]
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(profile),
            env=_child_env(profile),
            start_new_session=(os.name == "posix"),
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            out, err = proc.communicate()
            raise RuntimeError(
                f"soffice timed out after {timeout:g}s converting {src}\n"
                f"command: {cmd}\nstdout:\n{_text(out)}\nstderr:\n{_text(err)}"
            ) from None
        elapsed = time.monotonic() - started
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    if not target.is_file() or target.stat().st_size == 0:
        raise RuntimeError(
            f"soffice produced no output {target} from {src} "
            f"(exit code {proc.returncode}, {elapsed:.1f}s)\n"
            f"command: {cmd}\nstdout:\n{_text(out)}\nstderr:\n{_text(err)}"
        )
    return target


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill a timed-out soffice and the processes it started (its own session)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass


def _text(data: bytes | None) -> str:
    """Decode captured process output for error messages."""
    return (data or b"").decode("utf-8", errors="replace").strip()


# --------------------------------------------------------------------------
# Recalculation
# --------------------------------------------------------------------------


def recalc(
    src: Path,
    outdir: Path,
    fmt: str = "xlsx",
    *,
    force_recalc: bool = True,
    timeout: float = SOFFICE_TIMEOUT,
) -> Path:
    """Convert ``src`` into ``outdir/<stem>.<fmt>`` with all formulas recalculated.

    ``fmt`` is an extension ("xlsx", "ods", ...) optionally followed by
    ``:FilterName`` as accepted by ``--convert-to``.  ``force_recalc=False``
    omits the recalculation setting (only useful to demonstrate that it is
    needed).  Raises ValueError if the output would overwrite ``src``,
    RuntimeError if LibreOffice is missing, fails, or times out.
    """
    ext = fmt.split(":", 1)[0].strip().lstrip(".")
    if not ext:
        raise ValueError(f"bad fmt {fmt!r}")
    return _run_soffice(src, outdir, fmt, ext, force_recalc=force_recalc, timeout=timeout)


# --------------------------------------------------------------------------
# Error cells
# --------------------------------------------------------------------------


def col_letters(col: int) -> str:
    """0-based column index -> letters (0 -> "A", 26 -> "AA")."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> A1 address."""
    return f"{col_letters(col)}{row + 1}"


def _a1_to_rc(ref: str) -> tuple[int, int]:
    """A1 address -> 0-based (row, col)."""
    m = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", ref)
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _local(tag: str) -> str:
    """Strip the ``{namespace}`` from an ElementTree tag."""
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map sheet name -> worksheet part path inside an xlsx package."""
    rels_root = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets: dict[str, str] = {}
    for rel in rels_root.iter(f"{{{_NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            parts: list[str] = []
            for piece in PurePosixPath("xl", target).parts:
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece != ".":
                    parts.append(piece)
            path = "/".join(parts)
        targets[rel.get("Id", "")] = path
    wb_root = ET.fromstring(zf.read("xl/workbook.xml"))
    result: dict[str, str] = {}
    for el in wb_root.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = el.get(f"{{{_NS_DOC_REL}}}id") or el.get(f"{{{_NS_DOC_REL_STRICT}}}id")
        if rid in targets:
            result[el.get("name", "")] = targets[rid]
    return result


def _xlsx_errors(path: Path, sheets: list[str]) -> list[tuple[str, str, object]]:
    """Error cells (``<c t="e">``) of the given sheets of an xlsx file."""
    found: list[tuple[str, str, object]] = []
    with zipfile.ZipFile(path) as zf:
        parts = _xlsx_sheet_parts(zf)
        for sheet in sheets:
            part = parts.get(sheet)
            if part is None or part not in zf.namelist():
                continue  # chartsheet or missing part: no cells
            row = -1
            col = -1
            with zf.open(part) as fh:
                for event, el in ET.iterparse(fh, events=("start", "end")):
                    name = _local(el.tag)
                    if event == "start":
                        if name == "row":
                            r = el.get("r")
                            row = int(r) - 1 if r else row + 1
                            col = -1
                        continue
                    if name == "c":
                        ref = el.get("r")
                        if ref:
                            row, col = _a1_to_rc(ref)
                        else:
                            col += 1
                        if el.get("t") == "e":
                            value = ""
                            for child in el:
                                if _local(child.tag) == "v":
                                    value = child.text or ""
                            found.append((sheet, a1(row, col), value))
                        el.clear()
                    elif name == "row":
                        el.clear()
    return found


def _ods_errors(path: Path, sheets: list[str]) -> list[tuple[str, str, object]]:
    """Error cells (``calcext:value-type="error"``) of the given sheets of an ods file."""
    t = f"{{{_NS_ODS_TABLE}}}"
    wanted = set(sheets)
    per_sheet: dict[str, list[tuple[str, str, object]]] = {s: [] for s in sheets}
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        sheet: str | None = None
        row = 0
        depth_in_cell = 0
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{t}table" and depth_in_cell == 0:
                    sheet = el.get(f"{t}name")
                    row = 0
                elif tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                    depth_in_cell += 1
                continue
            if tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                depth_in_cell -= 1
            elif tag == f"{t}table-row" and depth_in_cell == 0:
                nrows = int(el.get(f"{t}number-rows-repeated", "1"))
                if sheet in wanted:
                    col = 0
                    for cell in el:
                        if cell.tag not in (f"{t}table-cell", f"{t}covered-table-cell"):
                            continue
                        ncols = int(cell.get(f"{t}number-columns-repeated", "1"))
                        if cell.get(f"{{{_NS_ODS_CALCEXT}}}value-type") == "error":
                            text = "\n".join(
                                "".join(p.itertext())
                                for p in cell
                                if _local(p.tag) == "p"
                            )
                            for dr in range(nrows):
                                for dc in range(ncols):
                                    per_sheet[sheet].append((sheet, a1(row + dr, col + dc), text))
                        col += ncols
                row += nrows
                el.clear()
            elif tag == f"{t}table" and depth_in_cell == 0:
                sheet = None
                el.clear()
    return [item for s in sheets for item in per_sheet[s]]


def error_cells(xlsx: Path, sheets: list[str] | None = None) -> list[tuple[str, str, object]]:
    """List ``(sheet, A1-address, error)`` for every cell holding a spreadsheet error.

    Run it on a *recalculated* book (see ``recalc``): before recalculation the
    cached results are whatever the writer stored (xlsxwriter: 0).  Works on
    .xlsx/.xlsm (error text such as ``"#DIV/0!"``; LibreOffice writes its
    ``Err:5xx`` codes as ``"#VALUE!"``) and .ods (LibreOffice text such as
    ``"#DIV/0!"`` or ``"Err:502"``).  Order: workbook sheet order, then row
    by row.  Sheet names come from python-calamine; the error markers come
    from the XML because python-calamine returns error cells as ``""``.
    """
    from python_calamine import CalamineWorkbook

    path = Path(xlsx).expanduser().resolve(strict=True)
    with CalamineWorkbook.from_path(str(path)) as wb:
        all_sheets = list(wb.sheet_names)
    if sheets is None:
        chosen = all_sheets
    else:
        unknown = [s for s in sheets if s not in all_sheets]
        if unknown:
            raise ValueError(f"unknown sheet(s) {unknown}; workbook has {all_sheets}")
        chosen = [s for s in all_sheets if s in set(sheets)]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_errors(path, chosen)
    if suffix == ".ods":
        return _ods_errors(path, chosen)
    raise ValueError(f"error_cells supports .xlsx/.xlsm/.ods, not {path.name}")


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _sheet_list(src: Path) -> list[tuple[str, bool]]:
    """``(name, visible)`` for every sheet of a workbook, in workbook order."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    with CalamineWorkbook.from_path(str(src)) as wb:
        return [(m.name, m.visible == SheetVisibleEnum.Visible) for m in wb.sheets_metadata]


def _pdf_pages(pdf: Path) -> int:
    """Number of pages of a PDF, via poppler's pdfinfo."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        raise RuntimeError("pdfinfo (poppler-utils) not found on PATH")
    res = subprocess.run(
        [pdfinfo, str(pdf)], capture_output=True, text=True, timeout=60, check=False
    )
    m = re.search(r"^Pages:\s+(\d+)", res.stdout, re.MULTILINE)
    if res.returncode != 0 or not m:
        raise RuntimeError(f"pdfinfo failed on {pdf}:\n{res.stdout}\n{res.stderr}")
    return int(m.group(1))


def _safe_name(name: str) -> str:
    """Sheet name -> file-name-safe fragment (keeps Cyrillic letters)."""
    return re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("._") or "sheet"


def render_png(
    src: Path,
    outdir: Path,
    sheet_names: list[str] | None = None,
    dpi: int = 80,
    *,
    timeout: float = SOFFICE_TIMEOUT,
) -> list[Path]:
    """Render sheets of ``src`` to PNG files in ``outdir``; one PNG per sheet.

    Formulas are recalculated first.  LibreOffice exports a PDF
    (``outdir/<stem>.pdf``, kept) with each whole sheet on a single page,
    then ``pdftoppm`` rasterises the page of each requested sheet to
    ``outdir/<stem>-<NN>-<sheet>.png`` (NN = 1-based sheet position).
    ``sheet_names=None`` means all sheets, hidden ones included (LibreOffice
    25.2 exports hidden sheets with SinglePageSheets).  An empty sheet gives
    a 1-pixel-high image.  Returns the PNG paths in the requested order.
    """
    src = Path(src).expanduser().resolve(strict=True)
    outdir = Path(outdir).expanduser().resolve()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RuntimeError("pdftoppm (poppler-utils) not found on PATH")
    sheets = _sheet_list(src)
    names = [n for n, _ in sheets]
    wanted = names if sheet_names is None else list(sheet_names)
    unknown = [s for s in wanted if s not in names]
    if unknown:
        raise ValueError(f"unknown sheet(s) {unknown}; workbook has {names}")

    pdf = _run_soffice(src, outdir, PDF_SINGLE_PAGE_FILTER, "pdf", timeout=timeout)
    pages = _pdf_pages(pdf)
    if pages == len(sheets):
        page_of = {n: i + 1 for i, n in enumerate(names)}
    elif pages == sum(v for _, v in sheets):
        # Fallback in case a LibreOffice version skips hidden sheets.
        visible = [n for n, v in sheets if v]
        page_of = {n: i + 1 for i, n in enumerate(visible)}
    else:
        raise RuntimeError(
            f"{pdf} has {pages} pages for {len(sheets)} sheets {names}; "
            "cannot map sheets to pages (SinglePageSheets not applied?)"
        )

    result: list[Path] = []
    for name in wanted:
        page = page_of.get(name)
        if page is None:
            raise RuntimeError(f"sheet {name!r} is hidden and was not exported to {pdf}")
        index = names.index(name)
        prefix = outdir / f"{src.stem}-{index + 1:02d}-{_safe_name(name)}"
        png = prefix.with_name(prefix.name + ".png")
        if png.exists():
            png.unlink()
        cmd = [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
               "-singlefile", str(pdf), str(prefix)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if res.returncode != 0 or not png.is_file() or png.stat().st_size == 0:
            raise RuntimeError(
                f"pdftoppm failed for sheet {name!r} (page {page}) of {pdf} "
                f"(exit code {res.returncode})\n{res.stdout}\n{res.stderr}"
            )
        result.append(png)
    return result


def png_size(png: Path) -> tuple[int, int]:
    """``(width, height)`` in pixels of a PNG file, read from its IHDR chunk."""
    head = Path(png).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"not a PNG: {png}")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


# --------------------------------------------------------------------------
# pytest helper
# --------------------------------------------------------------------------


def require_libreoffice() -> str:
    """Return the soffice path; if missing, fail the test when CI=true, else skip it."""
    import pytest

    path = soffice_path()
    if path is None:
        msg = "LibreOffice (soffice/libreoffice) not found on PATH"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{msg}; it is required when CI=true", pytrace=False)
        pytest.skip(msg)
    return path
