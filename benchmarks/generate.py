"""A synthetic national campaign: N returned forms (default 10,000) for the benchmarks.

About 700 districts and 10,000 communes report nationwide; the campaign keeps that mix at any size
(7 % districts, the rest communes), so that the per-form time at 2,000 and 10,000 forms compare like for
like. Each tier has a criteria tree of 39 leaves in 3 levels. Every form is made by egov-xlsx itself
(:func:`egov_xlsx.forms.write_form`) and filled with openpyxl, the way ``samples/make_inbox.py`` fills the
sample inbox: seeded random scores (``random_scores``), split over the sub-criteria to the hundredth
(``split``), a note in every evidence cell. A few units (1 in 250) type one score as text ("4,5"): a
warning, never an error, so ``build`` publishes.

The inbox is written once and reused: ``<out>/.generated.json`` records the parameters, and a folder whose
marker matches is left as it is. Filling forms with openpyxl is the slow part (~30 ms a form), so forms
are written and filled in a process pool.

    python benchmarks/generate.py --forms 10000 --seed 2024 --out benchmarks/data/national-10000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


from egov_xlsx import layout  # noqa: E402
from egov_xlsx.config import load_campaign  # noqa: E402
from egov_xlsx.forms import form_filename, write_form  # noqa: E402
from egov_xlsx.model import Campaign  # noqa: E402
from egov_xlsx.read.ingest import default_jobs  # noqa: E402
from samples.make_inbox import fill, random_scores, split  # noqa: E402

#: Bumped whenever the generated campaign changes, so that stale data is regenerated.
GENERATOR_VERSION = 1
MARKER = ".generated.json"
DEFAULT_FORMS = 10_000
DEFAULT_SEED = 2024
DATA = Path(__file__).resolve().parent / "data"
#: One unit in this many types one of its scores as text (a warning).
TEXT_NUMBER_EVERY = 250
DISTRICT_SHARE = 0.07  # ~700 districts for ~10,000 communes

# The criteria tree: (code, name, children) for groups and criteria, (code, name, max) for leaves.
_TREE: tuple[tuple[str, str, tuple[tuple[str, str, tuple[tuple[str, str, int], ...]], ...]], ...] = (
    ("1", "Hạ tầng kỹ thuật công nghệ thông tin", (
        ("1.1", "Máy tính và thiết bị phục vụ công việc", (
            ("1.1.1", "Tỷ lệ cán bộ, công chức được trang bị máy tính", 10),
            ("1.1.2", "Thiết bị phục vụ họp trực tuyến, chữ ký số", 5),
        )),
        ("1.2", "Mạng nội bộ và kết nối Internet", (
            ("1.2.1", "Mạng nội bộ (LAN) kết nối các phòng, ban", 5),
            ("1.2.2", "Kết nối mạng truyền số liệu chuyên dùng", 5),
            ("1.2.3", "Băng thông kết nối Internet", 5),
        )),
        ("1.3", "Bảo đảm an toàn thông tin", (
            ("1.3.1", "Phần mềm phòng, chống mã độc có bản quyền", 5),
            ("1.3.2", "Phê duyệt hồ sơ cấp độ an toàn hệ thống thông tin", 5),
            ("1.3.3", "Diễn tập, ứng cứu sự cố an toàn thông tin mạng", 5),
        )),
    )),
    ("2", "Ứng dụng công nghệ thông tin trong hoạt động của cơ quan", (
        ("2.1", "Hệ thống quản lý văn bản và điều hành", (
            ("2.1.1", "Tỷ lệ văn bản đi được gửi hoàn toàn dưới dạng điện tử", 10),
            ("2.1.2", "Tỷ lệ văn bản đến được xử lý trên môi trường mạng", 10),
            ("2.1.3", "Lập hồ sơ công việc điện tử", 5),
        )),
        ("2.2", "Sử dụng thư điện tử công vụ", (
            ("2.2.1", "Tỷ lệ cán bộ, công chức được cấp hộp thư công vụ", 5),
            ("2.2.2", "Tỷ lệ sử dụng thư điện tử công vụ trong công việc", 5),
        )),
        ("2.3", "Chữ ký số", (
            ("2.3.1", "Chứng thư số cấp cho lãnh đạo và văn thư", 5),
            ("2.3.2", "Tỷ lệ văn bản điện tử được ký số", 10),
        )),
        ("2.4", "Họp trực tuyến và hệ thống thông tin báo cáo", (
            ("2.4.1", "Tổ chức họp trực tuyến", 5),
            ("2.4.2", "Báo cáo qua hệ thống thông tin báo cáo của tỉnh", 5),
        )),
    )),
    ("3", "Cung cấp dịch vụ công trực tuyến", (
        ("3.1", "Hệ thống thông tin giải quyết thủ tục hành chính", (
            ("3.1.1", "Tiếp nhận hồ sơ trên hệ thống một cửa điện tử", 10),
            ("3.1.2", "Cập nhật tình trạng xử lý hồ sơ", 5),
            ("3.1.3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 10),
        )),
        ("3.2", "Dịch vụ công trực tuyến toàn trình và một phần", (
            ("3.2.1", "Tỷ lệ dịch vụ công trực tuyến toàn trình", 10),
            ("3.2.2", "Tỷ lệ hồ sơ nộp trực tuyến", 15),
            ("3.2.3", "Tỷ lệ hồ sơ giải quyết đúng hạn", 10),
        )),
        ("3.3", "Thanh toán trực tuyến", (
            ("3.3.1", "Tích hợp thanh toán trực tuyến", 5),
            ("3.3.2", "Tỷ lệ hồ sơ thanh toán trực tuyến", 5),
        )),
    )),
    ("4", "Trang thông tin điện tử", (
        ("4.1", "Cung cấp thông tin trên trang thông tin điện tử", (
            ("4.1.1", "Thông tin giới thiệu, tổ chức bộ máy", 5),
            ("4.1.2", "Tin tức, sự kiện, văn bản chỉ đạo điều hành", 5),
            ("4.1.3", "Tiếp nhận, trả lời ý kiến góp ý của người dân", 5),
        )),
        ("4.2", "Chức năng hỗ trợ", (
            ("4.2.1", "Tương thích thiết bị di động", 5),
            ("4.2.2", "Công cụ tìm kiếm và sơ đồ trang", 5),
        )),
    )),
    ("5", "Nhân lực cho ứng dụng công nghệ thông tin", (
        ("5.1", "Cán bộ chuyên trách công nghệ thông tin", (
            ("5.1.1", "Bố trí cán bộ chuyên trách hoặc kiêm nhiệm", 5),
            ("5.1.2", "Trình độ chuyên môn của cán bộ chuyên trách", 5),
        )),
        ("5.2", "Đào tạo, tập huấn", (
            ("5.2.1", "Tập huấn kỹ năng sử dụng phần mềm dùng chung", 5),
            ("5.2.2", "Bồi dưỡng kiến thức an toàn thông tin", 5),
            ("5.2.3", "Tham gia hội thi, chương trình chuyển đổi số", 5),
        )),
    )),
    ("6", "Cơ chế, chính sách và môi trường cho ứng dụng công nghệ thông tin", (
        ("6.1", "Kế hoạch và kinh phí", (
            ("6.1.1", "Ban hành kế hoạch ứng dụng công nghệ thông tin hằng năm", 5),
            ("6.1.2", "Bố trí kinh phí thực hiện kế hoạch", 5),
        )),
        ("6.2", "Quy chế và chỉ đạo", (
            ("6.2.1", "Quy chế sử dụng hệ thống quản lý văn bản và điều hành", 5),
            ("6.2.2", "Chỉ đạo, đôn đốc thực hiện chuyển đổi số", 5),
        )),
    )),
)  # fmt: skip

_FIRST = (
    "An", "Bình", "Cẩm", "Châu", "Đông", "Đức", "Gia", "Hà", "Hải", "Hòa", "Hoài", "Hưng", "Kim", "Lạc",
    "Long", "Mỹ", "Nam", "Ngọc", "Nghĩa", "Phú", "Phúc", "Quảng", "Quế", "Sơn", "Tân", "Thạch", "Thanh",
    "Thuận", "Tiên", "Trà", "Trung", "Văn", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
_SECOND = (
    "An", "Bình", "Chánh", "Điền", "Định", "Giang", "Hải", "Hiệp", "Hòa", "Hưng", "Khánh", "Lâm", "Lộc",
    "Lợi", "Minh", "Mỹ", "Ninh", "Phong", "Phước", "Quang", "Sơn", "Tân", "Thái", "Thành", "Thịnh",
    "Thủy", "Tiến", "Trạch", "Trung", "Tường", "Uyên", "Xá", "Xuân",
)  # fmt: skip
_BANDS = (
    '{ name = "Xuất sắc", min_percent = 90 }, { name = "Tốt", min_percent = 80 }, '
    '{ name = "Khá", min_percent = 65 }, { name = "Trung bình", min_percent = 50 }, '
    '{ name = "Yếu", min_percent = 0 }'
)


@dataclass(frozen=True)
class Plan:
    """How many units each tier has."""

    districts: int
    communes: int

    @classmethod
    def for_forms(cls, forms: int) -> Plan:
        if forms < 2:
            raise ValueError("at least 2 forms (one district, one commune)")
        districts = min(forms - 1, max(1, round(forms * DISTRICT_SHARE)))
        return cls(districts, forms - districts)


def _place_names(count: int, rnd: random.Random) -> list[str]:
    """``count`` distinct two-syllable place names ("Phú Lâm"), then with a number when they run out."""
    pairs = [f"{a} {b}" for a in _FIRST for b in _SECOND if a != b]
    rnd.shuffle(pairs)
    return [pairs[i % len(pairs)] + ("" if i < len(pairs) else f" {i // len(pairs) + 1}") for i in range(count)]


def campaign_toml(plan: Plan, seed: int) -> str:
    """The campaign's ``egov.toml``: two tiers (districts, communes) sharing the 39-leaf criteria tree."""
    rnd = random.Random(seed)
    districts = _place_names(plan.districts, rnd)
    communes = _place_names(plan.communes, rnd)
    kinds = ("huyện", "huyện", "huyện", "thị xã", "thành phố")
    out = [
        f"# Đợt đánh giá giả lập toàn quốc: {plan.districts + plan.communes} đơn vị (benchmarks/generate.py).",
        "[campaign]",
        'id = "toan-quoc-2024"',
        'title = "Đánh giá, xếp hạng mức độ Chính quyền điện tử cấp huyện, cấp xã năm 2024 (dữ liệu giả lập)"',
        'province = "Toàn quốc"',
        "year = 2024",
        'authority = "Bộ Thông tin và Truyền thông"',
        'criteria_decision = "Quyết định số 999/QĐ-BTTTT ngày 01/01/2024 (giả lập)"',
        "",
        "[display]",
        "total_decimals = 2",
        "",
        "[validation]",
        'evidence = "warning"',
        "",
        "[document]",
        'parent_body = "Bộ Thông tin và Truyền thông"',
        'issuing_body = ""',
        'symbol = "QĐ-BTTTT"',
        'place = "Hà Nội"',
        'legal_grounds = ["Căn cứ Quyết định số 999/QĐ-BTTTT ngày 01/01/2024 (giả lập)"]',
        'proposal = "Theo đề nghị của Cục trưởng Cục Chuyển đổi số quốc gia"',
        'signer_authority = ""',
        'signer_deputy = "KT. Bộ trưởng"',
        'signer_title = "Thứ trưởng"',
        'signer_name = "Nguyễn Văn A"',
        'recipients = ["Như Điều 3", "Lưu: VT"]',
    ]
    tiers = (
        ("huyen", "Ủy ban nhân dân cấp huyện", "H", 4, [f"Ủy ban nhân dân {rnd.choice(kinds)} {n}" for n in districts]),
        ("xa", "Ủy ban nhân dân cấp xã", "X", 5, [f"Ủy ban nhân dân xã {n}" for n in communes]),
    )
    for tier_id, tier_name, prefix, width, names in tiers:
        out += ["", "[[tiers]]", f'id = "{tier_id}"', f'name = "{tier_name}"', f"bands = [{_BANDS}]"]
        for code, name, criteria in _TREE:
            out += ["", "[[tiers.criteria]]", f'code = "{code}"', f'name = "{name}"']
            for ccode, cname, leaves in criteria:
                out += ["[[tiers.criteria.children]]", f'code = "{ccode}"', f'name = "{cname}"']
                for lcode, lname, lmax in leaves:
                    out += ["[[tiers.criteria.children.children]]", f'code = "{lcode}"', f'name = "{lname}"']
                    out.append(f"max = {lmax}")
        for i, name in enumerate(names, start=1):
            contact = f"Văn phòng, 0{200 + i % 800} 3{i:06d}"
            out += ["", "[[tiers.units]]", f'code = "{prefix}{i:0{width}d}"', f'name = "{name}"']
            out.append(f'contact = "{contact}"')
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- filling (in worker processes)

_campaign: Campaign | None = None


def _init_worker(folder: str) -> None:
    global _campaign
    _campaign = load_campaign(Path(folder))


@dataclass(frozen=True)
class FormJob:
    tier_id: str
    unit_code: str
    #: Leaf code -> score, as text ("4.5").
    leaves: tuple[tuple[str, str], ...]
    #: The leaf whose score the unit types as text with a decimal comma, if any.
    text_leaf: str | None
    target: str


def _make_batch(jobs: Sequence[FormJob]) -> int:
    assert _campaign is not None
    with tempfile.TemporaryDirectory(prefix="egov-gen-") as tmp:
        for job in jobs:
            found = _campaign.find_unit(job.unit_code)
            assert found is not None
            tier, unit = found
            blank = Path(tmp) / "blank.xlsx"
            write_form(_campaign, tier, unit, blank)
            leaves = {code: Decimal(v) for code, v in job.leaves}
            fill(blank, Path(job.target), leaves, unit.code, job.text_leaf)
    return len(jobs)


def _jobs_for(campaign: Campaign, inbox: Path, seed: int) -> Iterator[FormJob]:
    scores = random_scores(campaign, seed)
    rnd = random.Random(seed + 1)
    for tier in campaign.tiers:
        for unit in tier.units:
            leaves: dict[str, Decimal] = {}
            for criterion, score in zip(tier.criteria, scores[(tier.id, unit.code)], strict=True):
                leaves.update(split(criterion, score))
            text_leaf = None
            if rnd.randrange(TEXT_NUMBER_EVERY) == 0:
                text_leaf = rnd.choice(sorted(leaves))
            yield FormJob(
                tier.id,
                unit.code,
                tuple((k, str(v)) for k, v in leaves.items()),
                text_leaf,
                str(inbox / form_filename(unit)),
            )


def _marker(forms: int, seed: int) -> dict[str, int]:
    return {"forms": forms, "seed": seed, "generator": GENERATOR_VERSION}


def is_current(out: Path, forms: int, seed: int) -> bool:
    """True when ``out`` holds a complete campaign generated with these parameters."""
    try:
        return bool(json.loads((out / MARKER).read_text(encoding="utf-8")) == _marker(forms, seed))
    except (OSError, ValueError):
        return False


def generate(
    out: Path, forms: int = DEFAULT_FORMS, seed: int = DEFAULT_SEED, *, jobs: int | None = None, force: bool = False
) -> Path:
    """Write the campaign (``egov.toml`` and ``inbox/``) into ``out`` unless it is already there; return ``out``."""
    if not force and is_current(out, forms, seed):
        return out
    if out.exists():
        shutil.rmtree(out)
    inbox = out / layout.INBOX
    inbox.mkdir(parents=True)
    (out / "egov.toml").write_text(campaign_toml(Plan.for_forms(forms), seed), encoding="utf-8")
    campaign = load_campaign(out)
    all_jobs = list(_jobs_for(campaign, inbox, seed))
    workers = jobs or default_jobs()
    size = max(1, min(50, len(all_jobs) // (workers * 4) or 1))
    batches = [all_jobs[i : i + size] for i in range(0, len(all_jobs), size)]
    if workers <= 1 or len(batches) == 1:
        _init_worker(str(out))
        for batch in batches:
            _make_batch(batch)
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(str(out),)) as pool:
            for _ in pool.map(_make_batch, batches):
                pass
    (out / MARKER).write_text(json.dumps(_marker(forms, seed)), encoding="utf-8")
    return out


def default_out(forms: int) -> Path:
    return DATA / f"national-{forms}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--forms", type=int, default=DEFAULT_FORMS, help="number of forms (default 10,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2024)")
    parser.add_argument("--out", type=Path, help="campaign folder (default benchmarks/data/national-N)")
    parser.add_argument("--jobs", type=int, help="processes (default: the processors this process may use)")
    parser.add_argument("--force", action="store_true", help="regenerate even when the folder is current")
    args = parser.parse_args(argv)
    out = args.out or default_out(args.forms)
    if not args.force and is_current(out, args.forms, args.seed):
        print(f"{out}: up to date ({args.forms} forms, seed {args.seed})")
        return 0
    start = time.perf_counter()
    generate(out, args.forms, args.seed, jobs=args.jobs, force=True)
    elapsed = time.perf_counter() - start
    print(f"{out}: {args.forms} forms in {elapsed:.0f} s ({elapsed / args.forms * 1000:.1f} ms a form)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
