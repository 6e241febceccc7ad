"""Telling a CSV file's encoding on what it says, not on whether its bytes happen to decode:
a short GBK text can be valid UTF-8 (``磨`` in GBK is the UTF-8 of ``ĥ``)."""

import pytest

from timebank.errors import ValidationError
from timebank.io.readers import detect_encoding, open_source


def test_a_gbk_name_that_is_also_valid_utf8_is_read_as_gbk():
    assert "磨".encode("gbk").decode("utf-8") == "ĥ"  # the trap itself
    assert detect_encoding("code,name\nm9,磨\n".encode("gbk")) == "gb18030"


def test_utf8_chinese_that_gbk_would_also_decode_stays_utf8():
    for text in ("王芳", "社区", "code,name\nm1,张三\n"):
        assert detect_encoding(text.encode()) == "utf-8"


def test_a_tiny_gbk_file_keeps_its_characters(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_bytes("code,name\nm9,磨\n".encode("gbk"))
    with open_source(path) as source:
        assert source.encoding == "gb18030"
        assert list(source.rows()) == [(2, ["m9", "磨"])]


def test_a_file_that_reads_as_two_things_is_refused_naming_it(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes("code,name\nm9,José\n".encode())  # C3 A9: é in UTF-8, 茅 in GBK
    with pytest.raises(ValidationError) as refused:
        open_source(path)
    assert "名单.csv" in str(refused.value) and refused.value.details["field"] == "encoding"


def test_naming_the_encoding_reads_an_ambiguous_file(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes("code,name\nm9,José\n".encode())
    with open_source(path, encoding="utf-8") as source:
        assert list(source.rows()) == [(2, ["m9", "José"])]


def test_bytes_no_encoding_decodes_are_refused_naming_the_file():
    with pytest.raises(ValidationError, match=r"roster\.csv"):
        detect_encoding(b"code\n\x80\xff\x80", name="roster.csv")
