"""Bad input never crashes the program: every kind of damage in tests/malformed.py, through every
command that takes a book, in a subprocess as a curator would run it.

The contract: exit 2 with a Russian message on stderr that names the file (or 0/1 for a book that
can be read), never exit 3, never a traceback, never a hang or gigabytes of memory, and the file
(and its folder) exactly as it was.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from malformed import KINDS, LIBREOFFICE_KINDS, Case, good_book, readable

from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import BookError

# Commands that take a book as their only argument. Add each new one here (validate, …): every
# kind of damage then goes through it too.
BOOK_COMMANDS: tuple[str, ...] = ("info", "validate", "coverage")

TIMEOUT = 120  # seconds; generous on purpose: it catches hangs, not slowness
MEMORY_LIMIT = 3 << 29  # 1.5 GiB of address space for every run: a bomb that gets unpacked fails
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
MAX_STDERR = 5_000  # characters: a message, not a dump of the book
MAX_STDOUT = 200_000

# Kinds the reader is not yet to blame for; strict, so the mark must go when the cause is fixed.
KNOWN_FAILURES: dict[str, str] = {}
# Kinds never read inside the pytest process: if the reader regressed they would hang it or exhaust its memory.
SUBPROCESS_ONLY = {"zip_bomb", "zip_bomb_with_false_sizes", "stray_value_in_last_cell", "ods_stray_value_far_away",
                   "xml_entity_bomb", "pipe_named_like_book", "unreadable_file"}


class Corpus:
    """The malformed books of one test session, each built on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cases: dict[str, Case] = {}

    def case(self, kind: str) -> Case:
        if kind not in self.cases:
            self.cases[kind] = KINDS[kind](self.folder)
        return self.cases[kind]

    def libreoffice_case(self, kind: str, soffice: str) -> Case:
        if kind not in self.cases:
            self.cases[kind] = LIBREOFFICE_KINDS[kind](self.folder, soffice)
        return self.cases[kind]


@pytest.fixture(scope="session")
def corpus() -> Iterator[Corpus]:
    # Not under pytest's tmp dir (mode 700): a root run reads the unreadable file as «nobody».
    folder = Path(tempfile.mkdtemp(prefix="nastavnik-malformed-"))
    folder.chmod(0o755)
    try:
        yield Corpus(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _obey_file_permissions() -> None:
    """Before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so that even
    root gets a real EACCES on a file without read permission (no mocks)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def _limited_and_obeying() -> None:
    _limit_memory()
    _obey_file_permissions()


def run_cli(*args: str | Path, preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True,
                          encoding="utf-8", errors="replace", timeout=TIMEOUT, env=env, preexec_fn=preexec)


def fingerprint(path: Path) -> object:
    """What must not change: a file's bytes (its stat when unreadable), a folder's entries."""
    st = path.lstat()
    if stat.S_ISDIR(st.st_mode):
        return sorted((p.name, fingerprint(p)) for p in path.iterdir())
    if stat.S_ISREG(st.st_mode) and os.access(path, os.R_OK):
        return "file", hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_mode
    return stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, st.st_mode


def run_on_case(case: Case, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command with at most 1.5 GiB of memory and check it neither hangs nor touches the book."""
    as_root = os.geteuid() == 0
    if case.unprivileged and not as_root and os.access(case.path, os.R_OK):
        pytest.skip("this file system lets us read a file without read permission")
    preexec = _limited_and_obeying if case.unprivileged and as_root else _limit_memory
    before = (fingerprint(case.path), fingerprint(case.path.parent))
    started = time.monotonic()
    try:
        result = run_cli(*args, preexec=preexec)
    except subprocess.SubprocessError as exc:
        if preexec is _limit_memory:
            raise
        pytest.skip(f"running as root without the right to drop CAP_DAC_OVERRIDE ({exc}): root reads any file")
    assert time.monotonic() - started < TIMEOUT / 2, "far too slow for a book"
    assert (fingerprint(case.path), fingerprint(case.path.parent)) == before, "the book or its folder changed"
    return result


def assert_contract(case: Case, result: subprocess.CompletedProcess[str]) -> None:
    shown = f"exit {result.returncode}\nstderr:\n{result.stderr[:3000]}\nstdout:\n{result.stdout[:1000]}"
    assert result.returncode in case.exits, shown
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr, shown
    assert "Внутренняя ошибка" not in result.stderr, shown
    assert len(result.stderr) < MAX_STDERR and len(result.stdout) < MAX_STDOUT, shown
    if result.returncode == 2:
        assert CYRILLIC.search(result.stderr), shown
        assert case.path.name in result.stderr, shown
        for word in case.words:
            assert word in result.stderr, shown


@pytest.mark.parametrize("command", BOOK_COMMANDS)
@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[k], strict=True))
                                  if k in KNOWN_FAILURES else k for k in KINDS])
def test_bad_book_through_the_command_line(corpus: Corpus, kind: str, command: str) -> None:
    case = corpus.case(kind)
    assert_contract(case, run_on_case(case, command, str(case.path)))


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in SUBPROCESS_ONLY])
def test_reader_refuses_or_reports(corpus: Corpus, kind: str) -> None:
    """The same books read in-process: the error names the file, a readable book has the findings."""
    case = corpus.case(kind)
    if 2 in case.exits:
        with pytest.raises(BookError) as info:
            read_book(case.path)
        assert case.path.name in info.value.message and info.value.path == str(case.path)
        assert all(w in info.value.message for w in case.words), info.value.message
        return
    codes = {f.code for f in read_book(case.path).all_findings()}
    assert set(case.codes) <= codes


def test_reader_itself_says_no_access(corpus: Corpus) -> None:
    """The command line may refuse an unreadable path before the reader sees it: the reader's own words."""
    case = corpus.case("unreadable_file")
    script = ("import sys\nfrom nastavnik_xl.book.reader import read_book\n"
              "from nastavnik_xl.findings import BookError\n"
              "try:\n    read_book(sys.argv[1])\nexcept BookError as exc:\n    print(exc.code, exc.message)")
    preexec = _obey_file_permissions if os.geteuid() == 0 else None
    try:
        result = subprocess.run([sys.executable, "-c", script, str(case.path)], capture_output=True,
                                encoding="utf-8", timeout=TIMEOUT, preexec_fn=preexec)
    except subprocess.SubprocessError as exc:
        pytest.skip(f"running as root without the right to drop CAP_DAC_OVERRIDE ({exc}): root reads any file")
    assert result.stdout.startswith("no-access "), result
    assert case.path.name in result.stdout and "нельзя прочитать" in result.stdout


def test_memory_limit_leaves_room_for_a_good_book(corpus: Corpus) -> None:
    """Every run above has 1.5 GiB of address space: a bomb that got unpacked would fail, a good book reads."""
    case = readable(good_book(corpus.folder, "контроль.xlsx"))
    assert run_on_case(case, "info", str(case.path)).returncode == 0


def test_megabyte_cell_is_shortened_in_findings(corpus: Corpus) -> None:
    book = read_book(corpus.case("megabyte_cell").path)
    assert all(len(str(f.value)) <= 200 and len(f.message) < 1_000 for f in book.all_findings())
    assert all(len(h) <= 80 for h in book.tables["mentors"].ignored)
    assert len(book.tables["mentees"].rows[0]["full_name"]) > 1_000_000  # the data itself is kept whole


def test_misnamed_books_read_like_the_original(corpus: Corpus) -> None:
    original = read_book(good_book(corpus.folder, "оригинал.xlsx"))
    for kind in ("xlsx_renamed_ods", "ods_renamed_xlsx", "xlsx_without_extension"):
        book = read_book(corpus.case(kind).path)
        assert book.tables["mentors"].rows == original.tables["mentors"].rows, kind
        (warning,) = [f for f in book.all_findings() if f.code == "wrong-extension"]
        assert "Переименуйте" in warning.message


@pytest.mark.libreoffice
@pytest.mark.parametrize("command", BOOK_COMMANDS)
@pytest.mark.parametrize("kind", list(LIBREOFFICE_KINDS))
def test_libreoffice_made_book_through_the_command_line(corpus: Corpus, soffice: str, kind: str,
                                                        command: str) -> None:
    case = corpus.libreoffice_case(kind, soffice)
    assert_contract(case, run_on_case(case, command, str(case.path)))
    assert read_book(case.path).file_kind == "xls"
