test_that("the Halton design fills the unit cube evenly", {
  set.seed(test_seed(1))
  u <- gmasampler:::halton(512, 3)
  expect_true(all(u >= 0 & u < 1))
  # 4 x 4 x 4 cells of 8 expected points each. For independent uniforms the chi-square statistic
  # has 63 degrees of freedom (63 +- 11; below 40 with probability 0.01); for the design the
  # random shift is the only randomness, and over 10,000 shifts the statistic had median 18 and
  # maximum 38.5. (The largest cell deviation tells them apart less well: up to 7 for the design,
  # 7 or less for 60% of uniform samples.) Checked on 10 other seeds in bench/test-tolerances.R.
  cells <- table(factor(floor(u[, 1] * 4) + 4 * floor(u[, 2] * 4) + 16 * floor(u[, 3] * 4), levels = 0:63))
  expect_lt(sum((cells - 8)^2 / 8), 40)
})

test_that("default components sit in the box or around init", {
  set.seed(test_seed(2))
  d1 <- gmasampler:::design_in_box(100, rbind(c(-6, 6), c(0, 1)))
  expect_true(all(d1$means[, 1] >= -6 & d1$means[, 1] <= 6 & d1$means[, 2] >= 0 & d1$means[, 2] <= 1))
  expect_equal(sqrt(diag(d1$covs)), 0.5 * c(12, 1) / 10)
  d2 <- gmasampler:::design_around(400, c(5, -5), diag(c(4, 1)))
  # 400 independent normal points would put the mean 0.05 sd off and the sd 3.5% off (one Monte
  # Carlo sd each); the shifted design's points, normal quantiles of Halton points, are within
  # 0.027 sd and 1.8% over 10,000 shifts: 0.05 on both asks for better than independent draws.
  # Checked on 10 other seeds in bench/test-tolerances.R.
  expect_lt(max(abs(colMeans(d2$means) - c(5, -5)) / c(2, 1)), 0.05)
  expect_lt(max(abs(apply(d2$means, 2, sd) / c(2, 1) - 1)), 0.05)
})

test_that("box and scale are checked", {
  expect_error(gmasampler:::as_box(c(1, 0), 1), "`box` must have finite limits with lower < upper")
  expect_error(gmasampler:::as_box(matrix(1:6, 3), 2), "`box` must be c\\(lower, upper\\) or a 2 x 2 matrix")
  expect_error(gmasampler:::as_scale(-1, 2), "`scale` must be a positive number")
  expect_error(gmasampler:::as_scale(matrix(c(1, 2, 2, 1), 2), 2), "`scale` must be positive definite")
})
