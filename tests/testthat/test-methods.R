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
  expect_named(s$table, c("variable", "mean", "median", "sd", "mad", "q5", "q95", "mcse_importance",
                         "ess_importance"))
  expect_equal(s$table$median, unname(apply(fit$draws, 2, median)))
  expect_equal(s$table$mad, unname(apply(fit$draws, 2, mad)))
  expect_output(print(fit), "1200 density evaluations")
  # nothing found that the draws miss: log Z is not marked as low (see test-lma.R's eight schools)
  expect_equal(fit$diagnostics[["log_z_low"]], 0)
  expect_false(any(grepl("likely too low", utils::capture.output(print(fit)))))
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

test_that("summary gives the importance diagnostics, ESS and MCSE", {
  fit <- fit_named()
  s <- summary(fit)
  expect_identical(s$diagnostics, fit$diagnostics)
  # the MCSE of the draws' mean is the weighted estimate's plus the resampling's (helper-statistics)
  expect_equal(s$table$mcse_importance, c(mc_sd(fit, function(x) x[, 1]), mc_sd(fit, function(x) x[, 2])))
  # so the ESS is below both the weights' and the number of draws, and near 1 / (1 / both)
  ess <- fit$diagnostics[["ess"]]
  expect_true(all(s$table$ess_importance < min(ess, nrow(fit$draws))))
  expect_equal(s$table$ess_importance, rep(1 / (1 / ess + 1 / nrow(fit$draws)), 2), tolerance = 0.15)
  expect_output(print(fit), "Pareto k")
})

test_that("draws from the fitted mixture have the independent draws' MCSE", {
  set.seed(test_seed(3))
  fit <- gma_sample(function(x) -rowSums(x^2) / 2, vectorized = TRUE, dim = 2, importance = FALSE,
                    control = gma_control(n_evals = 3000))
  s <- summary(fit)
  n <- nrow(fit$draws)
  expect_equal(s$table$ess_importance, rep(n, 2))
  expect_equal(s$table$mcse_importance, unname(apply(fit$draws, 2, sd)) * sqrt((n - 1) / n) / sqrt(n))
})

test_that("coef, vcov, gma_evidence and the draws as matrix, data frame and array", {
  fit <- fit_named()
  expect_equal(coef(fit), colMeans(fit$draws))
  expect_equal(vcov(fit), cov(fit$draws))
  expect_equal(gma_evidence(fit), c(log_z = fit$diagnostics[["log_z"]], se = fit$diagnostics[["log_z_se"]]))
  expect_error(gma_evidence(list()), "`object` must be a gma_fit")
  expect_equal(as.data.frame(fit), as.data.frame(fit$draws))
  a <- as.array(fit)
  expect_equal(dim(a), c(nrow(fit$draws), 1L, 2L))
  expect_equal(dimnames(a)$variable, c("a", "b"))
  expect_equal(a[, 1, "b"], unname(fit$draws[, "b"]))
})

test_that("update() refits, and with the same seed gives the same draws", {
  fit <- fit_named()
  again <- update(fit, seed = 5)
  expect_identical(update(fit, seed = 5)$draws, again$draws)
  expect_equal(update(fit, control = gma_control(n_evals = 3000))$n_evals, 3000)
})

test_that("bayesplot's mcmc functions take a fit", {
  skip_if_not_installed("bayesplot")
  fit <- fit_named()
  p <- bayesplot::mcmc_hist(fit, pars = "a", binwidth = 0.2)
  expect_s3_class(p, "ggplot")
  # the plotted values are the draws of `a`
  expect_equal(sort(p$data$value), sort(unname(fit$draws[, "a"])))
})

test_that("plot() draws one page per call, and evaluates the target only when asked", {
  dir <- tempfile()
  dir.create(dir)
  png(file.path(dir, "page%02d.png"))  # a file per page
  on.exit({ dev.off(); unlink(dir, recursive = TRUE) })
  set.seed(test_seed(4))
  fit <- gma_sample(function(x) -rowSums(x^2) / 2, vectorized = TRUE, dim = 3,
                    control = gma_control(n_evals = 3000))
  # a 3-D fit's default page no longer runs on into a pairs plot: that is a page of its own
  plot(fit)
  plot(fit, which = "pairs")
  plot(fit, which = "pairs", max_pairs = 2)
  dev.off()
  expect_length(list.files(dir), 3L)
  png(file.path(dir, "more%02d.png"))
  expect_error(plot(fit, which = "all"), "`which` must be one of")
  counter <- counting(function(x) -rowSums(x^2) / 2)
  fit2 <- gma_sample(counter$f, vectorized = TRUE, dim = 2, control = gma_control(n_evals = 2000))
  n <- counter$n()
  plot(fit2)
  expect_equal(counter$n(), n)  # no overlay, no evaluation
  plot(fit2, target = gma_target(counter$f, vectorized = TRUE))
  expect_equal(counter$n(), n + 2500)
})
