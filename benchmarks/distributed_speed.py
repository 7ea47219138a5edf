"""Speed of the distributed model: one evaluation of GPT-3 175B on 1,024 NPUs.

Run: python benchmarks/distributed_speed.py [--repeats N]
Prints a Markdown section: best of 5 runs of N evaluations each, for the
simulator's ``evaluate`` (design decoding and checks included), the model alone, and a
gymnasium step with the cache off; and the first evaluation in a fresh process, which
fills the cache of per-dimension collective costs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from archgym.envs.distributed import make_distributed_env, make_distributed_inference_env
from archgym.simulators.distributed import simulate_inference, simulate_training
from archgym.simulators.distributed.space import decode


def best_time(fn, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def designs(env, overrides):
    simulator = env.unwrapped.simulator
    full = simulator.full_design(overrides)
    return {k: full[k] for k in env.unwrapped.design_space.names}


CASES = {
    "ArchGym's layout (dp 8, tp 4, pp 4, sp 8, weights sharded)": {},
    "Megatron-like (dp 16, tp 8, pp 8, interleaved, full recomputation)": {
        "dp": 16,
        "tp": 8,
        "pp": 8,
        "sp": 1,
        "weight_sharded": 0,
        "pipeline_schedule": "interleaved",
        "virtual_stages": 2,
        "activation_recomputation": "full",
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=500)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    start = time.perf_counter()
    env = make_distributed_env(cache_size=0)
    first_design = designs(env, {})
    env.unwrapped.simulator.evaluate(first_design)
    first = time.perf_counter() - start

    print("## Distributed model speed (archgym/Distributed-v0)\n")
    print(
        f"Python {platform.python_version()}, {platform.machine()}; load average {load:.1f} "
        f"(shared 2-core machine); best of 5 runs of {args.repeats} evaluations. GPT-3 175B "
        "(96 layers), global batch 2,048 x 2,048 tokens, ArchGym's 4-D network of 1,024 "
        "NPUs (Ring 4, FullyConnected 8, Ring 4, Switch 8).\n"
    )
    print("| design | evaluate (us) | model only (us) | env.step, cache off (us) |")
    print("|---|---|---|---|")
    simulator = env.unwrapped.simulator
    for label, overrides in CASES.items():
        design = designs(env, overrides)
        network, system, layout = decode(design, simulator.base)
        action = env.unwrapped.encode(design)
        full = best_time(lambda d=design: simulator.evaluate(d), args.repeats)
        core = best_time(
            lambda n=network, s=system, lay=layout: simulate_training(
                simulator.workload, lay, n, s, simulator.device
            ),
            args.repeats,
        )
        step = best_time(lambda a=action: env.step(a), args.repeats)
        print(f"| {label} | {full * 1e6:.0f} | {core * 1e6:.0f} | {step * 1e6:.0f} |")

    serving = make_distributed_inference_env(cache_size=0)
    design = designs(serving, {})
    simulator = serving.unwrapped.simulator
    network, system, layout = decode(design, simulator.base)
    full = best_time(lambda: simulator.evaluate(design), args.repeats)
    core = best_time(
        lambda: simulate_inference(simulator.workload, layout, network, system, simulator.device),
        args.repeats,
    )
    print(
        f"\nServing (archgym/DistributedInference-v0, GPT-3 175B, ArchGym's QA scenario, "
        f"dp 64, tp 4, pp 4): evaluate {full * 1e6:.0f} us, model only {core * 1e6:.0f} us."
    )
    print(
        f"\nFirst evaluation in a fresh process, building the env included: {first * 1e3:.0f} ms "
        "(routing each algorithm's traffic once per dimension shape; cached afterwards)."
    )


if __name__ == "__main__":
    main()
