# Space-filling points: the default components of W-GMA and the mode search's screening, either
# inside a box or spread around a point.

# Points start + 1, ..., start + n of the Halton sequence in [0, 1)^d, scrambled: each digit of
# each coordinate goes through a random permutation of the digits of its base, one permutation
# per coordinate and digit position (`scramble`, from halton_scramble()). Plain Halton points
# correlate badly in the higher coordinates (the larger bases cycle slowly: at d = 50 and 2,000
# points some pairs of coordinates correlate at 0.7); permuted digits break those patterns, as
# in the generalised Halton sequences of Faure and Lemieux (2009), while keeping the points
# stratified in each coordinate. The permutations come from R's RNG, so set.seed() repeats them.
halton <- function(n, d, scramble = halton_scramble(d), start = 0L) {
  u <- matrix(0, n, d)
  for (k in seq_len(d)) {
    perm <- scramble[[k]]
    b <- nrow(perm)
    i <- start + seq_len(n)
    f <- 1
    v <- numeric(n)
    for (j in seq_len(ncol(perm))) {
      f <- f / b
      v <- v + f * perm[i %% b + 1L, j]
      i <- i %/% b
    }
    u[, k] <- v
  }
  u
}

# The digit permutations of a scrambled Halton sequence in d dimensions: for coordinate k, a
# b_k x J matrix whose column j permutes the digits 0, ..., b_k - 1 at position j, with J digits
# enough for double precision.
halton_scramble <- function(d) {
  lapply(first_primes(d), function(b) {
    depth <- ceiling(53 * log(2) / log(b))
    vapply(seq_len(depth), function(j) sample.int(b) - 1, numeric(b))
  })
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
# `scramble` and `start` continue a sequence (see halton()).
space_filling <- function(n, d, box = NULL, centre = NULL, cov = NULL, spread = 1,
                          scramble = halton_scramble(d), start = 0L) {
  u <- halton(n, d, scramble, start)
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
  # a variance must be a positive double too
  if (any(scale^2 == 0 | !is.finite(scale^2)))
    arg_error("scale", sprintf("must be between 1e-150 and 1e150 (its square is a variance), not %s", describe(scale)))
  diag(rep_len(scale^2, d), d)
}
