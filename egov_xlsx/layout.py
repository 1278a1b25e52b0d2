"""The standard score form's layout: what `forms` writes and what `ingest` looks for.

The reader does not trust fixed positions: it finds the header row by its labels and the columns by their
headers, so a unit that inserts a row above the table or widens the title block is still read correctly.
The positions here are where the writer puts things.
"""

from __future__ import annotations

#: Bumped when the layout changes in a way older readers cannot follow.
FORM_VERSION = "1"

#: The campaign folder's inbox: returned forms, any file names; subfolders are not read.
INBOX = "inbox"

FORM_SHEET = "Chấm điểm"
META_SHEET = "egov_meta"

#: The form's title line, before what the campaign measures (:attr:`~egov_xlsx.model.Campaign.measured`).
TITLE = "BIỂU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM"


def form_title(measured: str) -> str:
    """The form's title: "BIỂU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ"."""
    return f"{TITLE} {measured.upper()}"


#: Labels in column A of the title block; the value sits in column B.
LABEL_TIER = "Khối:"
LABEL_UNIT = "Đơn vị:"
LABEL_UNIT_CODE = "Mã đơn vị:"
LABEL_CAMPAIGN = "Mã đợt đánh giá:"

HEADER_CODE = "Mã"
HEADER_NAME = "Tiêu chí"
HEADER_MAX = "Điểm tối đa"
HEADER_SCORE = "Điểm tự đánh giá"
HEADER_NOTE = "Tài liệu kiểm chứng / ghi chú"
#: Only present when the tier has criteria that may be marked not applicable.
HEADER_NA = "Không áp dụng"
HEADERS = (HEADER_CODE, HEADER_NAME, HEADER_MAX, HEADER_SCORE, HEADER_NOTE)

#: Only present when the tier has rule-based criteria: the facts the unit reports (a level, Có/Không,
#: a count, a ratio's a), a ratio's b, and the rule in words. The points cell computes from them.
HEADER_FACT = "Kết quả thực hiện (a)"
HEADER_FACT_B = "Tổng số (b)"
HEADER_RULE = "Cách tính điểm"

#: The tool's own hidden sheet of level lists too long for an inline dropdown (Excel allows 255 characters).
LIST_SHEET = "egov_lists"

#: What a unit types in the "Không áp dụng" column (case and diacritics ignored by the reader).
NA_MARK = "x"

#: The label of the grand total row (name column; its code cell is empty).
TOTAL_LABEL = "TỔNG ĐIỂM"

# 0-based columns and 1-based header row as written by `forms`.
COL_CODE, COL_NAME, COL_MAX, COL_SCORE, COL_NOTE, COL_NA = 0, 1, 2, 3, 4, 5
HEADER_ROW = 8
FIRST_DATA_ROW = HEADER_ROW + 1

#: Keys of the hidden metadata sheet (column A key, column B value).
META_CAMPAIGN = "campaign_id"
META_YEAR = "campaign_year"
META_TIER = "tier_id"
META_UNIT = "unit_code"
META_UNIT_NAME = "unit_name"
META_VERSION = "form_version"
META_FINGERPRINT = "criteria_fingerprint"
META_CRITERIA = "criteria_codes"
META_GENERATOR = "generator"
#: Written only on the form of a unit in a group (``[[tiers.groups]]``): the group's code.
META_GROUP = "group"

#: How far the reader looks: no form needs more, and a hostile file cannot make it read more.
MAX_ROWS = 2000
MAX_COLUMNS = 30
HEADER_SEARCH_ROWS = 40


def cell_address(row: int, col: int) -> str:
    """A1 address from a 1-based row and a 0-based column: (14, 3) -> "D14"."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def split_address(address: str) -> tuple[int, int]:
    """(1-based row, 0-based column) of an A1 address: "D14" -> (14, 3); a malformed one gives (0, 0)."""
    letters = "".join(ch for ch in address if ch.isalpha()).upper()
    digits = "".join(ch for ch in address if ch.isdigit())
    if not letters or not digits:
        return (0, 0)
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return (int(digits), col - 1)
