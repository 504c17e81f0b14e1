"""Agreement of trajectory CSVs by the project's metric: max |a-b|/|b| over
the rows where |b| >= 1e-6, for conc, wbc, blast percentages and LT.
usage: compare.py REFERENCE.csv OTHER.csv [OTHER.csv ...]; prints one line
per file and exits 1 when any exceeds 1e-6."""
import csv
import sys

COLS = ["conc_mg_per_L", "wbc", "blast_pb_pct", "blast_bm_pct", "LT"]


def load(path):
    with open(path) as f:
        return {round(float(r["day"]), 6): r for r in csv.DictReader(f)}


ref = load(sys.argv[1])
worst_all = 0.0
for path in sys.argv[2:]:
    other = load(path)
    worst, where = 0.0, ""
    for day, b in ref.items():
        a = other.get(day)
        if a is None:
            print("%s: day %g missing" % (path, day))
            sys.exit(1)
        for c in COLS:
            bv, av = float(b[c]), float(a[c])
            if abs(bv) >= 1e-6:
                e = abs(av - bv) / abs(bv)
                if e > worst:
                    worst, where = e, "%s at day %g" % (c, day)
    print("%-60s max rel. difference %.2e (%s)" % (path, worst, where))
    worst_all = max(worst_all, worst)
sys.exit(0 if worst_all <= 1e-6 else 1)
