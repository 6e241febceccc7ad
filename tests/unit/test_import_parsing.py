"""Reading import files: encodings, header names in either language, row checks."""

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from timebank.errors import ValidationError
from timebank.io.headers import CONTRIBUTIONS, MEMBERS, map_headers
from timebank.io.readers import detect_encoding, open_source
from timebank.io.rows import contribution_record, member_record
from timebank.io.writers import Table, write_csv, write_xlsx

ROWS = "编号,姓名,电话\nm1,张三明,13800000001\nm2,王五,\n"


def read_all(path, **kwargs):
    with open_source(path, **kwargs) as source:
        return source.headers, list(source.rows())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_a_csv_file_is_read_in_whatever_encoding_excel_saved_it(tmp_path, encoding):
    path = tmp_path / "members.csv"
    path.write_bytes(ROWS.encode(encoding))
    headers, rows = read_all(path)
    assert headers == ["编号", "姓名", "电话"]
    assert rows == [(2, ["m1", "张三明", "13800000001"]), (3, ["m2", "王五", ""])]


def test_gbk_bytes_are_not_mistaken_for_utf8():
    assert detect_encoding("张三明".encode("gbk")) == "gb18030"
    assert detect_encoding("张三明".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfcode") == "utf-8-sig"


def test_a_file_that_changes_encoding_after_the_sample_names_the_row(tmp_path):
    path = tmp_path / "mixed.csv"
    body = "code,name\n" + "".join(f"m{i},name{i}\n" for i in range(120_000))
    path.write_bytes(body.encode() + "m-last,张三\n".encode("gbk"))
    with pytest.raises(ValidationError, match=r"row 120002: the file is not valid utf-8"):
        read_all(path)


def test_blank_lines_are_skipped_but_row_numbers_stay_as_the_spreadsheet_shows(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("code,name\n\nm1,A\n,\nm2,B\n", encoding="utf-8")
    assert read_all(path)[1] == [(3, ["m1", "A"]), (5, ["m2", "B"])]


def test_a_semicolon_separated_export_is_understood(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("code;name\nm1;A\n", encoding="utf-8")
    assert read_all(path) == (["code", "name"], [(2, ["m1", "A"])])


def test_an_xlsx_file_is_streamed_with_typed_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["成员编号", "规则", "数量", "日期"])
    sheet.append([1001, "study", 2, datetime(2024, 3, 15)])
    sheet.append([None, None, None, None])
    sheet.append(["m2", "duty", 1.0, "2024-03-16"])
    book.save(tmp_path / "c.xlsx")
    headers, rows = read_all(tmp_path / "c.xlsx")
    assert headers == ["成员编号", "规则", "数量", "日期"]
    assert [n for n, _ in rows] == [2, 4]


def test_a_file_that_is_not_a_workbook_is_refused_clearly(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ValidationError, match="not a readable XLSX"):
        open_source(path)


def test_an_unknown_extension_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match=r"expected a \.csv or \.xlsx"):
        open_source(__file__)
    with pytest.raises(ValidationError, match="no such file"):
        open_source(tmp_path / "nope.csv")


def test_header_names_are_accepted_in_english_or_chinese_in_any_case_and_spacing():
    hmap = map_headers(CONTRIBUTIONS, ["Member", "积分规则", "Occurred On", "备注", "extra"])
    assert hmap.positions == {"member": 0, "rule": 1, "occurred_on": 2, "note": 3}
    assert hmap.missing == ()
    assert hmap.ignored == ("extra",)


def test_missing_and_doubled_columns_are_reported():
    hmap = map_headers(MEMBERS, ["编号", "code", "phone"])
    assert hmap.missing == ("name",)
    assert hmap.duplicated == ("code",)


def parse_member(values, headers=("code", "name", "phone", "roles", "unit")):
    return member_record(MEMBERS, map_headers(MEMBERS, headers), 2, values, "en")


def test_a_member_row_becomes_a_record_with_roles_in_either_language():
    record, problems = parse_member(["m1", "张三明", "138 0000 0001", "党员、volunteer", "b1"])
    assert problems == []
    assert record.roles == ("party_member", "volunteer")
    assert record.unit == "b1"


def test_a_member_row_without_roles_is_a_resident():
    record, _ = parse_member(["m1", "张三明", "", "", ""])
    assert record.roles == ("resident",)
    assert record.phone is None


def test_every_bad_cell_of_a_member_row_is_named_by_row_and_column():
    record, problems = parse_member(["", "", "call me", "Boss!", ""])
    assert record is None
    assert [(p.row, p.column) for p in problems] == [
        (2, "code"), (2, "name"), (2, "phone"), (2, "roles")]


def parse_contribution(values, headers=("member", "rule", "quantity", "date", "note")):
    return contribution_record(CONTRIBUTIONS, map_headers(CONTRIBUTIONS, headers), 7,
                               values, "sjhy", "zh")


def test_a_contribution_row_accepts_the_dates_workers_type():
    for typed in ["2024-03-15", "2024/3/15", "2024年3月15日", date(2024, 3, 15),
                  datetime(2024, 3, 15, 9, 0)]:
        record, problems = parse_contribution(["m1", "study", "2", typed, ""])
        assert problems == [], typed
        assert record.occurred_on == date(2024, 3, 15)
        assert record.quantity == "2"


def test_a_contribution_quantity_may_be_hours_with_a_fraction_or_left_to_the_rule():
    assert parse_contribution(["m1", "patrol", "1.50", "2024-03-15", ""])[0].quantity == "1.5"
    assert parse_contribution(["m1", "patrol", "10", "2024-03-15", ""])[0].quantity == "10"
    assert parse_contribution(["m1", "study", "", "2024-03-15", ""])[0].quantity is None


def test_bad_contribution_cells_are_reported_in_the_workers_language():
    _, problems = parse_contribution(["m1", "", "-1", "2024-02-30", ""])
    assert [(p.row, p.column) for p in problems] == [(7, "规则"), (7, "数量"), (7, "日期")]


def test_a_timed_contribution_needs_both_ends_in_order():
    headers = ("member", "rule", "start", "end")
    _, problems = parse_contribution(["m1", "patrol", "2024-03-15 10:00", ""], headers)
    assert [p.column for p in problems] == ["结束时间"]
    _, problems = parse_contribution(
        ["m1", "patrol", "2024-03-15 10:00", "2024-03-15 09:00"], headers)
    assert problems[0].message == "结束时间早于开始时间"  # the column's language, not half English
    record, problems = parse_contribution(
        ["m1", "patrol", "2024-03-15 09:00", "2024-03-15 12:00"], headers)
    assert problems == [] and record.started_at == datetime(2024, 3, 15, 9)


def test_the_same_row_content_always_gets_the_same_key_and_an_explicit_key_wins():
    first, _ = parse_contribution(["m1", "study", "1", "2024-03-15", "学习日"])
    again, _ = parse_contribution(["m1", "study", "1", "2024-03-15", "学习日"])
    other, _ = parse_contribution(["m1", "study", "1", "2024-03-16", "学习日"])
    assert first.key == again.key != other.key
    keyed, _ = parse_contribution(["m1", "study", "1", "2024-03-15", "x"],
                                  ("member", "rule", "quantity", "date", "key"))
    assert keyed.key == "import:x"


def test_a_written_csv_opens_in_excel_with_chinese_headers(tmp_path):
    table = Table("t", (("member", "成员"), ("points", "积分")), iter([("m1", 3)]))
    assert write_csv(table, tmp_path / "t.csv") == 1
    data = (tmp_path / "t.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["成员,积分", "m1,3"]


def test_a_written_xlsx_reads_back(tmp_path):
    table = Table("月报: 2024/03", (("member", "成员"), ("points", "积分")),
                  iter([("m1", 3), ("m2", 5)]))
    write_xlsx(table, tmp_path / "t.xlsx", lang="en")
    headers, rows = read_all(tmp_path / "t.xlsx")
    assert headers == ["member", "points"]
    assert [v for _, v in rows] == [["m1", 3], ["m2", 5]]
