"""Band conventions: "từ X%" (inclusive, ``min_percent``) and "lớn hơn X%" (exclusive, ``above_percent``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from egov_xlsx.config import parse_campaign
from egov_xlsx.errors import ConfigError
from egov_xlsx.model import Band
from egov_xlsx.publish.serialize import results_dict
from egov_xlsx.publish.workbook_summary import _legend
from egov_xlsx.rules.scoring import band_figures, band_for, band_interval, score_tier
from egov_xlsx.vietnamese import format_percent, shown_figure
from tests.factories import SMALL_TOML, campaign_from, submission

LAO_CAI = """bands = [
  { name = "Tốt", above_percent = 75 },
  { name = "Khá", above_percent = 50 },
  { name = "Trung bình", min_percent = 0 },
]
"""


def _with_bands(bands: str) -> str:
    return SMALL_TOML.replace('name = "Khối thử"\n', f'name = "Khối thử"\n{bands}', 1)


def test_above_percent_is_strictly_above() -> None:
    tier = campaign_from(_with_bands(LAO_CAI)).tiers[0]
    assert [(b.name, b.min_percent, b.exclusive) for b in tier.bands] == [
        ("Tốt", 75, True),
        ("Khá", 50, True),
        ("Trung bình", 0, False),
    ]
    assert band_for(tier.bands, Decimal(75), Decimal(100)) == "Khá"  # exactly 75 %: not "lớn hơn 75 %"
    assert band_for(tier.bands, Decimal("75.0001"), Decimal(100)) == "Tốt"
    assert band_for(tier.bands, Decimal(50), Decimal(100)) == "Trung bình"
    assert band_for(tier.bands, Decimal(0), Decimal(100)) == "Trung bình"
    # exact comparison on the fraction, never a rounded percent: 27/36 = 75 % exactly
    assert band_for(tier.bands, Decimal(27), Decimal(36)) == "Khá"


def test_intervals_follow_the_bounds() -> None:
    bands = campaign_from(_with_bands(LAO_CAI)).tiers[0].bands
    good, fair = band_interval(bands, "Tốt"), band_interval(bands, "Khá")
    assert Decimal(75) not in good and Decimal("75.01") in good
    assert Decimal(75) in fair and Decimal(50) not in fair
    assert Decimal(50) in band_interval(bands, "Trung bình")


def test_a_percent_just_above_an_exclusive_bound_is_never_printed_as_the_bound() -> None:
    campaign = campaign_from(_with_bands(LAO_CAI))
    tier = campaign.tiers[0]
    # 22.62 of 30 = 75,4 %: truncated it would print "75%", which reads as not above 75 %
    scores = {"1.1": "10", "1.2": "2.62", "2.1": "8", "2.2": "2"}
    result = score_tier(tier, {"A": submission(tier, "A", scores)})
    unit = result.units[0]
    assert unit.band == "Tốt"
    percent = band_figures(tier.bands, unit)[1]
    shown = shown_figure(percent, 0, truncate=True)
    assert shown == Decimal("75.4") and format_percent(shown, 1) == "75,4%"


def test_legend_and_results_json_say_the_convention() -> None:
    campaign = campaign_from(_with_bands(LAO_CAI))
    tier = campaign.tiers[0]
    result = score_tier(tier, {})
    assert "Tốt lớn hơn 75%, Khá lớn hơn 50%, Trung bình không quá 50%" in _legend(result)
    from egov_xlsx.model import Results

    doc = results_dict(Results(campaign=campaign, tiers=(result,), findings=()))
    bands = json.loads(json.dumps(doc, default=str))["tiers"][0]["bands"]
    assert bands[0] == {"name": "Tốt", "above_percent": "75"} and bands[2] == {"name": "Trung bình", "min_percent": "0"}


def test_inclusive_bands_are_as_before() -> None:
    tier = campaign_from().tiers[0]
    assert all(not b.exclusive for b in tier.bands)
    assert band_for(tier.bands, Decimal(85), Decimal(100)) == "Tốt"
    assert Band("X", Decimal(85)).reached(Decimal(85), Decimal(100))
    assert not Band("X", Decimal(85), exclusive=True).reached(Decimal(85), Decimal(100))


@pytest.mark.parametrize(
    ("bands", "key", "says"),
    [
        (
            'bands = [{ name = "Tốt", min_percent = 80, above_percent = 80 }, { name = "Yếu", min_percent = 0 }]\n',
            "bands[0]",
            "không ghi cả hai",
        ),
        (
            'bands = [{ name = "Tốt", above_percent = 80 }, { name = "Yếu", above_percent = 0 }]\n',
            "bands",
            "min_percent = 0",
        ),
        (
            'bands = [{ name = "Tốt", above_percent = 80 }, { name = "Khá", min_percent = 80 }, { name = "Yếu", min_percent = 0 }]\n',
            "bands[1].min_percent",
            "cùng ngưỡng 80%",
        ),
        (
            'bands = [{ name = "Tốt", above_percent = 101 }, { name = "Yếu", min_percent = 0 }]\n',
            "bands[0].above_percent",
            "từ 0 đến 100",
        ),
    ],
)
def test_band_mistakes_are_located(bands: str, key: str, says: str) -> None:
    import tomllib

    text = _with_bands(bands)
    with pytest.raises(ConfigError) as caught:
        parse_campaign(tomllib.loads(text), text=text)
    problems = caught.value.problems
    assert any(p.key == f"tiers[0].{key}" and says in p.message for p in problems), [str(p) for p in problems]
