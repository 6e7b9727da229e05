"""A source-only VBA project ([MS-OVBA]) as the streams of ``vbaProject.bin``.

The project carries no compiled code: ``_VBA_PROJECT`` is the 7-byte stream with version 0xFFFF
(2.3.4.1) and every module's source starts at MODULEOFFSET 0 of its stream (2.3.4.3), so the VBA
host compiles everything from source when it opens the book, as with xlwings' own shipped
``quickstart_standalone.xlsm``. Text (source, module names, the ``PROJECT`` stream) is encoded in the
project's code page, 1251 by default, so Russian strings and comments survive.

Streams, each built by its own function and checked by its own test:

- ``PROJECT`` (2.3.1): the project's properties as text, with the CMG/DPB/GC fields encrypted by
  the Data Encryption of 2.4.3 (no protection, no password, visible);
- ``PROJECTwm`` (2.3.3): module names in the code page and in UTF-16;
- ``VBA/_VBA_PROJECT`` (2.3.4.1);
- ``VBA/dir`` (2.3.4.2): project information, references and module records, compressed (2.4.1);
- ``VBA/<module>`` (2.3.4.3): each module's compressed source.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from nastavnik_xl.vba.cfb import write_cfb
from nastavnik_xl.vba.compression import compress

CODE_PAGE = 1251
LCID = 0x0409  # 2.3.4.2.1.2: MUST be 0x409
SYSKIND_WIN64 = 0x00000003  # as in xlwings' shipped books; a source-only project compiles on any platform
PROJECT_NAME = "VBAProject"
VBA_PROJECT_STREAM = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])  # 2.3.4.1, version 0xFFFF: no p-code
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
VERSION_COMPATIBLE32 = "393222000"  # 2.3.1.12: MUST be this value
ENCRYPTION_VERSION = 2  # 2.4.3.1
_ID_NAMESPACE = uuid.UUID("0f6e1f0e-1d8c-4a83-9f4e-6e6173746176")
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.MULTILINE)


class ModuleKind(Enum):
    PROCEDURAL = "procedural"  # a .bas module: MODULETYPE 0x0021, «Module=» in PROJECT
    CLASS = "class"  # a .cls module: MODULETYPE 0x0022, «Class=»
    DOCUMENT = "document"  # ThisWorkbook and the sheets: MODULETYPE 0x0022, «Document=Name/&H00000000»


WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"  # Excel's Workbook
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # Excel's Worksheet


@dataclass(frozen=True)
class Module:
    name: str
    source: str  # the stored text: Attribute lines first, any line ends
    kind: ModuleKind

    @classmethod
    def from_source(cls, source: str, kind: ModuleKind) -> Module:
        """The module named by the source's ``Attribute VB_Name`` line."""
        m = _VB_NAME.search(source)
        if not m:
            raise ValueError('VBA source without an «Attribute VB_Name = "…"» line')
        return cls(m.group(1), source, kind)


def document_module(name: str, base: str) -> Module:
    """A document module as Excel writes it for a new book (VB_Base names the Excel class)."""
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"',
             "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
             "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "\r\n".join(lines) + "\r\n", ModuleKind.DOCUMENT)


def excel_documents(sheets: int, workbook: str = "ThisWorkbook", sheet_prefix: str = "Sheet") -> list[Module]:
    """ThisWorkbook and Sheet1…SheetN: the code names XlsxWriter gives a book with a VBA project."""
    return [document_module(workbook, WORKBOOK_BASE),
            *(document_module(f"{sheet_prefix}{i}", WORKSHEET_BASE) for i in range(1, sheets + 1))]


@dataclass(frozen=True)
class Reference:
    """A REFERENCEREGISTERED record (2.3.4.2.2.5) with its REFERENCENAME (2.3.4.2.2.2)."""

    name: str
    libid: str


STDOLE = Reference("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
                             r"C:\Windows\System32\stdole2.tlb#OLE Automation")


@dataclass(frozen=True)
class Project:
    modules: tuple[Module, ...]
    name: str = PROJECT_NAME
    code_page: int = CODE_PAGE
    references: tuple[Reference, ...] = (STDOLE,)

    def __post_init__(self) -> None:
        names = [m.name.upper() for m in self.modules]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate module names in {[m.name for m in self.modules]}")

    @property
    def codec(self) -> str:
        return f"cp{self.code_page}"

    @property
    def project_id(self) -> str:
        """2.3.1.2 ProjectId: a GUID in braces, derived from the project's name so builds repeat."""
        return "{" + str(uuid.uuid5(_ID_NAMESPACE, self.name)).upper() + "}"

    def encode(self, text: str) -> bytes:
        return text.encode(self.codec)


# --- helpers -------------------------------------------------------------------------------------


def crlf(text: str) -> str:
    """Every line ending as CR LF, the form VBA stores."""
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _record(record_id: int, data: bytes) -> bytes:
    """Id (2 bytes), Size (4 bytes), Data: the common shape of dir stream records."""
    return struct.pack("<HI", record_id, len(data)) + data


def _text_record(record_id: int, text: bytes, unicode_id: int, text_unicode: bytes) -> bytes:
    """A record with an MBCS part and a UTF-16 part separated by a reserved id (DOCSTRING, HELPFILE…)."""
    return _record(record_id, text) + _record(unicode_id, text_unicode)


# --- 2.3.4.2 dir stream --------------------------------------------------------------------------


def _information(project: Project) -> bytes:
    """2.3.4.2.1 PROJECTINFORMATION."""
    name = project.encode(project.name)
    if not 1 <= len(name) <= 128:
        raise ValueError("project name must be 1–128 bytes")
    return b"".join([
        _record(0x0001, struct.pack("<I", SYSKIND_WIN64)),  # PROJECTSYSKIND
        _record(0x0002, struct.pack("<I", LCID)),  # PROJECTLCID
        _record(0x0014, struct.pack("<I", LCID)),  # PROJECTLCIDINVOKE
        _record(0x0003, struct.pack("<H", project.code_page)),  # PROJECTCODEPAGE
        _record(0x0004, name),  # PROJECTNAME
        _text_record(0x0005, b"", 0x0040, b""),  # PROJECTDOCSTRING
        _text_record(0x0006, b"", 0x003D, b""),  # PROJECTHELPFILEPATH (HelpFile1, HelpFile2)
        _record(0x0007, struct.pack("<I", 0)),  # PROJECTHELPCONTEXT
        _record(0x0008, struct.pack("<I", 0)),  # PROJECTLIBFLAGS
        struct.pack("<HIIH", 0x0009, 4, 1, 0),  # PROJECTVERSION: Reserved = 4, major 1, minor 0
        _text_record(0x000C, b"", 0x003C, b""),  # PROJECTCONSTANTS
    ])


def _reference(project: Project, ref: Reference) -> bytes:
    """2.3.4.2.2.1 REFERENCE: REFERENCENAME, then REFERENCEREGISTERED."""
    name = _text_record(0x0016, project.encode(ref.name), 0x003E, ref.name.encode("utf-16-le"))
    libid = project.encode(ref.libid)
    registered = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
    return name + _record(0x000D, registered)


def _module_record(project: Project, module: Module) -> bytes:
    """2.3.4.2.3.2 MODULE, with MODULEOFFSET 0: the stream holds source only."""
    name, name_unicode = project.encode(module.name), module.name.encode("utf-16-le")
    kind = 0x0021 if module.kind is ModuleKind.PROCEDURAL else 0x0022
    return b"".join([
        _record(0x0019, name),  # MODULENAME
        _record(0x0047, name_unicode),  # MODULENAMEUNICODE
        _text_record(0x001A, name, 0x0032, name_unicode),  # MODULESTREAMNAME
        _text_record(0x001C, b"", 0x0048, b""),  # MODULEDOCSTRING
        _record(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET
        _record(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
        _record(0x002C, struct.pack("<H", 0xFFFF)),  # MODULECOOKIE
        struct.pack("<HI", kind, 0),  # MODULETYPE
        struct.pack("<HI", 0x002B, 0),  # Terminator
    ])


def dir_stream(project: Project) -> bytes:
    """The decompressed ``dir`` stream (2.3.4.2): information, references, modules, terminator."""
    modules = struct.pack("<HIH", 0x000F, 2, len(project.modules)) + _record(0x0013, struct.pack("<H", 0xFFFF))
    return b"".join([
        _information(project),
        *(_reference(project, r) for r in project.references),
        modules,  # PROJECTMODULES with its PROJECTCOOKIE
        *(_module_record(project, m) for m in project.modules),
        struct.pack("<HI", 0x0010, 0),  # Terminator
    ])


# --- 2.4.3 Data Encryption (CMG, DPB, GC) -----------------------------------------------------


def project_key(project_id: str) -> int:
    """2.4.3.2: the sum of the bytes of the ProjectId, modulo 256."""
    return sum(project_id.encode("ascii")) & 0xFF


def _derived(project_id: str, label: str, count: int) -> bytes:
    """Bytes the specification leaves free (seed, ignored bytes), derived so builds repeat."""
    return hashlib.sha256(f"{project_id}/{label}".encode()).digest()[:count]


def encrypt(data: bytes, project_id: str, label: str) -> bytes:
    """2.4.3.2 Encryption of ``data`` (with its length) for the field named ``label``."""
    seed = _derived(project_id, label, 1)[0]
    key = project_key(project_id)
    out = bytearray([seed, seed ^ ENCRYPTION_VERSION, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ ENCRYPTION_VERSION
    ignored = (seed & 6) // 2
    payload = _derived(project_id, label + "/ignored", ignored) + struct.pack("<I", len(data)) + data
    for byte in payload:
        encrypted = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(encrypted)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte
    return bytes(out)


def decrypt(encrypted: bytes) -> tuple[int, bytes]:
    """2.4.3.3 Decryption: (project key, data)."""
    seed, version_enc, key_enc = encrypted[0], encrypted[1], encrypted[2]
    if seed ^ version_enc != ENCRYPTION_VERSION:
        raise ValueError("not Data Encryption version 2")
    key = seed ^ key_enc
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = bytearray()
    for byte in encrypted[3:]:
        decoded = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(decoded)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte, decoded
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4:ignored + 4 + length])
    if len(data) != length:
        raise ValueError("encrypted data shorter than its length")
    return key, data


NOT_PROTECTED = struct.pack("<I", 0)  # 2.3.1.15 ProjectProtectionState: no user, password or VBE protection
NO_PASSWORD = b"\x00"  # 2.3.1.16 ProjectPassword: none
VISIBLE = b"\xff"  # 2.3.1.17 ProjectVisibilityState: the project is visible


# --- 2.3.1 PROJECT and 2.3.3 PROJECTwm -----------------------------------------------------------


def _module_line(module: Module) -> str:
    if module.kind is ModuleKind.DOCUMENT:
        return f"Document={module.name}/&H00000000"
    return f"{'Module' if module.kind is ModuleKind.PROCEDURAL else 'Class'}={module.name}"


def project_stream(project: Project) -> bytes:
    """The ``PROJECT`` stream (2.3.1): properties, host extenders and workspace, CR LF lines."""
    pid = project.project_id
    lines = [f'ID="{pid}"', *(_module_line(m) for m in project.modules), f'Name="{project.name}"',
             'HelpContextID="0"', f'VersionCompatible32="{VERSION_COMPATIBLE32}"',
             f'CMG="{encrypt(NOT_PROTECTED, pid, "CMG").hex().upper()}"',
             f'DPB="{encrypt(NO_PASSWORD, pid, "DPB").hex().upper()}"',
             f'GC="{encrypt(VISIBLE, pid, "GC").hex().upper()}"',
             "", "[Host Extender Info]", HOST_EXTENDER, "", "[Workspace]",
             *(f"{m.name}=0, 0, 0, 0, C" for m in project.modules)]
    return project.encode("\r\n".join(lines) + "\r\n")


def projectwm_stream(project: Project) -> bytes:
    """The ``PROJECTwm`` stream (2.3.3): a NAMEMAP of each module's name in MBCS and UTF-16, then 0x0000."""
    names = b"".join(project.encode(m.name) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
                     for m in project.modules)
    return names + b"\x00\x00"


# --- 2.3.4.3 module streams and the whole file ---------------------------------------------------


def module_stream(project: Project, module: Module) -> bytes:
    """A module stream with no PerformanceCache: the compressed source (CR LF lines, project code page)."""
    return compress(project.encode(crlf(module.source)))


def project_streams(project: Project) -> dict[str, bytes]:
    """Every stream of the project's storage, by path."""
    streams = {
        "PROJECT": project_stream(project),
        "PROJECTwm": projectwm_stream(project),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_stream(project)),
    }
    for module in project.modules:
        streams[f"VBA/{module.name}"] = module_stream(project, module)
    return streams


def vba_project_bin(project: Project) -> bytes:
    """``vbaProject.bin``: the project's streams in a compound file."""
    return write_cfb(project_streams(project))


def project_of(documents: Sequence[Module], modules: Iterable[Module], **options: object) -> Project:
    """Documents first, then the code modules, as Excel lists them."""
    return Project(modules=(*documents, *modules), **options)  # type: ignore[arg-type]
