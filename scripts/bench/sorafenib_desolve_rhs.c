/*
 * sorafenib_desolve_rhs.c -- compiled right-hand side of the sorafenib /
 * FLT3-ITD AML model (docs/model.md) for deSolve's compiled-model
 * interface.  Written from the model specification alone (independent peer implementation).
 *
 *   R CMD SHLIB sorafenib_desolve_rhs.c
 *   dyn.load(...); lsoda(y, times, func = "derivs", parms = p,
 *                        dllname = "sorafenib_desolve_rhs",
 *                        initfunc = "initmod", nout = 5, events = ...)
 *
 * State vector (22 entries; the first 21 are the model, the 22nd carries
 * the time of the last dose):
 *   0 A0  1 A1  2 A2  3 A3  4 A4  5 Ac  6 Agb        (mg)
 *   7 Q   8 Ls  9 Lr                                 (pre-treatment burden)
 *  10 B  11 D1 12 D2 13 D3 14 M                      (10^9/L)
 *  15 P  16 T1 17 T2 18 T3 19 N  20 Le
 *  21 tlast  -- time (days) of the latest dose; dtlast/dt = 0.  The deSolve
 *              events table sets it ("replace") at every dose, together with
 *              the "add" of D*F_rel(D) to A0.  Before the first dose it holds
 *              a sentinel > any t (1e30), so tad < 0 and Ehc = 0.
 * Passing tlast as a state (rather than a forcing or a findInterval() on the
 * dose times) makes every rhs evaluation of the segment that ends at a dose
 * use the PREVIOUS dose (Ehc ~ 1 up to and including t = t_dose), and every
 * evaluation after deSolve has applied the event and restarted the solver
 * use the new one (Ehc = 0 at t = t_dose): exactly "restart at every dose".
 *
 * Time unit: days.  All rates in parms are per day (converted in R).
 */
#include <R.h>
#include <math.h>

#define NPAR 32
static double parms[NPAR];

#define ka      parms[0]   /* 24*5/MAT_h                     1/day */
#define kel     parms[1]   /* 24*CL/V                        1/day */
#define kEhc    parms[2]   /* 24*kEhc_per_h                  1/day */
#define tp_h    parms[3]   /* gallbladder emptying onset     h     */
#define Fent    parms[4]
#define Vc      parms[5]   /* L */
#define EC50    parms[6]
#define hill    parms[7]
#define EmaxL   parms[8]
#define rho     parms[9]
#define EmaxN   parms[10]
#define EC50N   parms[11]
#define g       parms[12]
#define Kcap    parms[13]
#define kQ      parms[14]
#define Qn      parms[15]
#define kx      parms[16]
#define phi     parms[17]
#define kB      parms[18]
#define B0      parms[19]
#define X0      parms[20]
#define delta   parms[21]
#define ktrD    parms[22]  /* 3/MTT_D */
#define kM      parms[23]
#define M0      parms[24]
#define ktr     parms[25]  /* 24*4/MTT_h */
#define Nset    parms[26]
#define gam     parms[27]
#define kappa   parms[28]
#define kS      parms[29]
#define N0      parms[30]
#define bbm     parms[31]

static double nfe_count = 0.0;   /* rhs calls, read with .C("sor_get_nfe") */

void initmod(void (*odeparms)(int *, double *))
{
    int N = NPAR;
    odeparms(&N, parms);
}

void sor_get_nfe(double *n) { *n = nfe_count; }
void sor_reset_nfe(void) { nfe_count = 0.0; }

/* Hill term x^h/(e^h + x^h) for x >= 0 (x <= 0 -> 0) */
static double hillfun(double x, double e, double h)
{
    double xh, eh;
    if (x <= 0.0) return 0.0;
    if (h == 1.0) return x / (e + x);
    xh = pow(x, h);
    eh = pow(e, h);
    return xh / (eh + xh);
}

void derivs(int *neq, double *t, double *y, double *ydot,
            double *yout, int *ip)
{
    double A0 = y[0], A1 = y[1], A2 = y[2], A3 = y[3], A4 = y[4];
    double Ac = y[5], Agb = y[6];
    double Q = y[7], Ls = y[8], Lr = y[9], B = y[10];
    double D1 = y[11], D2 = y[12], D3 = y[13], M = y[14];
    double P = y[15], T1 = y[16], T2 = y[17], T3 = y[18], N = y[19];
    double Le = y[20], tlast = y[21];
    double tad_h, r, r40, ehc, rel, C, Cp, I, ES, ER, EN;
    double LT, X, grow, J, S, fb;

    nfe_count += 1.0;

    /* enterohepatic switch: tad in hours since the latest dose */
    tad_h = 24.0 * (*t - tlast);
    if (tad_h <= 0.0) {
        ehc = 0.0;
    } else {
        r = tad_h / tp_h;
        if (r <= 1.0) {
            r40 = pow(r, 40.0);
            ehc = r40 / (1.0 + r40);
        } else {
            ehc = 1.0 / (1.0 + pow(r, -40.0));
        }
    }
    rel = ehc * kEhc * Agb;

    ydot[0] = -ka * A0;
    ydot[1] = ka * (A0 - A1);
    ydot[2] = ka * (A1 - A2);
    ydot[3] = ka * (A2 - A3);
    ydot[4] = ka * (A3 - A4) + rel;
    ydot[5] = ka * A4 - kel * Ac;
    ydot[6] = Fent * kel * Ac - rel;

    /* drug effects (C clamped at 0 inside the effect terms only) */
    C = Ac / Vc;
    Cp = C > 0.0 ? C : 0.0;
    I  = hillfun(Cp, EC50, hill);
    ES = EmaxL * I;
    ER = EmaxL * hillfun(Cp, rho * EC50, hill);
    EN = EmaxN * Cp / (EC50N + Cp);

    /* leukemia */
    LT = Q + Ls + Lr;
    X = Ls + Lr;
    grow = 1.0 - LT / Kcap;
    J = kx * ((1.0 - I) * Q - phi / (1.0 - phi) * Ls);
    ydot[7]  = g * (1.0 - I) * Q * grow - kQ * I * Q * Q / (Q + Qn) - J;
    ydot[8]  = g * Ls * grow - ES * Ls + J;
    ydot[9]  = g * Lr * grow - ER * Lr;
    ydot[10] = kB * B0 * X / X0 - kB * B;
    ydot[11] = delta * B0 * ES * Ls / X0 - ktrD * D1;
    ydot[12] = ktrD * (D1 - D2);
    ydot[13] = ktrD * (D2 - D3);
    ydot[14] = kM * M0 * X / X0 + ktrD * D3 - kM * M;

    /* normal leukocytes with leukemic suppression */
    S = 1.0 / (1.0 + kappa * Le);
    fb = pow(Nset / (N > 1e-12 ? N : 1e-12), gam);
    ydot[15] = ktr * P * (1.0 - EN) * fb * S - ktr * P;
    ydot[16] = ktr * (P - T1);
    ydot[17] = ktr * (T1 - T2);
    ydot[18] = ktr * (T2 - T3);
    ydot[19] = ktr * (T3 - N);
    ydot[20] = kS * (LT - Le);
    ydot[21] = 0.0;

    if (ip[0] >= 5) {
        double wbc = N + M + B;
        double num = bbm * LT, den = bbm * LT + (1.0 - bbm) * P / N0;
        yout[0] = C;
        yout[1] = wbc;
        yout[2] = 100.0 * B / wbc;
        yout[3] = (LT == 0.0 && P == 0.0) ? 0.0 : 100.0 * num / den;
        yout[4] = LT;
    }
}
