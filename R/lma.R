# LMA: a Laplace mixture approximation. Screen a space-filling design, start a gradient-free
# optimiser (BFGS on batched central differences) from the screened points that the modes found so
# far explain least, merge the modes found, and give each a Laplace covariance (a finite-difference
# Hessian, made positive definite) and a weight from its Laplace evidence. As a method of its own,
# the Laplace mixture is checked by one importance sample of the rest of the budget.

# method = "lma": the Laplace mixture, with one bank of n points drawn from it and its defensive
# component (em_round()), which corrects it by importance weights.
fit_lma <- function(laplace, em, threads, ev, n) {
  round <- em_round(laplace, em, n, ev, threads, "the importance sample of the Laplace mixture")
  list(mixture = laplace,
       bank = list(points = round$points, log_p = round$log_p, component = rep(1L, n),
                   log_q = dmixture(round$points, laplace, log = TRUE, threads = threads),
                   log_q_proposal = round$log_q),
       iterations = 1L, converged = TRUE, stalled = FALSE)
}

# The mode search as an object that lives on during EM: it keeps its screening streams, the points
# it screened and the modes it found. search$start() runs the initial search and returns the
# Laplace mixture; search$explore(n) screens n more points; search$new_modes(x, log_p, predicted)
# climbs from the evaluated point that the current fit leaves most unexplained (log p above
# `predicted`, what the fit predicts) and returns the mode it finds when it is new: its Laplace
# component (`mixture`) and Laplace evidence; search$hits() counts the screened points in each
# mode's region, by stream.
#
# The screening comes from two independent streams, taken in turn, so that the search is two
# searches for the price of one: a mode whose region only one stream's points reached was found by
# luck, and modes like it may have been missed by both (a capture-recapture argument); the fit
# reports it (mode_agreement()).
mode_search <- function(d, init, scale, box, lma, n_evals, ev, names, n_streams = 2L) {
  streams <- lapply(seq_len(n_streams), function(s) screening_stream(d, init, scale, box, lead = s == 1L))
  turn <- 0L                     # the stream explore() took last
  by <- integer()                # the stream of each screened point
  width <- if (!is.null(box)) box[, 2] - box[, 1] else sqrt(diag(scale))
  # a Laplace component is never wider than the box searched, or 100 scales without one
  max_sd <- if (!is.null(box)) max(width) else 100 * max(width)
  # Above 20 dimensions a Hessian's cost matters: it is one-sided (d^2 / 2 evaluations instead of
  # 2 d^2, fd_hessian()), and climbs hand over to Newton ascent (newton_climb()) where BFGS would
  # need about d gradients of 2d evaluations in a badly conditioned target (100-D, sds 0.01 to 10:
  # 15,000 evaluations). Up to 20, BFGS climbs are short and the four-point Hessian the more exact.
  one_sided <- d > 20L
  hessian_cost <- if (one_sided) d^2 / 2 + 3 * d else 2 * d^2  # with a try of nat_steps()
  full_hessian <- hessian_cost <= 0.4 * n_evals  # d <= 63 at 20,000, 123 one-sided; 100 and 197 at 50,000
  # the full Hessian while it takes at most half of what is left, or leaves EM a fifth of the
  # budget: a climb's quasi-Newton curvature after fewer updates than a badly conditioned target
  # needs is far off (100-D, sds 0.01 to 10: log det of the covariance 425 too small)
  hessian_fits <- function()
    full_hessian && hessian_cost <= max(0.5 * ev$remaining(), ev$remaining() - 0.2 * n_evals)
  newton_works <- TRUE  # until a Newton ascent fails to reach a mode (add_mode())
  modes <- list()
  failed_climbs <- 0L  # climbs during EM that found no new mode: after three, the slope test is
                       # not to be trusted on this target and the search stops climbing
  screen <- matrix(0, 0, d)
  lp_screen <- numeric()
  paths <- list()  # the paths of the initial search's climbs (path_components())

  # Climbs from x; adds and returns the mode reached when it is new, else NULL. A climb stops
  # when the evaluations pass spend_until (by default a tenth of the budget from now), or when it
  # reaches where a mode already known explains log p (near_known()). A mode found during EM must
  # not lie on the slope of the modes known.
  add_mode <- function(x, during_em = FALSE, spend_until = ev$count() + 0.1 * n_evals) {
    spent <- function(...) ev$count() > spend_until
    stop_early <- function(p, fp, grad) spent() || near_known(p, fp, grad)
    # x is where the modes known leave density unexplained, but log p's ascent from there may
    # still lead to one of them: a mode's region of ascent is far smaller than the region where it
    # dominates log p, where x was found (two_modes_10d, seed 6: all three climbs from points 50
    # nats above the wide mode's term, in the narrow one's region, ran into the wide one). So the
    # climb first ascends the unexplained density, as deflation does, and log p from there. Only
    # in a search of a box, for modes anywhere in it: started from init, the modes known may be
    # no more than the spike of a funnel's neck, whose Laplace approximation explains nothing
    # around it, and every climb runs down the neck once more (Neal's funnel: the search took 4,000
    # more evaluations, and 4 of 20 fits collapsed into the neck).
    if (length(modes) && !is.null(box)) {
      lifted <- climb(x, unexplained_log_density, width, give_up = spent)
      if (!is.null(lifted)) x <- lifted$par
    }
    # above 20 dimensions, a climb hands over to Newton ascent after five gradients
    hand_over <- if (one_sided && newton_works) function(n) n >= 5L && hessian_fits()
    m <- climb(x, ev$evaluate, width, give_up = stop_early, hand_over = hand_over)
    if (!is.null(m) && !during_em && length(m$path$log_p)) paths[[length(paths) + 1L]] <<- m$path
    if (!is.null(m) && m$handed_over) {
      m <- newton_climb(m, ev$evaluate, max_sd, affordable = hessian_fits)
      # far from a mode of a non-Gaussian target, Newton steps go astray: BFGS climbs on from
      # where they stopped, and the climbs to come do without
      if (!m$converged) {
        newton_works <<- FALSE
        m <- climb(m$par, ev$evaluate, width, give_up = stop_early)
      }
    }
    # a climb that did not converge and ends more than 10 d + 10 nats above the best screened point
    # has run into a spike (the density of a centred hierarchical model grows without bound as its
    # scale goes to zero): no mode there. (One that did not converge on a flat top is kept.)
    if (is.null(m) || (!m$converged && m$log_p > spike_height())) return(NULL)
    if (any(vapply(modes, function(l) same_mode(m$par, l), logical(1)))) return(NULL)
    if (during_em && on_slope(m$par, m$log_p, modes, ev$evaluate, width)) return(NULL)
    lap <- m$laplace
    if (is.null(lap)) {
      # fewer updates than dimensions leave directions at the first step's scale: measure the scale
      # along the axes with small steps first (a climb started at a minimum or saddle, the centre of
      # a ring, makes no update and stays there: the small steps show it is no mode)
      scale0 <- if (m$updates < d) axis_curvature_scale(m$par, m$log_p, ev$evaluate, max_sd) else m$inv_hessian
      if (identical(scale0, "not a maximum")) return(NULL)
      if (!is.null(scale0))
        lap <- laplace_covariance(m$par, m$log_p, scale0, ev$evaluate, max_sd, full = hessian_fits(),
                                  one_sided)
    }
    if (is.null(lap)) lap <- local_covariance(m$par, screen, lp_screen)
    mode <- list(par = m$par, log_p = m$log_p, cov = lap$cov, precision = lap$precision,
                 log_evidence = laplace_evidence(m$log_p, lap$cov))
    if (any(vapply(modes, function(l) same_mode(l$par, mode), logical(1)))) return(NULL)
    modes[[length(modes) + 1L]] <<- mode
    mode
  }

  # log (p - the modes' Laplace approximation) at the rows of x: the density they leave unexplained;
  # -Inf where they explain half of p or more, so that no step of the climb lands there (BFGS takes
  # any step that gains, and a long one from far out gains most near a known mode, whose Laplace
  # approximation is never exact)
  unexplained_log_density <- function(x) {
    log_p <- ev$evaluate(x)
    share <- -expm1(laplace_log_density(x, modes) - log_p)
    ifelse(share > 0.5, log_p + log(share), -Inf)
  }

  # Above this log p a climb has run into a spike: 10 d + 10 nats above the best screened point.
  spike_height <- function() max(lp_screen) + 10 * d + 10

  # The path of the initial search's climb that went highest, when it ran into a spike: it passed
  # spike_height(), and the modes' Laplace evidence leaves the screened mass unexplained (see
  # start()); else NULL.
  into_spike <- function() {
    if (!length(paths)) return(NULL)
    deepest <- paths[[which.max(vapply(paths, function(p) max(p$log_p), numeric(1)))]]
    if (max(deepest$log_p) > spike_height() &&
        unexplained_screening(screen, lp_screen, init, scale, box, modes) > 10) deepest
  }

  # Whether a climb has reached where the modes known explain log p and its slope: their Laplace
  # approximation there is within a nat of log p, and its pull within half the gradient's length
  # (see on_slope()). A climb that gets there is going to a mode already known, and can stop.
  near_known <- function(x, log_px, grad) {
    length(modes) > 0L && abs(log_px - laplace_log_density(rbind(x), modes)) < 1 &&
      slope_matches(x, grad, modes)
  }

  # The given modes as a mixture, weights by Laplace evidence, covariances inflated.
  as_mixture_of <- function(found) {
    log_w <- vapply(found, `[[`, numeric(1), "log_evidence")
    means <- do.call(rbind, lapply(found, `[[`, "par"))
    colnames(means) <- names
    inflate <- lma$inflate %||% (1 + sqrt(2 * log(2) / d))
    covs <- array(unlist(lapply(found, function(l) inflate * l$cov)), c(d, d, length(found)))
    gma_mixture(exp(log_w - max(log_w)), means, covs)
  }

  # n more points of the next stream.
  explore <- function(n) {
    turn <<- turn %% n_streams + 1L
    x <- streams[[turn]](n)
    lp <- ev$evaluate(x)
    screen <<- rbind(screen, x)
    lp_screen <<- c(lp_screen, lp)
    by <<- c(by, rep(turn, nrow(x)))
    list(points = x, log_p = lp)
  }

  # A modes x streams matrix: how many finite screened points of each stream lie where the mode's
  # Laplace approximation is the largest of all the modes' (the region from which a climb reaches
  # it).
  hits <- function() {
    ok <- is.finite(lp_screen)
    nearest <- max.col(laplace_log_density(screen[ok, , drop = FALSE], modes, each = TRUE), "first")
    table(factor(nearest, seq_along(modes)), factor(by[ok], seq_len(n_streams)))
  }

  # Climb from one start at a time. The first is init (when given) or the best screened point;
  # each next one is the best screened point that the modes found so far do not explain: its log
  # density exceeds their (unnormalised) Laplace approximation by more than one nat. So the search
  # goes where the approximation misses mass, small modes included, and stops when nothing is
  # unexplained, after three climbs in a row that found no new mode, after `starts` climbs, when
  # its budget is spent, or once a climb has run into a spike (into_spike()): beside a spike no
  # screened point is explained, and every climb ran down the same neck until the search's budget
  # was spent (the centred eight schools: 11,900 evaluations of 20,000, the mean's median error over
  # 20 seeds 0.28 sd; now 7,600 and 0.11).
  start <- function() {
    n_before <- ev$count()
    n_screen <- min(lma$screen %||% min(2000L, 100L * d), ev$remaining() %/% 4)
    for (s in seq_len(n_streams)) explore(ceiling(n_screen / n_streams))
    if (all(lp_screen == -Inf))
      arg_error("log_density", sprintf(
        "is -Inf at all %d screening points: give `init` where the target has mass, or a `box` around it",
        length(lp_screen)))
    ok <- is.finite(lp_screen)
    tried <- rep(FALSE, nrow(screen))
    spent <- FALSE
    climbs <- 0L
    misses <- 0L  # climbs in a row that found no new mode
    while (climbs < lma$starts && misses < 3L && length(modes) < lma$max_modes &&
           ev$count() - n_before <= lma$budget * n_evals && is.null(into_spike())) {
      unexplained <- ok & !tried & lp_screen > laplace_log_density(screen, modes) + 1
      if (!any(unexplained)) break
      i <- if (climbs == 0L && !is.null(init) && ok[1L]) 1L  # screen[1, ] is init
           else which(unexplained)[which.max(lp_screen[unexplained])]
      tried[i] <- TRUE
      spent <- tryCatch({
        # a point on the slope of the modes found is explained by them, however far their
        # Laplace approximation is off there: no climb
        if (!length(modes) || !on_slope(screen[i, ], lp_screen[i], modes, ev$evaluate, width)) {
          climbs <- climbs + 1L
          found <- add_mode(screen[i, ], spend_until = n_before + lma$budget * n_evals)
          misses <- if (is.null(found)) misses + 1L else 0L
        }
        FALSE
      }, gma_budget = function(e) TRUE)
      if (spent) break
    }
    if (!length(modes)) {
      # no climb converged: start from where the screening found mass
      mode <- screened_mass(screen, lp_screen)
      if (is.null(mode) && spent) budget_spent_error(ev, "the mode search to find a mode")
      if (is.null(mode))
        arg_error("log_density", "has no finite mode reachable from the starting points")
      modes[[1L]] <<- mode
    }
    # A climb that ends far above every screened point (10 d + 10 nats), where the modes' Laplace
    # evidence leaves most of the screened mass unexplained, has run into a spike: the density of
    # a centred hierarchical model grows without bound down its neck (eight schools: 133 nats up,
    # at log tau -19), and the mass lies along the way: Laplace components along the climb's path
    # join the start, the spike's own component weighing next to nothing. (Neal's funnel has a
    # true mode 82 to 97 nats up, at y = -40: EM from there covers its neck better than from
    # components along the way, sds within 4% on 20 of 20 seeds against 6% on 19 of 20.)
    deepest <- into_spike()
    along <- if (is.null(deepest)) list()
             else tryCatch(path_components(deepest, ev$evaluate, width, max_sd, hessian_fits, one_sided),
                           gma_budget = function(e) list())
    start <- c(modes, along)
    # every start component, for the fit's check that it still covers them; the modes come first
    components <- list(par = do.call(rbind, lapply(start, `[[`, "par")),
                       log_p = vapply(start, `[[`, numeric(1), "log_p"),
                       log_evidence = vapply(start, `[[`, numeric(1), "log_evidence"),
                       along_climb = rep(c(FALSE, TRUE), c(length(modes), length(along))))
    is_mode <- !components$along_climb
    list(mixture = as_mixture_of(start), components = components,
         modes = data.frame(log_p = components$log_p[is_mode],
                            log_evidence = components$log_evidence[is_mode]),
         n_evals = ev$count() - n_before)
  }

  # Climbs from the point of largest excess above one nat whose slope is not that of the mode that
  # explains it best. The excess is log p over the larger of two predictions: the fit's
  # (`predicted`, log Z + log q) and the modes' Laplace approximation (exact for a Gaussian mode,
  # whose tails a mixture of narrower components underestimates). Excess alone cannot tell a new
  # basin from the tails of a known mode that both underestimate, so up to `tests` candidates are
  # checked by their gradient (2d evaluations each).
  new_modes <- function(x, log_p, predicted, tests = 4L) {
    if (length(modes) >= lma$max_modes || failed_climbs >= 3L) return(NULL)
    excess <- log_p - pmax(predicted, laplace_log_density(x, modes))
    cand <- which(is.finite(excess) & excess > 1)
    for (i in utils::head(cand[order(excess[cand], decreasing = TRUE)], tests)) {
      if (on_slope(x[i, ], log_p[i], modes, ev$evaluate, width)) next
      mode <- add_mode(x[i, ], during_em = TRUE)
      if (is.null(mode)) {
        failed_climbs <<- failed_climbs + 1L
        return(NULL)
      }
      return(list(mixture = as_mixture_of(list(mode)), log_evidence = mode$log_evidence))
    }
    NULL
  }

  list(start = start, explore = explore, new_modes = new_modes, hits = hits,
       modes = function() modes, boxed = !is.null(box))
}

# A stream of space-filling points: a scrambled Halton sequence in the box, or around init spread by
# 3 times the scale, with init before the first n when it is given and `lead`; each call continues
# it.
screening_stream <- function(d, init, scale, box, lead = TRUE) {
  scramble <- halton_scramble(d)
  used <- 0L
  function(n) {
    pts <- space_filling(n, d, box = box, centre = init, cov = scale, spread = 3,
                         scramble = scramble, start = used)
    if (used == 0L && lead) pts <- rbind(init, pts)
    used <<- used + n
    unname(pts)
  }
}

# Whether x lies on the slopes of the modes found: the gradient of log p there (central
# differences, 2d evaluations) matches the pull of their Laplace approximation (slope_matches()).
on_slope <- function(x, log_px, modes, evaluate, width) {
  slope_matches(x, fd_gradient(x, log_px, evaluate, width), modes)
}

# Whether the gradient g at x is within half its length of the pull of the modes' Laplace
# approximation, sum_j r_j P_j (mu_j - x) with r_j each mode's share of that approximation at x.
# Where a mode not yet found dominates log p, its pull changes the gradient's direction or, when
# it lies the same way, its length: a narrower mode pulls harder.
slope_matches <- function(x, g, modes) {
  terms <- drop(laplace_log_density(rbind(x), modes, each = TRUE))
  share <- exp(terms - max(terms))
  pull <- Reduce(`+`, Map(function(m, r) r * drop(m$precision %*% (m$par - x)), modes, share / sum(share)))
  sum((g - pull)^2) <= 0.25 * sum(pull^2)
}

# log of sum_j p(mu_j) exp(-(x - mu_j)' P_j (x - mu_j) / 2) at the rows of x: what the modes found
# so far predict for log p (-Inf with none); with `each`, the terms one mode a column.
laplace_log_density <- function(x, modes, each = FALSE) {
  if (!length(modes)) return(rep(-Inf, nrow(x)))
  terms <- vapply(modes, function(l) {
    r <- sweep(x, 2, l$par)
    l$log_p - 0.5 * rowSums((r %*% l$precision) * r)
  }, numeric(nrow(x)))
  terms <- matrix(terms, nrow(x))
  if (each) terms else row_log_sum_exp(terms)
}

# BFGS ascent on log p from x (R's optim(), whose line search spends few gradients), gradients by
# central differences in one batch of 2d points, so an iteration costs O(d) evaluations. The
# gradients it asked for are kept, and BFGS updates over consecutive ones rebuild its inverse
# Hessian approximation afterwards: a curvature estimate at no extra evaluation (for a quadratic
# it is exact once the steps span the space). `give_up(x, log p, gradient)`, asked at every
# gradient, ends the climb early (NULL) when it says so. Returns the mode, log p there, `inv_hessian` (the
# estimate of the inverse of the negative Hessian), how many updates made it and whether optim()
# converged, or NULL when no finite mode is reachable.
climb <- function(x, evaluate, width, give_up = NULL, hand_over = NULL) {
  d <- length(x)
  path <- list()
  # optim asks for the gradient where it has just asked for f; it may also reuse its vector for the
  # next point, so what is kept is a copy (p + 0)
  last <- list(p = NULL, v = NULL)
  log_p <- function(p) {
    if (!identical(p, last$p)) last <<- list(p = p + 0, v = evaluate(matrix(p, 1L)))
    last$v
  }
  # optim's first trial step is the whole gradient, and until its inverse Hessian has learnt the
  # scales, later ones are as long: from a far point they land in another basin. So a step may go
  # no further than a radius from the last point where the gradient was taken, 1% of the search
  # width at first and doubling with each step (points beyond count as worse).
  radius <- 0.01 * sqrt(sum(width^2))
  f <- function(p) {
    if (any(!is.finite(p))) return(1e300)
    if (length(path) && sqrt(sum((p - path[[length(path)]]$x)^2)) > radius * 2^length(path)) return(1e300)
    v <- log_p(p)
    if (v == -Inf) 1e300 else -v
  }
  g <- function(p) {
    if (any(!is.finite(p))) return(numeric(d))
    fp <- log_p(p)
    grad <- if (is.finite(fp)) fd_gradient(p, fp, evaluate, width) else numeric(d)
    if (!is.null(give_up) && give_up(p, fp, grad)) stop(structure(class = c("gma_give_up", "condition"), list()))
    path[[length(path) + 1L]] <<- list(x = p + 0, g = grad, f = fp)
    # Settled: the last five steps gained less than 0.05 nats in all. The mode is then within a
    # fraction of a standard deviation in every direction that matters, which is all a start for
    # EM needs; the rest of a climb in an ill-conditioned target creeps along its flat directions
    # (a 50-D Gaussian with sds from 0.01 to 10 took 190 iterations to converge, 20,000 evaluations).
    n <- length(path)
    if (n > 5L && is.finite(fp) && fp - path[[n - 5L]]$f < 0.05)
      stop(structure(class = c("gma_settled", "condition"), list()))
    if (!is.null(hand_over) && is.finite(fp) && hand_over(n))
      stop(structure(class = c("gma_hand_over", "condition"), list()))
    -grad
  }
  at_last_gradient <- function(converged) {
    last <- path[[length(path)]]
    list(par = last$x, value = -last$f, convergence = if (converged) 0L else 1L, handed_over = !converged)
  }
  # The budget's end and the user's density failing are the caller's to handle: they are kept and
  # raised again after tryCatch(), since one raised by a handler inside it would be caught by the
  # handlers after it (`error`, which once made a density that fails on one-row matrices turn off
  # the mode search without a word).
  res <- tryCatch(stats::optim(x, f, g, method = "BFGS", control = list(maxit = 500, reltol = 1e-12)),
                  gma_settled = function(e) at_last_gradient(converged = TRUE),
                  gma_hand_over = function(e) at_last_gradient(converged = FALSE),
                  gma_give_up = function(e) NULL,              # the caller's rule stopped it
                  gma_budget = function(e) e,                  # the budget is spent
                  gma_log_density_error = function(e) e,       # the user's density failed
                  error = function(e) NULL)                    # the optimiser gave up
  if (inherits(res, "condition")) stop(res)
  if (is.null(res) || !is.finite(res$value) || res$value >= 1e300) return(NULL)
  # the inverse Hessian from the gradients along the path (Nocedal and Wright, 6.17 and 6.20)
  H <- NULL
  updates <- 0L
  for (k in seq_len(length(path) - 1L)) {
    s <- path[[k + 1L]]$x - path[[k]]$x
    y <- path[[k]]$g - path[[k + 1L]]$g  # the change in the gradient of -log p
    sy <- sum(s * y)
    if (!(sy > 1e-12 * sqrt(sum(s^2) * sum(y^2)))) next
    if (is.null(H)) H <- diag(sy / sum(y^2), d)
    rho <- 1 / sy
    Hy <- drop(H %*% y)
    H <- H - rho * (outer(s, Hy) + outer(Hy, s)) + (rho^2 * sum(y * Hy) + rho) * outer(s, s)
    updates <- updates + 1L
  }
  if (is.null(H)) H <- diag(d)
  list(par = res$par, log_p = -res$value, inv_hessian = (H + t(H)) / 2, updates = updates,
       converged = res$convergence == 0L, handed_over = isTRUE(res$handed_over),
       path = list(x = do.call(rbind, lapply(path, `[[`, "x")),
                   log_p = vapply(path, `[[`, numeric(1), "f")))
}

# The points x + m and x - m for each row m of `moves` (all the + first): the batch of a central
# difference along each move.
plus_minus <- function(x, moves) rbind(sweep(moves, 2, x, `+`), sweep(-moves, 2, x, `+`))

# The gradient of log p at x (log p = fx there) by central differences, one batch of 2d points;
# one-sided where a step leaves the support, zero where both do.
fd_gradient <- function(x, fx, evaluate, width) {
  d <- length(x)
  h <- 1e-6 * pmax(abs(x), 1e-3 * width, 1e-8)
  v <- evaluate(plus_minus(x, diag(h, d)))
  up <- v[seq_len(d)]
  down <- v[d + seq_len(d)]
  ifelse(is.finite(up) & is.finite(down), (up - down) / (2 * h),
         ifelse(is.finite(up), (up - fx) / h, ifelse(is.finite(down), (fx - down) / h, 0)))
}

# The Laplace covariance at a mode x: the inverse of the negative Hessian of log p, measured by
# second differences over the steps along which log p drops by a tenth of a nat or more
# (nat_steps(), from half a standard deviation of the climb's own estimate inv_hessian), so that
# the curvature is measured over the width that matters. With `full`, the whole Hessian
# (fd_hessian(), four-point or `one_sided`); otherwise only the curvature along each principal
# axis of the climb's estimate, keeping its axes (2d evaluations: what makes the search O(d) in
# high dimension).
# Curvatures are floored at 1e-10 of the largest and at 1 / max_sd^2 (the box's width, or 100
# scales), so that a flat or saddle direction gives a wide but finite component that stays where
# the search looked (second differences over half a standard deviation of a non-Gaussian target
# need not be negative definite: they are made so). Returns the covariance and its inverse; NULL
# when log p is not finite there; what `overflow(x)` returns when the curvatures overflow (by
# default an error).
laplace_covariance <- function(x, log_px, inv_hessian, evaluate, max_sd, full, one_sided,
                               overflow = curvature_overflow_error) {
  e <- eigen(inv_hessian, symmetric = TRUE)
  d <- length(x)
  if (full) {
    axes <- diag(d)
    h <- nat_steps(x, log_px, axes, sd_along_axes(inv_hessian, max_sd), evaluate, max_sd)
    fh <- if (!is.null(h)) fd_hessian(x, log_px, h$step, evaluate, axis = h$values, one_sided = one_sided)
    if (is.null(fh)) return(NULL)
    if (any(!is.finite(fh$hessian))) return(overflow(x))
    e <- eigen(-fh$hessian, symmetric = TRUE)
    curv <- e$values
  } else {
    h <- nat_steps(x, log_px, e$vectors, sd_along_axes(diag(e$values, d), max_sd), evaluate, max_sd)
    if (is.null(h)) return(NULL)
    curv <- 2 * h$drop / h$step^2
    if (any(!is.finite(curv))) return(overflow(x))
  }
  floored_covariance(e, curv, max_sd)
}

# The covariance and precision with axes e$vectors and curvatures curv, floored at 1e-10 of the
# largest and at 1 / max_sd^2.
floored_covariance <- function(e, curv, max_sd) {
  curv <- pmax(curv, 1e-10 * max(curv, 0), 1 / max_sd^2)
  cov <- e$vectors %*% (t(e$vectors) / curv)
  list(cov = (cov + t(cov)) / 2, precision = e$vectors %*% (t(e$vectors) * curv))
}

# Newton ascent from where a climb m handed over, each step from a one-sided finite-difference
# Hessian over nat steps (d^2 / 2 + 3d evaluations or so, exact for a quadratic): a BFGS climb in
# an ill-conditioned target needs about d gradients of 2d evaluations, where a Gaussian's mode and
# covariance come from one Hessian. The step is Newton's under the Hessian made negative definite
# as in laplace_covariance(), halved until log p rises. The ascent stops at the mode: when a step
# predicts a gain under 0.05 nats, or a full step gains what the quadratic predicted (to 0.1% and
# half a nat), so that the Hessian holds where it lands; or when no other Hessian is
# `affordable()`. Returns m at the point reached, with the Laplace covariance of the last Hessian
# (`laplace`), or m unchanged when no Hessian could be had.
newton_climb <- function(m, evaluate, max_sd, affordable, max_steps = 5L) {
  d <- length(m$par)
  for (k in seq_len(max_steps)) {
    if (!affordable()) break
    scale <- if (is.null(m$laplace)) m$inv_hessian else m$laplace$cov
    h <- nat_steps(m$par, m$log_p, diag(d), sd_along_axes(scale, max_sd), evaluate, max_sd)
    fh <- if (!is.null(h)) fd_hessian(m$par, m$log_p, h$step, evaluate, axis = h$values, one_sided = TRUE)
    if (is.null(fh) || any(!is.finite(fh$hessian))) break
    e <- eigen(-fh$hessian, symmetric = TRUE)
    m$laplace <- floored_covariance(e, e$values, max_sd)
    step <- drop(m$laplace$cov %*% fh$gradient)
    predicted <- sum(fh$gradient * step) / 2
    if (predicted < 0.05) {
      m$converged <- TRUE
      break
    }
    for (halving in 0:3) {
      y <- m$par + step / 2^halving
      fy <- evaluate(rbind(y))
      if (is.finite(fy) && fy > m$log_p) break
    }
    if (!(is.finite(fy) && fy > m$log_p)) break
    # a full step that gains what the quadratic predicted has landed at its mode, and the
    # Hessian holds there
    m$converged <- halving == 0L && abs(fy - m$log_p - predicted) <= 1e-3 * predicted + 0.5
    m$par <- y
    m$log_p <- fy
    if (m$converged) break
  }
  m
}

# Steps along each direction (the columns of `axes`) over which log p drops by a tenth of a nat
# to two nats on average of both sides, found by doubling or halving from half of `start` (2d
# evaluations a try, at most eight tries): the width over which a Laplace curvature means
# something. A Gaussian's step comes out half a sd, as the climb's estimate has it; a flat-topped
# mode's (a quartic) widens to its top. Returns the steps and the drops there; NULL when log p is
# not finite around x.
nat_steps <- function(x, log_px, axes, start, evaluate, max_sd) {
  d <- length(x)
  step <- pmin(0.5 * start, max_sd)
  for (try in 1:8) {
    moves <- t(axes) * step  # row j: the step along direction j
    v <- evaluate(plus_minus(x, moves))
    drop <- log_px - (v[seq_len(d)] + v[d + seq_len(d)]) / 2
    drop[!is.finite(drop)] <- Inf
    small <- drop < 0.1 & step < max_sd
    large <- drop > 2
    if (!any(small | large) || try == 8L) break
    step <- ifelse(small, pmin(2 * step, max_sd), ifelse(large, step / 2, step))
  }
  if (any(!is.finite(drop))) return(NULL)
  list(step = step, drop = drop, values = v)
}

# The standard deviations on the diagonal of a covariance, within (0, max_sd].
sd_along_axes <- function(cov, max_sd) sqrt(pmin(pmax(diag(cov), 1e-300), max_sd^2))

# A diagonal scale at x from second differences with small steps along the coordinate axes (2d
# evaluations): the variance 1 / curvature of each coordinate, capped at max_sd^2; NULL when log p
# is not finite around x, "not a maximum" when x is a minimum or saddle.
axis_curvature_scale <- function(x, log_px, evaluate, max_sd) {
  d <- length(x)
  h <- 1e-4 * pmax(abs(x), 1e-2)
  v <- evaluate(plus_minus(x, diag(h, d)))
  if (any(!is.finite(v))) return(NULL)
  curv <- -(v[seq_len(d)] - 2 * log_px + v[d + seq_len(d)]) / h^2
  if (is_not_maximum(curv)) return("not a maximum")
  diag(1 / pmax(curv, 1 / max_sd^2), d)
}

# Whether curvatures (of -log p) show a stationary point that is no maximum: one clearly negative
# (a climb started at a minimum or saddle, the centre of a ring, stays there: its gradient is zero).
is_not_maximum <- function(curv) any(curv < -1e-3 * max(abs(curv)))

# A Gaussian of the screened points, weighted by their density tempered to an ESS of a tenth of
# them (at least d + 2): the start when no climb finds a mode. NULL when too few are finite.
screened_mass <- function(pts, lp) {
  ok <- is.finite(lp)
  d <- ncol(pts)
  if (sum(ok) < d + 2) return(NULL)
  beta <- tempering_beta(lp[ok], max(d + 2, 0.1 * sum(ok)))
  w <- exp(beta * (lp[ok] - max(lp[ok])))
  w <- w / sum(w)
  mean <- colSums(pts[ok, , drop = FALSE] * w)
  cov <- floor_eigenvalues(crossprod(sweep(pts[ok, , drop = FALSE], 2, mean) * sqrt(w)))
  list(par = mean, log_p = log_sum_exp(lp[ok]), cov = cov,
       precision = solve(cov),
       log_evidence = log_sum_exp(lp[ok]) - log(sum(ok)))  # not comparable with Laplace modes,
                                                             # but there are none
}

# Where the Hessian cannot be had (a mode on the edge of the support, where a step leaves it), the
# covariance of the screened points weighted by their density, as seen from the mode.
local_covariance <- function(x, pts, lp) {
  ok <- is.finite(lp)
  w <- exp(lp[ok] - max(lp[ok]))
  r <- sweep(pts[ok, , drop = FALSE], 2, x)
  if (sum(rowSums(r^2) > 0) < ncol(pts)) support_too_small_error(x, sum(ok), length(lp))
  cov <- crossprod(r * sqrt(w / sum(w)))
  e <- eigen(cov, symmetric = TRUE)
  v <- pmax(e$values, 1e-10 * max(e$values, 1e-300))
  list(cov = e$vectors %*% (t(e$vectors) * v), precision = e$vectors %*% (t(e$vectors) / v))
}

# The Hessian of log p at x by second differences with steps h along the axes: the diagonal from
# x +- h_i e_i, each pair i < j from the four points x +- h_i e_i +- h_j e_j (2d^2 evaluations,
# an O(h^2) error), or with `one_sided` from x + h_i e_i + h_j e_j alone (d^2 / 2 + 3d / 2
# evaluations, an O(h) error in the off-diagonal, none for a quadratic). `axis` holds log p at
# the 2d axis points when they are known (nat_steps() has them). Returns the Hessian and the
# central-difference gradient from the same points; NULL when log p is not finite at one of them.
fd_hessian <- function(x, fx, h, evaluate, axis = NULL, one_sided = FALSE) {
  d <- length(x)
  if (is.null(axis)) axis <- evaluate(plus_minus(x, diag(h, d)))
  pairs <- which(upper.tri(diag(d)), arr.ind = TRUE)
  i <- pairs[, 1]
  j <- pairs[, 2]
  np <- length(i)
  corners <- if (one_sided) list(c(1, 1)) else list(c(1, 1), c(1, -1), c(-1, 1), c(-1, -1))
  moves <- do.call(rbind, lapply(corners, function(s) {
    m <- matrix(0, np, d)
    m[cbind(seq_len(np), i)] <- s[1] * h[i]
    m[cbind(seq_len(np), j)] <- s[2] * h[j]
    m
  }))
  v <- if (np) evaluate(sweep(moves, 2, x, `+`)) else numeric()
  if (any(!is.finite(c(axis, v)))) return(NULL)
  up <- axis[seq_len(d)]
  down <- axis[d + seq_len(d)]
  hess <- diag((up - 2 * fx + down) / h^2, d)
  if (np) {
    corner <- function(k) v[(k - 1) * np + seq_len(np)]
    hij <- if (one_sided) (corner(1) - up[i] - up[j] + fx) / (h[i] * h[j])
           else (corner(1) - corner(2) - corner(3) + corner(4)) / (4 * h[i] * h[j])
    hess[pairs] <- hij
    hess[pairs[, 2:1, drop = FALSE]] <- hij
  }
  list(hessian = hess, gradient = (up - down) / (2 * h))
}

# Whether x lies within one Mahalanobis unit of a kept mode, under that mode's covariance.
same_mode <- function(x, mode) {
  r <- x - mode$par
  sum(r * (mode$precision %*% r)) < 1
}

# How far (in nats) the screening's own importance estimate of the evidence exceeds the modes'
# Laplace evidence: the screened points are a space-filling sample of the box (uniform) or of
# N(init, 9 scale), so mean(p / q) over them estimates Z, however roughly (within 3 nats of the
# modes' evidence on every bench-trust target with a mode). A climb down the neck of a funnel ends
# where the Laplace evidence is far below the target's (27 to 54 nats: eight schools, centred,
# -71 against -33 by the screening and -31 exact; Neal's funnel -101 against -1 and 0).
unexplained_screening <- function(screen, lp_screen, init, scale, box, modes) {
  log_q <- if (!is.null(box)) rep(-sum(log(box[, 2] - box[, 1])), nrow(screen))
           else dmixture(screen, gma_mixture(1, rbind(init), 9 * scale), log = TRUE)
  ok <- is.finite(lp_screen)
  log_sum_exp(lp_screen[ok] - log_q[ok]) - log(length(lp_screen)) -
    log_sum_exp(vapply(modes, `[[`, numeric(1), "log_evidence"))
}

# The Laplace evidence of a Gaussian of covariance cov peaked at log p: log p + (d / 2) log(2 pi) +
# log|cov| / 2.
laplace_evidence <- function(log_p, cov) {
  log_p + nrow(cov) / 2 * log(2 * pi) + 0.5 * as.numeric(determinant(cov)$modulus)
}

# Laplace components along a climb's path into a funnel's neck, at every `step` nats of log p
# from its start, until their evidence falls 10 nats below the best. Down the neck, the Laplace
# evidence at a point of the path follows the mass of the funnel's slice there (the slices at
# log tau u of eight schools: e^u), so these components put EM's start where the neck's mass is;
# the end of the climb, where log p is highest, holds next to none (eight schools: its evidence
# 38 nats below the target's). Each component's nat steps start from the one before (the neck
# narrows along the path).
path_components <- function(path, evaluate, width, max_sd, hessian_fits, one_sided, step = 5) {
  d <- ncol(path$x)
  out <- list()
  best <- -Inf
  cov <- diag(width^2, d)  # the search's scale, until the first component's steps adapt it
  level <- path$log_p[1L]
  for (i in which(is.finite(path$log_p))) {
    if (path$log_p[i] < level) next
    level <- path$log_p[i] + step
    # a point that is no mode may curve beyond doubles: it is passed over, not an error
    lap <- laplace_covariance(path$x[i, ], path$log_p[i], cov, evaluate, max_sd,
                              full = hessian_fits(), one_sided, overflow = function(x) NULL)
    if (is.null(lap)) next
    cov <- lap$cov
    evidence <- laplace_evidence(path$log_p[i], lap$cov)
    best <- max(best, evidence)
    out[[length(out) + 1L]] <- list(par = path$x[i, ], log_p = path$log_p[i], cov = lap$cov,
                                    precision = lap$precision, log_evidence = evidence)
    if (evidence < best - 10) break
  }
  out
}
