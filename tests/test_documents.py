"""Word documents: the decision (with its landscape annex) and the announcement, reopened with python-docx.

Results are built in code from the Hưng Yên 2018 sample config; the LibreOffice test converts the documents
to PDF and checks pages and text (skipped when soffice is not installed).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from egov_xlsx import config
from egov_xlsx.model import Campaign, Results, Severity, SourceFile, Submission, Tier, TierResult
from egov_xlsx.publish.document_texts import (
    annex_notes,
    article_texts,
    date_words,
    decision_subject,
    issuing_lines,
    legal_grounds,
    number_text,
    recipient_lines,
    short_name,
    signer_titles,
)
from egov_xlsx.publish.documents import write_announcement, write_decision
from egov_xlsx.rules import scoring

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "hung-yen-2018"

# Leaf scores reproducing published totals: Sở Kế hoạch và Đầu tư 417,30 of 500; thành phố Hưng Yên 106,42
# and Văn Lâm exactly 105 of 150 (70 %, so "Khá").
SKHDT = {
    "1.1": "20", "1.2": "15", "1.3": "15", "2.1": "38", "2.2": "20", "2.3": "18", "2.4.1": "12", "2.4.2": "10",
    "3.1": "40", "3.2": "25", "3.3": "15", "4.1": "50", "4.2": "47.8", "5.1": "20", "5.2": "13.5", "5.3": "10",
    "6.1": "25", "6.2": "25",
}  # fmt: skip
HY = {
    "1.1": "13.4", "1.2": "13", "2.1": "6", "2.2": "5", "3.1": "3", "3.2": "3", "4.1": "16", "4.2": "16",
    "5.1": "15", "5.2": "12.8", "6.1": "2", "6.2": "1.22", "7": "0",
}  # fmt: skip
VL = {
    "1.1": "12", "1.2": "12", "2.1": "5", "2.2": "4.3", "3.1": "4", "3.2": "4", "4.1": "14", "4.2": "15",
    "5.1": "15", "5.2": "12", "6.1": "3", "6.2": "4.4", "7": "0.3",
}  # fmt: skip


def _submission(tier: Tier, code: str, scores: Mapping[str, Decimal]) -> Submission:
    source = SourceFile(Path(f"{code}.xlsx"), f"{code}.xlsx", 1000, "0" * 64, 0.0, "xlsx")
    return Submission(tier.id, code, source, "1", scores)


def _generic(tier: Tier, fraction: Decimal) -> dict[str, Decimal]:
    return {c.code: (c.max * fraction).quantize(Decimal("0.1")) for c in tier.leaves()}


def _score(
    tier: Tier, explicit: Mapping[str, Mapping[str, str]], base: str, skip: frozenset[str] = frozenset()
) -> TierResult:
    subs: dict[str, Submission] = {}
    for i, unit in enumerate(tier.units):
        if unit.code in skip:
            continue
        if unit.code in explicit:
            scores = {k: Decimal(v) for k, v in explicit[unit.code].items()}
        else:
            # Sở Tư pháp copies Sở Tài chính's scores: a shared rank ("đồng hạng").
            step = i - 1 if unit.code == "STP" else i
            scores = _generic(tier, Decimal(base) - Decimal("0.015") * step)
        subs[unit.code] = _submission(tier, unit.code, scores)
    excluded = {code: "không có biểu hợp lệ" for code in skip}
    return scoring.score_tier(tier, subs, excluded=excluded)


def _campaign(**document: Any) -> Campaign:
    campaign = config.load_campaign(SAMPLE)
    depts = campaign.tiers[0]
    units = tuple(
        dataclasses.replace(u, ranked=False, unranked_reason="Thanh tra tỉnh đánh giá theo bộ tiêu chí riêng")
        if u.code == "TTT"
        else u
        for u in depts.units
    )
    tiers = (dataclasses.replace(depts, units=units), *campaign.tiers[1:])
    info = dataclasses.replace(campaign.document, **document)
    return dataclasses.replace(campaign, tiers=tiers, document=info)


def make_results(*, draft: bool = False, **document: Any) -> Results:
    campaign = _campaign(**document)
    depts, districts = campaign.tiers
    skip = frozenset({"SYT"}) if draft else frozenset()
    tiers = (_score(depts, {"SKHDT": SKHDT}, "0.82", skip), _score(districts, {"HY": HY, "VL": VL}, "0.68"))
    return Results(campaign, tiers, draft=draft)


def _mm(length: Any) -> float:
    """A length in mm, to 0.1 mm (Word stores twips, so Mm(210) comes back as 209.97)."""
    return round(length.mm, 1)


def _paragraphs(document: Any) -> Iterator[Any]:
    """Every paragraph of the body, table cells included, in document order."""
    body = document.element.body
    for p in body.iter(qn("w:p")):
        yield docx.text.paragraph.Paragraph(p, document)


def _texts(document: Any) -> list[str]:
    return [p.text for p in _paragraphs(document)]


def _find(document: Any, text: str) -> Any:
    return next(p for p in _paragraphs(document) if p.text == text)


@pytest.fixture
def decision(tmp_path: Path) -> tuple[Any, list[Any], Path]:
    path = tmp_path / "quyet-dinh.docx"
    findings = write_decision(make_results(), path)
    return docx.Document(str(path)), findings, path


# --------------------------------------------------------------------------- pure texts


def test_subject_and_number_and_dates() -> None:
    campaign = _campaign()
    assert decision_subject(campaign) == (
        "Công bố kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử trong cơ quan nhà nước tỉnh Hưng Yên năm 2018"
    )
    assert number_text(campaign.document) == "Số:      /QĐ-UBND"
    assert number_text(dataclasses.replace(campaign.document, number="123")) == "Số: 123/QĐ-UBND"
    assert number_text(dataclasses.replace(campaign.document, number="5")) == "Số: 05/QĐ-UBND"
    assert date_words(date(2019, 3, 11), 2019) == "ngày 11 tháng 3 năm 2019"
    assert date_words(date(2020, 1, 5), 2019) == "ngày 05 tháng 01 năm 2020"
    assert date_words(date(2020, 2, 9), 2019) == "ngày 09 tháng 02 năm 2020"
    assert date_words(date(2020, 12, 25), 2019) == "ngày 25 tháng 12 năm 2020"
    assert date_words(None, 2019) == "ngày     tháng     năm 2019"


def test_legal_grounds_punctuation() -> None:
    grounds = legal_grounds(_campaign(legal_grounds=("Căn cứ A;", "Căn cứ B."), proposal="Theo đề nghị C"))
    assert grounds == ["Căn cứ A;", "Căn cứ B;", "Theo đề nghị C."]
    default = legal_grounds(_campaign(legal_grounds=(), proposal=""))
    assert default[0].startswith("Căn cứ Quyết định số 2749/QĐ-UBND")
    assert default[-1] == "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông."


def test_articles_from_data_and_configured() -> None:
    first, second, third = article_texts(make_results())
    assert "(chi tiết tại Phụ lục kèm theo)" in first
    assert "khối Sở, ban, ngành có 16 đơn vị được xếp hạng, trong đó" in first
    assert "khối Ủy ban nhân dân cấp huyện có 10 đơn vị được xếp hạng, trong đó 2 đơn vị xếp loại Khá và 8" in first
    assert "Chủ tịch Ủy ban nhân dân các huyện, thành phố" in second
    assert third.startswith("Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh,")
    assert third.endswith("chịu trách nhiệm thi hành Quyết định này./.")
    own = article_texts(make_results(articles=("Điều 1. Công bố X.", "Giao Y thi hành")))
    assert own == ["Công bố X.", "Giao Y thi hành./."]


def test_recipients_end_with_archive() -> None:
    campaign = _campaign(recipients=("Lưu: VT", "Như Điều 3;", "- Sở TT&TT."))
    assert recipient_lines(campaign.document) == ["- Như Điều 3;", "- Sở TT&TT;", "- Lưu: VT."]
    assert recipient_lines(_campaign(recipients=()).document) == ["- Như Điều 3;", "- Lưu: VT."]


def test_short_name_and_notes() -> None:
    assert short_name("Phần mềm chuyên ngành (không quá 20 điểm)") == "Phần mềm chuyên ngành"
    assert short_name("Nhân lực cho ứng dụng công nghệ thông tin") == "Nhân lực cho ứng dụng CNTT"
    results = make_results(draft=True)
    notes = annex_notes(results.tiers[0], draft=True)
    assert notes[0] == "Sở Tài chính và Sở Tư pháp đồng hạng 3."
    assert "Thanh tra tỉnh không xếp hạng: Thanh tra tỉnh đánh giá theo bộ tiêu chí riêng." in notes
    assert notes[-1] == "Đơn vị chưa có trong kết quả (bản dự thảo): Sở Y tế (không có biểu hợp lệ)."
    assert not any("bản dự thảo" in n for n in annex_notes(make_results().tiers[0], draft=False))


def _commune_results(**document: Any) -> Results:
    """Forty communes, ten criteria and a bonus line: a table too wide for criterion names in its header."""
    criteria = [
        {"code": str(i), "name": f"Tiêu chí {i} về ứng dụng công nghệ thông tin", "max": 10} for i in range(1, 11)
    ]
    units = [{"code": f"X{i}", "name": f"Ủy ban nhân dân xã Số {i}"} for i in range(1, 41)]
    data = {
        "campaign": {
            "id": "bac-kan-2023",
            "title": "Đánh giá mức độ Chính quyền điện tử cấp xã năm 2023",
            "province": "Bắc Kạn",
            "year": 2023,
            "authority": "Ủy ban nhân dân tỉnh Bắc Kạn",
        },
        "document": document,
        "tiers": [
            {
                "id": "cap-xa",
                "name": "Ủy ban nhân dân cấp xã",
                "criteria": criteria,
                "units": units,
                "adjustments": [{"code": "T", "name": "Điểm thưởng", "min": 0, "max": 5}],
            }
        ],
    }
    campaign = config.parse_campaign(data)
    tier = campaign.tiers[0]
    subs = {
        u.code: _submission(tier, u.code, {c.code: Decimal(5 + i % 5) for c in tier.leaves()})
        for i, u in enumerate(tier.units)
    }
    return Results(campaign, (scoring.score_tier(tier, subs),))


def test_defaults_from_the_authority(tmp_path: Path) -> None:
    results = _commune_results()
    campaign = results.campaign
    # No parent_body/issuing_body: the authority's name over two bold lines, as People's Committees print it.
    assert issuing_lines(campaign) == [("ỦY BAN NHÂN DÂN", True), ("TỈNH BẮC KẠN", True)]
    assert signer_titles(campaign) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert signer_titles(_campaign()) == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert issuing_lines(_campaign()) == [("ỦY BAN NHÂN DÂN", False), ("TỈNH HƯNG YÊN", True)]
    _, second, third = article_texts(results)
    assert "Chủ tịch Ủy ban nhân dân các xã tổ chức quán triệt" in second
    assert "Thủ trưởng các sở" not in second
    assert "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở" in third
    path = tmp_path / "qd.docx"
    assert [f.code for f in write_decision(results, path)] == ["document-no-signer"]
    document = docx.Document(str(path))
    assert document.tables[0].cell(1, 1).text == "Bắc Kạn, ngày     tháng     năm 2024"


def test_wide_table_uses_codes_and_a_legend(tmp_path: Path) -> None:
    path = tmp_path / "qd.docx"
    write_decision(_commune_results(), path)
    document = docx.Document(str(path))
    table = document.tables[2]
    header = [c.text for c in table.rows[0].cells]
    assert header[2:4] == ["TC 1\n(10)", "TC 2\n(10)"]
    assert header[12] == "T"
    assert len(table.rows) == 2 + 40
    texts = _texts(document)
    legend = next(t for t in texts if t.startswith("- Các cột điểm: "))
    assert "TC 1: Tiêu chí 1 về ứng dụng công nghệ thông tin;" in legend
    assert legend.endswith("; T: Điểm thưởng.")


# --------------------------------------------------------------------------- the decision, reopened


def test_decision_pages_and_margins(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    portrait, annex = document.sections
    for section in (portrait, annex):
        assert {_mm(section.page_width), _mm(section.page_height)} == {210.0, 297.0}
        assert 20 <= _mm(section.top_margin) <= 25
        assert 20 <= _mm(section.bottom_margin) <= 25
        assert 30 <= _mm(section.left_margin) <= 35
        assert 15 <= _mm(section.right_margin) <= 20
    assert portrait.orientation == WD_ORIENT.PORTRAIT and _mm(portrait.page_width) == 210
    assert annex.orientation == WD_ORIENT.LANDSCAPE and _mm(annex.page_width) == 297


def test_decision_fonts(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.rFonts
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        assert fonts.get(qn(f"w:{attr}")) == "Times New Roman"
    runs = [r for p in _paragraphs(document) for r in p.runs if r.text.strip()]
    assert runs
    for run in runs:
        assert run.font.name == "Times New Roman"
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
        assert Pt(10) <= run.font.size <= Pt(14)
    body = _find(document, "QUYẾT ĐỊNH:").runs[0]
    assert body.font.size == Pt(14) and body.font.bold


def test_decision_header_block(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    header = document.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN", "TỈNH HƯNG YÊN"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header.cell(1, 0).text == "Số:      /QĐ-UBND"
    assert header.cell(1, 1).text == "Hưng Yên, ngày 11 tháng 3 năm 2019"
    assert header.cell(1, 1).paragraphs[0].runs[0].font.italic
    parent, issuing = (p for p in header.cell(0, 0).paragraphs if p.text)
    assert not parent.runs[0].font.bold and parent.runs[0].font.size == Pt(13)
    assert issuing.runs[0].font.bold
    # A short solid rule under the issuing body and one under the motto: bottom-bordered empty paragraphs.
    for cell in (header.cell(0, 0), header.cell(0, 1)):
        rules = [p for p in cell.paragraphs if p._p.find(f".//{qn('w:pBdr')}/{qn('w:bottom')}") is not None]
        assert len(rules) == 1 and not rules[0].text
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = header._tbl.tblPr.find(f"{qn('w:tblBorders')}/{qn(f'w:{side}')}")
        assert edge.get(qn("w:val")) == "nil"


def test_decision_number_and_early_date(tmp_path: Path) -> None:
    path = tmp_path / "qd.docx"
    write_decision(make_results(number="7", date=date(2020, 1, 5)), path)
    document = docx.Document(str(path))
    texts = _texts(document)
    assert "Số: 07/QĐ-UBND" in texts
    assert "Hưng Yên, ngày 05 tháng 01 năm 2020" in texts
    assert "(Kèm theo Quyết định số 07/QĐ-UBND ngày 05 tháng 01 năm 2020 của Ủy ban nhân dân tỉnh Hưng Yên)" in texts


def test_decision_body(decision: tuple[Any, list[Any], Path]) -> None:
    document, findings, _ = decision
    texts = _texts(document)
    assert findings == []
    assert "QUYẾT ĐỊNH" in texts
    assert decision_subject(make_results().campaign) in texts
    assert "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN" in texts
    grounds = [p for p in _paragraphs(document) if p.text.startswith(("Căn cứ Luật", "Căn cứ Quyết", "Theo đề"))]
    assert [p.text[-1] for p in grounds] == [";", ";", "."]
    assert all(r.font.italic for p in grounds for r in p.runs)
    articles = [p for p in _paragraphs(document) if p.text.startswith("Điều ")]
    assert [p.runs[0].text for p in articles] == ["Điều 1. ", "Điều 2. ", "Điều 3. "]
    assert all(p.runs[0].font.bold and not p.runs[1].font.bold for p in articles)
    assert articles[-1].text.endswith("./.")
    for p in articles:
        assert p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
        assert _mm(p.paragraph_format.first_line_indent) == 10
        assert p.paragraph_format.space_after >= Pt(6)
        assert 1.0 <= p.paragraph_format.line_spacing <= 1.5
    assert "DỰ THẢO" not in texts
    assert "DỰ THẢO" not in document.sections[0].first_page_header._element.xml


def test_decision_signature_and_recipients(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    sign = document.tables[1]
    left = [p for p in sign.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in sign.cell(0, 1).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:"
    assert left[0].runs[0].font.bold and left[0].runs[0].font.italic and left[0].runs[0].font.size == Pt(12)
    assert left[1].text == "- Như Điều 3;" and left[1].runs[0].font.size == Pt(11)
    assert left[-1].text == "- Lưu: VT, KGVX."
    assert right == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Duyên"]


def test_decision_page_numbers(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    first = document.sections[0]
    assert first.different_first_page_header_footer
    assert not first.first_page_header.is_linked_to_previous
    assert "PAGE" not in first.first_page_header._element.xml
    header = first.header.paragraphs[0]
    assert header.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    instructions = [t.text.strip() for t in header._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert all(r.font.size == Pt(13) for r in header.runs)
    annex = document.sections[1]
    assert not annex.different_first_page_header_footer
    assert annex.header.is_linked_to_previous


def test_decision_annex(decision: tuple[Any, list[Any], Path]) -> None:
    document, _, _ = decision
    texts = _texts(document)
    assert "Phụ lục" in texts
    assert (
        "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ TRONG CƠ QUAN NHÀ NƯỚC TỈNH HƯNG YÊN NĂM 2018" in texts
    )
    assert "(Kèm theo Quyết định số      /QĐ-UBND ngày 11 tháng 3 năm 2019 của Ủy ban nhân dân tỉnh Hưng Yên)" in texts
    depts, districts = document.tables[2:]
    header = [c.text for c in depts.rows[0].cells]
    assert header[:3] == ["STT", "Đơn vị", "1. Hạ tầng kỹ thuật CNTT\n(50)"]
    assert header[-3:] == ["Tổng điểm\n(500)", "Xếp hạng", "Xếp loại"]
    assert [c.text for c in depts.rows[1].cells][1:3] == ["Điểm tối đa", "50"]
    first = [c.text for c in depts.rows[2].cells]
    assert first == ["1", "Sở Kế hoạch và Đầu tư", "50", "96", "80", "97,8", "43,5", "50", "417,30", "1", "Khá"]
    assert len(depts.rows) == 2 + 17
    assert [c.text for c in depts.rows[-1].cells][1] == "Thanh tra tỉnh"
    assert [c.text for c in depts.rows[-1].cells][-2] == "–"
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in districts.rows[2:]}
    assert rows["Ủy ban nhân dân thành phố Hưng Yên"][-3:] == ["106,42", "1", "Khá"]
    assert rows["Ủy ban nhân dân huyện Văn Lâm"][-3:] == ["105,00", "2", "Khá"]
    for table in (depts, districts):
        for row in table.rows[:2]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.rows[2]._tr.trPr.find(qn("w:tblHeader")) is None
        sizes = {r.font.size for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs}
        assert sizes <= {Pt(10), Pt(11)}
    notes = texts.index("Ghi chú:")
    assert texts[notes + 1] == "- Sở Tài chính và Sở Tư pháp đồng hạng 3."


def test_missing_signer_warns(tmp_path: Path) -> None:
    findings = write_decision(make_results(signer_name=""), tmp_path / "qd.docx")
    assert [(f.code, f.severity) for f in findings] == [("document-no-signer", Severity.WARNING)]
    assert "signer_name" in findings[0].message and "[document]" in findings[0].message


def test_draft_decision_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "qd-du-thao.docx"
    write_decision(make_results(draft=True), path)
    document = docx.Document(str(path))
    texts = _texts(document)
    # Boxed at the top of the first page (in its header, taking no room from the text) and of the annex.
    mark = document.sections[0].first_page_header.paragraphs[0]
    assert mark.text == "DỰ THẢO" and mark.runs[0].font.bold
    assert mark._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}") is not None
    assert texts.count("DỰ THẢO") == 1
    assert "- Đơn vị chưa có trong kết quả (bản dự thảo): Sở Y tế (không có biểu hợp lệ)." in texts


def test_documents_are_byte_identical(tmp_path: Path) -> None:
    results = make_results()
    for name, write in (
        ("qd", lambda p: write_decision(results, p)),
        ("tb", lambda p: write_announcement(results, "Tiêu đề\n\nĐoạn một.\n- Ý hai.\n", p)),
    ):
        one, two = tmp_path / f"{name}-1.docx", tmp_path / f"{name}-2.docx"
        write(one)
        write(two)
        assert one.read_bytes() == two.read_bytes()
        with zipfile.ZipFile(one) as archive:
            assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
        props = docx.Document(str(one)).core_properties
        assert props.author == "egov-xlsx" and props.last_modified_by == "egov-xlsx"
        assert props.created.year == 2019 and props.modified == props.created


# --------------------------------------------------------------------------- the announcement


ANNOUNCEMENT = """\
Công bố kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử năm 2018

Ngày 11 tháng 3 năm 2019, Ủy ban nhân dân tỉnh Hưng Yên đã công bố kết quả.
- Hạ tầng kỹ thuật công nghệ thông tin: có 6 đơn vị đạt điểm tối đa.

Xếp hạng chung: Sở Kế hoạch và Đầu tư dẫn đầu (417,30 điểm).
"""


def test_announcement_layout(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.docx"
    write_announcement(make_results(), ANNOUNCEMENT, path)
    document = docx.Document(str(path))
    paragraphs = [p for p in document.paragraphs if p.text]
    title, *body = paragraphs
    assert title.text == "Công bố kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử năm 2018"
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.bold and title.runs[0].font.size == Pt(14)
    assert [p.text for p in body] == [line for line in ANNOUNCEMENT.splitlines()[1:] if line]
    for p in body:
        assert p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
        assert _mm(p.paragraph_format.first_line_indent) == 10
        assert p.paragraph_format.space_after == Pt(6)
        assert Pt(13) <= p.runs[0].font.size <= Pt(14) and p.runs[0].font.name == "Times New Roman"
    section = document.sections[0]
    assert _mm(section.page_width) == 210 and _mm(section.left_margin) == 30
    assert section.different_first_page_header_footer
    assert "DỰ THẢO" not in [p.text for p in document.paragraphs]
    write_announcement(make_results(draft=True), ANNOUNCEMENT, path)
    assert docx.Document(str(path)).sections[0].first_page_header.paragraphs[0].text == "DỰ THẢO"


# --------------------------------------------------------------------------- rendered by LibreOffice


def _pdf_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return tool


def test_libreoffice_renders_both(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot render the .docx to PDF")
    pdfinfo, pdftotext = _pdf_tool("pdfinfo"), _pdf_tool("pdftotext")
    results = make_results()
    decision, announcement = tmp_path / "quyet-dinh.docx", tmp_path / "thong-bao.docx"
    write_decision(results, decision)
    write_announcement(results, ANNOUNCEMENT, announcement)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(decision),
            str(announcement),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )

    def pages(pdf: Path) -> int:
        info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))

    def text(pdf: Path) -> str:
        out = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
        return out.stdout

    decision_pdf, announcement_pdf = tmp_path / "quyet-dinh.pdf", tmp_path / "thong-bao.pdf"
    assert pages(decision_pdf) >= 2
    content = text(decision_pdf)
    for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Sở Kế hoạch và Đầu tư", "417,30", "106,42", "105,00"):
        assert needle in content
    assert "Ủy ban nhân dân huyện Phù Cừ" in content
    assert pages(announcement_pdf) >= 1
    assert "417,30 điểm" in text(announcement_pdf)


def test_missing_signer_message_is_the_catalogue_text(tmp_path: Path) -> None:
    from egov_xlsx.findings import CATALOGUE

    findings = write_decision(make_results(signer_name=""), tmp_path / "qd.docx")
    assert findings[0].message == CATALOGUE["document-no-signer"].template


def test_annex_total_at_a_threshold_and_a_tie_explained_once(tmp_path: Path) -> None:
    from tests.factories import SMALL_TOML, campaign_from, submission

    campaign = campaign_from(SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2"]\n'))
    tier = campaign.tiers[0]  # maximum 30: Tốt from 25,5 points (85 %)
    subs = {
        "A": submission(tier, "A", {"1.1": 10, "1.2": 10, "2.1": "5.495"}),  # 25,495: Khá
        "B": submission(tier, "B", {"1.1": 8, "1.2": 8, "2.1": 4}),  # 20, criterion 2 = 4
        "C": submission(tier, "C", {"1.1": 9, "1.2": 8, "2.1": 3}),  # 20, criterion 2 = 3
    }
    path = tmp_path / "qd.docx"
    write_decision(Results(campaign, (scoring.score_tier(tier, subs),)), path)
    texts = _texts(docx.Document(str(path)))
    assert "25,495" in texts and "25,50" not in texts  # "25,50" is where Tốt starts
    ties = [t for t in texts if "phân định" in t]
    assert ties == [
        "- Đơn vị B và Đơn vị C bằng tổng điểm; thứ hạng được phân định theo điểm tiêu chí 2 "
        "(Nhóm hai (không quá 10 điểm)): Đơn vị B 4 điểm, Đơn vị C 3 điểm."
    ]
