#!/usr/bin/env python3
"""cachesim: a command-line LRU cache simulator, standing in for "your simulator binary".

    cachesim.py --config cache.ini --trace trace.txt --out stats.json

``cache.ini`` has a ``[cache]`` section with ``size_kib``, ``ways`` and ``line_bytes``;
the trace has one hexadecimal byte address a line. The statistics go to ``--out`` as
JSON: ``{"cache": {"accesses", "misses", "miss_rate", "area_mm2"}}``. A cache too small
for its ways exits with status 2 and an ``error:`` line on stderr. It uses only the
standard library, like a binary with no dependencies (docs/custom-env.md, example 2).
"""

import argparse
import configparser
import json
import math
import sys
from collections import OrderedDict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--trace", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ini = configparser.ConfigParser()
    ini.read(args.config)
    cache = ini["cache"]
    size_kib, ways, line = (int(cache[k]) for k in ("size_kib", "ways", "line_bytes"))
    sets = size_kib * 1024 // (ways * line)
    if sets < 1:
        print(
            f"error: a {size_kib} KiB cache does not fit {ways} ways of {line} B lines",
            file=sys.stderr,
        )
        return 2
    lines = [OrderedDict() for _ in range(sets)]
    accesses = misses = 0
    with open(args.trace) as trace:
        for text in trace:
            block = int(text, 16) // line
            entries = lines[block % sets]
            accesses += 1
            if block in entries:
                entries.move_to_end(block)
            else:
                misses += 1
                entries[block] = True
                if len(entries) > ways:
                    entries.popitem(last=False)
    # area grows with capacity and, through the tag comparators, with associativity
    area = 0.01 * size_kib * (1 + 0.05 * math.log2(ways))
    stats = {
        "accesses": accesses,
        "misses": misses,
        "miss_rate": misses / accesses,
        "area_mm2": area,
    }
    with open(args.out, "w") as out:
        json.dump({"cache": stats}, out)
    print(f"{accesses} accesses, {misses} misses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
