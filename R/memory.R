# Memory you can promise: every allocation that grows with the user's counts is planned from the
# counts before it is made, and a plan over gma_control(max_memory = ) is refused with an error of
# class gma_error_memory that names the counts and the fix, before any density evaluation. The
# plans count the large objects a fit holds at once, R's temporary copies included (how many
# copies of the bank, n x d, and of its per-point vectors are alive at the peak); the log-pdf
# matrix, whose size depends on how sparse it is, checks its own growth against what the plan
# leaves it (log_pdf_matrix.h). bench/memory.R measures peak RSS against the limit.
# All arithmetic is in doubles: counts can pass R's integers.

# The bytes of doubles in an array of the given extents.
dbl_bytes <- function(...) 8 * prod(as.numeric(c(...)))

in_dims <- function(d) sprintf("in %d dimension%s", d, if (d == 1) "" else "s")

format_bytes <- function(b) {
  units <- c("bytes", "KB", "MB", "GB", "TB", "PB")
  k <- max(0, min(length(units) - 1, floor(log(max(b, 1), 1000))))
  sprintf("%.3g %s", b / 1000^k, units[k + 1])
}

# Signals gma_error_memory when `bytes` (what `what` needs, `about` so much or `at least`) pass
# max_memory; `fix` says what to lower, `raise` where the limit is set. The condition carries
# `bytes` and `max_memory`.
check_memory <- function(bytes, max_memory, what, fix, raise = "gma_control(max_memory = )",
                         how = "about") {
  if (bytes > max_memory)
    gma_error("memory", sprintf("%s needs %s %s, more than `max_memory` (%s): %s, or raise %s",
                                what, how, format_bytes(bytes), format_bytes(max_memory), fix, raise),
              fields = list(bytes = bytes, max_memory = max_memory))
  invisible(bytes)
}

# A mixture of n_comp components in d dimensions: means, covariances, Cholesky factors and the
# array they are built from.
mixture_bytes <- function(n_comp, d) dbl_bytes(n_comp, d + 3 * d^2 + 2)

# W-GMA's bank of n_comp x per_comp points in R at its peak: four n x d copies (the bank, the draws
# it is made from, its transpose for the log-pdf matrix and for a compiled density) and twelve
# per-point vectors (component, log p, the log q's, and their copies in C++ and R); with
# keep_weights, the weight trace in C++ and in R.
wgma_bank_bytes <- function(n_comp, per_comp, d, wgma) {
  n <- as.numeric(n_comp) * per_comp
  trace <- if (wgma$keep_weights) 2 * dbl_bytes(wgma$max_iter + 1, n_comp) else 0
  dbl_bytes(n, 4 * d + 12) + trace
}

# The least the log-pdf matrix of n points under n_comp components takes, whatever its density: row
# maxima, bounds and offsets, one entry a row, the whitened points, and the buffers of one tile of
# rows and of each thread: a lower bound of MatrixBudget::fixed in log_pdf_matrix.h (which counts
# the whitened means and a block of tiles too; keep the two in step).
log_pdf_matrix_min_bytes <- function(n_comp, per_comp, d, threads) {
  n <- as.numeric(n_comp) * per_comp
  dbl_bytes(n, 3 + 1.5 + d + 1) + dbl_bytes(n_comp, 256 * 1.5) + threads * dbl_bytes(n_comp, 257)
}

# EM (or LMA) over n_evals evaluations with up to n_comp components: three n x d copies (the rounds'
# banks, the pooled points and their transpose), ten per-point vectors, the E-step's terms and
# distances (two per point and component) and 64 chunks of sufficient statistics (kEmChunksAtOnce
# in em.h; keep the two in step).
em_bytes <- function(n_evals, n_comp, d) {
  dbl_bytes(n_evals, 3 * d + 10 + 2 * n_comp) + 64 * dbl_bytes(n_comp, 3 + d + d^2)
}

# n draws of a mixture in d dimensions (rmixture()): three n x d copies (the standard normals, the
# points, shuffled) and six per-draw vectors (labels, uniforms, positions, mixing variates).
mixture_draws_bytes <- function(n, d) dbl_bytes(n, 3 * d + 6)

# n_draws draws of d coordinates from a bank of n_bank points: three n_draws x d copies (the rows
# picked, mapped back to the natural scale, named), their indices and uniforms, and the PSIS
# weights' six per-point vectors over the bank.
draws_bytes <- function(n_draws, d, n_bank) dbl_bytes(n_draws, 3 * d + 3) + dbl_bytes(n_bank, 6)

# What a memory error about W-GMA's bank suggests, and one about its log-pdf matrix (wgma.R).
wgma_memory_fix <- "use fewer `n_components`, or fewer points each (`n_per_component`, or a smaller `n_evals`)"
matrix_fix <- paste0(wgma_memory_fix, ", or a larger wgma_control(sparse_tol = )")

# The plan of a gma_sample() call, checked before anything is built or evaluated. For W-GMA the
# log-pdf matrix is planned at its least here and checked as it grows; n_draws defaults to every
# evaluated point. Returns the bytes planned for the fit.
check_fit_memory <- function(method, d, n_comp, per_comp, n_draws, control, threads) {
  max_memory <- control$max_memory
  if (method == "wgma") {
    stages <- 1 + control$wgma$refine
    n_bank <- as.numeric(n_comp) * per_comp
    what <- sprintf("W-GMA's bank of %s components x %s points", format_count(n_comp), format_count(per_comp))
    fix <- wgma_memory_fix
    check_memory(mixture_bytes(n_comp, d) * stages, max_memory, sprintf("A mixture of %s components", format_count(n_comp)), fix)
    fit <- mixture_bytes(n_comp, d) * stages + wgma_bank_bytes(n_comp, per_comp, d, control$wgma) * stages +
      log_pdf_matrix_min_bytes(n_comp, per_comp, d, threads)
    check_memory(fit, max_memory, paste(what, "with its log-pdf matrix"), fix)
    result <- dbl_bytes(n_bank, d + 5)
  } else {
    n_bank <- control$n_evals
    # each of up to lma$max_modes modes is split into components_per_mode() components (fewer in
    # more dimensions), and a defensive one joins them
    if (is.null(n_comp)) {
      modes <- seq_len(control$lma$max_modes)
      n_comp <- max(modes * vapply(modes, function(m) components_per_mode(control$em, d, m, control$n_evals),
                                   numeric(1))) + 1
    }
    fit <- em_bytes(n_bank, n_comp, d)
    check_memory(fit, max_memory, sprintf("%s with %s evaluations and up to %s components %s",
                                          toupper(method), format_count(n_bank), format_count(n_comp), in_dims(d)),
                 "lower `n_evals`")
    result <- dbl_bytes(n_bank, d + 4)
  }
  n_draws <- n_draws %||% n_bank
  check_memory(result + draws_bytes(n_draws, d, n_bank), max_memory,
               paste(format_count(n_draws), "draws", in_dims(d)), "lower `n_draws`")
  invisible(fit)
}
