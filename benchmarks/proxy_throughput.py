"""Proxy versus simulator throughput on archgym/DRAM-v0, single and batched.

Run: python benchmarks/proxy_accuracy.py first (it trains and saves the proxies), then
python benchmarks/proxy_throughput.py   (prints a Markdown section)

Times are CPU seconds of this process (time.process_time), so other jobs on the shared
2-core machine inflate them less than wall time would; both sides are measured the
same way on the same designs. "Single" calls ``evaluate(design)`` once per design;
"batch" calls ``evaluate_many`` on the whole list (the simulator's default loops;
the proxy's encodes once and predicts once per metric).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from proxy_common import (
    DATA_DIR,
    PROXY_METRICS,
    TRACE_LENGTH,
    WORKLOADS,
    dram_dataset,
    dram_env,
    machine,
    markdown_table,
)

from archgym.proxy import evaluate_proxy, load_proxy_simulator, train_proxy

N_SIM = 40
N_PROXY_SINGLE = 2_000
N_PROXY_BATCH = 20_000
LONG_TRACE = 100_000
MODELS = {
    "forest, 100 trees": ("random_forest", {}),
    "forest, 20 trees, leaf >= 3": ("random_forest", {"n_estimators": 20, "min_samples_leaf": 3}),
    "single tree": ("decision_tree", {}),
}


def per_design(fn, n: int) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) / n


def sim_time(env, designs) -> tuple[float, float]:
    sim, workload = env.unwrapped.simulator, env.unwrapped.workload
    sim.evaluate(designs[0], workload)  # compile / warm up
    single = per_design(lambda: [sim.evaluate(d, workload) for d in designs], len(designs))
    batch = per_design(lambda: sim.evaluate_many(designs, workload), len(designs))
    return single, batch


def proxy_time(proxy, workload, designs) -> tuple[float, float]:
    proxy.evaluate(designs[0], workload)
    proxy.evaluate_many(designs[:300], workload)
    single = per_design(
        lambda: [proxy.evaluate(d, workload) for d in designs[:N_PROXY_SINGLE]], N_PROXY_SINGLE
    )
    batch = per_design(lambda: proxy.evaluate_many(designs, workload), len(designs))
    return single, batch


def main() -> None:
    print("## Proxy versus simulator throughput on archgym/DRAM-v0\n")
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    print(
        "CPU time per design (process_time). Simulator: the native DRAM model, "
        f"{N_SIM} random designs. Proxy: random-forest proxies of power_mw, energy_nj and "
        f"latency_ns; single = {N_PROXY_SINGLE:,} `evaluate` calls, batch = one "
        f"`evaluate_many` of {N_PROXY_BATCH:,} designs. Each proxy is trained on the first "
        "20,000 rows of the workload's random dataset; its accuracy (RMSE/mean on the other "
        "5,000 rows) is in the last columns.\n"
    )
    rows = []
    rng = np.random.default_rng(7)
    for workload in WORKLOADS:
        env = dram_env(workload)
        space = env.unwrapped.design_space
        designs = space.sample(rng, N_PROXY_BATCH)
        sim_single, sim_batch = sim_time(env, designs[:N_SIM])
        reference = env.unwrapped.simulator
        data = dram_dataset(workload)
        train, test = data.iloc[:20_000], data.iloc[20_000:]
        proxies = {}
        for label, (kind, hp) in MODELS.items():
            model = train_proxy(train, env, list(PROXY_METRICS), model=kind, hyperparameters=hp)
            path = model.save(DATA_DIR / f"proxy-dram-{workload}-{kind}.joblib")
            proxies[label] = load_proxy_simulator(path, reference=reference)

        for label, proxy in proxies.items():
            single, batch = proxy_time(proxy, env.unwrapped.workload, designs)
            table = evaluate_proxy(proxy.model, test).set_index("metric")
            rows.append(
                {
                    "workload": workload,
                    "trace": f"{TRACE_LENGTH:,}",
                    "proxy": label,
                    "sim ms/design": sim_single * 1e3,
                    "sim batch ms/design": sim_batch * 1e3,
                    "proxy single us": single * 1e6,
                    "proxy batch us": batch * 1e6,
                    "speed-up single": sim_single / single,
                    "speed-up batch": sim_batch / batch,
                    "power RMSE/mean %": table.loc["power_mw", "nrmse_mean_pct"],
                    "energy RMSE/mean %": table.loc["energy_nj", "nrmse_mean_pct"],
                    "latency RMSE/mean %": table.loc["latency_ns", "nrmse_mean_pct"],
                }
            )
    print(markdown_table(pd.DataFrame(rows), digits=4))
    print(
        f"\nSimulator time grows with the trace; the proxy's does not. At {LONG_TRACE:,} "
        "requests (same knobs, 10 designs; the proxy's cost per design is the one "
        "measured above):\n"
    )
    long_rows = []
    for workload in ("stream", "random"):
        env = dram_env(workload, LONG_TRACE)
        designs = env.unwrapped.design_space.sample(np.random.default_rng(3), 10)
        single, batch = sim_time(env, designs)
        for label in MODELS:
            proxy = next(r for r in rows if r["workload"] == workload and r["proxy"] == label)
            long_rows.append(
                {
                    "workload": workload,
                    "trace": f"{LONG_TRACE:,}",
                    "proxy": label,
                    "sim batch ms/design": batch * 1e3,
                    "proxy batch us": proxy["proxy batch us"],
                    "speed-up batch": batch / (proxy["proxy batch us"] * 1e-6),
                }
            )
    print(markdown_table(pd.DataFrame(long_rows), digits=4))


if __name__ == "__main__":
    main()
