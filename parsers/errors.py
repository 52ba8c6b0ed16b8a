"""The one exception `parsers/` raises: a stable English code and a Chinese message.

Callers show `message` to the person who submitted the file and keep `code` for
machines (API responses, the store, batch reports). Nothing else escapes a parser:
`parsers.parse_bytes` turns any unexpected failure into `corrupt_file`.
"""

from __future__ import annotations


class ParseError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message

    def __str__(self) -> str:  # one line, Chinese message with the code in brackets
        return f"{self.message} [{self.code}]"


# Codes and their default messages. Readers may pass a more specific message.
MESSAGES: dict[str, str] = {
    "not_a_form": "未找到风险点表格:文件中没有可识别的廉政风险点表格",
    "unsupported_format": "不支持的文件格式:请上传 Word(.docx/.doc/.wps)、Excel(.xlsx/.xls/.et)、PDF 文件,或表格的扫描件、照片(.jpg/.png/.tif/.gif/.webp)",
    "corrupt_file": "文件已损坏或不完整,无法读取",
    "encrypted": "文件已加密(设有打开密码),请取消密码后重新上传",
    "macro_enabled": "文件包含宏,出于安全原因不予处理,请另存为不含宏的格式后上传",
    "too_large": "文件过大,超出允许的大小",
    "zip_bomb": "文件解压后体积异常(疑似压缩炸弹),已拒绝处理",
    "unsafe_xml": "文件包含不安全的 XML 内容(外部实体),已拒绝处理",
    "scanned_pdf": "该 PDF 为扫描件(没有文字层),暂无法识别,请上传 Word/Excel 原件",
    "libreoffice_missing": "需要安装LibreOffice才能读取旧版 .doc/.xls/.wps/.et 文件,请联系管理员或另存为 .docx/.xlsx 后上传",
    "conversion_failed": "旧版文件转换失败,请另存为 .docx/.xlsx 后重新上传",
    "timeout": "文件处理超时,文件可能过于复杂或已损坏",
    "empty_file": "文件为空",
    "ocr_failed": "扫描件识别失败,请上传更清晰的扫描件或原件",
    "too_many_pages": "文件页数过多,超出允许的页数",
    "image_too_large": "图片尺寸过大,超出允许的像素数",
    "out_of_memory": "内存不足:处理该文件所需的内存超出了允许的上限,请拆分文件(扫描件可降低分辨率)后重新上传",
}

# How an allocation failure inside a C/C++ library reaches Python: onnxruntime's std::bad_alloc
# and failed buffer allocations, OpenCV's "Insufficient memory".
_NO_MEMORY = ("bad_alloc", "failed to allocate", "insufficient memory", "out of memory", "cannot allocate memory")


def out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` is an allocation failure: MemoryError, or a library's own word for it."""
    return isinstance(exc, MemoryError) or any(words in str(exc).lower() for words in _NO_MEMORY)


def fail(code: str, message: str | None = None) -> ParseError:
    """Build the error for `code`, with its default Chinese message unless one is given."""
    return ParseError(code, message or MESSAGES[code])
