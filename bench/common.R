# Pieces that several bench scripts share: the seeds of a run and the Metropolis baseline.
#   source(file.path("bench", "common.R"))

# Seeds from an environment variable's text: "1:20", "3" or "1,5,9" (ranges allowed in the list).
parse_seeds <- function(s) {
  unlist(lapply(strsplit(s, ",")[[1]], function(p) {
    r <- as.integer(strsplit(p, ":")[[1]])
    if (length(r) == 2L) r[1]:r[2] else r
  }))
}

# mcmc::metrop as a careful user runs it, within `budget` evaluations of the log density `f`, whose
# evaluations so far `count()` returns: optim (BFGS) and optimHess from `init` give a Laplace-shaped
# proposal (or, when optim runs off, as down the funnel of a centred hierarchical model, a diagonal
# one at init); three adaptation stages (10%, 10%, 20% of what is left) each take the stage's sample
# covariance (when the stage moved) and nudge the scale toward an acceptance of 0.15 to 0.4; the
# rest is the chain that is scored, thinned to at most `max_draws` draws. Every evaluation counts.
adapted_metrop <- function(f, count, init, budget, max_draws = Inf) {
  d <- length(init)
  o <- stats::optim(init, f, method = "BFGS", control = list(fnscale = -1, maxit = 500))
  H <- stats::optimHess(o$par, f, control = list(fnscale = -1))
  S <- tryCatch(solve(-H), error = function(e) NULL)
  ok <- !is.null(S) && all(is.finite(S)) &&
    !inherits(try(chol((S + t(S)) / 2), silent = TRUE), "try-error")
  if (ok) {
    S <- (S + t(S)) / 2
    state <- o$par
  } else {
    S <- diag((0.1 * pmax(abs(init), 1))^2, d)
    state <- init
  }
  n_optim <- count()
  left <- budget - n_optim
  if (left < 1000) stop(sprintf("optim used %d of %d evaluations", n_optim, budget))
  c_scale <- 2.38 / sqrt(d)
  for (frac in c(0.1, 0.1, 0.2)) {
    run <- mcmc::metrop(f, state, nbatch = round(frac * left) - 1L, scale = c_scale * t(chol(S)))
    state <- run$final
    if (run$accept < 0.15) c_scale <- c_scale * 0.5
    if (run$accept > 0.4) c_scale <- c_scale * 1.5
    if (run$accept > 0.05) {
      S_new <- stats::cov(run$batch)
      S_new <- (S_new + t(S_new)) / 2 + diag(1e-12 * pmax(diag(S_new), 1e-300), d)
      if (!inherits(try(chol(S_new), silent = TRUE), "try-error")) S <- S_new
    }
  }
  n_final <- budget - count() - 1L
  nspac <- max(1L, as.integer(ceiling(n_final / max_draws)))
  run <- mcmc::metrop(f, state, nbatch = floor(n_final / nspac), nspac = nspac, scale = c_scale * t(chol(S)))
  list(draws = run$batch,
       note = sprintf("%s, %d optim evals, 3 adaptation stages, acceptance %.2f%s",
                      if (ok) "Laplace-shaped proposal" else "no Laplace fit: from init, diagonal proposal",
                      n_optim, run$accept, if (nspac > 1L) sprintf(", thinned by %d", nspac) else ""))
}

# The first lines of a script run in a fresh R process (a case that may crash, or whose peak memory
# is measured) on the library `lib`, with the compiled densities of `density_file` (built once per
# library, cached in the session's temporary folder).
fresh_process_preamble <- function(lib, density_file) {
  cache <- file.path(tempdir(), paste0("cache-", basename(lib)))
  c(sprintf(".libPaths(c(%s, .libPaths()))", deparse(lib)),
    "suppressPackageStartupMessages(library(gmasampler))",
    sprintf("invisible(Rcpp::sourceCpp(%s, cacheDir = %s))", deparse(density_file), deparse(cache)))
}
