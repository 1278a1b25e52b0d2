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

Modules: ``files`` (one output file), ``inputs`` (what is never replaced), ``commit`` (:class:`Staging`),
``folder`` (:func:`publishing`: lock, recovery, stale temporaries).

"""

from __future__ import annotations

from egov_xlsx.atomic.commit import Staging, replacing, write_bytes
from egov_xlsx.atomic.files import JOURNAL_NAME, LOCK_NAME, ensure_folder, explain, naming, scratch_folder
from egov_xlsx.atomic.folder import FolderBusy, clear_stale, folder_lock, publishing, recover
from egov_xlsx.atomic.inputs import Inputs, _identity, is_within

__all__ = [
    "JOURNAL_NAME",
    "LOCK_NAME",
    "FolderBusy",
    "Inputs",
    "Staging",
    "_identity",
    "clear_stale",
    "ensure_folder",
    "explain",
    "folder_lock",
    "is_within",
    "naming",
    "publishing",
    "recover",
    "replacing",
    "scratch_folder",
    "write_bytes",
]
