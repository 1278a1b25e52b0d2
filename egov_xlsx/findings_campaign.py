"""The findings catalogue's part beyond the units' files: year over year, outputs, documents, the council's file.

Each entry is (severity, short Vietnamese title, Vietnamese message template); :mod:`egov_xlsx.findings`
makes the catalogue of them and fills the templates.
"""

from __future__ import annotations

from egov_xlsx.model import Severity

CAMPAIGN_FINDINGS: dict[str, tuple[Severity, str, str]] = {
    # ---- year over year
    "previous-criterion-added": (
        Severity.WARNING,
        "Tiêu chí mới so với năm trước",
        "Tiêu chí {criterion} của khối {tier} không có trong kết quả năm {year}; "
        "điểm tiêu chí này không so sánh được với năm trước.",
    ),
    "previous-draft": (
        Severity.WARNING,
        "Kết quả năm trước là dự thảo",
        "Kết quả năm {year} dùng để so sánh là bản dự thảo (build --draft); thứ hạng và điểm năm trước có thể "
        "khác bản chính thức. Nên dùng kết quả chính thức của năm {year}.",
    ),
    "previous-criterion-removed": (
        Severity.WARNING,
        "Tiêu chí của năm trước không còn",
        "Tiêu chí {criterion} của khối {tier} năm {year} không còn trong bộ "
        "tiêu chí năm nay; so sánh tổng điểm giữa hai năm cần lưu ý điều này.",
    ),
    # ---- outputs
    "feedback-failed": (
        Severity.WARNING,
        "Không tạo được bản trả lại cho đơn vị",
        "Không tạo được bản sao có đánh dấu lỗi của tệp này ({detail}); "
        "gửi cho đơn vị danh sách lỗi trong báo cáo kiểm tra thay thế.",
    ),
    # ---- documents
    "document-no-signer": (
        Severity.WARNING,
        "Quyết định chưa có người ký",
        "Quyết định chưa có tên người ký: ghi signer_name (và signer_title) trong mục [document] của egov.toml "
        '(ví dụ signer_name = "Nguyễn Văn A"); bản Word để trống chỗ ghi tên.',
    ),
    # ---- appraisal (the council's file)
    "appraisal-unreadable": (
        Severity.ERROR,
        "Không đọc được tệp thẩm định",
        "Không đọc được appraisal.xlsx ({detail}). Mở tệp bằng Excel và lưu lại; nếu không được, đổi tên "
        "tệp (giữ làm bản lưu) rồi tạo lại bằng lệnh egov-xlsx appraisal.",
    ),
    "appraisal-wrong-campaign": (
        Severity.ERROR,
        "Tệp thẩm định của đợt đánh giá khác",
        'Trang {sheet} của appraisal.xlsx thuộc đợt đánh giá "{value}", không phải đợt "{expected}" '
        "(có thể được chép cùng thư mục năm trước); không điểm thẩm định nào được dùng. Đổi tên tệp này "
        "rồi tạo tệp mới bằng lệnh egov-xlsx appraisal.",
    ),
    "appraisal-unknown-unit": (
        Severity.ERROR,
        "Điểm thẩm định cho đơn vị lạ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi mã đơn vị "{unit}" không có trong khối này. Nếu đơn vị đã bỏ khỏi '
        "danh sách, chạy egov-xlsx appraisal --update (giá trị được chuyển sang trang Dòng không còn dùng); "
        "nếu không, sửa lại mã đơn vị.",
    ),
    "appraisal-unknown-criterion": (
        Severity.ERROR,
        "Điểm thẩm định cho tiêu chí lạ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi mã "{criterion}", không phải tiêu chí thành phần hay dòng điểm '
        "cộng/trừ của khối. Nếu bộ tiêu chí đã thay đổi, chạy egov-xlsx appraisal --update (giá trị được "
        "chuyển sang trang Dòng không còn dùng); nếu không, sửa lại mã.",
    ),
    "appraisal-duplicate": (
        Severity.ERROR,
        "Điểm thẩm định bị lặp",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định là điểm thứ hai cho tiêu chí {criterion} của đơn vị {unit} (điểm đầu ở '
        "ô {first}). Giữ một điểm, xóa điểm còn lại.",
    ),
    "appraisal-not-number": (
        Severity.ERROR,
        "Điểm thẩm định không phải là số",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi "{value}", không phải là số. Nhập một số từ {min} đến {max} '
        "(dùng dấu thập phân của máy) hoặc để trống.",
    ),
    "appraisal-text-number": (
        Severity.WARNING,
        "Điểm thẩm định nhập dạng chữ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định chứa "{value}" ở dạng chữ; công cụ hiểu là {read}. Nên nhập lại '
        "dạng số để tránh nhầm lẫn.",
    ),
    "appraisal-decimals": (
        Severity.ERROR,
        "Điểm thẩm định có quá nhiều chữ số thập phân",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value}: chỉ được có tối đa {decimals} chữ số thập phân. '
        "Nhập lại một số từ {min} đến {max}.",
    ),
    "appraisal-above-max": (
        Severity.ERROR,
        "Điểm thẩm định ngoài giới hạn",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value}, ngoài khoảng 0 đến {max} của '
        "tiêu chí {criterion}. Sửa lại điểm thẩm định.",
    ),
    "appraisal-no-reason": (
        Severity.ERROR,
        "Điểm thẩm định thiếu lý do",
        'Điểm thẩm định {value} của {criterion} (đơn vị {unit}, ô {score_cell}, trang "{sheet}") chưa ghi lý do. '
        "Ghi lý do vào ô {cell}.",
    ),
    "appraisal-no-submission": (
        Severity.WARNING,
        "Điểm thẩm định cho đơn vị chưa có biểu",
        "Tệp thẩm định có điểm cho {unit} nhưng đơn vị chưa có biểu hợp lệ; điểm thẩm định chưa được dùng.",
    ),
    "appraisal-excluded": (
        Severity.WARNING,
        "Điểm thẩm định cho tiêu chí không chấm đối với nhóm của đơn vị",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value} cho tiêu chí {criterion}, nhưng tiêu chí này không '
        'chấm đối với nhóm "{group}" của đơn vị {unit}; điểm thẩm định không được dùng.',
    ),
    "appraisal-not-applicable": (
        Severity.WARNING,
        "Điểm thẩm định cho tiêu chí không áp dụng",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value} cho tiêu chí {criterion}, nhưng đơn vị {unit} đã đánh dấu '
        'tiêu chí này "không áp dụng"; điểm thẩm định không được dùng. Nếu tiêu chí áp dụng với đơn vị, '
        "đề nghị đơn vị sửa biểu.",
    ),
    "appraisal-formula": (
        Severity.ERROR,
        "Tệp thẩm định có ô chứa công thức",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định chứa công thức {formula}; Hội đồng chỉ nhập giá trị trực '
        "tiếp, giá trị tính ra từ công thức không được dùng. Xóa công thức và nhập trực tiếp điểm hoặc lý do.",
    ),
    # ---- appraisal split between several bodies ([[appraisers]])
    "appraisal-not-assigned": (
        Severity.ERROR,
        "Cơ quan thẩm định chấm tiêu chí không được giao",
        'Ô {cell} (trang "{sheet}") của {file}: {body} ghi điểm cho {criterion} của đơn vị {unit}, nhưng tiêu chí '
        "này do {owner} thẩm định (appraised_by trong egov.toml); điểm này không được dùng. Xóa giá trị và "
        "chuyển cho {owner} nhập vào {owner_file}.",
    ),
    "appraisal-two-bodies": (
        Severity.ERROR,
        "Hai cơ quan cùng chấm một tiêu chí",
        'Ô {cell} (trang "{sheet}") của {file}: {body} ghi điểm cho {criterion} của đơn vị {unit}, trong khi {owner} '
        "(cơ quan được giao) đã ghi điểm ở ô {first} của {owner_file}. Chỉ {owner} chấm tiêu chí này: xóa giá "
        "trị ở {file}.",
    ),
    "appraisal-body-missing": (
        Severity.WARNING,
        "Thiếu tệp của một cơ quan thẩm định",
        "Chưa có tệp thẩm định của {name} ({file}); các tiêu chí do cơ quan này thẩm định giữ điểm tự đánh giá "
        "của đơn vị. Tạo tệp bằng lệnh egov-xlsx appraisal --appraiser {value}.",
    ),
    "appraisal-unknown-file": (
        Severity.WARNING,
        "Tệp lạ trong thư mục thẩm định",
        "Tệp {file} không phải tệp thẩm định của cơ quan nào trong [[appraisers]] (tên đúng: "
        "appraisal/tham-dinh-<mã cơ quan>.xlsx) nên không được đọc. Đổi tên cho đúng, hoặc chuyển tệp ra "
        "khỏi thư mục.",
    ),
    # ---- appraisal: the facts of rule-based criteria
    "appraisal-fact-invalid": (
        Severity.ERROR,
        "Kết quả thẩm định không hợp lệ",
        'Tệp thẩm định, trang "{sheet}", đơn vị {unit}: {detail}',
    ),
    "appraisal-fact-and-points": (
        Severity.WARNING,
        "Vừa sửa kết quả thực hiện vừa sửa điểm",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định: tiêu chí {criterion} của đơn vị {unit} có cả kết quả thực '
        "hiện thẩm định ({facts}, cho {points} điểm) và điểm thẩm định {value}; điểm thẩm định được dùng.",
    ),
    # ---- criteria the council scores (source = "council"): imported tables and their values
    "import-unreadable": (
        Severity.ERROR,
        "Không đọc được bảng nhập",
        "Không đọc được bảng {file}: {detail}.",
    ),
    "import-unknown-unit": (
        Severity.ERROR,
        "Bảng nhập có đơn vị không có trong danh sách",
        'Ô {cell} của bảng {file} ghi đơn vị "{value}": {detail}. Sửa mã hoặc tên đơn vị theo danh sách đơn vị '
        "của đợt đánh giá.",
    ),
    "import-duplicate": (
        Severity.ERROR,
        "Bảng nhập có đơn vị ghi hai lần",
        "Bảng {file} ghi hai giá trị tiêu chí {criterion} cho đơn vị {unit} (ô {first} và ô {cell}). Giữ một dòng.",
    ),
    "import-not-number": (
        Severity.ERROR,
        "Giá trị nhập không phải là số",
        'Ô {cell} của bảng {file} (tiêu chí {criterion}, đơn vị {unit}) ghi "{value}", không phải là số. '
        "Nhập một số từ 0 đến {max}.",
    ),
    "import-decimals": (
        Severity.ERROR,
        "Giá trị nhập có quá nhiều chữ số thập phân",
        "Ô {cell} của bảng {file} (tiêu chí {criterion}, đơn vị {unit}) ghi {value}: chỉ được có tối đa "
        "{decimals} chữ số thập phân.",
    ),
    "import-above-max": (
        Severity.ERROR,
        "Giá trị nhập ngoài giới hạn",
        "Ô {cell} của bảng {file} (tiêu chí {criterion}, đơn vị {unit}) ghi {value}, ngoài khoảng 0 đến {max} "
        "điểm của tiêu chí. Sửa lại giá trị.",
    ),
    "import-formula": (
        Severity.ERROR,
        "Bảng nhập có ô chứa công thức",
        "Ô {cell} của bảng {file} chứa công thức {formula}; giá trị tính ra từ công thức không được dùng. "
        "Nhập trực tiếp giá trị.",
    ),
    "import-fact-invalid": (
        Severity.ERROR,
        "Kết quả thực hiện trong bảng nhập không hợp lệ",
        "Bảng {file}, đơn vị {unit}: {detail}",
    ),
    "import-units-missing": (
        Severity.WARNING,
        "Bảng nhập thiếu đơn vị",
        "Bảng {file} chưa có giá trị tiêu chí {criterion} cho {count} đơn vị: {units}.",
    ),
    "council-value-missing": (
        Severity.ERROR,
        "Thiếu điểm tiêu chí do Hội đồng chấm",
        "{unit_name} ({unit}) chưa có điểm tiêu chí {criterion} ({name}), tiêu chí do Hội đồng chấm: nhập bằng lệnh "
        "egov-xlsx import hoặc ghi vào {where}. Bản dự thảo không tính tiêu chí này vào tổng điểm và "
        "điểm tối đa của đơn vị.",
    ),
    "council-value-twice": (
        Severity.ERROR,
        "Điểm tiêu chí do Hội đồng chấm được ghi ở hai nơi",
        "Tiêu chí {criterion} của đơn vị {unit} có giá trị trong bảng nhập {origin} ({value}) và trong "
        'appraisal.xlsx (ô {cell}, trang "{sheet}"). Chỉ giữ một nơi: xóa ô trong appraisal.xlsx, hoặc nhập '
        "lại bảng không có đơn vị này.",
    ),
}
