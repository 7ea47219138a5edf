"""Running a tool: finding its executable, exit status, captured output, no shell."""

from __future__ import annotations

import pytest

from archgym.simulators.external import ToolNotFoundError, ToolOutputError, ToolRunError
from archgym.simulators.external.runner import describe_exit, find_binary, run_command
from tests.simulators.external.standins import write_script


def test_find_binary_follows_option_then_variable_then_path(tmp_path, monkeypatch):
    tool = write_script(tmp_path, "mytool", "print('hi')\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("MYTOOL", str(tool))
    assert find_binary("My tool", tool, ("mytool",), "MYTOOL") == tool
    assert find_binary("My tool", None, ("mytool",), "MYTOOL") == tool
    monkeypatch.delenv("MYTOOL")
    assert find_binary("My tool", None, ("mytool",), "MYTOOL") == tool
    assert find_binary("My tool", "mytool", (), None) == tool


def test_a_missing_or_not_executable_binary_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("MYTOOL", raising=False)
    with pytest.raises(ToolNotFoundError, match=r"looked in PATH \(for mytool\).*\$MYTOOL"):
        find_binary("My tool", None, ("mytool",), "MYTOOL", "v1.2")
    plain = tmp_path / "plain"
    plain.write_text("not executable")
    with pytest.raises(ToolNotFoundError, match="the binary option .*plain.*written against v1.2"):
        find_binary("My tool", plain, ("mytool",), "MYTOOL", "v1.2")


def test_run_command_captures_output_and_exit_status(tmp_path):
    tool = write_script(
        tmp_path, "talk", "import sys\nprint('out', sys.argv[1:])\nsys.exit('bad input')\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    result = run_command([tool, "a b", "$HOME;"], work, timeout_s=30)
    # arguments reach the tool verbatim: no shell in between
    assert result.stdout == "out ['a b', '$HOME;']\n"
    assert result.returncode == 1 and result.tail() == "bad input"
    with pytest.raises(ToolOutputError, match="did not write 'x.json'"):
        result.text("x.json")


def test_a_command_that_cannot_start_is_a_run_error(tmp_path):
    with pytest.raises(ToolRunError, match="could not start"):
        run_command([tmp_path / "nothing-here"], tmp_path, timeout_s=5)


def test_exit_statuses_read_as_words():
    assert describe_exit(2) == "exit status 2"
    assert describe_exit(-11) == "killed by signal SIGSEGV"
