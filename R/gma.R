#' Sample from an unnormalised density by Gaussian mixture approximation
#'
#' Fits a mixture of Gaussians to a density known up to a constant and draws from it, gradient
#' free, with every density evaluation in large batches (parallel threads for a compiled density,
#' a future plan for an R one). Every evaluated point is kept: the draws are the evaluated points
#' resampled, by default with Pareto-smoothed importance weights, so they follow the target and
#' not the mixture; the same weights give the log evidence.
#'
#' @section Methods:
#' * `"em"` (default): a mode search (a space-filling screening in `box`, or around `init`;
#'   BFGS on batched finite differences from the screened points that the modes found so far
#'   explain least; Laplace covariances from finite-difference Hessians), then rounds of
#'   population EM (EM-GMA) on fresh banks of `em_control(bank = )` points, each drawn from the current
#'   mixture, a widened copy of it (up to 20 dimensions) and a defensive heavy-tailed component,
#'   within a budget of `n_evals` evaluations.
#'   All rounds are pooled with deterministic-mixture weights. Given only a log density and an
#'   initial point, this finds the scale and orientation of the target itself. With `means` and
#'   `covs`, EM starts from them instead of the mode search.
#' * `"lma"`: the Laplace mixture of the mode search alone, corrected by importance sampling.
#' * `"wgma"`: the paper's W-GMA: fixed components (`means`/`covs`, or a design, see below), a
#'   bank of `n_per_component` points from each, the weights fitted by minimising a sample
#'   estimate of the reverse KL divergence; draws resampled from the bank by the fitted weights
#'   (`importance = FALSE`, the default for it) or by importance weights.
#'
#' @section Components of W-GMA: give `means` and `covs` to place the components yourself.
#'   Otherwise a space-filling (randomly shifted Halton) design places them: inside `box` when it
#'   is given, each with standard deviation half the box's side over `n_components^(1/d)`; else
#'   around `init` (default the origin) as a kernel density estimate of `N(init, S)`, where `S`
#'   comes from `scale`, with Silverman's bandwidth. Uncorrected draws follow the fitted mixture
#'   restricted to the bank, which is the target blurred by the component width.
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
#'   at once: it must not call R (no `Rcpp::` objects, `Rprintf()` or `Rcpp::checkUserInterrupt()`)
#'   or change shared state. To report a failure, throw `gmasampler::density_error` or call
#'   `gmasampler::fail("message")` (any `std::exception` works): the fit stops with the message and
#'   the first point that threw. `Rcpp::stop()` is safe too when the file says
#'   `// [[Rcpp::depends(gmasampler)]]` or includes `<gmasampler.h>` before `<Rcpp.h>`, which turn
#'   off Rcpp's stack-trace recorder (not thread-safe; a package that links to gmasampler adds
#'   `-DRCPP_DEMANGLER_ENABLED=0` to `PKG_CPPFLAGS`); a density wrapped where it is on runs in one
#'   thread, with a warning. Read data with the checked `a.at(i)` and `a.at(i, j)` of
#'   `gmasampler::Array` unless the sizes are checked once at the top. External pointers do not
#'   survive `saveRDS()` or a new session.
#'
#' @inheritParams gma_target
#' @param dim the dimension `d`; may be left out when `init`, `box` (as a matrix) or `means`
#'   tell it. A `box` of two numbers with none of these means one dimension.
#' @param init an initial point (length `d`): the first start of the mode search, or the centre
#'   of W-GMA's default components; its names name the parameters.
#' @param scale the spread around `init` of the mode search's screening (three times it) or of
#'   W-GMA's default components: a number, `d` standard deviations, or a `d x d` covariance
#'   matrix.
#' @param box `c(lower, upper)` or a `d x 2` matrix of limits inside which the default components
#'   are placed (W-GMA) or the mode search looks (EM, LMA). It does not restrict the target: use
#'   `lower` and `upper`, or return `-Inf` from `log_density`.
#' @param lower,upper bounds of the parameters (a number each, recycled, or `d` numbers; `-Inf`
#'   and `Inf` for none). A bounded parameter is sampled on an unconstrained scale (log for one
#'   bound, logit for two) with the log-Jacobian added, so `log_density` is written on the natural
#'   scale and the draws come back on it. `init` and `box` are on the natural scale; `scale`,
#'   `means`, `covs` and the fitted mixture (`fit$mixture`, `fit$bank`) are on the unconstrained
#'   one (`fit$bounds` holds the map).
#' @param means,covs components placed by hand, as in [gma_mixture()].
#' @param n_components the number of components `N` of W-GMA's default design.
#' @param n_per_component W-GMA's bank size per component `M` (default 100); the density is evaluated `N * M`
#'   times.
#' @param n_evals the budget of density evaluations, a hard upper bound on every path (the mode
#'   search included); default `gma_control()`'s `n_evals` (20,000). EM and LMA spend it all
#'   (EM's rounds grow to do so, see [em_control()]; `fit$stopped` says whether the budget or
#'   `max_rounds` ended them). For W-GMA it sets `n_per_component` when that is not given, and
#'   must cover it when it is.
#' @param n_draws the number of draws returned; default the number of evaluated points kept.
#' @param method `"em"`, `"lma"` or `"wgma"`: see Methods.
#' @param importance resample the evaluated points by their Pareto-smoothed importance weights
#'   (target over proposal) rather than draw from the fitted mixture; default `TRUE` except for
#'   `"wgma"`. A Pareto k above 0.7 warns.
#' @param resampling how component labels are drawn from the weights: `"stratified"` (one
#'   uniform in each of `n_draws` equal strata; counts within two of `n_draws * w`),
#'   `"systematic"` (one uniform shared by all strata; counts within one) or `"multinomial"`
#'   (independent labels). All three are unbiased.
#' @param control a [gma_control()] list (or a plain list of its arguments).
#' @param seed a whole number: the fit is then the one `set.seed(seed)` before the call gives,
#'   and R's random number stream is left as it was. `NULL` (default) uses the stream as it is.
#' @inheritParams gma_evaluate
#' @return An object of class `gma_fit`, a list with
#'   * `draws`: an `n_draws x d` matrix, one draw a row, with parameter names;
#'   * `mixture`: the fitted [gma_mixture()]; `initial`: the mixture the fit started from (the
#'     Laplace mixture after a mode search, whose modes are in `laplace`);
#'   * `diagnostics`: the Pareto k and effective sample size of the importance weights, the log
#'     evidence `log_z` and its standard error `log_z_se`, and `log_z_low`: 1 when the draws miss
#'     mass the mode search found (a `gma_warning_coverage` or `gma_warning_missed_mode`), so
#'     that `log_z` is likely too low, by more than its standard error;
#'   * `trace`: W-GMA: the objective (the reverse KL estimate minus log Z), the Frank-Wolfe gap,
#'     the step size and (with `keep_weights`) the weights, one per iteration, `final` (the
#'     objective and gap of the returned weights) and, with `refine`, `stage1` (the first stage's
#'     trace, mixture and evaluations); EM: a data frame of
#'     the rounds (importance ESS, tempering exponent, components updated, log Z estimate);
#'   * `bank`: every evaluated point of the fit (on the unconstrained scale when there are
#'     bounds), its log density (`log_p`), its component (W-GMA) or round (EM), and the log
#'     density there of the fitted mixture (`log_q`) and of the proposal the points were drawn
#'     from (`log_q_proposal`: the equal-weight initial mixture for W-GMA, the average of the
#'     rounds' proposals for EM);
#'   * `n_evals` (all evaluations, the mode search's included), `search_evals` (those of the
#'     first mode search, before EM or LMA's importance sample), `iterations`, `converged` (and
#'     `stalled`, when W-GMA stopped because the weights stopped moving), `timing` (seconds),
#'     for W-GMA `log_pdf_matrix` (stored entries, bytes, whether dense, and the largest bound on
#'     the mass dropped from a row), `target`, `bounds`, `importance`, `control` and `call`.
#' @examples
#' # the paper's trimodal target, from nothing but its dimension
#' log_p <- function(x) log(exp(-(x^2 + 0.1 * x^4)^2 / 2) + 0.3 * dnorm(x, 3, 0.5) +
#'                          0.2 * dnorm(x, -3, 0.6))
#' set.seed(1)
#' fit <- gma_sample(log_p, dim = 1, control = gma_control(n_evals = 6000))
#' fit
#' hist(fit$draws, breaks = 60, freq = FALSE)
#' # the paper's W-GMA on 40 fixed components in a box
#' wgma <- gma_sample(log_p, method = "wgma", box = c(-6, 6), n_components = 40)
#' c(mean = mean(wgma$draws), sd = sd(wgma$draws[, 1]))
#' @export
gma_sample <- function(log_density, dim = NULL, init = NULL, scale = 1, box = NULL,
                       lower = NULL, upper = NULL,
                       means = NULL, covs = NULL, n_components = NULL, n_per_component = NULL,
                       n_evals = NULL, n_draws = NULL, method = c("em", "wgma", "lma"), importance = NULL,
                       resampling = c("stratified", "systematic", "multinomial"),
                       vectorized = FALSE, data = NULL, evaluator = c("sequential", "future"),
                       threads = NULL, seed = NULL, control = gma_control()) {
  check_given("log_density")
  call <- match.call()
  if (!is.null(seed)) {
    rng_before <- set_seed(seed)
    on.exit(restore_rng(rng_before), add = TRUE)
  }
  t_start <- proc.time()[["elapsed"]]
  target <- gma_target(log_density, vectorized = vectorized, data = data, evaluator = evaluator)
  method <- match_choice(method, c("em", "wgma", "lma"), "method")
  importance <- if (is.null(importance)) method != "wgma" else check_flag(importance, "importance")
  resampling <- match_choice(resampling, c("stratified", "systematic", "multinomial"), "resampling")
  control <- as_control(control)
  if (!is.null(n_evals)) n_evals <- control$n_evals <- check_count(n_evals, "n_evals")
  threads <- check_threads(threads)
  warn_ignored(method, n_components, n_per_component, !is.null(means) && !is.null(box))
  if (!is.null(n_draws)) n_draws <- check_count(n_draws, "n_draws")
  if (!is.null(n_components)) n_components <- check_count(n_components, "n_components")
  if (!is.null(init)) init <- as_init(init)
  d <- infer_dim(dim, init, box, means)
  nm <- param_names(d, if (!is.null(names(init))) names(init) else
    if (!is.null(colnames(means))) colnames(means) else if (is.matrix(box)) rownames(box))
  bounds <- as_bounds(lower, upper, d)
  if (!is.null(bounds)) {
    if (!is.null(init)) init <- drop(to_unconstrained(check_finite_vector(init, "init", d), bounds))
    if (!is.null(box)) box <- box_to_unconstrained(as_box(box, d), bounds)
  }
  if (method != "wgma" && control$n_evals < 100)
    arg_error("n_evals", sprintf('(%s) is too small for method = "%s": the mode search and the importance sample need hundreds at least, and a fit thousands',
                                 format_count(control$n_evals), method))
  # the memory the counts ask for, before anything is built or evaluated
  n_fixed <- if (!is.null(means)) NROW(means) else if (method == "wgma") n_components %||% default_n_components(d)
  per_comp <- if (method == "wgma") wgma_bank_size(n_per_component, n_evals, n_fixed, control$wgma)
  check_fit_memory(method, d, n_fixed, per_comp, n_draws, control, threads)
  # fixed components need no evaluation; the mode search evaluates through the counter
  fixed <- method == "wgma" || !is.null(means)
  initial <- if (fixed) initial_mixture(d, init, scale, box, means, covs, n_components)
  expected <- if (method == "wgma") {
    per_comp * length(initial$weights) * (1 + control$wgma$refine)  # a refinement draws a second bank
  } else control$n_evals
  ev <- evaluation_counter(target, threads, bounds, expected, control$progress)
  on.exit(ev$done(), add = TRUE)
  laplace <- NULL
  search <- NULL
  if (!fixed) {
    if (!is.null(covs)) arg_error("covs", "needs `means` too")
    search <- mode_search(
      d, if (!is.null(init)) check_finite_vector(init, "init", d) else if (is.null(box)) numeric(d),
      as_scale(scale, d), if (!is.null(box)) as_box(box, d), control$lma, control$n_evals, ev, nm)
    laplace <- search$start()
    initial <- laplace$mixture
  }
  colnames(initial$means) <- nm
  # LMA's importance sample needs points left after the mode search (fit_em() checks its own)
  if (method == "lma" && ev$remaining() < 100)
    budget_spent_error(ev, "LMA's importance sample of 100 points")

  em <- control$em
  fit <- switch(method,
    wgma = fit_wgma(initial, per_comp, control$wgma, control$max_memory, threads, ev),
    em = fit_em(if (is.null(laplace)) initial
                else split_modes(initial, components_per_mode(em, d, length(initial$weights), control$n_evals)),
                em, threads, ev,
                search = search),
    lma = fit_lma(initial, em, threads, ev, n = ev$remaining())
  )
  ev$done(complete = TRUE)

  diagnosed <- diagnose_fit(fit, search, importance, method, start = laplace$components)
  n_draws <- n_draws %||% nrow(fit$bank$points)
  bank_draws <- if (importance) {
    fit$bank$points[resample_weights(diagnosed$importance$psis$log_weights, n_draws, resampling), , drop = FALSE]
  } else if (method == "wgma") {
    fit$bank$points[resample_bank(fit$mixture$weights, fit$per_comp, n_draws, resampling), , drop = FALSE]
  } else {
    rmixture(n_draws, fit$mixture)  # the fitted mixture itself, uncorrected
  }
  draws <- to_natural(bank_draws, bounds)
  colnames(draws) <- nm
  t_end <- proc.time()[["elapsed"]]

  structure(c(
    list(draws = draws, mixture = fit$mixture, laplace = laplace$modes, modes = diagnosed$agreement$table,
         # with W-GMA's refinement, the second stage's components are what the bank came from
         initial = if (!is.null(fit$refine)) fit$refine$initial else initial),
    fit[setdiff(names(fit), c("mixture", "timing", "per_comp", "late_mode"))],
    list(
      importance = importance,
      diagnostics = diagnosed$values,
      n_evals = ev$count(), search_evals = laplace$n_evals,
      budget = if (method != "wgma") control$n_evals,
      timing = c(evaluation = ev$seconds(), fit$timing, total = t_end - t_start),
      target = target, bounds = bounds, method = method, resampling = resampling, threads = threads,
      control = control, call = call
    )
  ), class = "gma_fit")
}

# The mixture the bank is drawn from: from means and covs, or the default design.
initial_mixture <- function(d, init, scale, box, means, covs, n_components) {
  if (!is.null(means)) {
    means <- as_means(means)
    if (ncol(means) != d) arg_error("means", sprintf("must have %d columns, one a dimension", d))
    if (is.null(covs)) arg_error("covs", "must be given with `means`")
    if (!is.null(n_components) && check_count(n_components, "n_components") != nrow(means))
      arg_error("n_components", sprintf("is %s but `means` has %d rows", format_count(n_components), nrow(means)))
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
  mix
}

# init as a plain vector (its names kept): a 1 x d or d x 1 matrix is one point, a larger one is
# refused rather than read as a longer vector.
as_init <- function(init) {
  if (!is.numeric(init)) arg_error("init", sprintf("must be a numeric vector, one value a parameter, not %s", describe(init)))
  if (length(dim(init)) > 2L || length(dim(init)) == 2L && all(dim(init) > 1L))
    arg_error("init", sprintf("must be one point (a vector of d values), not %s", describe(init)))
  if (is.matrix(init)) init <- stats::setNames(as.vector(init), if (nrow(init) == 1L) colnames(init) else rownames(init))
  init
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

# Warns about arguments given to gma_sample() that go unused.
warn_ignored <- function(method, n_components, n_per_component, box_with_means) {
  unused <- function(arg, why) gma_warning("ignored", sprintf("`%s` is ignored: %s", arg, why))
  if (method != "wgma") {
    how <- sprintf('method = "%s" finds its components itself', method)
    if (!is.null(n_components)) unused("n_components", how)
    if (!is.null(n_per_component)) unused("n_per_component", how)
  }
  if (box_with_means) unused("box", "`means` and `covs` give the components")
}


# W-GMA's bank per component: n_per_component (default 100), or with n_evals alone what spends it;
# both given must fit.
wgma_bank_size <- function(n_per_component, n_evals, n_comp, wgma) {
  banks <- n_comp * (1 + wgma$refine)  # a refinement draws a second bank
  if (is.null(n_per_component)) {
    if (is.null(n_evals)) return(100L)
    per_comp <- floor(n_evals / banks)
    if (per_comp < 1) arg_error("n_evals", sprintf("(%.0f) is below the %.0f components' one point each", n_evals, banks))
    return(as.integer(per_comp))
  }
  per_comp <- check_count(n_per_component, "n_per_component")
  if (!is.null(n_evals) && per_comp * banks > n_evals)
    arg_error("n_evals", sprintf("(%.0f) is below the %.0f evaluations of %.0f components x %.0f bank points",
                                 n_evals, per_comp * banks, banks, per_comp))
  per_comp
}
