"""CommandLineSimulator with a stand-in tool: rendering, parsing, failures, caching, parallelism."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import archgym
from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.external import (
    CommandLineSimulator,
    ToolOutputError,
    ToolRunError,
    ToolTimeoutError,
    json_values,
)
from tests.simulators.external.standins import write_script

TOOL = r"""
import json, os, signal, subprocess, sys, time
config = dict(line.split("=", 1) for line in open(sys.argv[1]).read().split())
x, mode = int(config["x"]), config["mode"]
if "COUNTER" in os.environ:
    with open(os.environ["COUNTER"], "a") as counter:
        counter.write(f"{x}\n")
print("simulating x =", x)
if mode == "crash":
    print("fatal: the model diverged", file=sys.stderr)
    sys.exit(3)
if mode == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "reject":
    print("error: x is not supported by this tool", file=sys.stderr)
    sys.exit(2)
if mode == "sleep":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    open("child.pid", "w").write(str(child.pid))
    time.sleep(60)
if mode == "garbage":
    open("out.json", "w").write("{not json")
    sys.exit(0)
stats = {"y": x * x} if mode == "partial" else {"y": x * x, "z": x + 1}
info = {"my_var": os.environ.get("MY_VAR"), "tmpdir": os.environ["TMPDIR"], "cwd": os.getcwd()}
json.dump({"stats": stats, "info": info}, open("out.json", "w"))
"""

MODES = ("ok", "crash", "segv", "reject", "sleep", "garbage", "partial")


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_script(tmp_path_factory.mktemp("tool"), "square", TOOL)


def make(tool: Path, work_root: Path, **options) -> CommandLineSimulator:
    declarations = {
        "name": "square",
        "design_space": archgym.DesignSpace(
            [archgym.Integer("x", 0, 9), archgym.Categorical("mode", MODES)]
        ),
        "metric_specs": [archgym.MetricSpec("y", "1"), archgym.MetricSpec("z", "1")],
        "inputs": {"config.txt": "x=$x\nmode=${mode}\n"},
        "command": ["config.txt"],
        "parser": json_values("out.json", {"y": "stats.y", "z": "stats.z"}),
        "rejections": [r"not supported by this tool"],
        "work_root": work_root,
    }
    return CommandLineSimulator(tool, **{**declarations, **options})


def kept_directories(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name.startswith("archgym-square-"))


def test_templates_fill_the_inputs_and_the_parser_reads_the_output(tool, tmp_path):
    simulator = make(tool, tmp_path, keep_work_dirs="all")
    assert simulator.evaluate({"x": 3, "mode": "ok"}, None) == {"y": 9.0, "z": 4.0}
    (directory,) = kept_directories(tmp_path)
    assert (directory / "config.txt").read_text() == "x=3\nmode=ok\n"
    assert simulator.command_line({"x": 3, "mode": "ok"}, None) == [str(tool), "config.txt"]


def test_a_successful_run_leaves_nothing_behind(tool, tmp_path):
    make(tool, tmp_path).evaluate({"x": 2, "mode": "ok"}, None)
    assert kept_directories(tmp_path) == []


def test_each_run_has_its_own_directory_environment_and_tmpdir(tool, tmp_path):
    simulator = make(tool, tmp_path, keep_work_dirs="all", environment={"MY_VAR": "hello"})
    simulator.evaluate({"x": 1, "mode": "ok"}, None)
    simulator.evaluate({"x": 1, "mode": "ok"}, None)
    first, second = kept_directories(tmp_path)
    import json

    info = json.loads((first / "out.json").read_text())["info"]
    assert info == {"my_var": "hello", "tmpdir": str(first), "cwd": str(first.resolve())}
    assert json.loads((second / "out.json").read_text())["info"]["cwd"] == str(second.resolve())


def test_a_crash_names_design_command_and_stderr_and_keeps_the_directory(tool, tmp_path):
    with pytest.raises(ToolRunError) as caught:
        make(tool, tmp_path).evaluate({"x": 4, "mode": "crash"}, None)
    error = caught.value
    message = str(error)
    assert "square failed on design {x=4, mode='crash'}: exit status 3" in message
    assert f"command: {tool} config.txt" in message
    assert "fatal: the model diverged" in message
    (directory,) = kept_directories(tmp_path)
    assert error.directory == directory and str(directory) in message
    assert {"command.txt", "stdout.txt", "stderr.txt", "config.txt"} <= {
        p.name for p in directory.iterdir()
    }
    assert f"{tool} config.txt" in (directory / "command.txt").read_text()
    assert (directory / "stdout.txt").read_text() == "simulating x = 4\n"


def test_a_signal_is_reported_by_name(tool, tmp_path):
    with pytest.raises(ToolRunError, match="killed by signal SIGSEGV"):
        make(tool, tmp_path).evaluate({"x": 1, "mode": "segv"}, None)


def test_garbage_and_incomplete_output_are_output_errors(tool, tmp_path):
    simulator = make(tool, tmp_path)
    with pytest.raises(ToolOutputError, match="out.json: not valid JSON"):
        simulator.evaluate({"x": 1, "mode": "garbage"}, None)
    with pytest.raises(ToolOutputError, match=r"no 'stats.z'"):
        simulator.evaluate({"x": 1, "mode": "partial"}, None)


def test_a_parser_that_forgets_a_metric_is_an_output_error(tool, tmp_path):
    simulator = make(tool, tmp_path, parser=json_values("out.json", {"y": "stats.y"}))
    with pytest.raises(ToolOutputError, match="the parser returned no value for z"):
        simulator.evaluate({"x": 1, "mode": "ok"}, None)


def test_a_rejected_design_is_infeasible_not_a_failure(tool, tmp_path):
    simulator = make(tool, tmp_path)
    with pytest.raises(InvalidDesignError, match="square rejected the design: error: x is not"):
        simulator.evaluate({"x": 5, "mode": "reject"}, None)
    assert kept_directories(tmp_path) == []
    env = archgym.DesignEnv(simulator, None, "min: y")
    _, reward, _, _, info = env.evaluate_design({"x": 5, "mode": "reject"})
    assert not info["valid"] and "not supported" in info["invalid_reason"]
    assert reward == env.invalid_reward


def test_a_timeout_kills_the_tool_and_what_it_started(tool, tmp_path):
    with pytest.raises(ToolTimeoutError, match="timed out after 1 s") as caught:
        make(tool, tmp_path, timeout_s=1.0).evaluate({"x": 1, "mode": "sleep"}, None)
    child = int((caught.value.directory / "child.pid").read_text())
    # SIGKILL went to the whole process group: the grandchild is gone (or a zombie)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_keep_work_dirs_none_deletes_even_failed_runs(tool, tmp_path):
    with pytest.raises(ToolRunError, match=r"deleted: keep_work_dirs=none"):
        make(tool, tmp_path, keep_work_dirs="none").evaluate({"x": 1, "mode": "crash"}, None)
    assert kept_directories(tmp_path) == []


def test_a_template_with_an_unknown_placeholder_names_it(tool, tmp_path):
    simulator = make(tool, tmp_path, inputs={"config.txt": "x=$x\nsize=$size\n"})
    with pytest.raises(ConfigError, match=r"uses \$size, which is neither a knob"):
        simulator.evaluate({"x": 1, "mode": "ok"}, None)


def test_results_go_through_the_env_cache(tool, tmp_path, monkeypatch):
    counter = tmp_path / "runs.txt"
    simulator = make(tool, tmp_path, environment={"COUNTER": str(counter)})
    env = archgym.DesignEnv(simulator, "w", "min: y")
    for _ in range(3):
        _, _, _, _, info = env.evaluate_design({"x": 3, "mode": "ok"})
    assert info["evaluation"].cache_hit and info["metrics"] == {"y": 9.0, "z": 4.0}
    assert counter.read_text() == "3\n"


def test_parallel_runs_do_not_interfere(tool, tmp_path):
    counter = tmp_path / "runs.txt"
    simulator = make(tool, tmp_path, jobs=4, environment={"COUNTER": str(counter)})
    designs = [{"x": x, "mode": "ok"} for x in range(8)]
    results = simulator.evaluate_many(designs + [{"x": 9, "mode": "reject"}], None)
    assert results[:8] == [{"y": float(x * x), "z": float(x + 1)} for x in range(8)]
    assert isinstance(results[8], InvalidDesignError)
    assert sorted(counter.read_text().split()) == [str(x) for x in (*range(8), 9)]
    assert kept_directories(tmp_path) == []


def test_two_sweeps_in_one_checkout_share_nothing(tool, tmp_path):
    # two simulators (two sweeps) on the same work root, running at the same time
    outputs: dict[int, list] = {}

    def sweep(k: int) -> None:
        simulator = make(tool, tmp_path)
        outputs[k] = [simulator.evaluate({"x": x, "mode": "ok"}, None)["y"] for x in range(5)]

    threads = [threading.Thread(target=sweep, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outputs == {0: [0, 1, 4, 9, 16], 1: [0, 1, 4, 9, 16]}
    assert not os.listdir(tmp_path)


def test_bad_options_are_config_errors(tool, tmp_path):
    with pytest.raises(ConfigError, match="timeout_s must be positive"):
        make(tool, tmp_path, timeout_s=0)
    with pytest.raises(ConfigError, match="keep_work_dirs 'some'"):
        make(tool, tmp_path, keep_work_dirs="some")
    with pytest.raises(ConfigError, match="jobs must be a positive integer"):
        make(tool, tmp_path, jobs=0)
    with pytest.raises(ConfigError, match="no executable given; pass binary="):
        CommandLineSimulator(name="mine")
