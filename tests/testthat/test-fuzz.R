# Random calls of the exported entry points from valid and wrong values of every argument
# (helper-fuzz.R): each must give a valid object or a classed gmasampler error, and only classed
# warnings. bench/fuzz.R runs the same generator for longer.

test_that("the fuzz harness tells classed errors from untyped ones", {
  probe <- function(x) stop("plain")
  expect_match(fuzz_outcome("probe", list(x = 1)), "^untyped error <simpleError")
  probe <- function(x) { warning("plain"); 1 }
  expect_match(fuzz_outcome("probe", list(x = 1)), "^unclassed warning: plain")
  expect_identical(fuzz_outcome("gma_control", list(n_evals = "a")), "classed")
  expect_identical(fuzz_outcome("gma_control", list(n_evals = 1000)), "ok")
})

test_that("random calls give a valid object or a classed error, never an untyped one", {
  runs <- fuzz_run(600, seed = test_seed(1001))
  bad <- runs[!runs$outcome %in% c("ok", "classed"), ]
  expect(nrow(bad) == 0L, paste(c(sprintf("%d of %d calls failed:", nrow(bad), nrow(runs)),
                                  utils::head(sprintf("%s\n  -> %s", bad$call, bad$outcome), 5L)),
                                collapse = "\n"))
  # the generator reaches every function, and both outcomes of each
  counts <- table(runs$fn, runs$outcome)
  expect_setequal(rownames(counts), names(fuzz_arguments))
  expect_true(all(counts[, "ok"] >= 10) && all(counts[, "classed"] >= 10))
})
