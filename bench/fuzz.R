# The fuzz test's generator (tests/testthat/helper-fuzz.R) run for longer: FUZZ_CALLS random calls
# (default 20,000) of gma_sample(), gma_mixture(), gma_evaluate() and gma_control() from valid and
# wrong values of every argument, in blocks of 500 calls with seeds 1, 2, ... Each call must give a
# valid object or a classed gmasampler error, and only classed warnings.
#   FUZZ_CALLS=20000 Rscript bench/fuzz.R      (about 2 minutes)
# Writes bench/results/fuzz.md (BENCH_RESULTS sets the folder; empty: print only).

t_script <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(gmasampler))
bench_dir <- "bench"  # every script runs from the package root (bench/README.md)
source(file.path(bench_dir, "results.R"))
source(file.path(bench_dir, "..", "tests", "testthat", "helper-fuzz.R"))

n_calls <- as.numeric(Sys.getenv("FUZZ_CALLS", "20000"))
block <- 500
runs <- do.call(rbind, lapply(seq_len(ceiling(n_calls / block)), function(s) {
  r <- fuzz_run(min(block, n_calls - (s - 1) * block), seed = s)
  r$seed <- s
  r
}))
runs$result <- ifelse(runs$outcome %in% c("ok", "classed"), runs$outcome, "failed")
counts <- as.data.frame.matrix(table(runs$fn, factor(runs$result, c("ok", "classed", "failed"))))
summary_tab <- data.frame(`function` = rownames(counts), calls = rowSums(counts), valid_object = counts$ok,
                          classed_error = counts$classed, failed = counts$failed, check.names = FALSE,
                          row.names = NULL)
bad <- runs[runs$result == "failed", ]
tables <- list(Outcomes = summary_tab)
if (nrow(bad)) {
  bad$key <- sub(":.*", "", bad$outcome)
  first <- bad[!duplicated(paste(bad$fn, bad$outcome)), ]
  tables$`Failures (the first call of each kind)` <- data.frame(
    seed = first$seed, call = gsub("\\|", "/", substr(first$call, 1, 200)),
    outcome = gsub("\\|", "/", substr(first$outcome, 1, 200)))
}
write_results("fuzz", "Fuzz sweep (`bench/fuzz.R`)", tables, c(
  sprintf("%s random calls in blocks of %d (seeds 1 to %d), %d failed; %.0f s.", format(n_calls, big.mark = ","),
          block, ceiling(n_calls / block), nrow(bad), proc.time()[["elapsed"]] - t_script),
  "A call passes when it returns a valid object (a gma_fit, gma_mixture, gma_control, or the log densities) or signals an error inheriting `gma_error`, and gives only warnings inheriting `gma_warning`."))
