test_that("the Halton design fills the unit cube evenly", {
  set.seed(1)
  u <- gmasampler:::halton(512, 3)
  expect_true(all(u >= 0 & u < 1))
  # 4 x 4 x 4 cells of 8 expected points each: independent uniforms would stray by up to about
  # 8 somewhere (a cell beyond 5 with probability 0.95); the shifted design stays within 5
  cells <- table(factor(floor(u[, 1] * 4) + 4 * floor(u[, 2] * 4) + 16 * floor(u[, 3] * 4), levels = 0:63))
  expect_lte(max(abs(cells - 8)), 5)
})

test_that("default components sit in the box or around init", {
  set.seed(2)
  d1 <- gmasampler:::design_in_box(100, rbind(c(-6, 6), c(0, 1)))
  expect_true(all(d1$means[, 1] >= -6 & d1$means[, 1] <= 6 & d1$means[, 2] >= 0 & d1$means[, 2] <= 1))
  expect_equal(sqrt(diag(d1$covs)), 0.5 * c(12, 1) / 10)
  d2 <- gmasampler:::design_around(400, c(5, -5), diag(c(4, 1)))
  expect_equal(colMeans(d2$means), c(5, -5), tolerance = 0.05)
  expect_equal(apply(d2$means, 2, sd), c(2, 1), tolerance = 0.05)
})

test_that("box and scale are checked", {
  expect_error(gmasampler:::as_box(c(1, 0), 1), "`box` must have finite limits with lower < upper")
  expect_error(gmasampler:::as_box(matrix(1:6, 3), 2), "`box` must be c\\(lower, upper\\) or a 2 x 2 matrix")
  expect_error(gmasampler:::as_scale(-1, 2), "`scale` must be a positive number")
  expect_error(gmasampler:::as_scale(matrix(c(1, 2, 2, 1), 2), 2), "`scale` must be positive definite")
})
