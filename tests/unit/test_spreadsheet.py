from lms.spreadsheet import csv_lines, safe_cell


def test_formula_starts_are_neutralised_and_other_values_kept():
    assert [safe_cell(v) for v in ["=1+1", "+44 20", "-2", "@A1", "\tx", "Riverside", "", 5, None]] == [
        "'=1+1", "'+44 20", "'-2", "'@A1", "'\tx", "Riverside", "", 5, None]


def test_csv_lines_stream_a_header_then_one_line_a_row():
    lines = list(csv_lines(["a", "b"], [{"a": "=x", "b": "1"}, {"a": "y, z", "b": ""}]))
    assert lines == ["a,b\n", "'=x,1\n", '"y, z",\n']
