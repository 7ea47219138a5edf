"""Reader for FARSI's workload database, as CSV exported from its spreadsheets.

A FARSI database for workload ``W`` is a set of CSV files in one directory, named
``W_database - <Table>.csv`` (FARSI's own export) or ``W_database__<Table_>.csv``
(spaces as underscores, as ArchGym's copy names them). Tables read here:

* ``Task Data Movement`` (required): a square matrix; the header's first cell is a
  label, the other cells name every task; row ``p``, column ``c`` holds the bytes
  task ``p`` sends to task ``c`` (empty = no edge; self edges are ignored as FARSI does).
* ``Task PE Performance`` (required): one row per task; column ``A53`` holds its cycles
  on the reference core (an A53 at 1 GHz), the first accelerator column (``IP0``)
  its cycles on its accelerator IP at the IP clock (100 MHz). Empty = cannot run there.
* ``Task PE Energy`` and ``Task PE Area`` (required when any task has an IP): the IP's
  energy per execution and area, in FARSI's units: femtojoules and square micrometres
  (FARSI's parser scales them by 1e-15 J and 1e-12 m2).
* ``Task Itr Count`` (optional): the loop trip count per task (default 1), the largest
  unroll factor of the task's IP.

How FARSI itself turns these into time, energy and area (Project_FARSI,
``specs/parse_libraries/parse_library.py``; facts only, no code taken):

* ``gen_task_graph_work_dict``: a task's work is its A53 cycles / Freq x dhrystone_IPC
  x Freq = cycles x 2 instructions; a GPP's work rate is Freq x IPC, so a task takes
  ``cycles / 1 GHz`` on the A53, and costs work / Inst_per_joul (42.5 pJ per cycle).
* ``parse_hardware_library``: an IP's time for one run is its cycles / 100 MHz
  (``deduce_IPs`` fixes every IP at 100 MHz). ``gen_loop_itr_range`` spawns one IP
  variant per unroll factor L: with ArchGym's knobs (geometric, incr 2, max_spawn_ip
  17) L is 1, 2, 4, ..., 2^15 below the trip count, plus the trip count itself. The
  variant's work rate is L x ip_freq x work / time (time / L at ``ip_freq`` x the
  nominal clock, ip_freq in [1, 4, 6, 8]); its work_over_energy and one_over_area are
  divided by L, so a run costs L x energy x 1e-15 J and the IP takes L x area x 1e-12
  m2 (``krnel.Kernel.calc_energy_consumed`` and ``update_pe_size``).
* ``gen_correction_values``: energy and area are scaled by ``tech_node_SF``; ArchGym's
  FARSIEnv (``set_env``) passes energy x 0.064 and area x 0.0374 for non-GPP blocks,
  which this reader applies to the IP figures by default (``ip_energy_scale`` and
  ``ip_area_scale``; pass 1.0 for the database's raw values).
* ``Budget`` (optional), or ``misc_database - Budget`` in the same directory: the row
  whose ``Workload`` is ``W`` gives the latency budget in seconds.

Tasks with no work anywhere (``souurce``, ``siink``, ``dummy_last``) become markers.
A malformed cell raises WorkloadError naming the file, the line and the column; a row
naming a task that is not in the data-movement table (e.g. ``source`` for ``souurce``
in hpvm_cava's iteration counts) is logged as a warning and ignored, as FARSI does.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from pathlib import Path

from archgym.errors import ConfigError, WorkloadError
from archgym.parsing import errors_at, parse_float, read_text
from archgym.simulators.soc.taskgraph import AcceleratorIP, Edge, Task, TaskGraph

logger = logging.getLogger(__name__)

#: FARSI's reference general-purpose core column.
GPP_COLUMN = "A53"
# FARSI parse_library.py (as bundled by ArchGym): IP energy x 1e-15 J, IP area x 1e-12 m2.
FARSI_ENERGY_UNIT_J = 1e-15
FARSI_AREA_UNIT_MM2 = 1e-6
# ArchGym FARSIEnv.set_env tech_node_SF: energy non_gpp 0.064, area non_mem 0.0374
# (FARSI gen_correction_values divides work_over_energy / work_over_area by them).
ARCHGYM_IP_ENERGY_SCALE = 0.064
ARCHGYM_IP_AREA_SCALE = 0.0374

_TABLES = {
    "movement": "Task Data Movement",
    "performance": "Task PE Performance",
    "energy": "Task PE Energy",
    "area": "Task PE Area",
    "iterations": "Task Itr Count",
    "budget": "Budget",
}


def load_farsi_workload(
    path: str | Path,
    workload: str | None = None,
    *,
    energy_unit_j: float = FARSI_ENERGY_UNIT_J,
    area_unit_mm2: float = FARSI_AREA_UNIT_MM2,
    ip_energy_scale: float = ARCHGYM_IP_ENERGY_SCALE,
    ip_area_scale: float = ARCHGYM_IP_AREA_SCALE,
) -> TaskGraph:
    """Load a FARSI database into a :class:`TaskGraph`.

    ``path`` is one of: the database directory (then ``workload`` names the workload),
    one of the workload's CSV files, or the directory joined with the workload name
    (``.../farsi_workloads/audio_decoder``). IP energy (J per run of the un-unrolled
    IP) is the table's value x ``energy_unit_j`` x ``ip_energy_scale``, IP area (mm2
    per copy) the table's value x ``area_unit_mm2`` x ``ip_area_scale``; IPs follow
    FARSI's convention that unrolling L times costs L x the energy. Raises
    WorkloadError when a required file is missing or malformed, ConfigError for a
    non-positive unit or scale.
    """
    for what, value in (
        ("energy_unit_j", energy_unit_j),
        ("area_unit_mm2", area_unit_mm2),
        ("ip_energy_scale", ip_energy_scale),
        ("ip_area_scale", ip_area_scale),
    ):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ConfigError(f"load_farsi_workload: {what} must be a number > 0, got {value!r}")
    energy_factor = energy_unit_j * ip_energy_scale
    area_factor = area_unit_mm2 * ip_area_scale
    directory, name = _locate(Path(path), workload)
    movement_file = _require(directory, name, "movement")
    perf_file = _require(directory, name, "performance")

    task_names, edges = _read_movement(movement_file)
    perf_header, perf_rows = _read_table(perf_file)
    if GPP_COLUMN not in perf_header:
        raise WorkloadError(
            f"{perf_file}:1: expected a column {GPP_COLUMN!r} (the reference core); "
            f"found {', '.join(perf_header) or 'no columns'}"
        )
    ip_columns = [c for c in perf_header if c != GPP_COLUMN]
    ip_column = "IP0" if "IP0" in ip_columns else (ip_columns[0] if ip_columns else None)
    if len(ip_columns) > 1:
        logger.info(
            "%s: using accelerator column %s, ignoring %s",
            perf_file,
            ip_column,
            ", ".join(c for c in ip_columns if c != ip_column),
        )
    perf = _by_task(perf_file, perf_rows, task_names)

    energy: dict[str, tuple[int, dict[str, str]]] = {}
    area: dict[str, tuple[int, dict[str, str]]] = {}
    needs_ip = ip_column is not None and any(
        perf.get(t, (0, {}))[1].get(ip_column, "") for t in task_names
    )
    energy_file = _find(directory, name, "energy")
    area_file = _find(directory, name, "area")
    if needs_ip:
        for table, found in (("energy", energy_file), ("area", area_file)):
            if found is None:
                raise WorkloadError(
                    f"FARSI workload {name!r} in {directory}: tasks have accelerator IPs "
                    f"but the {_TABLES[table]!r} table is missing"
                )
        energy = _by_task(energy_file, _read_table(energy_file)[1], task_names)
        area = _by_task(area_file, _read_table(area_file)[1], task_names)

    iterations: dict[str, int] = {}
    itr_file = _find(directory, name, "iterations")
    if itr_file is not None:
        itr_header, itr_rows = _read_table(itr_file)
        if not itr_header:
            raise WorkloadError(f"{itr_file}:1: expected a column of iteration counts")
        column = "number of iterations" if "number of iterations" in itr_header else itr_header[0]
        for task, (line, row) in _by_task(itr_file, itr_rows, task_names).items():
            value = _number(itr_file, line, column, row.get(column, ""))
            if value is None or value < 1 or value != int(value):
                raise WorkloadError(
                    f"{itr_file}:{line}: column {column!r}: expected an integer >= 1, "
                    f"got {row.get(column, '')!r}"
                )
            iterations[task] = int(value)

    tasks = []
    for task in task_names:
        if task not in perf:
            raise WorkloadError(f"{perf_file}: no row for task {task!r}")
        line, row = perf[task]
        gpp = _number(perf_file, line, GPP_COLUMN, row.get(GPP_COLUMN, ""), minimum=0.0)
        ip = None
        if ip_column is not None:
            ip_cycles = _number(perf_file, line, ip_column, row.get(ip_column, ""), minimum=0.0)
            if ip_cycles is not None:
                ip = AcceleratorIP(
                    cycles=ip_cycles,
                    energy_j=_ip_value(energy_file, energy, task, ip_column) * energy_factor,
                    area_mm2=_ip_value(area_file, area, task, ip_column) * area_factor,
                    energy_scales_with_unroll=True,
                )
        tasks.append(Task(task, gpp, iterations.get(task, 1), ip))

    with errors_at(f"FARSI database {directory / name}"):  # graph checks name no file
        return TaskGraph(
            name=name,
            tasks=tuple(tasks),
            edges=tuple(edges),
            latency_budget_s=_budget(directory, name),
            description=f"FARSI database {directory / name}",
        )


def _locate(path: Path, workload: str | None) -> tuple[Path, str]:
    if path.is_dir():
        if workload is None:
            raise WorkloadError(
                f"{path} is a directory: name the workload (e.g. 'audio_decoder') or give "
                "the path of one of its CSV files"
            )
        return path, workload
    if path.is_file():
        stem = path.name
        for sep in ("_database - ", "_database__"):
            if sep in stem:
                return path.parent, workload or stem.split(sep)[0]
        raise WorkloadError(
            f"{path}: not a FARSI database file (expected '<workload>_database - <Table>.csv' "
            "or '<workload>_database__<Table>.csv')"
        )
    if path.parent.is_dir() and _find(path.parent, path.name, "movement") is not None:
        return path.parent, path.name
    raise WorkloadError(
        f"no FARSI database at {path}: expected a directory, one of its CSV files, or "
        "<directory>/<workload> with <workload>_database__Task_Data_Movement.csv inside"
    )


def _find(directory: Path, workload: str, table: str) -> Path | None:
    title = _TABLES[table]
    for candidate in (
        directory / f"{workload}_database - {title}.csv",
        directory / f"{workload}_database__{title.replace(' ', '_')}.csv",
    ):
        if candidate.is_file():
            return candidate
    return None


def _require(directory: Path, workload: str, table: str) -> Path:
    found = _find(directory, workload, table)
    if found is None:
        raise WorkloadError(
            f"FARSI workload {workload!r} in {directory}: missing table {_TABLES[table]!r} "
            f"({workload}_database__{_TABLES[table].replace(' ', '_')}.csv)"
        )
    return found


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, str, dict[str, str]]]]:
    """Header (without the label cell) and rows as (line, name, {column: cell})."""
    text = read_text(path, "FARSI database CSV")
    try:
        with io.StringIO(text, newline="") as handle:
            reader = csv.reader(handle)
            rows = []
            header: list[str] | None = None
            for cells in reader:
                line = reader.line_num
                cells = [c.strip() for c in cells]
                if not any(cells):
                    continue
                if header is None:
                    header = cells[1:]
                    continue
                if len(cells) > len(header) + 1 and any(cells[len(header) + 1 :]):
                    raise WorkloadError(
                        f"{path}:{line}: {len(cells)} cells but the header has {len(header) + 1}"
                    )
                values = dict(zip(header, cells[1:], strict=False))
                rows.append((line, cells[0], values))
    except csv.Error as error:
        raise WorkloadError(f"{path}: not a readable CSV file: {error}") from error
    if header is None:
        raise WorkloadError(f"{path}: empty file, expected a header row")
    return header, rows


def _by_task(
    path: Path, rows: list[tuple[int, str, dict[str, str]]], tasks: list[str]
) -> dict[str, tuple[int, dict[str, str]]]:
    known = set(tasks)
    result: dict[str, tuple[int, dict[str, str]]] = {}
    for line, name, values in rows:
        if name not in known:
            logger.warning("%s:%d: task %r is not in the task graph; row ignored", path, line, name)
            continue
        if name in result:
            raise WorkloadError(
                f"{path}:{line}: task {name!r} already has a row (line {result[name][0]})"
            )
        result[name] = (line, values)
    return result


def _read_movement(path: Path) -> tuple[list[str], list[Edge]]:
    header, rows = _read_table(path)
    tasks = [c for c in header if c]
    if len(set(tasks)) != len(tasks):
        raise WorkloadError(f"{path}:1: a task name appears twice in the header")
    known = set(tasks)
    edges = []
    seen: dict[str, int] = {}
    for line, producer, values in rows:
        if producer not in known:
            raise WorkloadError(
                f"{path}:{line}: row {producer!r} is not a task of the header ({', '.join(tasks)})"
            )
        if producer in seen:
            raise WorkloadError(f"{path}:{line}: task {producer!r} already has a row")
        seen[producer] = line
        for consumer in tasks:
            value = _number(path, line, consumer, values.get(consumer, ""))
            if value is None or consumer == producer:
                continue
            if value < 0:
                raise WorkloadError(
                    f"{path}:{line}: column {consumer!r}: bytes must be >= 0, got {value}"
                )
            edges.append(Edge(producer, consumer, value))
    return tasks, edges


def _number(
    path: Path | None, line: int, column: str, cell: str, minimum: float | None = None
) -> float | None:
    if cell == "":
        return None
    return parse_float(cell, f"{path}:{line}", f"column {column!r}", minimum=minimum)


def _ip_value(
    path: Path | None, table: dict[str, tuple[int, dict[str, str]]], task: str, column: str
) -> float:
    if task not in table:
        raise WorkloadError(f"{path}: task {task!r} has an accelerator IP but no row here")
    line, row = table[task]
    value = _number(path, line, column, row.get(column, ""))
    if value is None or value < 0:
        raise WorkloadError(
            f"{path}:{line}: column {column!r}: task {task!r} has an accelerator IP, "
            f"expected a number >= 0, got {row.get(column, '')!r}"
        )
    return value


def _budget(directory: Path, workload: str) -> float | None:
    candidates = [_find(directory, workload, "budget"), _find(directory, "misc", "budget")]
    for path in candidates:
        if path is None:
            continue
        header, rows = _read_table(path)
        if "latency" not in header:
            continue
        for line, name, values in rows:
            if name == workload:
                latency = _number(path, line, "latency", values.get("latency", ""))
                if latency is not None:
                    return latency
    return None
