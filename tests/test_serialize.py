from __future__ import annotations

import json
from decimal import Decimal

from egov_xlsx.model import Results
from egov_xlsx.publish.serialize import dumps, results_dict
from egov_xlsx.rules.scoring import score_tier
from tests.factories import campaign_from, submission


def test_dumps_writes_exact_decimals():
    text = dumps({"a": Decimal("417.30"), "b": [Decimal("0.1") + Decimal("0.2"), None, True], "c": "Sở"})
    assert '"a": 417.3' in text
    assert "0.3" in text and "0.30000000000000004" not in text
    assert '"c": "Sở"' in text
    assert json.loads(text)["b"] == [0.3, None, True]


def test_results_json_shape():
    c = campaign_from()
    tier = c.tiers[0]
    r = score_tier(tier, {"A": submission(tier, "A", {"1.1": "7.5", "2.1": 9, "2.2": 8})})
    data = json.loads(dumps(results_dict(Results(campaign=c, tiers=(r,)))), parse_float=Decimal)
    t = data["tiers"][0]
    assert {k for k in t} >= {"id", "name", "max", "criteria", "units"}
    assert t["criteria"][1] == {"code": "1.1", "name": "Một chấm một", "max": 10, "parent": "1"}
    u = t["units"][0]
    assert {k for k in u} >= {"code", "name", "max", "scores", "total", "percent", "rank", "band"}
    assert u["scores"] == {"1": Decimal("7.5"), "1.1": Decimal("7.5"), "1.2": 0, "2": 10, "2.1": 9, "2.2": 8}
    assert u["total"] == Decimal("17.5") and u["rank"] == 1 and u["band"] == "Trung bình"
    assert data["tiers"][0]["excluded"][0]["code"] == "B"
