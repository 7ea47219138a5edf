"""Dataset collection: sample designs of an env, evaluate them across processes, and
return (or write) the rows in the trajectory schema of :class:`TrajectoryRecorder`.

Samplers: ``random`` (uniform feasible designs, without repeats unless the space is
exhausted), ``lhs`` (Latin hypercube on the unit cube) and ``sobol`` (scrambled Sobol'
points), the last two mapped to designs by ``DesignSpace.from_unit``; a quasi-random
point that breaks a constraint is kept as an invalid row (``valid`` False), so the
dataset always has ``n`` rows.

The rows do not depend on ``jobs``: designs are drawn in the parent from the seed,
the env's cache is off (so ``cache_hit`` is always False), and results are recorded in
design order. Only ``eval_time_s`` and ``wall_time`` (measurements) differ between runs.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, DatasetError
from archgym.spaces import Design, DesignSpace

logger = logging.getLogger(__name__)

SAMPLERS = ("random", "lhs", "sobol")

#: Columns that hold measurements rather than results; they differ between identical runs.
TIMING_COLUMNS = ("eval_time_s", "wall_time")

# Per-worker-process env, built once by the pool initializer.
_WORKER_ENV: Any = None


def sample_designs(
    space: DesignSpace, n: int, sampler: str = "random", seed: int | None = 0, unique: bool = True
) -> list[Design]:
    """``n`` designs of ``space`` drawn by ``sampler`` from ``seed``.

    With ``unique`` the random sampler avoids repeats while the space has unseen designs.
    Raises ConfigError for an unknown sampler or n < 1.
    """
    if sampler not in SAMPLERS:
        raise ConfigError(f"sampler {sampler!r} is not one of {', '.join(SAMPLERS)}")
    if isinstance(n, bool) or int(n) < 1:
        raise ConfigError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    rng = np.random.default_rng(seed)
    if sampler == "random":
        if not unique:
            return space.sample(rng, n)
        designs: list[Design] = []
        seen: set = set()
        for _ in range(n):
            design = space.sample_unseen(rng, lambda d: space.key(d) in seen, len(seen))
            seen.add(space.key(design))
            designs.append(design)
        return designs
    import warnings

    from scipy.stats import qmc

    cls = qmc.LatinHypercube if sampler == "lhs" else qmc.Sobol
    try:
        engine = cls(d=len(space), rng=rng)
    except TypeError:  # scipy < 1.15 names the generator ``seed``
        engine = cls(d=len(space), seed=rng)
    with warnings.catch_warnings():
        # Sobol' balance properties need n = 2^k; other n are still valid points.
        warnings.simplefilter("ignore", UserWarning)
        points = engine.random(n)
    return [space.from_unit(point) for point in points]


def _init_worker(env_id: str, env_kwargs: dict[str, Any]) -> None:
    global _WORKER_ENV
    from archgym.envs import make_env

    _WORKER_ENV = make_env(env_id, **env_kwargs)


def _evaluate(env: Any, designs: Sequence[Design]) -> list[tuple[float, dict[str, Any]]]:
    base = env.unwrapped
    out = []
    for design in designs:
        _, reward, _, _, info = base.evaluate_design(design)
        info = {k: v for k, v in info.items() if k != "reward_vector"}
        out.append((float(reward), info))
    return out


def _evaluate_chunk(designs: Sequence[Design]) -> list[tuple[float, dict[str, Any]]]:
    return _evaluate(_WORKER_ENV, designs)


def collect(
    env_id: str,
    n: int,
    *,
    workload: Any = None,
    sampler: str = "random",
    jobs: int = 1,
    seed: int | None = 0,
    env_options: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    unique: bool = True,
    chunk_size: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate ``n`` sampled designs of ``env_id`` and return trajectory rows.

    ``workload`` and ``env_options`` go to ``archgym.envs.make_env``; ``jobs`` worker
    processes evaluate chunks of designs (``jobs=1``: in this process). ``run_id``
    defaults to ``collect-<sampler>-<seed>``. The columns are those of
    :class:`archgym.data.TrajectoryRecorder` (``agent`` is ``sampler:<name>``).
    Raises ConfigError for bad options (unknown env, sampler, jobs < 1).
    """
    from archgym.data.loading import load_trajectories
    from archgym.data.recorder import TrajectoryRecorder
    from archgym.envs import make_env

    if isinstance(jobs, bool) or int(jobs) < 1:
        raise ConfigError(f"jobs must be a positive integer, got {jobs!r}")
    jobs = int(jobs)
    env_kwargs = {"cache_size": 0, **(env_options or {})}
    if workload is not None:
        env_kwargs["workload"] = workload
    env = make_env(env_id, **env_kwargs)
    base = env.unwrapped
    designs = sample_designs(base.design_space, n, sampler, seed, unique)
    run_id = run_id or f"collect-{sampler}-{seed}"
    chunk = int(chunk_size or max(1, min(256, -(-len(designs) // (4 * jobs)))))
    chunks = [designs[i : i + chunk] for i in range(0, len(designs), chunk)]
    bar = _progress(progress, len(designs), f"collect {env_id}")
    results: list[list[tuple[float, dict[str, Any]]] | None] = [None] * len(chunks)
    try:
        if jobs == 1:
            for i, part in enumerate(chunks):
                results[i] = _evaluate(env, part)
                bar.update(len(part))
        else:
            with ProcessPoolExecutor(
                max_workers=jobs, initializer=_init_worker, initargs=(env_id, env_kwargs)
            ) as pool:
                futures = {pool.submit(_evaluate_chunk, part): i for i, part in enumerate(chunks)}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update(len(chunks[futures[future]]))
    finally:
        bar.close()
    hyperparameters = {"sampler": sampler, "n": int(n), "unique": bool(unique)}
    with tempfile.TemporaryDirectory(prefix="archgym-collect-") as tmp:
        recorder = TrajectoryRecorder(
            env,
            tmp,
            run_id=run_id,
            agent=f"sampler:{sampler}",
            hyperparameters=hyperparameters,
            seed=seed,
            flush_every=len(designs) + 1,
        )
        for part in results:
            for reward, info in part or ():
                recorder.record(reward, info)
        recorder.flush()
        data = load_trajectories(tmp)
    env.close()
    return data


def write_dataset(data: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write rows to one Parquet file atomically (temporary name, then rename)."""
    path = Path(path)
    if path.suffix != ".parquet":
        raise DatasetError(f"dataset path {path} must end in .parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    data.to_parquet(temporary, index=False)
    os.replace(temporary, path)
    return path


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(enabled: bool, total: int, desc: str) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="design")
