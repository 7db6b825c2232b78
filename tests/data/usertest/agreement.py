"""Agreement of a batch's shortlists with the expert's top-3 (``choix_expert.csv``).

``python tests/data/usertest/agreement.py OUT [OUT...]`` prints, per position, the expert's
choices and the engine's top-3, then (a) the names in common between the two top-3 over all
positions and (b) the first choices that agree.
"""

from __future__ import annotations

import collections
import csv
import sys
from pathlib import Path

EXPERT = Path(__file__).resolve().parent / "choix_expert.csv"


def main(outs: list[str]) -> None:
    expert = collections.defaultdict(list)
    with open(EXPERT, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            expert[r["position_id"]].append(r["profile_id"])
    for out in outs:
        engine = collections.defaultdict(list)
        with open(Path(out) / "shortlists.csv", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        for r in sorted(rows, key=lambda r: (r["position_id"], int(r["rank"]))):
            engine[r["position_id"]].append((r["profile_id"], float(r["score"])))
        common = first = total = 0
        print("==", out)
        for pid in sorted(expert):
            e, g = expert[pid], [x for x, _ in engine[pid][:3]]
            c = len(set(e) & set(g))
            f = bool(g) and g[0] == e[0]
            common, first, total = common + c, first + f, total + len(e)
            print(pid, "expert", e, "engine", [(x, round(s, 3)) for x, s in engine[pid][:3]], "common", c, "first" if f else "")
        print(f"names in common {common}/{total}; first choices {first}/{len(expert)}")


if __name__ == "__main__":
    main(sys.argv[1:])
