"""Compiled event loop of the SoC model (numba), over plain arrays.

:func:`run_schedule` simulates one design whose tables :mod:`.model` has built; see
that module for the semantics. Flow slot ``2 * e`` is the read of data edge ``e`` and
slot ``2 * e + 1`` its write. Resources are memories 0..2 and buses 3..5.
"""

from __future__ import annotations

import numpy as np
from numba import njit

REL_EPS = 1e-9
OK = 0
OVERFLOW = 1
STALLED = 2


@njit(cache=True)
def share(active, n_active, flow_res, flow_nres, flow_cap, capacity, rate):
    """Max-min fair rates by progressive filling with per-flow caps.

    ``active[:n_active]`` are flow slots; writes ``rate[slot]`` for each of them.
    """
    n_res = capacity.shape[0]
    left = capacity.copy()
    users = np.zeros(n_res, np.int64)
    frozen = np.zeros(n_active, np.bool_)
    for a in range(n_active):
        f = active[a]
        rate[f] = 0.0
        for k in range(flow_nres[f]):
            users[flow_res[f, k]] += 1
    remaining = n_active
    while remaining > 0:
        inc = np.inf
        for a in range(n_active):
            if not frozen[a]:
                f = active[a]
                if flow_cap[f] - rate[f] < inc:
                    inc = flow_cap[f] - rate[f]
        for r in range(n_res):
            if users[r] > 0 and left[r] / users[r] < inc:
                inc = left[r] / users[r]
        for a in range(n_active):
            if not frozen[a]:
                f = active[a]
                rate[f] += inc
                for k in range(flow_nres[f]):
                    left[flow_res[f, k]] -= inc
        for a in range(n_active):
            if frozen[a]:
                continue
            f = active[a]
            saturated = rate[f] >= flow_cap[f] * (1.0 - REL_EPS)
            if not saturated:
                for k in range(flow_nres[f]):
                    r = flow_res[f, k]
                    if left[r] <= capacity[r] * REL_EPS:
                        saturated = True
                        break
            if saturated:
                frozen[a] = True
                remaining -= 1
                for k in range(flow_nres[f]):
                    users[flow_res[f, k]] -= 1


@njit(cache=True)
def _store(e, t, edge_mem, edge_bytes, live, peak, mem_capacity, overflow):
    """Hold edge ``e``'s bytes in its memory from time ``t`` on, updating ``live`` and
    ``peak``; True, with ``overflow`` filled in, when the memory's capacity is exceeded."""
    m = edge_mem[e]
    live[m] += edge_bytes[e]
    if live[m] > peak[m]:
        peak[m] = live[m]
    if live[m] > mem_capacity[m]:
        overflow[0] = m
        overflow[1] = live[m]
        overflow[2] = t
        return True
    return False


@njit(cache=True)
def _release_successors(i, succ_ptr, succ_idx, waiting, stack, top):
    """Task ``i`` has finished: push the successors it was the last wait of onto ``stack``.

    Returns the new stack height.
    """
    for k in range(succ_ptr[i], succ_ptr[i + 1]):
        c = succ_idx[k]
        waiting[c] -= 1
        if waiting[c] == 0:
            stack[top] = c
            top += 1
    return top


@njit(cache=True)
def run_schedule(
    task_pe,
    task_time,
    rank,
    n_preds,
    succ_ptr,
    succ_idx,
    in_ptr,
    in_idx,
    out_ptr,
    out_idx,
    edge_bytes,
    edge_mem,
    flow_res,
    flow_nres,
    flow_cap,
    capacity,
    cores,
    mem_capacity,
):
    """Simulate one design.

    Returns ``(status, latency_s, start, finish, peak, overflow)`` where ``status`` is
    OK, OVERFLOW (``overflow`` = [memory slot, live bytes, time]) or STALLED.
    """
    n = task_pe.shape[0]
    n_edges = edge_bytes.shape[0]
    n_pe = cores.shape[0]
    n_mem = mem_capacity.shape[0]
    waiting = n_preds.copy()
    is_ready = np.zeros(n, np.bool_)
    pending = np.zeros(n, np.int64)
    compute_end = np.full(n, np.inf)
    free = cores.copy()
    start = np.zeros(n)
    finish = np.full(n, -1.0)
    live = np.zeros(n_mem)
    peak = np.zeros(n_mem)
    overflow = np.zeros(3)
    remaining = np.zeros(2 * n_edges)
    rate = np.zeros(2 * n_edges)
    owner = np.zeros(2 * n_edges, np.int64)
    active = np.zeros(2 * n_edges, np.int64)
    n_active = 0
    stack = np.zeros(n, np.int64)
    n_computing = 0
    done = 0
    t = 0.0
    dirty = True

    # roots become ready at t = 0 (markers finish at once, releasing their successors)
    top = 0
    for i in range(n):
        if waiting[i] == 0:
            stack[top] = i
            top += 1
    while True:
        # drain the ready stack: markers finish now, working tasks queue on their PE
        while top > 0:
            top -= 1
            i = stack[top]
            start[i] = t
            if task_pe[i] >= 0:
                is_ready[i] = True
                continue
            for k in range(out_ptr[i], out_ptr[i + 1]):
                e = out_idx[k]
                if _store(e, t, edge_mem, edge_bytes, live, peak, mem_capacity, overflow):
                    return OVERFLOW, t, start, finish, peak, overflow
            finish[i] = t
            done += 1
            top = _release_successors(i, succ_ptr, succ_idx, waiting, stack, top)

        # start ready tasks on free cores, lowest topological rank first
        for p in range(n_pe):
            while free[p] > 0:
                best = -1
                for i in range(n):
                    if is_ready[i] and task_pe[i] == p and (best < 0 or rank[i] < rank[best]):
                        best = i
                if best < 0:
                    break
                i = best
                is_ready[i] = False
                free[p] -= 1
                start[i] = t
                for k in range(in_ptr[i], in_ptr[i + 1]):
                    f = 2 * in_idx[k]
                    remaining[f] = edge_bytes[in_idx[k]]
                    owner[f] = i
                    active[n_active] = f
                    n_active += 1
                    pending[i] += 1
                    dirty = True
                if pending[i] == 0:
                    compute_end[i] = t + task_time[i]
                    n_computing += 1

        if n_active == 0 and n_computing == 0:
            break
        dt = np.inf
        if n_active > 0:
            if dirty:
                share(active, n_active, flow_res, flow_nres, flow_cap, capacity, rate)
                dirty = False
            for a in range(n_active):
                f = active[a]
                if remaining[f] / rate[f] < dt:
                    dt = remaining[f] / rate[f]
        if n_computing > 0:
            for i in range(n):
                if compute_end[i] - t <= dt:
                    dt = max(compute_end[i] - t, 0.0)
        t += dt

        # flows that finish now
        kept = 0
        for a in range(n_active):
            f = active[a]
            e = f // 2
            remaining[f] -= rate[f] * dt
            if remaining[f] > REL_EPS * edge_bytes[e]:
                active[kept] = f
                kept += 1
                continue
            dirty = True
            i = owner[f]
            pending[i] -= 1
            if f % 2 == 0:  # a read: the buffer is free, the task may compute
                live[edge_mem[e]] -= edge_bytes[e]
                if pending[i] == 0:
                    compute_end[i] = t + task_time[i]
                    n_computing += 1
            elif pending[i] == 0:  # the last write: the task is done
                free[task_pe[i]] += 1
                finish[i] = t
                done += 1
                top = _release_successors(i, succ_ptr, succ_idx, waiting, stack, top)
        n_active = kept

        # computations that finish now start their writes (in rank order)
        while n_computing > 0:
            best = -1
            for i in range(n):
                if compute_end[i] <= t * (1.0 + REL_EPS) and (best < 0 or rank[i] < rank[best]):
                    best = i
            if best < 0:
                break
            i = best
            compute_end[i] = np.inf
            n_computing -= 1
            for k in range(out_ptr[i], out_ptr[i + 1]):
                e = out_idx[k]
                if _store(e, t, edge_mem, edge_bytes, live, peak, mem_capacity, overflow):
                    return OVERFLOW, t, start, finish, peak, overflow
                f = 2 * e + 1
                remaining[f] = edge_bytes[e]
                owner[f] = i
                active[n_active] = f
                n_active += 1
                pending[i] += 1
                dirty = True
            if pending[i] == 0:
                free[task_pe[i]] += 1
                finish[i] = t
                done += 1
                top = _release_successors(i, succ_ptr, succ_idx, waiting, stack, top)

    status = OK if done == n else STALLED
    return status, t, start, finish, peak, overflow
