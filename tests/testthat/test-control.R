test_that("gma_control groups the settings by method and checks each by name", {
  ctl <- gma_control()
  expect_s3_class(ctl, "gma_control")
  expect_s3_class(ctl$em, "gma_em_control")
  expect_s3_class(ctl$wgma, "gma_wgma_control")
  expect_s3_class(ctl$lma, "gma_lma_control")
  expect_equal(ctl$wgma$optimizer, "mirror")
  expect_error(wgma_control(optimizer = "adam"), "`optimizer` must be one of \"mirror\", \"pgd\", not \"adam\"")
  expect_error(wgma_control(step = 1), "`step` must be one of")
  expect_error(wgma_control(eta0 = 0), "`eta0` must be a finite number > 0")
  expect_error(wgma_control(max_iter = 2.5), "`max_iter` must be a whole number")
  expect_error(wgma_control(max_iter = 0), "`max_iter` must be a whole number >= 1")
  expect_error(wgma_control(tol = -1), "`tol`")
  expect_error(wgma_control(keep_weights = "yes"), "`keep_weights` must be TRUE or FALSE")
  expect_error(gma_control(max_memory = NA), "`max_memory`")
  expect_error(em_control(bank = 5), "`bank` must be a whole number >= 10")
  expect_error(em_control(target_ess = 2), "`target_ess`")
  expect_error(em_control(family = "cauchy"), "`family` must be one of")
  expect_error(em_control(family = "t"), "`df` is needed with family = \"t\"")
  expect_error(em_control(df = 3), "`df` is for family = \"t\"")
  expect_error(em_control(widened = 0.6), "`widened` must be")
  expect_error(em_control(widened_scale = 0.9), "`widened_scale` must be")
  expect_error(em_control(defensive = 0.9), "`widened` \\(0.1\\) plus `defensive` \\(0.9\\) must leave")
  expect_s3_class(em_control(defensive = 0.9, widened = 0), "gma_em_control")
  expect_error(lma_control(budget = 1.5), "`budget`")
  expect_error(lma_control(inflate = 0), "`inflate` must be a finite number > 0")
})

test_that("misspelt or unknown settings are refused with their name", {
  expect_error(em_control(bnak = 2000), "`em_control` has no setting `bnak` \\(did you mean `bank`\\?\\)")
  expect_error(wgma_control(momentun = 0.1), "did you mean `momentum`")
  expect_error(lma_control(zzz = 1), "`lma_control` has no setting `zzz`$")
  expect_error(gma_control(n_eval = 100), "`gma_control` has no setting `n_eval` \\(did you mean `n_evals`\\?\\)")
  expect_error(gma_control(em = list(bnak = 2)), "did you mean `bank`")
  expect_error(gma_control(em = 3), "`em` must be made by em_control\\(\\)")
  expect_error(gma_sample(function(x) 0, dim = 1, control = list(eta = 1)), "unknown setting\\(s\\): eta")
  expect_error(gma_sample(function(x) 0, dim = 1, control = "fast"), "`control` must be a list")
})

test_that("plain lists work for the groups and for control itself", {
  ctl <- gma_control(em = list(bank = 2000), wgma = list(optimizer = "pgd"))
  expect_equal(ctl$em$bank, 2000L)
  # the optimizer's own defaults follow it
  expect_equal(unclass(ctl$wgma)[c("step", "eta0", "normalize", "momentum")],
               list(step = "inverse_sqrt", eta0 = 0.1, normalize = TRUE, momentum = 0))
  ctl2 <- gmasampler:::as_control(list(n_evals = 5000, lma = list(starts = 4)))
  expect_equal(ctl2$n_evals, 5000L)
  expect_equal(ctl2$lma$starts, 4L)
})

test_that("the names of 0.2.0 still work, once with a deprecation message", {
  assign("deprecated", list(), envir = gmasampler:::the)  # as in a new session
  expect_message(ctl <- gma_control(em_bank = 2000, em_ess_min = 0.3, lma_screen = 500, optimizer = "pgd"),
                 "gma_control\\(em_bank = \\) is deprecated .* use gma_control\\(em = em_control\\(bank = \\)\\)",
                 class = "gma_deprecated")
  expect_equal(ctl$em$bank, 2000L)
  expect_equal(ctl$em$target_ess, 0.3)
  expect_equal(ctl$lma$screen, 500L)
  # as in 0.2.0, the optimizer's defaults follow an old-style optimizer too
  expect_equal(ctl$wgma$step, "inverse_sqrt")
  expect_equal(ctl$wgma$momentum, 0)
  expect_silent(gma_control(em_bank = 3000))  # the message comes once a session
  expect_equal(gma_control(em_min_ess = 7)$em$min_component_ess, 7)
  # the value is still checked under its new name
  expect_error(suppressMessages(gma_control(em_iter = 0)), "`max_rounds` must be a whole number >= 1")
})

test_that("arguments the method does not use warn", {
  f <- function(x) -sum(x^2) / 2
  set.seed(1)
  expect_warning(gma_sample(f, dim = 1, n_components = 10, control = gma_control(n_evals = 3000)),
                 "`n_components` is ignored: method = \"em\" finds its components itself")
  expect_warning(gma_sample(f, dim = 1, n_per_component = 10, method = "lma", control = gma_control(n_evals = 3000)),
                 "`n_per_component` is ignored")
  expect_warning(gma_sample(f, method = "wgma", means = 0, covs = 1, box = c(-1, 1), n_per_component = 10),
                 "`box` is ignored: `means` and `covs` give the components")
})

test_that("the progress bar follows the evaluations when switched on, and is off in scripts", {
  expect_false(gma_control()$progress)
  set.seed(1)
  out <- capture.output(
    fit <- gma_sample(function(x) -x^2 / 2, dim = 1, control = gma_control(progress = TRUE, n_evals = 3000)),
    type = "message")
  expect_match(paste(out, collapse = ""), "100%")
  expect_error(gma_control(progress = NA), "`progress` must be TRUE or FALSE")
})
