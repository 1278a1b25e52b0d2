"""The wording of the Word documents (pure): the decision's subject, legal grounds, articles, recipients, issuing
and signing lines, dates and numbers in words, and the annex's notes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from egov_xlsx.model import Campaign, Display, DocumentInfo, Results, TierResult
from egov_xlsx.rules.index_scale import equal_index_notes
from egov_xlsx.vietnamese import clean, format_number, join

_BLANK_NUMBER = " " * 6
_BLANK_DAY = " " * 5
_LOCAL_KINDS = re.compile(
    r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd) (huyện|quận|thị xã|thành phố|xã|phường|thị trấn) "
)
_DISTRICT_KINDS = ("huyện", "quận", "thị xã", "thành phố")
_COMMUNE_KINDS = ("xã", "phường", "thị trấn")
_ARTICLE_PREFIX = re.compile(r"^Điều\s+\d+\s*[.:]\s*")
# --------------------------------------------------------------------------- texts (pure)


def results_phrase(campaign: Campaign) -> str:
    """ "kết quả đánh giá, xếp hạng ... năm 2018": the campaign title as the object of "Công bố"."""
    title = clean(campaign.title)
    lowered = _lower_first(title)
    if lowered.startswith("công bố "):
        lowered = lowered[len("công bố ") :]
    return lowered if lowered.startswith("kết quả") else f"kết quả {lowered}"


def decision_subject(campaign: Campaign) -> str:
    """The decision's subject (trích yếu): "Công bố kết quả " + the title with its first letter lowered."""
    return f"Công bố {results_phrase(campaign)}"


def number_text(info: DocumentInfo, *, prefix: str = "Số: ") -> str:
    """ "Số: 05/QĐ-UBND" (numbers below 10 padded), or the customary blank "Số:      /QĐ-UBND"."""
    number = clean(info.number)
    if number.isdigit() and int(number) < 10:
        number = f"{int(number):02d}"
    return f"{prefix}{number}/{info.symbol}" if number else f"{prefix.rstrip()}{_BLANK_NUMBER}/{info.symbol}"


def date_words(when: date | None, year: int) -> str:
    """ "ngày 05 tháng 01 năm 2020" (days below 10 and months 1-2 padded) or "ngày     tháng     năm <year>"."""
    if when is None:
        return f"ngày{_BLANK_DAY}tháng{_BLANK_DAY}năm {year}"
    month = f"{when.month:02d}" if when.month <= 2 else str(when.month)
    return f"ngày {when.day:02d} tháng {month} năm {when.year}"


def place_date(campaign: Campaign) -> str:
    info = campaign.document
    place = clean(info.place) or clean(campaign.province)
    return f"{place}, {date_words(info.date, campaign.year + 1)}"


def legal_grounds(campaign: Campaign) -> list[str]:
    """Legal grounds then the proposal, each ending ";" and the last "." (punctuation added when missing).

    Without configured grounds, the criteria decision is cited; without a proposal, the Sở TT&TT's is assumed.
    """
    info = campaign.document
    grounds = [clean(g) for g in info.legal_grounds if clean(g)]
    if not grounds and clean(campaign.criteria_decision):
        grounds = [f"Căn cứ {clean(campaign.criteria_decision)}"]
    grounds.append(clean(info.proposal) or "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông")
    stripped = [g.rstrip(" ;.,") for g in grounds]
    return [g + (";" if i < len(stripped) - 1 else ".") for i, g in enumerate(stripped)]


def article_texts(results: Results) -> list[str]:
    """The articles' texts (without "Điều n."): the configured ones, or publish / draw lessons / execute.

    The last article ends "./." as every decision does.
    """
    campaign = results.campaign
    configured = [_ARTICLE_PREFIX.sub("", clean(a)) for a in campaign.document.articles if clean(a)]
    if configured:
        texts = configured
    else:
        phrase = results_phrase(campaign)
        summaries = "; ".join(_tier_summary(t) for t in results.tiers)
        addressees = _addressees(campaign)
        texts = [
            f"Công bố {phrase} (chi tiết tại Phụ lục kèm theo)" + (f", cụ thể: {summaries}." if summaries else "."),
            f"Căn cứ {phrase}, {addressees} tổ chức quán triệt, rút kinh nghiệm và xây dựng kế hoạch nâng cao "
            f"hiệu quả công tác {campaign.effort}, cải thiện {campaign.ranking} trong các năm tiếp theo.",
            f"Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng {_authority_short(campaign)}, Giám đốc Sở "
            f"Thông tin và Truyền thông, {addressees} và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi "
            "hành Quyết định này.",
        ]
    last = texts[-1].rstrip()
    if not last.endswith("./."):
        last = last.rstrip(".") + "./."
    return [*texts[:-1], last]


def recipient_lines(info: DocumentInfo) -> list[str]:
    """ "- X;" per recipient, the last "- Lưu: ..." ending "." (a "Lưu: VT" line added when missing)."""
    items = [clean(r).lstrip("-+• ").rstrip(" ;.,") for r in info.recipients]
    items = [i for i in items if i] or ["Như Điều 3"]
    archive = [i for i in items if i.lower().startswith("lưu")]
    items = [i for i in items if not i.lower().startswith("lưu")] + (archive or ["Lưu: VT"])
    return [f"- {item}" + (";" if n < len(items) - 1 else ".") for n, item in enumerate(items)]


def annex_reference(campaign: Campaign) -> str:
    """ "(Kèm theo Quyết định số 123/QĐ-UBND ngày 11 tháng 3 năm 2019 của Ủy ban nhân dân tỉnh Hưng Yên)"."""
    info = campaign.document
    return (
        f"(Kèm theo Quyết định {number_text(info, prefix='số ')} {date_words(info.date, campaign.year + 1)} "
        f"của {_issuer(campaign)})"
    )


def issuing_lines(campaign: Campaign) -> list[tuple[str, bool]]:
    """The header's left lines in capitals, with whether each is bold: parent body (not bold), issuing body.

    Without ``parent_body``/``issuing_body`` the authority is used: "Ủy ban nhân dân tỉnh X" is printed the
    customary way, "ỦY BAN NHÂN DÂN" over "TỈNH X", both bold (they are one name).
    """
    info = campaign.document
    parent, issuing = clean(info.parent_body).upper(), clean(info.issuing_body).upper()
    if parent or issuing:
        return [(text, bold) for text, bold in ((parent, False), (issuing, True)) if text]
    authority = _issuer(campaign)
    head = "Ủy ban nhân dân "
    if authority.lower().startswith(head.lower()) and len(authority) > len(head):
        return [(head.strip().upper(), True), (authority[len(head) :].upper(), True)]
    return [(authority.upper(), True)]


def signer_titles(campaign: Campaign) -> list[str]:
    """The signature's title lines in capitals ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").

    Without any configured, a People's Committee's decision gets "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH".
    """
    info = campaign.document
    titles = [clean(t).upper() for t in (info.signer_authority, info.signer_deputy, info.signer_title) if clean(t)]
    if not titles and _issuer(campaign).lower().startswith("ủy ban nhân dân"):
        titles = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    return titles


def _tier_summary(tier: TierResult) -> str:
    name = clean(tier.tier.name)
    label = name if name.lower().startswith("khối") else f"khối {name}"
    ranked = tier.ranked
    if not ranked:
        return f"{label} chưa có đơn vị được xếp hạng"
    parts = [f"{format_number(len(b.units))} đơn vị xếp loại {b.band}" for b in tier.bands if b.units]
    head = f"{label} có {format_number(len(ranked))} đơn vị được xếp hạng"
    return f"{head}, trong đó {join(parts)}" if parts else head


def _addressees(campaign: Campaign) -> str:
    """Who must act on the results, from the kinds of units ranked: heads of departments, district chairs."""
    names = [clean(u.name) for t in campaign.tiers for u in t.units]
    kinds = {m.group(1) for n in names if (m := _LOCAL_KINDS.match(n.lower()))}
    parts: list[str] = []
    if any(not _LOCAL_KINDS.match(n.lower()) for n in names):
        parts.append("Thủ trưởng các sở, ban, ngành")
    for group in (_DISTRICT_KINDS, _COMMUNE_KINDS):
        found = [k for k in group if k in kinds]
        if found:
            parts.append(f"Chủ tịch Ủy ban nhân dân các {', '.join(found)}")
    return "; ".join(parts) or "Thủ trưởng các cơ quan, đơn vị được đánh giá"


def _issuer(campaign: Campaign) -> str:
    info = campaign.document
    return clean(campaign.authority) or clean(f"{info.parent_body} {info.issuing_body}")


def _authority_short(campaign: Campaign) -> str:
    """ "Ủy ban nhân dân tỉnh": the authority without the province's name."""
    authority, province = _issuer(campaign), clean(campaign.province)
    if province and authority.endswith(f" {province}"):
        return authority[: -len(province)].rstrip()
    return authority


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _stamp(campaign: Campaign) -> datetime:
    return datetime(campaign.year + 1, 1, 1)


def short_name(name: str) -> str:
    """A criterion's name for a narrow column header: "công nghệ thông tin" as "CNTT", no parenthesis."""
    text = re.sub(r"\s*\([^)]*\)", "", clean(name))
    return re.sub(r"công nghệ thông tin", "CNTT", text, flags=re.IGNORECASE)


def annex_notes(tier: TierResult, *, draft: bool, display: Display | None = None) -> list[str]:
    """Notes under a tier's table: shared ranks, broken ties, equal printed indices (an index campaign),
    not-applicable criteria, unranked and excluded units."""
    notes: list[str] = []
    shared: dict[int, list[str]] = {}
    for r in tier.ranked:
        if r.shares_rank and r.rank is not None:
            shared.setdefault(r.rank, []).append(clean(r.unit.name))
    for rank, names in shared.items():
        notes.append(f"{join(names)} đồng hạng {format_number(rank)}.")
    notes.extend(clean(r.tie_note) for r in tier.ranked if r.tie_note)
    if display is not None and display.index:
        notes.append("Chỉ số = tổng điểm / điểm tối đa của đơn vị.")
        notes.extend(clean(note) for note in equal_index_notes(tier, display.index_decimals).values())
    own_max = [r for r in tier.units if r.not_applicable and r.max != tier.tier.max]
    if own_max:
        listed = join(f"{clean(r.unit.name)} ({format_number(r.max)} điểm)" for r in own_max)
        notes.append(
            "Dấu “–”: tiêu chí không áp dụng đối với đơn vị; đơn vị được xếp hạng theo tỷ lệ tổng điểm so với "
            f"điểm tối đa của đơn vị: {listed}."
        )
    for r in tier.units:
        if r.rank is None:
            reason = clean(r.unit.unranked_reason).rstrip(".")
            notes.append(f"{clean(r.unit.name)} không xếp hạng" + (f": {reason}." if reason else "."))
    if draft and tier.excluded:
        listed = join(f"{clean(u.name)} ({clean(reason)})" for u, reason in tier.excluded)
        notes.append(f"Đơn vị chưa có trong kết quả (bản dự thảo): {listed}.")
    return notes
