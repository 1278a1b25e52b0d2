from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from egov_xlsx.config import load_campaign
from egov_xlsx.errors import CampaignNotFound, ConfigError
from tests.factories import SMALL_TOML, campaign_from


def test_sample_config_loads(sample_campaign):
    tiers = {t.id: t for t in sample_campaign.tiers}
    assert tiers["so-nganh"].max == 500
    assert tiers["cap-huyen"].max == 150
    assert len(tiers["so-nganh"].units) == 17
    assert len(tiers["cap-huyen"].units) == 10
    capped = tiers["so-nganh"].criterion("2.4")
    assert capped.capped and capped.max == 20


def test_parent_max_is_sum_of_children_unless_capped():
    c = campaign_from()
    tier = c.tiers[0]
    assert tier.criterion("1").max == 20 and not tier.criterion("1").capped
    assert tier.criterion("2").max == 10 and tier.criterion("2").capped
    assert tier.max == 30


def test_utf8_bom_and_utf16_load(tmp_path: Path):
    (tmp_path / "egov.toml").write_bytes(b"\xef\xbb\xbf" + SMALL_TOML.encode("utf-8"))
    assert load_campaign(tmp_path).title == "Đánh giá thử nghiệm năm 2024"
    (tmp_path / "egov.toml").write_bytes(SMALL_TOML.encode("utf-16"))
    assert load_campaign(tmp_path).id == "test-2024"


def test_legacy_encoding_is_explained(tmp_path: Path):
    (tmp_path / "egov.toml").write_bytes(SMALL_TOML.encode("utf-8").replace("Đánh".encode(), b"\xd0\xe1nh"))
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    assert "UTF-8" in str(err.value)


def test_missing_config(tmp_path: Path):
    with pytest.raises(CampaignNotFound) as err:
        load_campaign(tmp_path)
    assert "egov-xlsx init" in str(err.value)


def test_syntax_error_has_line(tmp_path: Path):
    (tmp_path / "egov.toml").write_text("[campaign\nid = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    assert "dòng 1" in str(err.value)


def test_all_problems_reported_at_once_with_key_paths():
    text = (
        SMALL_TOML.replace("year = 2024", 'year = "2024"\ntotl = 1')
        .replace(
            'max = 8\n[[tiers.criteria.children]]\ncode = "2.2"', 'max = -1\n[[tiers.criteria.children]]\ncode = "2.1"'
        )
        .replace('code = "D"', 'code = "C"')
    )
    with pytest.raises(ConfigError) as err:
        campaign_from(text)
    keys = {p.key for p in err.value.problems}
    assert "campaign.year" in keys
    assert "campaign.totl" in keys
    assert "tiers[0].criteria[1].children[0].max" in keys
    assert "tiers[0].criteria[1].children[1].code" in keys  # duplicate criterion code, at its second use
    assert "tiers[0].units[3].code" in keys  # duplicate unit code
    assert len(err.value.problems) >= 5


def test_parent_max_above_children_sum_is_a_problem():
    text = SMALL_TOML.replace('name = "Nhóm hai (không quá 10 điểm)"\nmax = 10', 'name = "Nhóm hai"\nmax = 99')
    with pytest.raises(ConfigError) as err:
        campaign_from(text)
    assert [p.key for p in err.value.problems] == ["tiers[0].criteria[1].max"]


def test_bands_need_a_zero_floor_and_are_sorted():
    text = SMALL_TOML.replace(
        'name = "Khối thử"\n',
        'name = "Khối thử"\nbands = [{ name = "Đạt", min_percent = 50 }, { name = "Xuất sắc", min_percent = 90 }]\n',
    )
    with pytest.raises(ConfigError) as err:
        campaign_from(text)
    assert "min_percent = 0" in str(err.value)
    ok = text.replace("min_percent = 50 }", 'min_percent = 50 }, { name = "Chưa đạt", min_percent = 0 }')
    bands = campaign_from(ok).tiers[0].bands
    assert [b.name for b in bands] == ["Xuất sắc", "Đạt", "Chưa đạt"]
    assert bands[0].min_percent == Decimal(90)


def test_float_maxima_are_exact_decimals():
    text = SMALL_TOML.replace(
        'max = 10\n[[tiers.criteria.children]]\ncode = "1.2"', 'max = 7.3\n[[tiers.criteria.children]]\ncode = "1.2"'
    )
    c = campaign_from(text)
    assert c.tiers[0].criterion("1.1").max == Decimal("7.3")
    assert c.tiers[0].criterion("1").max == Decimal("17.3")


def test_integer_codes_are_accepted_as_strings():
    c = campaign_from(SMALL_TOML.replace('code = "A"', "code = 7"))
    assert c.tiers[0].units[0].code == "7"


def test_fingerprint_ignores_names_but_not_maxima():
    base = campaign_from().tiers[0].fingerprint
    assert campaign_from(SMALL_TOML.replace("Một chấm một", "Một chấm một (sửa)")).tiers[0].fingerprint == base
    changed = SMALL_TOML.replace(
        'max = 10\n[[tiers.criteria.children]]\ncode = "1.2"', 'max = 9\n[[tiers.criteria.children]]\ncode = "1.2"'
    )
    assert campaign_from(changed).tiers[0].fingerprint != base


def test_not_applicable_and_unranked_keys():
    text = SMALL_TOML.replace(
        'name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = ["B"]'
    )
    text = text.replace(
        'name = "Đơn vị D"', 'name = "Đơn vị D"\nranked = false\nunranked_reason = "Cơ quan Trung ương"'
    )
    tier = campaign_from(text).tiers[0]
    assert tier.criterion("1.2").may_be_na("B") and not tier.criterion("1.2").may_be_na("A")
    assert not tier.unit("D").ranked
    with pytest.raises(ConfigError):
        campaign_from(text.replace('\nunranked_reason = "Cơ quan Trung ương"', ""))
    with pytest.raises(ConfigError):
        campaign_from(text.replace('not_applicable = ["B"]', 'not_applicable = ["ZZ"]'))


# --------------------------------------------------------------------------- limits (issue 11, §7)


def _nested(levels: int) -> str:
    """SMALL_TOML with a chain of criteria ``levels`` deep under criterion 1 (the last one a leaf)."""
    block, path = "", "tiers.criteria"
    for i in range(1, levels):
        path += ".children"
        code = "1.9" + ".1" * (i - 1)
        block += f'\n[[{path}]]\ncode = "{code}"\nname = "Cấp {i + 1}"\n' + ("max = 1\n" if i == levels - 1 else "")
    return SMALL_TOML.replace('[[tiers.criteria]]\ncode = "2"', block + '\n[[tiers.criteria]]\ncode = "2"', 1)


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        campaign_from(text)
    return [str(p) for p in err.value.problems]


def test_criteria_depth_is_limited_without_recursing():
    from egov_xlsx.config import MAX_DEPTH

    deepest = "1.9" + ".1" * (MAX_DEPTH - 2)
    assert campaign_from(_nested(MAX_DEPTH)).tiers[0].criterion(deepest).is_leaf
    for levels in (MAX_DEPTH + 1, 24, 1200):
        found = _problems(_nested(levels))
        assert found == [
            "tiers[0].criteria[0].children[2]" + ".children[0]" * (MAX_DEPTH - 2) + ".children: "
            f"bộ tiêu chí chỉ được tối đa {MAX_DEPTH} cấp (tiêu chí {deepest} đã ở cấp {MAX_DEPTH})"
        ]


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("max = 10\n", "max = 1e30\n", "tiers[0].criteria[0].children[0].max", "không được vượt quá 100.000"),
        ("max = 10\n", "max = 100001\n", "tiers[0].criteria[0].children[0].max", "không được vượt quá 100.000"),
        ("max = 10\n", "max = 2.00001\n", "tiers[0].criteria[0].children[0].max", "tối đa 4 chữ số thập phân"),
        ("max = 10\n", "max = 1e-320\n", "tiers[0].criteria[0].children[0].max", "tối đa 4 chữ số thập phân"),
    ],
)
def test_numbers_beyond_the_limits_are_config_problems(old, new, key, message):
    found = _problems(SMALL_TOML.replace(old, new, 1))
    assert any(p.startswith(f"{key}: ") and message in p for p in found), found


def test_limits_apply_to_adjustments_and_bands():
    bands = 'bands = [{ name = "Tốt", min_percent = 85.00001 }, { name = "Yếu", min_percent = 0 }]\n'
    adjustment = '[[tiers.adjustments]]\ncode = "T1"\nname = "Trừ"\nmin = -1e30\n'
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\n' + bands, 1)
    text = text.replace('[[tiers.units]]\ncode = "A"', adjustment + '[[tiers.units]]\ncode = "A"', 1)
    found = _problems(text)
    assert "tiers[0].adjustments[0].min: không được vượt quá 100.000 (về giá trị tuyệt đối)" in found
    assert "tiers[0].bands[0].min_percent: chỉ ghi tối đa 4 chữ số thập phân" in found


def test_previous_provinces_is_a_list_of_names():
    text = SMALL_TOML.replace("year = 2024\n", 'year = 2024\nprevious_provinces = ["Thái Bình"]\n', 1)
    assert campaign_from(text).previous_provinces == ("Thái Bình",)
    assert campaign_from().previous_provinces == ()
    bad = SMALL_TOML.replace("year = 2024\n", 'year = 2024\nprevious_provinces = "Thái Bình"\n', 1)
    assert any(p.startswith("campaign.previous_provinces: ") for p in _problems(bad))


# --------------------------------------------------------------------------- lines a Notepad user can find (issue 10, §4)

SEVERAL_MISTAKES = """[campaign]
id = "thu-2024"
title = "Thử"
province = "Thử"
year = "2024"

[[tiers]]
id = "so-nganh"
name = "Sở, ban, ngành"
bands = [
  { name = "Tốt", min_percent = 85 },
  { name = "Khá", min_percent = 85 },
  { name = "Yếu", min_percent = 0 },
]

[[tiers.criteria]]
code = "1"
name = "Nhóm một"
max = 30.0
[[tiers.criteria.children]]
code = "1.1"
name = "Một chấm một"
max = 12.5
[[tiers.criteria.children]]
code = "1.1"
name = "Trùng mã"
max = 2.5

[[tiers.criteria]]
code = "2"
name = "Nhóm hai"
[[tiers.criteria.children]]
code = "2.1"
name = "Hai chấm một"
[[tiers.criteria.children.children]]
code = "2.1.1"
name = "Lá"
max = -1

[[tiers.units]]
code = "SKHDT"
name = "Sở Kế hoạch và Đầu tư"
[[tiers.units]]
code = "STP"
name = "Sở Tư pháp"
ranked = false
[[tiers.units]]
code = "SKHDT"
name = "Trùng mã"
"""


def _load_problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "egov.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    return [str(p) for p in err.value.problems]


def test_several_mistakes_one_message_each_sorted_by_line(tmp_path: Path):
    assert _load_problems(tmp_path, SEVERAL_MISTAKES) == [
        "dòng 5 ([campaign], khóa year): phải là số nguyên",
        "dòng 12 (khối so-nganh, mức xếp loại thứ 2 – Khá, khóa min_percent): hai mức xếp loại có cùng "
        "ngưỡng 85% (đã dùng ở dòng 11): không rõ đơn vị đạt mức nào",
        "dòng 19 (khối so-nganh, tiêu chí 1, khóa max): điểm tối đa 30 lớn hơn tổng điểm tối đa các tiêu chí con "
        "(15); bỏ max để lấy tổng, hoặc ghi mức trần nhỏ hơn",
        'dòng 25 (khối so-nganh, tiêu chí 1.1, khóa code): mã tiêu chí "1.1" bị trùng (đã dùng ở dòng 21)',
        "dòng 38 (khối so-nganh, tiêu chí 2.1.1, khóa max): điểm tối đa phải lớn hơn 0",
        "dòng 43 (khối so-nganh, đơn vị thứ 2 – STP, khóa unranked_reason): đơn vị không xếp hạng "
        "(ranked = false) cần ghi lý do",
        'dòng 48 (khối so-nganh, đơn vị thứ 3 – SKHDT, khóa code): mã đơn vị "SKHDT" bị trùng (đã dùng ở dòng 41)',
    ]


def test_problem_keeps_its_key_path_for_programs(tmp_path: Path):
    (tmp_path / "egov.toml").write_text(SEVERAL_MISTAKES, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    problem = err.value.problems[-1]
    assert problem.key == "tiers[0].units[2].code" and getattr(problem, "line", None) == 48


def test_decimals_are_quoted_back_the_vietnamese_way(tmp_path: Path):
    text = SMALL_TOML.replace('name = "Nhóm hai (không quá 10 điểm)"\nmax = 10', 'name = "Nhóm hai"\nmax = 99.5')
    text = text.replace("max = 8\n", "max = 8.25\n", 1)
    [problem] = _load_problems(tmp_path, text)
    assert "điểm tối đa 99,5 lớn hơn tổng điểm tối đa các tiêu chí con (16,25)" in problem


def test_a_missing_key_is_told_at_its_block(tmp_path: Path):
    text = SMALL_TOML.replace('[[tiers.units]]\ncode = "C"\nname = "Đơn vị C"\n', '[[tiers.units]]\ncode = "C"\n')
    line = text.split("\n").index('code = "C"')  # the block's header is the line before (1-based: index)
    assert _load_problems(tmp_path, text) == [f"dòng {line} (khối t, đơn vị thứ 3 – C, khóa name): thiếu khóa bắt buộc"]


def test_misspelt_key_in_a_multiline_inline_table_is_on_its_own_line(tmp_path: Path):
    bands = 'bands = [\n  { name = "Tốt", min_percent = 85 },\n  { name = "Yếu", min_pecent = 0 },\n]\n'
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\n' + bands, 1)
    line = text.split("\n").index('  { name = "Yếu", min_pecent = 0 },') + 1
    found = _load_problems(tmp_path, text)
    assert found[0].startswith(f"dòng {line} (khối t, mức xếp loại thứ 2 – Yếu, khóa min_pecent): khóa không được")
    assert all(p.startswith(f"dòng {line} ") for p in found), found  # and the missing min_percent, same line


def test_unit_code_used_twice_in_one_tier_is_one_message(tmp_path: Path):
    found = _load_problems(tmp_path, SMALL_TOML.replace('code = "D"', 'code = "C"'))
    assert len(found) == 1 and 'mã đơn vị "C" bị trùng' in found[0]


def test_unit_code_used_in_two_tiers_names_the_first(tmp_path: Path):
    second = SMALL_TOML[SMALL_TOML.index("[[tiers]]") :].replace('id = "t"', 'id = "t2"', 1)
    found = _load_problems(tmp_path, SMALL_TOML + second)
    first_c = SMALL_TOML.split("\n").index('code = "A"') + 1
    assert len(found) == 4 and all(p.startswith("dòng ") and "(khối t2, đơn vị thứ" in p for p in found), found
    assert f'mã đơn vị "A" đã dùng ở khối khác (đã dùng ở dòng {first_c})' in found[0]


def test_bands_written_from_the_bottom_up_are_sorted_with_a_note(tmp_path: Path):
    bands = 'bands = [\n  { name = "Yếu", min_percent = 0 },\n  { name = "Khá", min_percent = 70 },\n  { name = "Tốt", min_percent = 85.5 },\n]\n'
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\n' + bands, 1)
    (tmp_path / "egov.toml").write_text(text, encoding="utf-8")
    campaign = load_campaign(tmp_path)
    assert [b.name for b in campaign.tiers[0].bands] == ["Tốt", "Khá", "Yếu"]
    line = text.split("\n").index("bands = [") + 1
    assert campaign.notes == (
        f"dòng {line} (khối t, khóa bands): các mức xếp loại không ghi theo thứ tự từ cao xuống thấp; "
        "đã sắp lại: Tốt từ 85,5%, Khá từ 70%, Yếu từ 0%",
    )
    assert campaign_from().notes == ()


def test_curly_quotes_are_named(tmp_path: Path):
    found = _load_problems(tmp_path, SMALL_TOML.replace('province = "Thử"', "province = “Thử”"))
    assert found == [
        'dòng 5 (sai cú pháp TOML): dùng dấu nháy thẳng " thay cho dấu nháy cong “ ” (thường do chép từ Word)'
    ]


def test_without_the_text_problems_keep_their_key_paths():
    with pytest.raises(ConfigError) as err:
        campaign_from(SMALL_TOML.replace("year = 2024", 'year = "2024"'))
    assert [str(p) for p in err.value.problems] == ["campaign.year: phải là số nguyên"]


def test_a_criteria_tree_1200_levels_deep_is_located_quickly(tmp_path: Path):
    import time

    from egov_xlsx.config import MAX_DEPTH

    text = _nested(1200)
    deepest = "1.9" + ".1" * (MAX_DEPTH - 2)
    start = time.perf_counter()
    [problem] = _load_problems(tmp_path, text)
    assert time.perf_counter() - start < 30
    lines = text.split("\n")
    line = lines.index(f'code = "{deepest}.1"')  # the header of its first child, 1-based
    assert lines[line - 1].startswith("[[tiers.criteria.children")
    assert problem.startswith(f"dòng {line} (khối t, tiêu chí {deepest}, khóa children): bộ tiêu chí chỉ được tối đa")


def test_one_mistake_is_one_message_not_its_consequences(tmp_path: Path):
    # a max written as text: "must be a number", not also "a leaf needs a max"
    found = _load_problems(tmp_path, SMALL_TOML.replace("max = 10\n", 'max = "10"\n', 1))
    assert len(found) == 1 and "phải là một số" in found[0], found
    # units written as a list of names: one message per unit, not also "code missing", "name missing"
    text = SMALL_TOML[: SMALL_TOML.index("[[tiers.units]]")].replace(
        'name = "Khối thử"\n', 'name = "Khối thử"\nunits = ["A", "B"]\n', 1
    )
    found = _load_problems(tmp_path, text)
    assert len(found) == 2 and all("phải là một bảng" in p for p in found), found
    # no [campaign] at all: one message
    found = _load_problems(tmp_path, SMALL_TOML.replace("[campaign]\n", "[chien-dich]\n", 1))
    assert [p for p in found if p.startswith("campaign")] == ["campaign: thiếu mục bắt buộc"], found


def test_an_unknown_quoted_key_is_found_on_its_line(tmp_path: Path):
    text = SMALL_TOML.replace("year = 2024\n", 'year = 2024\n"tên.đợt [1]" = "A"\n', 1)
    line = text.split("\n").index('"tên.đợt [1]" = "A"') + 1
    [problem] = _load_problems(tmp_path, text)
    assert problem.startswith(f"dòng {line} ([campaign], khóa tên.đợt [1]): khóa không được hỗ trợ"), problem


def test_key_paths_round_trip():
    from egov_xlsx.config import tomlpos

    for path in [("tiers", 0, "criteria", 12, "max"), ("campaign", 'tên.đợt "[1]"'), ("a-b_c",)]:
        text = "".join(
            f"[{p}]" if isinstance(p, int) else ("." if i else "") + tomlpos.key_part(p) for i, p in enumerate(path)
        )
        assert tomlpos.parse_key_path(text) == path
