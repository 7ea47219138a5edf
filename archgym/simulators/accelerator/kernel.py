"""Compiled access-count, energy and cycle kernel of the accelerator model (numba).

Takes plain arrays only; :mod:`archgym.simulators.accelerator.model` builds them. One call
evaluates a batch of mappings of one layer on one architecture.

Inputs (shapes): factors (B, 8, 5) int64 in slots pe, x, y, glb, dram; glb_order and
dram_order (B, 8) int64 dim indices innermost first; layer (12,) int64 = the 8 bounds,
stride_h, stride_w, dilation_h, dilation_w; iparams (10,) int64 = pe_x, pe_y, multicast,
fill cycles per pass, spad_keep W/I/O, glb_keep W/I/O; caps (4,) int64 = spad capacity W/I/O,
global-buffer capacity (words); fparams (21,) float64 = [0:3] spad read pJ W/I/O,
[3:6] spad write pJ, [6:9] spad read bw, [9:12] spad write bw (words/cycle), [12] glb read
pJ, [13] glb write pJ, [14] glb read bw, [15] glb write bw, [16] DRAM pJ/word, [17] DRAM
words/cycle, [18] MAC pJ, [19] NoC pJ/word, [20] actual MACs.

Outputs: energy (B, 7) pJ = mac, spad W, spad I, spad O, global buffer, DRAM, NoC;
cycles (B,), compute_cycles (B,), status (B,) (0 ok, 1 spatial X overflow, 2 spatial Y
overflow, 3/4/5 spad W/I/O overflow, 6 global-buffer overflow, 7 loop bound not covered),
overflow (B,) words or PEs over capacity, bound_by (B,) (0 compute, 1-3 spads, 4 global
buffer, 5 DRAM), used_pes (B,), counts (B, 3, 3, 3) = level (spad, glb, dram) x operand x
(reads, fills, updates), summed over instances.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# status codes of a mapping (see the module docstring); a spad overflow is 3 + operand
OK = 0
OVER_X = 1
OVER_Y = 2
OVER_SPAD = 3
OVER_GLB = 6
UNCOVERED = 7
#: fparams index of the layer's MACs (filled in per layer, the rest per architecture)
F_MACS = 20

# relevance of each dim (N, G, K, C, P, Q, R, S) to Weights, Inputs, Outputs
RELEVANT = np.array(
    [
        [0, 1, 1, 1, 0, 0, 1, 1],
        [1, 1, 0, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 1, 1, 0, 0],
    ],
    dtype=np.int64,
)


@njit(cache=True)
def _tile(op, b, layer):
    if op == 0:
        return b[1] * b[2] * b[3] * b[6] * b[7]
    if op == 2:
        return b[0] * b[1] * b[2] * b[4] * b[5]
    full_h = (layer[4] - 1) * layer[8] + (layer[6] - 1) * layer[10] + 1
    full_w = (layer[5] - 1) * layer[9] + (layer[7] - 1) * layer[11] + 1
    # rows a P x R tile touches: the window's span, or P*R distinct rows when the stride
    # leaves gaps between windows (exact for dilation 1)
    h = min((b[4] - 1) * layer[8] + (b[6] - 1) * layer[10] + 1, b[4] * b[6])
    w = min((b[5] - 1) * layer[9] + (b[7] - 1) * layer[11] + 1, b[5] * b[7])
    if h > full_h:
        h = full_h
    if w > full_w:
        w = full_w
    return b[0] * b[1] * b[3] * h * w


@njit(cache=True)
def _refills(op, f, glb_order, dram_order, include_glb, rel):
    """Times the tile below a level changes: skip the innermost run of irrelevant loops."""
    found = False
    prod = 1
    # the glb loops (factor slot 3) sit inside the DRAM loops (slot 4)
    for slot in range(3 if include_glb else 4, 5):
        order = glb_order if slot == 3 else dram_order
        for i in range(8):
            d = order[i]
            v = f[d, slot]
            if v == 1:
                continue
            if not found and rel[op, d] == 0:
                continue
            found = True
            prod *= v
    return prod


@njit(cache=True)
def evaluate_batch(factors, glb_order, dram_order, layer, iparams, caps, fparams, rel):
    """Cost a batch of B mappings; inputs and outputs as in the module docstring."""
    B = factors.shape[0]
    energy = np.zeros((B, 7))
    cycles = np.zeros(B)
    compute_cycles = np.zeros(B)
    status = np.zeros(B, dtype=np.int64)
    overflow = np.zeros(B, dtype=np.int64)
    bound_by = np.zeros(B, dtype=np.int64)
    used_pes = np.zeros(B, dtype=np.int64)
    counts = np.zeros((B, 3, 3, 3))
    pe_x = iparams[0]
    pe_y = iparams[1]
    multicast = iparams[2]
    fill_cycles = iparams[3]
    b1 = np.empty(8, dtype=np.int64)
    b2 = np.empty(8, dtype=np.int64)
    for n in range(B):
        f = factors[n]
        go = glb_order[n]
        do = dram_order[n]
        # ---- coverage and spatial fit
        sx = 1
        sy = 1
        t_pe = 1
        t_up = 1
        bad = 0
        for d in range(8):
            if f[d, 0] * f[d, 1] * f[d, 2] * f[d, 3] * f[d, 4] < layer[d]:
                bad = 1
            sx *= f[d, 1]
            sy *= f[d, 2]
            t_pe *= f[d, 0]
            t_up *= f[d, 3] * f[d, 4]
            b1[d] = f[d, 0]
            b2[d] = f[d, 0] * f[d, 1] * f[d, 2] * f[d, 3]
        if bad:
            status[n] = UNCOVERED
            continue
        if sx > pe_x:
            status[n] = OVER_X
            overflow[n] = sx - pe_x
            continue
        if sy > pe_y:
            status[n] = OVER_Y
            overflow[n] = sy - pe_y
            continue
        used = sx * sy
        used_pes[n] = used
        t_total = t_pe * t_up
        # spatial factors relevant to each operand; spatial reduction for outputs
        sp_rel = np.ones(3, dtype=np.int64)
        for op in range(3):
            for d in range(8):
                if rel[op, d] == 1:
                    sp_rel[op] *= f[d, 1] * f[d, 2]
        s_red = used // sp_rel[2]
        # ---- capacities
        for op in range(3):
            if iparams[4 + op] == 1:
                t1 = _tile(op, b1, layer)
                if t1 > caps[op]:
                    status[n] = OVER_SPAD + op
                    overflow[n] = t1 - caps[op]
                    break
        if status[n] != OK:
            continue
        glb_words = 0
        for op in range(3):
            if iparams[7 + op] == 1:
                glb_words += _tile(op, b2, layer)
        if glb_words > caps[3]:
            status[n] = OVER_GLB
            overflow[n] = glb_words - caps[3]
            continue
        # ---- accesses
        glb_r = 0.0
        glb_f = 0.0
        glb_u = 0.0
        dram_r = 0.0
        dram_u = 0.0
        noc = 0.0
        worst = float(t_total)
        which = 0
        unique_total = 1
        unique_pe = 1
        for d in range(8):
            if rel[2, d] == 1:
                unique_total *= f[d, 0] * f[d, 1] * f[d, 2] * f[d, 3] * f[d, 4]
                unique_pe *= f[d, 0] * f[d, 3] * f[d, 4]
        for op in range(2):
            dest = sp_rel[op] if multicast == 1 else used
            if iparams[4 + op] == 1:
                t1 = _tile(op, b1, layer)
                fills1 = float(t1 * _refills(op, f, go, do, True, rel))
                reads1 = float(t_total)
                counts[n, 0, op, 0] = reads1 * used
                counts[n, 0, op, 1] = fills1 * used
                energy[n, 1 + op] = (reads1 * fparams[op] + fills1 * fparams[3 + op]) * used
                c = max(reads1 / fparams[6 + op], fills1 / fparams[9 + op])
                if c > worst:
                    worst = c
                    which = 1 + op
                demand = fills1 * dest
                noc += fills1 * used
            else:
                demand = float(t_total) * dest
                noc += float(t_total) * used
            if iparams[7 + op] == 1:
                t2 = _tile(op, b2, layer)
                fills2 = float(t2 * _refills(op, f, go, do, False, rel))
                glb_r += demand
                glb_f += fills2
                dram_r += fills2
                counts[n, 1, op, 0] = demand
                counts[n, 1, op, 1] = fills2
                counts[n, 2, op, 0] = fills2
            else:
                dram_r += demand
                counts[n, 2, op, 0] = demand
        # outputs
        if iparams[6] == 1:
            t1 = _tile(2, b1, layer)
            res1 = t1 * _refills(2, f, go, do, True, rel)
            updates1 = float(t_total)
            reads1 = float(t_total - unique_pe)
            refill1 = float(res1 - unique_pe)
            counts[n, 0, 2, 0] = reads1 * used
            counts[n, 0, 2, 1] = refill1 * used
            counts[n, 0, 2, 2] = updates1 * used
            energy[n, 3] = (reads1 * fparams[2] + (updates1 + refill1) * fparams[5]) * used
            c = max(reads1 / fparams[8], (updates1 + refill1) / fparams[11])
            if c > worst:
                worst = c
                which = 3
            up_in = float(res1) * (used // s_red)
            rd_in = refill1 * (used // s_red)
            noc += (res1 + refill1) * used
        else:
            up_in = float(t_total) * (used // s_red)
            rd_in = up_in - unique_total
            noc += float(t_total) * used
        if iparams[9] == 1:
            t2 = _tile(2, b2, layer)
            res2 = float(t2 * _refills(2, f, go, do, False, rel))
            refill2 = res2 - unique_total
            glb_u += up_in
            glb_r += rd_in
            glb_f += refill2
            dram_u += res2
            dram_r += refill2
            counts[n, 1, 2, 0] = rd_in
            counts[n, 1, 2, 1] = refill2
            counts[n, 1, 2, 2] = up_in
            counts[n, 2, 2, 0] = refill2
            counts[n, 2, 2, 2] = res2
        else:
            dram_u += up_in
            dram_r += rd_in
            counts[n, 2, 2, 0] = rd_in
            counts[n, 2, 2, 2] = up_in
        # ---- energy and cycles
        energy[n, 0] = fparams[F_MACS] * fparams[18]
        energy[n, 4] = glb_r * fparams[12] + (glb_f + glb_u) * fparams[13]
        energy[n, 5] = (dram_r + dram_u) * fparams[16]
        energy[n, 6] = noc * fparams[19]
        comp = float(t_total)
        comp += float(t_up) * fill_cycles
        compute_cycles[n] = comp
        if comp >= worst:
            worst = comp
            which = 0
        c = max(glb_r / fparams[14], (glb_f + glb_u) / fparams[15])
        if c > worst:
            worst = c
            which = 4
        c = (dram_r + dram_u) / fparams[17]
        if c > worst:
            worst = c
            which = 5
        cycles[n] = worst
        bound_by[n] = which
    return energy, cycles, compute_cycles, status, overflow, bound_by, used_pes, counts


@njit(cache=True)
def _smallest_prime(v):
    p = 2
    while p * p <= v:
        if v % p == 0:
            return p
        p += 1
    return v


@njit(cache=True)
def repair_batch(factors, layer, iparams, caps, rel):
    """In place: shrink PE tiles, then global-buffer tiles, until they fit their buffers.

    Repeatedly moves the smallest prime factor of the largest PE factor relevant to an
    overflowing operand out to the global-buffer slot (and from the global-buffer slot to
    DRAM). Candidates that cannot be repaired (spatial tiles too big) are left as they are.
    """
    B = factors.shape[0]
    b = np.empty(8, dtype=np.int64)
    for n in range(B):
        f = factors[n]
        for level in range(2):
            src = 0 if level == 0 else 3
            dst = 3 if level == 0 else 4
            for _ in range(64):
                for d in range(8):
                    if level == 0:
                        b[d] = f[d, 0]
                    else:
                        b[d] = f[d, 0] * f[d, 1] * f[d, 2] * f[d, 3]
                bad_op = -1
                if level == 0:
                    for op in range(3):
                        if iparams[4 + op] == 1 and _tile(op, b, layer) > caps[op]:
                            bad_op = op
                            break
                else:
                    total = 0
                    biggest = 0
                    for op in range(3):
                        if iparams[7 + op] == 1:
                            t = _tile(op, b, layer)
                            total += t
                            if t > biggest:
                                biggest = t
                                bad_op = op
                    if total <= caps[3]:
                        bad_op = -1
                if bad_op < 0:
                    break
                best = -1
                for d in range(8):
                    fits = rel[bad_op, d] == 1 and f[d, src] > 1
                    if fits and (best < 0 or f[d, src] > f[best, src]):
                        best = d
                if best < 0:
                    break
                p = _smallest_prime(f[best, src])
                f[best, src] //= p
                f[best, dst] *= p
