"""Where templates are: the campaign's ``templates/`` before the shipped ones; symbolic links refused."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from egov_xlsx.model import Campaign
from egov_xlsx.publish.announce.limits import MAX_TEMPLATE_BYTES
from egov_xlsx.publish.announce.problem import TemplateProblem
from egov_xlsx.vietnamese import format_number


def shipped_templates_dir() -> Path:
    """The templates shipped with egov-xlsx.

    Installed (a wheel), they are the package data ``egov_xlsx/templates``, found through
    :mod:`importlib.resources`. In a source checkout (an editable install, the tests) the package has no such
    folder: the one fallback is the repository's top-level ``templates/``, beside the package folder.
    """
    package = resources.files("egov_xlsx")
    packaged = package / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(str(package)).resolve().parent / "templates"


#: Windows reparse tags of a symbolic link (IO_REPARSE_TAG_SYMLINK) and of a junction (IO_REPARSE_TAG_MOUNT_POINT).
_LINK_TAGS = (0xA000000C, 0xA0000003)


def _is_link(path: Path) -> bool:
    """A symbolic link, or (Windows) a junction or other reparse point."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    # Windows: a symbolic link or a junction, not any reparse point (OneDrive's files on demand are ones).
    tag = getattr(info, "st_reparse_tag", 0)
    return stat.S_ISLNK(info.st_mode) or tag in _LINK_TAGS


def template_dirs(campaign: Campaign) -> list[Path]:
    """The campaign's own ``templates/`` folder (when it exists), then the shipped one: the first match wins.

    A ``templates`` that is a symbolic link (or a Windows junction) is refused: a campaign copied from
    elsewhere must not read files outside its folder.
    """
    own = campaign.folder / "templates"
    if _is_link(own):
        raise TemplateProblem(str(own), None, "thư mục mẫu là liên kết (symlink); hãy chép các tệp mẫu vào thư mục này")
    return [own, shipped_templates_dir()] if own.is_dir() else [shipped_templates_dir()]


class _TemplateFiles(jinja2.FileSystemLoader):
    """Templates from folders (first match wins), refusing links, non-files, large or non-UTF-8 files.

    A template (or a folder between the search folder and it) that is a symbolic link is refused before it
    is read, and the file is opened without following a link (where the system can), so no file outside the
    template folders reaches a template, its output or an error message.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            base = Path(folder)
            path = base.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            step = path
            while step != base and base in step.parents:
                if _is_link(step):
                    raise TemplateProblem(str(path), None, "tệp mẫu là liên kết (symlink), không được dùng")
                step = step.parent
            if not path.is_file():
                raise TemplateProblem(str(path), None, "không phải một tệp")
            source = _read_template(path)
            mtime = path.stat().st_mtime

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)


def _read_template(path: Path) -> str:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TemplateProblem(str(path), None, f"không đọc được ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(str(path), None, f"tệp mẫu quá lớn (hơn {format_number(MAX_TEMPLATE_BYTES)} byte)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TemplateProblem(str(path), line, "tệp mẫu không phải UTF-8; hãy lưu lại với mã UTF-8") from exc
