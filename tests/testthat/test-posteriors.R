# The defaults, given only a log density and a rough initial point, on regression-type posteriors
# from R's datasets (helper-posteriors.R), against long-MCMC or quadrature references whose
# Monte Carlo error is below 0.01 sd (fixtures/posterior-references.rds, bench/make-references.R).
# The bar: every mean within 0.1 posterior sd and every sd within 10%, in at most 20,000
# evaluations. Measured with these seeds: mean errors 0.02 to 0.06 sd, sd errors 1% to 3%.

test_that("the defaults reach regression-type posteriors from a rough initial point", {
  targets <- posterior_targets()
  refs <- posterior_references()
  for (name in names(targets)) {
    tg <- targets[[name]]
    ref <- refs[[name]]
    set.seed(1)
    lp <- counting(tg$log_density)
    fit <- gma_sample(lp$f, vectorized = TRUE, init = tg$init)
    mean_err <- max(abs(colMeans(fit$draws) - ref$mean) / ref$sd)
    sd_err <- max(abs(apply(fit$draws, 2, sd) / ref$sd - 1))
    expect_equal(fit$n_evals, lp$n(), label = paste(name, "evaluations"))
    expect_lte(fit$n_evals, 20000)
    expect_lt(mean_err, 0.1, label = paste(name, "mean error (sd units)"))
    expect_lt(sd_err, 0.1, label = paste(name, "sd relative error"))
    expect_lt(fit$diagnostics[["pareto_k"]], 0.7, label = paste(name, "Pareto k"))
  }
})
