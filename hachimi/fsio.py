"""Errors from the operating system as answers: an OSError (or SQLite's "disk is full") becomes an
InputError that names the path, says what went wrong in words and what to do, so every command
prints one line and exits 2 instead of a traceback. Outputs appear whole or not at all: a file is
written beside its destination and renamed over it at the end; a folder of files is built beside
its destination and moved in at the end; on any error the temporary is removed."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EEXIST: "already exists",
    errno.ENOTEMPTY: "the folder is not empty",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EIO: "input/output error",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files",
}
_ADVICE = {
    errno.EACCES: "check its permissions (ls -l) or use another path",
    errno.EPERM: "check its permissions (ls -l) or use another path",
    errno.ENOSPC: "free some space or write somewhere else",
    errno.EDQUOT: "free some space or write somewhere else",
    errno.EFBIG: "write somewhere else",
    errno.EROFS: "write somewhere else",
    errno.ENOENT: "check the path",
    errno.EISDIR: "give a file, not a folder",
    errno.ENOTDIR: "check the path",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.EMFILE: "raise the limit (ulimit -n) or close other programs",
    errno.ENFILE: "raise the limit (ulimit -n) or close other programs",
}
# SQLite's own result codes for file-system trouble -> the errno that says the same
_SQLITE = {"SQLITE_FULL": errno.ENOSPC, "SQLITE_READONLY": errno.EROFS, "SQLITE_IOERR": errno.EIO}
_SQLITE_CANTOPEN = "cannot open or create the database (is its folder writable?)"


def is_fs_error(e: BaseException) -> bool:
    """An OSError, or an SQLite error about the disk or the database file (not an SQL mistake)."""
    if isinstance(e, OSError):
        return not isinstance(e, BrokenPipeError)
    sqlite3 = sys.modules.get("sqlite3")
    return bool(sqlite3 and isinstance(e, sqlite3.OperationalError) and _sqlite_code(e))


def _sqlite_code(e) -> str | None:
    base = "_".join((getattr(e, "sqlite_errorname", "") or "").split("_")[:2])  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    if base in _SQLITE or base == "SQLITE_CANTOPEN":
        return base
    text = str(e)
    for words, code in (
        ("disk is full", "SQLITE_FULL"),
        ("readonly database", "SQLITE_READONLY"),
        ("disk I/O error", "SQLITE_IOERR"),
        ("unable to open database", "SQLITE_CANTOPEN"),
    ):
        if words in text:
            return code
    return None


def reason(e: BaseException) -> str:
    """What went wrong, in words: "permission denied", "no space left on device", "is a folder" ..."""
    if not isinstance(e, OSError):
        code = _sqlite_code(e)
        return _SQLITE_CANTOPEN if code == "SQLITE_CANTOPEN" else _REASONS.get(_SQLITE.get(code, -1), str(e))
    return _REASONS.get(e.errno, (e.strerror or str(e) or type(e).__name__).lower())


def fs_error(e: BaseException, path: Path | str | None = None, doing: str = "", then: str = "") -> InputError:
    """An InputError naming `path` (default: the file the OS named), the reason and what to do.
    `doing` ("cannot write") goes before the reason; `then` is said after the advice."""
    named = path if path is not None else getattr(e, "filename", None)
    code = e.errno if isinstance(e, OSError) else _SQLITE.get(_sqlite_code(e), errno.EACCES)
    text = (f"{doing}: " if doing else "") + reason(e)
    advice = _ADVICE.get(code)
    msg = f"{named}: {text}" if named is not None else text
    return InputError(msg + (f"; {advice}" if advice else "") + (f" ({then})" if then else ""))


@contextmanager
def os_errors(path: Path | str | None = None, doing: str = "", then: str = "") -> Iterator[None]:
    """Turns an OSError (or SQLite disk error) in the block into an InputError naming the file the
    OS named (`path` when that is the writer's temporary beside it), else `path` (a write that
    fails for want of space names no file)."""
    try:
        yield
    except BaseException as e:
        if not is_fs_error(e):
            raise
        named = getattr(e, "filename", None)
        raise fs_error(e, path if named is None or _temporary_of(named, path) else named, doing, then) from None


def _temporary_of(named, path) -> bool:
    """Is `named` a temporary file a writer keeps beside `path` (audit.tmp, run.json.tmp, .x.1a2b.tmp)?"""
    if path is None:
        return False
    a, b = Path(named), Path(path)
    return a.parent == b.parent and a != b and (a.stem == b.stem or a.name.lstrip(".").startswith(b.name))


def _check_destination(path: Path) -> Path:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if not folder.is_dir():
        if folder.exists():
            raise InputError(f"{path}: {folder} is not a folder; check the path")
        raise InputError(f"{path}: the folder {folder} does not exist; create it first")
    return folder


def _mode_for(path: Path) -> int:
    """The permissions `path` keeps (when it exists) or a new file gets (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path beside `path` (same suffix, so savefig and friends see the format); it is
    renamed over `path` when the block ends without an error and removed otherwise. A failure
    names `path` and says that nothing was written."""
    path = Path(path)
    folder = _check_destination(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
        os.close(fd)
    except OSError as e:
        raise fs_error(e, path, f"cannot write in {folder}") from None
    try:
        yield Path(tmp)
        os.chmod(tmp, _mode_for(path))  # mkstemp's 0600 would make every output private to its owner
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        named = getattr(e, "filename", None)
        if is_fs_error(e) and (named is None or named == tmp or getattr(e, "filename2", None) == str(path)):
            raise fs_error(e, path, "cannot write", "nothing was written") from None
        raise


@contextmanager
def atomic_output(path: Path | str, inputs: tuple[Path, ...] = (), newline: str | None = None) -> Iterator[IO[str]]:
    """A text file written beside `path` and renamed over it only when the block ends without an
    error, so a failure never leaves a partial file and an input is never emptied by its own output.
    A write that fails (no space, a read-only disk) is an InputError naming `path`."""
    path = Path(path)
    for src in inputs:
        try:
            same = src.exists() and path.exists() and os.path.samefile(src, path)
        except OSError:
            same = False
        if same:
            raise InputError(
                f"{path}: the output is the input file; write to another file (it is replaced only "
                "when the run ends, but reading and writing one file is refused)"
            )
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as fh:
        yield _Output(fh, path)


class _Output:
    """A file being written whose write errors name its destination, so that of two outputs
    written at once the one that failed is named (the OS names no file when the disk is full)."""

    def __init__(self, fh: IO[str], path: Path):
        self._fh, self._path = fh, path

    def write(self, text: str) -> int:
        try:
            return self._fh.write(text)
        except OSError as e:
            raise fs_error(e, self._path, "cannot write", "nothing was written") from None

    def flush(self) -> None:
        try:
            self._fh.flush()
        except OSError as e:
            raise fs_error(e, self._path, "cannot write", "nothing was written") from None

    def __getattr__(self, name):
        return getattr(self._fh, name)


def write_text(path: Path | str, text: str) -> Path:
    """`text` into `path`, whole or not at all."""
    with atomic_output(path) as fh:
        fh.write(text)
    return Path(path)


def _first_missing(folder: Path) -> Path | None:
    """The outermost folder of `folder`'s path that does not exist yet (None: it exists)."""
    return next((p for p in [*folder.parents][::-1] + [folder] if not p.exists()), None)


@contextmanager
def staged_folder(folder: Path | str) -> Iterator[Path]:
    """A fresh folder beside `folder` (same depth, so relative links hold) to write into; when the
    block ends without an error each entry is moved into `folder` (created if needed; entries of
    the same name are replaced, others kept), otherwise the staged folder is removed and `folder`
    is left as it was."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file, not a folder; give a folder")
    parent = folder.parent
    made = _first_missing(parent)  # removed again on failure
    try:
        parent.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as e:
        raise fs_error(e, folder, "cannot write") from None
    staged = base
    try:
        try:
            yield staged
            folder.mkdir(exist_ok=True)
            for entry in sorted(staged.iterdir()):
                target = folder / entry.name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(entry, target)
        except BaseException as e:
            if not is_fs_error(e):
                raise
            named, doing = getattr(e, "filename", None), "cannot write"
            if named is not None and str(named).startswith(str(staged)):  # say where it was meant to go
                named = str(folder) + str(named)[len(str(staged)) :]
            elif named is not None:
                doing = ""  # another file (an input, say): its own reason
            raise fs_error(e, named or folder, doing, f"{folder} was left as it was") from None
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise
    shutil.rmtree(base, ignore_errors=True)


@contextmanager
def cleaned_on_error(folder: Path | str) -> Iterator[Path]:
    """For a writer that fills a folder that must be new or empty: if the block fails, what it
    wrote is removed again (the folder too, and any parent it had to create), so no half-made
    folder is left to look finished; an error from the OS names its file, else the folder."""
    folder = Path(folder)
    fresh = not folder.exists()
    empty = folder.is_dir() and not any(folder.iterdir())
    made = _first_missing(folder)
    try:
        with os_errors(folder, then="nothing was written" if fresh or empty else ""):
            yield folder
    except BaseException:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        elif empty:
            for entry in folder.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise
