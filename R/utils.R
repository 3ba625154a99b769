# Small helpers shared across the package.

# The package's session state (deprecation and other messages already shown).
the <- new.env(parent = emptyenv())
the$deprecated <- list()
the$shown <- list()

# A message of class `class` shown once a session (per `key`), so that a note a user needs once
# does not repeat in every loop.
message_once <- function(key, class, text) {
  if (isTRUE(the$shown[[key]])) return(invisible())
  the$shown[[key]] <- TRUE
  message(structure(class = c(class, "message", "condition"), list(message = paste0(text, "\n"),
                                                                   call = NULL)))
}

`%||%` <- function(x, y) if (is.null(x)) y else x

log_sum_exp <- function(x) {
  m <- max(x)
  if (!is.finite(m)) return(m)
  m + log(sum(exp(x - m)))
}

# log_sum_exp of each row of a matrix.
row_log_sum_exp <- function(m) {
  mx <- m[cbind(seq_len(nrow(m)), max.col(m, "first"))]
  ok <- is.finite(mx)
  out <- mx
  out[ok] <- mx[ok] + log(rowSums(exp(m[ok, , drop = FALSE] - mx[ok])))
  out
}

# The effective sample size of importance weights given by their logs (any constant; -Inf for
# weight zero): (sum w)^2 / sum w^2.
ess_of_log_weights <- function(log_w) {
  lw <- log_w - log_sum_exp(log_w)
  1 / sum(exp(2 * lw))
}

param_names <- function(d, names = NULL, prefix = "x") {
  if (!is.null(names) && length(names) == d) return(names)
  sprintf("%s[%d]", prefix, seq_len(d))
}

# A symmetric matrix with its eigenvalues floored at `rel` times the largest, so that a covariance
# that is singular to rounding (a mixture collapsed along some direction) still has a Cholesky
# factor.
floor_eigenvalues <- function(s, rel = 1e-10) {
  e <- eigen((s + t(s)) / 2, symmetric = TRUE)
  v <- pmax(e$values, rel * max(e$values, 0), .Machine$double.xmin)
  e$vectors %*% (t(e$vectors) * v)
}

# A count in full with thousands marks (1,000,000,000), whatever its size: counts are doubles.
format_count <- function(n) format(as.numeric(n), big.mark = ",", scientific = FALSE, trim = TRUE)
