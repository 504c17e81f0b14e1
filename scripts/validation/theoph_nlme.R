#!/usr/bin/env Rscript
# Population (nlme, ML) references for `pksim popfit` on R's Theoph data
# (datasets package: 12 subjects, one oral theophylline dose each, 11
# concentrations each, 132 in all).  Run from the repository root:
#   Rscript scripts/validation/theoph_nlme.R
#
# 1. tests/data/popfit/theoph_nm.csv, a NONMEM-style data set:
#      ID,TIME,AMT,DV,EVID,MDV,CMT,WT
#    ID: Theoph's subject number (1-12); TIME: hours after the dose, as in
#    Theoph; WT: body weight (kg).  Per subject one dose row at TIME 0,
#      AMT = Dose (mg/kg) x Wt (mg), DV '.', EVID 1, MDV 1, CMT 1 (depot),
#    then its 11 observation rows in time order,
#      AMT '.', DV = conc (mg/L), EVID 0, MDV 0, CMT 2 (central),
#    the first of them Theoph's pre-dose sample at TIME 0 (mostly non-zero;
#    fitted against a prediction of 0, as in theoph_nls.R).
#
# 2. nlme (method "ML") fits the model of pksim's oral1cpt exactly:
#      conc(t) = AMT ka / (Veff (ka - k)) (exp(-k t) - exp(-ka t)),
#      Veff = V_L WT / 80, k = CL_L_per_h / Veff, F = 1, no lag,
#    t in hours, ka = exp(lKa) 1/h, CL_L_per_h = exp(lCl) L/h,
#    V_L = exp(lV) L (the volume at 80 kg); additive residual error, SD
#    sigma.  The model function returns its exact gradient (deriv), which
#    nlme uses instead of finite differences.  Configurations:
#      diag3: random = pdDiag(lKa + lCl + lV ~ 1)      (the reference)
#      symm3: random = pdSymm(lKa + lCl + lV ~ 1)      (full covariance)
#      diag2: random = pdDiag(lKa + lCl ~ 1), lV fixed only
#    Each over a ladder of controls, tightest first (nlme_ladder in
#    popfit_common.R); a fit counts as converged when nlme returns and its
#    EBEs are the conditional modes of its own estimates.  A reference file
#    is written for every configuration (its converged row and first line
#    say which), EBEs only for converged ones.
#
# 3. The FOCE objective (scripts/validation/popfit_common.R): -2LL with every
#    constant (N log 2 pi included), as nlme's logLik under ML reports it,
#    evaluated at nlme's estimates with the conditional modes re-solved to
#    1e-10, and minimised over all parameters from there (the optimum a
#    FOCE implementation such as pksim popfit should reach).
#
# Outputs in tests/data/popfit/:
#   theoph_nm.csv                      the data set
#   theoph_nlme_reference.csv          diag3: name,value,se (log scale)
#   theoph_nlme_ebe.csv                diag3: per-subject EBEs and parameters
#   theoph_nlme_reference_{symm3,diag2}.csv, theoph_nlme_ebe_symm3.csv
# Results (R 4.2.2, nlme 3.1-162): diag3 converges; symm3 converges to an
# Omega with a near-zero eigenvalue (2e-7; its FOCE optimum is on the
# boundary); diag2 does not converge: nlme returns after 2 iterations with
# a PNLS step that hit pnlsMaxIter each time without moving, from any start
# and control tried (its foce_opt_* rows are the reference there).
suppressPackageStartupMessages(library(nlme))
source("scripts/validation/popfit_common.R")

out <- "tests/data/popfit"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
num <- function(x) sprintf("%.15g", x)

# ---- 1. the NONMEM-style data set ----
d <- as.data.frame(datasets::Theoph)
d$ID <- as.integer(as.character(d$Subject))
d <- d[order(d$ID, d$Time), ]
rows <- list()
for (s in sort(unique(d$ID))) {
  ds <- d[d$ID == s, ]
  rows[[length(rows) + 1]] <- data.frame(ID = s, TIME = num(0), AMT = num(ds$Dose[1] * ds$Wt[1]),
                                         DV = ".", EVID = 1, MDV = 1, CMT = 1,
                                         WT = num(ds$Wt[1]))
  rows[[length(rows) + 1]] <- data.frame(ID = s, TIME = num(ds$Time), AMT = ".",
                                         DV = num(ds$conc), EVID = 0, MDV = 0, CMT = 2,
                                         WT = num(ds$Wt[1]))
}
nm <- do.call(rbind, rows)
write.csv(nm, file.path(out, "theoph_nm.csv"), row.names = FALSE, quote = FALSE)

# ---- 2. nlme on the data as read back from the file ----
nm <- read.csv(file.path(out, "theoph_nm.csv"), na.strings = ".")
doses <- nm[nm$EVID == 1, c("ID", "AMT")]
obs <- nm[nm$EVID == 0, c("ID", "TIME", "DV", "WT")]
obs$AMT <- doses$AMT[match(obs$ID, doses$ID)]
obs <- groupedData(DV ~ TIME | ID, data = obs)
stopifnot(nrow(obs) == 132, length(unique(obs$ID)) == 12)

theoModel <- deriv(~ AMT * exp(lKa) / (exp(lV) * WT / 80 * (exp(lKa) - exp(lCl) / (exp(lV) * WT / 80))) *
                     (exp(-exp(lCl) / (exp(lV) * WT / 80) * TIME) - exp(-exp(lKa) * TIME)),
                   c("lKa", "lCl", "lV"), function(TIME, AMT, WT, lKa, lCl, lV) {})

# starting values: the pooled (one-subject) least-squares fit
pooled <- nls(DV ~ theoModel(TIME, AMT, WT, lKa, lCl, lV), data = as.data.frame(obs),
              start = c(lKa = log(1.5), lCl = log(2.8), lV = log(40)))
start <- coef(pooled)

configs <- list(
  diag3 = list(random = pdDiag(lKa + lCl + lV ~ 1), re = c("lKa", "lCl", "lV"), kind = "diag"),
  symm3 = list(random = pdSymm(lKa + lCl + lV ~ 1), re = c("lKa", "lCl", "lV"), kind = "symm"),
  diag2 = list(random = pdDiag(lKa + lCl ~ 1), re = c("lKa", "lCl"), kind = "diag"))

ids <- sort(unique(as.integer(as.character(obs$ID))))   # obs$ID: a factor ordered by response
wt <- obs$WT[match(ids, obs$ID)]
subjects <- lapply(ids, function(s) {
  o <- as.data.frame(obs[obs$ID == s, ])
  list(id = s, y = o$DV, fj = function(phi) {
    v <- theoModel(o$TIME, o$AMT, o$WT, phi[1], phi[2], phi[3])
    list(f = as.vector(v), J = attr(v, "gradient"))
  })
})

runs <- run_configs(configs, function(cf, ctrl)
                      nlme(DV ~ theoModel(TIME, AMT, WT, lKa, lCl, lV), data = obs,
                           fixed = lKa + lCl + lV ~ 1, random = cf$random, start = start,
                           method = "ML", control = ctrl),
                    subjects, ids, out, "theoph_nlme",
                    data_desc = "datasets::Theoph, tests/data/popfit/theoph_nm.csv",
                    script = "scripts/validation/theoph_nlme.R",
                    ebe_id = data.frame(ID = ids, WT = num(wt)),
                    ebe_par = function(cfi) list(lKa = cfi$lKa, lCl = cfi$lCl, lV = cfi$lV,
                                                 ka_per_h = exp(cfi$lKa), CL_L_per_h = exp(cfi$lCl),
                                                 V_L = exp(cfi$lV), Veff_L = exp(cfi$lV) * wt / 80),
                    ebe_note = "individual parameters (V_L at 80 kg, Veff_L = V_L WT/80)")
