"""A search on the proxy env, its best design re-simulated, against the same search on
the simulator.

Run: python benchmarks/proxy_accuracy.py first (it saves the proxies), then
python benchmarks/proxy_search.py   (prints a Markdown section)

DRAM-v0, workload cloud-1 (10,000-request trace). The genetic agent (default
hyperparameters) runs 500 evaluations with seeds 0-2 on the simulator env and on the
proxy env (``cost_model="proxy"``). Objectives: "energy" (minimise energy_nj) and
"power_latency" (ArchGym's power <= 1 W with latency <= 50 ns, as a distance to target).
The proxy run's best design is then simulated; the gap is its simulated reward against
the best reward of the simulator run (and, for energy, the relative energy gap).
"""

from __future__ import annotations

import time

import pandas as pd
from proxy_common import DATA_DIR, dram_env, machine, markdown_table

from archgym.agents import make_agent

WORKLOAD = "cloud-1"
SEEDS = (0, 1, 2)
#: (agent, budget): the genetic agent converges; random search at a small budget does not.
RUNS = (("ga", 500), ("random", 100))


def main() -> None:
    print("## Search on the proxy env versus the simulator (DRAM-v0)\n")
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    print(
        f"Agents (defaults) and budgets {list(RUNS)}, seeds {list(SEEDS)}, workload "
        f"{WORKLOAD}, 10,000-request trace, proxy: random forest (100 trees) trained on "
        "20,000 designs. 'proxy best, simulated' is the simulator's verdict on the proxy "
        "run's best design; reward gap = sim best reward - that.\n"
    )
    proxy_path = str(DATA_DIR / f"proxy-dram-{WORKLOAD}.joblib")
    rows = []
    for objective, (agent, budget), seed in (
        (o, r, s) for o in ("energy", "power_latency") for r in RUNS for s in SEEDS
    ):
        sim_env = dram_env(WORKLOAD, objective=objective)
        proxy_env = dram_env(WORKLOAD, objective=objective, cost_model="proxy", proxy=proxy_path)
        space = sim_env.unwrapped.design_space
        start = time.perf_counter()
        on_sim = make_agent(agent, space, seed=seed).run(sim_env, budget)
        sim_s = time.perf_counter() - start
        start = time.perf_counter()
        on_proxy = make_agent(agent, space, seed=seed).run(proxy_env, budget)
        proxy_s = time.perf_counter() - start
        _, resim_reward, _, _, info = sim_env.unwrapped.evaluate_design(on_proxy.best_design)
        row = {
            "objective": objective,
            "agent": agent,
            "budget": budget,
            "seed": seed,
            "sim best reward": on_sim.best_reward,
            "proxy best reward (predicted)": on_proxy.best_reward,
            "proxy best, simulated": resim_reward,
            "reward gap": on_sim.best_reward - resim_reward,
            "same design": on_proxy.best_design == on_sim.best_design,
            "sim target met": on_sim.target_met,
            "proxy best meets target (simulated)": bool(info["target_met"]),
            "sim run s": sim_s,
            "proxy run s": proxy_s,
        }
        if objective == "energy":
            row["energy gap %"] = 100 * (
                info["metrics"]["energy_nj"] / on_sim.best_metrics["energy_nj"] - 1
            )
        rows.append(row)
    print(markdown_table(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
