"""Shared command line of the agent examples: ``--budget``, ``--seed`` and ``--workload``."""

from __future__ import annotations

import argparse

from archgym.agents import SearchResult


def parse(description: str, budget: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--budget", type=int, default=budget, help="simulator evaluations")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workload", default="stream", help="stream, random, cloud-1 or cloud-2")
    return parser.parse_args()


def report(title: str, result: SearchResult) -> None:
    print(f"{title}: {result.evaluations} evaluations in {result.wall_time_s:.1f} s")
    reached = result.evaluations_to_target()
    print(f"  target met after {reached} evaluations" if reached else "  target not met")
    print(f"  best reward {result.best_reward:.4g}")
    for knob, value in result.best_design.items():
        print(f"  {knob:22s} {value}")
    for metric in ("power_mw", "latency_ns", "energy_nj"):
        if metric in result.best_metrics:
            print(f"  {metric:22s} {result.best_metrics[metric]:.4g}")
