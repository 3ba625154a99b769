# Peak memory against gma_control(max_memory = ). Each case runs in a fresh R process under
# /usr/bin/time -v, which reports the process's peak resident set size (RSS). The promise measured:
# a fit's peak RSS stays within 1.2 times max_memory plus a fixed base (R, the package and a
# compiled density, measured by the `base` case), and counts past the limit fail fast, before any
# density evaluation, with an error of class gma_error_memory.
#
# The counts of the cases that run are the largest the package's plan accepts at 90% of the limit
# (W-GMA: the components whose estimated log-pdf matrix and bank fit; EM: the evaluations; draws:
# n_draws), found from the installed package's plan before any process starts. With a second
# library (BENCH_BEFORE=path, e.g. one holding gmasampler 0.2.0) every case runs there too, for
# the figures before the change.
#   Rscript bench/memory.R            (about 5 minutes on 2 cores; needs /usr/bin/time)
# Writes bench/results/memory.md (BENCH_RESULTS sets the folder; empty: print only).

t_script <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(gmasampler))
bench_dir <- "bench"  # every script runs from the package root (bench/README.md)
source(file.path(bench_dir, "results.R"))
source(file.path(bench_dir, "common.R"))
if (!file.exists("/usr/bin/time")) stop("needs GNU time at /usr/bin/time (apt-get install time)")

limits <- c(5e8, 1e9)
threads <- 2L
after_lib <- dirname(find.package("gmasampler"))
before_lib <- Sys.getenv("BENCH_BEFORE")

# The compiled standard normal every case evaluates (no R temporaries of its own), built once per
# library in a cache that the cases share.
density_code <- '
// [[Rcpp::depends(gmasampler)]]
#include <gmasampler.h>
double normal_lp(const double* x, int d, const gmasampler::Data&) {
  double s = 0;
  for (int i = 0; i < d; ++i) s += x[i] * x[i];
  return -0.5 * s;
}
// [[Rcpp::export]]
SEXP normal_lp_ptr() { return gmasampler::make_log_density(&normal_lp); }
'
density_file <- file.path(tempdir(), "memory_normal.cpp")
writeLines(density_code, density_file)

# Runs `code` (with `lp` the compiled density) in a fresh R process on library `lib` under
# /usr/bin/time -v (stopped after 10 minutes): the peak RSS in MB, the elapsed seconds and what the code printed last (the
# fit's size or the error's class and message).
run_case <- function(code, lib) {
  script <- tempfile(fileext = ".R")
  writeLines(c(
    fresh_process_preamble(lib, density_file),
    "lp <- normal_lp_ptr()", "set.seed(1)",
    "out <- tryCatch({", code, "}, error = function(e) paste0('error (', class(e)[1], '): ', conditionMessage(e)))",
    "cat('RESULT:', substr(out, 1, 160), '\\n')"), script)
  out <- suppressWarnings(system2("/usr/bin/time", c("-v", "timeout", "600", "Rscript", script),
                                  stdout = TRUE, stderr = TRUE))
  field <- function(pattern) sub(".*: ", "", grep(pattern, out, value = TRUE)[1L])
  rss_kb <- as.numeric(field("Maximum resident set size"))
  wall <- field("Elapsed \\(wall clock\\)")
  parts <- as.numeric(strsplit(wall, ":")[[1]])
  seconds <- sum(parts * 60^(rev(seq_along(parts)) - 1))
  result <- sub("^RESULT: ", "", grep("^RESULT:", out, value = TRUE)[1L])
  if (is.na(result)) result <- paste("crashed:", utils::tail(out[!grepl("^\t", out)], 1L))
  list(peak_mb = rss_kb / 1024, seconds = seconds, result = trimws(result))
}

# ---- the counts the plan accepts ------------------------------------------------------------------
ns <- asNamespace("gmasampler")
# the largest whole x in [lo, hi] with ok(x) (ok is monotone: TRUE below, FALSE above)
largest <- function(ok, lo, hi) {
  while (hi - lo > max(1, lo * 0.01)) {
    mid <- floor((lo + hi) / 2)
    if (ok(mid)) lo <- mid else hi <- mid
  }
  lo
}
ctl <- function(limit, ...) gma_control(max_memory = limit, ...)

# W-GMA in 2-D with the default design and 100 points a component: what gma_sample() plans and the
# log-pdf matrix estimated at the components' means (as wgma_stage() does before the bank).
wgma_plan <- function(n_comp, limit) {
  control <- ctl(limit)
  fits <- tryCatch({
    ns$check_fit_memory("wgma", 2, n_comp, 100, NULL, control, threads)
    TRUE
  }, gma_error_memory = function(e) FALSE)
  if (!fits) return(Inf)
  mix <- ns$initial_mixture(2, NULL, 1, NULL, NULL, NULL, n_comp)
  ns$mixture_bytes(n_comp, 2) + ns$wgma_bank_bytes(n_comp, 100, 2, control$wgma) +
    ns$log_pdf_matrix_min_bytes(n_comp, 100, 2, threads) +
    12 * n_comp * 100 * ns$gma_log_pdf_matrix_row_estimate(mix, control$wgma$sparse_tol)
}
em_fits <- function(n_evals, limit, d) {
  tryCatch({
    ns$check_fit_memory("em", d, NULL, NULL, NULL, ctl(limit, n_evals = n_evals), threads)
    TRUE
  }, gma_error_memory = function(e) FALSE)
}
draws_fit <- function(n_draws, limit, d) {
  tryCatch({
    ns$check_fit_memory("wgma", d, 20, 100, n_draws, ctl(limit), threads)
    TRUE
  }, gma_error_memory = function(e) FALSE)
}

cases <- list()
add <- function(limit, case, counts, code) {
  cases[[length(cases) + 1L]] <<- list(limit = limit, case = case, counts = counts, code = code)
}
add(NA, "base", "W-GMA, 10 components", "fit <- gma_sample(lp, dim = 2, method = 'wgma', n_components = 10, threads = 2); paste('fit of', nrow(fit$draws), 'draws')")
for (limit in limits) {
  lim <- format(limit)
  set.seed(1)
  n_comp <- largest(function(k) wgma_plan(k, limit) <= 0.9 * limit, 10, 20000)
  add(limit, "W-GMA at the limit", sprintf("%d components x 100 points, d = 2", n_comp), sprintf(
    "fit <- gma_sample(lp, dim = 2, method = 'wgma', n_components = %d, threads = 2, control = gma_control(max_memory = %s)); paste('fit; log-pdf matrix', round(fit$log_pdf_matrix$bytes / 1e6), 'MB')",
    n_comp, lim))
  add(limit, "W-GMA just past the limit", sprintf("%d components x 100 points, d = 2", round(1.4 * n_comp)), sprintf(
    "fit <- gma_sample(lp, dim = 2, method = 'wgma', n_components = %d, threads = 2, control = gma_control(max_memory = %s)); paste('fit; log-pdf matrix', round(fit$log_pdf_matrix$bytes / 1e6), 'MB')",
    round(1.4 * n_comp), lim))
  add(limit, "W-GMA past the limit", sprintf("%d components x 100 points, d = 2", 4 * n_comp), sprintf(
    "fit <- gma_sample(lp, dim = 2, method = 'wgma', n_components = %d, threads = 2, control = gma_control(max_memory = %s)); 'fit'",
    4 * n_comp, lim))
  n_evals <- largest(function(n) em_fits(n, limit, 10), 1e4, 1e8)
  add(limit, "EM at the limit", sprintf("n_evals = %d, bank = n_evals / 20, d = 10", n_evals), sprintf(
    "fit <- suppressMessages(gma_sample(lp, dim = 10, threads = 2, control = gma_control(max_memory = %s, n_evals = %d, em = em_control(bank = %d)))); paste('fit of', fit$n_evals, 'evaluations')",
    lim, n_evals, n_evals %/% 20))
  n_draws <- largest(function(n) draws_fit(n, limit, 5), 1e4, 2e9)
  add(limit, "n_draws at the limit", sprintf("n_draws = %d, d = 5 (W-GMA, 20 components)", n_draws), sprintf(
    "fit <- gma_sample(lp, dim = 5, method = 'wgma', n_components = 20, n_draws = %d, threads = 2, control = gma_control(max_memory = %s)); paste('fit of', nrow(fit$draws), 'draws')",
    n_draws, lim))
  add(limit, "n_draws past the limit", sprintf("n_draws = %d, d = 5", 4 * n_draws), sprintf(
    "fit <- gma_sample(lp, dim = 5, method = 'wgma', n_components = 20, n_draws = %d, threads = 2, control = gma_control(max_memory = %s)); 'fit'",
    4 * n_draws, lim))
}
# counts far past the default limit (4 GiB)
add(4 * 2^30, "absurd components", "n_components = 1e6, d = 1", "gma_sample(lp, dim = 1, method = 'wgma', n_components = 1e6); 'fit'")
add(4 * 2^30, "absurd components", "n_components = 1e5, d = 1", "gma_sample(lp, dim = 1, method = 'wgma', n_components = 1e5); 'fit'")
add(4 * 2^30, "absurd components", "n_components = 1e4, d = 1", "gma_sample(lp, dim = 1, method = 'wgma', n_components = 1e4); 'fit'")
add(4 * 2^30, "absurd components", "n_components = 1e9, d = 1", "gma_sample(lp, dim = 1, method = 'wgma', n_components = 1e9); 'fit'")
add(4 * 2^30, "absurd draws", "n_draws = 1e8, d = 1", "gma_sample(lp, dim = 1, n_draws = 1e8); 'fit'")
add(4 * 2^30, "absurd draws", "n_draws = 1e12, d = 1", "gma_sample(lp, dim = 1, n_draws = 1e12); 'fit'")
add(4 * 2^30, "absurd evaluations", "n_evals = 1e9, d = 3", "gma_sample(lp, dim = 3, control = gma_control(n_evals = 1e9)); 'fit'")

# ---- runs -----------------------------------------------------------------------------------------
libs <- c(after = after_lib, if (nzchar(before_lib)) c(before = before_lib))
rows <- list()
for (which in names(libs)) {
  run_case("'compiled'", libs[[which]])  # builds the density into the cache: no compiler in the peaks
  for (k in seq_along(cases)) {
    cs <- cases[[k]]
    r <- run_case(cs$code, libs[[which]])
    cat(sprintf("[%s] %-30s %-45s %8.0f MB %6.1f s  %s\n", which, cs$case, cs$counts, r$peak_mb, r$seconds, r$result))
    rows[[length(rows) + 1L]] <- data.frame(version = which, max_memory_MB = cs$limit / 1e6, case = cs$case,
                                            counts = cs$counts, peak_RSS_MB = r$peak_mb,
                                            seconds = r$seconds, result = r$result)
  }
}
tab <- do.call(rbind, rows)
base <- tab$peak_RSS_MB[tab$version == "after" & tab$case == "base"]
tab$over_base_per_limit <- ifelse(is.na(tab$max_memory_MB), NA,
                                  (tab$peak_RSS_MB - base) / tab$max_memory_MB)
tab$within_promise <- ifelse(is.na(tab$max_memory_MB), NA,
                             tab$peak_RSS_MB <= 1.2 * tab$max_memory_MB + base)
tab$result <- gsub("\\|", "/", tab$result)
after <- tab[tab$version == "after", setdiff(names(tab), "version")]
notes <- c(
  sprintf("Peak RSS from `/usr/bin/time -v`, each case a fresh `Rscript` (threads = %d) on %s.", threads, after_lib),
  sprintf("The base (R, the package, the compiled density and a small fit) is %.0f MB; the promise is peak RSS <= 1.2 x max_memory + base; `over_base_per_limit` is (peak - base) / max_memory.", base),
  "Counts at the limit are the largest the plan accepts at 90% of max_memory (W-GMA: with the log-pdf matrix estimated at the components' means); just past the limit, 1.4 times as many components (their matrix is refused as it is built, or fits); past the limit, 4 times as many.",
  sprintf("Run time %.0f s; load average at the end %s.", proc.time()[["elapsed"]] - t_script,
          paste(strsplit(readLines("/proc/loadavg", n = 1L), " ")[[1]][1:3], collapse = " ")))
tables <- list(`After` = after)
if (nzchar(before_lib))
  tables$`Before (the same calls on BENCH_BEFORE)` <- tab[tab$version == "before", c("max_memory_MB", "case", "counts", "peak_RSS_MB", "seconds", "result")]
write_results("memory", "Peak memory against max_memory", tables, notes)
