"""The findings catalogue's part about the units' files: the gate, the form and who sent it, its rows and scores.

Each entry is (severity, short Vietnamese title, Vietnamese message template); :mod:`egov_xlsx.findings`
makes the catalogue of them and fills the templates.
"""

from __future__ import annotations

from egov_xlsx.model import Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO

INBOX_FINDINGS: dict[str, tuple[Severity, str, str]] = {
    # ---- files: the gate before any reader
    "file-ignored": (N, "Tệp không phải bảng tính", "Tệp {kind} không phải biểu chấm điểm nên được bỏ qua."),
    "file-archive": (
        N,
        "Tệp nén",
        "Tệp nén ({kind}) không được đọc; nếu trong đó có biểu chấm điểm, giải nén các biểu vào thư mục inbox/ "
        "rồi chạy lại.",
    ),
    "file-empty": (E, "Tệp rỗng", "Tệp rỗng (0 byte), có thể bị lỗi khi gửi. Đề nghị đơn vị gửi lại biểu."),
    "file-too-large": (
        E,
        "Tệp quá lớn",
        "Tệp có dung lượng {size}, vượt giới hạn {limit} của một biểu chấm điểm. Đề nghị đơn vị "
        "gửi lại đúng biểu mẫu (không chèn ảnh, không sao chép thêm dữ liệu).",
    ),
    "zip-bomb": (
        E,
        "Tệp nén bất thường",
        "Tệp khai báo {detail} khi giải nén, không biểu chấm điểm nào có kích thước như "
        "vậy; tệp không được mở để bảo vệ máy. Đề nghị đơn vị gửi lại biểu.",
    ),
    "file-corrupt": (
        E,
        "Tệp hỏng",
        "Không đọc được tệp bảng tính ({detail}); tệp có thể bị hỏng hoặc gửi chưa hết. "
        "Đề nghị đơn vị mở lại tệp bằng Excel, lưu lại và gửi lại.",
    ),
    "file-encrypted": (
        E,
        "Tệp có mật khẩu",
        "Tệp được đặt mật khẩu nên không đọc được. Đề nghị đơn vị bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) và gửi lại.",
    ),
    "file-disguised": (
        E,
        "Sai định dạng tệp",
        "Tệp có đuôi {extension} nhưng nội dung là {kind}, định dạng mà công cụ không đọc được. "
        "Đề nghị đơn vị mở biểu bằng Excel và lưu đúng định dạng .xlsx (Lưu thành > Sổ làm việc Excel).",
    ),
    "xml-entities": (
        E,
        "Tệp chứa khai báo XML nguy hiểm",
        "Tệp chứa khai báo thực thể XML (DTD), không có trong bảng tính "
        "thông thường; tệp không được đọc. Đề nghị đơn vị lưu lại biểu bằng Excel và gửi lại.",
    ),
    "sheet-too-large": (
        E,
        "Bảng tính quá lớn",
        "Tệp có {detail}, không biểu chấm điểm nào lớn như vậy; tệp không được mở để bảo vệ máy. Đề nghị "
        "đơn vị xóa các dòng, cột, trang tính thừa (hoặc chép bảng điểm sang biểu mới) rồi gửi lại.",
    ),
    "file-outside-inbox": (
        E,
        "Liên kết ra ngoài thư mục inbox",
        "Đây là liên kết (symlink) tới {target}, nằm ngoài thư mục inbox/; công cụ không đọc tệp ngoài inbox/. "
        "Chép chính tệp biểu vào inbox/ (thay cho liên kết) rồi chạy lại.",
    ),
    "file-lock-name": (
        W,
        "Tên tệp như tệp tạm của Excel",
        'Tên tệp bắt đầu bằng "~$" như tệp tạm Excel tạo khi mở biểu (Windows ẩn và Excel tự xóa các tệp này); '
        "tệp vẫn được đọc. Đổi tên tệp (bỏ ~$ ở đầu) để không bị xóa nhầm.",
    ),
    "file-crashed": (
        E,
        "Tệp làm dừng trình đọc",
        "Trình đọc bảng tính bị dừng đột ngột khi mở tệp này (tệp có cấu trúc bất thường); tệp không được đọc, "
        "các tệp khác vẫn được đọc bình thường. Đề nghị đơn vị mở tệp bằng Excel, lưu lại và gửi lại.",
    ),
    "file-unreadable": (E, "Không mở được tệp", "Không mở được tệp: {detail}. Kiểm tra quyền đọc tệp rồi chạy lại."),
    # ---- the form and who sent it
    "sheet-hidden-form": (
        W,
        "Trang tính ẩn giống biểu",
        'Tệp có trang tính ẩn "{sheet}" giống biểu chấm điểm; trang tính ẩn không được đọc, điểm lấy từ trang '
        "tính đơn vị nhìn thấy. Kiểm tra với đơn vị trang nào là biểu thật; nên xóa trang ẩn rồi gửi lại.",
    ),
    "form-not-recognised": (
        E,
        "Không phải biểu mẫu chuẩn",
        'Không tìm thấy bảng chấm điểm (dòng tiêu đề "Mã | Tiêu chí | Điểm tối đa | '
        'Điểm tự đánh giá"). Đề nghị đơn vị dùng đúng biểu mẫu đã được gửi, không đổi tên cột.',
    ),
    "metadata-missing": (
        W,
        "Thiếu thông tin ẩn của biểu",
        "Biểu không còn trang thông tin ẩn ({sheet}); đơn vị được nhận biết "
        "qua mã đơn vị {unit} ghi trên biểu. Lần sau đề nghị đơn vị điền trực tiếp vào biểu được gửi.",
    ),
    "unit-unidentified": (
        E,
        "Không xác định được đơn vị",
        "Biểu không có thông tin ẩn và không ghi mã đơn vị nên không biết của "
        "đơn vị nào. Đề nghị đơn vị điền vào đúng biểu mẫu đã được gửi cho mình.",
    ),
    "unit-name-mismatch": (
        W,
        "Tên đơn vị trên biểu khác thông tin ẩn",
        'Ô {cell} ghi "{shown}" nhưng biểu được tạo cho {unit} - '
        "{expected}; kết quả được tính cho {expected}. Nếu đơn vị dùng nhầm biểu của đơn vị khác, đề nghị gửi lại.",
    ),
    "wrong-campaign": (
        E,
        "Biểu của đợt đánh giá khác",
        'Biểu thuộc đợt đánh giá "{value}", không phải đợt "{expected}" '
        "đang tổng hợp. Đề nghị đơn vị dùng biểu của đợt này.",
    ),
    "wrong-year": (
        E,
        "Biểu của năm khác",
        "Biểu dành cho năm {value}, đợt đánh giá này là năm {expected}. Đề nghị đơn vị dùng biểu của năm {expected}.",
    ),
    "wrong-tier": (
        E,
        "Biểu của khối khác",
        'Biểu thuộc khối "{value}" nhưng đơn vị {unit} thuộc khối "{expected}". '
        "Đề nghị đơn vị dùng đúng biểu của khối mình.",
    ),
    "wrong-group": (
        E,
        "Biểu của nhóm khác",
        "Biểu được tạo cho {value}, nhưng đơn vị {unit} {expected}; bộ tiêu chí của mỗi nhóm khác nhau. "
        "Đề nghị đơn vị chấm lại trên đúng biểu của mình.",
    ),
    "form-stale": (
        E,
        "Biểu cũ (bộ tiêu chí đã thay đổi)",
        "Biểu được tạo trước khi bộ tiêu chí thay đổi (mã, điểm tối đa "
        "hoặc cấu trúc tiêu chí khác). Đề nghị đơn vị chấm lại trên biểu mới.",
    ),
    "form-version": (
        W,
        "Phiên bản biểu khác",
        "Biểu có phiên bản {value}, công cụ đang dùng phiên bản {expected}; biểu vẫn được đọc nhưng nên dùng biểu mới.",
    ),
    "unit-unknown": (
        E,
        "Đơn vị không có trong danh sách",
        "Mã đơn vị {unit} không có trong danh sách đơn vị của đợt đánh giá. "
        "Kiểm tra lại danh sách trong egov.toml hoặc đề nghị đơn vị dùng đúng biểu của mình.",
    ),
    "unit-duplicate": (
        E,
        "Một đơn vị gửi nhiều biểu khác nhau",
        "Đơn vị {unit} có {count} biểu khác nhau: {files}. "
        "Giữ lại biểu đúng, chuyển các biểu cũ vào một thư mục con của inbox/ rồi chạy lại.",
    ),
    "unit-duplicate-identical": (
        W,
        "Một biểu được gửi nhiều lần",
        "Đơn vị {unit} gửi {count} tệp giống hệt nhau: {files}; dùng tệp {used}. "
        "Có thể chuyển các bản thừa vào một thư mục con của inbox/.",
    ),
    "file-not-used": (
        W,
        "Tệp không dùng được, đơn vị đã có biểu hợp lệ",
        "Tệp này được xếp cho {unit} nhưng không dùng được ({detail}); {unit} đã có biểu hợp lệ {used} nên tệp "
        "này không được tính. Có thể chuyển tệp vào một thư mục con của inbox/.",
    ),
    "unit-missing": (
        E,
        "Đơn vị chưa nộp biểu",
        "Chưa nhận được biểu của {unit} - {name}{contact}. Liên hệ đơn vị để nhận biểu.",
    ),
    "filename-other-unit": (
        W,
        "Tên tệp là của đơn vị khác",
        "Tên tệp ghi mã {value} nhưng nội dung là biểu của {unit}; "
        "kết quả được tính cho {unit}. Kiểm tra xem đơn vị có gửi nhầm tệp không.",
    ),
    # ---- rows
    "row-missing": (
        E,
        "Thiếu dòng tiêu chí",
        "Biểu không có dòng của tiêu chí {criterion} ({name}). Đề nghị đơn vị không xóa "
        "dòng trong biểu; điền lại trên biểu mẫu gốc.",
    ),
    "row-unexpected": (
        E,
        "Dòng tiêu chí lạ",
        'Dòng {row} có mã "{value}" không có trong bộ tiêu chí. Đề nghị đơn vị không thêm dòng hoặc sửa mã tiêu chí.',
    ),
    "criterion-excluded": (
        E,
        "Tiêu chí không chấm đối với nhóm của đơn vị",
        'Dòng {row} ghi tiêu chí {criterion}, tiêu chí này không chấm đối với nhóm "{group}" của đơn vị {unit}; '
        "điểm ghi ở dòng này không được tính. Đề nghị đơn vị dùng đúng biểu của nhóm mình.",
    ),
    "row-duplicate": (
        E,
        "Dòng tiêu chí bị lặp",
        "Tiêu chí {criterion} xuất hiện nhiều lần (dòng {rows}). "
        "Đề nghị đơn vị xóa dòng thừa, giữ đúng một dòng cho mỗi tiêu chí.",
    ),
    "row-order": (
        W,
        "Thứ tự tiêu chí bị đổi",
        "Tiêu chí {criterion} ở dòng {row} không đúng thứ tự của bộ tiêu chí; điểm "
        "vẫn được đọc theo mã tiêu chí. Đề nghị đơn vị không sắp xếp lại các dòng.",
    ),
    "max-changed": (
        W,
        "Điểm tối đa bị sửa",
        "Ô {cell} ghi điểm tối đa {value} nhưng bộ tiêu chí quy định {expected}; công cụ dùng {expected}.",
    ),
    # ---- scores
    "score-missing": (
        E,
        "Chưa nhập điểm",
        "Chưa nhập điểm tiêu chí {criterion} ở ô {cell}. Nhập điểm từ 0 đến {max} (nhập 0 nếu không đạt).",
    ),
    "form-blank": (
        E,
        "Biểu chưa điền",
        "Biểu chưa điền: không tiêu chí nào có điểm (ô đầu tiên cần nhập là {cell}). Đề nghị đơn vị chấm điểm "
        "vào các ô màu vàng rồi gửi lại biểu.",
    ),
    "score-not-number": (
        E,
        "Điểm không phải là số",
        'Ô {cell} ghi "{value}", không phải là số. Nhập một số từ 0 đến {max}, '
        "ghi giải thích vào cột Tài liệu kiểm chứng / ghi chú.",
    ),
    "score-text-number": (
        W,
        "Điểm nhập dạng chữ",
        'Ô {cell} chứa "{value}" ở dạng chữ; công cụ hiểu là {read}. Nên nhập lại dạng số để tránh nhầm lẫn.',
    ),
    "score-date": (
        E,
        "Điểm bị Excel đổi thành ngày tháng",
        "Ô {cell} chứa ngày {value}: Excel đã đổi số vừa nhập thành ngày "
        '(máy dùng dấu phẩy làm dấu thập phân, nên "4.7" thành ngày 4 tháng 7). Nhập lại điểm với dấu phẩy '
        "(ví dụ 4,7) và định dạng ô là Số.",
    ),
    "score-decimals": (
        E,
        "Điểm có quá nhiều chữ số thập phân",
        "Ô {cell} ghi {value}: điểm chỉ được có tối đa {decimals} chữ số thập phân. Nhập lại điểm tiêu chí "
        "{criterion} từ 0 đến {max}, làm tròn đến {decimals} chữ số thập phân.",
    ),
    "score-negative": (E, "Điểm âm", "Ô {cell} ghi điểm âm ({value}). Điểm tiêu chí {criterion} phải từ 0 đến {max}."),
    "score-above-max": (
        E,
        "Điểm vượt điểm tối đa",
        "Ô {cell} ghi {value} điểm, vượt điểm tối đa {max} của tiêu chí {criterion}. Sửa lại điểm không quá {max}.",
    ),
    "score-no-evidence": (
        W,
        "Thiếu tài liệu kiểm chứng",
        "Tiêu chí {criterion} được chấm {value} điểm nhưng chưa có tài liệu kiểm "
        "chứng hoặc ghi chú ở ô {cell}. Ghi tên, số hiệu tài liệu kiểm chứng hoặc giải thích điểm đã chấm.",
    ),
    "criterion-changed": (
        W,
        "Tiêu chí đã thay đổi so với biểu cũ",
        "Tiêu chí {criterion}: {detail} (ô {cell}).",
    ),
    "cell-formula": (
        E,
        "Ô chứa công thức",
        "Ô chứa công thức {formula}; ô nhập liệu chỉ được chứa giá trị do đơn vị nhập, giá trị công thức không "
        "được dùng. Xóa công thức và nhập trực tiếp giá trị.",
    ),
    "formula-changed": (
        W,
        "Công thức tổng bị sửa",
        "Công thức của ô tổng đã bị sửa ({formula}, biểu gốc là {expected}); điểm được tính lại từ các tiêu chí "
        "thành phần, giá trị của ô này không được dùng.",
    ),
    "capped-parent": (
        W,
        "Tổng điểm thành phần vượt mức trần",
        "Tổng điểm các tiêu chí thành phần của {criterion} là {value}, "
        "vượt mức trần {max}; điểm tiêu chí {criterion} được tính là {max} theo quy định.",
    ),
    "subtotal-mismatch": (
        W,
        "Ô tổng cộng bị ghi đè",
        "Ô {cell} ghi {value} nhưng tổng tính lại từ điểm các tiêu chí thành phần là "
        "{expected}; công cụ dùng {expected}. Ô tổng có thể đã bị gõ đè lên công thức.",
    ),
    "na-not-allowed": (
        E,
        "Đánh dấu không áp dụng sai",
        'Tiêu chí {criterion} được đánh dấu "không áp dụng" ở ô {cell} nhưng '
        "tiêu chí này áp dụng với đơn vị. Bỏ đánh dấu và nhập điểm.",
    ),
    "na-with-score": (
        W,
        "Vừa đánh dấu không áp dụng vừa có điểm",
        'Tiêu chí {criterion} được đánh dấu "không áp dụng" nhưng '
        "ô {cell} vẫn có điểm {value}; điểm này không được tính.",
    ),
    "adjustment-out-of-range": (
        E,
        "Điểm cộng/trừ ngoài giới hạn",
        'Dòng điểm cộng/trừ {criterion} của đơn vị {unit} ở ô {cell} (trang "{sheet}") ghi {value}, ngoài giới hạn từ {min} '
        "đến {max}. Sửa lại cho đúng quy định.",
    ),
    # ---- rule-based criteria: the facts a unit reports, the points the tool computes
    "fact-missing": (
        E,
        "Thiếu kết quả thực hiện",
        "Tiêu chí {criterion} tính điểm theo kết quả thực hiện nhưng ô {cell} ({what}) để trống. Nhập {what}; "
        "điểm được tự tính.",
    ),
    "fact-not-in-list": (
        E,
        "Giá trị không có trong danh sách",
        'Ô {cell} ghi "{value}", không phải một lựa chọn của tiêu chí {criterion}. Chọn một trong: {labels}.',
    ),
    "fact-not-number": (
        E,
        "Kết quả thực hiện không phải số",
        'Ô {cell} ({what}) ghi "{value}", không phải một số. Nhập một số; giải thích ghi ở cột ghi chú.',
    ),
    "fact-text-number": (
        W,
        "Số nhập dạng chữ",
        'Ô {cell} ({what}) ghi số dạng chữ "{value}"; công cụ đọc là {read}. Nên nhập lại dạng số.',
    ),
    "fact-negative": (E, "Kết quả thực hiện âm", "Ô {cell} ({what}) ghi số âm ({value}). Nhập một số từ 0."),
    "fact-not-whole": (
        E,
        "Kết quả thực hiện phải là số nguyên",
        "Ô {cell} ({what}) ghi {value}; tiêu chí {criterion} đếm số nguyên. Nhập một số nguyên từ 0.",
    ),
    "fact-above-total": (
        E,
        "Số a lớn hơn tổng số b",
        "Tiêu chí {criterion}: a = {value} (ô {cell}) lớn hơn b = {total} (ô {total_cell}); tỷ lệ không thể vượt "
        "100%. Kiểm tra lại hai số.",
    ),
    "fact-zero-total": (
        E,
        "Tổng số b bằng 0",
        "Tiêu chí {criterion}: tổng số b ở ô {cell} bằng 0 nên không tính được tỷ lệ, và tiêu chí này áp dụng "
        "với đơn vị. Nhập đúng tổng số.",
    ),
    "rule-points-typed": (
        W,
        "Điểm gõ đè lên ô tự tính",
        "Ô {cell} ghi {value} điểm gõ tay, nhưng điểm tiêu chí {criterion} được tính từ kết quả thực hiện; "
        "công cụ dùng điểm tính được ({points}). Không gõ vào ô điểm của tiêu chí này.",
    ),
}
