#' Settings of the weight fit
#'
#' Builds the `control` list of [gma_sample()], in the manner of [stats::glm.control()]. The
#' defaults suit most targets; each value is checked here, so a typo fails before any density
#' evaluation.
#'
#' @param optimizer `"mirror"` for mirror descent (exponentiated gradient; weights stay positive
#'   until they underflow) or `"pgd"` for projected gradient descent with the exact Euclidean projection onto the
#'   simplex (weights can become exactly zero).
#' @param step the step-size schedule at iteration k: `"constant"` for `eta0`,
#'   `"inverse_sqrt"` for `eta0 / sqrt(k)` or `"inverse"` for `eta0 / k` (the paper's default).
#'   `NULL` takes `"constant"` for mirror descent and `"inverse_sqrt"` for projected gradient.
#' @param eta0 the initial step size, > 0. `NULL` takes 1 for mirror descent and 0.1 for
#'   projected gradient descent.
#'
#'   Mirror descent is the default because it measured best: components that no weighted
#'   component covers have a strongly negative gradient, which exponentiated steps absorb
#'   smoothly, while Euclidean steps make the mass jump between components unless the step is
#'   tuned to the target (on the trimodal target with 60 narrow components no projected-gradient
#'   setting we tried converged in 2000 iterations).
#' @param max_iter the largest number of iterations.
#' @param tol the fit stops when the Frank-Wolfe gap `sum(w * g) - min(g)` of the gradient `g`
#'   falls below `tol`. For a convex objective the gap bounds how far the objective is from its
#'   minimum, in nats; the default is well below the Monte Carlo error of the objective itself.
#'   It also stops, as converged, when over 20 iterations the weights moved less than `tol` in
#'   total variation and the objective fell by less than `tol / 10` while the gap is below
#'   `100 * tol`: far-tail components creeping toward weights near 1e-13 can hold the gap open
#'   for hundreds of iterations without changing a draw. A fit that reaches `max_iter` warns.
#' @param gradient how the expectation under each component in the gradient is estimated:
#'   `"pooled"` uses the whole bank, each point weighted by the component's density over the
#'   equal-weight mixture the bank was drawn from (multiple importance sampling with the balance
#'   heuristic); `"own"` uses only the component's own `M` draws, as in the paper. Pooling
#'   lowers the estimator's variance but costs one more pass over the log-pdf matrix per
#'   iteration; on our test targets it changed the draws' accuracy by less than their Monte
#'   Carlo error, so it is not the default.
#' @param normalize divide each step by the spread of the gradient, `max_i |g_i - sum(w * g)|`,
#'   so that the size of an iteration's move does not depend on the scale of the log density.
#'   `NULL` takes `FALSE` for mirror descent and `TRUE` for projected gradient.
#' @param sparse_tol entries of `exp(L - max)` of the log-pdf matrix `L` (each bank point under
#'   each component) below this value are dropped. The mixture density at a point then changes by
#'   less than `sparse_tol` times the number of components times the largest component density
#'   there; the largest such bound is reported in the fit. Use 0 to keep every entry. When more
#'   than half the entries are kept the matrix is stored dense.
#' @param log_floor the mixture density used in the gradient is floored at `exp(log_floor)` times
#'   the largest component density at each bank point, so a point that no weighted component
#'   covers pulls its component's weight up by a bounded amount. The floor is relative, so it
#'   means the same in any dimension.
#' @param max_memory the most memory, in bytes, that the bank and the log-pdf matrix may take. The
#'   fit stops with an error, before or while the matrix is built, rather than exhaust the machine.
#' @param keep_weights keep the weights of every iteration in the trace.
#' @return A list of class `gma_control`.
#' @examples
#' gma_control(optimizer = "pgd", step = "inverse", eta0 = 0.5)
#' @export
gma_control <- function(optimizer = c("mirror", "pgd"),
                        step = NULL, eta0 = NULL, max_iter = 1000L, tol = 1e-3,
                        gradient = c("own", "pooled"), normalize = NULL, sparse_tol = 1e-14,
                        log_floor = -32, max_memory = 4 * 2^30, keep_weights = TRUE) {
  optimizer <- match_choice(optimizer, c("mirror", "pgd"), "optimizer")
  mirror <- optimizer == "mirror"
  if (is.null(step)) step <- if (mirror) "constant" else "inverse_sqrt"
  if (is.null(eta0)) eta0 <- if (mirror) 1 else 0.1
  if (is.null(normalize)) normalize <- !mirror
  structure(list(
    optimizer = optimizer,
    step = match_choice(step, c("constant", "inverse_sqrt", "inverse"), "step"),
    eta0 = check_number(eta0, "eta0", min = 0, open_min = TRUE),
    max_iter = check_count(max_iter, "max_iter"),
    tol = check_number(tol, "tol", min = 0),
    gradient = match_choice(gradient, c("own", "pooled"), "gradient"),
    normalize = check_flag(normalize, "normalize"),
    sparse_tol = check_number(sparse_tol, "sparse_tol", min = 0, max = 1e-3),
    log_floor = check_number(log_floor, "log_floor", min = -700, max = 0),
    max_memory = check_number(max_memory, "max_memory", min = 0, open_min = TRUE),
    keep_weights = check_flag(keep_weights, "keep_weights")
  ), class = "gma_control")
}

match_choice <- function(x, choices, name) {
  if (identical(x, choices)) return(choices[1L])
  if (!is.character(x) || length(x) != 1L || !(x %in% choices)) {
    given <- if (is.character(x) && length(x) == 1L) sprintf('"%s"', x) else describe(x)
    arg_error(name, sprintf("must be one of %s, not %s",
                            paste0('"', choices, '"', collapse = ", "), given))
  }
  x
}

as_control <- function(control) {
  if (inherits(control, "gma_control")) return(control)
  if (!is.list(control)) arg_error("control", "must be a list made by gma_control()")
  unknown <- setdiff(names(control), names(formals(gma_control)))
  if (length(unknown))
    arg_error("control", sprintf("has unknown setting(s): %s", paste(unknown, collapse = ", ")))
  do.call(gma_control, control)
}

#' @export
print.gma_control <- function(x, ...) {
  cat("<gma_control>\n")
  utils::str(unclass(x), no.list = TRUE, give.head = FALSE)
  invisible(x)
}
