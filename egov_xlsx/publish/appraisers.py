"""The appraising bodies' workbooks (``[[appraisers]]``): one per body, ``appraisal/tham-dinh-<code>.xlsx``.

Each is laid out as ``appraisal.xlsx`` is (:mod:`egov_xlsx.publish.appraisal`), titled with the body's name and
holding, for every unit with a form, only the leaf criteria and bonus/penalty lines assigned to the body
(``appraised_by``); a sheet per tier where the body has any.

``write_body_appraisals(report, *, now, update=False, only=None) -> tuple[AppraisalWritten, ...]``
    Write every body's file, or only the body ``only`` (its code). Without ``update`` an existing file is
    refused (:class:`~egov_xlsx.publish.appraisal.AppraisalExists`, nothing written); with it each existing
    file is read back, copied to ``tham-dinh-<code>.<YYYYmmdd-HHMMSS>.xlsx`` and rewritten with every value
    and reason kept (:func:`egov_xlsx.rules.appraisers.plan_body`); a file it cannot read, or with a formula in
    a row, is refused (``OutputError``) and nothing is written. All files are written together or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path

from egov_xlsx.atomic import Staging
from egov_xlsx.errors import EgovError
from egov_xlsx.model import Appraiser, Campaign, CheckReport
from egov_xlsx.publish.appraisal import AppraisalExists, AppraisalWritten, kept_for_update, write_appraisal_workbook
from egov_xlsx.read.appraisal import Entry
from egov_xlsx.read.appraisers import FOLDER, body_path, read_body, shown_name
from egov_xlsx.rules.appraisal_update import Orphan, TierSheet
from egov_xlsx.rules.appraisers import plan_body


class UnknownAppraiser(EgovError, ValueError):
    """``--appraiser`` names no body of ``[[appraisers]]`` (or the campaign has none)."""


def chosen_bodies(bodies: Sequence[Appraiser], only: str | None) -> tuple[Appraiser, ...]:
    """Every body, or the one whose code is ``only``; raises :class:`UnknownAppraiser` otherwise."""
    if not bodies:
        raise UnknownAppraiser(
            "đợt đánh giá không khai báo cơ quan thẩm định nào ([[appraisers]] trong egov.toml): bỏ --appraiser "
            "để tạo appraisal.xlsx của Hội đồng thẩm định."
        )
    if only is None:
        return tuple(bodies)
    found = [b for b in bodies if b.code == only]
    if not found:
        known = ", ".join(b.code for b in bodies)
        raise UnknownAppraiser(f'không có cơ quan thẩm định mã "{only}" trong [[appraisers]] (có: {known}).')
    return (found[0],)


def write_body_appraisals(
    report: CheckReport, *, now: datetime, update: bool = False, only: str | None = None
) -> tuple[AppraisalWritten, ...]:
    """Write (or, with ``update``, rewrite) the bodies' files; see the module docstring."""
    campaign = report.campaign
    bodies = chosen_bodies(campaign.appraisers, only)
    existing = [b for b in bodies if body_path(campaign, b.code).exists()]
    if existing and not update:
        shown = ", ".join(shown_name(b.code) for b in existing)
        raise AppraisalExists(
            f"đã có {shown} trong {campaign.folder} (có thể chứa điểm đã nhập); dùng --update để cập nhật: giữ "
            "nguyên điểm và lý do đã nhập, thêm dòng cho biểu mới, sao lưu tệp cũ."
        )
    plans: list[tuple[Appraiser, Path, list[TierSheet], list[Orphan], int, bytes | None, Path | None]] = []
    for body in bodies:
        path = body_path(campaign, body.code)
        previous: list[Entry] = []
        old: bytes | None = None
        backup: Path | None = None
        if path.exists():
            previous, old, backup = kept_for_update(campaign, path, *read_body(campaign, body), now)
        sheets, orphans, kept = plan_body(campaign, report.submissions, previous, body)
        plans.append((body, path, sheets, orphans, kept, old, backup))
    with Staging() as staging:
        for body, path, sheets, orphans, _, old, backup in plans:
            if old is not None and backup is not None:
                staging.write(backup, partial(Path.write_bytes, data=old))
            staging.write(path, partial(_write, campaign, sheets, orphans, body=body))
    return tuple(
        AppraisalWritten(path, backup, sum(len(s.rows) for s in sheets), kept, len(orphans), appraiser=body.code)
        for body, path, sheets, orphans, kept, _, backup in plans
    )


def _write(
    campaign: Campaign, sheets: Sequence[TierSheet], orphans: Sequence[Orphan], path: Path, *, body: Appraiser
) -> None:
    write_appraisal_workbook(campaign, sheets, orphans, path, body=body)


__all__ = ["FOLDER", "UnknownAppraiser", "chosen_bodies", "write_body_appraisals"]
