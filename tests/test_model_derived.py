"""What a tier and a campaign work out once and keep (``cached_property``): right, and never another object's."""

from __future__ import annotations

import dataclasses
import gc
from decimal import Decimal

from egov_xlsx.model import Campaign, Criterion, Tier, Unit


def _tier(codes: tuple[str, ...] = ("1.1", "1.2")) -> Tier:
    leaves = tuple(Criterion(code, f"Tiêu chí {code}", Decimal("2.5")) for code in codes)
    top = Criterion("1", "Nhóm 1", Decimal("2.5") * len(leaves), leaves, capped=False)
    other = Criterion("2", "Nhóm 2", Decimal("0.1"))
    return Tier("xa", "Cấp xã", (), (top, other), (Unit("X1", "Xã Một"), Unit("X2", "Phường Hai Bà Trưng")))


def test_derived_attributes_follow_the_tree() -> None:
    tier = _tier()
    assert tier.codes == ("1", "1.1", "1.2", "2") == tuple(c.code for c in tier.walk())
    assert tier.in_order == tuple(tier.walk())
    assert tier.positions == {"1": 0, "1.1": 1, "1.2": 2, "2": 3}
    assert tier.leaf_codes == {"1.1", "1.2", "2"}
    assert [c.code for c in tier.parent_criteria] == ["1"]
    assert tier.leaves_under == {"1": ("1.1", "1.2")}
    assert [c.code for c in tier.post_order] == ["1.1", "1.2", "1", "2"]
    assert tier.criterion("1.1").float_max == 2.5
    assert tier.criterion("2").float_max == 0.1  # repr(0.1) is "0.1": exact as printed


def test_a_maximum_a_float_cannot_show_exactly_has_no_float() -> None:
    assert Criterion("1", "x", Decimal("0.10000000000000000001")).float_max is None


def test_a_new_tier_never_sees_what_another_worked_out() -> None:
    """The caches these replace were keyed by id(): a new tier at a freed address could get a stale plan."""
    first = _tier()
    assert first.codes == ("1", "1.1", "1.2", "2")
    fingerprint = first.fingerprint
    del first
    gc.collect()
    for _ in range(50):
        other = _tier(("1.1", "1.2", "1.3"))
        assert other.codes == ("1", "1.1", "1.2", "1.3", "2")
        assert other.fingerprint != fingerprint
    changed = dataclasses.replace(other, criteria=other.criteria[1:])
    assert changed.codes == ("2",) and changed.leaf_codes == {"2"}


def test_folded_roster_names_without_diacritics() -> None:
    campaign = Campaign("c", "Đánh giá", "Hưng Yên", 2024, "UBND", "", (_tier(),))
    assert [(u.code, code, name) for u, code, name in campaign.folded_roster] == [
        ("X1", "x1", "xa mot"),
        ("X2", "x2", "phuong hai ba trung"),
    ]
