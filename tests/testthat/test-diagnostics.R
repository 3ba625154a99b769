# The diagnostics beside the importance weights (R/diagnostics.R).

test_that("an effective sample size under 400 warns, unless Pareto k already does", {
  # log ratios N(0, 0.6^2): ESS = n exp(-0.36), 349 of 500 and 1,395 of 2,000; a light tail
  bank_of <- function(log_ratios)
    list(bank = list(log_p = log_ratios, log_q_proposal = numeric(length(log_ratios))))
  set.seed(test_seed(90))
  few <- bank_of(rnorm(500, 0, 0.6))
  expect_warning(d <- gmasampler:::diagnose_fit(few, NULL, importance = TRUE, method = "lma"),
                 "effective sample size is 3[0-9][0-9] < 400", class = "gma_warning_ess")
  expect_lt(d$values[["pareto_k"]], 0.7)
  expect_lt(d$values[["ess"]], 400)
  # draws from the fitted mixture do not depend on the weights' ESS
  expect_length(warning_classes(gmasampler:::diagnose_fit(few, NULL, importance = FALSE, method = "lma")), 0)
  many <- bank_of(rnorm(2000, 0, 0.6))
  expect_length(warning_classes(gmasampler:::diagnose_fit(many, NULL, importance = TRUE, method = "lma")), 0)
  # a heavy tail (ratios U^-1.5: Pareto k 1.5, estimated 0.83 to 1.8 over 11 seeds) warns as such, once
  heavy <- bank_of(log(stats::runif(500)^-1.5))
  expect_identical(
    warning_classes(gmasampler:::diagnose_fit(heavy, NULL, importance = TRUE, method = "lma")),
    "gma_warning_pareto_k")
})

test_that("a fit whose budget leaves few effective draws says so", {
  f <- function(x) -x^2 / 2
  set.seed(test_seed(91))
  expect_warning(small <- gma_sample(f, dim = 1, n_evals = 300), class = "gma_warning_ess")
  expect_lt(small$diagnostics[["ess"]], 400)
  set.seed(test_seed(91))
  expect_false("gma_warning_ess" %in% warning_classes(fine <- gma_sample(f, dim = 1, n_evals = 3000)))
  expect_gt(fine$diagnostics[["ess"]], 400)
})

test_that("a region the mode search found and the fitted mixture lost is reported", {
  # the target: modes at 0 and 5 of mass 0.5 each (log Z = 0); the fit kept only the first
  log_p <- function(x) log(0.5 * dnorm(x) + 0.5 * dnorm(x, 5))
  start <- list(par = rbind(0, 5), log_p = log_p(c(0, 5)), log_evidence = log(c(0.5, 0.5)),
                along_climb = c(FALSE, FALSE))
  lost <- gmasampler:::uncovered_start(start, gma_mixture(1, rbind(0), array(1, c(1, 1, 1))), 0)
  expect_equal(lost$par, 5)
  # log p(5) - log N(5; 0, 1) = log(0.5 dnorm(0)) - log dnorm(5), 11.8 nats
  expect_equal(lost$excess, log(0.5) + 12.5, tolerance = 1e-3)
  both <- gma_mixture(c(0.5, 0.5), rbind(0, 5), array(1, c(1, 1, 2)))
  expect_null(gmasampler:::uncovered_start(start, both, 0))
  # a region holding under 1% of the mass is not worth a warning
  start$log_evidence[2] <- log(0.005)
  expect_null(gmasampler:::uncovered_start(start, gma_mixture(1, rbind(0), array(1, c(1, 1, 1))), 0))
})

test_that("draws that lean on the points the last rounds reach least warn", {
  # two rounds of 2,000 points; the second's own ratios p / q_round are those given, and the
  # pooled weights (log p - log q_proposal) put the first round's points at ratio about 1
  bank_of <- function(own_late) {
    n <- length(own_late)
    log_p <- c(rnorm(n, 0, 0.3), own_late)
    list(component = rep(1:2, each = n), log_p = log_p, log_q_round = numeric(2 * n),
         log_q_proposal = numeric(2 * n))
  }
  set.seed(test_seed(92))
  settled <- bank_of(rnorm(2000, 0, 0.3))
  tail <- gmasampler:::late_round_tail(settled, settled$log_p - settled$log_q_proposal)
  # the tail's 135 points of 4,000 (the largest ratios) carry 0.058 of the weight on 11 of 11 seeds
  expect_lt(tail[["share"]], 0.1)
  expect_length(warning_classes(gmasampler:::diagnose_fit(list(bank = settled), NULL, importance = TRUE,
                                                         method = "em")), 0)
  # ratios with a Pareto tail of k 1.5: a few points the late proposal barely reaches hold most
  # of the weight (0.82 to 0.99, k 1.03 to 1.63, over 11 seeds)
  missing <- bank_of(log(stats::runif(2000)^-1.5))
  tail <- gmasampler:::late_round_tail(missing, missing$log_p - missing$log_q_proposal)
  expect_gt(tail[["pareto_k"]], 0.7)
  expect_gt(tail[["share"]], 0.4)
  expect_true("gma_warning_coverage" %in%
                warning_classes(gmasampler:::diagnose_fit(list(bank = missing), NULL, importance = TRUE,
                                                          method = "em")))
})
