#' Settings of a GMA fit
#'
#' Builds the `control` list of [gma_sample()], in the manner of [stats::glm.control()]: the
#' settings shared by every method, and one group per method, built by [em_control()],
#' [wgma_control()] and [lma_control()]. Each value is checked when it is set, so a typo fails
#' before any density evaluation. The defaults suit most targets.
#'
#' @param ... settings by their names before 0.3.0 (`em_bank`, `eta0`, `lma_screen`, ...): still
#'   accepted, with a deprecation message naming the new place, until 0.4.0. Any other name is an
#'   error.
#' @param n_evals the budget of density evaluations for `method = "em"` and `"lma"`: the mode
#'   search takes what it needs (at most `lma_control(budget = )` of it), EM rounds fill the rest
#'   (at least two rounds).
#' @param max_memory the most memory, in bytes, that a fit's large objects may take: the banks of
#'   evaluated points with their copies, W-GMA's log-pdf matrix and weight trace, EM's per-point
#'   and per-component terms, and the draws. Each is sized from the counts before it is made; a fit
#'   that would need more stops with an error of class `gma_error_memory` naming the counts to
#'   lower, before any density evaluation (W-GMA's log-pdf matrix, whose size depends on its
#'   sparsity, is checked as it is built, also before the evaluations). Peak memory stays within
#'   about 1.2 times this plus R's own (`bench/results/memory.md`).
#' @param progress show a progress bar of the density evaluations; by default in interactive
#'   sessions only (`getOption("gmasampler.progress")` overrides). Ctrl-C stops a fit at any
#'   point: the C++ loops check for it between blocks, and no thread outlives the call.
#' @param em,wgma,lma the settings of each method: an [em_control()], [wgma_control()] or
#'   [lma_control()] object, or a list of their arguments.
#' @return A list of class `gma_control`.
#' @seealso [em_control()], [wgma_control()], [lma_control()].
#' @examples
#' gma_control(n_evals = 50000, em = em_control(bank = 2000))
#' gma_control(wgma = list(optimizer = "pgd", step = "inverse", eta0 = 0.5))
#' @export
gma_control <- function(..., n_evals = 20000, max_memory = 4 * 2^30,
                        progress = getOption("gmasampler.progress", interactive()),
                        em = em_control(), wgma = wgma_control(), lma = lma_control()) {
  groups <- list(em = as_settings(em, em_control, "em"), wgma = as_settings(wgma, wgma_control, "wgma"),
                 lma = as_settings(lma, lma_control, "lma"))
  old <- list(...)
  if (length(old))
    groups <- apply_deprecated(old, groups, given = c(em = !missing(em), wgma = !missing(wgma),
                                                      lma = !missing(lma)))
  structure(c(list(
    n_evals = check_count(n_evals, "n_evals"),
    max_memory = check_number(max_memory, "max_memory", min = 0, open_min = TRUE),
    progress = check_flag(progress, "progress")
  ), groups), class = "gma_control")
}

#' Settings of EM-GMA
#'
#' The settings of `method = "em"` (and of the importance sample of `method = "lma"`), for
#' `gma_control(em = )`.
#'
#' @param ... not used: a name not listed here is an error that names it.
#' @param bank,max_rounds the points drawn in each EM round and the largest number of rounds.
#'   `bank = NULL` takes 1,000, or more when `max_rounds` rounds of 1,000 would leave the budget
#'   unspent, so that the rounds spend it: the budget is what a fit uses, unless `max_rounds` is
#'   set lower on purpose (the fit's `stopped` says which ended it).
#' @param min_component_ess,shrink a component is re-estimated only when its own effective sample
#'   size reaches `min_component_ess` (`NULL`: `d + 1`), and its new covariance leans on the
#'   previous one with `shrink` pseudo-observations (`NULL`: 0.3 times `d * (d + 3) / 2`, a
#'   Gaussian's number of parameters): `(ess * estimate + shrink * previous) / (ess + shrink)`. A
#'   few effective points then move a component a little instead of replacing a good covariance
#'   by a noisy one.
#' @param target_ess when the importance weights' effective sample size falls below this fraction
#'   of the bank, the round's update is tempered: weights `(p / q)^beta` with the largest
#'   `beta <= 1` that reaches it.
#' @param eig_floor,ridge covariance eigenvalues are floored at `eig_floor` times the largest;
#'   `ridge` times the mean variance is added to the diagonal.
#' @param prune components whose weight falls below this are dropped between rounds.
#' @param split when EM starts from the mode search, each mode seeds this many components: its
#'   Laplace component and copies moved one standard deviation along its principal axes (one
#'   Gaussian cannot follow a curved or skewed mode; the copies give EM something to move). `NULL`
#'   takes 5, or up to 20 while the mixture's parameters stay under 1% of `n_evals` (20 in two
#'   dimensions at 20,000 evaluations, 13 in four).
#' @param defensive,defensive_scale,defensive_df each round draws its bank from the mixture plus a
#'   defensive component of weight `defensive` (`NULL`: 0.3 up to 20 dimensions, 0.1 above, where a
#'   wide component draws few points near the target and a larger share only costs effective
#'   sample): a multivariate t with `defensive_df` degrees of
#'   freedom, the mixture's overall mean and its overall covariance times `defensive_scale^2`.
#'   Its heavy tails keep the importance weights bounded where the target's tails are heavier
#'   than the mixture's, and its spread reaches what the mixture's components do not (the horns
#'   of a thin curved ridge, whose missing mass the weights cannot show). It takes no part in the
#'   EM update. `defensive = 0` turns it off.
#' @param widened,widened_scale each round also draws a share `widened` of its bank from a copy
#'   of the mixture with every covariance times `widened_scale^2`. A component's covariance,
#'   estimated by importance-weighted EM from a few hundred effective points, comes out too narrow
#'   along some directions, so the mode's tails there, where the weights `p / q` are largest,
#'   are drawn too rarely for the weights to show them, and the defensive component, centred
#'   between the modes, is too thin at any one of them to help. The copy draws there, and the
#'   weights see those tails. (On `bench/bench-trust.R`'s 20-D four-mode target at 50,000
#'   evaluations, log Z came within 2 stated standard errors on 20 of 20 seeds, against 17
#'   without it, with a median effective sample size 1.65 times larger.) It takes no part in the
#'   EM update. `widened = NULL` takes 0.1 up to 20 dimensions and 0 above, where the copy's
#'   points fall where the target has little mass (on `bench/bench-scale.R`'s 50- and 100-D
#'   Gaussians it did not help); 0 turns it off.
#' @param final_steps EM steps run at the end on the pooled points of all rounds, weighted
#'   against the average of the rounds' proposals, to give the fitted mixture.
#' @param explore with a `box`, the search for modes goes on while EM runs: the rounds screen on
#'   average `explore * bank` more points a round, continuing the space-filling screening of the
#'   box (twice as many at first, none at the end, so that a mode found is sampled by many
#'   rounds), and climb from the evaluated point that the fit explains least when its gradient
#'   shows a mode not yet found. A mode found this way joins the mixture with the share its
#'   Laplace evidence claims; one found too late to sample warns. The screened points take no
#'   part in the importance sample. 0 turns it off; without a box, or started from `means`,
#'   there is none.
#' @param family,df the family of the components EM fits: `"gaussian"`, or `"t"` (multivariate
#'   Student t) with `df` degrees of freedom, held fixed.
#' @return A list of class `gma_em_control`.
#' @examples
#' em_control(bank = 2000, family = "t", df = 5)
#' @export
em_control <- function(..., bank = NULL, max_rounds = 40L, min_component_ess = NULL, shrink = NULL,
                       target_ess = 0.2, eig_floor = 1e-12, ridge = 0, prune = 1e-8, split = NULL,
                       defensive = NULL, defensive_scale = 2, defensive_df = 3, widened = NULL,
                       widened_scale = 1.25, final_steps = 5L,
                       family = c("gaussian", "t"), df = NULL, explore = 0.3) {
  no_unknown_settings(list(...), names(formals(em_control)), "em_control")
  family <- match_choice(family, c("gaussian", "t"), "family")
  if (!is.null(defensive)) defensive <- check_number(defensive, "defensive", min = 0, max = 0.9)
  if (!is.null(widened)) widened <- check_number(widened, "widened", min = 0, max = 0.5)
  # the default shares are largest in few dimensions
  shares <- proposal_shares(list(widened = widened, defensive = defensive), 1L)
  if (sum(shares) > 0.95)
    arg_error("widened", sprintf("(%g) plus `defensive` (%g) must leave the mixture itself at least 0.05 of each bank",
                                 shares[["widened"]], shares[["defensive"]]))
  structure(list(
    bank = if (!is.null(bank)) check_count(bank, "bank", min = 10),
    max_rounds = check_count(max_rounds, "max_rounds"),
    min_component_ess = if (!is.null(min_component_ess)) check_number(min_component_ess, "min_component_ess", min = 0),
    shrink = if (!is.null(shrink)) check_number(shrink, "shrink", min = 0),
    target_ess = check_number(target_ess, "target_ess", min = 0, max = 1),
    eig_floor = check_number(eig_floor, "eig_floor", min = 0, max = 1),
    ridge = check_number(ridge, "ridge", min = 0),
    prune = check_number(prune, "prune", min = 0, max = 0.5),
    split = if (!is.null(split)) check_count(split, "split"),
    defensive = defensive,
    defensive_scale = check_number(defensive_scale, "defensive_scale", min = 1),
    defensive_df = check_number(defensive_df, "defensive_df", min = 0, open_min = TRUE),
    widened = widened,
    widened_scale = check_number(widened_scale, "widened_scale", min = 1),
    final_steps = check_count(final_steps, "final_steps", min = 0),
    family = family,
    df = check_family_df(family, df),
    explore = check_number(explore, "explore", min = 0, max = 1)
  ), class = "gma_em_control")
}

#' Settings of W-GMA
#'
#' The settings of `method = "wgma"`, for `gma_control(wgma = )`: the weight fit, its
#' stabilisers and the two-stage refinement. `bench/stabilisers.R` has the measurements behind
#' the defaults, NEWS.md what they showed.
#'
#' @param ... not used: a name not listed here is an error that names it.
#' @param optimizer `"mirror"` for mirror descent (exponentiated gradient; weights stay positive
#'   until they underflow) or `"pgd"` for projected gradient descent with the exact Euclidean
#'   projection onto the simplex (weights can become exactly zero). Mirror descent is the
#'   default: components that no weighted component covers have a strongly negative gradient,
#'   which exponentiated steps absorb smoothly, while Euclidean steps make the mass jump between
#'   components unless the step is tuned to the target.
#' @param step the step-size schedule at iteration k: `"constant"` for `eta0`, `"inverse_sqrt"`
#'   for `eta0 / sqrt(k)` or `"inverse"` for `eta0 / k` (the paper's default).
#' @param eta0 the initial step size, > 0. For mirror descent 1 needs no tuning to the target:
#'   the objective is 1-smooth relative to the entropy of the weights.
#' @param normalize divide each step by the spread of the gradient, `max_i |g_i - sum(w * g)|`,
#'   so that the size of an iteration's move does not depend on the scale of the log density.
#' @param momentum heavy-ball momentum: each step adds `momentum` times the previous move (of
#'   `log w` for mirror descent, of `w` for projected gradient), in `[0, 0.99]`.
#'
#'   `step`, `eta0`, `normalize` and `momentum` default (`NULL`) to the optimizer's own: for
#'   `"mirror"` constant steps of 1, no normalisation and momentum 0.5; for `"pgd"` steps of
#'   `0.1 / sqrt(k)`, normalised, no momentum.
#' @param max_iter the largest number of iterations.
#' @param tol the fit stops when the Frank-Wolfe gap `sum(w * g) - min(g)` of the gradient `g`
#'   falls below `tol`. For a convex objective the gap bounds how far the objective is from its
#'   minimum, in nats. It also stops, as converged, when over 20 iterations the weights moved
#'   less than `tol` in total variation and the objective fell by less than `tol / 10` while the
#'   gap is below `100 * tol`: far-tail components creeping toward weights near 1e-13 can hold
#'   the gap open for hundreds of iterations without changing a draw. A fit that reaches
#'   `max_iter` warns.
#' @param gradient how the expectation under each component in the gradient is estimated:
#'   `"own"` from the component's own `M` draws, as in the paper; `"pooled"` from the whole bank,
#'   each point weighted by the component's density over the equal-weight mixture the bank was
#'   drawn from (multiple importance sampling with the balance heuristic), at the cost of one
#'   more pass over the log-pdf matrix per iteration.
#' @param sparse_tol entries of `exp(L - max)` of the log-pdf matrix `L` (each bank point under
#'   each component) below this value are dropped. The mixture density at a point then changes by
#'   less than `sparse_tol` times the number of components times the largest component density
#'   there; the largest such bound is reported in the fit. Use 0 to keep every entry. When more
#'   than half the entries are kept the matrix is stored dense.
#' @param log_floor the mixture density used in the gradient is floored at `exp(log_floor)` times
#'   the largest component density at each bank point, so a point that no weighted component
#'   covers pulls its component's weight up by a bounded amount. The floor is relative, so it
#'   means the same in any dimension.
#' @param keep_weights keep the weights of every iteration in the trace.
#' @param temper,entropy,mirror_temperature,mixing,average,anneal further stabilisers, as in the
#'   paper's notebooks; each is off at its default. The schedules run over the first `anneal`
#'   iterations (a count, not a fraction of `max_iter`, which is only a cap), with
#'   `frac = min(1, (k - 1) / anneal)` at iteration `k`:
#'   * `temper`, in (0, 1]: the step uses `beta * log p` with `beta` rising linearly from `temper`
#'     to 1;
#'   * `entropy`, >= 0: `lambda * (1 + log w_i)` is added to the gradient (entropy regularisation),
#'     `lambda` falling linearly from `entropy` to 0;
#'   * `mirror_temperature`, >= 1 (mirror descent only): the mirror step is divided by a
#'     temperature falling linearly from it to 1, `log w <- (log w - eta g) / tau`;
#'   * `mixing`, in `[0, 1]` (0 off): the new weights are `(1 - alpha) w + alpha w_step`, with
#'     `alpha = max(0.05, mixing * (1 - frac))` (it stays at 0.05 after the schedule);
#'   * `average` (0 or 1 off): the returned weights are the mean of the last `average` iterates,
#'     unless the last iterate's objective is lower.
#'
#'   They change only the steps: the objective, the gap and so the stopping rule are those of the
#'   untempered, unregularised objective; the stall rule waits until the schedules end.
#' @param refine two-stage refinement (the paper's Lotka-Volterra notebook): after the first fit,
#'   keep the heaviest `refine_keep` of the components, draw as many new means by resampling the
#'   kept means by weight (stratified), each moved by a Gaussian jitter of covariance
#'   `refine_jitter^2` times its parent's, give them the parents' covariances times
#'   `refine_shrink`, draw a new bank from these (equal weights), evaluate it and fit again. The
#'   fit returns the second stage (its mixture, bank and proposal, in `fit$refine$initial`); the
#'   first is in `fit$trace$stage1`, and both banks count in `n_evals`.
#' @param refine_keep,refine_shrink,refine_jitter see `refine`: the fraction of components kept
#'   (in (0, 1]), the factor on the covariances (in (0, 1]) and the jitter (>= 0; `NULL` takes
#'   `sqrt(1 - refine_shrink)`, so that a new component's spread and its mean's jitter add up to
#'   its parent's covariance).
#' @return A list of class `gma_wgma_control`.
#' @examples
#' wgma_control(optimizer = "pgd", step = "inverse", eta0 = 0.5)
#' @export
wgma_control <- function(..., optimizer = "mirror", step = NULL, eta0 = NULL, normalize = NULL,
                         momentum = NULL, max_iter = 1000L, tol = 1e-3, gradient = c("own", "pooled"),
                         sparse_tol = 1e-14, log_floor = -32, keep_weights = TRUE, temper = 1,
                         entropy = 0, mirror_temperature = 1, mixing = 0, average = 0L, anneal = 100L,
                         refine = FALSE, refine_keep = 0.2, refine_shrink = 0.5, refine_jitter = NULL) {
  no_unknown_settings(list(...), names(formals(wgma_control)), "wgma_control")
  optimizers <- gma_weight_optimizers()
  optimizer <- match_choice(optimizer, optimizers$optimizer, "optimizer")
  own <- optimizers[optimizers$optimizer == optimizer, ]
  if (is.null(step)) step <- own$step
  if (is.null(eta0)) eta0 <- own$eta0
  if (is.null(normalize)) normalize <- own$normalize
  if (is.null(momentum)) momentum <- own$momentum
  mirror_temperature <- check_number(mirror_temperature, "mirror_temperature", min = 1)
  if (optimizer != "mirror" && mirror_temperature != 1)
    arg_error("mirror_temperature", sprintf(
      'applies to mirror descent only: leave it at 1 with optimizer = "%s"', optimizer))
  structure(list(
    optimizer = optimizer,
    step = match_choice(step, c("constant", "inverse_sqrt", "inverse"), "step"),
    eta0 = check_number(eta0, "eta0", min = 0, open_min = TRUE),
    normalize = check_flag(normalize, "normalize"),
    momentum = check_number(momentum, "momentum", min = 0, max = 0.99),
    max_iter = check_count(max_iter, "max_iter"),
    tol = check_number(tol, "tol", min = 0),
    gradient = match_choice(gradient, c("own", "pooled"), "gradient"),
    sparse_tol = check_number(sparse_tol, "sparse_tol", min = 0, max = 1e-3),
    log_floor = check_number(log_floor, "log_floor", min = -700, max = 0),
    keep_weights = check_flag(keep_weights, "keep_weights"),
    temper = check_open_unit(temper, "temper"),
    entropy = check_number(entropy, "entropy", min = 0),
    mirror_temperature = mirror_temperature,
    mixing = check_number(mixing, "mixing", min = 0, max = 1),
    average = check_count(average, "average", min = 0),
    anneal = check_count(anneal, "anneal"),
    refine = check_flag(refine, "refine"),
    refine_keep = check_open_unit(refine_keep, "refine_keep"),
    refine_shrink = check_open_unit(refine_shrink, "refine_shrink"),
    refine_jitter = if (!is.null(refine_jitter)) check_number(refine_jitter, "refine_jitter", min = 0)
  ), class = "gma_wgma_control")
}

# The settings of wgma_control() that the C++ weight fit reads: exactly the fields of
# gmasampler::WgmaOptions (the glue refuses any other name and any missing one).
weight_fit_options <- function(wgma) {
  unclass(wgma)[c("optimizer", "step", "eta0", "max_iter", "tol", "gradient", "normalize",
                  "log_floor", "keep_weights", "anneal", "temper", "entropy", "mirror_temperature",
                  "mixing", "momentum", "average")]
}

#' Settings of the mode search
#'
#' The settings of the Laplace mixture approximation that starts `method = "em"` and is
#' `method = "lma"`, for `gma_control(lma = )`.
#'
#' @param ... not used: a name not listed here is an error that names it.
#' @param screen the points of the space-filling screening design; `NULL` takes
#'   `min(2000, 100 * d)`.
#' @param starts the most optimiser starts. The search also stops after three climbs in a row that
#'   found no new mode.
#' @param budget the largest fraction of `n_evals` the mode search may spend on starting
#'   optimisers (it finishes the mode it is on).
#' @param max_modes the most modes kept.
#' @param inflate the Laplace covariances are multiplied by this, so that the components cover
#'   the target's tails. `NULL` takes `1 + sqrt(2 log(2) / d)` in `d` dimensions (1.83 in two,
#'   1.37 in ten, 1.08 in two hundred): a Gaussian proposal whose covariance is `c` times the
#'   target's loses a factor `(c / sqrt(2c - 1))^d` of its effective sample size, so a fixed
#'   inflation that is harmless in two dimensions leaves no effective sample in two hundred; this
#'   one loses at most half.
#' @return A list of class `gma_lma_control`.
#' @examples
#' lma_control(starts = 20, max_modes = 20)
#' @export
lma_control <- function(..., screen = NULL, starts = 10L, budget = 0.5, max_modes = 10L, inflate = NULL) {
  no_unknown_settings(list(...), names(formals(lma_control)), "lma_control")
  structure(list(
    screen = if (!is.null(screen)) check_count(screen, "screen"),
    starts = check_count(starts, "starts"),
    budget = check_number(budget, "budget", min = 0, max = 1),
    max_modes = check_count(max_modes, "max_modes"),
    inflate = if (!is.null(inflate)) check_number(inflate, "inflate", min = 0, open_min = TRUE)
  ), class = "gma_lma_control")
}

# A group of settings given as its object or as a list of its constructor's arguments.
as_settings <- function(x, constructor, name) {
  if (inherits(x, paste0("gma_", name, "_control"))) return(x)
  if (!is.list(x) || is.object(x))
    arg_error(name, sprintf("must be made by %s_control() or be a list of its arguments", name))
  do.call(constructor, x)
}

# Refuses settings a constructor does not have, suggesting the nearest name.
no_unknown_settings <- function(extra, known, where) {
  if (!length(extra)) return(invisible())
  nm <- names(extra)
  if (is.null(nm) || any(!nzchar(nm))) arg_error(where, "takes its settings by name")
  known <- setdiff(known, "...")
  hints <- vapply(nm, function(n) {
    near <- known[utils::adist(n, known) <= max(2, nchar(n) %/% 4)]
    if (length(near)) sprintf("`%s` (did you mean `%s`?)", n, near[1L]) else sprintf("`%s`", n)
  }, character(1))
  arg_error(where, sprintf("has no setting %s", paste(hints, collapse = ", ")))
}

# The names of gma_control() before 0.3.0, and where each lives now.
deprecated_settings <- c(
  optimizer = "wgma", step = "wgma", eta0 = "wgma", max_iter = "wgma", tol = "wgma",
  gradient = "wgma", normalize = "wgma", sparse_tol = "wgma", log_floor = "wgma",
  keep_weights = "wgma", temper = "wgma", entropy = "wgma", mirror_temperature = "wgma",
  mixing = "wgma", momentum = "wgma", average = "wgma", anneal = "wgma", refine = "wgma",
  refine_keep = "wgma", refine_shrink = "wgma", refine_jitter = "wgma",
  em_bank = "em$bank", em_iter = "em$max_rounds", em_min_ess = "em$min_component_ess",
  em_shrink = "em$shrink", em_ess_min = "em$target_ess", em_eig_floor = "em$eig_floor",
  em_ridge = "em$ridge", em_prune = "em$prune", em_split = "em$split", em_defensive = "em$defensive",
  em_defensive_scale = "em$defensive_scale", em_final_steps = "em$final_steps",
  lma_screen = "lma$screen", lma_starts = "lma$starts", lma_budget = "lma$budget",
  lma_max_modes = "lma$max_modes", lma_inflate = "lma$inflate")

# Moves settings given by their old names into their groups, with a deprecation message for each
# old name (once a session). A group not given explicitly is built afresh from them, so that
# defaults that depend on them (an optimizer's step) follow.
apply_deprecated <- function(old, groups, given) {
  nm <- names(old)
  if (is.null(nm) || any(!nzchar(nm))) arg_error("gma_control", "takes its settings by name")
  no_unknown_settings(old[!nm %in% names(deprecated_settings)],
                      c(names(formals(gma_control)), names(deprecated_settings)), "gma_control")
  where <- deprecated_settings[nm]
  place <- ifelse(grepl("\\$", where), where, paste0(where, "$", nm))
  group <- sub("\\$.*", "", place)
  setting <- sub(".*\\$", "", place)
  for (i in seq_along(old)) {
    deprecation_message(nm[i], sprintf("gma_control(%s = %s_control(%s = ))", group[i], group[i], setting[i]))
  }
  for (g in unique(group)) {
    mine <- group == g
    base <- if (given[[g]]) unclass(groups[[g]]) else list()
    groups[[g]] <- do.call(list(em = em_control, wgma = wgma_control, lma = lma_control)[[g]],
                           utils::modifyList(base, stats::setNames(old[mine], setting[mine]), keep.null = TRUE))
  }
  groups
}

# `what` names the deprecated thing as a user wrote it: a setting of gma_control() unless told.
deprecation_message <- function(old, new, what = sprintf("gma_control(%s = )", old)) {
  if (isTRUE(the$deprecated[[old]])) return(invisible())
  the$deprecated[[old]] <- TRUE
  message(structure(class = c("gma_deprecated", "message", "condition"), list(
    message = sprintf("%s is deprecated and will be removed in gmasampler 0.4.0: use %s\n",
                      what, new), call = NULL)))
}

# A number in (0, 1].
check_open_unit <- function(x, name) {
  x <- check_number(x, name, min = 0, max = 1)
  if (x == 0) arg_error(name, "must be a finite number in (0, 1], not 0")
  x
}

# The degrees of freedom of components of a family: none for "gaussian", a number > 0 for "t".
check_family_df <- function(family, df) {
  if (family == "gaussian") {
    if (!is.null(df)) arg_error("df", 'is for family = "t"')
    return(NULL)
  }
  if (is.null(df)) arg_error("df", 'is needed with family = "t": the degrees of freedom, > 0')
  check_number(df, "df", min = 0, open_min = TRUE)
}

as_control <- function(control) {
  if (inherits(control, "gma_control")) return(control)
  if (!is.list(control) || is.object(control)) arg_error("control", "must be a list made by gma_control()")
  unknown <- setdiff(names(control), c(names(formals(gma_control)), names(deprecated_settings)))
  if (length(unknown))
    arg_error("control", sprintf("has unknown setting(s): %s", paste(unknown, collapse = ", ")))
  do.call(gma_control, control)
}

#' @export
print.gma_control <- function(x, ...) {
  cat("<gma_control>\n")
  utils::str(unclass(x)[c("n_evals", "max_memory", "progress")], no.list = TRUE, give.head = FALSE)
  for (g in c("em", "wgma", "lma")) {
    cat(sprintf("$%s <%s_control>\n", g, g))
    utils::str(unclass(x[[g]]), no.list = TRUE, give.head = FALSE, indent.str = "  ")
  }
  invisible(x)
}
