# FOCE objective for nonlinear mixed-effects models with an additive
# normal residual error: the -2 log-likelihood that `pksim popfit` reports,
# computed independently of nlme; and the reference table of an nlme fit.
# Sourced by theoph_nlme.R and phenobarb_nlme.R (run from the repository
# root).
#
# Model: subject i has parameters phi_i = beta + A b_i (log scale; A is
# p x q and selects the parameters with a random effect), b_i ~ N(0, Omega),
# y_ij = f_ij(phi_i) + e_ij, e_ij ~ N(0, sigma^2).
#
# FOCE (first-order conditional estimation; with an additive error its
# "interaction" variant is the same): at the conditional mode
#   b^_i = argmin_b  |y_i - f_i(beta + A b)|^2 / sigma^2 + b' Omega^-1 b
# the model is linearised in b, Z_i = d f_i / d b at b^_i, and
#   -2LL = sum_i [ n_i log(2 pi) + log det C_i + r_i' C_i^-1 r_i ],
#   C_i = sigma^2 I + Z_i Omega Z_i',   r_i = y_i - f_i(b^_i) + Z_i b^_i.
# This is the objective NONMEM calls FOCE plus the constant N log(2 pi)
# that NONMEM's OFV leaves out (N = number of observations), and what
# nlme's logLik(method = "ML") approximates (Lindstrom-Bates: the same
# linearisation at nlme's own b^_i).
#
# A subject is a list(y = observations, fj = function(phi) returning
# list(f = predictions, J = n x p Jacobian d f / d phi)).

# Conditional mode: Newton on the exact gradient (Hessian by central
# differences of it; Gauss-Newton's where that is not positive definite),
# with step halving, to a gradient below 1e-10.  Plain Gauss-Newton is
# linear and slow where residuals are large (Theoph subject 9, ka ~ 5/h).
foce_mode <- function(s, beta, A, Oinv, sigma, b0) {
  q <- length(b0)
  obj <- function(b) {
    ev <- s$fj(beta + drop(A %*% b))
    e <- s$y - ev$f
    Z <- ev$J %*% A
    list(v = sum(e^2) / sigma^2 + drop(t(b) %*% Oinv %*% b), e = e, Z = Z,
         g = -2 * drop(t(Z) %*% e) / sigma^2 + 2 * drop(Oinv %*% b))
  }
  b <- b0
  cur <- obj(b)
  for (it in 1:500) {
    H <- vapply(seq_len(q), function(k) {
      h <- 1e-6 * max(1, abs(b[k]))
      e <- replace(numeric(q), k, h)
      (obj(b + e)$g - obj(b - e)$g) / (2 * h)
    }, numeric(q))
    H <- matrix(H, q, q)
    H <- (H + t(H)) / 2
    R <- tryCatch(chol(H), error = function(e) NULL)
    if (is.null(R)) R <- chol(2 * (t(cur$Z) %*% cur$Z) / sigma^2 + 2 * Oinv)
    step <- -backsolve(R, backsolve(R, cur$g, transpose = TRUE))
    # a step is taken when it lowers the objective, or leaves it within
    # rounding and lowers the gradient: a nearly singular Omega (Theoph,
    # full Omega: an eigenvalue of 2e-7) leaves gradients of 1e-6 whose
    # Newton steps change the objective by less than its rounding
    gn <- sqrt(sum(cur$g^2))
    lam <- 1
    repeat {
      nb <- b + lam * step
      nx <- tryCatch(obj(nb), error = function(e) NULL)
      if (!is.null(nx) && is.finite(nx$v) &&
          (nx$v < cur$v || (nx$v <= cur$v + 1e-12 * max(1, abs(cur$v)) && sqrt(sum(nx$g^2)) < gn)))
        break
      lam <- lam / 2
      if (lam < 1e-12) { nb <- b; nx <- cur; break }
    }
    stuck <- identical(nb, b)
    b <- nb
    cur <- nx
    if (sqrt(sum(cur$g^2)) < 1e-10 || stuck) break
  }
  list(b = b, e = cur$e, Z = cur$Z, it = it, gnorm = sqrt(sum(cur$g^2)))
}

# -2LL over all subjects; b0: list of starting modes (e.g. nlme's EBEs).
# Returns the total, the per-subject terms and the modes.
foce_m2ll <- function(subjects, beta, A, Omega, sigma, b0 = NULL) {
  q <- ncol(A)
  Oinv <- solve(Omega)
  tot <- 0
  modes <- vector("list", length(subjects))
  per <- numeric(length(subjects))
  for (i in seq_along(subjects)) {
    s <- subjects[[i]]
    st <- if (is.null(b0)) rep(0, q) else b0[[i]]
    m <- foce_mode(s, beta, A, Oinv, sigma, st)
    n <- length(s$y)
    C <- sigma^2 * diag(n) + m$Z %*% Omega %*% t(m$Z)
    r <- m$e + drop(m$Z %*% m$b)
    R <- chol(C)
    per[i] <- n * log(2 * pi) + 2 * sum(log(diag(R))) + sum(backsolve(R, r, transpose = TRUE)^2)
    tot <- tot + per[i]
    modes[[i]] <- m$b
  }
  list(m2ll = tot, per = per, modes = modes)
}

# Omega from an unconstrained vector: "diag" holds log SDs; "symm" a
# log-Cholesky factor (log diagonal, then the lower triangle by columns).
foce_omega <- function(u, q, kind) {
  if (kind == "diag") return(diag(exp(2 * u), q))
  L <- diag(exp(u[1:q]), q)
  L[lower.tri(L)] <- u[-(1:q)]
  L %*% t(L)
}
foce_omega_u <- function(Omega, kind) {
  if (kind == "diag") return(0.5 * log(diag(Omega)))
  L <- t(chol(Omega))
  c(log(diag(L)), L[lower.tri(L)])
}

# Minimises the FOCE -2LL over (beta, Omega, sigma) from a start (nlme's
# estimates), the modes warm-started from the previous evaluation.
foce_fit <- function(subjects, beta, A, Omega, sigma, kind, b0 = NULL) {
  p <- length(beta); q <- ncol(A)
  modes <- b0
  f <- function(th) {
    Om <- foce_omega(th[p + seq_len(length(th) - p - 1)], q, kind)
    r <- tryCatch(foce_m2ll(subjects, th[1:p], A, Om, exp(th[length(th)]), modes),
                  error = function(e) NULL)
    if (is.null(r) || !is.finite(r$m2ll)) return(1e300)
    modes <<- r$modes
    r$m2ll
  }
  # central differences (step 1e-5) on an objective whose modes are solved
  # to 1e-12: nlminb's own forward differences stall on them
  g <- function(th) vapply(seq_along(th), function(k) {
    h <- 1e-5 * max(1, abs(th[k]))
    e <- replace(numeric(length(th)), k, h)
    (f(th + e) - f(th - e)) / (2 * h)
  }, 0)
  th0 <- c(beta, foce_omega_u(Omega, kind), log(sigma))
  # passes of nlminb from the last optimum until one gains < 1e-9
  o <- list(par = th0, objective = f(th0))
  for (pass in 1:20) {
    prev <- o$objective
    o <- nlminb(o$par, f, g, control = list(eval.max = 5000, iter.max = 2000, rel.tol = 1e-14,
                                            x.tol = 1e-12))
    if (prev - o$objective < 1e-9) break
  }
  # Newton polish (Hessian by central differences of g): nlminb stops on a
  # flat valley (Theoph, full Omega) with a gradient of ~2e-4
  th <- o$par
  for (it in 1:10) {
    gr <- g(th)
    if (max(abs(gr)) < 1e-6) break
    H <- vapply(seq_along(th), function(k) {
      h <- 1e-4 * max(1, abs(th[k]))
      e <- replace(numeric(length(th)), k, h)
      (g(th + e) - g(th - e)) / (2 * h)
    }, numeric(length(th)))
    H <- (H + t(H)) / 2
    R <- tryCatch(chol(H), error = function(e) NULL)
    if (is.null(R)) break
    step <- -backsolve(R, backsolve(R, gr, transpose = TRUE))
    f0 <- f(th)
    lam <- 1
    while (lam > 1e-4 && f(th + lam * step) > f0) lam <- lam / 2
    if (lam <= 1e-4) break
    th <- th + lam * step
  }
  o$par <- th
  gnorm <- max(abs(g(th)))
  th <- o$par
  Om <- foce_omega(th[p + seq_len(length(th) - p - 1)], q, kind)
  fin <- foce_m2ll(subjects, th[1:p], A, Om, exp(th[length(th)]), modes)
  list(beta = th[1:p], Omega = Om, sigma = exp(th[length(th)]), m2ll = fin$m2ll,
       modes = fin$modes, gradient = gnorm, passes = pass, message = o$message)
}

# Rows name,value,se for a reference CSV.
ref_row <- function(name, value, se = NA) {
  data.frame(name = name, value = ifelse(is.na(value), "NA", sprintf("%.12g", value)),
             se = ifelse(is.na(se), "NA", sprintf("%.6g", se)))
}

# nlme (ML) over a ladder of controls, tightest first: the first fit that
# returns and whose EBEs are the conditional modes of its own estimates
# (within 1e-5, re-solved here) counts as converged.  nlme can return
# without an error from a PNLS step that hit pnlsMaxIter every time and
# never moved (Theoph with random lKa and lCl only): that check catches it.
#   fit_fn(control) fits; cf: list(re = names of the parameters with a
#   random effect, kind = "diag" or "symm"); subjects: as for foce_m2ll,
#   in the order of ids.
# Returns list(fit (the converged one, else the last that returned, else
# NULL), ok, ctrl, warn, log (one line per attempt), eta, beta, Omega,
# foce_at (foce_m2ll at nlme's estimates), mode_diff).
nlme_ladder <- function(fit_fn, subjects, ids, cf) {
  ladder <- list(c(1e-10, 1e-10), c(1e-10, 1e-8), c(1e-10, 1e-6), c(1e-8, 1e-4), c(1e-6, 1e-3))
  best <- NULL
  log <- character()
  for (l in ladder) {
    ctrl <- nlmeControl(maxIter = 1000, pnlsMaxIter = 50, msMaxIter = 1000, niterEM = 100,
                        tolerance = l[1], pnlsTol = l[2], msTol = 1e-12, returnObject = FALSE)
    warn <- character()
    fit <- withCallingHandlers(
      tryCatch(fit_fn(ctrl), error = function(e) conditionMessage(e)),
      warning = function(w) {
        warn <<- c(warn, conditionMessage(w))
        invokeRestart("muffleWarning")
      })
    what <- sprintf("tolerance %g, pnlsTol %g", l[1], l[2])
    if (is.character(fit)) {
      log <- c(log, sprintf("%s: error: %s", what, fit))
      next
    }
    beta <- fixef(fit)
    Omega <- (pdMatrix(fit$modelStruct$reStruct[[1]]) * fit$sigma^2)[cf$re, cf$re, drop = FALSE]
    eta <- as.matrix(ranef(fit)[as.character(ids), cf$re, drop = FALSE])
    A <- diag(length(beta))[, match(cf$re, names(beta)), drop = FALSE]
    at <- foce_m2ll(subjects, beta, A, Omega, fit$sigma, lapply(seq_along(ids), function(i) eta[i, ]))
    mode_diff <- max(abs(do.call(rbind, at$modes) - eta))
    ok <- mode_diff < 1e-5
    log <- c(log, sprintf("%s: returned after %d iterations, -2LL %.6f; EBEs %s the conditional modes (max difference %.2g)%s",
                          what, fit$numIter, -2 * as.numeric(logLik(fit)), if (ok) "are" else "are NOT",
                          mode_diff, if (length(warn)) paste0("; warnings: ", paste(unique(warn), collapse = " | ")) else ""))
    best <- list(fit = fit, ok = ok, ctrl = l, warn = warn, eta = eta, beta = beta, Omega = Omega,
                 A = A, foce_at = at, mode_diff = mode_diff)
    if (ok) break
  }
  if (is.null(best)) return(list(fit = NULL, ok = FALSE, log = log))
  best$log <- log
  best
}

# The reference table of an nlme fit (ML) from nlme_ladder: fixed effects
# with their SEs, Omega (SDs, variances; covariances and correlations when
# full), sigma, logLik, -2LL, AIC, BIC, counts, convergence; then the FOCE
# -2LL at nlme's estimates and the FOCE optimum from there (foce_opt_*).
# Returns list(ref = data frame, header = comment lines, status = a line).
nlme_reference <- function(r, subjects, ids, cf, data_desc, script) {
  fit <- r$fit
  beta <- r$beta
  pn <- names(beta)
  se <- summary(fit)$tTable[pn, "Std.Error"]
  ll <- logLik(fit)
  nobs <- sum(vapply(subjects, function(s) length(s$y), 0))
  apvar_ok <- is.matrix(fit$apVar)

  omega_rows <- function(prefix, Om) {
    out <- list()
    for (p in cf$re) out[[length(out) + 1]] <- ref_row(paste0(prefix, "omega_sd_", p), sqrt(Om[p, p]))
    for (p in cf$re) out[[length(out) + 1]] <- ref_row(paste0(prefix, "omega_var_", p), Om[p, p])
    out[[length(out) + 1]] <- ref_row(paste0(prefix, "omega_min_eigenvalue"),
                                      min(eigen(Om, symmetric = TRUE, only.values = TRUE)$values))
    if (cf$kind == "symm")
      for (a in seq_along(cf$re)) for (b in seq_along(cf$re)) if (a < b) {
        pa <- cf$re[a]; pb <- cf$re[b]
        out[[length(out) + 1]] <- ref_row(paste0(prefix, "omega_cov_", pa, "_", pb), Om[pa, pb])
        out[[length(out) + 1]] <- ref_row(paste0(prefix, "omega_cor_", pa, "_", pb),
                                          Om[pa, pb] / sqrt(Om[pa, pa] * Om[pb, pb]))
      }
    out
  }

  opt <- foce_fit(subjects, beta, r$A, r$Omega, fit$sigma, cf$kind, r$foce_at$modes)
  dimnames(opt$Omega) <- list(cf$re, cf$re)
  opt_ok <- opt$gradient < 1e-4

  rows <- c(
    lapply(pn, function(p) ref_row(p, beta[[p]], se[[p]])),
    omega_rows("", r$Omega),
    list(ref_row("sigma", fit$sigma), ref_row("sigma2", fit$sigma^2),
         ref_row("logLik", as.numeric(ll)), ref_row("minus2LL", -2 * as.numeric(ll)),
         ref_row("AIC", AIC(fit)), ref_row("BIC", BIC(fit)),
         ref_row("n_obs", nobs), ref_row("n_subjects", length(ids)),
         ref_row("n_params", attr(ll, "df")), ref_row("converged", as.integer(r$ok)),
         ref_row("nlme_iterations", fit$numIter), ref_row("apVar_ok", as.integer(apvar_ok)),
         ref_row("foce_minus2LL_at_nlme", r$foce_at$m2ll),
         ref_row("foce_ofv_at_nlme", r$foce_at$m2ll - nobs * log(2 * pi)),
         ref_row("foce_mode_maxdiff_vs_nlme_ebe", r$mode_diff)),
    lapply(seq_along(pn), function(k) ref_row(paste0("foce_opt_", pn[k]), opt$beta[k])),
    omega_rows("foce_opt_", opt$Omega),
    list(ref_row("foce_opt_sigma", opt$sigma), ref_row("foce_opt_minus2LL", opt$m2ll),
         ref_row("foce_opt_ofv", opt$m2ll - nobs * log(2 * pi)),
         ref_row("foce_opt_max_abs_gradient", opt$gradient),
         ref_row("foce_opt_converged", as.integer(opt_ok))))
  ref <- do.call(rbind, rows)

  cond <- function(Om) {
    ev <- eigen(Om, symmetric = TRUE, only.values = TRUE)$values
    min(ev) / max(ev)
  }
  header <- c(
    sprintf("# R %s.%s, nlme %s, method ML, %s random effects on %s: %s%s",
            R.version$major, R.version$minor, packageVersion("nlme"),
            if (cf$kind == "diag") "pdDiag" else "pdSymm", paste(cf$re, collapse = ", "),
            if (r$ok) sprintf("converged in %d iterations (tolerance %g, pnlsTol %g, msTol 1e-12); apVar %s; warnings: %s",
                              fit$numIter, r$ctrl[1], r$ctrl[2],
                              if (apvar_ok) "positive definite" else "not positive definite",
                              if (length(r$warn)) paste(unique(r$warn), collapse = " | ") else "none")
            else "NOT CONVERGED: nlme returned, but its EBEs are not the conditional modes of its estimates; use the foce_opt_* rows",
            if (cond(r$Omega) < 1e-4 || cond(opt$Omega) < 1e-4)
              sprintf(". Omega is nearly singular (smallest/largest eigenvalue %.2g at nlme's estimates, %.2g at the FOCE optimum, which lies on the boundary): a poor validation target",
                      cond(r$Omega), cond(opt$Omega))
            else ""),
    sprintf("# Data: %s. Parameters on the log scale (se: nlme's). minus2LL = -2 logLik, N log(2 pi) included; foce_*: the FOCE -2LL of scripts/validation/popfit_common.R at nlme's estimates (modes re-solved) and at its own optimum (foce_opt_*; ofv = without N log(2 pi)). See %s",
            data_desc, script))
  mine <- function(Om) min(eigen(Om, symmetric = TRUE, only.values = TRUE)$values)
  status <- sprintf("nlme %s (%d iterations); -2LL %.6f; FOCE at nlme %.6f; FOCE optimum %.6f (%s, max |gradient| %.2g); smallest eigenvalue of Omega %.3g (nlme), %.3g (FOCE optimum)",
                    if (r$ok) "converged" else "NOT converged", fit$numIter, -2 * as.numeric(ll),
                    r$foce_at$m2ll, opt$m2ll, if (opt_ok) "converged" else "NOT converged",
                    opt$gradient, mine(r$Omega), mine(opt$Omega))
  list(ref = ref, header = header, status = status, opt = opt)
}

# Fits each configuration (nlme_ladder) and writes, in out/,
# <stem>_reference<suffix>.csv for every one that returned and
# <stem>_ebe<suffix>.csv for the converged ones; the first configuration
# has no suffix, the others "_<name>".  fit_fn(cf, ctrl) fits one;
# ebe_id: the data frame of the EBE file's leading columns (one row per
# id); ebe_par(cfi): its trailing columns from coef(fit) (individual log
# parameters, rows in ids order); ebe_note: what those columns are.
# Returns list(status = one line per configuration, fits = nlme_ladder's).
run_configs <- function(configs, fit_fn, subjects, ids, out, stem, data_desc, script,
                        ebe_id, ebe_par, ebe_note) {
  status <- character()
  fits <- list()
  for (nm_cf in names(configs)) {
    cf <- configs[[nm_cf]]
    r <- nlme_ladder(function(ctrl) fit_fn(cf, ctrl), subjects, ids, cf)
    cat(sprintf("%s:\n  %s\n", nm_cf, paste(r$log, collapse = "\n  ")))
    if (is.null(r$fit)) {
      status[nm_cf] <- "nlme failed at every control setting"
      next
    }
    fits[[nm_cf]] <- r
    res <- nlme_reference(r, subjects, ids, cf, data_desc, script)
    suffix <- if (nm_cf == names(configs)[1]) "" else paste0("_", nm_cf)
    con <- file(file.path(out, paste0(stem, "_reference", suffix, ".csv")), "w")
    writeLines(res$header, con)
    write.csv(res$ref, con, row.names = FALSE, quote = FALSE)
    close(con)
    status[nm_cf] <- res$status
    if (!r$ok) next   # no EBEs from a fit that did not converge

    ebe <- ebe_id
    for (p in cf$re) ebe[[paste0("eta_", p)]] <- sprintf("%.12g", r$eta[, p])
    par <- ebe_par(coef(r$fit)[as.character(ids), ])
    for (p in names(par)) ebe[[p]] <- sprintf("%.12g", par[[p]])
    con <- file(file.path(out, paste0(stem, "_ebe", suffix, ".csv")), "w")
    writeLines(sprintf("# %s (converged): nlme's EBEs (eta_*, log scale) and %s; see %s",
                       nm_cf, ebe_note, script), con)
    write.csv(ebe, con, row.names = FALSE, quote = FALSE)
    close(con)
  }
  cat("\n", paste(names(status), status, sep = ": ", collapse = "\n"), "\n", sep = "")
  list(status = status, fits = fits)
}
