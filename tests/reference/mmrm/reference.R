# Reference values of celltrial's mixed model for repeated measures (MMRM) from R's nlme, emmeans,
# lme4 and pbkrtest; writes tests/reference/mmrm/reference.json. README.md beside this file gives the
# model, the calls and the versions. Deterministic; installs nothing.
# Run from the repository root: Rscript tests/reference/mmrm/reference.R
suppressPackageStartupMessages({
  library(nlme)
  library(emmeans)
  library(lme4)
  library(pbkrtest)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "mmrm")
stopifnot(dir.exists(dir))
emm_options(msg.interaction = FALSE, msg.nesting = FALSE)

# ---------------------------------------------------------------------------------------------
# Data: observed rows only, sorted by child then visit; vidx is the visit's position 1..V in the
# schedule (the sorted visit months of the file), so a missed visit leaves a gap.
# ---------------------------------------------------------------------------------------------
load_data <- function(file, control, gmfcs) {
  raw <- read.csv(file.path(dir, file), colClasses = c(id = "integer", arm = "character",
                  visit = "numeric", value = "numeric", baseline = "numeric"))
  visits <- sort(unique(raw$visit))
  d <- raw[!is.na(raw$value), ]
  d <- d[order(d$id, d$visit), ]
  stopifnot(!anyDuplicated(d[c("id", "visit")]))
  arms <- c(control, sort(setdiff(unique(raw$arm), control)))
  stopifnot(control %in% raw$arm)
  d$vidx <- match(d$visit, visits)
  d$visit <- factor(d$visit, levels = visits)
  d$arm <- factor(d$arm, levels = arms)
  d$id <- factor(d$id, levels = unique(d$id))
  dummies <- character(0)
  if (gmfcs) {
    levs <- sort(unique(d$gmfcs))
    for (l in levs[-1]) {
      nm <- paste0("gmfcs_", l)
      d[[nm]] <- as.numeric(d$gmfcs == l)
      dummies <- c(dummies, nm)
    }
  }
  rhs <- paste(c("0", "visit:arm", "visit:baseline", if (length(dummies)) paste0("visit:", dummies)), collapse = " + ")
  list(file = file, data = d, visits = visits, arms = arms, control = control,
       formula = as.formula(paste("value ~", rhs)), dummies = dummies,
       covariates = if (gmfcs) "baseline+gmfcs" else "baseline")
}

# ---------------------------------------------------------------------------------------------
# REML, computed independently of nlme in a parameterisation of its own (theta), for each structure:
#   unstructured       log of the Cholesky diagonal, then the Cholesky lower triangle (by column)
#   ar1                log sigma^2, atanh rho
#   heterogeneous-ar1  log sigma_1..sigma_V, atanh rho
#   cs                 log sigma^2, rho
#   toeplitz           log sigma^2, rho_1..rho_{V-1}
# It finds the REML optimum (nlme's own optimiser, nlminb with its default relative tolerance 1e-10
# on the objective and finite-difference gradients, stops with estimates off by up to about 3e-6
# from nlme's default start), gives the starting values of the nlme fits
# and checks emmeans' Satterthwaite d.f. (observed information from a Richardson-extrapolated
# Hessian instead of nlme's finite-difference apVar).
# ---------------------------------------------------------------------------------------------
theta_of <- function(cov, S) {
  V <- nrow(S)
  s <- sqrt(diag(S))
  R <- S / outer(s, s)
  switch(cov,
    unstructured = { L <- t(chol(S)); c(log(diag(L)), L[lower.tri(L)]) },
    ar1 = c(log(mean(diag(S))), atanh(mean(R[abs(row(R) - col(R)) == 1]))),
    "heterogeneous-ar1" = c(log(s), atanh(mean(R[abs(row(R) - col(R)) == 1]))),
    cs = c(log(mean(diag(S))), mean(R[lower.tri(R)])),
    toeplitz = c(log(mean(diag(S))), vapply(seq_len(V - 1), function(k) mean(R[row(R) - col(R) == k]), 0)))
}
sigma_of <- function(cov, th, V) {
  lag <- abs(outer(seq_len(V), seq_len(V), "-"))
  switch(cov,
    unstructured = { L <- diag(exp(th[1:V]), V); L[lower.tri(L)] <- th[-(1:V)]; L %*% t(L) },
    ar1 = exp(th[1]) * tanh(th[2])^lag,
    "heterogeneous-ar1" = { s <- exp(th[1:V]); outer(s, s) * tanh(th[V + 1])^lag },
    cs = exp(th[1]) * ifelse(lag == 0, 1, th[2]),
    toeplitz = exp(th[1]) * matrix(c(1, th[-1])[lag + 1], V, V))
}
# Children grouped by their pattern of observed visits; rows of X and y child by child.
patterns_of <- function(ds, X) {
  d <- ds$data
  key <- tapply(d$vidx, d$id, paste, collapse = ",")
  lapply(split(names(key), key), function(ids) {
    r <- which(d$id %in% ids)
    v <- d$vidx[r[d$id[r] == ids[1]]]
    list(v = v, n = length(ids), X = X[r, , drop = FALSE], y = d$value[r])
  })
}
reml_parts <- function(pats, Sigma, N, p) {
  XtVX <- matrix(0, p, p); XtVy <- numeric(p); yVy <- 0; logdet <- 0
  for (pt in pats) {
    k <- length(pt$v)
    C <- chol(Sigma[pt$v, pt$v, drop = FALSE])
    Xw <- vapply(seq_len(p), function(j) as.vector(backsolve(C, matrix(pt$X[, j], k), transpose = TRUE)),
                 numeric(k * pt$n))
    dim(Xw) <- c(k * pt$n, p)
    yw <- as.vector(backsolve(C, matrix(pt$y, k), transpose = TRUE))
    XtVX <- XtVX + crossprod(Xw); XtVy <- XtVy + drop(crossprod(Xw, yw)); yVy <- yVy + sum(yw^2)
    logdet <- logdet + pt$n * 2 * sum(log(diag(C)))
  }
  beta <- solve(XtVX, XtVy)
  rss <- yVy - sum(beta * XtVy)
  ll <- -0.5 * (logdet + as.numeric(determinant(XtVX)$modulus) + rss) - 0.5 * (N - p) * log(2 * pi)
  list(ll = ll, beta = beta, Phi = solve(XtVX))
}
reml_ll <- function(pats, cov, th, V, N, p) {
  S <- sigma_of(cov, th, V)
  if (any(!is.finite(S)) || min(eigen(S, symmetric = TRUE, only.values = TRUE)$values) <= 0) return(-Inf)
  reml_parts(pats, S, N, p)$ll
}
reml_optimum <- function(pats, cov, S_start, V, N, p) {
  f <- function(t) -reml_ll(pats, cov, t, V, N, p)
  th <- nlminb(theta_of(cov, S_start), f, function(t) numDeriv::grad(f, t),
               control = list(rel.tol = 1e-14, x.tol = 1e-12, iter.max = 1000, eval.max = 2000))$par
  for (it in 1:20) {  # Newton polish
    g <- numDeriv::grad(f, th)
    if (max(abs(g)) < 1e-9) break
    step <- solve(numDeriv::hessian(f, th), g)
    t <- 1
    while (f(th - t * step) > f(th) && t > 1e-8) t <- t / 2
    th <- th - t * step
  }
  sigma_of(cov, th, V)
}
independent_check <- function(pats, cov, S_hat, L_list, V, N, p) {
  th <- theta_of(cov, S_hat)
  f_ll <- function(t) reml_ll(pats, cov, t, V, N, p)
  at <- reml_parts(pats, sigma_of(cov, th, V), N, p)
  A <- solve(-numDeriv::hessian(f_ll, th))
  df <- vapply(L_list, function(L) {
    g <- numDeriv::grad(function(t) drop(L %*% reml_parts(pats, sigma_of(cov, t, V), N, p)$Phi %*% L), th)
    2 * drop(L %*% at$Phi %*% L)^2 / drop(t(g) %*% A %*% g)
  }, numeric(1))
  list(ll = at$ll, beta = at$beta, grad = numDeriv::grad(f_ll, th), df = df)
}

# ---------------------------------------------------------------------------------------------
# nlme fits. With S_start the structures start from that covariance; without, from nlme's defaults.
# ---------------------------------------------------------------------------------------------
cov_spec <- function(cov, V, visits, S_start = NULL) {
  init <- !is.null(S_start)
  if (init) {
    s <- sqrt(diag(S_start))
    R <- S_start / outer(s, s)
    ratios <- setNames(s[-1] / s[1], visits[-1])
    lag1 <- R[2, 1]
  }
  het <- varIdent(value = if (init) ratios else numeric(0), form = ~ 1 | visit)
  switch(cov,
    unstructured = list(correlation = corSymm(value = if (init) R[lower.tri(R)] else numeric(0),
                                              form = ~ vidx | id), weights = het),
    ar1 = list(correlation = corAR1(value = if (init) lag1 else 0, form = ~ vidx | id), weights = NULL),
    "heterogeneous-ar1" = list(correlation = corAR1(value = if (init) lag1 else 0, form = ~ vidx | id),
                               weights = het),
    cs = list(correlation = corCompSymm(value = if (init) lag1 else 0, form = ~ vidx | id), weights = NULL),
    toeplitz = {
      # AR(V-1) coefficients with the Toeplitz correlations rho_1..rho_{V-1} (Yule-Walker).
      phi <- if (init) solve(toeplitz(R[1, 1:(V - 1)]), R[1, 2:V]) else numeric(V - 1)
      list(correlation = corARMA(value = phi, form = ~ vidx | id, p = V - 1, q = 0), weights = NULL)
    })
}

control_for <- function()
  glsControl(tolerance = 1e-10, msTol = 1e-12, maxIter = 500, msMaxIter = 500, natural = FALSE)

# The call carries the formula and the data themselves, so that emmeans can rebuild the model
# matrix from fit$call (its Satterthwaite gradient does).
fit_gls <- function(ds, spec) {
  args <- list(model = ds$formula, data = ds$data, correlation = spec$correlation,
               method = "REML", control = control_for())
  if (!is.null(spec$weights)) args$weights <- spec$weights
  do.call("gls", args)
}

# Full V x V covariance of a gls fit: that of a child seen at every visit.
full_cov <- function(fit, ds) {
  V <- length(ds$visits)
  n_seen <- table(ds$data$id)
  full_ids <- names(n_seen)[n_seen == V]
  stopifnot(length(full_ids) > 0)
  S <- unclass(getVarCov(fit, individual = full_ids[1]))
  attributes(S) <- list(dim = c(V, V))
  S
}

# ---------------------------------------------------------------------------------------------
# Contrasts: for each active arm, active - control at the last visit; where asked, also the
# difference averaged (weights 1/2) over the last two visits.
# ---------------------------------------------------------------------------------------------
contrasts_for <- function(ds, average) {
  V <- length(ds$visits)
  out <- list()
  for (a in ds$arms[-1]) {
    out[[length(out) + 1]] <- list(arm = a, control = ds$control, visits = I(ds$visits[V]), weights = I(1))
    if (average)
      out[[length(out) + 1]] <- list(arm = a, control = ds$control, visits = I(ds$visits[(V - 1):V]),
                                     weights = I(c(0.5, 0.5)))
  }
  out
}
L_vector <- function(ctr, names) {
  L <- setNames(numeric(length(names)), names)
  for (k in seq_along(ctr$visits)) {
    L[paste0("visit", ctr$visits[k], ":arm", ctr$arm)] <- ctr$weights[k]
    L[paste0("visit", ctr$visits[k], ":arm", ctr$control)] <- -ctr$weights[k]
  }
  stopifnot(length(L) == length(names), sum(L != 0) == 2 * length(ctr$visits))
  L
}
# The same contrast through emmeans (arm x visit grid, covariates at their means).
emmeans_contrast <- function(fit, ds, ctr) {
  emm <- withCallingHandlers(
    emmeans(fit, ~ arm * visit, mode = "satterthwaite", data = ds$data, nesting = NULL),
    message = function(m) stop("emmeans: ", conditionMessage(m)))
  grid <- emm@grid
  w <- numeric(nrow(grid))
  for (k in seq_along(ctr$visits)) {
    at_v <- as.character(grid$visit) == as.character(ctr$visits[k])
    w[at_v & grid$arm == ctr$arm] <- ctr$weights[k]
    w[at_v & grid$arm == ctr$control] <- -ctr$weights[k]
  }
  s <- summary(contrast(emm, method = list(c = w)), infer = FALSE)
  stopifnot(attr(emm@dffun, "mesg") == "satterthwaite")
  list(estimate = s$estimate, se = s$SE, df = s$df)
}

check <- function(ok, what) if (!isTRUE(ok)) stop("check failed: ", what, call. = FALSE)
rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

# ---------------------------------------------------------------------------------------------
datasets <- list(
  list(file = "ucb_trial.csv", control = "placebo", gmfcs = FALSE, average = FALSE),
  list(file = "ucb_trial.csv", control = "placebo", gmfcs = TRUE, average = FALSE),
  list(file = "mar_dropout.csv", control = "control", gmfcs = FALSE, average = TRUE),
  list(file = "complete.csv", control = "control", gmfcs = FALSE, average = FALSE),
  list(file = "three_arms.csv", control = "placebo", gmfcs = TRUE, average = TRUE),
  list(file = "small.csv", control = "control", gmfcs = FALSE, average = FALSE)
)
covariances <- c("unstructured", "ar1", "heterogeneous-ar1", "cs", "toeplitz")

records <- list()
fits <- list()
notes <- character(0)
add_record <- function(...) records[[length(records) + 1]] <<- list(...)

for (spec_ds in datasets) {
  ds <- load_data(spec_ds$file, spec_ds$control, spec_ds$gmfcs)
  d <- ds$data
  X <- model.matrix(ds$formula, d)
  p <- ncol(X)
  check(qr(X)$rank == p, paste(ds$file, "design has full rank"))
  n_obs <- nrow(d)
  n_children <- nlevels(d$id)
  ctrs <- contrasts_for(ds, spec_ds$average)
  L_list <- lapply(ctrs, L_vector, names = colnames(X))
  V <- length(ds$visits)
  pats <- patterns_of(ds, X)
  # Start of the independent optimiser: the covariance of the least-squares residuals (pairwise).
  res <- matrix(NA_real_, n_children, V)
  res[cbind(as.integer(d$id), d$vidx)] <- resid(lm.fit(X, d$value))
  S0 <- cov(res, use = "pairwise.complete.obs")
  if (min(eigen(S0, symmetric = TRUE, only.values = TRUE)$values) <= 0) S0 <- diag(diag(S0))
  label <- paste0(ds$file, " [", ds$covariates, "]")
  for (cov in covariances) {
    S_opt <- reml_optimum(pats, cov, S0, V, n_obs, p)
    fit <- fit_gls(ds, cov_spec(cov, V, ds$visits, S_opt))
    check(identical(names(coef(fit)), colnames(X)), paste(label, cov, "coefficient names"))
    check(is.matrix(fit$apVar), paste(label, cov, "apVar available"))
    beta <- coef(fit)
    Vb <- vcov(fit)
    S <- full_cov(fit, ds)
    ll <- as.numeric(logLik(fit))
    ind <- independent_check(pats, cov, S, L_list, V, n_obs, p)
    # nlme from its own default start, for the record.
    dflt <- tryCatch(fit_gls(ds, cov_spec(cov, V, ds$visits)), error = function(e) conditionMessage(e))
    conv <- list(max_rel_diff_beta_independent = rel(ind$beta, beta),
                 loglik_diff_independent = ind$ll - ll,
                 max_abs_reml_gradient = max(abs(ind$grad)),
                 max_rel_diff_covariance_independent = rel(as.vector(S), as.vector(S_opt)),
                 default_start = if (is.character(dflt)) paste("failed:", dflt) else
                   list(max_rel_diff_beta = rel(coef(dflt), beta),
                        loglik_diff = as.numeric(logLik(dflt)) - ll))
    check(conv$max_rel_diff_beta_independent < 1e-8, paste(label, cov, "beta vs independent"))
    check(abs(conv$loglik_diff_independent) < 1e-8, paste(label, cov, "loglik vs independent"))
    fits[[length(fits) + 1]] <- list(
      dataset = ds$file, covariates = ds$covariates, covariance = cov,
      visits = ds$visits, arms = ds$arms, n_children = n_children, n_obs = n_obs,
      fixed_effect_names = colnames(X), fixed_effects = unname(beta),
      fixed_effect_se = unname(sqrt(diag(Vb))), reml_loglik = ll,
      covariance_matrix = as.vector(t(S)), convergence = conv)
    for (k in seq_along(ctrs)) {
      L <- L_list[[k]]
      est <- sum(L * beta)
      se <- sqrt(drop(L %*% Vb %*% L))
      em <- emmeans_contrast(fit, ds, ctrs[[k]])
      check(abs(em$estimate - est) <= 1e-10 * max(1, abs(est)), paste(label, cov, "emmeans estimate"))
      check(abs(em$se - se) <= 1e-10 * se, paste(label, cov, "emmeans se"))
      rel_df <- abs(em$df - ind$df[k]) / ind$df[k]
      check(rel_df < 2e-2, paste(label, cov, "emmeans Satterthwaite d.f. near the independent one"))
      if (rel_df > 1e-3) notes <- c(notes, sprintf("%s %s %s: emmeans df %.6g vs independent %.6g",
                                                   label, cov, ctrs[[k]]$arm, em$df, ind$df[k]))
      tail <- list(reml_loglik = ll, visits = ds$visits, covariance_matrix = as.vector(t(S)),
                   n_children = n_children, n_obs = n_obs, n_fixed = p)
      records[[length(records) + 1]] <- c(list(dataset = ds$file, covariates = ds$covariates,
        covariance = cov, df_method = "satterthwaite", contrast = ctrs[[k]], estimate = est, se = se,
        df = em$df, df_independent = ind$df[k]), tail)
      records[[length(records) + 1]] <- c(list(dataset = ds$file, covariates = ds$covariates,
        covariance = cov, df_method = "residual", contrast = ctrs[[k]], estimate = est, se = se,
        df = n_obs - p), tail)
    }
    cat(sprintf("%-36s %-18s loglik %.10g  |grad| %.1e  beta vs independent %.1e  S %.1e  default start: %s\n",
                label, cov, ll, conv$max_abs_reml_gradient, conv$max_rel_diff_beta_independent,
                conv$max_rel_diff_covariance_independent,
                if (is.character(dflt)) "failed" else sprintf("beta rel %.1e, loglik %+.1e",
                  conv$default_start$max_rel_diff_beta, conv$default_start$loglik_diff)), file = stderr())
  }

  # Kenward-Roger through lme4 + pbkrtest: the random-intercept model, which is the cs model when the
  # within-child correlation is positive.
  mfml <- update(ds$formula, . ~ . + (1 | id))
  mfit <- lmer(mfml, data = d, REML = TRUE,
               control = lmerControl(optimizer = "nloptwrap",
                                     optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-16,
                                                    xtol_rel = 1e-14, ftol_rel = 1e-16, maxeval = 10000)))
  check(identical(names(fixef(mfit)), colnames(X)), paste(label, "lmer coefficient names"))
  vc <- as.data.frame(VarCorr(mfit))
  tau2 <- vc$vcov[vc$grp == "id"]
  sig2 <- vc$vcov[vc$grp == "Residual"]
  S_m <- matrix(tau2, V, V) + diag(sig2, V)
  cs_fit <- fits[[which(vapply(fits, function(f) f$dataset == ds$file && f$covariates == ds$covariates &&
                                 f$covariance == "cs", logical(1)))]]
  diff_cs <- rel(unname(fixef(mfit)), cs_fit$fixed_effects)
  check(diff_cs < 1e-6, paste(label, "lmer fixed effects equal gls cs"))
  ll_m <- as.numeric(logLik(mfit, REML = TRUE))
  Vadj <- as.matrix(vcovAdj(mfit))
  Vun <- as.matrix(vcov(mfit))
  for (k in seq_along(ctrs)) {
    L <- L_list[[k]]
    Lm <- matrix(L, nrow = 1)
    add_record(dataset = ds$file, covariates = ds$covariates, covariance = "cs",
               df_method = "kenward-roger", contrast = ctrs[[k]],
               estimate = sum(L * fixef(mfit)), se = sqrt(drop(L %*% Vun %*% L)),
               df = get_Lb_ddf(mfit, Lm), se_adjusted = sqrt(drop(L %*% Vadj %*% L)),
               reml_loglik = ll_m, visits = ds$visits, covariance_matrix = as.vector(t(S_m)),
               n_children = n_children, n_obs = n_obs, n_fixed = p,
               lmer_vs_gls_cs_max_rel_diff_beta = diff_cs)
  }
  cat(sprintf("%-36s %-18s loglik %.10g  lmer vs gls cs: beta rel %.1e, loglik diff %.1e\n", label,
              "lmer (cs, KR)", ll_m, diff_cs, ll_m - cs_fit$reml_loglik), file = stderr())
}

versions <- list(R = R.version.string)
for (pk in c("nlme", "emmeans", "lme4", "pbkrtest", "numDeriv", "jsonlite"))
  versions[[pk]] <- as.character(packageVersion(pk))
out <- list(
  description = paste("MMRM reference values for celltrial (tests/reference/mmrm/README.md):",
                      "gls REML fits of value ~ 0 + visit:arm + visit:baseline [+ visit:gmfcs_<level>]",
                      "with five covariance structures; Satterthwaite d.f. from emmeans mode = 'satterthwaite',",
                      "residual d.f. n_obs - n_fixed, Kenward-Roger from pbkrtest on the lmer random-intercept fit."),
  versions = versions,
  records = records,
  fits = fits)
if (length(notes)) {
  out$notes <- notes
  cat(notes, sep = "\n", file = stderr())
}
json <- toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE)
writeLines(json, file.path(dir, "reference.json"))
cat(sprintf("wrote %s: %d records, %d fits\n", file.path(dir, "reference.json"), length(records), length(fits)))
