# Space-filling points: the default components of W-GMA and the mode search's screening, either
# inside a box or spread around a point.

# Points of the Halton sequence in [0, 1)^d, shifted by a uniform draw modulo 1 (Cranley-Patterson
# rotation) so that the design is random but still space-filling and follows set.seed().
halton <- function(n, d) {
  primes <- first_primes(d)
  u <- matrix(0, n, d)
  for (k in seq_len(d)) {
    b <- primes[k]
    i <- seq_len(n)
    f <- 1
    v <- numeric(n)
    while (any(i > 0)) {
      f <- f / b
      v <- v + f * (i %% b)
      i <- i %/% b
    }
    u[, k] <- v
  }
  (u + matrix(stats::runif(d), n, d, byrow = TRUE)) %% 1
}

first_primes <- function(k) {
  p <- integer(0)
  x <- 2L
  while (length(p) < k) {
    if (all(x %% p != 0L)) p <- c(p, x)
    x <- x + 1L
  }
  p
}

# n space-filling points (n x d): uniform in the box, or, without one, a space-filling sample of
# N(centre, spread^2 cov) (the Halton points mapped through the normal quantile function).
space_filling <- function(n, d, box = NULL, centre = NULL, cov = NULL, spread = 1) {
  u <- halton(n, d)
  if (!is.null(box)) return(sweep(sweep(u, 2, box[, 2] - box[, 1], `*`), 2, box[, 1], `+`))
  u <- pmin(pmax(u, 1e-9), 1 - 1e-9)
  sweep(spread * stats::qnorm(u) %*% chol(cov), 2, centre, `+`)
}

# Means fill the box; each component's standard deviation is half the box's side over N^(1/d),
# so that neighbouring components overlap.
design_in_box <- function(n_comp, box) {
  sd <- 0.5 * (box[, 2] - box[, 1]) / n_comp^(1 / nrow(box))
  list(means = space_filling(n_comp, nrow(box), box = box), covs = diag(sd^2, nrow(box)))
}

# Means spread as a space-filling sample of N(init, S), S the scale's covariance; each component's
# covariance is h^2 S with Silverman's bandwidth h, so that the initial mixture is a kernel density
# estimate of N(init, S).
design_around <- function(n_comp, init, scale) {
  d <- length(init)
  h <- (4 / (d + 2))^(1 / (d + 4)) * n_comp^(-1 / (d + 4))
  list(means = space_filling(n_comp, d, centre = init, cov = scale), covs = h^2 * scale)
}

as_box <- function(box, d) {
  if (is.null(dim(box)) && is.numeric(box) && length(box) == 2L)
    box <- matrix(box, d, 2L, byrow = TRUE)
  if (!is.numeric(box) || !is.matrix(box) || ncol(box) != 2L || nrow(box) != d)
    arg_error("box", sprintf("must be c(lower, upper) or a %d x 2 matrix of lower and upper limits", d))
  if (anyNA(box) || any(!is.finite(box)) || any(box[, 2] <= box[, 1]))
    arg_error("box", "must have finite limits with lower < upper")
  box
}

as_scale <- function(scale, d) {
  if (is.matrix(scale)) {
    if (!is.numeric(scale) || any(dim(scale) != d))
      arg_error("scale", sprintf("as a matrix must be a %d x %d covariance matrix", d, d))
    lower_chol(scale, "scale")
    return(scale)
  }
  if (!is.numeric(scale) || !(length(scale) %in% c(1L, d)) || anyNA(scale) || any(!is.finite(scale)) ||
      any(scale <= 0))
    arg_error("scale", sprintf("must be a positive number, %d standard deviations or a %d x %d covariance matrix", d, d, d))
  diag(rep_len(scale^2, d), d)
}
