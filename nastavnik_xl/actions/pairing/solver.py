"""The exact mentor–mentee assignment: a min-cost flow on a sparse graph, proven for the full one.

1. One pass over every pair, block by block, keeps each mentee's top-k mentors and each mentor's
   top-m mentees (by score, then by the ID hash): the first candidate graph.
2. OR-Tools solves the min-cost flow on it exactly (``participation``: the maximum flow of least
   cost, i.e. the most mentees matched, then the best score; ``score``: the least cost with a
   bypass arc, so a mentee may stay unmatched).
3. Dual prices come from shortest paths in the residual graph (reduced costs ≥ 0 there), turned
   into u_i, v_j ≥ 0; for ``participation`` a minimum vertex cover (König) adds the bonus.
4. :func:`certificate.scan` checks u_i + v_j ≥ w'_ij on every allowed pair of the full graph.
   The first graph's prices are close to the final ones, so the second graph is every pair
   within two points of tight under them (plus the current pairs): small, and it nearly always
   holds the optimum, which the next scan proves. Pairs that still violate the proof join the
   graph and it is solved again; after a few rounds the full graph is the fallback. Tiny
   instances go straight to the full graph.

Everything the flow solver sees is in a canonical order (IDs sorted), and equal scores are
decided by a hash of the IDs, so the same book gives the same pairs whatever its row order.
Scoring runs on one thread by default: numpy's operations on a block are too short for two
threads to gain (they contend for the GIL); ``threads`` changes the speed, never the pairs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nastavnik_xl.actions.pairing.certificate import (
    OBJECTIVES,
    Certificate,
    ScanResult,
    Weighting,
    block_size,
    certificate_from,
    key_hashes,
    map_blocks,
    pair_hash,
    scan,
)
from nastavnik_xl.actions.pairing.scorer import Scorer, key_function
from nastavnik_xl.findings import BookError

FULL_GRAPH_PAIRS = 1 << 13  # instances up to this many pairs go straight to the full graph


@dataclass(frozen=True)
class Solution:
    pairs: list[tuple[int, int]]  # (mentee, mentor) indices of the input, sorted
    total_score: int
    matched: int
    objective: str
    certificate: Certificate
    mentee_dual: np.ndarray  # u_i ≥ 0, in units of w' (see ``weighting``)
    mentor_dual: np.ndarray  # v_j ≥ 0
    stats: dict
    weighting: Weighting | None = None
    mentee_value: np.ndarray | None = None  # u_i in score points (no participation bonus)
    mentor_price: np.ndarray | None = None  # v_j in score points: what one of j's places is worth

    def reduced_cost(self, mentee: int, mentor: int, score: int, mentee_key: str, mentor_key: str) -> int:
        """u_i + v_j − w'_ij ≥ 0: how far an allowed pair is from being worth choosing (0 if chosen).

        Divide by ``weighting.scale`` for score points: a mentor's place is worth more elsewhere.
        """
        assert self.weighting is not None
        w = self.weighting.weights(np.array([score]), key_hashes([mentee_key], "mentee"),
                                   key_hashes([mentor_key], "mentor"))[0]
        return int(self.mentee_dual[mentee]) + int(self.mentor_dual[mentor]) - int(w)


@dataclass(frozen=True)
class _Context:
    scorer: Scorer
    capacity: np.ndarray
    weighting: Weighting
    mentee_hash: np.ndarray
    mentor_hash: np.ndarray
    order: np.ndarray  # input mentee indices in canonical (ID) order
    mentee_rank: np.ndarray  # canonical rank of each input mentee
    mentor_rank: np.ndarray
    mentor_order: np.ndarray  # input mentor indices in canonical order
    threads: int | None

    @property
    def n(self) -> int:
        return self.scorer.n_mentees

    @property
    def m(self) -> int:
        return self.scorer.n_mentors


@dataclass
class _Arcs:
    """Candidate pairs: input indices and scores, unique, in canonical order."""

    i: np.ndarray
    j: np.ndarray
    score: np.ndarray

    @classmethod
    def merge(cls, ctx: _Context, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> _Arcs:
        empty = np.empty(0, np.int64)
        i, j, s = (np.concatenate([empty, *(p[k] for p in parts)]).astype(np.int64) for k in range(3))
        keep = ctx.capacity[j] > 0
        i, j, s = i[keep], j[keep], s[keep]
        _, first = np.unique(ctx.mentee_rank[i] * ctx.m + ctx.mentor_rank[j], return_index=True)
        return cls(i[first], j[first], s[first])

    def __len__(self) -> int:
        return len(self.i)


@dataclass
class _Flow:
    assigned: np.ndarray  # input mentee → input mentor or -1
    u: np.ndarray
    v: np.ndarray
    value: np.ndarray  # u in score points, for explanations
    price: np.ndarray  # v in score points
    seconds: dict[str, float] = field(default_factory=dict)


def _canonical_ranks(keys: Sequence[str], what: str) -> tuple[np.ndarray, np.ndarray]:
    order = sorted(range(len(keys)), key=keys.__getitem__)
    for a, b in itertools.pairwise(order):
        if keys[a] == keys[b]:
            raise ValueError(f"{what} ID {keys[a]!r} is not unique")
    order_arr = np.asarray(order, dtype=np.int64)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order_arr] = np.arange(len(keys))
    return order_arr, rank


def _top_per_row(local: np.ndarray, key: np.ndarray, hashes: np.ndarray, keep: int | np.ndarray) -> np.ndarray:
    """Positions of each row's ``keep`` (or ``keep[row]``) best entries by (key, hash), both descending."""
    if len(local) == 0:
        return np.empty(0, dtype=np.int64)
    if local.max() < 1 << 16 and key.max() < 1 << 8:
        # one sort key: row, then key descending, then the hash's top 40 bits descending
        packed = (local.astype(np.uint64) << np.uint64(48)) | ((255 - key.astype(np.uint64)) << np.uint64(40))
        order = np.argsort(packed | (~hashes >> np.uint64(24)))
    else:
        order = np.lexsort((~hashes, -key.astype(np.int64), local))
    sorted_rows = local[order]
    first = np.searchsorted(sorted_rows, sorted_rows, side="left")
    limit = keep[sorted_rows] if isinstance(keep, np.ndarray) else keep
    return order[np.arange(len(order)) - first < limit]


def _near_top(keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of entries within a few score points of their row's best, at least k per row.

    Scores pile up near the top, so a row's k best are almost always within two points; rows
    short of k look further down, a few rows at a time. Forbidden entries (key 0) never count.
    """
    width = keys.shape[1]
    top = keys.max(axis=1).astype(np.int64)
    pending = np.arange(keys.shape[0])
    found_l, found_c = [], []
    for delta in (2, 4, 7, 12, 20, 1 << 30):
        if len(pending) == 0:
            break
        sub = keys if len(pending) == keys.shape[0] else keys[pending]
        floor = np.maximum(top[pending] - delta, 1)
        flat = np.flatnonzero(sub >= floor[:, None].astype(keys.dtype))
        local, cols = np.divmod(flat, width)
        done = (np.bincount(local, minlength=len(pending)) >= k) | (floor <= 1)
        take = done[local]
        found_l.append(pending[local[take]])
        found_c.append(cols[take])
        pending = pending[~done]
    return np.concatenate(found_l), np.concatenate(found_c)


def _row_candidates(ctx: _Context, rows: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Each row's k best allowed mentors by (score, pair hash)."""
    if k <= 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    local, cols = _near_top(keys, k)
    key = keys[local, cols]
    i = rows[local]
    keep = _top_per_row(local, key, pair_hash(ctx.mentee_hash[i], ctx.mentor_hash[cols]), k)
    return i[keep], cols[keep], key[keep].astype(np.int64) - 1


def _column_best(keys: np.ndarray, per_block: int) -> np.ndarray:
    """(per_block, mentors): each mentor's best keys in the block with their rows, key · 256 + (255 − row).

    One per block (the usual case, many small blocks) is a single max over the block.
    """
    if per_block == 1:
        code = (255 - np.arange(keys.shape[0])).astype(np.uint16 if keys.dtype == np.uint8 else np.int64)
        combined = np.left_shift(keys, 8, dtype=np.uint16) if keys.dtype == np.uint8 else keys << 8
        np.bitwise_or(combined, code[:, None], out=combined)
        return combined.max(axis=0).astype(np.int64)[None, :]
    top = np.argpartition(keys, keys.shape[0] - per_block, axis=0)[keys.shape[0] - per_block:]
    cols = np.arange(keys.shape[1])[None, :]
    return (keys[top, cols].astype(np.int64) << 8) | (255 - top)


def _candidates(ctx: _Context, k: int, m: np.ndarray) -> _Arcs:
    """Pass 1: the top-k mentors of each mentee and the top-m mentees of each mentor."""
    keys_of = key_function(ctx.scorer)
    step = block_size(ctx.m)
    starts = list(range(0, ctx.n, step))
    if not starts or ctx.m == 0:
        return _Arcs.merge(ctx, [])
    per_block = min(step, -(-int(m.max(initial=1)) // len(starts)))  # enough for the top m over all blocks

    def one(start: int) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        rows = ctx.order[start:start + step]
        keys = keys_of(rows)
        return _row_candidates(ctx, rows, keys, k), _column_best(keys, min(per_block, len(rows)))

    results = map_blocks(one, starts, ctx.threads)
    parts = [r[0] for r in results]
    best = np.concatenate([r[1] for r in results])
    block_start = np.repeat(np.asarray(starts), [len(r[1]) for r in results])
    parts.append(_column_candidates(ctx, best, block_start, m))
    return _Arcs.merge(ctx, parts)


def _column_candidates(ctx: _Context, best: np.ndarray, starts: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each mentor j's m[j] best mentees among the blocks' best, by (score, pair hash)."""
    key = best >> 8
    most = int(m.max(initial=0))
    if most <= 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    floor = np.partition(key, len(key) - most, axis=0)[len(key) - most] if len(key) > most else np.zeros(ctx.m, np.int64)
    b, j = np.nonzero(key >= np.maximum(floor, 1)[None, :])
    i = ctx.order[starts[b] + 255 - (best[b, j] & 255)]
    keep = _top_per_row(j, key[b, j], pair_hash(ctx.mentee_hash[i], ctx.mentor_hash[j]), m)
    return i[keep], j[keep], key[b[keep], j[keep]] - 1


def _all_pairs(ctx: _Context) -> _Arcs:
    """Every allowed pair (the full graph)."""
    keys_of = key_function(ctx.scorer)
    step = block_size(ctx.m)

    def one(start: int) -> tuple[np.ndarray, ...]:
        rows = ctx.order[start:start + step]
        keys = keys_of(rows)
        local, cols = np.divmod(np.flatnonzero(keys), keys.shape[1])
        return rows[local].astype(np.int32), cols.astype(np.int32), (keys[local, cols] - 1).astype(np.uint8 if keys.dtype == np.uint8 else np.int64)

    return _Arcs.merge(ctx, map_blocks(one, range(0, ctx.n, step), ctx.threads))


@dataclass(frozen=True)
class _Graph:
    """The flow network of a candidate graph: only people with an arc are nodes.

    Node numbers: mentees (canonical order) 0..a−1, mentors a..a+b−1, then s and t.
    """

    arcs: _Arcs
    mentees: np.ndarray  # input index of each mentee node
    mentors: np.ndarray  # input index of each mentor node
    tail: np.ndarray  # per arc: mentee node
    head: np.ndarray  # per arc: mentor node
    weight: np.ndarray  # per arc: w' without the participation bonus

    @classmethod
    def of(cls, ctx: _Context, arcs: _Arcs) -> _Graph:
        mentee_ranks, tail = np.unique(ctx.mentee_rank[arcs.i], return_inverse=True)
        mentor_ranks, head = np.unique(ctx.mentor_rank[arcs.j], return_inverse=True)
        w = ctx.weighting.weights(arcs.score, ctx.mentee_hash[arcs.i], ctx.mentor_hash[arcs.j], with_bonus=False)
        return cls(arcs, ctx.order[mentee_ranks], ctx.mentor_order[mentor_ranks], tail.reshape(-1),
                   len(mentee_ranks) + head.reshape(-1), w)

    @property
    def s(self) -> int:
        return len(self.mentees) + len(self.mentors)

    @property
    def t(self) -> int:
        return self.s + 1


def _min_cost_flow() -> Any:
    """OR-Tools' min-cost flow: imported when pairing runs, so the rest of the package works where OR-Tools
    cannot be installed (xlwings Lite runs Python in the browser, and OR-Tools has no build for it)."""
    try:
        from ortools.graph.python import min_cost_flow
    except ImportError:
        raise BookError("Подбор пар здесь недоступен: нет решателя OR-Tools (его нельзя установить в xlwings "
                        "Lite). Подберите пары через сервер МНЦ или командой «nastavnik pair» на компьютере с "
                        "Python.", code="no-solver") from None
    return min_cost_flow


def _flow_network(ctx: _Context, g: _Graph) -> Any:
    """s → mentee (1), mentee → mentor (1, cost −w'), mentor → t (its free places); s → t for "score"."""
    min_cost_flow = _min_cost_flow()
    a, b = len(g.mentees), len(g.mentors)
    bypass = ctx.weighting.objective == "score"
    tails = np.concatenate([g.tail, np.full(a, g.s), np.arange(a, a + b), [g.s] * bypass])
    heads = np.concatenate([g.head, np.arange(a), np.full(b, g.t), [g.t] * bypass])
    caps = np.concatenate([np.ones(len(g.tail) + a, np.int64), ctx.capacity[g.mentors], [a] * bypass])
    costs = np.concatenate([-g.weight, np.zeros(a + b + bypass, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                              caps.astype(np.int64), costs.astype(np.int64))
    flow.set_nodes_supplies(np.array([g.s, g.t], np.int32), np.array([a, -a], np.int64))
    return flow


def _solve_flow(ctx: _Context, arcs: _Arcs) -> _Flow:
    """Exact min-cost flow on the candidate graph, then dual prices that certify it.

    ``participation``: the maximum flow of least cost, so the bonus stays out of the costs (the
    duals add it back, see :func:`_duals`); ``score``: a bypass arc s → t lets mentees go unmatched.
    """
    t0 = time.perf_counter()
    g = _Graph.of(ctx, arcs)
    flow = _flow_network(ctx, g)
    status = flow.solve() if ctx.weighting.objective == "score" else flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    x = np.asarray(flow.flows(np.arange(len(arcs), dtype=np.int32))).astype(bool)
    t1 = time.perf_counter()
    u, v, value, price = _duals(ctx, g, x)
    assigned = np.full(ctx.n, -1, dtype=np.int64)
    assigned[arcs.i[x]] = arcs.j[x]
    return _Flow(assigned, u, v, value, price, {"flow": t1 - t0, "duals": time.perf_counter() - t1})


def _duals(ctx: _Context, g: _Graph, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """u, v ≥ 0 from shortest-path potentials π of the residual graph.

    Reduced costs c + π(tail) − π(head) are ≥ 0 on every residual arc of an optimal flow. With
    u_i = π_i − π_s, v_j = π_t − π_j and λ = π_s − π_t, every arc then has u_i + v_j + λ ≥ w_ij;
    clamping at 0 and setting u_i = w_ij − v_j − λ on the chosen pairs gives complementary
    slackness, so Σu + Σc·v + K·λ equals the flow's weight (K its size; λ = 0 with the bypass).
    For ``participation`` the nodes reachable from s give a minimum vertex cover (König): the
    unreached mentees and the reached mentors, |A| + Σ_B c = K. Adding bonus + λ to their prices
    covers every pair's bonus and gives Σu + Σc·v = K·bonus + weight: no λ left.

    Also returns the same prices in score points for explanations (without the bonus, λ on the
    cover): a pair's score is at most its mentee's value plus its mentor's price (up to the
    tie-break, below one point), with equality on chosen pairs.
    """
    a, b = len(g.mentees), len(g.mentors)
    cap = ctx.capacity[g.mentors]
    matched = np.zeros(a, dtype=bool)
    matched[g.tail[x]] = True
    load = np.bincount(g.head[x] - a, minlength=b)
    mentee_nodes, mentor_nodes = np.arange(a), np.arange(a, a + b)
    spare, used = mentor_nodes[load < cap], mentor_nodes[load > 0]
    tails = [np.where(x, g.head, g.tail), np.where(matched, mentee_nodes, g.s), spare, np.full(len(used), g.t)]
    heads = [np.where(x, g.tail, g.head), np.where(matched, g.s, mentee_nodes), np.full(len(spare), g.t), used]
    costs = [np.where(x, g.weight, -g.weight), np.zeros(a + len(spare) + len(used), np.int64)]
    if ctx.weighting.objective == "score":
        tails.append(np.array([g.s, g.t]))
        heads.append(np.array([g.t, g.s]))
        costs.append(np.zeros(2, np.int64))
    tail, head, cost = np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)
    to_mentors = np.zeros(a + b + 2, dtype=bool)
    to_mentors[a:a + b] = to_mentors[g.t] = True
    pi = _potentials(a + b + 2, tail, head, cost, to_mentors)
    lam = int(pi[g.s] - pi[g.t])
    v_local = np.maximum(0, pi[g.t] - pi[a:a + b])
    u_local = np.zeros(a, dtype=np.int64)
    u_local[g.tail[x]] = g.weight[x] - v_local[g.head[x] - a] - lam
    points_u, points_v = u_local.astype(np.float64), v_local.astype(np.float64)
    if ctx.weighting.objective == "participation":
        reach = _reachable(a + b + 2, tail, head, g.s)
        cover_u, cover_v = ~reach[:a], reach[a:a + b]
        lift = ctx.weighting.bonus + lam
        u_local += np.where(cover_u, lift, 0)
        v_local += np.where(cover_v, lift, 0)
        points_u += np.where(cover_u, lam, 0)  # the λ-form: score ≤ value + price on every pair
        points_v += np.where(cover_v, lam, 0)
    return _spread(ctx, g, u_local, v_local, points_u / ctx.weighting.scale, points_v / ctx.weighting.scale)


def _reachable(size: int, tail: np.ndarray, head: np.ndarray, source: int) -> np.ndarray:
    """Nodes reachable from ``source`` along the arcs (breadth first, a whole frontier at a time)."""
    order = np.argsort(tail, kind="stable")
    ptr = np.searchsorted(tail[order], np.arange(size + 1))
    heads = head[order]
    seen = np.zeros(size, dtype=bool)
    seen[source] = True
    frontier = np.array([source])
    while len(frontier):
        start, count = ptr[frontier], ptr[frontier + 1] - ptr[frontier]
        at = np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        nxt = np.unique(heads[at])
        frontier = nxt[~seen[nxt]]
        seen[frontier] = True
    return seen


def _spread(ctx: _Context, g: _Graph, u_local: np.ndarray, v_local: np.ndarray, points_u: np.ndarray,
           points_v: np.ndarray) -> tuple[np.ndarray, ...]:
    """The graph's duals spread over every mentee and mentor (0 for those outside the graph)."""
    u, v = np.zeros(ctx.n, dtype=np.int64), np.zeros(ctx.m, dtype=np.int64)
    value, price = np.zeros(ctx.n), np.zeros(ctx.m)
    u[g.mentees], v[g.mentors] = u_local, v_local
    value[g.mentees], price[g.mentors] = points_u, points_v
    closed = ctx.capacity <= 0
    v[closed], price[closed] = ctx.weighting.ceiling, np.inf
    return u, v, value, price


def _potentials(size: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Shortest distances to every node from a virtual root linked to all nodes at cost 0.

    Bellman–Ford in vectorised sweeps, exact in int64: all arcs into the nodes marked ``first``
    are relaxed at once (the minimum per head by ``reduceat``), then all the others with the
    new distances. In the bipartite residual graph that is one alternating step each. An optimal
    flow's residual graph has no negative cycle, so the sweeps stop after about half as many
    rounds as the longest shortest path has arcs (tens here).
    """
    groups = []
    for part in (first[head], ~first[head]):
        t, h, c = tail[part], head[part], cost[part]
        order = np.argsort(h.astype(np.uint16) if size <= 1 << 16 else h, kind="stable")  # radix sort
        t, h, c = t[order], h[order], c[order]
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if len(h) else np.empty(0, np.int64)
        groups.append((t, c, starts, h[starts]))
    dist = np.zeros(size, dtype=np.int64)
    for _ in range(size + 1):
        changed = False
        for t, c, starts, heads in groups:
            if len(heads) == 0:
                continue
            best = np.minimum.reduceat(dist[t] + c, starts)
            better = best < dist[heads]
            if better.any():
                dist[heads[better]] = best[better]
                changed = True
        if not changed:
            return dist
    raise RuntimeError("the residual graph has a negative cycle: the flow is not optimal")


def _context(scorer: Scorer, capacity: np.ndarray, mentee_keys: Sequence[str], mentor_keys: Sequence[str],
             objective: str, threads: int | None) -> _Context:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    n, m = scorer.n_mentees, scorer.n_mentors
    cap = np.asarray(capacity, dtype=np.int64).reshape(-1)
    if cap.shape != (m,) or (cap < 0).any():
        raise ValueError("capacity needs one non-negative integer per mentor")
    if len(mentee_keys) != n or len(mentor_keys) != m:
        raise ValueError("one ID per mentee and per mentor is needed")
    order, mentee_rank = _canonical_ranks(list(map(str, mentee_keys)), "mentee")
    mentor_order, mentor_rank = _canonical_ranks(list(map(str, mentor_keys)), "mentor")
    weighting = Weighting.for_instance(objective, scorer.max_score, n, m, cap)
    return _Context(scorer, cap, weighting, key_hashes(mentee_keys, "mentee"), key_hashes(mentor_keys, "mentor"),
                    order, mentee_rank, mentor_rank, mentor_order, threads)


def _scan(ctx: _Context, flow: _Flow, **near: int) -> ScanResult:
    return scan(ctx.scorer, ctx.capacity, flow.assigned, flow.u, flow.v, ctx.weighting, ctx.mentee_hash,
                ctx.mentor_hash, threads=ctx.threads, order=ctx.order, **near)


def _scores_of(ctx: _Context, mentees: np.ndarray, mentors: np.ndarray, arcs: _Arcs) -> np.ndarray:
    """The scores of these (mentee, mentor) pairs, all arcs of the graph."""
    ids = ctx.mentee_rank[arcs.i] * ctx.m + ctx.mentor_rank[arcs.j]  # sorted: arcs are in canonical order
    return arcs.score[np.searchsorted(ids, ctx.mentee_rank[mentees] * ctx.m + ctx.mentor_rank[mentors])]


def solve(scorer: Scorer, capacity: np.ndarray, mentee_keys: Sequence[str], mentor_keys: Sequence[str],
          objective: str = "participation", *, top_k: int = 4, top_m: int = 40, top_m_per_place: int = 0,
          max_rounds: int = 4,
          near_points: int = 2, near_per_mentee: int = 16, close_per_mentee: int = 48,
          full_graph_pairs: int = FULL_GRAPH_PAIRS,
          threads: int | None = 1) -> Solution:
    """The optimal assignment for ``objective``, with its certificate and dual prices.

    ``capacity[j]`` is mentor j's number of free places; ``mentee_keys`` / ``mentor_keys`` are
    the unique IDs that decide ties. ``threads`` bounds the scoring threads (default: all cores);
    the result does not depend on it.

    Rounds: the first graph holds each mentee's ``top_k`` best pairs and each mentor's
    ``top_m + top_m_per_place · capacity``.
    Its dual prices are close to the final ones, so the second graph is every pair within
    ``near_points`` score points of tight under them (at most ``near_per_mentee`` per mentee, or
    ``close_per_mentee`` of those within one point) plus the current pairs: small, and it almost always contains the optimum. Later rounds
    only add pairs; after ``max_rounds`` the full graph is solved.
    """
    start = time.perf_counter()
    ctx = _context(scorer, capacity, mentee_keys, mentor_keys, objective, threads)
    seconds: dict[str, float] = {"candidates": 0.0, "flow": 0.0, "duals": 0.0, "scan": 0.0}
    full = ctx.n * ctx.m <= full_graph_pairs
    t = time.perf_counter()
    arcs = _all_pairs(ctx) if full else _candidates(ctx, top_k, top_m + top_m_per_place * ctx.capacity)
    seconds["candidates"] += time.perf_counter() - t
    rounds, graph_sizes, violations = 0, [], []
    while True:
        rounds += 1
        graph_sizes.append(len(arcs))
        flow = _solve_flow(ctx, arcs)
        for key, value in flow.seconds.items():
            seconds[key] += value
        t = time.perf_counter()
        near = {"collect": near_per_mentee, "collect_close": close_per_mentee, "margin": near_points}
        # the first round's prices only guide the next graph; later rounds are usually the proof
        found = _scan(ctx, flow, **(near if rounds == 1 and not full else {}))
        seconds["scan"] += time.perf_counter() - t
        violations.append(found.violations)
        if full or found.violations == 0:
            break
        t = time.perf_counter()
        if rounds >= max_rounds:
            full = True
            arcs = _all_pairs(ctx)
        else:
            if rounds > 1:
                found = _scan(ctx, flow, **near)
            mentees = np.flatnonzero(flow.assigned >= 0)
            current = (mentees, flow.assigned[mentees], _scores_of(ctx, mentees, flow.assigned[mentees], arcs))
            kept = [] if rounds == 1 else [(arcs.i, arcs.j, arcs.score)]
            arcs = _Arcs.merge(ctx, [*kept, current, *found.violators])
        seconds["candidates"] += time.perf_counter() - t
    method = "full graph" if full and rounds == 1 else ("full graph fallback" if full else "sparse graph")
    n_pairs = int((flow.assigned >= 0).sum())
    certificate = replace(certificate_from(found, n_pairs, flow.u, flow.v, ctx.capacity, ctx.weighting),
                          rounds=rounds, method=f"{method} + lp-duality")
    mentees = np.flatnonzero(flow.assigned >= 0)
    pairs = [(int(i), int(j)) for i, j in zip(mentees, flow.assigned[mentees])]
    stats = {
        "seconds": {key: round(value, 4) for key, value in seconds.items()},
        "total_seconds": round(time.perf_counter() - start, 4),
        "graph_arcs": graph_sizes,
        "violations": violations,
        "rounds": rounds,
        "pairs_checked": found.pairs_checked,
        "scale": ctx.weighting.scale,
        "tie_bits": ctx.weighting.tie_bits,
        "bonus": ctx.weighting.bonus,
    }
    return Solution(pairs, found.score_sum, len(pairs), objective, certificate, flow.u, flow.v, stats, ctx.weighting,
                    flow.value, flow.price)
