"""The FARSI database reader with one of its tables replaced by random or mutated bytes."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import WorkloadError
from archgym.simulators.soc.farsi import load_farsi_workload
from archgym.simulators.soc.taskgraph import TaskGraph
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated

TABLES = [
    "Task_Data_Movement",
    "Task_PE_Performance",
    "Task_PE_Energy",
    "Task_PE_Area",
    "Task_Itr_Count",
    "Budget",
]


@pytest.mark.parametrize("table", TABLES)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_farsi_table(shared_data, tmp_path, table, data):
    folder = tmp_path / "farsi"
    if not folder.is_dir():
        folder.mkdir()
        for source in (shared_data / "soc/farsi_workloads").glob("audio_decoder_database__*"):
            shutil.copy(source, folder / source.name)
    original = shared_data / f"soc/farsi_workloads/audio_decoder_database__{table}.csv"
    (folder / original.name).write_bytes(data.draw(mutated(original.read_bytes())))
    graph = check_reader(load_farsi_workload, folder / "audio_decoder", WorkloadError, "farsi")
    assert graph is None or isinstance(graph, TaskGraph)


def test_binary_table_names_file_and_line(shared_data, tmp_path):
    for source in (shared_data / "soc/farsi_workloads").glob("audio_decoder_database__*"):
        shutil.copy(source, tmp_path / source.name)
    table = tmp_path / "audio_decoder_database__Task_PE_Performance.csv"
    lines = table.read_bytes().splitlines(keepends=True)
    table.write_bytes(b"".join(lines[:3]) + b"\xff\xfe junk\n" + b"".join(lines[3:]))
    with pytest.raises(WorkloadError, match=rf"{table}:4: byte 0xff at column 1 is not UTF-8"):
        load_farsi_workload(tmp_path / "audio_decoder")


def test_negative_cycles_name_the_row(shared_data, tmp_path):
    for source in (shared_data / "soc/farsi_workloads").glob("audio_decoder_database__*"):
        shutil.copy(source, tmp_path / source.name)
    table = tmp_path / "audio_decoder_database__Task_PE_Performance.csv"
    lines = table.read_text().splitlines()
    cells = lines[2].split(",")
    cells[1] = "-508"
    lines[2] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(WorkloadError, match=rf"{table}:3: column .A53. -508 is out of range"):
        load_farsi_workload(tmp_path / "audio_decoder")
