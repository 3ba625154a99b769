# Bounded parameters: each is sampled on an unconstrained scale and mapped back,
#   lower only:  x = lower + exp(y)
#   upper only:  x = upper - exp(y)
#   both:        x = lower + (upper - lower) / (1 + exp(-y))
# and the log density on the unconstrained scale is log p(x(y)) + log |dx / dy|.

as_bounds <- function(lower, upper, d) {
  if (is.null(lower) && is.null(upper)) return(NULL)
  fill <- function(v, name, default) {
    if (is.null(v)) return(rep(default, d))
    if (!is.numeric(v) || !(length(v) %in% c(1L, d)) || anyNA(v))
      arg_error(name, sprintf("must be %s (-Inf or Inf for none), without NA, not %s",
                              if (d == 1) "a number" else sprintf("a number or %d numbers", d), describe(v)))
    rep_len(as.numeric(v), d)
  }
  lower <- fill(lower, "lower", -Inf)
  upper <- fill(upper, "upper", Inf)
  if (any(lower >= upper)) arg_error("lower", sprintf("must be below `upper` (parameter %d)", which(lower >= upper)[1L]))
  if (all(lower == -Inf & upper == Inf)) return(NULL)
  list(lower = lower, upper = upper,
       lo = is.finite(lower) & !is.finite(upper), up = !is.finite(lower) & is.finite(upper),
       both = is.finite(lower) & is.finite(upper))
}

to_natural <- function(y, b) {
  if (is.null(b)) return(y)
  x <- y
  for (j in which(b$lo)) x[, j] <- b$lower[j] + exp(y[, j])
  for (j in which(b$up)) x[, j] <- b$upper[j] - exp(y[, j])
  for (j in which(b$both)) x[, j] <- b$lower[j] + (b$upper[j] - b$lower[j]) * stats::plogis(y[, j])
  x
}

to_unconstrained <- function(x, b, name = "init") {
  if (is.null(b)) return(x)
  x <- as_points(x, length(b$lower), name)
  inside <- sweep(x, 2, b$lower, `>`) & sweep(x, 2, b$upper, `<`)
  if (!all(inside)) arg_error(name, "must lie strictly inside `lower` and `upper`")
  y <- x
  for (j in which(b$lo)) y[, j] <- log(x[, j] - b$lower[j])
  for (j in which(b$up)) y[, j] <- log(b$upper[j] - x[, j])
  for (j in which(b$both)) y[, j] <- stats::qlogis((x[, j] - b$lower[j]) / (b$upper[j] - b$lower[j]))
  y
}

log_jacobian <- function(y, b) {
  if (is.null(b)) return(0)
  out <- numeric(nrow(y))
  for (j in which(b$lo | b$up)) out <- out + y[, j]
  for (j in which(b$both))
    out <- out + log(b$upper[j] - b$lower[j]) + stats::plogis(y[, j], log.p = TRUE) +
      stats::plogis(-y[, j], log.p = TRUE)
  out
}

# A box on the natural scale, cut to the bounds (a hair inside them) and mapped to the
# unconstrained scale.
box_to_unconstrained <- function(box, b) {
  if (is.null(b)) return(box)
  width <- box[, 2] - box[, 1]
  lo <- pmax(box[, 1], b$lower + 1e-6 * pmax(width, 1))
  hi <- pmin(box[, 2], b$upper - 1e-6 * pmax(width, 1))
  if (any(lo >= hi)) arg_error("box", "has no room inside `lower` and `upper`")
  ends <- to_unconstrained(rbind(lo, hi), b, "box")
  cbind(pmin(ends[1, ], ends[2, ]), pmax(ends[1, ], ends[2, ]))
}
