"""Proxy workflow end to end: collect, train, score, save, search on the proxy, check.

Run: python examples/proxy_workflow.py   (about a minute on 2 cores)

Uses archgym/DRAM-v0 with a short 2,000-request stream trace so that it runs quickly;
the benchmarks (benchmarks/proxy_*.py) do the same at ArchGym's 10,000 requests.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from archgym.agents import make_agent
from archgym.data.collect import collect
from archgym.envs import make_env
from archgym.proxy import holdout_evaluation

ENV_ID = "archgym/DRAM-v0"
OPTIONS = {"workload": "stream", "trace_length": 2_000}


def main() -> None:
    # 1. Collect: 2,000 random unique designs, evaluated by 2 processes.
    data = collect(ENV_ID, 2_000, sampler="random", jobs=2, seed=0, env_options=OPTIONS)
    print(f"collected {len(data)} rows; columns: {', '.join(data.columns[:8])}, ...")

    # 2. Train on 80% and score on the held-out 20%.
    env = make_env(ENV_ID, **OPTIONS)
    result = holdout_evaluation(data, env, ["power_mw", "energy_nj", "latency_ns"])
    print(result.table.round(4).to_string(index=False))

    # 3. Save, then run an env on the proxy.
    folder = Path(tempfile.mkdtemp())
    path = result.model.save(folder / "dram-stream.joblib")
    proxy_env = make_env(ENV_ID, **OPTIONS, cost_model="proxy", proxy=str(path))

    # 4. Search on the proxy, then simulate the best design it found.
    space = proxy_env.unwrapped.design_space
    found = make_agent("random", space, seed=0).run(proxy_env, 300)
    _, reward, _, _, info = env.unwrapped.evaluate_design(found.best_design)
    print(f"proxy's best design: {found.best_design}")
    print(
        f"predicted power {found.best_metrics['power_mw']:.1f} mW, "
        f"simulated {info['metrics']['power_mw']:.1f} mW (target met: {info['target_met']})"
    )


if __name__ == "__main__":
    main()
