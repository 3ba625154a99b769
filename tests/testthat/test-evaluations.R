test_that("the counter keeps its budget and says when it runs out", {
  ev <- gmasampler:::evaluation_counter(gma_target(function(x) 0), 1, budget = 10)
  expect_equal(ev$evaluate(matrix(0, 6, 1)), rep(0, 6))
  expect_error(ev$evaluate(matrix(0, 6, 1)), class = "gma_budget")
  expect_equal(c(ev$count(), ev$remaining(), ev$budget()), c(6, 4, 10))
  e <- expect_error(gmasampler:::budget_spent_error(ev, "the next round"), class = "gma_error_argument")
  expect_match(conditionMessage(e), "`n_evals` \\(10\\) is too small: 6 evaluations were used and 4 are left, too few for the next round")
})

test_that("too small a budget names n_evals, not the density", {
  f <- function(x) -sum(x^2) / 2
  expect_error(gma_sample(f, dim = 1, control = gma_control(n_evals = 100)),
               "`control\\$n_evals` \\(100\\) leaves [0-9]+ evaluations for EM after the mode search",
               class = "gma_error_argument")
  expect_error(gma_sample(f, dim = 1, n_evals = 100), "leaves [0-9]+ evaluations for EM", class = "gma_error_argument")
  expect_error(gma_sample(f, dim = 2, method = "lma", control = gma_control(n_evals = 20)),
               '`n_evals` \\(20\\) is too small for method = "lma"', class = "gma_error_argument")
})

test_that("log p too large for doubles to resolve warns once, at the end, naming the cause", {
  ev <- gmasampler:::evaluation_counter(gma_target(function(x) 1e15 - sum(x^2) / 2), 1)
  expect_no_warning(ev$evaluate(matrix(1:3, ncol = 1)))
  expect_no_warning(ev$evaluate(matrix(1:3, ncol = 1)))
  expect_warning(ev$done(), "reaches 1e\\+15 in magnitude, where a double resolves only 0.22 nats",
                 class = "gma_warning_precision")
  # far points with a huge negative log p do not matter: only the largest log p is judged
  ok <- gmasampler:::evaluation_counter(gma_target(function(x) -1e15 * sum(x^2)), 1)
  ok$evaluate(matrix(c(0.001, 1, 3), ncol = 1))
  expect_no_warning(ok$done())
})
