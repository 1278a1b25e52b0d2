"""`results.json` keeps its documented contract: every key the README documents, of its type, and no other.

The documented shape is read from the README's `results.json` block, so the README and the writer cannot drift
apart: a key added to the writer fails here until the README documents it, and the other way round.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from egov_xlsx.model import CouncilValue, Facts, PreviousStanding, Results
from egov_xlsx.publish.serialize import dumps, results_dict
from egov_xlsx.rules.council import with_sources
from egov_xlsx.rules.scoring import score_tier
from tests.conftest import REPO
from tests.factories import SMALL_TOML, campaign_from, submission

README = (REPO / "README.md").read_text(encoding="utf-8")

# Each documented key's JSON type(s). "number" is an exact decimal written as a JSON number.
NUMBER = (int, Decimal)
TYPES: dict[str, Any] = {
    "schema": int,
    "campaign": dict,
    "draft": bool,
    "generator": str,
    "previous_year": (int, type(None)),
    "tiers": list,
    "appraisers": list,
    # campaign
    "campaign.id": str,
    "campaign.title": str,
    "campaign.province": str,
    "campaign.year": int,
    "campaign.authority": str,
    "campaign.criteria_decision": str,
    # tier
    "tier.id": str,
    "tier.name": str,
    "tier.max": NUMBER,
    "tier.bands": list,
    "tier.criteria": list,
    "tier.units": list,
    "tier.excluded": list,
    "band.name": str,
    "band.min_percent": NUMBER,
    "criterion.code": str,
    "criterion.name": str,
    "criterion.max": NUMBER,
    "criterion.parent": (str, type(None)),
    "criterion.rule": str,
    "criterion.appraised_by": str,
    # unit
    "unit.code": str,
    "unit.name": str,
    "unit.max": NUMBER,
    "unit.scores": dict,
    "unit.total": NUMBER,
    "unit.percent": NUMBER,
    "unit.rank": (int, type(None)),
    "unit.band": (str, type(None)),
    "unit.ranked": bool,
    "unit.shared_rank": bool,
    "unit.self_scores": dict,
    "unit.appraised_scores": dict,
    "unit.appraisal_reasons": dict,
    "unit.not_applicable": list,
    "unit.adjustments": dict,
    "unit.previous": dict,
    "unit.tie_note": str,
    "unit.unranked_reason": str,
    "unit.facts": dict,
    "unit.appraised_facts": dict,
    "unit.index": NUMBER,
    "unit.criterion_index": dict,
    "unit.appraised_by": dict,
    "unit.sources": dict,
    "unit.council_missing": list,
    "previous.year": int,
    "previous.code": str,
    "previous.rank": (int, type(None)),
    "previous.total": NUMBER,
    "previous.percent": NUMBER,
    "excluded.code": str,
    "excluded.name": str,
    "excluded.reason": str,
    # groups of a tier's units ([[tiers.groups]])
    "tier.group": dict,
    "tier.groups": list,
    "unit.group": dict,
    "group.code": str,
    "group.name": str,
    "group.exclude": list,
}


def _documented_block() -> str:
    section = README[README.index("### `results.json`") :]
    return section[section.index("```json") : section.index("```", section.index("```json") + 7)]


def _documented(prefix: str) -> tuple[set[str], set[str]]:
    """The keys the README documents inside the braces that follow ``prefix``: (always there, optional)."""
    block = _documented_block()
    start = block.index(prefix) + len(prefix)
    depth, end = 0, start
    for end in range(start, len(block)):
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(block[end], 0)
        if depth < 0:
            break
    inner = block[start:end]
    # Keys of this level only: drop nested braces' and brackets' contents.
    flat = inner
    while True:
        reduced = re.sub(r"\{[^{}\[\]]*\}|\[[^{}\[\]]*\]", "", flat)
        if reduced == flat:
            break
        flat = reduced
    keys = re.findall(r'"([a-z_]+)"(\?)?', flat)
    return {k for k, opt in keys if not opt}, {k for k, opt in keys if opt}


def _rich_results() -> dict[str, Any]:
    """A tier that uses every optional key: unranked, tie-broken, appraised, adjusted, not applicable, previous."""
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2", "1.1"]\n')
    text = text.replace('name = "Đơn vị D"', 'name = "Đơn vị D"\nranked = false\nunranked_reason = "Trung ương"')
    text = text.replace('name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = true')
    text = text.replace(
        'name = "Hai chấm một"\nmax = 8',
        'name = "Hai chấm một"\nmax = 8\nrule = "count"\ninput = "Số"\npoints_each = 1',
    )
    text = text.replace("[[tiers]]", '[display]\nscale = "index"\n\n[[tiers]]', 1)
    text += '\n[[tiers.adjustments]]\ncode = "T1"\nname = "Chậm gửi báo cáo"\nmin = -5\nappraised_by = "SNV"\n'
    # Two appraising bodies: group 1 to STTTT, group 2 and the penalty line to SNV.
    text = text.replace('name = "Nhóm một"\n', 'name = "Nhóm một"\nappraised_by = "STTTT"\n')
    text = text.replace(
        'name = "Nhóm hai (không quá 10 điểm)"\n', 'name = "Nhóm hai (không quá 10 điểm)"\nappraised_by = "SNV"\n'
    )
    text += '\n[[appraisers]]\ncode = "STTTT"\nname = "Sở TT&TT"\n[[appraisers]]\ncode = "SNV"\nname = "Sở Nội vụ"\n'
    # A group that leaves nothing out: its unit gets its "group", the tier its "groups", the scores stay.
    text = text.replace('name = "Đơn vị A"', 'name = "Đơn vị A"\ngroup = "g"')
    text += '\n[[tiers.groups]]\ncode = "g"\nname = "Nhóm thử"\n'
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    subs = {
        "A": submission(tier, "A", {"1.1": 5, "1.2": 1, "2.1": 2}),  # 9 once appraised: ties with B
        "B": submission(tier, "B", {"1.1": 3, "1.2": 2, "2.1": 4}),  # 9, ahead of A on criterion 2
        "C": submission(tier, "C", {"1.1": 4, "2.1": 3}, not_applicable=frozenset({"1.2"})),
        "D": submission(tier, "D", {"1.1": 9, "1.2": 9, "2.1": 8}, facts={"2.1": Facts(a=Decimal(8))}),
    }
    tier_result = score_tier(
        tier,
        subs,
        appraisals={"A": {"2.1": Decimal(3)}, "D": {"2.1": Decimal(7)}},
        adjustments={"C": {"T1": Decimal(-1)}},
        reasons={"A": {"2.1": "Bổ sung minh chứng"}, "C": {"T1": "Gửi báo cáo chậm 3 ngày"}},
        appraised_facts={"D": {"2.1": Facts(a=Decimal(7))}},
        previous={"A": PreviousStanding(year=2023, code="A", rank=2, total=Decimal("7.5"), percent=Decimal("25"))},
    )
    # Criterion 1.1 scored by the council: imported for A, missing for the others (as in a draft).
    council = replace(
        tier,
        criteria=(
            replace(
                tier.criteria[0],
                children=(replace(tier.criteria[0].children[0], council=True), *tier.criteria[0].children[1:]),
            ),
            *tier.criteria[1:],
        ),
    )
    imported = CouncilValue(tier.id, "A", "1.1", Decimal(5), "survey.csv")
    tier_result = replace(with_sources(replace(tier_result, tier=council), [imported]), tier=tier)
    results = Results(campaign=campaign, tiers=(tier_result,), previous_year=2023)
    data: dict[str, Any] = json.loads(dumps(results_dict(results)), parse_float=Decimal)
    return data


def _check(kind: str, item: dict[str, Any], required: set[str], optional: set[str]) -> None:
    assert required <= set(item) <= required | optional, (kind, sorted(set(item) ^ required))
    for key, value in item.items():
        expected = TYPES[f"{kind}.{key}" if kind else key]
        assert isinstance(value, expected), (kind, key, value)
        assert not isinstance(value, bool) or expected is bool, (kind, key, value)


def test_results_json_has_exactly_the_documented_keys_and_types() -> None:
    data = _rich_results()
    _check("", data, *_documented("{"))
    _check("campaign", data["campaign"], *_documented('"campaign": {'))
    tier_required, tier_optional = _documented('"tiers": [{')
    unit_required, unit_optional = _documented('"units": [{')
    seen_optional: set[str] = set()
    for tier in data["tiers"]:
        _check("tier", tier, tier_required, tier_optional)
        for band in tier["bands"]:
            _check("band", band, {"name", "min_percent"}, set())
        for criterion in tier["criteria"]:
            _check("criterion", criterion, *_documented('"criteria": [{'))
        for unit in tier["units"]:
            _check("unit", unit, unit_required, unit_optional)
            seen_optional |= set(unit) & unit_optional
            indices = unit.get("criterion_index", {}).values()
            for value in [
                *unit["scores"].values(),
                *unit["self_scores"].values(),
                *unit["adjustments"].values(),
                *indices,
            ]:
                assert isinstance(value, NUMBER) and not isinstance(value, bool)
            assert all(isinstance(v, str) for v in unit["appraisal_reasons"].values())
            assert all(isinstance(v, str) for v in unit["not_applicable"])
            for facts in [*unit.get("facts", {}).values(), *unit.get("appraised_facts", {}).values()]:
                assert set(facts) in ({"label"}, {"count"}, {"a", "b", "percent"}), facts
            if "group" in unit:
                _check("group", unit["group"], *_documented('"group"?: {'))
            if "previous" in unit:
                _check("previous", unit["previous"], {"year", "code", "rank", "total", "percent"}, set())
        for excluded in tier["excluded"]:
            _check("excluded", excluded, *_documented('"excluded": [{'))
        for group in tier.get("groups", []):
            _check("group", group, *_documented('"groups"?: [{'))
    # The rich tier exercises every optional unit key, so each is checked above.
    assert seen_optional == unit_optional
    assert data["tiers"][0]["groups"] == [{"code": "g", "name": "Nhóm thử", "exclude": []}]


def test_every_documented_key_has_a_type_in_this_contract() -> None:
    block = _documented_block()
    documented = set(re.findall(r'"([a-z_]+)"\??', block)) - {"1", "1.1"}
    typed = {key.rsplit(".", 1)[-1] for key in TYPES}
    assert documented <= typed, sorted(documented - typed)
