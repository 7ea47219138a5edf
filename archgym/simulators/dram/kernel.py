"""The compiled event loop of the memory controller (numba, plain arrays and integers).

One channel: ranks x bank groups x banks share one command bus (one command a cycle)
and one data bus. The loop jumps from event to event (request acceptance, refresh
interval boundary, earliest issuable command) instead of stepping every cycle; at
each command slot it issues, among the commands whose timing constraints are met
earliest, the one serving the oldest request (refresh first), which is what a
cycle-by-cycle controller with an "oldest first" command multiplexer does.

The request path: the initiator offers requests in trace order (at most
MaxActiveTransactions without a response); the controller accepts a read into its
transaction queue and a write into its write buffer (posted: the write is
acknowledged on acceptance). From there requests move, oldest first, into the
scheduler buffer (RequestBufferSize entries, organised per SchedulerBuffer) as it has
room: reads normally, writes while the controller is in write mode. Write mode starts
when the write buffer holds WriteHighWatermark writes, or when no read is waiting; it
ends when the buffer is down to WriteLowWatermark writes and a read waits (or when it
is empty). So writes reach the DRAM in batches and the bus turns around per batch.

Inputs are built by :mod:`archgym.simulators.dram.simulator`; the index constants
below name the entries of the ``timing``, ``config`` and ``stats`` arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# timing[] entries (clock cycles)
T_RL, T_WL, T_BURST, T_RCD, T_RP, T_RAS, T_RC = 0, 1, 2, 3, 4, 5, 6
T_CCD_S, T_CCD_L, T_RRD_S, T_RRD_L, T_FAW, T_WR = 7, 8, 9, 10, 11, 12
T_WTR_S, T_WTR_L, T_RTP, T_RFC, T_REFI = 13, 14, 15, 16, 17
T_XP, T_CKE, T_RTRS, T_RTW = 18, 19, 20, 21
T_RP_AB, T_RFC_PB, T_REFI_PB = 22, 23, 24
N_TIMING = 25

# config[] entries
C_PAGE, C_SCHED, C_BUF, C_BUFSIZE, C_RESP_REORDER, C_REFRESH = 0, 1, 2, 3, 4, 5
C_POSTPONE, C_PULLIN, C_ARBITER, C_MAT, C_POWERDOWN = 6, 7, 8, 9, 10
C_RANKS, C_GROUPS, C_BANKS_PER_GROUP = 11, 12, 13
C_TRANS_QUEUE, C_WRITE_BUFFER, C_WRITE_HIGH, C_WRITE_LOW, C_CMD_MUX = 14, 15, 16, 17, 18
N_CONFIG = 19

# encodings of the categorical knobs
PAGE_OPEN, PAGE_OPEN_ADAPTIVE, PAGE_CLOSED, PAGE_CLOSED_ADAPTIVE = 0, 1, 2, 3
SCHED_FIFO, SCHED_FRFCFS, SCHED_FRFCFS_GRP = 0, 1, 2
BUF_BANKWISE, BUF_READWRITE, BUF_SHARED = 0, 1, 2
ARB_SIMPLE, ARB_FIFO, ARB_REORDER = 0, 1, 2
MUX_OLDEST, MUX_ROUND_ROBIN = 0, 1

# stats[] entries
S_END, S_ACT, S_PRE, S_RD, S_WR, S_REF, S_HITS, S_COLS = 0, 1, 2, 3, 4, 5, 6, 7
S_CYC_ACT, S_CYC_PRE, S_CYC_ACT_PD, S_CYC_PRE_PD, S_PD_ENTRIES, S_ERROR = 8, 9, 10, 11, 12, 13
S_LOG_LEN, S_EVENTS, S_REF_PB = 14, 15, 16
S_WRITE_DRAINS, S_TURNAROUNDS, S_REORDERED = 17, 18, 19
N_STATS = 20

# command kinds
CMD_NONE, CMD_ACT, CMD_PRE, CMD_RD, CMD_WR, CMD_PREA, CMD_REF, CMD_REFPB = 0, 1, 2, 3, 4, 5, 6, 7
REFRESH_NONE, REFRESH_ALL_BANK, REFRESH_PER_BANK = 0, 1, 2

INF = np.int64(1) << 62


@njit(cache=True, inline="always")
def _heap_push(heap, size, value):
    i = size
    heap[i] = value
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= heap[i]:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    return size + 1


@njit(cache=True, inline="always")
def _heap_pop(heap, size):
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap[left + 1] < heap[left]:
            child = left + 1
        if heap[i] <= heap[child]:
            break
        heap[i], heap[child] = heap[child], heap[i]
        i = child
    return size


@njit(cache=True, inline="always")
def _has_room(buf_org, bank_len, buf_reads, buf_writes, buf_size, w):
    """Whether the scheduler buffer takes one more request of direction ``w``."""
    if buf_org == BUF_BANKWISE:
        return bank_len < buf_size
    if buf_org == BUF_READWRITE:
        return (buf_writes if w else buf_reads) < buf_size
    return buf_reads + buf_writes < buf_size


@njit(cache=True, inline="always")
def _push_wait(wait, head, count, k, q):
    """Append request ``q`` to waiting ring ``k``."""
    pos = head[k] + count[k]
    if pos >= wait.shape[1]:
        pos -= wait.shape[1]
    wait[k, pos] = q
    count[k] += 1


@njit(cache=True, inline="always")
def _pop_wait(wait, head, count, k):
    """Remove and return the oldest request of waiting ring ``k``."""
    q = wait[k, head[k]]
    head[k] += 1
    if head[k] == wait.shape[1]:
        head[k] = 0
    count[k] -= 1
    return q


@njit(cache=True, inline="always")
def _respond(q, d, last_deliver, serial, response, heap, heap_size, sim_end):
    """Deliver request ``q``'s response no earlier than cycle ``d`` (one each ``serial``
    cycles); the heap of delivery times (empty when nothing can be throttled) tracks the
    initiator's outstanding requests. Returns (last_deliver, heap_size, sim_end)."""
    if last_deliver + serial > d:
        d = last_deliver + serial
    response[q] = d
    if heap.shape[0] > 0:
        heap_size = _heap_push(heap, heap_size, d)
    if d > sim_end:
        sim_end = d
    return d, heap_size, sim_end


@njit(cache=True, error_model="numpy", inline="always")
def _flush_background(rank, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc):
    """Advance rank ``rank``'s background accounting to cycle ``t``, applying bank closes.

    ``next_close[rank]`` is a lower bound of the rank's pending close times (INF: none).
    """
    if next_close[rank] > t:
        if t > last_t[rank]:
            acc[rank, 0 if n_open[rank] > 0 else 1] += t - last_t[rank]
            last_t[rank] = t
        return
    while True:
        best = INF
        best_b = -2
        for b in range(rank * bpr, (rank + 1) * bpr):
            if close_t[b] >= 0 and close_t[b] < best:
                best = close_t[b]
                best_b = b
        if ref_close[rank] >= 0 and ref_close[rank] < best:
            best = ref_close[rank]
            best_b = -1
        if best > t:
            next_close[rank] = best
            break
        if best > last_t[rank]:
            acc[rank, 0 if n_open[rank] > 0 else 1] += best - last_t[rank]
            last_t[rank] = best
        n_open[rank] -= 1
        if best_b == -1:
            ref_close[rank] = -1
        else:
            close_t[best_b] = -1
    if t > last_t[rank]:
        acc[rank, 0 if n_open[rank] > 0 else 1] += t - last_t[rank]
        last_t[rank] = t


@njit(cache=True, error_model="numpy")
def _book_powerdown(rank, t, idle_since, bpr, close_t, ref_close, next_close, n_open, last_t, acc):
    """Book rank ``rank``'s power-down from ``idle_since[rank]`` up to cycle ``t``.

    Bank closes due before the rank went down are applied first; the power-down period
    counts as active or precharged power-down by whether a bank is still open.
    """
    _flush_background(
        rank, idle_since[rank], bpr, close_t, ref_close, next_close, n_open, last_t, acc
    )
    acc[rank, 2 if n_open[rank] > 0 else 3] += t - idle_since[rank]
    last_t[rank] = t


@njit(cache=True, error_model="numpy")
def simulate_channel(
    arrival, bank, row, is_write, timing, config, response, accepted, service, stats, log
):
    """Run one channel over the requests in trace order.

    ``arrival`` int64 cycles (non-decreasing); ``bank`` int64 flat bank index
    ``(rank * groups + group) * banks_per_group + bank``; ``row`` int64; ``is_write``
    bool. Writes, per request i, ``response[i]`` (cycle the initiator receives the read
    data or the write acknowledgement), ``accepted[i]`` (cycle the controller accepted
    it) and ``service[i]`` (cycles from the first DRAM command issued for it to the end
    of its data burst), all int64, and ``stats`` (see the S_* constants). The first
    ``len(log)`` commands are recorded in ``log`` (int64, shape (m, 4)) as (cycle, CMD_*,
    bank or rank, request or -1); pass an empty array to record nothing. Returns 0, or 1
    on deadlock.
    """
    n = arrival.shape[0]
    RL = timing[T_RL]
    WL = timing[T_WL]
    BURST = timing[T_BURST]
    tRCD = timing[T_RCD]
    tRP = timing[T_RP]
    tRP_AB = timing[T_RP_AB]
    tRAS = timing[T_RAS]
    tRC = timing[T_RC]
    tCCD_S = timing[T_CCD_S]
    tCCD_L = timing[T_CCD_L]
    tRRD_S = timing[T_RRD_S]
    tRRD_L = timing[T_RRD_L]
    tFAW = timing[T_FAW]
    tWR = timing[T_WR]
    tWTR_S = timing[T_WTR_S]
    tWTR_L = timing[T_WTR_L]
    tRTP = timing[T_RTP]
    tRFC = timing[T_RFC]
    tREFI = timing[T_REFI]
    tXP = timing[T_XP]
    tCKE = timing[T_CKE]
    tRTRS = timing[T_RTRS]
    tRTW = timing[T_RTW]

    page = config[C_PAGE]
    sched = config[C_SCHED]
    buf_org = config[C_BUF]
    buf_size = config[C_BUFSIZE]
    in_order = config[C_RESP_REORDER] != 0 or config[C_ARBITER] == ARB_REORDER
    refresh_on = config[C_REFRESH] != REFRESH_NONE
    per_bank = config[C_REFRESH] == REFRESH_PER_BANK
    if per_bank:
        # Per-bank refresh: every tREFIpb the rank's next bank (round robin) owes a
        # REFpb that blocks only that bank for tRFCpb.
        tREFI = timing[T_REFI_PB]
        tRFC = timing[T_RFC_PB]
    max_postponed = config[C_POSTPONE]
    max_pulledin = config[C_PULLIN]
    arbiter = config[C_ARBITER]
    mat = config[C_MAT]
    powerdown = config[C_POWERDOWN] != 0
    ranks = config[C_RANKS]
    groups = config[C_GROUPS]
    bpg = config[C_BANKS_PER_GROUP]
    bpr = groups * bpg
    nb = ranks * bpr
    ng = ranks * groups
    # Arbiter Fifo/Reorder: one request a cycle each way, one cycle of arbitration each way.
    fw = 0 if arbiter == ARB_SIMPLE else 1
    serial = fw
    # Transaction queue (reads) and write buffer (posted writes), oldest first.
    trans_size = config[C_TRANS_QUEUE]
    write_size = config[C_WRITE_BUFFER]
    write_high = config[C_WRITE_HIGH]
    write_low = config[C_WRITE_LOW]
    # Waiting requests live in rings, oldest first: one per direction and bank with a
    # Bankwise buffer (whose banks fill independently), else one per direction (ring
    # index: direction * banks + bank, or direction * banks). Only the ring of a freed
    # bank, or all rings when the write mode flips, need looking at.
    bankwise = buf_org == BUF_BANKWISE
    wait = np.empty((2 * nb, max(trans_size, write_size)), dtype=np.int64)
    wait_head = np.zeros(2 * nb, dtype=np.int64)
    wait_count = np.zeros(2 * nb, dtype=np.int64)
    read_len = 0  # reads waiting in the transaction queue
    write_len = 0  # writes waiting in the write buffer
    write_mode = False
    freed = -1  # the bank whose column command freed a buffer slot

    # Scheduler buffer: per-bank queues in arrival order.
    if buf_org == BUF_BANKWISE:
        qcap = buf_size
    elif buf_org == BUF_READWRITE:
        qcap = 2 * buf_size
    else:
        qcap = buf_size
    queue = np.empty((nb, qcap), dtype=np.int64)
    qlen = np.zeros(nb, dtype=np.int64)
    buf_reads = 0
    buf_writes = 0
    # The scheduler's choice per bank, recomputed only when its queue or open row changes.
    cand_k = np.zeros(nb, dtype=np.int64)
    cand_q = np.zeros(nb, dtype=np.int64)
    cand_cmd = np.zeros(nb, dtype=np.int64)
    cand_local = np.zeros(nb, dtype=np.int64)
    dirty = np.ones(nb, dtype=np.bool_)
    gtab = np.zeros(ng * 5, dtype=np.int64)  # [group * 5 + command kind]
    stale_act = np.ones(ranks, dtype=np.bool_)  # a rank's ACT (and all) entries changed
    stale_col = True  # every group's RD and WR entries changed (the data bus moved)
    stale_any = True
    gbase = (np.arange(nb) // bpg) * 5
    cand_g = gbase.copy()  # gtab index of each bank's candidate command
    cand_t = np.zeros(nb, dtype=np.int64)  # earliest cycle of each bank's candidate
    # Candidates are ranked by one integer: (cycle << shift) | (tie + 1), refresh 0, so
    # the earliest command wins and, within a cycle, refresh, then the oldest request
    # (CmdMux Oldest) or the next bank after the last one served (RoundRobin).
    shift = np.int64(1)
    while (np.int64(1) << shift) <= max(n, nb) + 1:
        shift += 1
    never = INF >> shift  # the candidate cycle of a bank with nothing to issue
    round_robin = config[C_CMD_MUX] == MUX_ROUND_ROBIN
    rr_bank = nb - 1
    bank_mask = nb - 1  # nb is a power of two (MemSpec checks ranks, groups and banks)
    held = np.zeros(nb, dtype=np.bool_)  # a committed refresh holds the bank

    # Bank state
    open_row = np.full(nb, -1, dtype=np.int64)
    fresh = np.zeros(nb, dtype=np.bool_)
    t_act_ok = np.zeros(nb, dtype=np.int64)
    t_pre_ok = np.zeros(nb, dtype=np.int64)
    t_col_ok = np.zeros(nb, dtype=np.int64)
    close_t = np.full(nb, -1, dtype=np.int64)
    # Bank-group state
    t_rd_bg = np.zeros(ng, dtype=np.int64)
    t_wr_bg = np.zeros(ng, dtype=np.int64)
    t_act_bg = np.zeros(ng, dtype=np.int64)
    # Rank state
    t_rd_rank = np.zeros(ranks, dtype=np.int64)
    t_wr_rank = np.zeros(ranks, dtype=np.int64)
    t_act_rank = np.zeros(ranks, dtype=np.int64)
    faw = np.full((ranks, 4), -INF, dtype=np.int64)
    faw_pos = np.zeros(ranks, dtype=np.int64)
    ref_done = np.zeros(ranks, dtype=np.int64)
    ref_offset = np.zeros(ranks, dtype=np.int64)
    for r in range(ranks):
        ref_offset[r] = r * tREFI // ranks
    pend_rank = np.zeros(ranks, dtype=np.int64)
    idle_since = np.full(ranks, -1, dtype=np.int64)
    t_wake = np.zeros(ranks, dtype=np.int64)
    if powerdown:
        for r in range(ranks):
            idle_since[r] = 0
    ref_close = np.full(ranks, -1, dtype=np.int64)
    next_close = np.full(ranks, INF, dtype=np.int64)
    n_open = np.zeros(ranks, dtype=np.int64)
    last_t = np.zeros(ranks, dtype=np.int64)
    acc = np.zeros((ranks, 4), dtype=np.int64)  # active, precharged, active PD, precharged PD
    # forced[r]: a refresh is committed (PREA if needed, then REF); the rank's other
    # commands wait. next_dec[r]: the next refresh decision point.
    forced = np.zeros(ranks, dtype=np.bool_)
    next_dec = np.zeros(ranks, dtype=np.int64)
    rr = np.zeros(ranks, dtype=np.int64)  # per-bank refresh: the rank's next bank
    for r in range(ranks):
        next_dec[r] = ref_offset[r] + tREFI

    # Channel state
    data_end = -INF
    data_rank = -1
    cmd_free = np.int64(0)
    last_dir = 0

    # Initiator / response path
    # MaxActiveTransactions >= the trace length never throttles: no heap needed.
    heap = np.empty(mat + 2 if mat < n else 0, dtype=np.int64)
    heap_size = 0
    outstanding = 0
    comp = np.full(n if in_order else 1, -1, dtype=np.int64)
    deliver_ptr = 0
    last_deliver = -INF
    init_ready = np.int64(0)
    accept_ok = np.int64(0)
    nxt = 0
    cols_issued = 0
    sim_end = np.int64(0)
    pd_entries = 0
    n_log = 0

    now = np.int64(0)
    while cols_issued < n:
        stats[S_EVENTS] += 1
        # ---- the request path: waiting requests move up, new ones are accepted -------
        mode = 1 if write_mode else 0
        if freed >= 0:
            k = mode * nb + (freed if bankwise else 0)
            while wait_count[k] > 0:
                q = wait[k, wait_head[k]]
                b = bank[q]
                if not _has_room(buf_org, qlen[b], buf_reads, buf_writes, buf_size, mode):
                    break
                _pop_wait(wait, wait_head, wait_count, k)
                queue[b, qlen[b]] = q
                qlen[b] += 1
                dirty[b] = True
                if mode:
                    buf_writes += 1
                    write_len -= 1
                else:
                    buf_reads += 1
                    read_len -= 1
            freed = -1
        t_adm = INF
        while nxt < n:
            if arrival[nxt] > init_ready:
                init_ready = arrival[nxt]
            blocked = False
            while outstanding >= mat:
                if heap_size == 0:
                    blocked = True
                    break
                if heap[0] > init_ready:
                    init_ready = heap[0]
                heap_size = _heap_pop(heap, heap_size)
                outstanding -= 1
            if blocked:
                break
            e = init_ready + fw
            if e < accept_ok:
                e = accept_ok
            if e > now:
                t_adm = e
                break
            w = is_write[nxt]
            b = bank[nxt]
            k = (nb if w else 0) + (b if bankwise else 0)
            # straight into the scheduler buffer when nothing older waits for the slot
            direct = (
                w == write_mode
                and wait_count[k] == 0
                and _has_room(buf_org, qlen[b], buf_reads, buf_writes, buf_size, w)
            )
            if not direct and ((write_len >= write_size) if w else (read_len >= trans_size)):
                break
            r = b // bpr
            if powerdown and idle_since[r] >= 0:
                if now > idle_since[r]:
                    _book_powerdown(
                        r, now, idle_since, bpr, close_t, ref_close, next_close, n_open, last_t, acc
                    )
                    # the rank stays down at least tCKE, then takes tXP to exit
                    t_wake[r] = max(idle_since[r] + tCKE, now) + tXP
                    stale_act[r] = True
                    stale_any = True
                    pd_entries += 1
                idle_since[r] = -1
            pend_rank[r] += 1
            accepted[nxt] = now
            service[nxt] = -1
            outstanding += 1
            accept_ok = now + serial
            init_ready = now
            if direct:
                queue[b, qlen[b]] = nxt
                qlen[b] += 1
                dirty[b] = True
                if w:
                    buf_writes += 1
                else:
                    buf_reads += 1
            else:
                _push_wait(wait, wait_head, wait_count, k, nxt)
                if w:
                    write_len += 1
                else:
                    read_len += 1
            if w:
                # a posted write is acknowledged as soon as the controller holds it
                if in_order:
                    comp[nxt] = now
                else:
                    last_deliver, heap_size, sim_end = _respond(
                        nxt, now + fw, last_deliver, serial, response, heap, heap_size, sim_end
                    )
            nxt += 1
        if in_order:
            while deliver_ptr < nxt and comp[deliver_ptr] >= 0:
                last_deliver, heap_size, sim_end = _respond(
                    deliver_ptr,
                    comp[deliver_ptr] + fw,
                    last_deliver,
                    serial,
                    response,
                    heap,
                    heap_size,
                    sim_end,
                )
                deliver_ptr += 1
        # write mode: writes drain in batches between the watermarks, or when reads idle
        if write_mode:
            flip = write_len == 0 or (write_len <= write_low and read_len > 0)
        else:
            flip = write_len > 0 and (write_len >= write_high or read_len + buf_reads == 0)
        if flip:
            write_mode = not write_mode
            mode = 1 if write_mode else 0
            if write_mode:
                stats[S_WRITE_DRAINS] += 1
            # The same move as for a freed bank above, written out again: as a shared
            # helper (inlined or called) it made the kernel 35-40% slower on streams.
            for k in range(mode * nb, mode * nb + (nb if bankwise else 1)):
                while wait_count[k] > 0:
                    q = wait[k, wait_head[k]]
                    b = bank[q]
                    if not _has_room(buf_org, qlen[b], buf_reads, buf_writes, buf_size, mode):
                        break
                    _pop_wait(wait, wait_head, wait_count, k)
                    queue[b, qlen[b]] = q
                    qlen[b] += 1
                    dirty[b] = True
                    if mode:
                        buf_writes += 1
                        write_len -= 1
                    else:
                        buf_reads += 1
                        read_len -= 1
                    if nxt < n:
                        t_adm = now  # room in the queues: accept again in this cycle

        # ---- next refresh-interval boundary and refresh wishes ----------------------
        t_bnd = INF
        best_key = INF
        best_cmd = CMD_NONE
        best_b = -1
        best_q = -1
        if refresh_on:
            for r in range(ranks):
                if not forced[r] and now >= next_dec[r]:
                    # A refresh decision point: an interval boundary, the end of a REF,
                    # or the rank running out of requests.
                    since = now - ref_offset[r]
                    due = since // tREFI if since >= 0 else 0
                    owed = due - ref_done[r]
                    idle = qlen[r * bpr + rr[r]] == 0 if per_bank else pend_rank[r] == 0
                    if owed > max_postponed or (idle and (owed > 0 or -owed < max_pulledin)):
                        forced[r] = True
                        if per_bank:
                            held[r * bpr + rr[r]] = True
                            dirty[r * bpr + rr[r]] = True
                        else:
                            for b in range(r * bpr, (r + 1) * bpr):
                                held[b] = True
                                dirty[b] = True
                    next_dec[r] = ref_offset[r] + (due + 1) * tREFI
                if not forced[r]:
                    if next_dec[r] < t_bnd:
                        t_bnd = next_dec[r]
                    continue
                if powerdown and idle_since[r] >= 0 and now > idle_since[r]:
                    _book_powerdown(
                        r, now, idle_since, bpr, close_t, ref_close, next_close, n_open, last_t, acc
                    )
                    # the rank stays down at least tCKE, then takes tXP to exit
                    t_wake[r] = max(idle_since[r] + tCKE, now) + tXP
                    stale_act[r] = True
                    stale_any = True
                    pd_entries += 1
                    idle_since[r] = -1
                t = cmd_free if cmd_free > now else now
                if t_wake[r] > t:
                    t = t_wake[r]
                if per_bank:
                    target = r * bpr + rr[r]
                    if open_row[target] >= 0:
                        cmd = CMD_PRE
                        if t_pre_ok[target] > t:
                            t = t_pre_ok[target]
                    else:
                        cmd = CMD_REFPB
                        if t_act_ok[target] > t:
                            t = t_act_ok[target]
                    if (t << shift) < best_key:
                        best_key = t << shift
                        best_cmd = cmd
                        best_b = target
                        best_q = -1
                    continue
                any_open = False
                for b in range(r * bpr, (r + 1) * bpr):
                    if open_row[b] >= 0:
                        any_open = True
                if any_open:
                    for b in range(r * bpr, (r + 1) * bpr):
                        if open_row[b] >= 0 and t_pre_ok[b] > t:
                            t = t_pre_ok[b]
                    cmd = CMD_PREA
                else:
                    for b in range(r * bpr, (r + 1) * bpr):
                        if t_act_ok[b] > t:
                            t = t_act_ok[b]
                    cmd = CMD_REF
                if (t << shift) < best_key:
                    best_key = t << shift
                    best_cmd = cmd
                    best_b = r
                    best_q = -1

        # ---- the candidate command of every bank with pending requests ---------------
        # Rank- and bank-group-wide constraints per command kind (recomputed where a
        # command or a wake-up changed them), then per bank the cached choice of request
        # and command with its bank-local earliest cycle.
        if stale_any:
            for gg in range(ng):
                r = gg // groups
                wake = t_wake[r]
                if stale_act[r]:
                    a = max(t_act_bg[gg], t_act_rank[r], faw[r, faw_pos[r]] + tFAW)
                    gtab[gg * 5 + CMD_ACT] = a if a > wake else wake
                    gtab[gg * 5 + CMD_PRE] = wake
                if stale_col or stale_act[r]:
                    switch = tRTRS if r != data_rank else 0
                    a = max(t_rd_bg[gg], t_rd_rank[r], data_end - RL + switch)
                    gtab[gg * 5 + CMD_RD] = a if a > wake else wake
                    a = max(t_wr_bg[gg], t_wr_rank[r], data_end - WL + switch)
                    gtab[gg * 5 + CMD_WR] = a if a > wake else wake
            stale_act[:] = False
            stale_col = False
            stale_any = False
        base = cmd_free if cmd_free > now else now
        bank_best = -1
        earliest = never
        for b in range(nb):
            if dirty[b]:
                dirty[b] = False
                if qlen[b] == 0 or held[b]:
                    cand_local[b] = never  # no candidate: never the earliest
                    cand_t[b] = never
                    continue
                orow = open_row[b]
                k = 0
                if orow >= 0 and sched != SCHED_FIFO:
                    hit = -1
                    if sched == SCHED_FRFCFS_GRP:
                        for j in range(qlen[b]):
                            q = queue[b, j]
                            if row[q] == orow and is_write[q] == last_dir:
                                hit = j
                                break
                    if hit < 0:
                        for j in range(qlen[b]):
                            if row[queue[b, j]] == orow:
                                hit = j
                                break
                    if hit >= 0:
                        k = hit
                q = queue[b, k]
                cand_k[b] = k
                cand_q[b] = q
                if orow == row[q]:
                    cmd = CMD_WR if is_write[q] else CMD_RD
                    cand_local[b] = t_col_ok[b]
                elif orow >= 0:
                    cmd = CMD_PRE
                    cand_local[b] = t_pre_ok[b]
                else:
                    cmd = CMD_ACT
                    cand_local[b] = t_act_ok[b]
                cand_cmd[b] = cmd
                cand_g[b] = gbase[b] + cmd
            t = cand_local[b]
            c = gtab[cand_g[b]]
            if c > t:
                t = c
            cand_t[b] = t
            if t < earliest:
                earliest = t
        # Every bank whose command can go at the earliest cycle ties; the mux picks one.
        if earliest < never:
            if base > earliest:
                earliest = base
            tie = n
            if round_robin:
                for i in range(nb):
                    b = (rr_bank + 1 + i) & bank_mask
                    if cand_t[b] <= earliest:
                        bank_best = b
                        tie = i
                        break
            else:
                for b in range(nb):
                    if cand_t[b] <= earliest and cand_q[b] < tie:
                        bank_best = b
                        tie = cand_q[b]
            key = (earliest << shift) | (tie + 1)
            if key < best_key:
                best_key = key
            else:
                bank_best = -1
        if bank_best >= 0:
            best_b = bank_best
            best_cmd = cand_cmd[bank_best]
            best_q = cand_k[bank_best]
        best_t = best_key >> shift if best_cmd != CMD_NONE else INF

        # ---- advance to the earliest event -------------------------------------------
        if best_cmd == CMD_NONE and t_adm == INF:
            stats[S_ERROR] = 1  # nothing can ever happen again: a model bug
            return 1
        if t_adm <= best_t and t_adm <= t_bnd:
            now = t_adm
            continue
        if t_bnd < best_t:
            now = t_bnd
            continue
        t = best_t
        now = t
        cmd_free = t + 1
        if n_log < log.shape[0]:
            log[n_log, 0] = t
            log[n_log, 1] = best_cmd
            log[n_log, 2] = best_b
            log[n_log, 3] = queue[best_b, best_q] if best_q >= 0 else -1
            n_log += 1

        if best_cmd == CMD_REF:
            r = best_b
            _flush_background(r, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
            n_open[r] += 1  # the rank counts as active during tRFC (DRAMPower convention)
            ref_close[r] = t + tRFC
            if t + tRFC < next_close[r]:
                next_close[r] = t + tRFC
            for b in range(r * bpr, (r + 1) * bpr):
                t_act_ok[b] = t + tRFC
                dirty[b] = True
            ref_done[r] += 1
            forced[r] = False
            for b in range(r * bpr, (r + 1) * bpr):
                held[b] = False
            next_dec[r] = t + tRFC
            stats[S_REF] += 1
            if powerdown and pend_rank[r] == 0:
                idle_since[r] = t + tRFC
            continue
        if best_cmd == CMD_REFPB:
            b = best_b
            r = b // bpr
            _flush_background(r, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
            n_open[r] += 1  # the bank counts as active during tRFCpb
            close_t[b] = t + tRFC
            if t + tRFC < next_close[r]:
                next_close[r] = t + tRFC
            t_act_ok[b] = t + tRFC
            dirty[b] = True
            ref_done[r] += 1
            rr[r] = (rr[r] + 1) % bpr
            forced[r] = False
            held[b] = False
            next_dec[r] = t + tRFC
            stats[S_REF] += 1
            stats[S_REF_PB] += 1
            continue
        if best_cmd == CMD_PREA:
            r = best_b
            _flush_background(r, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
            for b in range(r * bpr, (r + 1) * bpr):
                if open_row[b] >= 0:
                    open_row[b] = -1
                    dirty[b] = True
                    fresh[b] = False
                    n_open[r] -= 1
                    stats[S_PRE] += 1
                    if t + tRP_AB > t_act_ok[b]:
                        t_act_ok[b] = t + tRP_AB
            continue

        b = best_b
        r = b // bpr
        g = b // bpg
        rr_bank = b
        if best_cmd == CMD_ACT:
            _flush_background(r, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
            n_open[r] += 1
            q = queue[b, best_q]
            if service[q] < 0:
                service[q] = t
            open_row[b] = row[q]
            dirty[b] = True
            fresh[b] = True
            t_col_ok[b] = t + tRCD
            t_pre_ok[b] = t + tRAS
            t_act_ok[b] = t + tRC
            t_act_bg[g] = t + tRRD_L
            t_act_rank[r] = t + tRRD_S
            stale_act[r] = True
            stale_any = True
            faw[r, faw_pos[r]] = t
            faw_pos[r] = (faw_pos[r] + 1) & 3
            stats[S_ACT] += 1
            continue
        if best_cmd == CMD_PRE:
            if best_q >= 0:  # not a per-bank refresh's precharge
                q = queue[b, best_q]
                if service[q] < 0:
                    service[q] = t
            _flush_background(r, t, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
            n_open[r] -= 1
            open_row[b] = -1
            dirty[b] = True
            fresh[b] = False
            if t + tRP > t_act_ok[b]:
                t_act_ok[b] = t + tRP
            stats[S_PRE] += 1
            continue

        # ---- column command: remove the request from the buffer -----------------------
        q = queue[b, best_q]
        if best_q > 0:
            stats[S_REORDERED] += 1  # served ahead of an older request to its bank
        for j in range(best_q, qlen[b] - 1):
            queue[b, j] = queue[b, j + 1]
        qlen[b] -= 1
        dirty[b] = True
        freed = b
        w = is_write[q]
        if w:
            buf_writes -= 1
        else:
            buf_reads -= 1
        pend_rank[r] -= 1
        cols_issued += 1
        stats[S_COLS] += 1
        if fresh[b]:
            fresh[b] = False
        else:
            stats[S_HITS] += 1
        if last_dir != (1 if w else 0):
            if cols_issued > 1:
                stats[S_TURNAROUNDS] += 1
            if sched == SCHED_FRFCFS_GRP:
                for j in range(nb):
                    dirty[j] = True
        last_dir = 1 if w else 0
        if w:
            stats[S_WR] += 1
            done = t + WL + BURST
            pre_after = WL + BURST + tWR
            t_wr_bg[g] = t + tCCD_L
            t_wr_rank[r] = max(t_wr_rank[r], t + tCCD_S)
            t_rd_bg[g] = max(t_rd_bg[g], done + tWTR_L)
            t_rd_rank[r] = max(t_rd_rank[r], done + tWTR_S)
        else:
            stats[S_RD] += 1
            done = t + RL + BURST
            pre_after = tRTP
            t_rd_bg[g] = t + tCCD_L
            t_rd_rank[r] = max(t_rd_rank[r], t + tCCD_S)
            t_wr_rank[r] = max(t_wr_rank[r], t + tRTW)
            t_wr_bg[g] = max(t_wr_bg[g], t + tRTW)
        if t + pre_after > t_pre_ok[b]:
            t_pre_ok[b] = t + pre_after
        service[q] = done - (service[q] if service[q] >= 0 else t)
        data_end = done
        data_rank = r
        stale_col = True
        stale_any = True
        # page policy: auto-precharge or keep the row open
        if page == PAGE_OPEN:
            auto = False
        elif page == PAGE_CLOSED:
            auto = True
        else:
            further_hit = False
            for j in range(qlen[b]):
                if row[queue[b, j]] == open_row[b]:
                    further_hit = True
                    break
            if page == PAGE_OPEN_ADAPTIVE:
                auto = qlen[b] > 0 and not further_hit
            else:
                auto = not further_hit
        idle_at = done + 1 if not w else done + tWR + 1
        if auto:
            tp = t_pre_ok[b]
            open_row[b] = -1
            close_t[b] = tp
            if tp < next_close[r]:
                next_close[r] = tp
            if tp + tRP > t_act_ok[b]:
                t_act_ok[b] = tp + tRP
            stats[S_PRE] += 1
            if tp + 1 > idle_at:
                idle_at = tp + 1
        if pend_rank[r] == 0:
            if powerdown:
                idle_since[r] = idle_at
            next_dec[r] = now  # idle: a chance to catch up or pull in a refresh
        elif per_bank and qlen[b] == 0 and b == r * bpr + rr[r]:
            next_dec[r] = now
        # response path: read data goes back; a write was acknowledged on acceptance
        if w:
            if done > sim_end:
                sim_end = done
        elif in_order:
            comp[q] = done
            while deliver_ptr < nxt and comp[deliver_ptr] >= 0:
                last_deliver, heap_size, sim_end = _respond(
                    deliver_ptr,
                    comp[deliver_ptr] + fw,
                    last_deliver,
                    serial,
                    response,
                    heap,
                    heap_size,
                    sim_end,
                )
                deliver_ptr += 1
        else:
            last_deliver, heap_size, sim_end = _respond(
                q, done + fw, last_deliver, serial, response, heap, heap_size, sim_end
            )

    # ---- close the books ------------------------------------------------------------
    for r in range(ranks):
        if powerdown and idle_since[r] >= 0 and idle_since[r] < sim_end:
            _book_powerdown(
                r, sim_end, idle_since, bpr, close_t, ref_close, next_close, n_open, last_t, acc
            )
            pd_entries += 1
        else:
            _flush_background(r, sim_end, bpr, close_t, ref_close, next_close, n_open, last_t, acc)
    stats[S_END] = sim_end
    for r in range(ranks):
        stats[S_CYC_ACT] += acc[r, 0]
        stats[S_CYC_PRE] += acc[r, 1]
        stats[S_CYC_ACT_PD] += acc[r, 2]
        stats[S_CYC_PRE_PD] += acc[r, 3]
    stats[S_PD_ENTRIES] = pd_entries
    stats[S_LOG_LEN] = n_log
    return 0
