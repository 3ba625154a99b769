banana_points <- rbind(c(0, 0), c(1, 0.5), c(-2, 3))

test_that("R densities of one point and vectorised ones give the same values", {
  ref <- apply(banana_points, 1, log_banana)
  expect_equal(gma_evaluate(log_banana, banana_points), ref)
  expect_equal(gma_evaluate(gma_target(log_banana_vec, vectorized = TRUE), banana_points), ref)
})

test_that("a compiled density gives the R density's values", {
  expect_equal(gma_evaluate(compiled("banana"), banana_points, threads = 2),
               apply(banana_points, 1, log_banana), tolerance = 1e-12)
})

test_that("a point function sees the parameter names", {
  f <- function(x) -sum((x["b"] - 1)^2)
  x <- matrix(c(0, 0, 0, 2), 2, dimnames = list(NULL, c("a", "b")))
  expect_equal(gma_evaluate(f, x), c(-1, -1))
})

test_that("bad values from an R function are reported with the point", {
  x <- rbind(0.5, 2)
  expect_error(gma_evaluate(function(x) if (x > 1) NaN else 0, x), "returned NaN at the point \\(2\\)")
  expect_error(gma_evaluate(function(x) if (x > 1) NA_real_ else 0, x), "returned NA at the point \\(2\\)")
  expect_error(gma_evaluate(function(x) if (x > 1) Inf else 0, x), "returned \\+Inf")
  expect_error(gma_evaluate(function(x) c(0, 0), x), "returned 2 values instead of one number at the point \\(0.5\\)")
  expect_error(gma_evaluate(function(x) "a", x), "returned a character instead of one number")
  expect_error(gma_evaluate(function(x) NULL, x), "returned NULL instead of one number")
  expect_error(gma_evaluate(function(x) stop("boom"), x), "`log_density` failed: boom at the point \\(0.5\\)")
  expect_error(gma_evaluate(function(x) 0, matrix("a")), "`x` must be a numeric matrix")
})

test_that("bad values from a vectorised function are reported", {
  x <- rbind(0.5, 2, 3)
  v <- function(f) gma_target(f, vectorized = TRUE)
  expect_error(gma_evaluate(v(function(x) c(0, 0)), x), "returned 2 values for 3 points")
  expect_error(gma_evaluate(v(function(x) as.character(x)), x), "instead of a numeric vector")
  expect_error(gma_evaluate(v(function(x) ifelse(x > 1, NaN, 0)), x), "returned NaN \\(and at 1 more points\\) at the point \\(2\\)")
  expect_error(gma_evaluate(v(function(x) stop("no")), x), "failed on a batch of 3 points: no")
})

test_that("bad values and exceptions from a compiled density are reported", {
  x <- rbind(0.5, 2, 3)
  expect_error(gma_evaluate(compiled("nan_above_one"), x), "returned NaN \\(and at 1 more points\\) at the point \\(2\\)")
  expect_error(gma_evaluate(compiled("inf_above_one"), x), "returned \\+Inf")
  expect_error(gma_evaluate(compiled("throws_above_one"), x, threads = 2),
               "threw a C\\+\\+ exception \\(and at 1 more points\\): x\\[0\\] is above one at the point \\(2\\)")
  expect_error(gma_evaluate(compiled("needs_missing_data"), x), "no array named 'missing'")
})

test_that("compiled densities take data as a vector, matrix or list", {
  x <- rbind(c(1, 2), c(0, 0))
  expect_equal(gma_evaluate(gma_target(compiled("shifted_normal"), data = c(1, 2)), x), c(0, -2.5))
  X <- matrix(c(1, -1, 2, 0.5), 2)
  lp <- gma_target(compiled("logistic"), data = list(X = X, y = c(1L, 0L)))
  w <- c(0.3, -0.2)
  eta <- X %*% w
  expect_equal(gma_evaluate(lp, rbind(w)), sum(c(1, 0) * eta - log1p(exp(eta))) - sum(w^2) / 2)
  expect_error(gma_target(compiled("logistic"), data = list(X = X, y = "a")), "`data\\$y` must be a numeric")
  expect_error(gma_target(compiled("logistic"), data = list(X, list(1))), "`data\\[\\[2\\]\\]` must be a numeric")
})

test_that("compiled data are converted once per target, and made good when that copy is lost", {
  x <- rbind(c(1, 2), c(0, 0))
  target <- gma_target(compiled("shifted_normal"), data = c(1, 2))
  expect_equal(gma_evaluate(target, x), c(0, -2.5))
  # serialisation empties the external pointer of the converted copy; the list is used instead
  target$data_ptr <- unserialize(serialize(target$data_ptr, NULL))
  expect_equal(gma_evaluate(target, x), c(0, -2.5))
})

test_that("non-functions and bad settings of R functions are refused", {
  expect_error(gma_target(42), "`log_density` must be an R function or a compiled log density")
  expect_error(gma_target(function(x) 0, data = 1), "`data` is for compiled log densities")
  expect_error(gma_target(function(x) 0, vectorized = NA), "`vectorized` must be TRUE or FALSE")
})

test_that("foreign and stale pointers are refused", {
  expect_error(gma_target(compiled("foo_does_not_exist")), "no test density")
  expect_error(gma_target(test_densities()$foreign_pointer()), "not made by gmasampler::make_log_density")
  stale <- unserialize(serialize(compiled("std_normal"), NULL))
  expect_error(gma_target(stale), "null external pointer")
})
