"""The source-only VBA project writer, stream by stream against [MS-OVBA] and [MS-CFB], read back by oletools.

Section numbers are those of [MS-OVBA] (Office VBA File Format Structure) unless marked MS-CFB.
"""

from __future__ import annotations

import importlib.metadata
import io
import random
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
from oletools import olevba
from oletools.olevba import decompress_stream

from nastavnik_xl.excel import vba_build
from nastavnik_xl.excel.buttons import (
    BUTTONS,
    BUTTONS_MODULE,
    DISPATCHER_MODULE,
    DISPATCHER_SUB,
    add_buttons,
    buttons_module_source,
)
from nastavnik_xl.vba import cfb
from nastavnik_xl.vba.compression import compress, copy_token_help, decompress, pack_copy_token, unpack_copy_token
from nastavnik_xl.vba.project import (
    VBA_PROJECT_STREAM,
    Module,
    ModuleKind,
    Project,
    crlf,
    decrypt,
    dir_stream,
    encrypt,
    excel_documents,
    module_stream,
    project_key,
    project_stream,
    project_streams,
    projectwm_stream,
    vba_project_bin,
)

PINNED_XLWINGS = "0.37.8"
SHEETS = ("Панель", "Наставники", "Пары")
RUSSIAN = 'Attribute VB_Name = "Russian"\nSub Hello()\n    MsgBox "Привет, куратор! Персучёт — «III квартал»"\nEnd Sub\n'


def project(sheets: int = len(SHEETS)) -> Project:
    return vba_build.build_project(sheets)


def build_test_xlsm(path: Path, sheets: tuple[str, ...] = SHEETS) -> Path:
    """An .xlsm as the template will be: the project of macros/, the buttons on «Панель», a Table with a dropdown."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": __import__("datetime").datetime(2000, 1, 1)})
    sheet_objs = [wb.add_worksheet(name) for name in sheets]
    wb.add_vba_project(io.BytesIO(vba_build.build_vba_project(len(sheets))), is_stream=True)
    add_buttons(sheet_objs[0], 1, 1)
    data = sheet_objs[1]
    data.add_table(0, 0, 3, 1, {"name": "Наставники", "columns": [{"header": "ID наставника"}, {"header": "Статус"}],
                                "data": [["НК-1", "активен"], ["НК-2", "обучен"], ["НК-3", "выбыл"]]})
    data.data_validation(1, 1, 3, 1, {"validate": "list", "source": ["активен", "обучен", "выбыл"]})
    wb.close()
    return path


def vba_of(path: Path) -> dict[str, str]:
    """Module name → source, as oletools extracts it from a file."""
    parser = olevba.VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


# --- 2.4.1 Compression -----------------------------------------------------------------------------


def _samples() -> dict[str, bytes]:
    rng = random.Random(14)
    source = (vba_build.macros_dir() / "xlwings.bas").read_bytes()
    return {
        "empty": b"",
        "one byte": b"x",
        "a VBA module (several chunks)": source,
        "Cyrillic in cp1251": crlf(RUSSIAN * 40).encode("cp1251"),
        "a run longer than any copy token": b"a" * 10_000,
        "exactly one chunk": bytes(rng.choice(b"abcdef ") for _ in range(4096)),
        "one chunk and a byte": bytes(rng.choice(b"abcdef ") for _ in range(4097)),
        "incompressible full chunk, then text (RawChunk, 2.4.1.3.10)": rng.randbytes(4096) + b"End Sub\r\n" * 50,
    }


@pytest.mark.parametrize("name", list(_samples()))
def test_compression_round_trips_through_oletools(name: str) -> None:
    """2.4.1.3.6 Compression algorithm: oletools' decompressor (2.4.1.3.1) gives the input back."""
    data = _samples()[name]
    container = compress(data)
    assert container[0] == 0x01  # 2.4.1.1.1 SignatureByte
    assert decompress_stream(bytearray(container)) == data
    assert decompress(container) == data


def test_compressed_chunks_have_valid_headers() -> None:
    """2.4.1.1.5 CompressedChunkHeader: size − 3 in 12 bits, signature 0b011, flag; at most 4098 bytes a chunk."""
    container = compress((vba_build.macros_dir() / "xlwings.bas").read_bytes())
    at, chunks = 1, 0
    while at < len(container):
        header = int.from_bytes(container[at:at + 2], "little")
        assert header >> 12 & 0b111 == 0b011
        size = (header & 0x0FFF) + 3
        assert size <= 4098 and header >> 15 == 1  # source text always compresses
        at += size
        chunks += 1
    assert at == len(container) and chunks > 5


def test_copy_token_help_matches_the_specification() -> None:
    """2.4.1.3.19.1 CopyToken Help: bit count max(ceil(log2(difference)), 4), maximum length 0xFFFF >> bits + 3."""
    assert copy_token_help(1) == (0x0FFF, 4, 4098)
    assert copy_token_help(16) == (0x0FFF, 4, 4098)
    assert copy_token_help(17) == (0x07FF, 5, 2050)
    assert copy_token_help(4096) == (0x000F, 12, 18)
    for position in (3, 17, 100, 2049, 4096):
        _, _, maximum = copy_token_help(position)
        token = pack_copy_token(position, maximum, position)  # 2.4.1.3.19.3 Pack CopyToken
        assert unpack_copy_token(token, position) == (position, maximum)  # 2.4.1.3.19.2


def test_incompressible_short_last_chunk_is_refused() -> None:
    """A RawChunk always holds 4096 bytes (2.4.1.1.4): a short incompressible tail cannot be stored losslessly."""
    with pytest.raises(ValueError, match="do not compress"):
        compress(random.Random(1).randbytes(4000))


def test_our_decompressor_reads_xlwings_own_streams() -> None:
    """2.4.1.3.1 Decompression on streams Excel wrote (xlwings' shipped quickstart book)."""
    book = vba_build.xlwings_package_dir() / vba_build.XLWINGS_SOURCE_BOOK
    with zipfile.ZipFile(book) as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    for stream in ("VBA/dir", "VBA/xlwings"):
        raw = ole.openstream(stream).read()
        assert decompress(raw) == decompress_stream(bytearray(raw))


# --- MS-CFB: the compound file ------------------------------------------------------------------------


def test_compound_file_holds_every_stream() -> None:
    """MS-CFB 2.2 header, 2.3 FAT, 2.5 mini FAT and 2.6 directory: olefile reads back every stream, strictly."""
    streams = project_streams(project())
    data = cfb.write_cfb(streams)
    assert data[:8] == cfb.SIGNATURE and len(data) % cfb.SECTOR == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    big = {"BIG": bytes(range(256)) * 40, "small": b"s" * 100}  # 10 KB: regular sectors; 100 B: the mini stream
    ole = olefile.OleFileIO(io.BytesIO(cfb.write_cfb(big)), raise_defects=olefile.DEFECT_INCORRECT)
    assert {k: ole.openstream(k).read() for k in big} == big


def test_compound_file_directory_is_a_sorted_black_tree() -> None:
    """MS-CFB 2.6.4: siblings form a binary search tree by (length, upper case); all nodes black is valid."""
    data = cfb.write_cfb(project_streams(project()))
    first_directory = struct.unpack_from("<I", data, 48)[0]
    raw = data[cfb.SECTOR * (1 + first_directory):]
    entries = []
    for i in range(len(raw) // cfb.ENTRY_SIZE):
        e = raw[i * cfb.ENTRY_SIZE:(i + 1) * cfb.ENTRY_SIZE]
        length = struct.unpack_from("<H", e, 64)[0]
        if e[66] == 0:
            break
        entries.append((e[:length - 2].decode("utf-16-le"), e[67], *struct.unpack_from("<III", e, 68)))

    def in_order(index: int) -> list[str]:
        if index == cfb.NOSTREAM:
            return []
        name, _, left, right, _ = entries[index]
        return in_order(left) + [name] + in_order(right)

    assert all(color == cfb.BLACK for _, color, *_ in entries)
    for name, _, _, _, child in entries:
        siblings = in_order(child)
        assert siblings == sorted(siblings, key=cfb.cfb_key), name
    assert in_order(entries[0][4]) == ["VBA", "PROJECT", "PROJECTwm"]


# --- the project's streams ---------------------------------------------------------------------------


def test_vba_project_stream_is_source_only() -> None:
    """2.3.4.1 _VBA_PROJECT: Reserved1 0x61CC, Version 0xFFFF (no compiled code), 7 bytes, as xlwings ships it."""
    assert VBA_PROJECT_STREAM == bytes.fromhex("CC61FFFF000100")
    book = vba_build.xlwings_package_dir() / vba_build.XLWINGS_SOURCE_BOOK
    with zipfile.ZipFile(book) as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_STREAM


def test_dir_stream_parses_strictly() -> None:
    """2.3.4.2 dir Stream: oletools parses every record without a single unexpected value (relaxed=False)."""
    data = vba_project_bin(project())
    ole = olefile.OleFileIO(io.BytesIO(data))
    parsed = olevba.VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    parsed.parse_project_stream()
    list(parsed.parse_modules())
    assert (parsed.syskind, parsed.lcid, parsed.lcidinvoke, parsed.codepage) == (3, 0x409, 0x409, 1251)
    assert parsed.projectname == "VBAProject"
    modules = {m.name: m for m in parsed.modules}
    assert list(modules) == [m.name for m in project().modules]
    for m in project().modules:
        got = modules[m.name]
        assert got.textoffset == 0  # 2.3.4.2.3.2.5 MODULEOFFSET: the stream starts with source
        assert got.type == (0x21 if m.kind is ModuleKind.PROCEDURAL else 0x22)  # 2.3.4.2.3.2.8 MODULETYPE
        assert got.streamname == m.name and got._name_unicode == m.name


def test_dir_stream_references_and_terminator() -> None:
    """2.3.4.2.2 PROJECTREFERENCES (stdole, REFERENCEREGISTERED 0x000D) and the 0x0010 terminator."""
    raw = dir_stream(project())
    assert raw.endswith(struct.pack("<HI", 0x0010, 0))
    assert b"\x16\x00\x06\x00\x00\x00stdole" in raw
    libid = rb"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
    assert libid in raw and raw[raw.index(libid) - 10:raw.index(libid) - 8] == b"\x0d\x00"


def test_project_stream_lists_modules_and_clear_protection() -> None:
    """2.3.1 PROJECT Stream: ID, Document/Module/Class lines, CMG/DPB/GC per 2.3.1.15–2.3.1.17, host extender."""
    p = project()
    text = project_stream(p).decode("cp1251")
    lines = text.split("\r\n")
    assert lines[0] == f'ID="{p.project_id}"' and re.fullmatch(r"\{[0-9A-F-]{36}\}", p.project_id)
    assert "Document=ThisWorkbook/&H00000000" in lines and "Document=Sheet3/&H00000000" in lines
    assert {"Module=Nastavnik", "Module=Buttons", "Module=xlwings", "Class=Dictionary"} <= set(lines)
    assert "[Host Extender Info]" in lines and "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000" in lines
    fields = {k: bytes.fromhex(v.strip('"')) for k, _, v in (line.partition("=") for line in lines)
              if k in ("CMG", "DPB", "GC")}
    key = project_key(p.project_id)
    assert decrypt(fields["CMG"]) == (key, b"\x00\x00\x00\x00")  # 2.3.1.15: not protected
    assert decrypt(fields["DPB"]) == (key, b"\x00")  # 2.3.1.16: no password
    assert decrypt(fields["GC"]) == (key, b"\xff")  # 2.3.1.17: visible


def test_data_encryption_reads_xlwings_fields() -> None:
    """2.4.3 Data Encryption: our decryption reads the CMG/DPB/GC Excel wrote for xlwings' book, whose project
    key is the byte sum of its ID (2.4.3.2); our encryption round-trips."""
    xlwings_id = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    assert decrypt(bytes.fromhex("8D8FA61394EA98EA98EA98EA98")) == (project_key(xlwings_id), b"\x00" * 4)
    assert decrypt(bytes.fromhex("8D8FA61394EF95EF95EF")) == (project_key(xlwings_id), b"\x00")
    assert decrypt(bytes.fromhex("8D8FA61394EF95EF9510")) == (project_key(xlwings_id), b"\xff")
    for label in ("CMG", "DPB", "GC", "other"):
        assert decrypt(encrypt(b"\x01\x02\x03", xlwings_id, label)) == (project_key(xlwings_id), b"\x01\x02\x03")


def test_projectwm_stream_maps_every_module() -> None:
    """2.3.3 PROJECTwm Stream: NAMEMAP records (MBCS name, 0x00, UTF-16 name, 0x0000), then 0x0000."""
    p = project()
    raw = projectwm_stream(p)
    assert raw.endswith(b"\x00\x00\x00\x00")
    at, names = 0, []
    while raw[at:at + 2] != b"\x00\x00":
        end = raw.index(b"\x00", at)
        name = raw[at:end].decode("cp1251")
        unicode_end = end + 1 + len(name) * 2
        assert raw[end + 1:unicode_end].decode("utf-16-le") == name and raw[unicode_end:unicode_end + 2] == b"\0\0"
        names.append(name)
        at = unicode_end + 2
    assert names == [m.name for m in p.modules]


def test_module_stream_is_compressed_source_at_offset_zero() -> None:
    """2.3.4.3 Module Stream: no PerformanceCache; CompressedSourceCode of CR LF lines in the code page."""
    p = Project(modules=(Module.from_source(RUSSIAN, ModuleKind.PROCEDURAL),))
    stream = module_stream(p, p.modules[0])
    assert decompress_stream(bytearray(stream)).decode("cp1251") == crlf(RUSSIAN)


# --- the whole file ------------------------------------------------------------------------------------


def test_cyrillic_survives_through_code_page_1251(tmp_path: Path) -> None:
    """The project's code page is 1251 (2.3.4.2.1.4): Russian strings and comments come back unchanged."""
    p = Project(modules=(*excel_documents(1), Module.from_source(RUSSIAN, ModuleKind.PROCEDURAL)))
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(vba_project_bin(p))
    assert vba_of(path)["Russian"].replace("\r\n", "\n") == RUSSIAN
    bad = Project(modules=(Module.from_source('Attribute VB_Name = "X"\n\' 数\n', ModuleKind.PROCEDURAL),))
    with pytest.raises(UnicodeEncodeError):
        vba_project_bin(bad)


def test_olevba_decode_shows_every_module_of_a_built_xlsm(tmp_path: Path) -> None:
    """`olevba --decode` on an .xlsm made with XlsxWriter prints every module's source from macros/."""
    book = build_test_xlsm(tmp_path / "t.xlsm")
    olevba_cli = Path(sys.executable).with_name("olevba")
    out = subprocess.run([str(olevba_cli), "--decode", str(book)], capture_output=True, text=True, check=False,
                         encoding="utf-8").stdout
    for module in vba_build.read_modules():
        assert f"VBA MACRO {module.name}." in out
        for line in module.source.splitlines():
            if line.strip() and not line.startswith("Attribute"):
                assert line.rstrip() in out, (module.name, line)
    assert "Персучёт за квартал" in out and "Не удалось запустить Python" in out


def test_builds_are_deterministic(tmp_path: Path) -> None:
    assert vba_build.build_vba_project(12) == vba_build.build_vba_project(12)
    first = build_test_xlsm(tmp_path / "a.xlsm").read_bytes()
    assert build_test_xlsm(tmp_path / "b.xlsm").read_bytes() == first


# --- macros/: sources, buttons, the pinned xlwings module ----------------------------------------------


def test_xlwings_module_is_the_pinned_versions_own() -> None:
    """macros/xlwings.bas and Dictionary.cls equal what oletools extracts from the installed xlwings, whose
    version is the pin; the module's version constant and DLL names carry that version."""
    assert importlib.metadata.version("xlwings") == PINNED_XLWINGS
    extracted = vba_build.extract_xlwings_modules()
    for name in vba_build.XLWINGS_MODULES:
        assert (vba_build.macros_dir() / name).read_text(encoding="utf-8") == extracted[name], name
    source = extracted["xlwings.bas"]
    assert vba_build.xlwings_version_of(source) == PINNED_XLWINGS
    assert f'"xlwings64-{PINNED_XLWINGS}.dll"' in source and f'"xlwings32-{PINNED_XLWINGS}.dll"' in source


def _exported_lines(path: Path) -> list[str]:
    """A module file of xlwings' addin/ folder as lines, without the class header VBE writes on export."""
    lines = path.read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n")
    return lines[lines.index("END") + 1:] if path.suffix == ".cls" else lines


def test_server_modules_are_the_pinned_versions_own() -> None:
    """macros/server/ holds exactly the modules xlwings' own `import_remote_modules` imports, each equal to the
    installed (pinned) xlwings' addin/ file but for line ends, the class header and the class attributes a
    project stores (the base and two flags)."""
    import xlwings.cli

    assert importlib.metadata.version("xlwings") == PINNED_XLWINGS
    imported = re.findall(r'"(\w+\.(?:bas|cls))"', __import__("inspect").getsource(xlwings.cli.import_remote_modules))
    assert tuple(imported) == vba_build.XLWINGS_SERVER_MODULES
    folder = vba_build.server_macros_dir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(imported)
    addin = vba_build.xlwings_package_dir() / vba_build.XLWINGS_ADDIN_FOLDER
    added = {vba_build.CLASS_BASE, *vba_build.CLASS_FLAGS}
    for name, converted in vba_build.xlwings_server_modules().items():
        ours = (folder / name).read_bytes().decode("utf-8")
        assert "\r" not in ours and ours == converted, name
        lines = ours.split("\n")
        assert [line for line in lines if line not in added] == _exported_lines(addin / name), name
        if name.endswith(".cls"):
            assert added <= set(lines), name
    assert "Function RunRemotePython(" in (folder / "Remote.bas").read_text(encoding="utf-8")


def _attributes(source: str) -> list[str]:
    return [line for line in source.replace("\r\n", "\n").split("\n") if line.startswith("Attribute ")]


def test_class_files_are_stored_as_excel_stores_them() -> None:
    """Excel turns an exported class into the stored form as `stored_source` does: addin/Dictionary.cls gives
    the attributes of macros/Dictionary.cls (extracted from a book Excel saved), and every server class gives
    the attributes xlwings.xlam (into which Excel imported the same files) stores for it."""
    addin = vba_build.xlwings_package_dir() / vba_build.XLWINGS_ADDIN_FOLDER
    dictionary = vba_build.stored_source((addin / "Dictionary.cls").read_text(encoding="utf-8"), ModuleKind.CLASS)
    assert _attributes(dictionary) == _attributes((vba_build.macros_dir() / "Dictionary.cls").read_text("utf-8"))
    stored = vba_of(addin / "xlwings.xlam")
    for name, source in vba_build.xlwings_server_modules().items():
        assert _attributes(source) == _attributes(stored[name.rsplit(".", 1)[0]]), name
    with pytest.raises(ValueError):
        vba_build.stored_source('Attribute VB_Name = "X"\n', ModuleKind.CLASS)  # no header: not an exported class


def test_server_modules_only_in_a_server_project() -> None:
    """The desktop book's project has no server module; the server book's has them all, after macros/."""
    server_names = {Path(n).stem for n in vba_build.XLWINGS_SERVER_MODULES}
    desktop = [m.name for m in vba_build.build_project(len(SHEETS)).modules]
    server = [m.name for m in vba_build.build_project(len(SHEETS), server=True).modules]
    assert not server_names & set(desktop)
    assert server[:len(desktop)] == desktop and set(server[len(desktop):]) == server_names
    kinds = {m.name: m.kind for m in vba_build.build_project(len(SHEETS), server=True).modules}
    assert {n for n in server_names if kinds[n] is ModuleKind.CLASS} == {
        "IWebAuthenticator", "WebClient", "WebRequest", "WebResponse"}


def test_buttons_module_is_generated_from_the_button_list() -> None:
    assert (vba_build.macros_dir() / f"{BUTTONS_MODULE}.bas").read_text(encoding="utf-8") == buttons_module_source()


def _subs(source: str) -> dict[str, str]:
    """Public Sub name → body of a module."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^Public Sub (\w+)\(([^)]*)\)", source, re.MULTILINE)}


def test_every_button_runs_a_zero_argument_sub_that_calls_the_dispatcher(tmp_path: Path) -> None:
    modules = vba_of(build_test_xlsm(tmp_path / "t.xlsm"))
    buttons = modules[BUTTONS_MODULE]
    assert _subs(modules[DISPATCHER_MODULE]) == {DISPATCHER_SUB: "ByVal action As String, ByVal prompt As String"}
    assert _subs(buttons) == {b.macro: "" for b in BUTTONS}
    for b in BUTTONS:
        body = buttons.split(f"Public Sub {b.macro}()")[1].split("End Sub")[0]
        assert body.strip() == f'{DISPATCHER_SUB} "{b.action}", "{b.prompt}"'
    assert "RunPython" in modules[DISPATCHER_MODULE] and "Public Function RunPython" in modules["xlwings"]


def test_buttons_in_the_book_point_at_existing_subs(tmp_path: Path) -> None:
    """XlsxWriter's form buttons (VML) carry the captions and «[0]!Macro» of every button, each a Sub of the project."""
    book = build_test_xlsm(tmp_path / "t.xlsm")
    with zipfile.ZipFile(book) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
        assert "xl/vbaProject.bin" in z.namelist()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert macros == [b.macro for b in BUTTONS]
    for b in BUTTONS:
        assert b.caption in vml
    assert set(macros) <= set(_subs(vba_of(book)[BUTTONS_MODULE]))


def test_documents_match_the_sheets_xlsxwriter_names(tmp_path: Path) -> None:
    """XlsxWriter gives a book with a VBA project the code names ThisWorkbook and Sheet1…SheetN: the project
    has a document module for each."""
    book = build_test_xlsm(tmp_path / "t.xlsm")
    with zipfile.ZipFile(book) as z:
        names = re.findall(r'codeName="(\w+)"', "".join(z.read(n).decode() for n in z.namelist()
                                                          if n.startswith("xl/") and n.endswith(".xml")))
    documents = {m.name for m in project().modules if m.kind is ModuleKind.DOCUMENT}
    assert set(names) == documents == {"ThisWorkbook", "Sheet1", "Sheet2", "Sheet3"}
