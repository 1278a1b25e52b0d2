"""The per-unit summary behind the result cards and the results page (pure, exact decimals)."""

from __future__ import annotations

from decimal import Decimal

from egov_xlsx.model import PreviousStanding, Results
from egov_xlsx.publish.unit_summary import FULL_TREE_LIMIT, summarize, summarize_unit
from egov_xlsx.rules.scoring import score_tier
from tests.factories import SMALL_TOML, campaign_from, submission

# 2.2 may be marked not applicable; D is scored but not ranked.
TOML = SMALL_TOML.replace(
    'code = "2.2"\nname = "Hai chấm hai"\nmax = 8',
    'code = "2.2"\nname = "Hai chấm hai"\nmax = 8\nnot_applicable = true',
).replace(
    'code = "D"\nname = "Đơn vị D"',
    'code = "D"\nname = "Đơn vị D"\nranked = false\nunranked_reason = "Cơ quan Trung ương"',
)


def _results(previous: dict[str, PreviousStanding] | None = None) -> Results:
    campaign = campaign_from(TOML)
    tier = campaign.tiers[0]
    subs = {
        "A": submission(tier, "A", {"1.1": 10, "1.2": 9, "2.1": 8, "2.2": 2}),
        "B": submission(tier, "B", {"1.1": 4, "1.2": 5, "2.1": 6}, not_applicable=frozenset({"2.2"})),
        "C": submission(tier, "C", {"1.1": 6, "1.2": 7, "2.1": 1, "2.2": 8}),
        "D": submission(tier, "D", {"1.1": 10, "1.2": 10, "2.1": 8, "2.2": 8}),
    }
    scored = score_tier(
        tier,
        subs,
        appraisals={"C": {"2.1": Decimal("0.5")}},
        reasons={"C": {"2.1": "Không có văn bản kiểm chứng"}},
        previous=previous,
    )
    return Results(campaign=campaign, tiers=(scored,), previous_year=2023 if previous else None)


def test_lines_compare_with_ranked_units_only() -> None:
    results = _results()
    summaries = {s.code: s for s in summarize(results)}
    b = summaries["B"]
    line = {x.criterion.code: x for x in b.lines}
    # 1.1 over A, B, C (D is unranked and does not count): (10 + 4 + 6) / 3
    assert line["1.1"].average == Decimal(20) / 3
    assert line["1.1"].best == 10
    assert summaries["B"].average_text(line["1.1"].average) == "6,67"
    # B marked 2.2 not applicable: no points, never a priority; 2.2's average is over A and C only.
    assert line["2.2"].points is None and not line["2.2"].applicable
    assert line["2.2"].average == 5
    assert "2.2" not in [p.criterion.code for p in b.priorities]
    assert b.not_applicable_text == "Không áp dụng tiêu chí 2.2: điểm tối đa của đơn vị là 28."
    # The unranked unit is compared with the ranked ones.
    d = summaries["D"]
    assert d.rank_text == "Không xếp hạng (Cơ quan Trung ương)"
    assert {x.criterion.code: x.best for x in d.lines}["1.1"] == 10


def test_priorities_are_furthest_from_the_best() -> None:
    b = {s.code: s for s in summarize(_results())}["B"]
    # gaps: 1.1 10-4=6, 1.2 9-5=4, 2.1 8-6=2 (C's appraised 0,5 is not the best)
    assert [p.criterion.code for p in b.priorities] == ["1.1", "1.2", "2.1"]
    a = {s.code: s for s in summarize(_results())}["A"]
    assert [p.criterion.code for p in a.priorities] == ["2.2"]  # at the best everywhere else


def test_appraisal_changes_carry_the_reason() -> None:
    c = {s.code: s for s in summarize(_results())}["C"]
    assert [(x.code, x.declared, x.appraised, x.reason) for x in c.changes] == [
        ("2.1", Decimal(1), Decimal("0.5"), "Không có văn bản kiểm chứng")
    ]
    assert {s.code: s for s in summarize(_results())}["A"].changes == ()


def test_rank_total_and_percent_texts() -> None:
    a = {s.code: s for s in summarize(_results())}["A"]
    assert a.total_text == "29,00"  # 10 + 9 + 10 (2 is capped at 10)
    assert a.own_percent_text == "96%"  # 96,67 truncated
    assert a.rank_text == "1/3"
    assert a.previous_text == ""


def test_year_over_year() -> None:
    before = {"A": PreviousStanding(2023, "A", 3, Decimal("15.5"), Decimal("77.5"))}
    a = {s.code: s for s in summarize(_results(before))}["A"]
    assert a.previous is not None and a.previous.rank_change == 2
    assert a.previous_text == "Năm 2023: hạng 3, 15,50 điểm; tăng 2 bậc, tăng 13,50 điểm."


def test_big_criteria_sets_show_two_levels() -> None:
    children = "".join(
        f'[[tiers.criteria.children.children]]\ncode = "1.1.{i}"\nname = "Lá {i}"\nmax = 1\n'
        for i in range(1, FULL_TREE_LIMIT)
    )
    text = SMALL_TOML.replace(
        'code = "1.1"\nname = "Một chấm một"\nmax = 10\n', 'code = "1.1"\nname = "Một chấm một"\n' + children
    )
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    leaves = {c.code: 1 for c in tier.leaves()}
    scored = score_tier(tier, {"A": submission(tier, "A", leaves)})
    summary = summarize_unit(Results(campaign=campaign, tiers=(scored,)), scored, scored.units[0])
    assert len(summary.lines) >= FULL_TREE_LIMIT
    assert {line.level for line in summary.shown_lines} == {1, 2}
    small = summarize(_results())[0]
    assert small.shown_lines == small.lines
