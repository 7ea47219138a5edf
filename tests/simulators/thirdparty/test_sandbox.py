"""contained_run: private directory, captured output, restored logging, exit -> ToolError."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from archgym.errors import ArchGymError
from archgym.simulators.thirdparty.sandbox import ToolError, contained_run


def test_runs_in_a_private_directory_that_is_removed(tmp_path: Path) -> None:
    cwd = os.getcwd()
    with contained_run("tool") as run:
        assert Path(os.getcwd()).resolve() == run.directory.resolve()
        Path("stray.txt").write_text("left behind")
        (run.directory / "sub").mkdir()
    assert os.getcwd() == cwd
    assert not run.directory.exists()
    assert not Path(cwd, "stray.txt").exists()


def test_output_is_captured_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with contained_run("tool") as run:
        print("progress 50%")
        print("warning!", file=sys.stderr)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert "progress 50%" in run.output and "warning!" in run.output


def test_root_logger_is_restored_after_basic_config() -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    with contained_run("tool"):
        # what zigzag.api does on every call
        logging.basicConfig(level=logging.INFO, force=True)
        assert root.level == logging.INFO
    assert (root.level, list(root.handlers)) == before


def test_tool_loggers_go_to_ours_only(caplog: pytest.LogCaptureFixture) -> None:
    tool_logger = logging.getLogger("fake_tool.stage")
    caplog.set_level(logging.DEBUG, logger="archgym.simulators.thirdparty.sandbox")
    with contained_run("fake", ["fake_tool"]) as run:
        tool_logger.warning("Using default mapping instead")
    assert [r.getMessage() for r in run.log_records] == ["Using default mapping instead"]
    forwarded = [r for r in caplog.records if r.name == "archgym.simulators.thirdparty.sandbox"]
    assert any("Using default mapping instead" in r.getMessage() for r in forwarded)
    assert all(r.name != "fake_tool.stage" for r in caplog.records)
    parent = logging.getLogger("fake_tool")
    assert parent.propagate and parent.handlers == []


def test_exit_becomes_tool_error_with_output() -> None:
    cwd = os.getcwd()
    with (
        pytest.raises(ToolError, match=r"mytool exited .*Config file not found") as info,
        contained_run("mytool"),
    ):
        print("ERROR: Config file not found")
        exit()
    assert isinstance(info.value, ArchGymError)
    assert os.getcwd() == cwd


def test_other_exceptions_pass_through_and_state_is_restored() -> None:
    cwd = os.getcwd()
    root_level = logging.getLogger().level
    with pytest.raises(KeyError), contained_run("tool"):
        logging.getLogger().setLevel(logging.DEBUG)
        raise KeyError("boom")
    assert os.getcwd() == cwd
    assert logging.getLogger().level == root_level


def test_warnings_are_contained(recwarn: pytest.WarningsRecorder) -> None:
    import warnings

    with contained_run("tool"):
        warnings.warn("deprecated numpy call", DeprecationWarning, stacklevel=1)
    assert len(recwarn) == 0
