"""Compiled cost kernel of the accelerator model (numba): loop nests on a memory hierarchy.

Plain arrays only; :mod:`archgym.simulators.accelerator.model` builds them
(:class:`~.model.ArchArrays`, :class:`~.model.SpatialArrays`). A loop nest is a temporal
loop order (dims and sizes, innermost first) and, per operand, the number of loops at and
below each level of its chain (``cuts``); the spatial unrolling is shared by a batch.

Counting follows ZigZag's formulation, per operand, level ``m`` and direction (fh, tl,
fl, th): data moved per period, the period, the number of periods and the instances
moving it. A level's tile is the projection of the loops below it; it is refilled once
per iteration of the loops above it, except the innermost run of loops irrelevant to the
operand (stationarity); a parent sends each child tile once per distinct child (spatial
multicast). The conventions differ as :mod:`.architecture` describes.

Layer array (14,): 8 bounds (N G K C P Q R S), stride_h, stride_w, dilation_h,
dilation_w, then the full input rows and columns (the clip of the input projection).
Status codes: OK, OVER_CAPACITY (a level's tiles exceed it; ``over`` the excess in bits,
``which`` the level), UNCOVERED (the loops miss a bound).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

OK = 0
OVER_CAPACITY = 1
UNCOVERED = 2
FH, TL, FL, TH = 0, 1, 2, 3
W, I, O = 0, 1, 2
#: Largest chain, loop count and ports per level the kernel's scratch arrays take.
MAX_CHAIN = 8
MAX_LOOPS = 48

# relevance of each dim (N, G, K, C, P, Q, R, S) to Weights, Inputs, Outputs: 1 relevant,
# 0 irrelevant, 2 partially relevant (inputs: P with R, Q with S)
RELEVANCE = np.array(
    [
        [0, 1, 1, 1, 0, 0, 1, 1],
        [1, 1, 0, 1, 2, 2, 2, 2],
        [1, 1, 1, 0, 1, 1, 0, 0],
    ],
    dtype=np.int64,
)

# indices into the integer arch parameters (iparams)
IP_ZIGZAG = 0
IP_FILL = 1
IP_LEVELS = 2
IP_PORTS = 3
# indices into the float arch parameters (fparams)
FP_MAC_PJ = 0
FP_MACS = 1
FP_PREC = 2  # 4 entries: weights, inputs, partial sums, final outputs


#: Sizes of the scratch buffers :func:`evaluate_nest` carves its tables from (so that
#: a search evaluating millions of nests allocates nothing per nest).
WORK_SIZE = 4096
IWORK_SIZE = 512


def scratch() -> tuple[np.ndarray, np.ndarray]:
    """Fresh (float, int) scratch buffers for :func:`evaluate_nest`."""
    return np.zeros(WORK_SIZE), np.zeros(IWORK_SIZE, dtype=np.int64)


@njit(cache=True)
def _take(buf, off, n):
    """A zeroed view of ``n`` entries of ``buf`` at ``off``, and the next offset."""
    view = buf[off : off + n]
    view[:] = 0
    return view, off + n


@njit(cache=True)
def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


@njit(cache=True)
def _pr_unique(a, b, sa, sb, full, zigzag):
    """Distinct input coordinates sa*i + sb*j of a outputs and b filter taps (clipped)."""
    if zigzag:
        g = _gcd(sa, sb)
        v = a * b - max(0, b - sa // g) * (a - sb // g)
    else:
        v = min((a - 1) * sa + (b - 1) * sb + 1, a * b)
    return float(min(v, full))


@njit(cache=True)
def tile_elements(op, cum, layer, zigzag):
    """Elements of operand ``op`` spanned by loop extents ``cum`` (8 floats)."""
    if op == W:
        return cum[1] * cum[2] * cum[3] * cum[6] * cum[7]
    if op == O:
        return cum[0] * cum[1] * cum[2] * cum[4] * cum[5]
    h = _pr_unique(int(cum[4]), int(cum[6]), layer[8], layer[10], layer[12], zigzag)
    w = _pr_unique(int(cum[5]), int(cum[7]), layer[9], layer[11], layer[13], zigzag)
    return cum[0] * cum[1] * cum[3] * h * w


@njit(cache=True)
def _is_ir(op, d):
    return RELEVANCE[op, d] == 0


@njit(cache=True)
def _is_r(op, d):
    return RELEVANCE[op, d] == 1


@njit(cache=True)
def stationary_cuts(op, ldim, n_loops, cuts, m_levels, out):
    """ZigZag's merge-down: the innermost loops of a level irrelevant to ``op`` move into
    the level below, repeatedly (the tile below stays put across them); ``out`` gets the
    cuts after merging."""
    for m in range(m_levels):
        out[m] = cuts[m]
    changed = True
    while changed:
        changed = False
        for m in range(1, m_levels):
            j = out[m - 1]
            while j < out[m] and _is_ir(op, ldim[j]):
                j += 1
            if j > out[m - 1]:
                out[m - 1] = j
                changed = True
    return 0


@njit(cache=True)
def capacity_precision(op, m, m_levels, ldim, n_loops, start, sp_oir, prec, word_bits):
    """Bits per element of ``op`` stored at chain level ``m`` (the allocator's rule: partial
    sums while a reduction loop from ``start`` on, or a spatial one above, remains)."""
    if word_bits > 0:
        return float(word_bits)
    if op != O:
        return prec[op]
    for b in range(m + 1, m_levels + 1):
        if sp_oir[b]:
            return prec[2]
    for j in range(start, n_loops):
        if _is_ir(O, ldim[j]):
            return prec[2]
    return prec[3]


@njit(cache=True)
def _cum_extents(op, a, ldim, lsize, stop, spc, layer, out):
    """Extents of the loops below arch level ``a``: temporal loops [0, stop) times the
    spatial loops at arch levels below ``a``."""
    for d in range(8):
        out[d] = 1.0
    if a == 0:
        return
    for d in range(8):
        out[d] = spc[op, a - 1, d]
    for j in range(stop):
        out[ldim[j]] *= lsize[j]


@njit(cache=True)
def _level_table(
    op,
    zigzag,
    ldim,
    lsize,
    n_loops,
    st,
    m_levels,
    spc,
    boost,
    sp_oir,
    layer,
    prec,
    words,
    amt,
    per,
    cnt,
    prc,
    data,
    cyc,
    mac_st,
    total,
    psum_flag,
    top_r,
    top_ir,
    cum,
):
    """Fill the per-direction table of ``op`` (amount, period, count, precision per level)."""
    # cycles per period at each arch level; arch 0 is the MAC: the innermost irrelevant
    # loops keep an input operand still there (ZigZag), every cycle otherwise
    cyc[0] = mac_st if (zigzag and op != O) else 1.0
    for m in range(m_levels):
        c = 1.0
        for j in range(st[m]):
            c *= lsize[j]
        cyc[m + 1] = c
    # tile of each level (arch a = m + 1); arch 0 is one element per MAC
    data[0] = 1.0
    for m in range(m_levels):
        _cum_extents(op, m + 1, ldim, lsize, st[m], spc, layer, cum)
        data[m + 1] = np.rint(tile_elements(op, cum, layer, zigzag))
    # top runs of relevant and irrelevant loops of each level (ZigZag's latency model)
    top_r[0] = 1.0
    top_ir[0] = 1.0
    for m in range(m_levels):
        lo = st[m - 1] if m > 0 else 0
        r = 1.0
        j = st[m] - 1
        while j >= lo and _is_r(op, ldim[j]):
            r *= lsize[j]
            j -= 1
        ir = 1.0
        j = st[m] - 1
        while j >= lo and _is_ir(op, ldim[j]):
            ir *= lsize[j]
            j -= 1
        top_r[m + 1] = r
        top_ir[m + 1] = ir
    # partial-sum flags of outputs: arch level a holds partial sums while any reduction
    # loop remains above it (temporal at levels >= a, spatial at arch levels > a)
    if op == O:
        for a in range(m_levels + 1):
            flag = False
            lo = st[a - 1] if a > 0 else 0
            for j in range(lo, n_loops):
                if _is_ir(O, ldim[j]):
                    flag = True
                    break
            if not flag:
                for b in range(a + 1, m_levels + 1):
                    if sp_oir[b]:
                        flag = True
                        break
            psum_flag[a] = 1.0 if flag else 0.0
    for m in range(m_levels):
        for k in range(4):
            amt[m, k] = 0.0
            per[m, k] = 0.0
            cnt[m, k] = 0.0
            prc[m, k] = 0.0
        top = m == m_levels - 1
        word = words[m]
        if op != O:
            p = prec[op] if word == 0 else float(word)
            amt[m, TL] = data[m] * boost[op, m]
            per[m, TL] = cyc[m]
            cnt[m, TL] = total // cyc[m]
            prc[m, TL] = p
            if not top:
                amt[m, FH] = data[m + 1]
                per[m, FH] = cyc[m + 1]
                cnt[m, FH] = total // cyc[m + 1]
                prc[m, FH] = p
        else:
            part = prec[2] if word == 0 else float(word)
            final = prec[3] if word == 0 else float(word)
            amt[m, FL] = math.floor(data[m] * boost[op, m])
            per[m, FL] = cyc[m]
            cnt[m, FL] = total // cyc[m]
            prc[m, FL] = part if psum_flag[m] > 0 else final
            if psum_flag[m] > 0:
                amt[m, TL] = amt[m, FL]
                per[m, TL] = per[m, FL]
                cnt[m, TL] = cnt[m, FL]
                prc[m, TL] = part
            if not top:
                amt[m, TH] = data[m + 1]
                per[m, TH] = cyc[m + 1]
                cnt[m, TH] = total // cyc[m + 1]
                prc[m, TH] = part if psum_flag[m + 1] > 0 else final
                if psum_flag[m + 1] > 0:
                    amt[m, FH] = amt[m, TH]
                    per[m, FH] = per[m, TH]
                    cnt[m, FH] = cnt[m, TH]
                    prc[m, FH] = part
    return 0


@njit(cache=True)
def _uncovered(k, x, periods, allowed):
    """Cycles in [0, x) that none of the first ``k`` windows (periods sorted ascending,
    nested) covers; window i covers t with t mod periods[i] < allowed[i]."""
    if k == 0:
        return x
    p = periods[k - 1]
    a = allowed[k - 1]
    q = x // p
    r = x - q * p
    one = _uncovered(k - 1, p, periods, allowed) - _uncovered(k - 1, min(a, p), periods, allowed)
    rest = 0.0
    if r > a:
        rest = _uncovered(k - 1, r, periods, allowed) - _uncovered(k - 1, a, periods, allowed)
    return q * one + rest


@njit(cache=True)
def _window_union(n, periods, allowed, counts, ps, al):
    """ZigZag's union of the memory-updating windows of ``n`` activities sharing a port
    (``ps``, ``al``: scratch of at least ``n`` entries)."""
    for i in range(n):
        if periods[i] == allowed[i]:
            return periods[i] * counts[i]
    pmax = 0.0
    which = 0
    for i in range(n):
        if periods[i] > pmax:
            pmax = periods[i]
            which = i
    for i in range(n):  # insertion sort by period
        j = i
        while j > 0 and ps[j - 1] > periods[i]:
            ps[j] = ps[j - 1]
            al[j] = al[j - 1]
            j -= 1
        ps[j] = periods[i]
        al[j] = allowed[i]
    covered = pmax - _uncovered(n, pmax, ps, al)
    return covered * counts[which]


@njit(cache=True)
def _reduce_ordered(c, mins, s, n, out_rem, out_red, idx):
    """ZigZag's reduce_ordered: cut the largest loads first down to their minimum, in total s
    (``idx``: integer scratch of at least ``n`` entries)."""
    for i in range(n):
        idx[i] = i
    # stable sort by descending c
    for i in range(1, n):
        j = i
        while j > 0 and c[idx[j - 1]] < c[idx[j]]:
            t = idx[j - 1]
            idx[j - 1] = idx[j]
            idx[j] = t
            j -= 1
    for i in range(n):
        out_rem[i] = c[i]
        out_red[i] = 0.0
    for i in range(n):
        if s <= 0:
            break
        k = idx[i]
        reducible = max(0.0, c[k] - mins[k])
        red = min(reducible, s)
        out_rem[k] = c[k] - red
        out_red[k] = red
        s -= red


@njit(cache=True)
def evaluate_nest(
    ldim,
    lsize,
    n_loops,
    cuts,
    layer,
    arch,
    spatial,
    energy_out,
    counts_out,
    latency_out,
    work,
    iwork,
):
    """Cost of one loop nest. Returns (status, overflow bits, level, cycles, ideal cycles).

    ``arch`` is the architecture tuple (:meth:`.model.ArchArrays.kernel_tuple`: iparams,
    fparams, chain, chain_len, lvl_cap, lvl_db, lvl_cost, lvl_word, lvl_pe, lvl_m, pd_port,
    port_info, port_serve, port_nserve, lvl_ops, lvl_nops), ``spatial`` the unrolling
    tuple (:meth:`.model.SpatialArrays.kernel_tuple`: sp_req, spc_f, spc_i, units_f,
    units_i, boost_f, boost_i, sp_oir_f, sp_oir_i, orel_sp, drain).

    ``energy_out`` (levels + 1,) gets pJ per level and the MACs last; ``counts_out``
    (3, MAX_CHAIN, 4) elements moved per operand, chain level and direction (all
    instances); ``latency_out`` (4,) the ZigZag terms stall, on-loading, off-loading,
    drain (zeros in the timeloop convention). ``level`` is the overflowing level, or
    (timeloop convention) the level whose port limits the cycles (-1: compute). ``work`` and
    ``iwork`` are scratch buffers (:func:`scratch`).
    """
    (
        iparams,
        fparams,
        chain,
        chain_len,
        lvl_cap,
        lvl_db,
        lvl_cost,
        lvl_word,
        lvl_pe,
        lvl_m,
        pd_port,
        port_info,
        port_serve,
        port_nserve,
        _lvl_ops,
        _lvl_nops,
    ) = arch
    (
        sp_req,
        spc_f,
        spc_i,
        units_f,
        units_i,
        boost_f,
        boost_i,
        sp_oir_f,
        sp_oir_i,
        orel_sp,
        drain,
    ) = spatial
    fo = 0
    io = 0
    zigzag = iparams[IP_ZIGZAG] == 1
    n_levels = iparams[IP_LEVELS]
    n_ports = iparams[IP_PORTS]
    prec = fparams[FP_PREC : FP_PREC + 4]
    for i in range(energy_out.shape[0]):
        energy_out[i] = 0.0
    counts_out[:] = 0.0
    latency_out[:] = 0.0
    # ---- coverage
    ext, fo = _take(work, fo, 8)
    ext[:] = 1.0
    for j in range(n_loops):
        ext[ldim[j]] *= lsize[j]
    for d in range(8):
        if ext[d] * sp_req[d] < layer[d]:
            return UNCOVERED, 0.0, -1, 0.0, 0.0
    total = 1.0
    for j in range(n_loops):
        total *= lsize[j]
    cum, fo = _take(work, fo, 8)
    # ---- capacity (the allocator's rule: partial-sum precision while reduction remains)
    used_bits, fo = _take(work, fo, n_levels)
    for op in range(3):
        for m in range(chain_len[op]):
            lv = chain[op, m]
            start = cuts[op, m - 1] if m > 0 else 0
            p = capacity_precision(
                op, m, chain_len[op], ldim, n_loops, start, sp_oir_f, prec, lvl_word[lv]
            )
            _cum_extents(op, m + 1, ldim, lsize, cuts[op, m], spc_f, layer, cum)
            size = tile_elements(op, cum, layer, zigzag) * p
            if lvl_db[lv] and cuts[op, m] < n_loops:
                _cum_extents(op, m + 1, ldim, lsize, n_loops, spc_f, layer, cum)
                if size < tile_elements(op, cum, layer, zigzag) * p:
                    size *= 2.0
            used_bits[lv] += size
    worst = 0.0
    which = -1
    for lv in range(n_levels):
        over = used_bits[lv] - lvl_cap[lv]
        if over > 1e-9 * lvl_cap[lv] and over > worst:
            worst = over
            which = lv
    if which >= 0:
        return OVER_CAPACITY, worst, which, 0.0, 0.0
    # ---- per-operand tables, fractional (energy) and integer (latency) spatial unrolling
    st, io = _take(iwork, io, 3 * MAX_CHAIN)
    st = st.reshape((3, MAX_CHAIN))
    mac_st, fo = _take(work, fo, 3)
    mac_st[:] = 1.0
    for op in range(3):
        stationary_cuts(op, ldim, n_loops, cuts[op], chain_len[op], st[op])
        if zigzag and op != O:
            v = 1.0
            j = 0
            while j < st[op, 0] and _is_ir(op, ldim[j]):
                v *= lsize[j]
                j += 1
            mac_st[op] = v
    words, io = _take(iwork, io, 3 * MAX_CHAIN)
    words = words.reshape((3, MAX_CHAIN))
    for op in range(3):
        for m in range(chain_len[op]):
            words[op, m] = lvl_word[chain[op, m]]
    amt_f, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    amt_f = amt_f.reshape((3, MAX_CHAIN, 4))
    per_f, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    per_f = per_f.reshape((3, MAX_CHAIN, 4))
    cnt_f, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    cnt_f = cnt_f.reshape((3, MAX_CHAIN, 4))
    prc_f, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    prc_f = prc_f.reshape((3, MAX_CHAIN, 4))
    data_f, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    data_f = data_f.reshape((3, MAX_CHAIN + 1))
    cyc, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    cyc = cyc.reshape((3, MAX_CHAIN + 1))
    psum, fo = _take(work, fo, MAX_CHAIN + 1)
    top_r, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    top_r = top_r.reshape((3, MAX_CHAIN + 1))
    top_ir, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    top_ir = top_ir.reshape((3, MAX_CHAIN + 1))
    for op in range(3):
        _level_table(
            op,
            zigzag,
            ldim,
            lsize,
            n_loops,
            st[op],
            chain_len[op],
            spc_f,
            boost_f,
            sp_oir_f,
            layer,
            prec,
            words[op],
            amt_f[op],
            per_f[op],
            cnt_f[op],
            prc_f[op],
            data_f[op],
            cyc[op],
            mac_st[op],
            total,
            psum,
            top_r[op],
            top_ir[op],
            cum,
        )
    psum_f, fo = _take(work, fo, MAX_CHAIN + 1)
    psum_f[:] = psum
    # ---- energy and element counts
    e_mac = fparams[FP_MACS] * fparams[FP_MAC_PJ]
    energy_out[n_levels] = e_mac
    for op in range(3):
        for m in range(chain_len[op]):
            lv = chain[op, m]
            inst = units_f[op, m + 1]
            for k in range(4):
                counts_out[op, m, k] = amt_f[op, m, k] * cnt_f[op, m, k] * inst
    if not zigzag:
        # the first update of an output needs no read: remove it from the partial-sum
        # reads to the level below and the refills from the level above
        orel_t = 1.0
        for j in range(n_loops):
            if RELEVANCE[O, ldim[j]] == 1:
                orel_t *= lsize[j]
        for m in range(chain_len[O]):
            firsts = orel_t * orel_sp[m] * units_f[O, m + 1]
            counts_out[O, m, TL] = max(0.0, counts_out[O, m, FL] - firsts)
            counts_out[O, m, FH] = max(0.0, counts_out[O, m, TH] - firsts)
            counts_out[O, m, TH] = 0.0
            if m == chain_len[O] - 1:
                counts_out[O, m, FH] = 0.0
    for op in range(3):
        for m in range(chain_len[op]):
            lv = chain[op, m]
            for k in range(4):
                pidx = pd_port[op, m, k]
                if pidx < 0:
                    continue
                width = port_info[pidx, 1]
                gran = port_info[pidx, 2]
                cost = lvl_cost[lv, 0] if (k in (TL, TH)) else lvl_cost[lv, 1]
                if zigzag:
                    a = amt_f[op, m, k]
                    p = prc_f[op, m, k]
                    if a == 0 or p == 0:
                        continue
                    acc = math.floor(
                        math.ceil(a * p / gran)
                        * (gran / width)
                        * cnt_f[op, m, k]
                        * units_f[op, m + 1]
                    )
                    energy_out[lv] += acc * cost
                else:
                    energy_out[lv] += counts_out[op, m, k] * cost * gran / width
    ideal_temporal = total
    if not zigzag:
        # ---- timeloop latency: compute (plus a fill per pass) or the slowest port
        pe_loops = 0
        for op in range(3):
            for m in range(chain_len[op]):
                if lvl_pe[chain[op, m]] == 1 and cuts[op, m] > pe_loops:
                    pe_loops = cuts[op, m]
        inner = 1.0
        for j in range(pe_loops):
            inner *= lsize[j]
        compute = total + (total / inner) * iparams[IP_FILL]
        cycles = compute
        bound = -1
        for pidx in range(n_ports):
            bits = 0.0
            lv = int(port_info[pidx, 0])
            for s in range(port_nserve[pidx]):
                op = port_serve[pidx, s, 0]
                m = port_serve[pidx, s, 1]
                k = port_serve[pidx, s, 2]
                inst = units_f[op, m + 1]
                if inst > 0:
                    bits += counts_out[op, m, k] / inst * lvl_word[lv]
            t = bits / port_info[pidx, 3]
            if t > cycles:
                cycles = t
                bound = lv
        return OK, 0.0, bound, cycles, compute
    # ---- zigzag latency, on the integer unrolling
    amt, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    amt = amt.reshape((3, MAX_CHAIN, 4))
    per, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    per = per.reshape((3, MAX_CHAIN, 4))
    cnt, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    cnt = cnt.reshape((3, MAX_CHAIN, 4))
    prc, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    prc = prc.reshape((3, MAX_CHAIN, 4))
    data_i, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    data_i = data_i.reshape((3, MAX_CHAIN + 1))
    cyc_i, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    cyc_i = cyc_i.reshape((3, MAX_CHAIN + 1))
    top_r_i, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    top_r_i = top_r_i.reshape((3, MAX_CHAIN + 1))
    top_ir_i, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    top_ir_i = top_ir_i.reshape((3, MAX_CHAIN + 1))
    for op in range(3):
        _level_table(
            op,
            zigzag,
            ldim,
            lsize,
            n_loops,
            st[op],
            chain_len[op],
            spc_i,
            boost_i,
            sp_oir_i,
            layer,
            prec,
            words[op],
            amt[op],
            per[op],
            cnt[op],
            prc[op],
            data_i[op],
            cyc_i[op],
            mac_st[op],
            total,
            psum,
            top_r_i[op],
            top_ir_i[op],
            cum,
        )
    # double buffering: a tile that fits twice (with what shares its memory) may update
    # during the whole period (on the fractional unrolling, as ZigZag computes it)
    indiv, fo = _take(work, fo, 3 * MAX_CHAIN)
    indiv = indiv.reshape((3, MAX_CHAIN))
    shared, fo = _take(work, fo, n_levels)
    for op in range(3):
        for m in range(chain_len[op]):
            lv = chain[op, m]
            p = prec[op] if op != O else (prec[2] if psum_f[m + 1] > 0 else prec[3])
            bits = data_f[op, m + 1] * p
            indiv[op, m] = math.floor(bits / top_r[op, m + 1]) / lvl_cap[lv]
            shared[lv] += indiv[op, m]
    dbuf, fo = _take(work, fo, 3 * (MAX_CHAIN + 1))
    dbuf = dbuf.reshape((3, MAX_CHAIN + 1))
    for op_order in range(3):
        op = (O, W, I)[op_order]
        for m in range(chain_len[op]):
            lv = chain[op, m]
            if shared[lv] <= 0.5:
                dbuf[op, m + 1] = 1.0
            elif indiv[op, m] <= 1 - shared[lv]:
                dbuf[op, m + 1] = 1.0
                shared[lv] += indiv[op, m]
    # allowed and real transfer cycles per operand, level and direction
    allowed, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    allowed = allowed.reshape((3, MAX_CHAIN, 4))
    real, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    real = real.reshape((3, MAX_CHAIN, 4))
    for op in range(3):
        for m in range(chain_len[op]):
            for k in range(4):
                high = k in (FH, TH)
                db = (dbuf[op, m + 1] if high else dbuf[op, m]) > 0
                top = top_ir_i[op, m + 1] if high else top_ir_i[op, m]
                window = per[op, m, k] if db else math.floor(per[op, m, k] / top)
                allowed[op, m, k] = math.ceil(window)
                pidx = pd_port[op, m, k]
                if pidx >= 0:
                    real[op, m, k] = math.ceil(amt[op, m, k] * prc[op, m, k] / port_info[pidx, 3])
    # stall or slack per port, combined over the activities sharing it
    stall = 0.0
    ps, fo = _take(work, fo, 32)
    al, fo = _take(work, fo, 32)
    pc, fo = _take(work, fo, 32)
    ws1, fo = _take(work, fo, 32)
    ws2, fo = _take(work, fo, 32)
    for pidx in range(n_ports):
        n = 0
        pos = 0.0
        neg = 0.0
        window_sum = 0.0
        for s in range(port_nserve[pidx]):
            op = port_serve[pidx, s, 0]
            m = port_serve[pidx, s, 1]
            k = port_serve[pidx, s, 2]
            count = cnt[op, m, k]
            if count == 0:
                continue
            ss = (real[op, m, k] - allowed[op, m, k]) * (count - 1)
            if ss > 0:
                pos += ss
            else:
                neg += ss
            window_sum += allowed[op, m, k] * (count - 1)
            ps[n] = math.ceil(per[op, m, k])
            al[n] = allowed[op, m, k]
            pc[n] = count
            n += 1
        if n == 1:
            comb = pos + neg
        elif n > 1:
            union = _window_union(n, ps, al, pc, ws1, ws2)
            comb = pos + max(0.0, neg + window_sum - union)
        else:
            comb = 0.0
        if comb > stall:
            stall = comb
    # on- and off-loading: what must move before the first and after the last computation
    load_cc, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    load_cc = load_cc.reshape((3, MAX_CHAIN, 4))
    load_sh, fo = _take(work, fo, 3 * MAX_CHAIN * 4)
    load_sh = load_sh.reshape((3, MAX_CHAIN, 4))
    compute_cycles = total + stall
    c1, fo = _take(work, fo, 32)
    mins, fo = _take(work, fo, 32)
    rem, fo = _take(work, fo, 32)
    red, fo = _take(work, fo, 32)
    idx1, io = _take(iwork, io, 96)
    idx1 = idx1.reshape((32, 3))
    sort_idx, io = _take(iwork, io, 32)
    for pidx in range(n_ports):
        bw = port_info[pidx, 3]
        shared2 = port_info[pidx, 4] == 1
        req = 0.0
        n1 = 0
        for s in range(port_nserve[pidx]):
            op = port_serve[pidx, s, 0]
            m = port_serve[pidx, s, 1]
            k = port_serve[pidx, s, 2]
            if op == O and (k in (TL, FH)):
                continue
            count = cnt[op, m, k]
            if count == 0:
                continue
            if count == 1:
                idx1[n1, 0] = op
                idx1[n1, 1] = m
                idx1[n1, 2] = k
                n1 += 1
            else:
                req += math.ceil(
                    _req_bandwidth(op, m, k, data_i[op], prc, cyc_i[op], boost_i, psum)
                )
                load_cc[op, m, k] = real[op, m, k]
                load_sh[op, m, k] = 1.0 if shared2 else 0.0
        if n1 > 0:
            for i in range(n1):
                op = idx1[i, 0]
                c1[i] = real[op, idx1[i, 1], idx1[i, 2]]
                p = prec[op] if op != O else (prec[2] if psum[1] > 0 else prec[3])
                if words[op, 0] > 0:
                    p = float(words[op, 0])
                mins[i] = math.ceil(data_i[op, 1] * p / bw)
            surplus = max(0.0, (bw - req) / bw * compute_cycles)
            _reduce_ordered(c1, mins, surplus, n1, rem, red, sort_idx)
            for i in range(n1):
                load_cc[idx1[i, 0], idx1[i, 1], idx1[i, 2]] = rem[i]
                load_sh[idx1[i, 0], idx1[i, 1], idx1[i, 2]] = 1.0 if shared2 else 0.0
    individual, fo = _take(work, fo, 2)
    half, fo = _take(work, fo, 2)
    both, fo = _take(work, fo, 2)
    for op in range(2):
        for m in range(chain_len[op] - 1):
            longest = max(load_cc[op, m, FH], load_cc[op, m + 1, TL])
            s1 = load_sh[op, m, FH] > 0
            s2 = load_sh[op, m + 1, TL] > 0
            if s1 and s2:
                both[op] += longest
            elif not s1 and not s2:
                individual[op] += longest
            else:
                half[op] = longest
    on1 = both[0] + max(both[1] + half[1] + individual[1], half[0] + individual[0])
    on2 = both[1] + max(both[0] + half[0] + individual[0], half[1] + individual[1])
    onload = min(on1, on2)
    offload = 0.0
    for m in range(chain_len[O] - 1):
        offload += max(load_cc[O, m, TH], load_cc[O, m + 1, FL])
    latency_out[0] = stall
    latency_out[1] = onload
    latency_out[2] = offload
    latency_out[3] = drain
    cycles = ideal_temporal + stall + onload + offload + drain
    return OK, 0.0, -1, cycles, ideal_temporal


@njit(cache=True)
def _req_bandwidth(op, m, k, data, prc, cyc, boost, psum):
    """ZigZag's average required bandwidth (bits per cycle) of one transfer direction."""
    # required bits per cycle on the low and high side of arch level a
    if op != O:
        if k == TL:
            return math.floor(data[m] * prc[op, m, TL] / cyc[m] * boost[op, m])
        if k == FH:
            return math.floor(data[m + 1] * prc[op, m, FH] / cyc[m + 1])
        return 0.0
    p_lo = prc[O, m, FL]
    if k in (FL, TL):
        if k == TL and psum[m] == 0:
            return 0.0
        return math.floor(data[m] * p_lo / cyc[m] * boost[O, m])
    p_hi = prc[O, m, TH]
    if k == FH and psum[m + 1] == 0:
        return 0.0
    return math.floor(data[m + 1] * p_hi / cyc[m + 1])


@njit(cache=True)
def spatial_tables(factors, attach, chain_len, layer, zigzag, spc, units, boost, sp_oir, orel_sp):
    """Spatial tables of one unrolling (``factors``: array dims x 8 loop dims).

    Per operand and arch level a (0 below its first level, m + 1 between levels m and
    m + 1): ``spc`` the unrolling at and below a (cumulative), ``units`` the instances at
    and above a (ZigZag's unit count), ``boost`` the distinct child units per parent;
    ``sp_oir`` whether outputs reduce spatially at a; ``orel_sp`` the output-relevant
    unrolling at and below a. Inputs' distinct units share overlapping windows (ZigZag)
    or count every relevant factor (Timeloop).
    """
    n_arch = spc.shape[1]
    spa = np.ones((3, n_arch, 8))
    for op in range(3):
        for d in range(factors.shape[0]):
            a = attach[op, d]
            for j in range(8):
                spa[op, a, j] *= factors[d, j]
    for op in range(3):
        for a in range(n_arch):
            for j in range(8):
                spc[op, a, j] = spa[op, a, j] if a == 0 else spc[op, a - 1, j] * spa[op, a, j]
    unique = np.ones(n_arch + 1)
    part = np.ones(n_arch)
    for op in range(3):
        m = chain_len[op]
        # units at and above each arch level
        for a in range(m + 1):
            total = 1.0
            for b in range(a, m + 1):
                for j in range(8):
                    total *= spa[op, b, j]
            units[op, a] = np.rint(np.round(total, 3))
        # distinct data per arch level
        prev_h = 1.0
        prev_w = 1.0
        cum_p = cum_q = cum_r = cum_s = 1.0
        for a in range(m + 1):
            r = 1.0
            if op != I or not zigzag:
                for j in range(8):
                    if RELEVANCE[op, j] >= 1:
                        r *= spa[op, a, j]
            else:
                cum_p *= spa[op, a, 4]
                cum_q *= spa[op, a, 5]
                cum_r *= spa[op, a, 6]
                cum_s *= spa[op, a, 7]
                h = _pr_unique(int(cum_p), int(cum_r), layer[8], layer[10], layer[12], True)
                w = _pr_unique(int(cum_q), int(cum_s), layer[9], layer[11], layer[13], True)
                r = spa[op, a, 0] * spa[op, a, 1] * spa[op, a, 3] * (h / prev_h) * (w / prev_w)
                prev_h = h
                prev_w = w
            part[a] = r
        for a in range(m + 1):
            u = 1.0
            for b in range(a, m + 1):
                u *= part[b]
            unique[a] = u
        for a in range(n_arch):
            boost[op, a] = 1.0
        for a in range(m):
            boost[op, a] = np.rint(unique[a] / unique[a + 1])
    for a in range(n_arch):
        flag = 0
        rel = 1.0
        for j in range(8):
            if RELEVANCE[O, j] == 0 and spa[O, a, j] > 1:
                flag = 1
            if RELEVANCE[O, j] == 1:
                rel *= spa[O, a, j]
        sp_oir[a] = flag
        orel_sp[a] = rel if a == 0 else orel_sp[a - 1] * rel
