#!/usr/bin/python3
"""Independent SciPy implementation of the sorafenib / FLT3-ITD AML model
(21 states), written from /work/shared/the model specification (docs/model.md) sections 1-5 and 9 only.

Usage: /usr/bin/python3 sorafenib_scipy.py METHOD REGIMEN RTOL OUT.csv
  METHOD  : odeint | lsoda (solve_ivp LSODA) | bdf (solve_ivp BDF)
  REGIMEN : bid400 | qd200 | pause | checkpoint
Integrates dose to dose (solver re-initialised at each dose), t = 0..221 days,
writes the grid t = 0, 0.25, ..., 221 (pre-dose values at dose times).
stderr: wall time of the integration (median of 3 runs if RTOL >= 1e-7) and
the total number of rhs evaluations; for `checkpoint` also the comparison
with the the model specification (docs/model.md) section 9 table.
"""
import math
import sys
import time

import numpy as np
from scipy.integrate import odeint, solve_ivp

# state indices
(A0, A1, A2, A3, A4, AC, AGB, Q, LS, LR, B, D1, D2, D3, M,
 P, T1, T2, T3, N, LE) = range(21)
NSTATE = 21
NAMES = ["A0", "A1", "A2", "A3", "A4", "Ac", "Agb", "Q", "Ls", "Lr", "B",
         "D1", "D2", "D3", "M", "P", "T1", "T2", "T3", "N", "Le"]

# absolute-tolerance scales (atol_i = RTOL * s_i)
SCALE = np.array([1.0] * 7 + [1e-12] * 3 + [1e-8] + [1e-6] * 4 +
                 [1e-4] * 5 + [1e-6])
assert len(SCALE) == NSTATE
# check mapping: D1..D3, M -> 1e-6 ; P,T1..T3,N -> 1e-4 ; Le -> 1e-6
assert SCALE[D1] == SCALE[M] == SCALE[LE] == 1e-6 and SCALE[P] == SCALE[N] == 1e-4

PRIOR = dict(
    # PK (section 1)
    MAT_h=1.98, CL_L_per_h=8.13, V_L=213.0, F_ent=0.498, tp_h=6.13,
    kEhc_per_h=0.857, D50_mg=math.inf, weight=80.0,
    # PD (section 6)
    EC50_mg_per_L=0.0693, hill=1.0, Emax_L_per_day=1.0, rho=3000.0,
    f_R0=1e-6, g_per_day=0.10, k_B_per_day=3.0, k_M_per_day=2.38,
    m0=0.5, delta=1.0, MTT_D_day=4.0, phi=0.3, kQ_per_day=0.1, Qn=1e-3,
    kx_per_day=0.05, k_S_per_day=math.log(2.0) / 7.0, Nstar=7.21,
    MTT_h=124.0, gamma=0.239, Emax_N=1.0, EC50_N_mg_per_L=100.0,
    # patient-specific
    WBC0=73.5, b0=0.84, b_bm=0.7,
)

CHECKPOINT_PARAMS = dict(weight=70.0, WBC0=20.0, b0=0.5, b_bm=0.6, m0=0.4,
                         delta=2.0, Emax_L_per_day=1.5, f_R0=1e-5, phi=0.4)

CHECK_COLS = ["conc_mg_per_L", "wbc", "blast_pb_pct", "blast_bm_pct", "Q",
              "Ls", "Lr", "B", "M", "N", "LT"]
CHECK_TABLE = {
    0.25: [0.9013449, 19.05642, 48.75169, 55.78168, 0.3955900, 0.4443478,
           1.000615e-05, 9.290325, 3.766092, 6.000000, 0.8399478],
    1: [1.501294, 12.43564, 35.07919, 44.44434, 0.3749019, 0.1540148,
        1.019386e-05, 4.362323, 2.073376, 5.999945, 0.5289268],
    7: [3.783042, 6.593464, 0.05386837, 26.22460, 0.2114738, 1.680814e-04,
        1.342209e-05, 0.003551792, 0.7818670, 5.808045, 0.2116553],
    30: [3.915881, 6.006203, 0.01962611, 3.350686, 0.02328092, 1.478522e-05,
         5.676601e-05, 0.001178784, 9.464282e-04, 6.004078, 0.02335247],
    60: [3.915883, 6.103371, 0.1250161, 0.3617114, 0.001989391, 1.239160e-06,
         4.673506e-04, 0.007630194, 0.003069271, 6.092672, 0.002457981],
    67: [0.1120676, 6.352336, 0.2310016, 0.2963997, 0.001425909, 2.094337e-05,
         8.905865e-04, 0.01467400, 0.005899594, 6.331763, 0.002337439],
    75: [3.280027, 6.967005, 0.3831186, 0.3642350, 9.478213e-04, 6.205503e-07,
         0.001639984, 0.02669190, 0.01066324, 6.929650, 0.002588426],
    90: [3.341203, 5.967099, 1.293685, 0.7786811, 5.245735e-04, 3.314981e-07,
         0.004743295, 0.07719544, 0.03070198, 5.859201, 0.005268200],
}
CHECK_DERIVED = dict(B0=10.0, M0=4.0, N0=6.0, Nset=7.21, kappa=0.04488472,
                     X0=0.6000040, Q0=0.3999960, Ls0=0.5999940)

T_END = 221.0
GRID = np.arange(0, int(round(T_END / 0.25)) + 1) * 0.25


def regimen(name):
    """List of (time_day, dose_mg)."""
    if name == "bid400":
        return [(0.5 * i, 400.0) for i in range(442)]          # 0 .. 220.5
    if name == "qd200":
        return [(1.0 * i, 200.0) for i in range(221)]          # 0 .. 220
    if name == "pause":
        return ([(0.5 * i, 400.0) for i in range(120)] +       # 0 .. 59.5
                [(67.0 + 0.5 * i, 400.0) for i in range(308)])  # 67 .. 220.5
    if name == "checkpoint":
        return ([(0.5 * i, 200.0) for i in range(120)] +       # 0 .. 59.5
                [(67.0 + i, 400.0) for i in range(23)])         # 67 .. 89
    raise SystemExit("unknown regimen %r" % name)


def derive(par):
    p = dict(par)
    V = p["V_L"] * p["weight"] / 80.0
    d = dict(
        V=V,
        ka=24.0 * 5.0 / p["MAT_h"],
        k=24.0 * p["CL_L_per_h"] / V,
        kEhc=24.0 * p["kEhc_per_h"],
        ktr=24.0 * 4.0 / p["MTT_h"],
        ktrD=3.0 / p["MTT_D_day"],
    )
    B0 = p["b0"] * p["WBC0"]
    NB0 = p["WBC0"] - B0
    M0 = p["m0"] * NB0
    N0 = (1.0 - p["m0"]) * NB0
    Nset = max(p["Nstar"], N0)
    kappa = (Nset / N0) ** p["gamma"] - 1.0
    fR, phi = p["f_R0"], p["phi"]
    Q0 = phi * (1.0 - fR)
    Ls0 = (1.0 - phi) * (1.0 - fR)
    Lr0 = fR
    X0 = Ls0 + Lr0
    d.update(B0=B0, NB0=NB0, M0=M0, N0=N0, Nset=Nset, kappa=kappa, X0=X0,
             Q0=Q0, Ls0=Ls0, Lr0=Lr0)
    y0 = np.zeros(NSTATE)
    y0[Q], y0[LS], y0[LR] = Q0, Ls0, Lr0
    y0[B], y0[M] = B0, M0
    y0[P] = y0[T1] = y0[T2] = y0[T3] = y0[N] = N0
    y0[LE] = 1.0
    d["y0"] = y0
    return p, d


def f_rel(D, D50):
    if math.isinf(D50):
        return 1.0
    return (1.0 + 400.0 / D50) / (1.0 + D / D50)


def ehc(tad_h, tp_h):
    """Gallbladder emptying switch; tad_h <= 0 (or no dose yet) -> 0."""
    if tad_h is None or tad_h <= 0.0:
        return 0.0
    r = tad_h / tp_h
    if r <= 1.0:
        r40 = r ** 40
        return r40 / (1.0 + r40)
    return 1.0 / (1.0 + r ** -40)


def make_rhs(p, d, counter):
    ka, k, kEhc, V = d["ka"], d["k"], d["kEhc"], d["V"]
    F_ent, tp_h = p["F_ent"], p["tp_h"]
    EC50, h, EmaxL, rho = p["EC50_mg_per_L"], p["hill"], p["Emax_L_per_day"], p["rho"]
    EmaxN, EC50N = p["Emax_N"], p["EC50_N_mg_per_L"]
    g, kB, kM, delta = p["g_per_day"], p["k_B_per_day"], p["k_M_per_day"], p["delta"]
    phi, kQ, Qn, kx, kS = p["phi"], p["kQ_per_day"], p["Qn"], p["kx_per_day"], p["k_S_per_day"]
    gam = p["gamma"]
    ktr, ktrD = d["ktr"], d["ktrD"]
    B0, M0, X0, Nset, kappa = d["B0"], d["M0"], d["X0"], d["Nset"], d["kappa"]
    K = 1.0
    EC50h = EC50 ** h
    rEC50h = (rho * EC50) ** h
    phir = phi / (1.0 - phi)

    def rhs(y, t, tdose):
        counter[0] += 1
        a0, a1, a2, a3, a4, ac, agb, q, ls, lr, b, d1, d2, d3, m, pp, t1, t2, t3, n, le = y
        # PK
        if tdose is None:
            e = 0.0
        else:
            tad_h = 24.0 * (t - tdose)
            if tad_h <= 0.0:
                e = 0.0
            else:
                r = tad_h / tp_h
                if r <= 1.0:
                    r40 = r ** 40
                    e = r40 / (1.0 + r40)
                else:
                    e = 1.0 / (1.0 + r ** -40)
        rel = e * kEhc * agb
        out_c = k * ac
        C = ac / V
        # drug effects
        if h == 1.0:
            Ch = C
        else:
            Ch = C ** h if C > 0.0 else 0.0
        I = Ch / (EC50h + Ch)
        ES = EmaxL * I
        ER = EmaxL * Ch / (rEC50h + Ch)
        EN = EmaxN * C / (EC50N + C)
        # leukemia
        LT = q + ls + lr
        X = ls + lr
        logi = 1.0 - LT / K
        J = kx * ((1.0 - I) * q - phir * ls)
        dq = g * (1.0 - I) * q * logi - kQ * I * q * q / (q + Qn) - J
        dls = g * ls * logi - ES * ls + J
        dlr = g * lr * logi - ER * lr
        db = kB * B0 * X / X0 - kB * b
        dd1 = delta * B0 * ES * ls / X0 - ktrD * d1
        dd2 = ktrD * (d1 - d2)
        dd3 = ktrD * (d2 - d3)
        dm = kM * M0 * X / X0 + ktrD * d3 - kM * m
        # normal leukocytes
        S = 1.0 / (1.0 + kappa * le)
        nf = n if n > 1e-12 else 1e-12
        dp = ktr * pp * (1.0 - EN) * (Nset / nf) ** gam * S - ktr * pp
        return [
            -ka * a0,
            ka * (a0 - a1),
            ka * (a1 - a2),
            ka * (a2 - a3),
            ka * (a3 - a4) + rel,
            ka * a4 - out_c,
            F_ent * out_c - rel,
            dq, dls, dlr, db, dd1, dd2, dd3, dm,
            dp,
            ktr * (pp - t1),
            ktr * (t1 - t2),
            ktr * (t2 - t3),
            ktr * t3 - ktr * n,
            kS * (LT - le),
        ]
    return rhs


def simulate(method, doses, par, rtol, t_end=T_END, grid=GRID):
    """Returns (states at grid [len(grid) x 21], nfev)."""
    p, d = derive(par)
    counter = [0]
    rhs = make_rhs(p, d, counter)
    atol = rtol * SCALE
    # merge doses at the same time
    dd = {}
    for t, D in doses:
        dd[t] = dd.get(t, 0.0) + D * f_rel(D, p["D50_mg"])
    dtimes = sorted(t for t in dd if t <= t_end)
    for a, b_ in zip(dtimes, dtimes[1:]):
        if 24.0 * (b_ - a) < 8.0:
            raise SystemExit("dosing interval under 8 h is refused")
    # segment boundaries
    bounds = sorted(set([0.0] + [t for t in dtimes if t < t_end] + [t_end]))
    out = np.full((len(grid), NSTATE), np.nan)
    gi = 0
    y = d["y0"].copy()
    tol = 1e-9
    # grid points at or before the start: initial state (pre-dose)
    while gi < len(grid) and grid[gi] <= bounds[0] + tol:
        out[gi] = y
        gi += 1
    tdose = None
    for s in range(len(bounds) - 1):
        t0, t1 = bounds[s], bounds[s + 1]
        if t0 in dd:                       # dose at segment start
            y = y.copy()
            y[A0] += dd[t0]
            tdose = t0
        # output points in (t0, t1]
        j = gi
        while j < len(grid) and grid[j] <= t1 + tol:
            j += 1
        pts = [float(x) for x in grid[gi:j]]
        if not pts or abs(pts[-1] - t1) > tol:
            teval = pts + [t1]
            last_is_grid = False
        else:
            teval = pts[:-1] + [t1]
            last_is_grid = True
        if method == "odeint":
            ts = [t0] + teval
            sol, info = odeint(rhs, y, ts, args=(tdose,), rtol=rtol, atol=atol,
                               tcrit=[t1], mxstep=1000000, full_output=True)
            if info["message"] != "Integration successful.":
                raise RuntimeError("odeint: %s at segment %g-%g" % (info["message"], t0, t1))
            ys = sol[1:]
        else:
            f = lambda t, yy: rhs(yy, t, tdose)
            sol = solve_ivp(f, (t0, t1), y, method={"lsoda": "LSODA", "bdf": "BDF"}[method],
                            t_eval=teval, rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError("%s: %s at segment %g-%g" % (method, sol.message, t0, t1))
            ys = sol.y.T
        npts = len(pts)
        out[gi:gi + npts] = ys[:npts]
        gi += npts
        y = np.array(ys[-1], dtype=float)
    assert gi == len(grid), (gi, len(grid))
    return out, counter[0], p, d


def observables(Y, p, d):
    C = Y[:, AC] / d["V"]
    wbc = Y[:, N] + Y[:, M] + Y[:, B]
    pb = 100.0 * Y[:, B] / wbc
    L = Y[:, Q] + Y[:, LS] + Y[:, LR]
    bbm = p["b_bm"]
    num = bbm * L
    den = bbm * L + (1.0 - bbm) * Y[:, P] / d["N0"]
    with np.errstate(invalid="ignore", divide="ignore"):
        bm = np.where((L == 0) & (Y[:, P] == 0), 0.0, 100.0 * num / den)
    return C, wbc, pb, bm, L


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    method, reg, rtol, outf = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    if method not in ("odeint", "lsoda", "bdf"):
        raise SystemExit("METHOD must be odeint, lsoda or bdf")
    par = dict(PRIOR)
    if reg == "checkpoint":
        par.update(CHECKPOINT_PARAMS)
    doses = regimen(reg)
    nrun = 3 if rtol >= 1e-7 else 1
    times = []
    for _ in range(nrun):
        t_start = time.perf_counter()
        Y, nfev, p, d = simulate(method, doses, par, rtol)
        times.append(time.perf_counter() - t_start)
    wall = sorted(times)[len(times) // 2]
    C, wbc, pb, bm, L = observables(Y, p, d)
    with open(outf, "w") as fh:
        fh.write("day,conc_mg_per_L,wbc,blast_pb_pct,blast_bm_pct,LT\n")
        for i, t in enumerate(GRID):
            fh.write("%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n"
                     % (t, C[i], wbc[i], pb[i], bm[i], L[i]))
    sys.stderr.write("method=%s regimen=%s rtol=%g wall_s=%.4f (median of %d: %s) nfev=%d\n"
                     % (method, reg, rtol, wall, nrun,
                        ",".join("%.4f" % x for x in times), nfev))
    if reg == "checkpoint":
        maxdev = 0.0
        for key in ("B0", "M0", "N0", "Nset", "kappa", "X0", "Q0", "Ls0"):
            ref = CHECK_DERIVED[key]
            sys.stderr.write("  derived %-5s = %.10g (table %.7g, rel dev %.2e)\n"
                             % (key, d[key], ref, abs(d[key] / ref - 1)))
        sys.stderr.write("  %6s %6s" % ("t", "") + "".join("%14s" % c[:13] for c in CHECK_COLS) + "\n")
        for t, ref in sorted(CHECK_TABLE.items()):
            i = int(round(t / 0.25))
            assert abs(GRID[i] - t) < 1e-12
            vals = [C[i], wbc[i], pb[i], bm[i], Y[i, Q], Y[i, LS], Y[i, LR],
                    Y[i, B], Y[i, M], Y[i, N], L[i]]
            devs = [abs(v / r - 1.0) for v, r in zip(vals, ref)]
            maxdev = max(maxdev, max(devs))
            sys.stderr.write("  %6g %6s" % (t, "model") + "".join("%14.7g" % v for v in vals) + "\n")
            sys.stderr.write("  %6s %6s" % ("", "reldev") + "".join("%14.2e" % v for v in devs) + "\n")
        sys.stderr.write("checkpoint max relative deviation from table: %.3e (%s)\n"
                         % (maxdev, "PASS < 1e-6" if maxdev < 1e-6 else "FAIL"))


if __name__ == "__main__":
    main()
