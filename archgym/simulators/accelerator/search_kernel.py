"""Compiled temporal-mapping search of the mapper (numba): loop orders, greedy allocation.

For one spatial unrolling, :func:`search_orders` walks loop orders of the temporal loop
factors (all distinct permutations in lexicographic order, or a seeded random sample of
them), allocates each order to the memory hierarchy with :func:`allocate` and costs it
with :func:`.kernel.evaluate_nest`, keeping the best by the objective.

:func:`allocate` is ZigZag's LOMA memory allocator: levels are filled bottom-up; at each
level every operand it holds may take any prefix of its remaining loops whose tile fits,
and the combination (tiles summed over the operands sharing the level) that minimises
the traffic to the level above wins, ties to the later one; the outermost level of an
operand takes all its remaining loops.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from archgym.simulators.accelerator.kernel import (
    IWORK_SIZE,
    MAX_CHAIN,
    OK,
    WORK_SIZE,
    _take,
    capacity_precision,
    evaluate_nest,
    tile_elements,
)

OBJ_ENERGY, OBJ_DELAY, OBJ_EDP = 0, 1, 2


@njit(cache=True)
def _tile_bits(op, level_arch, tcum, spc, cum, layer, zigzag, p):
    for d in range(8):
        cum[d] = tcum[d] * spc[op, level_arch, d]
    return tile_elements(op, cum, layer, zigzag) * p


@njit(cache=True)
def allocate(ldim, lsize, n_loops, layer, arch, spatial, cuts, work, iwork):
    """Allocate the loop order (ldim, lsize) to the levels; fills ``cuts`` (3, MAX_CHAIN).

    Returns False when the order fits no allocation (a tile overflows a level, or the
    outermost level of an operand cannot take its remaining loops). ``work``/``iwork``
    are scratch buffers (:func:`.kernel.scratch`); ``arch`` and ``spatial`` the tuples of
    :func:`.kernel.evaluate_nest`.
    """
    iparams, fparams, _c, chain_len, lvl_cap, lvl_db, _lc, lvl_word, _p, lvl_m = arch[:10]
    lvl_ops, lvl_nops = arch[14], arch[15]
    spc, sp_oir = spatial[1], spatial[7]
    zigzag = iparams[0] == 1
    prec = fparams[2:6]
    n_levels = lvl_cap.shape[0]
    fo = 0
    io = 0
    pos, io = _take(iwork, io, 3)
    n_sizes, io = _take(iwork, io, 3)
    offset, io = _take(iwork, io, 3)
    choice, io = _take(iwork, io, 3)
    tcum, fo = _take(work, fo, 24)
    tcum = tcum.reshape((3, 8))
    tcum[:, :] = 1.0
    cum, fo = _take(work, fo, 8)
    t, fo = _take(work, fo, 8)
    sizes, fo = _take(work, fo, 3 * (n_loops + 1))
    sizes = sizes.reshape((3, n_loops + 1))
    access, fo = _take(work, fo, 3 * (n_loops + 1))
    access = access.reshape((3, n_loops + 1))
    for lv in range(n_levels):
        nops = lvl_nops[lv]
        if nops == 0:
            continue
        cap = lvl_cap[lv]
        for k in range(nops):
            op = lvl_ops[lv, k]
            m = lvl_m[lv, op]
            top = m == chain_len[op] - 1
            start = pos[op]
            p = capacity_precision(
                op, m, chain_len[op], ldim, n_loops, start, sp_oir, prec, lvl_word[lv]
            )
            all_bits = 0.0
            if lvl_db[lv]:
                t[:] = tcum[op]
                for j in range(start, n_loops):
                    t[ldim[j]] *= lsize[j]
                all_bits = _tile_bits(op, m, t, spc, cum, layer, zigzag, p)
            t[:] = tcum[op]
            count = 0
            for i in range(n_loops - start + 1):
                if i > 0:
                    t[ldim[start + i - 1]] *= lsize[start + i - 1]
                bits = _tile_bits(op, m, t, spc, cum, layer, zigzag, p)
                if lvl_db[lv] and start + i < n_loops and bits < all_bits:
                    bits *= 2.0
                if bits > cap:
                    if i == 0:
                        return False
                    break
                sizes[k, count] = bits
                count += 1
            if top:
                if start + count - 1 != n_loops:
                    return False
                sizes[k, 0] = sizes[k, count - 1]
                offset[k] = count - 1
                n_sizes[k] = 1
                access[k, 0] = 0.0
            else:
                offset[k] = 0
                n_sizes[k] = count
                for i in range(count):
                    rest = 1.0
                    for j in range(start + i, n_loops):
                        rest *= lsize[j]
                    access[k, i] = rest * sizes[k, i]
        # the combination of prefixes (last operand fastest) with the least traffic above,
        # ties to the later combination. When the last operand's traffic never grows with
        # its prefix, its best choice for given others is its largest prefix that fits
        # (the same one the full enumeration keeps), so only the others are enumerated.
        last = nops - 1
        monotone = True
        for i in range(1, n_sizes[last]):
            if access[last, i] > access[last, i - 1]:
                monotone = False
                break
        n_comb = 1
        for k in range(nops - 1 if monotone else nops):
            n_comb *= n_sizes[k]
        best = np.inf
        found = False
        for c in range(n_comb):
            rem = c
            total = 0.0
            acc = 0.0
            for k in range(nops - 2 if monotone else nops - 1, -1, -1):
                idx = rem % n_sizes[k]
                rem //= n_sizes[k]
                total += sizes[k, idx]
                acc += access[k, idx]
            pick = -1
            if monotone:
                for i in range(n_sizes[last] - 1, -1, -1):
                    if total + sizes[last, i] <= cap:
                        pick = i
                        break
                if pick < 0:
                    if c == 0:
                        return False
                    continue
                total += sizes[last, pick]
                acc += access[last, pick]
            if total > cap:
                if c == 0:
                    return False
                continue
            if acc <= best:
                best = acc
                found = True
                rem = c
                k0 = nops - 1
                if monotone:
                    choice[last] = pick + offset[last]
                    k0 = nops - 2
                for k in range(k0, -1, -1):
                    choice[k] = rem % n_sizes[k] + offset[k]
                    rem //= n_sizes[k]
        if not found:
            return False
        for k in range(nops):
            op = lvl_ops[lv, k]
            m = lvl_m[lv, op]
            for j in range(pos[op], pos[op] + choice[k]):
                tcum[op, ldim[j]] *= lsize[j]
            pos[op] += choice[k]
            cuts[op, m] = pos[op]
    return True


@njit(cache=True)
def _next_permutation(a, n):
    """Next lexicographic permutation of a[:n] in place; False after the last one."""
    i = n - 2
    while i >= 0 and a[i] >= a[i + 1]:
        i -= 1
    if i < 0:
        return False
    j = n - 1
    while a[j] <= a[i]:
        j -= 1
    a[i], a[j] = a[j], a[i]
    lo, hi = i + 1, n - 1
    while lo < hi:
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1
        hi -= 1
    return True


@njit(cache=True)
def _score(objective, energy, cycles):
    if objective == OBJ_ENERGY:
        return energy, cycles
    if objective == OBJ_DELAY:
        return cycles, energy
    return energy * cycles, cycles


@njit(cache=True)
def _try(order, keys, objective, layer, arch, spatial, buffers, best, best_order, best_cuts):
    """Allocate and cost ``order`` (codes into ``keys`` = (dims, sizes, count)); keep it in
    ``best`` (score, tie-break), ``best_order`` and ``best_cuts`` when it beats them.
    Returns (feasible, improved)."""
    key_dim, key_size, n_keys = keys
    ldim, lsize, cuts, energy, counts, latency, work, iwork = buffers
    for i in range(n_keys):
        ldim[i] = key_dim[order[i]]
        lsize[i] = key_size[order[i]]
    if not allocate(ldim, lsize, n_keys, layer, arch, spatial, cuts, work, iwork):
        return False, False
    status, _over, _which, cycles, _ideal = evaluate_nest(
        ldim, lsize, n_keys, cuts, layer, arch, spatial, energy, counts, latency, work, iwork
    )
    if status != OK:
        return False, False
    s1, s2 = _score(objective, energy.sum(), cycles)
    if s1 < best[0] or (s1 == best[0] and s2 < best[1]):
        best[0] = s1
        best[1] = s2
        for i in range(n_keys):
            best_order[i] = order[i]
        best_cuts[:, :] = cuts
        return True, True
    return True, False


@njit(cache=True)
def search_orders(
    key_dim,
    key_size,
    n_keys,
    exhaustive,
    n_orders,
    seed,
    objective,
    layer,
    arch,
    spatial,
    init_order,
    best_order,
    best_cuts,
):
    """Search loop orders of the factors (key_dim, key_size) sorted by (dim, size).

    ``exhaustive``: every distinct permutation (at most ``n_orders``); else ``n_orders``
    evaluations: ``init_order`` (codes; none when its first entry is negative), half
    seeded random orders, then a hill climb from the best of them over swaps of two
    loops (first improvement, until no swap improves or the budget ends).
    Writes the best order (codes indexing the keys) and its cuts; returns (orders
    evaluated, feasible, best score, best tie-break score).
    """
    n_levels = arch[4].shape[0]
    perm = np.arange(n_keys)
    ldim = np.zeros(max(1, n_keys), dtype=np.int64)
    lsize = np.ones(max(1, n_keys))
    cuts = np.zeros((3, MAX_CHAIN), dtype=np.int64)
    energy = np.zeros(n_levels + 1)
    counts = np.zeros((3, MAX_CHAIN, 4))
    latency = np.zeros(4)
    work = np.zeros(WORK_SIZE)
    iwork = np.zeros(IWORK_SIZE, dtype=np.int64)
    best = np.array([np.inf, np.inf])
    keys = (key_dim, key_size, n_keys)
    buffers = (ldim, lsize, cuts, energy, counts, latency, work, iwork)
    evaluated = 0
    feasible = 0
    np.random.seed(seed)
    # a stable code per key: equal factors of one dim are interchangeable
    code = np.empty(n_keys, dtype=np.int64)
    for i in range(n_keys):
        code[i] = i
        if i > 0 and key_dim[i] == key_dim[i - 1] and key_size[i] == key_size[i - 1]:
            code[i] = code[i - 1]
    order = code.copy()
    n_random = n_orders if exhaustive else max(1, n_orders // 2)
    warm = not exhaustive and n_keys > 0 and init_order[0] >= 0
    while evaluated < n_random:
        if warm and evaluated == 0:
            for i in range(n_keys):
                order[i] = init_order[i]
        elif not exhaustive:
            np.random.shuffle(perm)
            for i in range(n_keys):
                order[i] = code[perm[i]]
        evaluated += 1
        ok, _ = _try(
            order, keys, objective, layer, arch, spatial, buffers, best, best_order, best_cuts
        )
        feasible += ok
        if exhaustive and not _next_permutation(order, n_keys):
            break
    if exhaustive or best[0] == np.inf:
        return evaluated, feasible, best[0], best[1]
    # hill climb over swaps of two loops from the best order found
    current = best_order[:n_keys].copy()
    improved = True
    while improved and evaluated < n_orders:
        improved = False
        for a in range(n_keys - 1):
            for b in range(a + 1, n_keys):
                if current[a] == current[b] or evaluated >= n_orders:
                    continue
                current[a], current[b] = current[b], current[a]
                evaluated += 1
                ok, better = _try(
                    current,
                    keys,
                    objective,
                    layer,
                    arch,
                    spatial,
                    buffers,
                    best,
                    best_order,
                    best_cuts,
                )
                feasible += ok
                if better:
                    improved = True
                else:
                    current[a], current[b] = current[b], current[a]
    return evaluated, feasible, best[0], best[1]
