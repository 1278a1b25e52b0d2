"""The findings catalogue: every problem egov-xlsx reports, with a stable code, a severity and a message.

Codes are stable and kebab-case; the README documents each one (a test keeps the two in step).
Messages are Vietnamese templates that say what is wrong and what to do; the cell, criterion and value
are filled in where known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egov_xlsx.layout import split_address
from egov_xlsx.model import Finding, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Spec:
    severity: Severity
    #: Short Vietnamese title, used in tables and the README.
    title: str
    #: Vietnamese message template, formatted with the finding's fields.
    template: str


CATALOGUE: dict[str, Spec] = {
    # ---- files: the gate before any reader
    "file-ignored": Spec(N, "Tệp không phải bảng tính", "Tệp {kind} không phải biểu chấm điểm nên được bỏ qua."),
    "file-archive": Spec(
        N,
        "Tệp nén",
        "Tệp nén ({kind}) không được đọc; nếu trong đó có biểu chấm điểm, giải nén các biểu vào thư mục inbox/ "
        "rồi chạy lại.",
    ),
    "file-empty": Spec(E, "Tệp rỗng", "Tệp rỗng (0 byte), có thể bị lỗi khi gửi. Đề nghị đơn vị gửi lại biểu."),
    "file-too-large": Spec(
        E,
        "Tệp quá lớn",
        "Tệp có dung lượng {size}, vượt giới hạn {limit} của một biểu chấm điểm. Đề nghị đơn vị "
        "gửi lại đúng biểu mẫu (không chèn ảnh, không sao chép thêm dữ liệu).",
    ),
    "zip-bomb": Spec(
        E,
        "Tệp nén bất thường",
        "Tệp khai báo {detail} khi giải nén, không biểu chấm điểm nào có kích thước như "
        "vậy; tệp không được mở để bảo vệ máy. Đề nghị đơn vị gửi lại biểu.",
    ),
    "file-corrupt": Spec(
        E,
        "Tệp hỏng",
        "Không đọc được tệp bảng tính ({detail}); tệp có thể bị hỏng hoặc gửi chưa hết. "
        "Đề nghị đơn vị mở lại tệp bằng Excel, lưu lại và gửi lại.",
    ),
    "file-encrypted": Spec(
        E,
        "Tệp có mật khẩu",
        "Tệp được đặt mật khẩu nên không đọc được. Đề nghị đơn vị bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) và gửi lại.",
    ),
    "file-disguised": Spec(
        E,
        "Sai định dạng tệp",
        "Tệp có đuôi {extension} nhưng nội dung là {kind}, định dạng mà công cụ không đọc được. "
        "Đề nghị đơn vị mở biểu bằng Excel và lưu đúng định dạng .xlsx (Lưu thành > Sổ làm việc Excel).",
    ),
    "xml-entities": Spec(
        E,
        "Tệp chứa khai báo XML nguy hiểm",
        "Tệp chứa khai báo thực thể XML (DTD), không có trong bảng tính "
        "thông thường; tệp không được đọc. Đề nghị đơn vị lưu lại biểu bằng Excel và gửi lại.",
    ),
    "sheet-too-large": Spec(
        E,
        "Bảng tính quá lớn",
        "Tệp có {detail}, không biểu chấm điểm nào lớn như vậy; tệp không được mở để bảo vệ máy. Đề nghị "
        "đơn vị xóa các dòng, cột, trang tính thừa (hoặc chép bảng điểm sang biểu mới) rồi gửi lại.",
    ),
    "file-outside-inbox": Spec(
        E,
        "Liên kết ra ngoài thư mục inbox",
        "Đây là liên kết (symlink) tới {target}, nằm ngoài thư mục inbox/; công cụ không đọc tệp ngoài inbox/. "
        "Chép chính tệp biểu vào inbox/ (thay cho liên kết) rồi chạy lại.",
    ),
    "file-lock-name": Spec(
        W,
        "Tên tệp như tệp tạm của Excel",
        'Tên tệp bắt đầu bằng "~$" như tệp tạm Excel tạo khi mở biểu (Windows ẩn và Excel tự xóa các tệp này); '
        "tệp vẫn được đọc. Đổi tên tệp (bỏ ~$ ở đầu) để không bị xóa nhầm.",
    ),
    "file-crashed": Spec(
        E,
        "Tệp làm dừng trình đọc",
        "Trình đọc bảng tính bị dừng đột ngột khi mở tệp này (tệp có cấu trúc bất thường); tệp không được đọc, "
        "các tệp khác vẫn được đọc bình thường. Đề nghị đơn vị mở tệp bằng Excel, lưu lại và gửi lại.",
    ),
    "file-unreadable": Spec(
        E, "Không mở được tệp", "Không mở được tệp: {detail}. Kiểm tra quyền đọc tệp rồi chạy lại."
    ),
    # ---- the form and who sent it
    "sheet-hidden-form": Spec(
        W,
        "Trang tính ẩn giống biểu",
        'Tệp có trang tính ẩn "{sheet}" giống biểu chấm điểm; trang tính ẩn không được đọc, điểm lấy từ trang '
        "tính đơn vị nhìn thấy. Kiểm tra với đơn vị trang nào là biểu thật; nên xóa trang ẩn rồi gửi lại.",
    ),
    "form-not-recognised": Spec(
        E,
        "Không phải biểu mẫu chuẩn",
        'Không tìm thấy bảng chấm điểm (dòng tiêu đề "Mã | Tiêu chí | Điểm tối đa | '
        'Điểm tự đánh giá"). Đề nghị đơn vị dùng đúng biểu mẫu đã được gửi, không đổi tên cột.',
    ),
    "metadata-missing": Spec(
        W,
        "Thiếu thông tin ẩn của biểu",
        "Biểu không còn trang thông tin ẩn ({sheet}); đơn vị được nhận biết "
        "qua mã đơn vị {unit} ghi trên biểu. Lần sau đề nghị đơn vị điền trực tiếp vào biểu được gửi.",
    ),
    "unit-unidentified": Spec(
        E,
        "Không xác định được đơn vị",
        "Biểu không có thông tin ẩn và không ghi mã đơn vị nên không biết của "
        "đơn vị nào. Đề nghị đơn vị điền vào đúng biểu mẫu đã được gửi cho mình.",
    ),
    "unit-name-mismatch": Spec(
        W,
        "Tên đơn vị trên biểu khác thông tin ẩn",
        'Ô {cell} ghi "{shown}" nhưng biểu được tạo cho {unit} - '
        "{expected}; kết quả được tính cho {expected}. Nếu đơn vị dùng nhầm biểu của đơn vị khác, đề nghị gửi lại.",
    ),
    "wrong-campaign": Spec(
        E,
        "Biểu của đợt đánh giá khác",
        'Biểu thuộc đợt đánh giá "{value}", không phải đợt "{expected}" '
        "đang tổng hợp. Đề nghị đơn vị dùng biểu của đợt này.",
    ),
    "wrong-year": Spec(
        E,
        "Biểu của năm khác",
        "Biểu dành cho năm {value}, đợt đánh giá này là năm {expected}. Đề nghị đơn vị dùng biểu của năm {expected}.",
    ),
    "wrong-tier": Spec(
        E,
        "Biểu của khối khác",
        'Biểu thuộc khối "{value}" nhưng đơn vị {unit} thuộc khối "{expected}". '
        "Đề nghị đơn vị dùng đúng biểu của khối mình.",
    ),
    "form-stale": Spec(
        E,
        "Biểu cũ (bộ tiêu chí đã thay đổi)",
        "Biểu được tạo trước khi bộ tiêu chí thay đổi (mã, điểm tối đa "
        "hoặc cấu trúc tiêu chí khác). Đề nghị đơn vị chấm lại trên biểu mới.",
    ),
    "form-version": Spec(
        W,
        "Phiên bản biểu khác",
        "Biểu có phiên bản {value}, công cụ đang dùng phiên bản {expected}; biểu vẫn được đọc nhưng nên dùng biểu mới.",
    ),
    "unit-unknown": Spec(
        E,
        "Đơn vị không có trong danh sách",
        "Mã đơn vị {unit} không có trong danh sách đơn vị của đợt đánh giá. "
        "Kiểm tra lại danh sách trong egov.toml hoặc đề nghị đơn vị dùng đúng biểu của mình.",
    ),
    "unit-duplicate": Spec(
        E,
        "Một đơn vị gửi nhiều biểu khác nhau",
        "Đơn vị {unit} có {count} biểu khác nhau: {files}. "
        "Giữ lại biểu đúng, chuyển các biểu cũ vào một thư mục con của inbox/ rồi chạy lại.",
    ),
    "unit-duplicate-identical": Spec(
        W,
        "Một biểu được gửi nhiều lần",
        "Đơn vị {unit} gửi {count} tệp giống hệt nhau: {files}; dùng tệp {used}. "
        "Có thể chuyển các bản thừa vào một thư mục con của inbox/.",
    ),
    "file-not-used": Spec(
        W,
        "Tệp không dùng được, đơn vị đã có biểu hợp lệ",
        "Tệp này được xếp cho {unit} nhưng không dùng được ({detail}); {unit} đã có biểu hợp lệ {used} nên tệp "
        "này không được tính. Có thể chuyển tệp vào một thư mục con của inbox/.",
    ),
    "unit-missing": Spec(
        E,
        "Đơn vị chưa nộp biểu",
        "Chưa nhận được biểu của {unit} - {name}{contact}. Liên hệ đơn vị để nhận biểu.",
    ),
    "filename-other-unit": Spec(
        W,
        "Tên tệp là của đơn vị khác",
        "Tên tệp ghi mã {value} nhưng nội dung là biểu của {unit}; "
        "kết quả được tính cho {unit}. Kiểm tra xem đơn vị có gửi nhầm tệp không.",
    ),
    # ---- rows
    "row-missing": Spec(
        E,
        "Thiếu dòng tiêu chí",
        "Biểu không có dòng của tiêu chí {criterion} ({name}). Đề nghị đơn vị không xóa "
        "dòng trong biểu; điền lại trên biểu mẫu gốc.",
    ),
    "row-unexpected": Spec(
        E,
        "Dòng tiêu chí lạ",
        'Dòng {row} có mã "{value}" không có trong bộ tiêu chí. Đề nghị đơn vị không thêm dòng hoặc sửa mã tiêu chí.',
    ),
    "row-duplicate": Spec(
        E,
        "Dòng tiêu chí bị lặp",
        "Tiêu chí {criterion} xuất hiện nhiều lần (dòng {rows}). "
        "Đề nghị đơn vị xóa dòng thừa, giữ đúng một dòng cho mỗi tiêu chí.",
    ),
    "row-order": Spec(
        W,
        "Thứ tự tiêu chí bị đổi",
        "Tiêu chí {criterion} ở dòng {row} không đúng thứ tự của bộ tiêu chí; điểm "
        "vẫn được đọc theo mã tiêu chí. Đề nghị đơn vị không sắp xếp lại các dòng.",
    ),
    "max-changed": Spec(
        W,
        "Điểm tối đa bị sửa",
        "Ô {cell} ghi điểm tối đa {value} nhưng bộ tiêu chí quy định {expected}; công cụ dùng {expected}.",
    ),
    # ---- scores
    "score-missing": Spec(
        E,
        "Chưa nhập điểm",
        "Chưa nhập điểm tiêu chí {criterion} ở ô {cell}. Nhập điểm từ 0 đến {max} (nhập 0 nếu không đạt).",
    ),
    "form-blank": Spec(
        E,
        "Biểu chưa điền",
        "Biểu chưa điền: không tiêu chí nào có điểm (ô đầu tiên cần nhập là {cell}). Đề nghị đơn vị chấm điểm "
        "vào các ô màu vàng rồi gửi lại biểu.",
    ),
    "score-not-number": Spec(
        E,
        "Điểm không phải là số",
        'Ô {cell} ghi "{value}", không phải là số. Nhập một số từ 0 đến {max}, '
        "ghi giải thích vào cột Tài liệu kiểm chứng / ghi chú.",
    ),
    "score-text-number": Spec(
        W,
        "Điểm nhập dạng chữ",
        'Ô {cell} chứa "{value}" ở dạng chữ; công cụ hiểu là {read}. Nên nhập lại dạng số để tránh nhầm lẫn.',
    ),
    "score-date": Spec(
        E,
        "Điểm bị Excel đổi thành ngày tháng",
        "Ô {cell} chứa ngày {value}: Excel đã đổi số vừa nhập thành ngày "
        '(máy dùng dấu phẩy làm dấu thập phân, nên "4.7" thành ngày 4 tháng 7). Nhập lại điểm với dấu phẩy '
        "(ví dụ 4,7) và định dạng ô là Số.",
    ),
    "score-decimals": Spec(
        E,
        "Điểm có quá nhiều chữ số thập phân",
        "Ô {cell} ghi {value}: điểm chỉ được có tối đa {decimals} chữ số thập phân. Nhập lại điểm tiêu chí "
        "{criterion} từ 0 đến {max}, làm tròn đến {decimals} chữ số thập phân.",
    ),
    "score-negative": Spec(
        E, "Điểm âm", "Ô {cell} ghi điểm âm ({value}). Điểm tiêu chí {criterion} phải từ 0 đến {max}."
    ),
    "score-above-max": Spec(
        E,
        "Điểm vượt điểm tối đa",
        "Ô {cell} ghi {value} điểm, vượt điểm tối đa {max} của tiêu chí {criterion}. Sửa lại điểm không quá {max}.",
    ),
    "score-no-evidence": Spec(
        W,
        "Thiếu tài liệu kiểm chứng",
        "Tiêu chí {criterion} được chấm {value} điểm nhưng chưa có tài liệu kiểm "
        "chứng hoặc ghi chú ở ô {cell}. Ghi tên, số hiệu tài liệu kiểm chứng hoặc giải thích điểm đã chấm.",
    ),
    "criterion-changed": Spec(
        W,
        "Tiêu chí đã thay đổi so với biểu cũ",
        "Tiêu chí {criterion}: {detail} (ô {cell}).",
    ),
    "cell-formula": Spec(
        E,
        "Ô chứa công thức",
        "Ô chứa công thức {formula}; ô nhập liệu chỉ được chứa giá trị do đơn vị nhập, giá trị công thức không "
        "được dùng. Xóa công thức và nhập trực tiếp giá trị.",
    ),
    "formula-changed": Spec(
        W,
        "Công thức tổng bị sửa",
        "Công thức của ô tổng đã bị sửa ({formula}, biểu gốc là {expected}); điểm được tính lại từ các tiêu chí "
        "thành phần, giá trị của ô này không được dùng.",
    ),
    "capped-parent": Spec(
        W,
        "Tổng điểm thành phần vượt mức trần",
        "Tổng điểm các tiêu chí thành phần của {criterion} là {value}, "
        "vượt mức trần {max}; điểm tiêu chí {criterion} được tính là {max} theo quy định.",
    ),
    "subtotal-mismatch": Spec(
        W,
        "Ô tổng cộng bị ghi đè",
        "Ô {cell} ghi {value} nhưng tổng tính lại từ điểm các tiêu chí thành phần là "
        "{expected}; công cụ dùng {expected}. Ô tổng có thể đã bị gõ đè lên công thức.",
    ),
    "na-not-allowed": Spec(
        E,
        "Đánh dấu không áp dụng sai",
        'Tiêu chí {criterion} được đánh dấu "không áp dụng" ở ô {cell} nhưng '
        "tiêu chí này áp dụng với đơn vị. Bỏ đánh dấu và nhập điểm.",
    ),
    "na-with-score": Spec(
        W,
        "Vừa đánh dấu không áp dụng vừa có điểm",
        'Tiêu chí {criterion} được đánh dấu "không áp dụng" nhưng '
        "ô {cell} vẫn có điểm {value}; điểm này không được tính.",
    ),
    "adjustment-out-of-range": Spec(
        E,
        "Điểm cộng/trừ ngoài giới hạn",
        'Dòng điểm cộng/trừ {criterion} của đơn vị {unit} ở ô {cell} (trang "{sheet}") ghi {value}, ngoài giới hạn từ {min} '
        "đến {max}. Sửa lại cho đúng quy định.",
    ),
    # ---- year over year
    "previous-criterion-added": Spec(
        W,
        "Tiêu chí mới so với năm trước",
        "Tiêu chí {criterion} của khối {tier} không có trong kết quả năm {year}; "
        "điểm tiêu chí này không so sánh được với năm trước.",
    ),
    "previous-draft": Spec(
        W,
        "Kết quả năm trước là dự thảo",
        "Kết quả năm {year} dùng để so sánh là bản dự thảo (build --draft); thứ hạng và điểm năm trước có thể "
        "khác bản chính thức. Nên dùng kết quả chính thức của năm {year}.",
    ),
    "previous-criterion-removed": Spec(
        W,
        "Tiêu chí của năm trước không còn",
        "Tiêu chí {criterion} của khối {tier} năm {year} không còn trong bộ "
        "tiêu chí năm nay; so sánh tổng điểm giữa hai năm cần lưu ý điều này.",
    ),
    # ---- outputs
    "feedback-failed": Spec(
        W,
        "Không tạo được bản trả lại cho đơn vị",
        "Không tạo được bản sao có đánh dấu lỗi của tệp này ({detail}); "
        "gửi cho đơn vị danh sách lỗi trong báo cáo kiểm tra thay thế.",
    ),
    # ---- documents
    "document-no-signer": Spec(
        W,
        "Quyết định chưa có người ký",
        "Quyết định chưa có tên người ký: ghi signer_name (và signer_title) trong mục [document] của egov.toml "
        '(ví dụ signer_name = "Nguyễn Văn A"); bản Word để trống chỗ ghi tên.',
    ),
    # ---- appraisal (the council's file)
    "appraisal-unreadable": Spec(
        E,
        "Không đọc được tệp thẩm định",
        "Không đọc được appraisal.xlsx ({detail}). Mở tệp bằng Excel và lưu lại; nếu không được, đổi tên "
        "tệp (giữ làm bản lưu) rồi tạo lại bằng lệnh egov-xlsx appraisal.",
    ),
    "appraisal-wrong-campaign": Spec(
        E,
        "Tệp thẩm định của đợt đánh giá khác",
        'Trang {sheet} của appraisal.xlsx thuộc đợt đánh giá "{value}", không phải đợt "{expected}" '
        "(có thể được chép cùng thư mục năm trước); không điểm thẩm định nào được dùng. Đổi tên tệp này "
        "rồi tạo tệp mới bằng lệnh egov-xlsx appraisal.",
    ),
    "appraisal-unknown-unit": Spec(
        E,
        "Điểm thẩm định cho đơn vị lạ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi mã đơn vị "{unit}" không có trong khối này. Nếu đơn vị đã bỏ khỏi '
        "danh sách, chạy egov-xlsx appraisal --update (giá trị được chuyển sang trang Dòng không còn dùng); "
        "nếu không, sửa lại mã đơn vị.",
    ),
    "appraisal-unknown-criterion": Spec(
        E,
        "Điểm thẩm định cho tiêu chí lạ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi mã "{criterion}", không phải tiêu chí thành phần hay dòng điểm '
        "cộng/trừ của khối. Nếu bộ tiêu chí đã thay đổi, chạy egov-xlsx appraisal --update (giá trị được "
        "chuyển sang trang Dòng không còn dùng); nếu không, sửa lại mã.",
    ),
    "appraisal-duplicate": Spec(
        E,
        "Điểm thẩm định bị lặp",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định là điểm thứ hai cho tiêu chí {criterion} của đơn vị {unit} (điểm đầu ở '
        "ô {first}). Giữ một điểm, xóa điểm còn lại.",
    ),
    "appraisal-not-number": Spec(
        E,
        "Điểm thẩm định không phải là số",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi "{value}", không phải là số. Nhập một số từ {min} đến {max} '
        "(dùng dấu thập phân của máy) hoặc để trống.",
    ),
    "appraisal-text-number": Spec(
        W,
        "Điểm thẩm định nhập dạng chữ",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định chứa "{value}" ở dạng chữ; công cụ hiểu là {read}. Nên nhập lại '
        "dạng số để tránh nhầm lẫn.",
    ),
    "appraisal-decimals": Spec(
        E,
        "Điểm thẩm định có quá nhiều chữ số thập phân",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value}: chỉ được có tối đa {decimals} chữ số thập phân. '
        "Nhập lại một số từ {min} đến {max}.",
    ),
    "appraisal-above-max": Spec(
        E,
        "Điểm thẩm định ngoài giới hạn",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value}, ngoài khoảng 0 đến {max} của '
        "tiêu chí {criterion}. Sửa lại điểm thẩm định.",
    ),
    "appraisal-formula": Spec(
        E,
        "Tệp thẩm định có ô chứa công thức",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định chứa công thức {formula}; Hội đồng chỉ nhập giá trị trực '
        "tiếp, giá trị tính ra từ công thức không được dùng. Xóa công thức và nhập trực tiếp điểm hoặc lý do.",
    ),
    "appraisal-no-reason": Spec(
        E,
        "Điểm thẩm định thiếu lý do",
        'Điểm thẩm định {value} của {criterion} (đơn vị {unit}, ô {score_cell}, trang "{sheet}") chưa ghi lý do. '
        "Ghi lý do vào ô {cell}.",
    ),
    "appraisal-no-submission": Spec(
        W,
        "Điểm thẩm định cho đơn vị chưa có biểu",
        "Tệp thẩm định có điểm cho {unit} nhưng đơn vị chưa có biểu hợp lệ; điểm thẩm định chưa được dùng.",
    ),
    "appraisal-not-applicable": Spec(
        W,
        "Điểm thẩm định cho tiêu chí không áp dụng",
        'Ô {cell} (trang "{sheet}") của tệp thẩm định ghi {value} cho tiêu chí {criterion}, nhưng đơn vị {unit} đã đánh dấu '
        'tiêu chí này "không áp dụng"; điểm thẩm định không được dùng. Nếu tiêu chí áp dụng với đơn vị, '
        "đề nghị đơn vị sửa biểu.",
    ),
}


def make(code: str, *, severity: Severity | None = None, **fields: Any) -> Finding:
    """Build a finding of the catalogue's ``code``; location fields go to the record, the rest to the message.

    Location fields: file, sheet, cell, criterion, value, unit, tier (``None`` when unknown).
    """
    spec = CATALOGUE[code]
    location = {k: fields.get(k) for k in ("file", "sheet", "cell", "criterion", "value", "unit", "tier")}
    text_fields = {k: ("" if v is None else v) for k, v in fields.items()}
    message = spec.template.format_map(_Defaults(text_fields))
    return Finding(
        code=code,
        severity=severity or spec.severity,
        message=message,
        file=location["file"],
        sheet=location["sheet"],
        cell=location["cell"],
        criterion=location["criterion"],
        value=None if location["value"] is None else str(location["value"]),
        unit=location["unit"],
        tier=location["tier"],
    )


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def sort_key(f: Finding) -> tuple[str, int, int]:
    """Order by file (findings with no file last), then by the cell's row and column.

    Sorting is stable, so findings of one cell, and roster findings, keep the order they were made in
    (criterion order, roster order).
    """
    row, col = split_address(f.cell) if f.cell else (0, 0)
    return (f.file or "\uffff", row, col)
