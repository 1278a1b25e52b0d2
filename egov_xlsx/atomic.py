"""Write outputs so that nothing is ever left half-written, mixed or over an input.

Every output is written to a temporary file beside its target. A :class:`Staging` groups the outputs of one
command and commits them all or none:

1. every target is checked first (a workbook open in Excel is locked on Windows; a folder or an input file
   in the way);
2. each existing target is renamed aside to a backup name, then its new file renamed into place
   (``os.replace``, atomic on one volume on Windows and POSIX);
3. if any step fails, every file put in place is taken away again and every backup renamed back, so the
   folder holds exactly the previous outputs; only when the last rename succeeded are the backups deleted.

A folder swap would be simpler but fails on Windows while a file in it is open, and an output folder also
holds files the tool did not write, which it never deletes.

:func:`publishing` adds what an output folder shared between runs needs: a lock file, so that two builds
never write into one folder at once; a commit journal, so that a build killed in the middle of its commit
is rolled back by the next run; and the removal of the temporary files a killed run left behind. The
tool's own temporary files are named ``.<name>.<12 hex digits>.tmp<.ext>`` (backups ``....old<.ext>``); no
other file is ever removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from egov_xlsx.errors import OutputError

#: The lock file of an output folder while a command writes into it.
LOCK_NAME = ".egov-xlsx.lock"
#: The commit journal: present only while a commit is under way (or after one was killed).
JOURNAL_NAME = ".egov-xlsx-commit.json"
#: ``.<name>.<hex>.tmp<.ext>`` (a file being written, a scratch folder) or ``.<name>.<hex>.old<.ext>`` (a backup).
_TOOL_NAME = re.compile(r"^\.(?P<stem>.+)\.[0-9a-f]{12}\.(?P<kind>tmp|old)(?P<suffix>\.[^.]+)?$")


def explain(path: Path, exc: OSError) -> OutputError:
    """An :class:`OutputError` saying, in Vietnamese, why ``path`` cannot be written."""
    if isinstance(exc, OutputError):
        return exc
    if isinstance(exc, PermissionError):
        why = "tệp đang được mở (ví dụ trong Excel hoặc Word) hoặc không có quyền ghi. Đóng tệp rồi chạy lại"
    elif getattr(exc, "errno", None) == 28:  # ENOSPC
        why = "ổ đĩa đã đầy"
    else:
        why = exc.strerror or str(exc)
    return OutputError(f"Không ghi được {path}: {why}.")


@contextlib.contextmanager
def naming(target: Path, *aliases: Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into an :class:`OutputError` that names ``target``.

    An error raised while writing an open file (a full disk) carries no file name; a temporary file's
    hidden name in a message (``aliases``) is replaced by the target's.
    """
    try:
        yield
    except OutputError as exc:
        message = str(exc)
        for alias in aliases:
            message = message.replace(str(alias), str(target))
        if message == str(exc):
            raise
        raise OutputError(message) from exc
    except OSError as exc:
        raise explain(target, exc) from exc


def ensure_folder(folder: Path) -> None:
    """Create an output folder (and parents), turning OS errors into :class:`OutputError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(folder, exc) from exc


def _tool_name(target: Path, kind: str) -> Path:
    """A fresh name beside ``target``, of the tool's own form (``kind`` is ``tmp`` or ``old``)."""
    return target.with_name(f".{target.stem}.{secrets.token_hex(6)}.{kind}{target.suffix}")


def _temp_beside(target: Path) -> Path:
    """A fresh, not yet existing name beside ``target``.

    The file is created by the writer itself, so it gets the usual permissions (umask), not the owner-only
    mode of ``tempfile.mkstemp``; the random part keeps two runs from colliding.
    """
    ensure_folder(target.parent)
    return _tool_name(target, "tmp")


@contextlib.contextmanager
def scratch_folder(beside: Path) -> Iterator[Path]:
    """A tool-owned scratch folder beside ``beside``, removed when the block ends.

    For writers that need temporary files of their own (xlsxwriter's streaming rows): they go into the
    output folder, not the system's temporary folder, so a killed run's leftovers are found and removed by
    the next run (:func:`clear_stale`).
    """
    folder = beside.parent / f".egov-xlsx-scratch.{secrets.token_hex(6)}.tmp"
    try:
        folder.mkdir()
    except OSError as exc:
        raise explain(beside, exc) from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_replaceable(target: Path) -> None:
    """Fail early when an existing target cannot be replaced (open in Excel on Windows, read-only)."""
    if not os.path.lexists(target):
        return
    if target.is_dir():
        raise OutputError(f"Không ghi được {target}: đã có một thư mục trùng tên.")
    try:
        with open(target, "r+b"):
            pass
    except OSError as exc:
        raise explain(target, exc) from exc


def _replace(source: Path, target: Path) -> None:
    """``os.replace``: the one place a commit renames (tests make it fail at any step)."""
    os.replace(source, target)


# --------------------------------------------------------------------------- inputs that are never replaced


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


@dataclass(frozen=True)
class Inputs:
    """Files a command read as inputs: a target that is one of them (a hard link, a symlink) is never replaced."""

    files: dict[tuple[int, int], Path] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Iterable[Path]) -> Inputs:
        files: dict[tuple[int, int], Path] = {}
        for path in paths:
            key = _identity(path)
            if key is not None and key != (0, 0):
                files.setdefault(key, path)
        return cls(files)

    def guard(self, target: Path) -> None:
        """Raise :class:`OutputError` when ``target`` is (by identity, not by name) one of the inputs."""
        if not self.files:
            return
        key = _identity(target)
        source = self.files.get(key) if key is not None else None
        if source is not None:
            raise OutputError(
                f"Không ghi được {target}: đó chính là tệp đầu vào {source} (biểu đơn vị gửi hoặc tệp của đợt "
                "đánh giá); không bao giờ ghi đè tệp đầu vào. Chọn thư mục kết quả khác (-o)."
            )


def is_within(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it, after resolving symlinks.

    Each existing ancestor is compared by identity too, so a case-insensitive disk (Windows, macOS) or a
    second mount of the same folder is caught.
    """
    try:
        real, base = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):
        return False
    if os.path.normcase(str(real)) == os.path.normcase(str(base)):
        return True
    if real.is_relative_to(base) or os.path.normcase(str(real)).startswith(os.path.normcase(str(base)) + os.sep):
        return True
    base_id = _identity(base)
    if base_id is None:
        return False
    return any(_identity(candidate) == base_id for candidate in (real, *real.parents))


# --------------------------------------------------------------------------- the commit


@dataclass
class _Step:
    target: Path
    backup: Path | None  # where the previous file was put aside; None when there was none
    placed: bool = False
    remove: bool = False  # a removal: the previous file is set aside and nothing put in its place


class Staging:
    """Outputs of one command, renamed into place together, all or none, when the block ends without error.

    ``journal``: a folder holding every target, where the commit keeps its journal (see :func:`publishing`);
    ``inputs``: files that must never be replaced.
    """

    def __init__(self, journal: Path | None = None, inputs: Inputs | None = None) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._journal = journal
        self._inputs = inputs or Inputs()
        self._made: list[Path] = []  # folders made for the outputs: removed again, when empty, on failure
        self._removals: list[Path] = []

    def stage(self, target: Path) -> Path:
        """A temporary file to write ``target``'s content into."""
        parent = target.parent
        missing = [] if parent.is_dir() else [p for p in (parent, *parent.parents) if not p.exists()]
        tmp = _temp_beside(target)
        self._made += [p for p in reversed(missing) if p not in self._made]
        self._pending.append((tmp, target))
        return tmp

    def write(self, target: Path, writer: Callable[[Path], object]) -> None:
        """Stage ``target`` and call ``writer(temporary path)``; if the writer fails, nothing stays staged.

        An ``OSError`` of the writer becomes an :class:`OutputError` naming ``target``.
        """
        tmp = self.stage(target)
        try:
            with naming(target, tmp):
                writer(tmp)
        except BaseException:
            self._pending.pop()
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

    def discard(self, tmp: Path) -> None:
        """Drop a staged file whose writing failed (its target is left as it was)."""
        self._pending = [(t, target) for t, target in self._pending if t != tmp]
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)

    def remove(self, target: Path) -> None:
        """Remove ``target`` (a file the tool wrote earlier) as part of the commit: all or none with the rest."""
        if target not in self._removals:
            self._removals.append(target)

    @property
    def targets(self) -> list[Path]:
        return [target for _, target in self._pending]

    @property
    def staged(self) -> list[tuple[Path, Path]]:
        """(temporary file, target) of every staged output, in staging order."""
        return list(self._pending)

    def commit(self) -> list[Path]:
        """Put every staged file in place, or none: on failure the previous files are back, byte for byte."""
        written = {target for _, target in self._pending}
        removals = [t for t in self._removals if t not in written and os.path.lexists(t)]
        try:
            for target in [*written, *removals]:
                _check_replaceable(target)
                self._inputs.guard(target)
        except OutputError:
            self.rollback()
            raise
        steps = [
            _Step(target, _tool_name(target, "old") if os.path.lexists(target) else None) for _, target in self._pending
        ]
        steps += [_Step(target, _tool_name(target, "old"), remove=True) for target in removals]
        sources: list[Path | None] = [tmp for tmp, _ in self._pending]
        sources += [None] * len(removals)
        try:
            self._write_journal(steps, sources)
            for tmp, step in zip(sources, steps, strict=True):
                target = step.target
                self._inputs.guard(target)  # again, just before: the folder may have changed meanwhile
                if step.backup is not None:
                    with naming(target):
                        _replace(target, step.backup)
                if tmp is not None:
                    with naming(target):
                        _replace(tmp, target)
                step.placed = True
        except BaseException as exc:
            kept = _undo(steps)
            self.rollback()
            if kept:  # something could not be put back: the journal stays, for the next run to finish the job
                raise OutputError(
                    "Không khôi phục được tệp kết quả cũ; bản cũ được giữ ở: "
                    + "; ".join(str(p) for p in kept)
                    + ". Lần chạy sau sẽ thử khôi phục lại."
                ) from exc
            self._drop_journal()
            raise
        self._drop_journal()  # the commit point: from here on the new outputs stand
        for step in steps:
            if step.backup is not None:
                with contextlib.suppress(OSError):  # left over: removed by the next run
                    step.backup.unlink()
        done = [target for _, target in self._pending]
        self._pending.clear()
        self._removals.clear()
        return done

    def _write_journal(self, steps: list[_Step], sources: list[Path | None]) -> None:
        """Record the steps, so that a run killed half-way is rolled back by the next (:func:`recover`).

        A new file's identity is recorded too: recovery removes a file only when it is that very file.
        """
        if self._journal is None or not steps:
            return
        entries = [
            {
                "target": _relative(step.target, self._journal),
                "backup": None if step.backup is None else step.backup.name,
                "new": None if source is None or step.backup is not None else _identity(source),
            }
            for step, source in zip(steps, sources, strict=True)
        ]
        path = self._journal / JOURNAL_NAME
        tmp = _tool_name(path, "tmp")
        try:
            with naming(path, tmp):
                tmp.write_text(json.dumps({"steps": entries}, ensure_ascii=False), encoding="utf-8")
                _replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

    def _drop_journal(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                (self._journal / JOURNAL_NAME).unlink(missing_ok=True)

    def rollback(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self._pending.clear()
        self._removals.clear()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
        self._made.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


def _undo(steps: list[_Step]) -> list[Path]:
    """Take back the steps done, last first; the backups that could not be put back."""
    kept: list[Path] = []
    for step in reversed(steps):
        try:
            if step.placed and step.backup is None and not step.remove:
                step.target.unlink()
            elif step.backup is not None and os.path.lexists(step.backup):
                os.replace(step.backup, step.target)
        except OSError:
            if step.backup is not None:
                kept.append(step.backup)
    return kept


def _journal_target(folder: Path, name: str) -> Path | None:
    """A journal's target inside ``folder`` (never outside it, whatever the journal says)."""
    relative = Path(name)
    if relative.is_absolute() or relative.anchor or ".." in relative.parts or not relative.parts:
        return None
    return folder / relative


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, on failure it is removed."""
    with Staging() as staging:
        yield staging.stage(target)


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as tmp, naming(target, tmp):
        tmp.write_bytes(data)


# --------------------------------------------------------------------------- an output folder shared between runs


@contextlib.contextmanager
def publishing(folder: Path, *, inputs: Inputs | None = None, subfolders: Iterable[str] = ()) -> Iterator[Staging]:
    """A :class:`Staging` for outputs under ``folder``, committed when the block ends without error.

    While the block runs it holds ``folder``'s lock file (a second command writing there is refused with
    :class:`FolderBusy`); first it rolls back a commit a killed run left half done and removes the tool's
    own temporary files left in ``folder`` and its ``subfolders``.
    """
    made = not folder.exists()
    ensure_folder(folder)
    try:
        with folder_lock(folder):
            recover(folder)
            clear_stale([folder, *(folder / name for name in subfolders)])
            with Staging(journal=folder, inputs=inputs) as staging:
                yield staging
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: a first build that failed leaves no empty folder behind
        raise


def recover(folder: Path) -> None:
    """Roll back the commit a killed run left half done in ``folder`` (its journal is still there)."""
    journal = folder / JOURNAL_NAME
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        entries = [(str(e["target"]), e["backup"], e.get("new")) for e in data["steps"]]
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        entries = []  # unreadable: the stale backups are then restored one by one (clear_stale)
    steps: list[_Step] = []
    for target_name, backup_name, new in entries:
        target = _journal_target(folder, target_name)
        if target is None:
            continue
        if backup_name is not None:
            # Only a backup of the tool's own form, of that very target, is ever renamed back.
            match = _TOOL_NAME.match(str(backup_name))
            if match is None or match["kind"] != "old" or match["stem"] + (match["suffix"] or "") != target.name:
                continue
            steps.append(_Step(target, target.with_name(str(backup_name))))
        elif isinstance(new, list) and len(new) == 2 and _identity(target) == (new[0], new[1]):
            steps.append(_Step(target, None, placed=True))  # the killed run's new file: removed
    kept = _undo(steps)
    if kept:
        raise OutputError(
            "Một lần chạy trước bị dừng giữa chừng và không khôi phục được tệp kết quả cũ: "
            + "; ".join(str(p) for p in kept)
            + ". Đổi tên các tệp này về tên cũ (bỏ dấu chấm đầu và phần .old) rồi chạy lại."
        )
    with contextlib.suppress(FileNotFoundError):
        try:
            journal.unlink()
        except OSError as exc:
            raise explain(journal, exc) from exc


def clear_stale(folders: Iterable[Path]) -> list[Path]:
    """Remove the tool's own temporary files and scratch folders a killed run left in ``folders``.

    Call it only while holding the folder's lock (:func:`folder_lock`), so that the temporaries of a run
    still writing are never taken for stale. A backup (``.old``) left without its target is put back; one
    whose target exists belongs to a commit that succeeded and is removed. Returns what was removed.
    """
    removed: list[Path] = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            match = _TOOL_NAME.match(entry.name)
            if match is None:
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                elif match["kind"] == "old" and not os.path.lexists(
                    target := path.with_name(match["stem"] + (match["suffix"] or ""))
                ):
                    os.replace(path, target)
                    continue
                else:
                    path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


class FolderBusy(OutputError):
    """Another command is writing into the output folder."""


#: Lock files this process holds (a second lock on one folder in this process is refused too).
_held: set[str] = set()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock file while the block runs; :class:`FolderBusy` if another command holds it.

    The lock is the operating system's (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on the file
    ``.egov-xlsx.lock``: it is released when the process ends, however it ends, so a killed run never leaves
    the folder locked. The file holds the process id, for the message; it is removed when the block ends.
    """
    path = folder / LOCK_NAME
    key = os.path.normcase(str(path.resolve()))
    if key in _held:
        raise _busy(folder, os.getpid())
    fd = _acquire(path, folder)
    _held.add(key)
    try:
        yield
    finally:
        _held.discard(key)
        _release(path, fd)


def _busy(folder: Path, pid: str | int) -> FolderBusy:
    return FolderBusy(
        f"Một lệnh egov-xlsx khác (tiến trình {pid}) đang ghi vào thư mục {folder}. Chờ lệnh đó chạy xong "
        "rồi chạy lại, hoặc chọn thư mục kết quả khác (-o)."
    )


def _acquire(path: Path, folder: Path) -> int:
    for _ in range(10):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise explain(path, exc) from exc
        if not _try_lock(fd):
            try:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            except OSError:
                holder = "?"
            os.close(fd)
            raise _busy(folder, holder)
        # The holder before us may have removed the file we opened: then lock the one now at that name.
        if sys.platform != "win32" and _identity(path) != (os.fstat(fd).st_dev, os.fstat(fd).st_ino):
            os.close(fd)
            continue
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except OSError as exc:
            os.close(fd)
            raise explain(path, exc) from exc
        return fd
    raise _busy(folder, "?")


#: Where the Windows lock sits: a byte far past the process id, so that the id stays readable.
_WINDOWS_LOCK_OFFSET = 1 << 20


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks (some network shares): go on unlocked rather than never
        return True
    return True


def _release(path: Path, fd: int) -> None:
    if sys.platform == "win32":
        with contextlib.suppress(OSError):
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)
        with contextlib.suppress(OSError):  # fails while another command has it open: it is then theirs
            path.unlink()
        return
    with contextlib.suppress(OSError):  # removed while still locked: no one can lock a file being removed
        path.unlink()
    os.close(fd)
