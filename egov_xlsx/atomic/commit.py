"""The commit: a :class:`Staging` writes every output of one command to temporaries, then puts them all in place
or none, with a journal a killed run is rolled back from.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from egov_xlsx.atomic.files import JOURNAL_NAME, _check_replaceable, _replace, _temp_beside, _tool_name, naming
from egov_xlsx.atomic.inputs import Inputs, _identity
from egov_xlsx.errors import OutputError


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
