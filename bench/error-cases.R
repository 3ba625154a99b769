# Every error names its cause: the bad inputs and stress cases of issue 10, each run in a fresh R
# process against the installed package (and, with BENCH_BEFORE=path, against the library there,
# e.g. one holding gmasampler 0.2.0), with what came out: the error's or warnings' message and
# class, the seconds it took, or how the process died.
#   Rscript bench/error-cases.R                                  (about 2 minutes)
#   BENCH_BEFORE=/work/lib-baseline Rscript bench/error-cases.R  (and the "before" columns)
# Writes bench/results/error-cases.md (BENCH_RESULTS sets the folder; empty: print only).

t_script <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(gmasampler))
bench_dir <- "bench"  # every script runs from the package root (bench/README.md)
source(file.path(bench_dir, "results.R"))
source(file.path(bench_dir, "common.R"))
after_lib <- dirname(find.package("gmasampler"))
before_lib <- Sys.getenv("BENCH_BEFORE")

# Two compiled densities, built once per library: a standard normal (with a data-free body) and
# one that calls Rcpp::stop() at positive x[0]. Both headers (0.2.0's and today's) take them.
density_file <- file.path(tempdir(), "error_cases.cpp")
writeLines('
// [[Rcpp::depends(gmasampler)]]
#include <gmasampler.h>
double normal_lp(const double* x, int d, const gmasampler::Data&) {
  double s = 0;
  for (int i = 0; i < d; ++i) s += x[i] * x[i];
  return -0.5 * s;
}
double stop_lp(const double* x, int d, const gmasampler::Data&) {
  if (x[0] > 0) Rcpp::stop("x[0] must be negative");
  return -0.5 * x[0] * x[0];
}
// [[Rcpp::export]]
SEXP normal_lp_ptr() { return gmasampler::make_log_density(&normal_lp); }
// [[Rcpp::export]]
SEXP stop_lp_ptr() { return gmasampler::make_log_density(&stop_lp); }
', density_file)

# The cases: a label and the call, as text (run with f, a standard normal in R, and the compiled
# pointers in scope). Counts too large for R's integers, as the issue lists them, come after.
cases <- c(
  "budget used up by the mode search" = "gma_sample(f, dim = 1, control = gma_control(n_evals = 100))",
  "-Inf except on a tiny region around init" = "gma_sample(function(x) if (sum((x - 0.3)^2) < 1e-4) 0 else -Inf, init = c(0.3, 0.3))",
  "curvature beyond doubles" = "gma_sample(function(x) -1e300 * sum(x^2), init = c(1, 1))",
  "n_draws past R's integers" = "gma_sample(f, dim = 1, n_draws = 3e9)",
  "n_components past R's integers" = "gma_sample(f, dim = 1, method = 'wgma', n_components = 3e9)",
  "n_evals past R's integers" = "gma_control(n_evals = 3e9)",
  "em bank squared past R's integers" = "gma_sample(f, dim = 1, control = gma_control(n_evals = 5e4, em = em_control(bank = 46341)))",
  "n = 3e9 draws of a mixture" = "rmixture(3e9, gma_mixture(NULL, 0, 1))",
  "absurd n_components = 1e9" = "gma_sample(f, dim = 1, method = 'wgma', n_components = 1e9)",
  "absurd n_draws = 1e12" = "gma_sample(f, dim = 1, n_draws = 1e12)",
  "absurd n_evals = 1e9" = "gma_sample(f, dim = 3, control = gma_control(n_evals = 1e9))",
  "string data" = "gma_sample(normal_lp_ptr(), dim = 1, data = list(s = 'a'))",
  "dim as a string" = "gma_sample(f, dim = '2')",
  "the sourceCpp wrapper instead of its value" = "gma_sample(normal_lp_ptr, dim = 1)",
  "Rcpp::stop() in a compiled density, 2 threads" = "gma_sample(stop_lp_ptr(), dim = 1, threads = 2)",
  "ties: the target is the proposal" = "gma_sample(function(x) dnorm(x, log = TRUE), dim = 1, method = 'wgma', means = 0, covs = 1, importance = TRUE)",
  "ties: log p offset by 1e15" = "gma_sample(function(x) 1e15 - sum(x^2) / 2, dim = 1, control = gma_control(n_evals = 4000))",
  "init as a 2 x 2 matrix" = "gma_sample(f, init = matrix(0, 2, 2))",
  "duplicate data names" = "gma_sample(normal_lp_ptr(), dim = 1, data = list(a = 1, a = 2))",
  "a density that warns at every point" = "gma_sample(function(x) { warning('careful'); -sum(x^2) / 2 }, dim = 1, control = gma_control(n_evals = 2000))"
)

# Runs one case in a fresh Rscript on library `lib`: the outcome as one line, "error (class):
# message", "N warnings (class): first message", "value" or "crashed: ...", and the seconds the
# call took.
run_case <- function(code, lib) {
  script <- tempfile(fileext = ".R")
  writeLines(c(
    fresh_process_preamble(lib, density_file),
    "f <- function(x) -sum(x^2) / 2", "set.seed(1)", "warned <- list()",
    "named <- function(c) c(grep('^gma_(error|warning)_', class(c), value = TRUE), class(c))[1L]",
    "t0 <- proc.time()[['elapsed']]",
    "out <- tryCatch(withCallingHandlers({", code, "; 'value'}, warning = function(w) {",
    "  warned[[length(warned) + 1L]] <<- w; invokeRestart('muffleWarning') }),",
    "  error = function(e) sprintf('error (%s): %s', named(e), conditionMessage(e)))",
    "secs <- proc.time()[['elapsed']] - t0",
    "if (out == 'value' && length(warned)) out <- sprintf('%d warning%s (%s): %s', length(warned),",
    "  if (length(warned) > 1) 's' else '', named(warned[[1L]]), conditionMessage(warned[[1L]]))",
    "cat('RESULT:', gsub('\\n', ' ', out), '\\n')", "cat('SECONDS:', secs, '\\n')"), script)
  out <- suppressWarnings(system2("timeout", c("300", "Rscript", script), stdout = TRUE, stderr = TRUE))
  result <- sub("^RESULT: ", "", grep("^RESULT:", out, value = TRUE)[1L])
  if (is.na(result)) result <- paste("crashed:", paste(utils::tail(out, 2L), collapse = " "))
  seconds <- as.numeric(sub("^SECONDS: ", "", grep("^SECONDS:", out, value = TRUE)[1L]))
  list(result = trimws(substr(result, 1L, 400L)), seconds = seconds)
}

libs <- c(after = after_lib, if (nzchar(before_lib)) c(before = before_lib))
for (lib in libs) run_case("'compiled'", lib)  # compile once per library, outside the timings
res <- lapply(libs, function(lib) lapply(cases, run_case, lib = lib))
cell <- function(r) gsub("\\|", "/", r$result)
class_of <- function(r) {
  m <- regmatches(r$result, regexpr("^(error|[0-9]+ warnings?) \\(([^)]*)\\)", r$result))
  if (length(m)) sub(".*\\((.*)\\)", "\\1", m) else if (startsWith(r$result, "crashed")) "crash" else ""
}
tab <- data.frame(case = names(cases), call = sprintf("`%s`", cases), row.names = NULL)
if (!is.null(res$before)) tab$before <- vapply(res$before, cell, "")
tab$after <- vapply(res$after, cell, "")
tab$class <- vapply(res$after, class_of, "")
tab$seconds <- vapply(res$after, function(r) r$seconds, 0)
notes <- c(
  sprintf("Each call in a fresh `Rscript` with `f <- function(x) -sum(x^2) / 2` and `set.seed(1)`; after: %s%s.",
          after_lib, if (nzchar(before_lib)) sprintf("; before: %s (gmasampler %s)", before_lib,
            utils::packageDescription("gmasampler", lib.loc = before_lib)$Version) else ""),
  "Warnings are counted and the first is shown; `seconds` is the call's own time after the change.",
  sprintf("Run time %.0f s.", proc.time()[["elapsed"]] - t_script))
write_results("error-cases", "Every error names its cause (`bench/error-cases.R`)", list(Cases = tab), notes)
