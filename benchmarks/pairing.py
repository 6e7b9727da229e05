"""Pairing benchmark: the exact sparse solver against the full-graph flow, greedy and mentor-match.

    python benchmarks/pairing.py [--sizes 500x100,2000x500,20000x5000] [--repeat 3]
                                 [--objective participation] [--no-full] [--no-mentor-match]

Instances come from ``nastavnik_xl.actions.pairing.generator`` (5 forms, ~40 skewed tags, many
near-ties, capacity 0–4, about 30 % of pairs forbidden). Every method runs in its own
subprocess so that its peak memory (``ru_maxrss``) is its own; times are in-process, best of
``--repeat`` for ours. The full-graph OR-Tools flow gets the same integer weights w' (score,
ID tie-break, participation bonus) so its optimum must equal ours exactly. ``mentor-match``
(Munkres in rounds, one mentee per mentor per round) gets our scores through a rule of its
own kind, one round per free place, and runs on the 2,000 × 500 instance only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.graph.python import min_cost_flow

from nastavnik_xl.actions.pairing import solver
from nastavnik_xl.actions.pairing.certificate import block_size, key_hashes, pair_hash
from nastavnik_xl.actions.pairing.generator import Instance, generate
from nastavnik_xl.actions.pairing.scorer import key_function

SEED = 7


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instance(size: str) -> Instance:
    n, m = (int(x) for x in size.split("x"))
    return generate(n, m, seed=SEED)


def run_ours(inst: Instance, objective: str, repeat: int) -> dict:
    before = peak_mib()
    times, cpu, sol = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        sol = solver.solve(inst.scorer, inst.capacity, inst.mentee_keys, inst.mentor_keys, objective)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert sol is not None
    return {"seconds": min(times), "cpu": min(cpu), "matched": sol.matched, "score": sol.total_score, "proven": sol.certificate.valid,
            "primal": sol.certificate.primal, "pairs_checked": sol.certificate.pairs_checked,
            "rounds": sol.certificate.rounds, "arcs": sol.stats["graph_arcs"], "parts": sol.stats["seconds"],
            "rss_before": before}


def run_full_flow(inst: Instance, objective: str) -> dict:
    """OR-Tools min-cost flow on every allowed pair with the same weights; arrays filled in place."""
    start = time.perf_counter()
    ctx = solver._context(inst.scorer, inst.capacity, inst.mentee_keys, inst.mentor_keys, objective, 1)
    n, m, step = ctx.n, ctx.m, block_size(ctx.m)
    keys_of = key_function(inst.scorer)
    count = sum(int(np.count_nonzero(keys_of(np.arange(b, min(n, b + step))))) for b in range(0, n, step))
    bypass = objective == "score"
    total = count + n + m + bypass
    tails, heads = np.empty(total, np.int32), np.empty(total, np.int32)
    costs, caps = np.zeros(total, np.int64), np.ones(total, np.int64)
    at = 0
    for b in range(0, n, step):
        keys = keys_of(np.arange(b, min(n, b + step)))
        local, cols = np.divmod(np.flatnonzero(keys), m)
        i = b + local
        tails[at:at + len(i)], heads[at:at + len(i)] = i, n + cols
        costs[at:at + len(i)] = -ctx.weighting.weights(keys[local, cols].astype(np.int64) - 1, ctx.mentee_hash[i],
                                                        ctx.mentor_hash[cols], with_bonus=False)
        at += len(i)
    s_node, t_node = n + m, n + m + 1
    tails[at:at + n], heads[at:at + n] = s_node, np.arange(n)
    tails[at + n:at + n + m], heads[at + n:at + n + m], caps[at + n:at + n + m] = n + np.arange(m), t_node, ctx.capacity
    if bypass:
        tails[-1], heads[-1], caps[-1] = s_node, t_node, n
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([s_node, t_node], np.int32), np.array([n, -n], np.int64))
    built = time.perf_counter()
    status = flow.solve() if bypass else flow.solve_max_flow_with_min_cost()
    solved = time.perf_counter()
    x = np.asarray(flow.flows(np.arange(count, dtype=np.int32))) > 0
    i, j = tails[:count][x].astype(np.int64), heads[:count][x].astype(np.int64) - n
    matched = len(i)
    primal = matched * ctx.weighting.bonus - int(costs[:count][x].sum())
    score = sum(int(inst.scorer.block(np.array([a]))[0, c]) for a, c in zip(i.tolist(), j.tolist()))
    return {"seconds": solved - start, "building": built - start, "solving": solved - built,
            "status": str(status), "arcs": count, "matched": matched, "score": score, "primal": primal}


def run_greedy(inst: Instance) -> dict:
    """Highest score first (ties by the ID hash), a pair taken while both sides are free.

    Over each mentee's 64 best pairs, then deeper lists for those left while places remain.
    """
    start = time.perf_counter()
    n, m = inst.scorer.n_mentees, inst.scorer.n_mentors
    keys_of = key_function(inst.scorer)
    mentee_hash, mentor_hash = key_hashes(inst.mentee_keys, "mentee"), key_hashes(inst.mentor_keys, "mentor")
    free = inst.capacity.copy()
    taken = np.zeros(n, dtype=bool)
    matched = total = 0
    depth = 64
    while free.sum() > 0 and not taken.all():
        i, j, s = _greedy_pool(keys_of, m, depth, np.flatnonzero(~taken), mentee_hash, mentor_hash)
        for a, b, c in zip(i.tolist(), j.tolist(), s.tolist()):
            if not taken[a] and free[b] > 0:
                taken[a] = True
                free[b] -= 1
                matched += 1
                total += c
        if depth >= m:
            break
        depth *= 4
    return {"seconds": time.perf_counter() - start, "matched": matched, "score": total}


def _greedy_pool(keys_of, m: int, depth: int, mentees: np.ndarray, mentee_hash: np.ndarray,
                 mentor_hash: np.ndarray) -> tuple[np.ndarray, ...]:
    """The listed mentees' ``depth`` best allowed pairs, best first (score, then hash)."""
    out_i, out_j, out_s = [], [], []
    take = min(depth, m)
    for start in range(0, len(mentees), block_size(m)):
        rows = mentees[start:start + block_size(m)]
        keys = keys_of(rows).astype(np.int16)
        top = np.argpartition(-keys, take - 1, axis=1)[:, :take]
        k = np.take_along_axis(keys, top, axis=1)
        ok = k > 0
        out_i.append(np.repeat(rows, take)[ok.ravel()])
        out_j.append(top[ok])
        out_s.append(k[ok].astype(np.int64) - 1)
    i, j, s = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)
    order = np.lexsort((~pair_hash(mentee_hash[i], mentor_hash[j]), -s))
    return i[order], j[order], s[order]


def run_mentor_match(inst: Instance) -> dict:
    """mentor-match as its README shows: people, rules, process_data; our scores as a rule."""
    from matching import process
    from matching.mentee import Mentee
    from matching.mentor import Mentor
    from matching.rules.rule import Disqualify

    scores = inst.scorer.block(np.arange(inst.scorer.n_mentees)).tolist()  # Python ints and bools:
    capacity = inst.capacity.tolist()  # the library tests ``value is True``, which numpy's bool fails
    start = time.perf_counter()
    mentors = [Mentor(grade=0, email=f"{k}@mentor") for k in inst.mentor_keys]
    mentees = [Mentee(grade=0, email=f"{k}@mentee") for k in inst.mentee_keys]
    mentor_index = {id(p): j for j, p in enumerate(mentors)}
    mentee_index = {id(p): i for i, p in enumerate(mentees)}

    class OurScore:
        """Adds our score; a rule in the library's sense (apply/evaluate)."""

        def evaluate(self, match) -> bool:
            return True

        def apply(self, match) -> int:
            return scores[mentee_index[id(match.mentee)]][mentor_index[id(match.mentor)]]

    def round_rules() -> list:
        return [
            OurScore(),
            Disqualify(lambda match: scores[mentee_index[id(match.mentee)]][mentor_index[id(match.mentor)]] < 0),
            Disqualify(lambda match: len(match.mentee.mentors) >= 1),
            Disqualify(lambda match: len(match.mentor.mentees) >= capacity[mentor_index[id(match.mentor)]]),
        ]

    process.process_data(mentors, mentees, [round_rules() for _ in range(max(capacity))])
    seconds = time.perf_counter() - start
    pairs = [(mentee_index[id(p)], mentor_index[id(q)]) for p in mentees for q in p.mentors]
    mentees_seen = [i for i, _ in pairs]
    load = np.bincount([j for _, j in pairs], minlength=len(mentors))
    feasible = len(set(mentees_seen)) == len(mentees_seen) and bool((load <= inst.capacity).all()) and all(
        scores[i][j] >= 0 for i, j in pairs)
    return {"seconds": seconds, "matched": len(pairs), "score": sum(scores[i][j] for i, j in pairs),
            "feasible": feasible}


def worker(method: str, size: str, objective: str, repeat: int) -> None:
    inst = instance(size)
    if method == "ours":
        result = run_ours(inst, objective, repeat)
    elif method == "full":
        result = run_full_flow(inst, objective)
    elif method == "greedy":
        result = run_greedy(inst)
    else:
        result = run_mentor_match(inst)
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


def measure(method: str, size: str, objective: str, repeat: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", method, "--sizes", size, "--objective", objective,
           "--repeat", str(repeat)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(size: str) -> str:
    inst = instance(size)
    n, m = inst.scorer.n_mentees, inst.scorer.n_mentors
    allowed = 0
    keys_of = key_function(inst.scorer)
    for start in range(0, n, block_size(m)):
        allowed += int(np.count_nonzero(keys_of(np.arange(start, min(n, start + block_size(m))))))
    return (f"{n:,} × {m:,}: {int(inst.capacity.sum()):,} places, {allowed:,} allowed pairs "
            f"({100 - 100 * allowed / (n * m):.0f} % forbidden)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500x100,2000x500,20000x5000")
    parser.add_argument("--objective", default="participation", choices=["participation", "score"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-full", action="store_true", help="skip the full-graph flow")
    parser.add_argument("--no-mentor-match", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.sizes, args.objective, args.repeat)
        return
    print(f"objective: {args.objective}; every method in its own process; memory = peak RSS of that process")
    print("| Instance | Method | Time | Peak RSS | Matched | Total score | vs ours | Proven optimal |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        print(f"<!-- {describe(size)} -->")
        ours = measure("ours", size, args.objective, args.repeat, 600)
        rows = [("ours (sparse + certificate)", ours)]
        if not args.no_full:
            rows.append(("OR-Tools min-cost flow, full graph", measure("full", size, args.objective, 1, 1200)))
        rows.append(("greedy (score first)", measure("greedy", size, args.objective, 1, 600)))
        if not args.no_mentor_match and size == "2000x500":
            rows.append(("mentor-match 7.0.1 (Munkres rounds)", measure("mentor", size, args.objective, 1, 1800)))
        for name, r in rows:
            print(row(size, name, r, ours))
            if "solving" in r:
                print(f"<!-- full graph {size}: {r['arcs']:,} arcs, scoring + building {r['building']:.2f} s, "
                      f"OR-Tools {r['solving']:.2f} s -->")
        if "parts" in ours:
            print(f"<!-- ours {size}: CPU {ours['cpu']:.3f} s, {ours['parts']}, graph arcs per round {ours['arcs']}, "
                  f"pairs checked {ours['pairs_checked']:,}; load average {os.getloadavg()[0]:.1f} -->")


def row(size: str, name: str, r: dict, ours: dict) -> str:
    if "error" in r:
        return f"| {size} | {name} | — | — | — | — | {r['error']} | — |"
    if name.startswith("ours"):
        versus, proven = "—", "yes" if r["proven"] else "NO"
    elif "primal" in r:
        versus = "same optimum" if r["primal"] == ours.get("primal") else "DIFFERENT"
        versus += f", {r['seconds'] / ours['seconds']:.1f}× our time" if ours.get('seconds') else ''
        proven = "optimal (no certificate)"
    else:
        gap = 100 * (r["score"] - ours["score"]) / max(ours["score"], 1)
        versus = f"score {gap:+.2f} %, matched {r['matched'] - ours['matched']:+d}"
        proven = "no" + ("" if r.get("feasible", True) else " (infeasible!)")
    seconds = r["seconds"]
    shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
    return (f"| {size} | {name} | {shown} | {r['peak_mib']:.0f} MiB | {r['matched']:,} | {r['score']:,} "
            f"| {versus} | {proven} |")


if __name__ == "__main__":
    main()
