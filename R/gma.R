#' Sample from an unnormalised density by Gaussian mixture approximation
#'
#' Draws a bank of `n_per_component` points from each of `n_components` Gaussian components,
#' evaluates the log density once at every bank point (one batch, in parallel threads for a
#' compiled density), fits the mixture weights by minimising a sample estimate of the reverse KL
#' divergence (W-GMA), and resamples the bank by the fitted weights. No density evaluation is
#' spent after the batch.
#'
#' @section Components: give `means` and `covs` to place the components yourself. Otherwise a
#'   space-filling (randomly shifted Halton) design places them: inside `box` when it is given,
#'   each with standard deviation half the box's side over `n_components^(1/d)`; else around
#'   `init` (default the origin) as a kernel density estimate of `N(init, S)`, where `S` comes
#'   from `scale`, with Silverman's bandwidth. The draws follow the fitted mixture restricted to
#'   the bank, which is the target blurred by the component width: narrower, more numerous
#'   components blur less.
#'
#' @section Compiled log densities: write a C++ function with the signature
#'   `double f(const double* x, int d, const gmasampler::Data& data)` and wrap it with
#'   `gmasampler::make_log_density(&f)`:
#'   \preformatted{
#' // [[Rcpp::depends(gmasampler)]]
#' #include <gmasampler.h>
#' double normal_lp(const double* x, int d, const gmasampler::Data& data) {
#'   double s = 0;
#'   for (int i = 0; i < d; ++i) s += x[i] * x[i];
#'   return -0.5 * s;
#' }
#' // [[Rcpp::export]]
#' SEXP normal_lp_ptr() { return gmasampler::make_log_density(&normal_lp); }
#'   }
#'   Compile it with [Rcpp::sourceCpp()] or [Rcpp::cppFunction()] (`depends = "gmasampler"`) and
#'   pass `normal_lp_ptr()` as `log_density`, with its data in `data`. It runs in several threads
#'   at once: it must not call R or change shared state. It may throw `std::exception`, which is
#'   reported with the offending point. External pointers do not survive `saveRDS()` or a new
#'   session.
#'
#' @inheritParams gma_target
#' @param dim the dimension `d`; may be left out when `init`, `box` or `means` tell it.
#' @param init an initial point (length `d`) around which the default components are placed;
#'   its names name the parameters.
#' @param scale the spread of the default components around `init`: a number, `d` standard
#'   deviations, or a `d x d` covariance matrix.
#' @param box `c(lower, upper)` or a `d x 2` matrix of limits inside which the default components
#'   are placed. It does not restrict the target: return `-Inf` from `log_density` for that.
#' @param means,covs components placed by hand, as in [gma_mixture()].
#' @param n_components the number of components `N` of the default design.
#' @param n_per_component the bank size per component `M`; the density is evaluated `N * M` times.
#' @param n_draws the number of draws returned; default `N * M`.
#' @param method the fitting method; `"wgma"` fits the weights of fixed components.
#' @param resampling how component labels are drawn from the weights: `"stratified"` (one
#'   uniform in each of `n_draws` equal strata; counts within two of `n_draws * w`),
#'   `"systematic"` (one uniform shared by all strata; counts within one) or `"multinomial"`
#'   (independent labels). All three are unbiased.
#' @param control a [gma_control()] list (or a plain list of its arguments).
#' @inheritParams gma_evaluate
#' @return An object of class `gma_fit`, a list with
#'   * `draws`: an `n_draws x d` matrix, one draw a row, with parameter names;
#'   * `mixture`: the fitted [gma_mixture()]; `initial`: the mixture the bank was drawn from;
#'   * `trace`: the objective (the reverse KL estimate minus log Z), the Frank-Wolfe gap, the step
#'     size and (with `keep_weights`) the weights, one per iteration;
#'   * `bank`: the points, their log density and component, and the log density of the fitted
#'     (`log_q`) and initial (`log_q_initial`) mixtures there (exact but for the entries dropped
#'     under `sparse_tol`);
#'   * `n_evals`, `iterations`, `converged` (and `stalled`, when the fit stopped because the
#'     weights stopped moving rather than on the gap), `timing` (seconds by stage), `log_pdf_matrix`
#'     (stored entries, bytes, whether it is stored dense, and the largest bound on the mass
#'     dropped from a row, relative to its largest entry), `target` (the [gma_target()]),
#'     `control` and `call`.
#' @examples
#' # the paper's trimodal target
#' log_p <- function(x) log(exp(-(x^2 + 0.1 * x^4)^2 / 2) + 0.3 * dnorm(x, 3, 0.5) +
#'                          0.2 * dnorm(x, -3, 0.6))
#' set.seed(1)
#' fit <- gma_sample(log_p, box = c(-6, 6), n_components = 40, n_per_component = 100)
#' fit
#' hist(fit$draws, breaks = 60, freq = FALSE)
#' @export
gma_sample <- function(log_density, dim = NULL, init = NULL, scale = 1, box = NULL,
                       means = NULL, covs = NULL, n_components = NULL, n_per_component = 100L,
                       n_draws = NULL, method = "wgma",
                       resampling = c("stratified", "systematic", "multinomial"),
                       vectorized = FALSE, data = NULL, threads = NULL, control = gma_control()) {
  call <- match.call()
  t_start <- proc.time()[["elapsed"]]
  target <- gma_target(log_density, vectorized = vectorized, data = data)
  method <- match_choice(method, "wgma", "method")
  resampling <- match_choice(resampling, c("stratified", "systematic", "multinomial"), "resampling")
  control <- as_control(control)
  threads <- check_threads(threads)
  per_comp <- check_count(n_per_component, "n_per_component")

  initial <- initial_mixture(dim, init, scale, box, means, covs, n_components)
  d <- ncol(initial$means)
  n_comp <- length(initial$weights)
  n_bank <- n_comp * per_comp
  n_draws <- if (is.null(n_draws)) n_bank else check_count(n_draws, "n_draws")
  bank_bytes <- 8 * as.numeric(n_bank) * (d + 4)
  if (bank_bytes > control$max_memory)
    arg_error("control$max_memory", sprintf(
      "(%.3g bytes) is below the %.3g bytes the bank of %d x %d points needs", control$max_memory,
      bank_bytes, n_comp, per_comp))

  # The bank, component-major, from R's RNG; then the log-pdf matrix, so that a memory error comes
  # before any density evaluation.
  component <- rep(seq_len(n_comp), each = per_comp)
  z <- matrix(stats::rnorm(n_bank * d), d, n_bank)
  bank_t <- gma_transform(z, component, t(initial$means), initial$chols)
  t_bank <- proc.time()[["elapsed"]]
  lpm <- gma_log_pdf_matrix(bank_t, t(initial$means), initial$chols, control$sparse_tol,
                            control$max_memory - bank_bytes, threads)
  t_matrix <- proc.time()[["elapsed"]]

  bank <- t(bank_t)
  colnames(bank) <- colnames(initial$means)
  log_p <- gma_evaluate(target, bank, threads)
  t_eval <- proc.time()[["elapsed"]]
  if (all(log_p == -Inf))
    arg_error("log_density", sprintf(
      "is -Inf at all %d bank points: place the components where the target has mass (`init`, `box` or `means`)", n_bank))
  infeasible <- tapply(log_p == -Inf, component, any)
  if (all(infeasible))
    arg_error("log_density", paste(
      "is -Inf at some bank point of every component, so every component puts mass where the",
      "target has none: use narrower components (`covs`, more `n_components`) or place them inside the support"))

  fit <- gma_fit_weights(lpm$ptr, log_p, per_comp, initial$weights, control$optimizer,
                         control$step, control$eta0, control$max_iter, control$tol,
                         control$gradient == "pooled", control$normalize, control$log_floor,
                         control$keep_weights, threads)
  t_fit <- proc.time()[["elapsed"]]
  if (!fit$converged)
    warning(sprintf(paste(
      "the weight fit stopped at max_iter = %d with Frank-Wolfe gap %.3g > tol = %.3g;",
      "raise gma_control(max_iter = ) or check the step settings"),
      control$max_iter, utils::tail(fit$gap, 1L), control$tol), call. = FALSE)

  mixture <- initial
  mixture$weights <- fit$weights
  draws <- bank[resample_bank(fit$weights, per_comp, n_draws, resampling), , drop = FALSE]
  t_end <- proc.time()[["elapsed"]]

  structure(list(
    draws = draws,
    mixture = mixture,
    initial = initial,
    trace = list(objective = fit$objective, gap = fit$gap, step = fit$step,
                 weights = if (control$keep_weights) fit$weight_trace),
    bank = list(points = bank, log_p = log_p, component = component,
                log_q = gma_matrix_log_q(lpm$ptr, fit$weights, threads),
                log_q_initial = gma_matrix_log_q(lpm$ptr, initial$weights, threads)),
    n_evals = n_bank,
    iterations = fit$iterations,
    converged = fit$converged,
    stalled = fit$stalled,
    n_infeasible = sum(infeasible),
    timing = c(bank = t_bank - t_start, log_pdf_matrix = t_matrix - t_bank,
               evaluation = t_eval - t_matrix, fit = t_fit - t_eval, resampling = t_end - t_fit,
               total = t_end - t_start),
    log_pdf_matrix = list(nnz = lpm$nnz, bytes = lpm$bytes, dense = lpm$dense,
                          max_dropped = lpm$max_dropped,
                          density = lpm$nnz / (as.numeric(n_bank) * n_comp)),
    target = target, method = method, resampling = resampling, threads = threads,
    control = control, call = call
  ), class = "gma_fit")
}

# The mixture the bank is drawn from: from means and covs, or the default design.
initial_mixture <- function(dim, init, scale, box, means, covs, n_components) {
  d <- infer_dim(dim, init, box, means)
  nm <- if (!is.null(names(init))) names(init) else
    if (!is.null(colnames(means))) colnames(means) else if (is.matrix(box)) rownames(box)
  if (!is.null(means)) {
    means <- as_means(means)
    if (ncol(means) != d) arg_error("means", sprintf("must have %d columns, one a dimension", d))
    if (is.null(covs)) arg_error("covs", "must be given with `means`")
    if (!is.null(n_components) && check_count(n_components, "n_components") != nrow(means))
      arg_error("n_components", sprintf("is %d but `means` has %d rows", n_components, nrow(means)))
    mix <- gma_mixture(NULL, means, covs)
  } else {
    if (!is.null(covs)) arg_error("covs", "needs `means` too; the default design sets its own")
    n_comp <- if (is.null(n_components)) default_n_components(d) else check_count(n_components, "n_components")
    design <- if (!is.null(box)) {
      design_in_box(n_comp, as_box(box, d))
    } else {
      init <- if (is.null(init)) numeric(d) else check_finite_vector(init, "init", d)
      design_around(n_comp, init, as_scale(scale, d))
    }
    mix <- gma_mixture(NULL, design$means, design$covs)
  }
  colnames(mix$means) <- param_names(d, nm)
  mix
}

infer_dim <- function(dim, init, box, means) {
  candidates <- c(
    dim = if (!is.null(dim)) check_count(dim, "dim"),
    init = if (!is.null(init)) length(init),
    box = if (is.matrix(box)) nrow(box),
    means = if (!is.null(means)) NCOL(means)
  )
  if (!length(candidates)) {
    if (!is.null(box)) return(1L)
    arg_error("dim", "is needed: give `dim`, `init`, `box` (as a d x 2 matrix) or `means`")
  }
  if (length(unique(candidates)) > 1L)
    arg_error(names(candidates)[2L], sprintf("implies %d dimensions but `%s` implies %d",
                                             candidates[2L], names(candidates)[1L], candidates[1L]))
  candidates[[1L]]
}

default_n_components <- function(d) as.integer(min(500, 50 * d))
