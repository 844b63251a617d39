"""The benchmark command keeps working (its figures go in the README; they are not asserted here)."""


def test_bench_runs_and_the_report_agrees_with_the_raw_query(runner):
    result = runner.invoke(args=["bench", "--staff", "300", "--completions", "2000", "--repeats", "1"])
    assert result.exit_code == 0, result.output
    assert "compliance report" in result.output and "My training page" in result.output
