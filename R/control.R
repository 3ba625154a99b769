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
#' @param progress show a progress bar of the density evaluations; by default in interactive
#'   sessions only (`getOption("gmasampler.progress")` overrides). Ctrl-C stops a fit at any
#'   point: the C++ loops check for it between blocks, and no thread outlives the call.
#' @param n_evals the budget of density evaluations for `method = "em"` and `"lma"`: the mode
#'   search takes what it needs (at most `lma_budget` of it), EM rounds of `em_bank` points fill
#'   the rest (at least two rounds).
#' @param em_bank,em_iter the points drawn in each EM round and the largest number of rounds.
#' @param em_min_ess,em_shrink a component is re-estimated only when its own effective sample size
#'   reaches `em_min_ess` (`NULL`: `d + 1`), and its new covariance leans on the previous one with
#'   `em_shrink` pseudo-observations (`NULL`: 0.3 times `d * (d + 3) / 2`, a Gaussian's number of
#'   parameters): `(ess * estimate + em_shrink * previous) / (ess + em_shrink)`. A few effective
#'   points then move a component a little instead of replacing a good covariance by a noisy one.
#'   The defaults were chosen on the test targets: 1 instead of 0.3 left the non-centred
#'   hierarchical posterior 0.3 sd off, none made a 10-D mixture's mode masses drift.
#' @param em_ess_min when the importance weights' effective sample size falls below this fraction
#'   of the bank, the round's update is tempered: weights `(p / q)^beta` with the largest
#'   `beta <= 1` that reaches it.
#' @param em_eig_floor,em_ridge covariance eigenvalues are floored at `em_eig_floor` times the
#'   largest; `em_ridge` times the mean variance is added to the diagonal.
#' @param em_prune components whose weight falls below this are dropped between rounds.
#' @param em_defensive,em_defensive_scale each EM round draws its bank from the mixture plus a
#'   defensive component of this weight: a multivariate t with 3 degrees of freedom, the
#'   mixture's overall mean and its overall covariance times `em_defensive_scale^2`. Its heavy
#'   tails keep the importance weights bounded where the target's tails are heavier than
#'   Gaussian. It takes no part in the EM update. 0 turns it off.
#' @param em_final_steps EM steps run at the end on the pooled points of all rounds, weighted
#'   against the average of the rounds' proposals, to give the fitted mixture.
#' @param em_split when EM starts from the mode search, each mode seeds this many components: its
#'   Laplace component and copies moved one standard deviation along its principal axes.
#' @param lma_screen the points of the space-filling screening design of the mode search; `NULL`
#'   takes `min(2000, 100 * d)`.
#' @param lma_starts the most optimiser starts; `NULL` takes 10 with a `box`, else 3.
#' @param lma_budget the largest fraction of `n_evals` the mode search may spend on starting
#'   optimisers (it finishes the mode it is on).
#' @param lma_max_modes the most modes kept.
#' @param lma_inflate the Laplace covariances are multiplied by this, so that the components
#'   cover the target's tails.
#' @param momentum heavy-ball momentum of the W-GMA weight fit: each step adds `momentum` times
#'   the previous move (of `log w` for mirror descent, of `w` for projected gradient), in `[0,
#'   0.99]`. `NULL` takes 0.5 for mirror descent and 0 for projected gradient.
#'
#'   It is the one stabiliser on by default because it measured best (`bench/stabilisers.R`, the
#'   paper's five targets with exact truth): the same draws, as every convergent setting reaches
#'   the same optimum of the convex objective, in 1.1 to 2.6 times fewer iterations, and a wider
#'   range of step sizes that converge on every target (`eta0` from 0.1 to 2, against 0.1 to 1.5
#'   without it). `eta0 = 1` needs no tuning to the target: the objective is 1-smooth relative to
#'   the entropy of the weights whatever the target (its Bregman divergence is `KL(q_w || q_v) <=
#'   KL(w || v)`), so 1 is the natural mirror step.
#' @param temper,entropy,mirror_temperature,mixing,average,anneal further stabilisers of the W-GMA
#'   weight fit, as in the paper's notebooks; each is off at its default. The schedules run over
#'   the first `anneal` iterations (a count, not a fraction of `max_iter`, which is only a cap),
#'   with `frac = min(1, (k - 1) / anneal)` at iteration `k`:
#'   * `temper`, in (0, 1]: the step uses `beta * log p` with `beta` rising linearly from `temper`
#'     to 1;
#'   * `entropy`, >= 0: `lambda * (1 + log w_i)` is added to the gradient (entropy regularisation),
#'     `lambda` falling linearly from `entropy` to 0;
#'   * `mirror_temperature`, >= 1 (mirror descent only): the mirror step is divided by a
#'     temperature falling linearly from it to 1, `log w <- (log w - eta g) / tau`;
#'   * `mixing`, in `[0, 1]` (0 off): the new weights are `(1 - alpha) w + alpha w_step`, with
#'     `alpha = max(0.05, mixing * (1 - frac))` (it stays at 0.05 after the schedule);
#'   * `average` (0 or 1 off): the returned weights are the mean of the last `average` iterates,
#'     unless the last iterate's objective is lower (the gradient here is exact but for the
#'     bank's error, so a fit that stops early would otherwise average in iterates from before it
#'     converged; `fit$trace$final` tells which was returned).
#'
#'   They change only the steps: the objective, the gap and so the stopping rule are those of the
#'   untempered, unregularised objective, so a fit that stops on the gap while a schedule runs has
#'   converged for the real objective; the stall rule waits until the schedules end. None changed
#'   the draws' accuracy in our measurements (the objective is convex, so they reach the same
#'   optimum) and each but `average` made the fit slower; `mixing` makes steps far too large (up
#'   to `eta0 = 5`) converge, at the cost of small ones (`eta0 = 0.01` and 0.1 often fail).
#' @param refine two-stage refinement of W-GMA (the paper's Lotka-Volterra notebook): after the
#'   first fit, keep the heaviest `refine_keep` of the components, draw as many new means by
#'   resampling the kept means by weight (stratified), each moved by a Gaussian jitter of
#'   covariance `refine_jitter^2` times its parent's, give them the parents' covariances times
#'   `refine_shrink`, draw a new bank from these (equal weights), evaluate it and fit again. The
#'   fit returns the second stage (its mixture, bank and proposal, in `fit$refine$initial`); the
#'   first is in `fit$trace$stage1`, and both banks count in `n_evals`. `NULL` jitter takes
#'   `sqrt(1 - refine_shrink)`, so that a new component's spread and its mean's jitter add up to
#'   its parent's covariance.
#'
#'   Off by default: at the same number of evaluations, twice as many components in one stage
#'   were as accurate or better on four of the paper's five targets; refinement won only on the
#'   double banana (mean error 0.03 against 0.04 sd), and on one-dimensional targets it lost the
#'   low-mass modes (sd 8 to 36% low on the trimodal target), since components follow the mass
#'   and too few are left to cover wide, light regions. Its second stage also has many
#'   overlapping components, so its fit is several times slower.
#' @param refine_keep,refine_shrink,refine_jitter see `refine`: the fraction of components kept
#'   (in (0, 1]), the factor on the covariances (in (0, 1]) and the jitter (>= 0, or `NULL`).
#' @return A list of class `gma_control`.
#' @examples
#' gma_control(optimizer = "pgd", step = "inverse", eta0 = 0.5)
#' @export
gma_control <- function(optimizer = c("mirror", "pgd"),
                        step = NULL, eta0 = NULL, max_iter = 1000L, tol = 1e-3,
                        gradient = c("own", "pooled"), normalize = NULL, sparse_tol = 1e-14,
                        log_floor = -32, max_memory = 4 * 2^30, keep_weights = TRUE,
                        progress = getOption("gmasampler.progress", interactive()),
                        n_evals = 20000, em_bank = 1000L, em_iter = 40L, em_min_ess = NULL, em_shrink = NULL,
                        em_ess_min = 0.2, em_eig_floor = 1e-12, em_ridge = 0, em_prune = 1e-8,
                        em_split = 5L, em_defensive = 0.1, em_defensive_scale = 2,
                        em_final_steps = 5L,
                        lma_screen = NULL, lma_starts = NULL, lma_budget = 0.5,
                        lma_max_modes = 10L, lma_inflate = 1.5,
                        temper = 1, entropy = 0, mirror_temperature = 1, mixing = 0, momentum = NULL,
                        average = 0L, anneal = 100L, refine = FALSE, refine_keep = 0.2,
                        refine_shrink = 0.5, refine_jitter = NULL) {
  optimizer <- match_choice(optimizer, c("mirror", "pgd"), "optimizer")
  mirror <- optimizer == "mirror"
  if (is.null(step)) step <- if (mirror) "constant" else "inverse_sqrt"
  if (is.null(eta0)) eta0 <- if (mirror) 1 else 0.1
  if (is.null(normalize)) normalize <- !mirror
  if (is.null(momentum)) momentum <- if (mirror) 0.5 else 0
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
    keep_weights = check_flag(keep_weights, "keep_weights"),
    progress = check_flag(progress, "progress"),
    n_evals = check_count(n_evals, "n_evals"),
    em_bank = check_count(em_bank, "em_bank", min = 10),
    em_iter = check_count(em_iter, "em_iter"),
    em_min_ess = if (!is.null(em_min_ess)) check_number(em_min_ess, "em_min_ess", min = 0),
    em_shrink = if (!is.null(em_shrink)) check_number(em_shrink, "em_shrink", min = 0),
    em_ess_min = check_number(em_ess_min, "em_ess_min", min = 0, max = 1),
    em_eig_floor = check_number(em_eig_floor, "em_eig_floor", min = 0, max = 1),
    em_ridge = check_number(em_ridge, "em_ridge", min = 0),
    em_prune = check_number(em_prune, "em_prune", min = 0, max = 0.5),
    em_split = check_count(em_split, "em_split"),
    em_final_steps = check_count(em_final_steps, "em_final_steps", min = 0),
    em_defensive = check_number(em_defensive, "em_defensive", min = 0, max = 0.9),
    em_defensive_scale = check_number(em_defensive_scale, "em_defensive_scale", min = 1),
    lma_screen = if (!is.null(lma_screen)) check_count(lma_screen, "lma_screen"),
    lma_starts = if (!is.null(lma_starts)) check_count(lma_starts, "lma_starts"),
    lma_budget = check_number(lma_budget, "lma_budget", min = 0, max = 1),
    lma_max_modes = check_count(lma_max_modes, "lma_max_modes"),
    lma_inflate = check_number(lma_inflate, "lma_inflate", min = 0, open_min = TRUE),
    temper = check_open_unit(temper, "temper"),
    entropy = check_number(entropy, "entropy", min = 0),
    mirror_temperature = check_mirror_temperature(mirror_temperature, mirror),
    mixing = check_number(mixing, "mixing", min = 0, max = 1),
    momentum = check_number(momentum, "momentum", min = 0, max = 0.99),
    average = check_count(average, "average", min = 0),
    anneal = check_count(anneal, "anneal"),
    refine = check_flag(refine, "refine"),
    refine_keep = check_open_unit(refine_keep, "refine_keep"),
    refine_shrink = check_open_unit(refine_shrink, "refine_shrink"),
    refine_jitter = if (!is.null(refine_jitter)) check_number(refine_jitter, "refine_jitter", min = 0)
  ), class = "gma_control")
}

# A number in (0, 1].
check_open_unit <- function(x, name) {
  x <- check_number(x, name, min = 0, max = 1)
  if (x == 0) arg_error(name, "must be a finite number in (0, 1], not 0")
  x
}

# The mirror temperature divides the mirror step, so it means nothing for projected gradient.
check_mirror_temperature <- function(x, mirror) {
  x <- check_number(x, "mirror_temperature", min = 1)
  if (!mirror && x != 1)
    arg_error("mirror_temperature", "applies to mirror descent only: leave it at 1 with optimizer = \"pgd\"")
  x
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
