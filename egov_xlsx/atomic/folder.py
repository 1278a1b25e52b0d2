"""An output folder shared between runs: the lock, the recovery of a killed commit, stale temporaries."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from egov_xlsx.atomic.commit import Staging, _journal_target, _Step, _undo
from egov_xlsx.atomic.files import _TOOL_NAME, JOURNAL_NAME, LOCK_NAME, ensure_folder, explain
from egov_xlsx.atomic.inputs import Inputs, _identity
from egov_xlsx.errors import OutputError


@contextlib.contextmanager
def publishing(folder: Path, *, inputs: Inputs | None = None, subfolders: Iterable[str] = ()) -> Iterator[Staging]:
    """A :class:`Staging` for outputs under ``folder``, committed when the block ends without error.

    While the block runs it holds ``folder``'s lock file (a second command writing there is refused with
    :class:`FolderBusy`); first it rolls back a commit a killed run left half done and removes the tool's
    own temporary files left in ``folder`` and its ``subfolders`` (a subfolder left empty is removed: the tool
    makes it again when it writes there).
    """
    made = not folder.exists()
    ensure_folder(folder)
    try:
        with folder_lock(folder):
            recover(folder)
            clear_stale([folder, *(folder / name for name in subfolders)])
            for name in subfolders:  # left empty by a killed run (it held only temporaries): as if never made
                with contextlib.suppress(OSError):
                    (folder / name).rmdir()  # only when empty
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
