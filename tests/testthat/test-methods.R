test_that("print, summary, as.matrix and plot work on a fit", {
  set.seed(1)
  fit <- gma_sample(log_banana, method = "wgma", init = c(a = 0, b = 0.5), scale = c(1, 1), n_components = 60,
                    n_per_component = 20)
  expect_equal(colnames(fit$draws), c("a", "b"))
  expect_identical(as.matrix(fit), fit$draws)
  s <- summary(fit)
  expect_s3_class(s, "summary.gma_fit")
  expect_equal(s$table$variable, c("a", "b"))
  expect_equal(s$table$mean, unname(colMeans(fit$draws)))
  expect_equal(s$table$q50, unname(apply(fit$draws, 2, median)))
  expect_output(print(fit), "1200 density evaluations")
  expect_output(print(s), "variable")
  expect_output(print(fit$mixture), "60 Gaussian components in 2 dimension")
  expect_output(print(gma_control()), "$wgma <wgma_control>", fixed = TRUE)
  expect_output(print(gma_target(function(x) 0)), "R function of one point")
  png(tmp <- tempfile(fileext = ".png"))
  on.exit(unlink(tmp))
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, target = FALSE))
  expect_invisible(plot(fit, target = gma_target(log_banana_vec, vectorized = TRUE)))
  dev.off()
  expect_gt(file.size(tmp), 1000)
  # the fitted mixture works on its own: its density at the bank is the fit's log q there
  expect_equal(dmixture(fit$bank$points[1:5, ], fit, log = TRUE), fit$bank$log_q[1:5], tolerance = 1e-10)
  expect_equal(dim(rmixture(10, fit)), c(10L, 2L))
  expect_equal(fit$n_evals, 1200)
  expect_named(fit$timing, c("evaluation", "log_pdf_matrix", "fit", "total"))
  # the parts are disjoint stretches of the whole
  expect_lte(sum(fit$timing[1:3]), fit$timing[["total"]] + 1e-9)
})

test_that("the evaluation time is the density's own", {
  calls <- 0
  slow <- function(x) {
    calls <<- calls + 1
    Sys.sleep(0.1)
    -rowSums(x^2) / 2
  }
  set.seed(1)
  fit <- gma_sample(slow, vectorized = TRUE, method = "wgma", dim = 1, n_components = 10, n_per_component = 10)
  expect_gte(fit$timing[["evaluation"]], 0.095 * calls)  # the clock counts in milliseconds
  expect_lte(sum(fit$timing[1:3]), fit$timing[["total"]] + 1e-9)
})

test_that("plots of EM fits in one, two and four dimensions", {
  png(tmp <- tempfile(fileext = ".png"))
  on.exit({ dev.off(); unlink(tmp) })
  for (d in c(1, 2, 4)) {
    set.seed(d)
    fit <- gma_sample(function(x) -rowSums(x^2) / 2, vectorized = TRUE, dim = d,
                      control = gma_control(n_evals = 3000))
    expect_invisible(plot(fit))
  }
})

# An importance-corrected EM fit of N((1, 1), I) with named parameters.
fit_named <- function() {
  set.seed(2)
  gma_sample(function(x) -rowSums((x - 1)^2) / 2, vectorized = TRUE, init = c(a = 0, b = 0),
             control = gma_control(n_evals = 4000))
}

test_that("summary gives the importance diagnostics", {
  fit <- fit_named()
  s <- summary(fit)
  expect_named(s$diagnostics, c("pareto_k", "tail_ratio", "ess", "log_z", "log_z_se", "unconfirmed_mass", "late_tail_index"))
  # resampled draws carry the importance weights' effective sample size, here below their number
  ess <- fit$diagnostics[["ess"]]
  expect_lt(ess, nrow(fit$draws))
  expect_equal(s$table$ess, rep(ess, 2))
  expect_equal(s$table$mcse_mean, unname(apply(fit$draws, 2, sd)) / sqrt(ess))
  expect_output(print(fit), "Pareto k")
})

test_that("posterior's draws and summaries agree with the fit's", {
  skip_if_not_installed("posterior")
  fit <- fit_named()
  dm <- posterior::as_draws_matrix(fit)
  expect_equal(posterior::variables(dm), c("a", "b"))
  sd <- posterior::summarise_draws(posterior::as_draws_df(fit), "mean", "sd")
  # plain numbers: posterior 1.4.0's summary columns carry pillar classes, later ones do not
  expect_equal(as.numeric(unclass(sd$mean)), summary(fit)$table$mean)
  expect_equal(as.numeric(unclass(sd$sd)), summary(fit)$table$sd)
  expect_s3_class(posterior::as_draws(fit), "draws_matrix")
})

test_that("coda's mcmc object carries the parameter names", {
  skip_if_not_installed("coda")
  expect_equal(coda::varnames(coda::as.mcmc(fit_named())), c("a", "b"))
})
