"""A parsed ``egov.toml`` checked into a :class:`~egov_xlsx.model.Campaign`: the campaign, its tiers, bands,
roster, bonus and penalty lines and the decision's details (every problem recorded, raised at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_xlsx.config.appraisers import appraised_by, appraisers, check_assigned
from egov_xlsx.config.criteria import criterion
from egov_xlsx.config.groups import groups_of
from egov_xlsx.config.locate import Locator, located
from egov_xlsx.config.source import CONFIG_NAME
from egov_xlsx.config.values import IDENTIFIER, ValueReader, check_bounds
from egov_xlsx.errors import ConfigError
from egov_xlsx.model import ZERO, Adjustment, Band, Campaign, Criterion, Display, DocumentInfo, Severity, Tier, Unit
from egov_xlsx.vietnamese import clean, format_number

DEFAULT_BANDS = (
    Band("Tốt", Decimal(85)),
    Band("Khá", Decimal(70)),
    Band("Trung bình", Decimal(50)),
    Band("Yếu", Decimal(0)),
)


def parse_campaign(
    data: Mapping[str, Any], *, path: Path = Path(CONFIG_NAME), sha256: str = "", text: str | None = None
) -> Campaign:
    """Check a parsed TOML document and build the campaign (all problems at once).

    With the document's ``text`` every problem carries its line (:class:`LocatedProblem`); without, its key path.
    """
    r = ValueReader(Locator(text, data))
    root = r.table(data, "", {"campaign", "display", "validation", "document", "tiers", "appraisers"})
    camp = r.table(
        root.get("campaign"),
        "campaign",
        {
            "id",
            "title",
            "province",
            "year",
            "authority",
            "criteria_decision",
            "previous_provinces",
            "subject",
            "index_name",
        },
        required=True,
    )
    cid = r.text(camp, "campaign.id", required=True)
    if cid and not IDENTIFIER.match(cid):
        r.problem(
            "campaign.id",
            "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ hung-yen-2018)",
        )
    year = r.integer(camp, "campaign.year", required=True, low=1990, high=2200)
    title = r.text(camp, "campaign.title", required=True)
    province = r.text(camp, "campaign.province", required=True)
    authority = r.text(camp, "campaign.authority")
    criteria_decision = r.text(camp, "campaign.criteria_decision")
    previous_provinces = r.texts(camp, "campaign.previous_provinces")
    subject = r.text(camp, "campaign.subject")
    if "subject" in camp and isinstance(camp["subject"], str) and not subject.strip():
        r.problem("campaign.subject", "không được để trống (bỏ khóa để dùng mặc định Chính quyền điện tử)")
    subject = subject.strip() or Campaign.subject
    index_name = r.text(camp, "campaign.index_name").strip()

    disp = r.table(root.get("display"), "display", {"total_decimals", "percent_decimals", "scale", "index_decimals"})
    display = Display(
        total_decimals=r.integer(disp, "display.total_decimals", default=2, low=0, high=6),
        percent_decimals=r.integer(disp, "display.percent_decimals", default=0, low=0, high=4),
        scale=r.choice(disp, "display.scale", {"points": "points", "index": "index"}, default="points"),
        index_decimals=r.integer(disp, "display.index_decimals", default=4, low=1, high=8),
    )
    val = r.table(root.get("validation"), "validation", {"evidence"})
    evidence = r.choice(
        val,
        "validation.evidence",
        {"off": None, "warning": Severity.WARNING, "error": Severity.ERROR},
        default="off",
    )
    document = _document(r, root.get("document"))
    bodies = appraisers(r, root.get("appraisers"))
    body_codes = frozenset(b.code for b in bodies)

    tiers: list[Tier] = []
    raw_tiers = root.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        r.problem("tiers", "cần ít nhất một khối [[tiers]] (ví dụ khối sở, ban, ngành)")
        raw_tiers = []
    for i, raw in enumerate(raw_tiers):
        tier = _tier(r, raw, f"tiers[{i}]", body_codes)
        if tier is not None:
            tiers.append(tier)

    seen_tiers: dict[str, int] = {}
    seen_units: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(raw_tiers):
        tid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(tid, str) and tid:
            if tid in seen_tiers:
                r.problem(f"tiers[{i}].id", f'mã khối "{tid}" bị trùng{r.at(f"tiers[{seen_tiers[tid]}].id")}')
            seen_tiers.setdefault(tid, i)
        raw_units = raw.get("units") if isinstance(raw, dict) else None
        for j, ru in enumerate(raw_units if isinstance(raw_units, list) else []):
            code = _unit_code(ru)
            first = seen_units.setdefault(code, (i, j)) if code else (i, j)
            if first[0] != i:  # a duplicate inside one tier is told by _units
                r.problem(
                    f"tiers[{i}].units[{j}].code",
                    f'mã đơn vị "{code}" đã dùng ở khối khác{r.at(f"tiers[{first[0]}].units[{first[1]}].code")}; '
                    "mã đơn vị phải duy nhất",
                )

    if r.problems:
        raise ConfigError(path, located(r.problems, r.locator))
    return Campaign(
        id=cid,
        title=title,
        province=province,
        year=year,
        authority=authority,
        criteria_decision=criteria_decision,
        tiers=tuple(tiers),
        display=display,
        evidence_severity=evidence,
        document=document,
        folder=path.parent,
        config_sha256=sha256,
        previous_provinces=previous_provinces,
        subject=subject,
        index_name=index_name,
        appraisers=bodies,
        notes=tuple(r.notes),
    )


def _document(r: ValueReader, raw: object) -> DocumentInfo:
    keys = {
        "parent_body",
        "issuing_body",
        "number",
        "symbol",
        "place",
        "date",
        "legal_grounds",
        "proposal",
        "signer_authority",
        "signer_deputy",
        "signer_title",
        "signer_name",
        "recipients",
        "articles",
    }
    doc = r.table(raw, "document", keys)
    when = doc.get("date")
    if when is not None and not (isinstance(when, dt.date) and not isinstance(when, dt.datetime)):
        r.problem("document.date", "ghi ngày dạng 2019-03-11 (không có dấu nháy)")
        when = None
    text = {k: r.text(doc, f"document.{k}") for k in keys - {"date", "legal_grounds", "recipients", "articles"}}
    return DocumentInfo(
        parent_body=text["parent_body"],
        issuing_body=text["issuing_body"],
        number=text["number"],
        symbol=text["symbol"] or "QĐ-UBND",
        place=text["place"],
        date=when,
        legal_grounds=r.texts(doc, "document.legal_grounds"),
        proposal=text["proposal"],
        signer_authority=text["signer_authority"],
        signer_deputy=text["signer_deputy"],
        signer_title=text["signer_title"],
        signer_name=text["signer_name"],
        recipients=r.texts(doc, "document.recipients"),
        articles=r.texts(doc, "document.articles"),
    )


def _tier(r: ValueReader, raw: object, key: str, bodies: frozenset[str] = frozenset()) -> Tier | None:
    t = r.table(
        raw,
        key,
        {"id", "name", "bands", "criteria", "units", "tie_breakers", "adjustments", "groups", "rank_groups_separately"},
        required=True,
    )
    if not t:
        return None
    tid = r.text(t, f"{key}.id", required=True)
    if tid and not IDENTIFIER.match(tid):
        r.problem(f"{key}.id", "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ so-nganh)")
    name = r.text(t, f"{key}.name", required=True)
    bands = _bands(r, t.get("bands"), f"{key}.bands")
    units = _units(r, t.get("units"), f"{key}.units")
    criteria: list[Criterion] = []
    raw_criteria = t.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        r.problem(f"{key}.criteria", "cần ít nhất một tiêu chí [[tiers.criteria]]")
        raw_criteria = []
    unit_codes = {u.code for u in units}
    codes: dict[str, str] = {}  # criterion code -> the key path of its first criterion
    for i, rc in enumerate(raw_criteria):
        c = criterion(r, rc, f"{key}.criteria[{i}]", unit_codes, codes, bodies=bodies)
        if c is not None:
            criteria.append(c)
    if criteria and all(leaf.council for top in criteria for leaf in top.walk() if leaf.is_leaf):
        r.problem(f"{key}.criteria", 'cần ít nhất một tiêu chí do đơn vị tự chấm (không phải source = "council")')
    breakers = r.texts(t, f"{key}.tie_breakers")
    for i, code in enumerate(breakers):
        if code not in codes:
            r.problem(f"{key}.tie_breakers[{i}]", f'không có tiêu chí mã "{code}" trong khối')
    adjustments = _adjustments(r, t.get("adjustments"), f"{key}.adjustments", codes, bodies)
    check_assigned(r, key, bodies, criteria, adjustments)
    groups, separate = groups_of(r, t, key, criteria, codes, units)
    if not tid:
        return None
    return Tier(
        id=tid,
        name=name,
        bands=bands,
        criteria=tuple(criteria),
        units=units,
        tie_breakers=breakers,
        adjustments=adjustments,
        groups=groups,
        rank_groups_separately=separate,
    )


def _bands(r: ValueReader, raw: object, key: str) -> tuple[Band, ...]:
    if raw is None:
        return DEFAULT_BANDS
    if not isinstance(raw, list) or not raw:
        r.problem(key, 'ghi danh sách mức xếp loại, ví dụ [{ name = "Tốt", min_percent = 85 }, ...]')
        return DEFAULT_BANDS
    start = len(r.problems)
    written: list[tuple[int, Band]] = []
    for i, rb in enumerate(raw):
        b = r.table(rb, f"{key}[{i}]", {"name", "min_percent", "above_percent"}, required=True)
        name = r.text(b, f"{key}[{i}].name", required=True)
        exclusive = "above_percent" in b
        bound = "above_percent" if exclusive else "min_percent"
        if exclusive and "min_percent" in b:
            r.problem(f"{key}[{i}]", "ghi min_percent (từ X%) hoặc above_percent (lớn hơn X%), không ghi cả hai")
        low = r.decimal(b, f"{key}[{i}].{bound}", required=True)
        if low is not None and not ZERO <= low <= 100:
            r.problem(f"{key}[{i}].{bound}", "phải từ 0 đến 100")
        else:
            check_bounds(r, f"{key}[{i}].{bound}", low)
        if name and low is not None:
            written.append((i, Band(name, low, exclusive)))
    before = len(r.problems)
    names: dict[str, int] = {}
    lows: dict[Decimal, int] = {}
    for i, band in written:
        if band.name in names:
            r.problem(
                f"{key}[{i}].name", f'tên mức xếp loại "{band.name}" bị trùng{r.at(f"{key}[{names[band.name]}].name")}'
            )
        names.setdefault(band.name, i)
        if band.min_percent in lows:
            first = written[[j for j, _ in written].index(lows[band.min_percent])][1]
            r.problem(
                f"{key}[{i}].{_bound_key(band)}",
                f"hai mức xếp loại có cùng ngưỡng {format_number(band.min_percent)}%"
                f"{r.at(f'{key}[{lows[band.min_percent]}].{_bound_key(first)}')}: không rõ đơn vị đạt mức nào",
            )
        lows.setdefault(band.min_percent, i)
    bands = sorted((b for _, b in written), key=lambda b: b.min_percent, reverse=True)
    if len(r.problems) == start and bands and (bands[-1].min_percent != 0 or bands[-1].exclusive):
        r.problem(key, "cần một mức có min_percent = 0 (mức thấp nhất, ví dụ Yếu) để mọi đơn vị đều được xếp loại")
    if len(r.problems) == before and [b for _, b in written] != bands:
        order = ", ".join(f"{b.name} {b.threshold} {format_number(b.min_percent)}%" for b in bands)
        r.note(key, f"các mức xếp loại không ghi theo thứ tự từ cao xuống thấp; đã sắp lại: {order}")
    return tuple(bands)


def _bound_key(band: Band) -> str:
    """The config key a band's bound was written with."""
    return "above_percent" if band.exclusive else "min_percent"


def _units(r: ValueReader, raw: object, key: str) -> tuple[Unit, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(key, "cần danh sách đơn vị [[tiers.units]] với code và name")
        return ()
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for i, ru in enumerate(raw):
        k = f"{key}[{i}]"
        u = r.table(
            ru, k, {"code", "name", "contact", "ranked", "unranked_reason", "previous_codes", "group"}, required=True
        )
        code = r.code(u, f"{k}.code")
        name = r.text(u, f"{k}.name", required=True)
        if code and code in seen:
            r.problem(f"{k}.code", f'mã đơn vị "{code}" bị trùng{r.at(f"{key}[{seen[code]}].code")}')
        seen.setdefault(code, i)
        ranked = r.boolean(u, f"{k}.ranked", default=True)
        reason = r.text(u, f"{k}.unranked_reason")
        if not ranked and not reason:
            r.problem(f"{k}.unranked_reason", "đơn vị không xếp hạng (ranked = false) cần ghi lý do")
        units.append(
            Unit(
                code=code,
                name=name,
                contact=r.text(u, f"{k}.contact"),
                ranked=ranked,
                unranked_reason=reason,
                previous_codes=r.texts(u, f"{k}.previous_codes"),
                group=r.text(u, f"{k}.group"),
            )
        )
    return tuple(units)


def _adjustments(
    r: ValueReader, raw: object, key: str, criterion_codes: Mapping[str, str], bodies: frozenset[str] = frozenset()
) -> tuple[Adjustment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.problem(key, "ghi các dòng điểm cộng/trừ dạng [[tiers.adjustments]]")
        return ()
    out: list[Adjustment] = []
    seen: dict[str, int] = {}
    for i, ra in enumerate(raw):
        k = f"{key}[{i}]"
        a = r.table(ra, k, {"code", "name", "min", "max", "appraised_by"}, required=True)
        code = r.code(a, f"{k}.code")
        name = r.text(a, f"{k}.name", required=True)
        low = r.decimal(a, f"{k}.min", default=ZERO)
        high = r.decimal(a, f"{k}.max", default=ZERO)
        check_bounds(r, f"{k}.min", low)
        check_bounds(r, f"{k}.max", high)
        if code in criterion_codes:
            r.problem(f"{k}.code", f'mã "{code}" đã dùng cho một tiêu chí{r.at(f"{criterion_codes[code]}.code")}')
        elif code and code in seen:
            r.problem(f"{k}.code", f'mã "{code}" đã dùng cho dòng cộng/trừ khác{r.at(f"{key}[{seen[code]}].code")}')
        seen.setdefault(code, i)
        if low is not None and high is not None and low > high:
            r.problem(k, "min phải nhỏ hơn hoặc bằng max")
        if low is not None and high is not None and low == high == ZERO:
            r.problem(k, "cần max > 0 (điểm cộng) hoặc min < 0 (điểm trừ)")
        if code and name and low is not None and high is not None:
            out.append(Adjustment(code=code, name=name, min=low, max=high, appraised_by=appraised_by(r, a, k, bodies)))
    return tuple(out)


def _unit_code(raw: object) -> str:
    """A unit's code as :meth:`ValueReader.code` reads it, or "" (its problems are told there)."""
    code = raw.get("code") if isinstance(raw, dict) else None
    if isinstance(code, bool) or not isinstance(code, str | int):
        return ""
    return clean(code) if isinstance(code, str) else str(code)
