# An importance-corrected EM fit of N((1, 1), I) with named parameters (as in test-methods.R).
fit_ab <- function(seed = 2) {
  gma_sample(function(x) -rowSums((x - 1)^2) / 2, vectorized = TRUE, init = c(a = 0, b = 0),
             control = gma_control(n_evals = 4000), seed = test_seed(seed))
}

test_that("posterior's draws and summaries agree with the fit's", {
  skip_if_not_installed("posterior")
  fit <- fit_ab()
  dm <- suppressMessages(posterior::as_draws_matrix(fit))
  expect_equal(posterior::variables(dm), c("a", "b"))
  expect_equal(attr(dm, "gma_ess"), fit$diagnostics[["ess"]])
  sd <- posterior::summarise_draws(suppressMessages(posterior::as_draws_df(fit)), "mean", "sd")
  # plain numbers: posterior 1.4.0's summary columns carry pillar classes, later ones do not
  expect_equal(as.numeric(unclass(sd$mean)), summary(fit)$table$mean)
  expect_equal(as.numeric(unclass(sd$sd)), summary(fit)$table$sd)
  expect_s3_class(suppressMessages(posterior::as_draws(fit)), "draws_matrix")
  # every format, iterations x chains x variables where there are chains
  for (f in c("as_draws_array", "as_draws_df", "as_draws_list", "as_draws_rvars")) {
    d <- suppressMessages(getExportedValue("posterior", f)(fit))
    expect_equal(posterior::ndraws(d), nrow(fit$draws), info = f)
    expect_equal(posterior::nchains(d), 1L, info = f)
  }
})

test_that("the default conversion says once what the draws are", {
  skip_if_not_installed("posterior")
  fit <- fit_ab()
  assign("shown", list(), envir = gmasampler:::the)  # as in a new session
  expect_message(posterior::as_draws_df(fit), "resampled by importance weights, not a Markov chain",
                 class = "gma_draws_message")
  expect_silent(posterior::as_draws_df(fit))
  expect_silent(posterior::as_draws_df(fit, weighted = TRUE))
  expect_error(posterior::as_draws_df(fit, weighted = NA), "`weighted` must be TRUE or FALSE")
})

test_that("weighted draws are the evaluated points with their PSIS weights, whose means are the fit's within MCSE", {
  skip_if_not_installed("posterior")
  fit <- fit_ab()
  w <- posterior::as_draws_df(fit, weighted = TRUE)
  expect_equal(posterior::ndraws(w), length(fit$bank$log_p))
  expect_equal(posterior::variables(w), c("a", "b"))
  lw <- w$.log_weight
  expect_equal(lw, gma_psis(fit$bank$log_p - fit$bank$log_q_proposal)$log_weights)
  expect_equal(sum(exp(lw)), 1)
  expect_equal(1 / sum(exp(2 * lw)), fit$diagnostics[["ess"]])
  s <- summary(fit)$table
  # the weighted means differ from the draws' only by the resampling: well within their MCSE
  weighted_mean <- c(a = sum(exp(lw) * w$a), b = sum(exp(lw) * w$b))
  expect_true(all(abs(weighted_mean - coef(fit)) < 3 * s$mcse_importance))
  # resample_draws() sees the weights: its means are the target's (1, 1) within MCSE
  set.seed(test_seed(7))
  r <- posterior::resample_draws(w)
  rs <- posterior::summarise_draws(r, "mean")
  expect_true(all(abs(as.numeric(unclass(rs$mean)) - 1) < 4 * s$mcse_importance))
  # unweighted, the same points would summarise the proposal, which is wider than the target
  expect_gt(sd(w$a), 1.05)
})

test_that("posterior's generics answer for a fit directly", {
  skip_if_not_installed("posterior")
  fit <- fit_ab()
  expect_equal(posterior::variables(fit), c("a", "b"))
  expect_equal(posterior::ndraws(fit), nrow(fit$draws))
  expect_equal(posterior::nvariables(fit), 2L)
  sub <- posterior::subset_draws(fit, variable = "b")
  expect_equal(posterior::variables(sub), "b")
  expect_equal(as.numeric(sub), unname(fit$draws[, "b"]))
})

test_that("coda's mcmc object carries the parameter names", {
  skip_if_not_installed("coda")
  expect_equal(coda::varnames(suppressMessages(coda::as.mcmc(fit_ab()))), c("a", "b"))
})
