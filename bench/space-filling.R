# The space-filling design of the mode search's screening and W-GMA's default components: the
# scrambled Halton sequence of R/space-filling.R (random digit permutations, as in the generalised
# Halton sequences of Faure and Lemieux) against an Owen-scrambled Sobol sequence from spacefillr,
# plain Halton and independent uniforms, in d = 50 dimensions. Run from the package root:
#   Rscript bench/space-filling.R      (about a minute; needs spacefillr)
# Writes bench/results/space-filling.md (BENCH_RESULTS sets the folder; empty: print only).
#
# Scores over 20 seeds, for n = 2,000 points (the screening's size at d >= 20) and n = 2,048 (a
# power of two, where Sobol points are at their best):
# * the largest and the root-mean-square absolute correlation over the 1,225 pairs of coordinates
#   (independent uniforms: sd 1 / sqrt(n) = 0.022 each);
# * the chi-square statistic of each pair's points on a 10 x 10 grid of cells (independent
#   uniforms: 99 +- 14), its mean and its largest over the pairs: a large value is a pair whose
#   points lie on stripes or leave cells empty;
# * the root-mean-square error, over the seeds, of two integrals with known value 1: the mean of
#   z^2 for z = qnorm(u) (the normal design of design_around()), and prod_j (1 + (u_j - 1/2) / j).
suppressPackageStartupMessages(library(gmasampler))
if (!requireNamespace("spacefillr", quietly = TRUE)) stop("needs spacefillr: install.packages(\"spacefillr\")")
bench_dir <- "bench"  # every script runs from the package root (bench/README.md)
source(file.path(bench_dir, "results.R"))
t0 <- proc.time()[["elapsed"]]

d <- 50L
seeds <- 1:20
designs <- list(
  `scrambled Halton (gmasampler)` = function(n, seed) { set.seed(seed); gmasampler:::halton(n, d) },
  `Owen-scrambled Sobol (spacefillr)` = function(n, seed) spacefillr::generate_sobol_owen_set(n, d, seed = seed),
  `plain Halton` = function(n, seed) {
    gmasampler:::halton(n, d, lapply(gmasampler:::first_primes(d), function(b) matrix(0:(b - 1), b, 60)))
  },
  `independent uniforms` = function(n, seed) { set.seed(seed); matrix(runif(n * d), n) }
)

scores <- function(u) {
  r <- abs(cor(u)[upper.tri(diag(d))])
  cells <- floor(u * 10)
  e <- nrow(u) / 100
  chi <- utils::combn(d, 2L, function(p) sum((tabulate(cells[, p[1]] + 10 * cells[, p[2]] + 1, 100) - e)^2 / e))
  c(max_cor = max(r), rms_cor = sqrt(mean(r^2)), mean_chi2 = mean(chi), max_chi2 = max(chi),
    normal_z2 = mean(qnorm(pmin(pmax(u, 1e-12), 1 - 1e-12))^2),
    product = mean(apply(u, 1, function(x) prod(1 + (x - 0.5) / seq_len(d)))))
}

rows <- list()
for (n in c(2000L, 2048L)) for (nm in names(designs)) {
  s <- t(vapply(seeds, function(seed) scores(designs[[nm]](n, seed)), numeric(6)))
  rows[[length(rows) + 1L]] <- data.frame(
    points = n, design = nm, `largest cor` = max(s[, "max_cor"]), `rms cor` = mean(s[, "rms_cor"]),
    `mean chi2` = mean(s[, "mean_chi2"]), `largest chi2` = max(s[, "max_chi2"]),
    `rmse E z^2` = sqrt(mean((s[, "normal_z2"] - 1)^2)), `rmse product` = sqrt(mean((s[, "product"] - 1)^2)),
    check.names = FALSE)
}
tab <- do.call(rbind, rows)
write_results("space-filling", "Space-filling designs in 50 dimensions", stats::setNames(list(tab), ""), notes = c(
  sprintf(paste("%d seeds each (plain Halton has no randomness: one design); `largest` columns are",
                "the largest over the seeds and the 1,225 pairs of coordinates, the others means over the",
                "seeds. Independent uniforms put each correlation's sd at %.3f and each pair's chi-square",
                "(10 x 10 cells) at 99 +- 14. %.0f s."), length(seeds), 1 / sqrt(2000),
          proc.time()[["elapsed"]] - t0)))
