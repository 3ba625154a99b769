# Importance weights over evaluated points: Pareto-smoothed (PSIS), with the Pareto k diagnostic,
# the effective sample size and the log evidence.

# Generalised Pareto fit to exceedances x > 0 by the empirical Bayes method of Zhang and Stephens
# (2009), with the weakly informative prior on the shape of Vehtari et al. (PSIS), which shrinks
# k toward 0.5 by 10 pseudo-observations.
gpd_fit <- function(x) {
  x <- sort(x)
  n <- length(x)
  m <- 30L + floor(sqrt(n))
  x_star <- x[max(1L, floor(n / 4 + 0.5))]
  theta <- 1 / x[n] + (1 - sqrt(m / (seq_len(m) - 0.5))) / 3 / x_star
  k_theta <- vapply(theta, function(t) mean(log1p(-t * x)), numeric(1))
  log_lik <- n * (log(-theta / k_theta) - k_theta - 1)
  w_theta <- exp(log_lik - max(log_lik))
  theta_hat <- sum(theta * w_theta) / sum(w_theta)
  k <- mean(log1p(-theta_hat * x))
  sigma <- -k / theta_hat
  list(k = (k * n + 0.5 * 10) / (n + 10), sigma = sigma)
}

qgpd <- function(p, k, sigma) {
  if (abs(k) < 1e-12) return(-sigma * log1p(-p))
  sigma * expm1(-k * log1p(-p)) / k
}

#' Pareto-smoothed importance weights
#'
#' `gma_psis()` smooths the largest importance ratios by a generalised Pareto fit to their tail (PSIS), as in
#' Vehtari, Simpson, Gelman, Yao and Gabry (2024), and reports the shape estimate `k`: below 0.5
#' the weights are reliable, between 0.5 and 0.7 usable with care, above 0.7 the estimates that
#' use them can be far off.
#'
#' @param log_ratios log importance ratios `log p(x) - log q(x)` (up to a constant), `-Inf`
#'   allowed.
#' @return A list with `log_weights` (smoothed, normalised to sum to one on the natural scale),
#'   `pareto_k`, `ess` (the effective sample size of the smoothed weights), `tail_length`,
#'   `tail_ratio`, the largest raw ratio over the smallest in the tail (the tail's threshold), and
#'   `ties`, `TRUE` when the tail's ratios tie with its threshold, so that no Pareto fit (and no
#'   `pareto_k`) is possible.
#'
#'   A small `tail_ratio` means the tail is bounded in practice. Ratios with a Pareto tail of
#'   shape `k` put the largest of the `M = tail_length` ratios below `c` times the threshold with
#'   probability `(1 - c^(-1/k))^M`; for `k = 0.7` that is 1e-6 at `c = (M / 13.8)^0.7` (8.6 for
#'   10,000 ratios). `k` can still come out above 0.7 from a bounded tail whose values bunch (a
#'   smooth ratio with two local maxima of nearly equal height, or a round of a few poorer
#'   proposals): [gma_sample()] warns only when the tail ratio is above that bound too.
#'
#'   `psis()`, its name before 0.3.0, is deprecated (it clashed with `loo::psis()`): it still
#'   works, with a message once a session, until 0.4.0.
#' @examples
#' set.seed(1)
#' x <- rnorm(4000)                            # draws from N(0, 1)
#' lr <- dt(x, df = 3, log = TRUE) - dnorm(x, log = TRUE)   # target t_3: heavy tails
#' gma_psis(lr)$pareto_k
#' @export
gma_psis <- function(log_ratios) {
  if (!is.numeric(log_ratios) || anyNA(log_ratios) || any(log_ratios == Inf))
    arg_error("log_ratios", "must be numeric, without NA, NaN or +Inf")
  lw <- log_ratios
  finite <- is.finite(lw)
  if (!any(finite)) arg_error("log_ratios", "are all -Inf")
  s <- sum(finite)
  tail_len <- as.integer(ceiling(min(0.2 * s, 3 * sqrt(s))))
  k <- NA_real_
  tail_ratio <- NA_real_
  ties <- FALSE
  lw <- lw - max(lw)
  if (tail_len >= 5L && s > tail_len + 1L) {
    ord <- order(lw, decreasing = TRUE)
    tail_idx <- ord[seq_len(tail_len)]
    cutoff <- lw[ord[tail_len + 1L]]
    tail_ratio <- exp(-cutoff)
    # the exceedances in units of the threshold (k does not depend on the unit): in units of the
    # largest ratio, a tail spanning more than exp() can hold (weights on a handful of points)
    # would underflow to zeros and pass for a tie
    exceed <- expm1(lw[tail_idx] - cutoff)
    if (any(exceed == Inf)) {
      k <- Inf  # ratios beyond the range of doubles: the weights sit on a few points
    } else if (all(exceed > 0) && length(unique(exceed)) > 1L) {
      fit <- gpd_fit(exceed)
      k <- fit$k
      if (is.finite(k)) {
        # tail_idx is in decreasing order; the smoothed values go in increasing quantiles
        smoothed <- cutoff + log1p(qgpd((rev(seq_len(tail_len)) - 0.5) / tail_len, k, fit$sigma))
        lw[tail_idx] <- pmin(smoothed, 0)  # never above the largest raw ratio
      }
    } else {
      ties <- TRUE
    }
  }
  lw <- lw - log_sum_exp(lw)
  list(log_weights = lw, pareto_k = k, ess = ess_of_log_weights(lw), tail_length = tail_len,
       tail_ratio = tail_ratio, ties = ties)
}

#' @rdname gma_psis
#' @export
psis <- function(log_ratios) {
  deprecation_message("psis", "gma_psis(), which returns the same list", what = "gmasampler::psis()")
  gma_psis(log_ratios)
}

# The log evidence log Z from points drawn from q (log q known up to nothing: normalised) with
# log p known up to the same constant Z: log of the mean ratio, with its delta-method standard
# error. Uses the raw ratios, which are unbiased for Z.
log_evidence <- function(log_ratios) {
  n <- length(log_ratios)
  lz <- log_sum_exp(log_ratios) - log(n)
  r <- exp(log_ratios - lz)  # ratios over their mean
  c(log_z = lz, se = stats::sd(r) / sqrt(n))
}

# The importance diagnostics of a fit's bank: PSIS weights, Pareto k and the log evidence, and
# whether the weights have a heavy tail.
importance_summary <- function(log_ratios) {
  p <- gma_psis(log_ratios)
  list(psis = p, pareto_k = p$pareto_k, log_z = log_evidence(log_ratios),
       heavy_tail = heavy_tail(p$pareto_k, p$tail_ratio, p$tail_length))
}

# Whether importance weights have a heavy tail: k above 0.7, and a tail that is not bounded in
# practice (tail_bounded()).
heavy_tail <- function(k, tail_ratio, tail_length) {
  isTRUE(k > 0.7) && !tail_bounded(tail_ratio, tail_length)
}

# Whether a tail's largest ratio is so close to its threshold that a Pareto tail of shape 0.7 would
# come this close with probability below 1e-6 (see gma_psis()).
tail_bounded <- function(tail_ratio, tail_length) {
  isTRUE(tail_ratio < (tail_length / 13.8)^0.7)
}

# Warns (class gma_warning_ties) when the importance ratios of a fit's bank tie, so that Pareto k
# is missing: says why, from the bank (points and log p).
ties_warning <- function(bank) {
  distinct <- nrow(unique(bank$points))
  big <- max(abs(bank$log_p[is.finite(bank$log_p)]), 0)
  why <- if (distinct < 0.5 * nrow(bank$points)) {
    sprintf(paste("the %s evaluated points hold only %s distinct ones: the fit has collapsed onto a",
                  "point, as when the target's support is far narrower than `scale`"),
            format_count(nrow(bank$points)), format_count(distinct))
  } else if (big >= precision_limit) {
    sprintf("log p reaches %.3g, where its differences are lost to rounding: subtract a constant from it", big)
  } else {
    "the target is proportional to the proposal where it was evaluated, and the weights are equal"
  }
  gma_warning("ties", "the largest importance ratios tie, so their Pareto k cannot be estimated (it is NA): ", why)
}
