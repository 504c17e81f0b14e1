#!/usr/bin/env Rscript
# Population (nlme, ML) references for `pksim popfit` on nlme's Phenobarb
# data: 59 preterm neonates, repeated IV phenobarbital boluses, 155 sparse
# concentrations (Grasela & Donn 1985).  Run from the repository root:
#   Rscript scripts/validation/phenobarb_nlme.R
#
# Units.  ?Phenobarb (nlme 3.1-162) says dose is in ug/kg and conc in
# ug/L.  Both are wrong, and dose * Wt / 1000 would make every dose 1000
# times too small and weight-scaled twice:
#   - dose is the amount given, in mg, not per kg: the loading dose divided
#     by the birth weight is exactly 10 or 20 (mg/kg, the usual phenobarbital
#     loading doses) for 37 of the 59 infants, and the loading dose grows
#     with weight (correlation 0.83); per-kg doses would not.  Maintenance
#     doses are 2-2.6 per kg of weight.
#   - conc is in mg/L (ug/mL): median 24.6, the phenobarbital therapeutic
#     range is 15-40 mg/L; dose / conc ~ 1 L/kg, phenobarbital's volume.
#   - Grasela & Donn's own NONMEM analysis of these data (CL = THETA1 * WT,
#     V = THETA2 * WT on these AMT values) reports CL 0.0047 L/h/kg and V
#     0.96 L/kg, which is only consistent with AMT in mg.
# So AMT (mg) = dose as recorded; DV (mg/L) = conc as recorded.
#
# 1. tests/data/popfit/phenobarb_nm.csv, a NONMEM-style data set:
#      ID,TIME,AMT,DV,EVID,MDV,CMT,WT,APGAR
#    ID: Phenobarb's Subject (1-59); TIME: hours after the first dose;
#    WT: birth weight (kg); APGAR: 5-minute Apgar score (1-10).  Rows in
#    Phenobarb's order (by ID, then time; no dose and sample share a time):
#    dose rows AMT = dose (mg), DV '.', EVID 1, MDV 1, CMT 1; observation
#    rows AMT '.', DV = conc (mg/L), EVID 0, MDV 0, CMT 1 (IV bolus into the
#    central compartment, sampled there).
#
# 2. nlme (method "ML") fits a one-compartment IV bolus model with weight
#    on clearance and volume (pksim's iv1cpt):
#      conc(t) = sum over doses i with t_i <= t of AMT_i / V exp(-(CL/V)(t - t_i)),
#      CL = exp(lCl) WT (L/h; exp(lCl) = CL_L_per_h_per_kg),
#      V  = exp(lV) WT  (L;   exp(lV)  = V_L_per_kg),
#    additive residual error, SD sigma.  pheno_conc() below evaluates it
#    for any rows, each from its subject's dose history, with its exact
#    gradient.  Configurations: diag (random = pdDiag(lCl + lV ~ 1), the
#    reference) and symm (pdSymm(lCl + lV ~ 1)).
#
# 3. nlme's own phenoModel (compiled C, nlme_one_comp_first) computes, for
#    a sample row, sum over the subject's earlier dose rows of
#    dose / V exp(-Cl/V (t - t_dose)), with V = exp(lV) and Cl = exp(lCl)
#    as given: no body weight, so its lCl and lV are the log clearance and
#    volume of the infant (L/h and L with dose in mg), not per kg; Pinheiro
#    & Bates add weight as a covariate (lCl ~ Wt).  It must therefore equal
#    pheno_conc with lCl + log(Wt) and lV + log(Wt) passed for lCl and lV;
#    the script checks that at a few parameter values, and refits the
#    reference through phenoModel that way (same estimates expected).
#
# 4. The FOCE -2LL (scripts/validation/popfit_common.R), as for Theoph.
#
# Outputs in tests/data/popfit/: phenobarb_nm.csv, phenobarb_nlme_reference.csv
# and phenobarb_nlme_ebe.csv (diag), phenobarb_nlme_{reference,ebe}_symm.csv.
suppressPackageStartupMessages(library(nlme))
source("scripts/validation/popfit_common.R")

out <- "tests/data/popfit"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
num <- function(x) sprintf("%.15g", x)

# ---- 1. the NONMEM-style data set ----
d <- as.data.frame(nlme::Phenobarb)
d$ID <- as.integer(as.character(d$Subject))
stopifnot(identical(order(d$ID, d$time), seq_len(nrow(d))),
          all(xor(is.na(d$dose), is.na(d$conc))), !anyDuplicated(d[, c("ID", "time")]))
first <- d[!is.na(d$dose) & !duplicated(d$ID), ]
stopifnot(sum(abs(first$dose / first$Wt - 10) < 1e-9 | abs(first$dose / first$Wt - 20) < 1e-9) == 37)
isdose <- !is.na(d$dose)
nm <- data.frame(ID = d$ID, TIME = num(d$time),
                 AMT = ifelse(isdose, num(d$dose), "."), DV = ifelse(isdose, ".", num(d$conc)),
                 EVID = as.integer(isdose), MDV = as.integer(isdose), CMT = 1,
                 WT = num(d$Wt), APGAR = as.integer(as.character(d$Apgar)))
write.csv(nm, file.path(out, "phenobarb_nm.csv"), row.names = FALSE, quote = FALSE)

# ---- 2. the model, from the file as read back ----
nm <- read.csv(file.path(out, "phenobarb_nm.csv"), na.strings = ".")
dose_hist <- split(nm[nm$EVID == 1, c("TIME", "AMT")], nm$ID[nm$EVID == 1])
obs <- nm[nm$EVID == 0, c("ID", "TIME", "DV", "WT", "APGAR")]
stopifnot(nrow(obs) == 155, length(dose_hist) == 59)

# conc at each row (ID, TIME, WT) from its subject's doses at or before
# TIME; lCl, lV per row (nlme passes one value per row); gradient attribute
# d conc / d (lCl, lV).
pheno_conc <- function(ID, TIME, WT, lCl, lV) {
  n <- length(TIME)
  lCl <- rep_len(lCl, n)
  lV <- rep_len(lV, n)
  WT <- rep_len(WT, n)
  val <- numeric(n)
  grad <- matrix(0, n, 2, dimnames = list(NULL, c("lCl", "lV")))
  id <- as.character(ID)
  for (s in unique(id)) {
    r <- which(id == s)
    h <- dose_hist[[s]]
    dt <- outer(TIME[r], h$TIME, "-")            # rows: samples, columns: doses
    k <- exp(lCl[r] - lV[r])                     # 1/h, weight cancels
    V <- exp(lV[r]) * WT[r]                      # L
    term <- ifelse(dt >= 0, outer(1 / V, h$AMT) * exp(-k * pmax(dt, 0)), 0)
    ks <- k * pmax(dt, 0)
    val[r] <- rowSums(term)
    grad[r, "lCl"] <- -rowSums(term * ks)
    grad[r, "lV"] <- rowSums(term * (ks - 1))
  }
  attr(val, "gradient") <- grad
  val
}

# ---- 3. phenoModel ----
pb <- as.data.frame(nlme::Phenobarb)
pb$ID <- as.integer(as.character(pb$Subject))
sample_rows <- !is.na(pb$conc)
check <- 0
for (par in list(c(log(0.005), log(1)), c(-4, 0.5), c(-6, -0.3))) {
  mine <- pheno_conc(pb$ID[sample_rows], pb$time[sample_rows], pb$Wt[sample_rows], par[1], par[2])
  theirs <- phenoModel(pb$ID, pb$time, pb$dose, par[1] + log(pb$Wt), par[2] + log(pb$Wt))[sample_rows]
  check <- max(check, abs(as.vector(mine) - theirs) / abs(theirs))
  # no weight: pheno_conc with WT = 1 is phenoModel itself
  mine1 <- pheno_conc(pb$ID[sample_rows], pb$time[sample_rows], 1, par[1], par[2])
  theirs1 <- phenoModel(pb$ID, pb$time, pb$dose, par[1], par[2])[sample_rows]
  check <- max(check, abs(as.vector(mine1) - theirs1) / abs(theirs1))
  # the gradient against central differences
  g <- attr(pheno_conc(pb$ID[sample_rows], pb$time[sample_rows], pb$Wt[sample_rows], par[1], par[2]), "gradient")
  for (j in 1:2) {
    e <- replace(c(0, 0), j, 1e-6)
    fd <- (pheno_conc(pb$ID[sample_rows], pb$time[sample_rows], pb$Wt[sample_rows], par[1] + e[1], par[2] + e[2]) -
           pheno_conc(pb$ID[sample_rows], pb$time[sample_rows], pb$Wt[sample_rows], par[1] - e[1], par[2] - e[2])) / 2e-6
    stopifnot(max(abs(as.vector(fd) - g[, j])) < 1e-6 * max(abs(g[, j])))
  }
}
cat(sprintf("pheno_conc vs phenoModel: max relative difference %.3g\n", check))
stopifnot(check < 1e-12)

start <- c(lCl = log(0.005), lV = log(1))
ids <- sort(unique(obs$ID))
wt <- obs$WT[match(ids, obs$ID)]
apgar <- obs$APGAR[match(ids, obs$ID)]
subjects <- lapply(ids, function(s) {
  o <- obs[obs$ID == s, ]
  list(id = s, y = o$DV, fj = function(phi) {
    v <- pheno_conc(o$ID, o$TIME, o$WT, phi[1], phi[2])
    list(f = as.vector(v), J = attr(v, "gradient"))
  })
})
obs_g <- groupedData(DV ~ TIME | ID, data = obs)

configs <- list(
  diag = list(random = pdDiag(lCl + lV ~ 1), re = c("lCl", "lV"), kind = "diag"),
  symm = list(random = pdSymm(lCl + lV ~ 1), re = c("lCl", "lV"), kind = "symm"))
runs <- run_configs(configs, function(cf, ctrl)
                      nlme(DV ~ pheno_conc(ID, TIME, WT, lCl, lV), data = obs_g,
                           fixed = lCl + lV ~ 1, random = cf$random, start = start,
                           method = "ML", control = ctrl),
                    subjects, ids, out, "phenobarb_nlme",
                    data_desc = "nlme::Phenobarb, tests/data/popfit/phenobarb_nm.csv (AMT mg, DV mg/L, TIME h)",
                    script = "scripts/validation/phenobarb_nlme.R",
                    ebe_id = data.frame(ID = ids, WT = num(wt), APGAR = apgar),
                    ebe_par = function(cfi) list(lCl = cfi$lCl, lV = cfi$lV,
                                                 CL_L_per_h_per_kg = exp(cfi$lCl), V_L_per_kg = exp(cfi$lV),
                                                 CL_L_per_h = exp(cfi$lCl) * wt, V_L = exp(cfi$lV) * wt),
                    ebe_note = "individual parameters (per kg, and for the infant's weight)")

# The reference again through phenoModel (weight as log offsets), on all
# rows with the samples picked by naPattern, as Pinheiro & Bates fit it;
# and their fm1Pheno (no weight) by ML for the record.
ctrl <- nlmeControl(maxIter = 1000, pnlsMaxIter = 50, msMaxIter = 1000, niterEM = 100,
                    tolerance = 1e-10, pnlsTol = 1e-6, msTol = 1e-12)
viaPM <- nlme(conc ~ phenoModel(Subject, time, dose, lCl + log(Wt), lV + log(Wt)), data = nlme::Phenobarb,
              fixed = lCl + lV ~ 1, random = pdDiag(lCl + lV ~ 1), start = start, method = "ML",
              na.action = NULL, naPattern = ~ !is.na(conc), control = ctrl)
fm1 <- nlme(conc ~ phenoModel(Subject, time, dose, lCl, lV), data = nlme::Phenobarb,
            fixed = lCl + lV ~ 1, random = pdDiag(lCl + lV ~ 1), start = c(-5, 0), method = "ML",
            na.action = NULL, naPattern = ~ !is.na(conc), control = ctrl)
ref <- runs$fits$diag$fit
cat(sprintf("through phenoModel with log(Wt) offsets: lCl %.8f lV %.8f -2LL %.6f (pheno_conc: lCl %.8f lV %.8f -2LL %.6f)\n",
            fixef(viaPM)[1], fixef(viaPM)[2], -2 * logLik(viaPM), fixef(ref)[1], fixef(ref)[2], -2 * logLik(ref)))
cat(sprintf("fm1Pheno (phenoModel, no weight), ML: lCl %.6f (Cl %.6f L/h), lV %.6f (V %.4f L), -2LL %.4f\n",
            fixef(fm1)[1], exp(fixef(fm1)[1]), fixef(fm1)[2], exp(fixef(fm1)[2]), -2 * logLik(fm1)))
stopifnot(max(abs(fixef(viaPM) - fixef(ref))) < 1e-4)
