# A seeded generator of random calls for the fuzz tests (test-fuzz.R) and the longer sweep
# (bench/fuzz.R): each call starts from valid arguments and replaces one or two of them with a
# value drawn from that argument's valid values or from values of the wrong type, missing,
# infinite, negative, huge or of the wrong shape. A call passes when it returns a valid object or
# signals an error that inherits "gma_error", and every warning it gives inherits "gma_warning".

# Values that are wrong for almost every argument.
fuzz_junk <- list(
  NULL, NA, NA_real_, NaN, Inf, -Inf, -1, 0, 0.5, 1e12, 3e9, -3e9, .Machine$integer.max + 1,
  "a", "2", c(1, 2, 3), matrix(1, 2, 2), matrix(1, 1, 3), array(1, c(2, 2, 2)), list(1), list(s = "a"),
  TRUE, FALSE, character(0), numeric(0), integer(0), function(x) x, 1i, factor("a"),
  as.Date("2020-01-01"), data.frame(a = 1:2), -0.0, 1e-300, 1e308
)

fuzz_log_densities <- list(
  normal = function(x) -sum(x^2) / 2,
  normal_vec = function(x) -rowSums(x^2) / 2,
  bad_length = function(x) c(0, 0),
  text = function(x) "a",
  na = function(x) NA_real_,
  minus_inf = function(x) -Inf,
  spike = function(x) if (sum(x^2) < 0.01) 0 else -Inf,
  throws = function(x) stop("inside the density"),
  warns = function(x) { warning("careful"); -sum(x^2) / 2 },
  huge = function(x) -1e300 * sum(x^2),
  offset = function(x) 1e15 - sum(x^2) / 2,
  no_args = function() 0
)

# The valid values of each argument (the first is the default of the generated calls) and how
# many of the generator's draws take a wrong value instead (the rest a valid one).
fuzz_arguments <- list(
  gma_sample = list(
    log_density = c(list(fuzz_log_densities$normal), fuzz_log_densities),
    dim = list(1, 2, 3, NULL),
    init = list(NULL, 0.5, c(0.1, -0.2), c(a = 0, b = 1)),
    scale = list(1, 0.1, c(1, 2), 10),
    box = list(NULL, c(-3, 3), rbind(c(-2, 2), c(-1, 3))),
    lower = list(NULL, 0, -1, c(-1, -Inf)),
    upper = list(NULL, 1, 5, c(Inf, 2)),
    means = list(NULL, matrix(c(-1, 1)), rbind(c(0, 0), c(1, 1))),
    covs = list(NULL, 1, 0.5, diag(2)),
    n_components = list(NULL, 3, 5, 10),
    n_per_component = list(NULL, 5, 20, 50),
    n_evals = list(600, 300, 1000, NULL),
    n_draws = list(NULL, 1, 10, 500),
    method = list("em", "wgma", "lma", c("em", "wgma")),
    importance = list(NULL, TRUE, FALSE),
    resampling = list("stratified", "systematic", "multinomial"),
    vectorized = list(FALSE, TRUE),
    data = list(NULL, 1, list(a = 1)),
    evaluator = list("sequential"),
    threads = list(1, 2, NULL),
    seed = list(NULL, 1, 42),
    control = list(gma_control(n_evals = 600), gma_control(), gma_control(max_memory = 1e5),
                   gma_control(wgma = wgma_control(max_iter = 20)), list(n_evals = 500), list(lma = list(starts = 2)))
  ),
  gma_mixture = list(
    weights = list(NULL, c(0.3, 0.7), c(1, 1), c(0, 1)),
    means = list(matrix(c(-1, 1)), c(0, 1), rbind(c(0, 0), c(1, 1)), matrix(0, 2, 3)),
    covs = list(1, c(0.5, 2), diag(1), array(1, c(1, 1, 2))),
    family = list("gaussian", "t"),
    df = list(NULL, 3, c(3, 10), Inf)
  ),
  gma_evaluate = list(
    target = c(list(fuzz_log_densities$normal), fuzz_log_densities, list(gma_target(fuzz_log_densities$normal))),
    x = list(rbind(c(0, 1), c(1, 2)), matrix(0, 1, 1), matrix(0, 0, 2), matrix(c(Inf, 0), 1), matrix(NA_real_, 1, 2)),
    threads = list(NULL, 1, 2)
  ),
  gma_control = list(
    n_evals = list(20000, 1000, 1e6),
    max_memory = list(4 * 2^30, 1e6, 1e12),
    progress = list(FALSE, TRUE),
    em = list(em_control(), list(bank = 500), em_control(family = "t", df = 4), list(nonsense = 1)),
    wgma = list(wgma_control(), list(max_iter = 10), wgma_control(optimizer = "pgd")),
    lma = list(lma_control(), list(starts = 3), lma_control(max_modes = 2))
  )
)

# Draws one call of fn: its valid defaults with `n_changed` arguments replaced, a valid value with
# probability 1 - p_wrong, else a wrong one. Returns the argument list.
fuzz_call <- function(fn, n_changed = sample.int(2L, 1L), p_wrong = 0.5) {
  pool <- fuzz_arguments[[fn]]
  args <- lapply(pool, `[[`, 1L)
  for (name in sample(names(pool), min(n_changed, length(pool)))) {
    values <- if (stats::runif(1) < p_wrong) fuzz_junk else pool[[name]]
    args[name] <- list(values[[sample.int(length(values), 1L)]])
  }
  # arguments left at NULL are dropped, so that a function's own default applies
  args[!vapply(args, is.null, logical(1))]
}

# Runs fn with args: "ok" for a valid object, "classed" for an error inheriting gma_error, else a
# description of what went wrong (an untyped error, an unclassed warning, a wrong return value).
fuzz_outcome <- function(fn, args, env = parent.frame()) {
  stray <- character()
  value <- tryCatch(withCallingHandlers(do.call(fn, args, envir = env), warning = function(w) {
    if (!inherits(w, "gma_warning")) stray <<- c(stray, conditionMessage(w))
    invokeRestart("muffleWarning")
  }, message = function(m) invokeRestart("muffleMessage")), error = function(e) e)
  if (inherits(value, "error")) {
    if (inherits(value, "gma_error")) return("classed")
    return(sprintf("untyped error <%s>: %s", paste(class(value), collapse = "/"), conditionMessage(value)))
  }
  if (length(stray)) return(sprintf("unclassed warning: %s", stray[1L]))
  expected <- c(gma_sample = "gma_fit", gma_mixture = "gma_mixture", gma_control = "gma_control")
  ok <- if (fn == "gma_evaluate") is.numeric(value) && length(value) == nrow(args$x) && !anyNA(value)
        else inherits(value, expected[[fn]])
  if (ok) "ok" else sprintf("returned %s", class(value)[1L])
}

# A short text of a call, for failure reports.
fuzz_describe <- function(fn, args) {
  text <- vapply(names(args), function(n) {
    v <- args[[n]]
    s <- if (is.function(v)) paste(deparse(v), collapse = " ") else paste(deparse(v, width.cutoff = 60L), collapse = " ")
    sprintf("%s = %s", n, substr(s, 1L, 80L))
  }, character(1))
  sprintf("%s(%s)", fn, paste(text, collapse = ", "))
}

# n random calls from seed: a data frame of the function, the call and the outcome.
fuzz_run <- function(n, seed, fns = names(fuzz_arguments), weights = c(4, 2, 2, 2)) {
  set.seed(seed)
  fn <- sample(fns, n, replace = TRUE, prob = weights[seq_along(fns)])
  rows <- lapply(fn, function(f) {
    args <- fuzz_call(f)
    data.frame(fn = f, call = fuzz_describe(f, args), outcome = fuzz_outcome(f, args))
  })
  do.call(rbind, rows)
}
