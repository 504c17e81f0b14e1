#!/usr/bin/env Rscript
# sorafenib_desolve.R -- independent deSolve implementation of the sorafenib /
# FLT3-ITD AML model of the model specification (docs/model.md) (sections 1-5; checkpoint of section 9),
# written from the specification alone, for benchmarking pksim.
#
# Usage:
#   Rscript scripts/bench/sorafenib_desolve.R REGIMEN RTOL OUT.csv [compiled]
#     REGIMEN  bid400 | qd200 | pause | checkpoint
#     RTOL     relative tolerance (atol_i = RTOL * s_i, see ATOL_SCALE below)
#     OUT.csv  day,conc_mg_per_L,wbc,blast_pb_pct,blast_bm_pct,LT on the grid
#              t = 0, 0.25, ..., 221 (checkpoint: ..., 90); values at a dose
#              time are those just BEFORE the dose
#     compiled use the C right-hand side sorafenib_desolve_rhs.c (built with
#              R CMD SHLIB into a cache dir under tempdir's parent if missing)
#   Environment (diagnostics only, not for the benchmark):
#     DESOLVE_TAD=findInterval  R rhs only: take the last dose time from
#              findInterval(t, dose_times) instead of the carried state (the
#              naive alternative; see "tad/Ehc and events" below).
#
# Solver: deSolve::lsoda (defaults otherwise: jt = 2, internally generated
# full Jacobian; hmax = max(diff(times)) = 0.25 d is deSolve's default).
#
# tad/Ehc and events -- what this script does and why:
#   Doses are a deSolve events data.frame: at each dose time t_d one row
#   (var "A0", method "add", value D*F_rel(D)) and one row (var "tlast",
#   method "replace", value t_d).  "tlast" is a 22nd state with zero
#   derivative that carries the time of the latest dose into the rhs (R or C).
#   deSolve with events integrates with itask = 4 and tcrit = next output
#   time (event times are output times), so no rhs evaluation ever happens
#   beyond a dose time before the dose event is applied; at the event it
#   applies the rows and restarts lsoda (istate = 1).  Hence
#     - every evaluation up to and INCLUDING t = t_d in the segment before
#       the dose uses the previous dose (Ehc ~ 1: smooth continuation),
#     - every evaluation after the event (from t = t_d on) uses t_d (tad = 0,
#       Ehc = 0 at the dose instant),
#   which is exactly the model specification (docs/model.md)'s "integration restarts at every dose" in one
#   lsoda call.  A findInterval() lookup of the last dose inside the rhs
#   cannot tell whether the evaluation at exactly t = t_d belongs to the
#   segment before the dose or after it (right-closed: the last corrector
#   evaluation of the pre-dose segment sees Ehc = 0 instead of ~1; left-open:
#   the restart sees Ehc ~ 1 instead of 0); error control then has to shrink
#   steps around every dose to bury that wrong value.  Integrating dose to
#   dose (one lsoda call per inter-dose interval, tlast a parameter) is
#   equivalent to the carried state but pays lsoda()'s R-level setup ~440
#   times.  The same events table and state vector serve the R and the C rhs.
#   Ties: deSolve would AVERAGE event rows with the same (var, time) unless
#   ties = "ordered"; doses at the same time are summed here first and the
#   table is passed sorted with ties = "ordered".
#
# Absolute tolerances (same in every tool): atol_i = RTOL * s_i,
#   s = 1 (A0-A4, Ac, Agb, mg), 1e-12 (Q, Ls, Lr), 1e-8 (B),
#   1e-6 (D1-D3, M, Le), 1e-4 (P, T1-T3, N); tlast (carrier, derivative 0,
#   never in error): 1.

suppressPackageStartupMessages(library(deSolve))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3)
  stop("usage: sorafenib_desolve.R REGIMEN RTOL OUT.csv [compiled]")
regimen  <- args[1]
rtol     <- as.numeric(args[2])
outfile  <- args[3]
compiled <- length(args) >= 4 && args[4] == "compiled"
if (length(args) >= 4 && !compiled) stop("4th argument must be 'compiled'")
if (!is.finite(rtol) || rtol <= 0) stop("RTOL must be > 0")
tad_mode <- Sys.getenv("DESOLVE_TAD", "state")
if (!tad_mode %in% c("state", "findInterval")) stop("DESOLVE_TAD: state|findInterval")
if (compiled && tad_mode != "state") stop("DESOLVE_TAD=findInterval is R-rhs only")

script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f[1])) else getwd()
})

# ----------------------------------------------------------------------------
# Parameters (the model specification (docs/model.md) sections 1 and 6, prior medians)
# ----------------------------------------------------------------------------
prior <- list(
  MAT_h = 1.98, CL_L_per_h = 8.13, V_L = 213, F_ent = 0.498, tp_h = 6.13,
  kEhc_per_h = 0.857, D50_mg = Inf,
  EC50_mg_per_L = 0.0693, hill = 1, Emax_L_per_day = 1.0, rho = 3000,
  f_R0 = 1e-6, g_per_day = 0.10, k_B_per_day = 3, k_M_per_day = 2.38,
  m0 = 0.5, delta = 1, MTT_D_day = 4, phi = 0.3, kQ_per_day = 0.1,
  Qn = 1e-3, kx_per_day = 0.05, k_S_per_day = log(2) / 7, Nstar = 7.21,
  MTT_h = 124, gamma = 0.239, Emax_N = 1, EC50_N_mg_per_L = 100,
  K = 1,
  weight = 80, WBC0 = 73.5, b0 = 0.84, b_bm = 0.7)

cfg <- prior
if (regimen == "checkpoint") {
  cfg[c("weight", "WBC0", "b0", "b_bm", "m0", "delta", "Emax_L_per_day",
        "f_R0", "phi")] <- list(70, 20, 0.5, 0.6, 0.4, 2, 1.5, 1e-5, 0.4)
}

derive <- function(p) {
  V    <- p$V_L * p$weight / 80
  B0   <- p$b0 * p$WBC0
  NB0  <- p$WBC0 - B0
  M0   <- p$m0 * NB0
  N0   <- (1 - p$m0) * NB0
  Nset <- max(p$Nstar, N0)
  kappa <- (Nset / N0)^p$gamma - 1
  X0   <- (1 - p$phi) * (1 - p$f_R0) + p$f_R0
  c(ka = 24 * 5 / p$MAT_h, kel = 24 * p$CL_L_per_h / V,
    kEhc = 24 * p$kEhc_per_h, tp_h = p$tp_h, Fent = p$F_ent, V = V,
    EC50 = p$EC50_mg_per_L, hill = p$hill, EmaxL = p$Emax_L_per_day,
    rho = p$rho, EmaxN = p$Emax_N, EC50N = p$EC50_N_mg_per_L,
    g = p$g_per_day, K = p$K, kQ = p$kQ_per_day, Qn = p$Qn,
    kx = p$kx_per_day, phi = p$phi, kB = p$k_B_per_day, B0 = B0, X0 = X0,
    delta = p$delta, ktrD = 3 / p$MTT_D_day, kM = p$k_M_per_day, M0 = M0,
    ktr = 24 * 4 / p$MTT_h, Nset = Nset, gamma = p$gamma, kappa = kappa,
    kS = p$k_S_per_day, N0 = N0, bbm = p$b_bm)
}
par <- derive(cfg)   # order matches parms[] in sorafenib_desolve_rhs.c

F_rel <- function(D, D50) if (is.infinite(D50)) rep(1, length(D)) else
  (1 + 400 / D50) / (1 + D / D50)

state_names <- c("A0", "A1", "A2", "A3", "A4", "Ac", "Agb", "Q", "Ls", "Lr",
                 "B", "D1", "D2", "D3", "M", "P", "T1", "T2", "T3", "N", "Le",
                 "tlast")
NO_DOSE_YET <- 1e30   # tlast sentinel before the first dose: tad < 0, Ehc = 0

y0 <- with(as.list(par), c(
  A0 = 0, A1 = 0, A2 = 0, A3 = 0, A4 = 0, Ac = 0, Agb = 0,
  Q = phi * (1 - cfg$f_R0), Ls = (1 - phi) * (1 - cfg$f_R0), Lr = cfg$f_R0,
  B = B0, D1 = 0, D2 = 0, D3 = 0, M = M0,
  P = N0, T1 = N0, T2 = N0, T3 = N0, N = N0, Le = 1, tlast = NO_DOSE_YET))
stopifnot(identical(names(y0), state_names))

ATOL_SCALE <- c(rep(1, 7), rep(1e-12, 3), 1e-8, rep(1e-6, 4), rep(1e-4, 5),
                1e-6, 1)
atol <- rtol * ATOL_SCALE

# ----------------------------------------------------------------------------
# Regimens
# ----------------------------------------------------------------------------
dosing <- switch(regimen,
  bid400 = data.frame(time = seq(0, 220.5, by = 0.5), dose = 400),
  qd200  = data.frame(time = seq(0, 220, by = 1), dose = 200),
  pause  = data.frame(time = c(seq(0, 59.5, by = 0.5), seq(67, 220.5, by = 0.5)),
                      dose = 400),
  checkpoint = data.frame(time = c(seq(0, 59.5, by = 0.5), seq(67, 89, by = 1)),
                          dose = c(rep(200, 120), rep(400, 23))),
  stop("unknown REGIMEN ", regimen))
t_end <- if (regimen == "checkpoint") 90 else 221
times <- seq(0, t_end, by = 0.25)

# doses at the same time add up (deSolve itself would average them)
amt <- aggregate(list(amount = dosing$dose * F_rel(dosing$dose, cfg$D50_mg)),
                 list(time = dosing$time), sum)
amt <- amt[order(amt$time), ]
if (any(diff(amt$time) < 8 / 24 - 1e-12))
  stop("dosing intervals under 8 h are outside the EHC switch's validity")
if (!all(amt$time %in% times)) stop("dose times must lie on the output grid")
cat(sprintf("regimen %s: %d doses, %.6g mg in total; rtol %g; %s rhs\n",
            regimen, nrow(amt), sum(amt$amount), rtol,
            if (compiled) "compiled C" else "R"), file = stderr())

ev <- data.frame(var    = rep(c("A0", "tlast"), times = nrow(amt)),
                 time   = rep(amt$time, each = 2),
                 value  = as.vector(rbind(amt$amount, amt$time)),
                 method = rep(c("add", "replace"), times = nrow(amt)),
                 stringsAsFactors = FALSE)
events <- list(data = ev, ties = "ordered")

# ----------------------------------------------------------------------------
# Right-hand side in R (closure over the derived parameters)
# ----------------------------------------------------------------------------
make_rhs_R <- function(p, dose_times = NULL) {
  ka <- p[["ka"]]; kel <- p[["kel"]]; kEhc <- p[["kEhc"]]; tp_h <- p[["tp_h"]]
  Fent <- p[["Fent"]]; V <- p[["V"]]; EC50 <- p[["EC50"]]; h <- p[["hill"]]
  EmaxL <- p[["EmaxL"]]; rho <- p[["rho"]]; EmaxN <- p[["EmaxN"]]
  EC50N <- p[["EC50N"]]; g <- p[["g"]]; K <- p[["K"]]; kQ <- p[["kQ"]]
  Qn <- p[["Qn"]]; kx <- p[["kx"]]; phi <- p[["phi"]]; kB <- p[["kB"]]
  B0 <- p[["B0"]]; X0 <- p[["X0"]]; delta <- p[["delta"]]
  ktrD <- p[["ktrD"]]; kM <- p[["kM"]]; M0 <- p[["M0"]]; ktr <- p[["ktr"]]
  Nset <- p[["Nset"]]; gam <- p[["gamma"]]; kappa <- p[["kappa"]]
  kS <- p[["kS"]]
  hom <- phi / (1 - phi)
  EC50h <- EC50^h; EC50Rh <- (rho * EC50)^h
  nfe <- 0
  f <- function(t, y, parms) {
    nfe <<- nfe + 1
    tlast <- if (is.null(dose_times)) y[22] else {
      i <- findInterval(t, dose_times)          # latest dose at or before t
      if (i == 0L) NO_DOSE_YET else dose_times[i]
    }
    tad_h <- 24 * (t - tlast)
    ehc <- if (tad_h <= 0) 0 else {
      r <- tad_h / tp_h
      if (r <= 1) { r40 <- r^40; r40 / (1 + r40) } else 1 / (1 + r^-40)
    }
    Agb <- y[7]; Ac <- y[6]
    rel <- ehc * kEhc * Agb
    C <- Ac / V
    if (C > 0) {
      Ch <- C^h
      I  <- Ch / (EC50h + Ch)
      ER <- EmaxL * Ch / (EC50Rh + Ch)
      EN <- EmaxN * C / (EC50N + C)
    } else { I <- 0; ER <- 0; EN <- 0 }
    ES <- EmaxL * I
    Q <- y[8]; Ls <- y[9]; Lr <- y[10]
    LT <- Q + Ls + Lr; X <- Ls + Lr; grow <- 1 - LT / K
    J <- kx * ((1 - I) * Q - hom * Ls)
    P <- y[16]; N <- y[20]; Le <- y[21]
    S <- 1 / (1 + kappa * Le)
    fb <- (Nset / max(N, 1e-12))^gam
    list(c(
      -ka * y[1],
      ka * (y[1] - y[2]),
      ka * (y[2] - y[3]),
      ka * (y[3] - y[4]),
      ka * (y[4] - y[5]) + rel,
      ka * y[5] - kel * Ac,
      Fent * kel * Ac - rel,
      g * (1 - I) * Q * grow - kQ * I * Q * Q / (Q + Qn) - J,
      g * Ls * grow - ES * Ls + J,
      g * Lr * grow - ER * Lr,
      kB * B0 * X / X0 - kB * y[11],
      delta * B0 * ES * Ls / X0 - ktrD * y[12],
      ktrD * (y[12] - y[13]),
      ktrD * (y[13] - y[14]),
      kM * M0 * X / X0 + ktrD * y[14] - kM * y[15],
      ktr * P * (1 - EN) * fb * S - ktr * P,
      ktr * (P - y[17]),
      ktr * (y[17] - y[18]),
      ktr * (y[18] - y[19]),
      ktr * (y[19] - N),
      kS * (LT - Le),
      0))
  }
  list(f = f, nfe = function() nfe, reset = function() nfe <<- 0)
}

# observables from the states (the model specification (docs/model.md) section 5)
observables <- function(out, p) {
  B <- out[, "B"]; M <- out[, "M"]; N <- out[, "N"]; P <- out[, "P"]
  LT <- out[, "Q"] + out[, "Ls"] + out[, "Lr"]
  wbc <- N + M + B
  bm <- 100 * p[["bbm"]] * LT / (p[["bbm"]] * LT + (1 - p[["bbm"]]) * P / p[["N0"]])
  bm[LT == 0 & P == 0] <- 0
  data.frame(day = out[, "time"], conc_mg_per_L = out[, "Ac"] / p[["V"]],
             wbc = wbc, blast_pb_pct = 100 * B / wbc, blast_bm_pct = bm, LT = LT)
}

# ----------------------------------------------------------------------------
# Compiled right-hand side
# ----------------------------------------------------------------------------
if (compiled) {
  csrc <- file.path(script_dir, "sorafenib_desolve_rhs.c")
  if (!file.exists(csrc)) stop("missing ", csrc)
  key <- substr(unname(tools::md5sum(csrc)), 1, 12)
  bdir <- file.path(dirname(tempdir()), paste0("sorafenib_desolve_", key))
  so <- file.path(bdir, paste0("sorafenib_desolve_rhs", .Platform$dynlib.ext))
  if (!file.exists(so)) {
    dir.create(bdir, showWarnings = FALSE, recursive = TRUE)
    file.copy(csrc, file.path(bdir, "sorafenib_desolve_rhs.c"), overwrite = TRUE)
    rc <- system2(file.path(R.home("bin"), "R"),
                  c("CMD", "SHLIB", "-o", shQuote(so),
                    shQuote(file.path(bdir, "sorafenib_desolve_rhs.c"))),
                  stdout = FALSE, stderr = FALSE)
    if (rc != 0 || !file.exists(so)) stop("R CMD SHLIB failed in ", bdir)
  }
  dyn.load(so)
  dll <- "sorafenib_desolve_rhs"
}

run_once <- function() {
  if (compiled) {
    .C("sor_reset_nfe", PACKAGE = dll)
    el <- system.time(
      out <- lsoda(y0, times, func = "derivs", parms = unname(par),
                   dllname = dll, initfunc = "initmod", nout = 5,
                   outnames = c("conc", "wbc", "pb", "bm", "LT"),
                   rtol = rtol, atol = atol, events = events))[["elapsed"]]
    nfe <- .C("sor_get_nfe", n = 0, PACKAGE = dll)$n
  } else {
    rr <- make_rhs_R(par, if (tad_mode == "findInterval") amt$time else NULL)
    el <- system.time(
      out <- lsoda(y0, times, func = rr$f, parms = NULL,
                   rtol = rtol, atol = atol, events = events))[["elapsed"]]
    nfe <- rr$nfe()
  }
  list(out = out, elapsed = el, nfe = nfe)
}

nrep <- if (rtol >= 1e-7) 3 else 1
runs <- lapply(seq_len(nrep), function(i) run_once())
res <- runs[[1]]
if (attr(res$out, "istate")[1] < 0) stop("lsoda failed, istate ", attr(res$out, "istate")[1])
el <- vapply(runs, `[[`, 0, "elapsed")
is <- attr(res$out, "istate")
cat(sprintf(paste0("wall time of the integration: %.4f s (%s of %d run%s: %s)\n",
                   "rhs evaluations (counted in the rhs%s): %.0f\n",
                   "lsoda counters since its last restart (last dose): steps %d, ",
                   "f-evals %d, Jacobians+LU %d\n"),
            median(el), if (nrep > 1) "median" else "single", nrep,
            if (nrep > 1) "s" else "", paste(sprintf("%.4f", el), collapse = " "),
            if (compiled) sprintf(", incl. %d output-variable calls", length(times) + 1L) else "",
            res$nfe, is[2], is[3], is[14]), file = stderr())

obs <- observables(res$out, par)
if (compiled) {  # cross-check the C output variables against the R formulas
  d <- max(abs(res$out[, "bm"] - obs$blast_bm_pct) / pmax(abs(obs$blast_bm_pct), 1e-300),
           abs(res$out[, "conc"] - obs$conc_mg_per_L) / pmax(obs$conc_mg_per_L, 1e-300) *
             (obs$conc_mg_per_L > 0),
           abs(res$out[, "wbc"] - obs$wbc) / obs$wbc)
  if (d > 1e-12) warning("C output variables disagree with R observables: ", d)
}
fmt <- function(x) sprintf("%.15g", x)
csv <- data.frame(lapply(obs, fmt), stringsAsFactors = FALSE)
csv$day <- sprintf("%.2f", obs$day)
write.table(csv, outfile, sep = ",", quote = FALSE, row.names = FALSE)

# ----------------------------------------------------------------------------
# Checkpoint table (the model specification (docs/model.md) section 9)
# ----------------------------------------------------------------------------
if (regimen == "checkpoint") {
  ref <- read.table(header = TRUE, text = "
t conc_mg_per_L wbc blast_pb_pct blast_bm_pct Q Ls Lr B M N LT
0.25 0.9013449 19.05642 48.75169 55.78168 0.3955900 0.4443478 1.000615e-05 9.290325 3.766092 6.000000 0.8399478
1 1.501294 12.43564 35.07919 44.44434 0.3749019 0.1540148 1.019386e-05 4.362323 2.073376 5.999945 0.5289268
7 3.783042 6.593464 0.05386837 26.22460 0.2114738 1.680814e-04 1.342209e-05 0.003551792 0.7818670 5.808045 0.2116553
30 3.915881 6.006203 0.01962611 3.350686 0.02328092 1.478522e-05 5.676601e-05 0.001178784 9.464282e-04 6.004078 0.02335247
60 3.915883 6.103371 0.1250161 0.3617114 0.001989391 1.239160e-06 4.673506e-04 0.007630194 0.003069271 6.092672 0.002457981
67 0.1120676 6.352336 0.2310016 0.2963997 0.001425909 2.094337e-05 8.905865e-04 0.01467400 0.005899594 6.331763 0.002337439
75 3.280027 6.967005 0.3831186 0.3642350 9.478213e-04 6.205503e-07 0.001639984 0.02669190 0.01066324 6.929650 0.002588426
90 3.341203 5.967099 1.293685 0.7786811 5.245735e-04 3.314981e-07 0.004743295 0.07719544 0.03070198 5.859201 0.005268200
")
  o <- res$out
  idx <- match(ref$t, o[, "time"])
  sim <- data.frame(t = ref$t, conc_mg_per_L = obs$conc_mg_per_L[idx],
                    wbc = obs$wbc[idx], blast_pb_pct = obs$blast_pb_pct[idx],
                    blast_bm_pct = obs$blast_bm_pct[idx], Q = o[idx, "Q"],
                    Ls = o[idx, "Ls"], Lr = o[idx, "Lr"], B = o[idx, "B"],
                    M = o[idx, "M"], N = o[idx, "N"], LT = obs$LT[idx])
  cat(sprintf("derived: B0 %.10g M0 %.10g N0 %.10g Nset %.10g kappa %.10g X0 %.10g Q(0) %.10g Ls(0) %.10g V %.10g\n",
              par[["B0"]], par[["M0"]], par[["N0"]], par[["Nset"]], par[["kappa"]],
              par[["X0"]], y0[["Q"]], y0[["Ls"]], par[["V"]]))
  cols <- names(ref)[-1]
  cat(paste(c("t", cols), collapse = " "), "\n")
  for (i in seq_len(nrow(sim)))
    cat(paste(c(format(sim$t[i]), sprintf("%.7g", unlist(sim[i, cols]))), collapse = " "), "\n")
  rel <- abs(as.matrix(sim[, cols]) - as.matrix(ref[, cols])) / abs(as.matrix(ref[, cols]))
  w <- which(rel == max(rel), arr.ind = TRUE)[1, ]
  cat(sprintf("max relative deviation from the the model specification (docs/model.md) table: %.3e (t = %g, %s)\n",
              max(rel), ref$t[w[1]], cols[w[2]]))
  cat("per column:", paste(sprintf("%s %.2e", cols, apply(rel, 2, max)), collapse = ", "), "\n")
  # deviation in units of half the last printed digit (7 significant digits)
  half <- 0.5 * 10^(floor(log10(abs(as.matrix(ref[, cols])))) - 6)
  cat(sprintf("max |sim - table| / (half unit of the 7th digit): %.3f\n",
              max(abs(as.matrix(sim[, cols]) - as.matrix(ref[, cols])) / half)))
  if (max(rel) >= 1e-6) cat("CHECKPOINT FAILED (>= 1e-6)\n") else cat("checkpoint OK (< 1e-6)\n")
}
