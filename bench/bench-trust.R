# "Right every time, or says so": gma_sample() with its defaults on the targets of
# bench/trust-targets.R, over many seeds, scored against exact truths (or the long-MCMC reference
# of bench/make-trust-references.R), counting how often a fit is right, how often it warns, and
# whether the warnings fall on the wrong fits.
#
# Run from the package root, with gmasampler installed (and the GP reference made once):
#   Rscript bench/bench-trust.R        (about 20 minutes on 2 cores)
# Options (environment variables):
#   BENCH_SEEDS=1:20       seeds, e.g. 1:3 or 1,5,9
#   BENCH_TARGETS=a,b      a subset of the targets, by name
#   BENCH_BUDGETS=all      "first" runs only each target's first (the issue's) budget
#   BENCH_OUT=trust        writes bench/results/<out>.md and bench/results/<out>-fits.csv
#   BENCH_CONTROL=         further gma_control() settings, as R code, to measure a variant of the
#                          defaults, e.g. BENCH_CONTROL='em = em_control(defensive_scale = 3)'
#
# Each fit: set.seed(seed); gma_sample(log_density, dim, box (multimodal targets) or init (the
# others), vectorized = TRUE, control = gma_control(n_evals = budget)); warnings are recorded and
# muffled (the fit continues). Scored per fit, over the target's scored coordinates:
#   mean_err   max |mean - truth| / truth sd          sd_err  max |sd / truth sd - 1|
#   mass_err   max over modes |share of the draws assigned to the mode - its mass|
#   z_err_se   (log Z - exact log Z) / stated se
# A fit is "within" when it meets the target's tolerance (tol in trust-targets.R: mass within 0.02
# for multimodal targets, mean and sd errors for the others), and "bad", the issue's diagnostic
# bar, when mean_err > 0.1, sd_err > 0.1 or mass_err > 0.05. "Warned" means gma_sample raised a
# warning; a fit that stops with an error is counted apart ("errored", and bad): it returns nothing
# wrong, but nothing right either.

suppressPackageStartupMessages(library(gmasampler))
options(gmasampler.progress = FALSE, width = 200)
source(file.path("bench", "results.R"))
source(file.path("bench", "common.R"))
source(file.path("bench", "trust-targets.R"))

seeds <- parse_seeds(Sys.getenv("BENCH_SEEDS", "1:20"))
only <- Sys.getenv("BENCH_TARGETS", "")
first_only <- Sys.getenv("BENCH_BUDGETS", "all") == "first"
out_name <- Sys.getenv("BENCH_OUT", "trust")
control_code <- Sys.getenv("BENCH_CONTROL", "")
extra_control <- if (nzchar(control_code)) eval(parse(text = sprintf("list(%s)", control_code))) else list()
bad_bar <- list(mean = 0.1, sd = 0.1, mass = 0.05)

targets <- trust_targets()
if (nzchar(only)) targets <- targets[intersect(names(targets), strsplit(only, ",")[[1]])]
missing_truth <- vapply(targets, function(tg) is.null(tg$truth$mean), logical(1))
if (any(missing_truth)) {
  message("no reference for ", paste(names(targets)[missing_truth], collapse = ", "),
          ": run Rscript bench/make-trust-references.R; skipped")
  targets <- targets[!missing_truth]
}

# One fit, its warnings caught (text and class) and its error, if any, kept.
run_fit <- function(tg, budget, seed) {
  set.seed(seed)
  caught <- list()
  t0 <- proc.time()[["elapsed"]]
  fit <- tryCatch(withCallingHandlers(
    gma_sample(tg$log_density, dim = tg$dim, init = tg$init, box = tg$box, vectorized = TRUE,
               control = do.call(gma_control, c(list(n_evals = budget), extra_control))),
    warning = function(w) {
      caught[[length(caught) + 1L]] <<- w
      invokeRestart("muffleWarning")
    }), error = function(e) e)
  list(fit = fit, warnings = caught, seconds = proc.time()[["elapsed"]] - t0)
}

# The scores of one fit against the target's truth.
score_fit <- function(fit, tg) {
  tr <- tg$truth
  j <- tg$score
  x <- fit$draws
  mean_dev <- (colMeans(x) - tr$mean)[j] / tr$sd[j]
  sd_ratio <- (apply(x, 2L, stats::sd) / tr$sd)[j]
  nm <- colnames(x)[j]
  out <- list(mean_err = max(abs(mean_dev)), sd_err = max(abs(sd_ratio - 1)),
              worst_mean = sprintf("%s %+.2f", nm[which.max(abs(mean_dev))], mean_dev[which.max(abs(mean_dev))]),
              worst_sd = sprintf("%s x%.2f", nm[which.max(abs(sd_ratio - 1))], sd_ratio[which.max(abs(sd_ratio - 1))]),
              mass_err = NA_real_, modes_missed = NA_integer_, masses = NA_character_,
              z_err_se = (fit$diagnostics[["log_z"]] - tr$log_z) / fit$diagnostics[["log_z_se"]])
  if (!is.null(tr$modes)) {
    share <- tabulate(tr$modes$assign(x), length(tr$modes$mass)) / nrow(x)
    out$mass_err <- max(abs(share - tr$modes$mass))
    out$modes_missed <- sum(share < 0.2 * tr$modes$mass)
    out$masses <- paste(sprintf("%.3f", share), collapse = "/")
  }
  out
}

within_tol <- function(s, tol) {
  if (!is.na(s$mass_err)) return(s$mass_err <= tol$mass)
  s$mean_err <= tol$mean && s$sd_err <= tol$sd
}

is_bad <- function(s) {
  s$mean_err > bad_bar$mean || s$sd_err > bad_bar$sd || isTRUE(s$mass_err > bad_bar$mass)
}

# Warning messages with their numbers blanked, so that the same warning groups together.
warning_kind <- function(msg) gsub("[0-9]+(\\.[0-9]+)?", "#", msg)

fit_row <- function(tg, budget, seed, run) {
  fit <- run$fit
  msgs <- vapply(run$warnings, conditionMessage, character(1))
  failed <- inherits(fit, "error")
  s <- if (!failed) score_fit(fit, tg)
  dg <- if (!failed) fit$diagnostics else c(pareto_k = NA, ess = NA, log_z = NA, log_z_se = NA, log_z_low = NA,
                                            late_tail_share = NA)
  num <- function(v) if (is.null(v)) NA_real_ else v  # an error leaves no fit to score
  data.frame(
    target = tg$name, group = tg$group, d = tg$dim, budget = as.integer(budget), seed = seed,
    within = !failed && within_tol(s, tg$tol), bad = failed || is_bad(s), warned = length(msgs) > 0L,
    errored = failed,
    mean_err = num(s$mean_err), sd_err = num(s$sd_err), mass_err = num(s$mass_err),
    modes_missed = num(s$modes_missed), z_err_se = num(s$z_err_se),
    pareto_k = dg[["pareto_k"]], ess = dg[["ess"]], late_tail_share = dg[["late_tail_share"]],
    log_z = dg[["log_z"]], log_z_se = dg[["log_z_se"]], log_z_low = dg[["log_z_low"]] == 1,
    log_z_true = tg$truth$log_z, search_modes = if (failed) NA else NROW(fit$laplace),
    components = if (failed) NA else length(fit$mixture$weights),
    n_evals = if (failed) NA else fit$n_evals, seconds = run$seconds,
    worst_mean = num(s$worst_mean), worst_sd = num(s$worst_sd), masses = num(s$masses),
    warning_class = paste(vapply(run$warnings, function(w) class(w)[1L], character(1)), collapse = "; "),
    warning = paste(gsub("\\s+", " ", msgs), collapse = " | "),
    error = if (failed) gsub("\\s+", " ", conditionMessage(fit)) else "",
    stringsAsFactors = FALSE)
}

t_start <- proc.time()[["elapsed"]]
load_at_start <- tryCatch(readLines("/proc/loadavg", warn = FALSE)[1L], error = function(e) NA)
rows <- list()
for (tg in targets) {
  budgets <- if (first_only) tg$budgets[1L] else tg$budgets
  for (budget in budgets) for (seed in seeds) {
    row <- fit_row(tg, budget, seed, run_fit(tg, budget, seed))
    rows[[length(rows) + 1L]] <- row
    cat(sprintf("%-22s %6d seed %2d: mean %6.3f sd %6.3f mass %6.3f z/se %6.2f k %5.2f %5.1f s %s%s%s\n",
                tg$name, budget, seed, row$mean_err, row$sd_err, row$mass_err, row$z_err_se,
                row$pareto_k, row$seconds, if (row$bad) "BAD " else "",
                if (row$warned) paste("warned:", substr(row$warning, 1L, 60L)) else "",
                if (row$errored) paste("ERROR:", substr(row$error, 1L, 60L)) else ""))
  }
}
fits <- do.call(rbind, rows)
fits$commit <- sub("^commit ([^;]*);.*$", "\\1", bench_stamp())

# ---- summaries -----------------------------------------------------------------------------------
count_of <- function(hit, among) sprintf("%d/%d", sum(hit & among), sum(among))
med <- function(x) if (all(is.na(x))) NA_real_ else stats::median(x, na.rm = TRUE)

per_target <- do.call(rbind, lapply(split(fits, list(fits$target, fits$budget), drop = TRUE), function(f) {
  data.frame(target = f$target[1L], d = f$d[1L], budget = f$budget[1L], seeds = nrow(f),
             within = mean(f$within), warned = mean(f$warned), errored = mean(f$errored),
             right_or_says = mean(f$within | f$warned | f$errored),
             bad_warned = count_of(f$warned, f$bad), bad_errored = count_of(f$errored, f$bad),
             fine_warned = count_of(f$warned, !f$bad),
             logz_in_2se = if (all(is.na(f$log_z_true))) NA_real_ else mean(abs(f$z_err_se) <= 2, na.rm = TRUE),
             missed_mode = if (all(is.na(f$modes_missed))) NA_real_ else mean(f$modes_missed > 0, na.rm = TRUE),
             med_mean_err = med(f$mean_err), med_sd_err = med(f$sd_err), med_mass_err = med(f$mass_err),
             med_k = med(f$pareto_k), evals = mean(f$n_evals, na.rm = TRUE), seconds = mean(f$seconds),
             stringsAsFactors = FALSE)
}))
per_target <- per_target[order(match(per_target$target, names(targets)), per_target$budget), ]

# The diagnostic goal over the issue's hard targets (not the calibration ones), per budget kind.
first_budget <- fits$budget == vapply(fits$target, function(n) targets[[n]]$budgets[1L], numeric(1))
diagnostic_row <- function(label, f) {
  data.frame(fits = label, n = nrow(f), bad = sum(f$bad), bad_that_warned = count_of(f$warned, f$bad),
             frac_bad_warned = if (any(f$bad)) mean(f$warned[f$bad]) else NA_real_,
             bad_warned_or_errored = count_of(f$warned | f$errored, f$bad),
             fine = sum(!f$bad), fine_that_warned = count_of(f$warned, !f$bad),
             frac_fine_warned = if (any(!f$bad)) mean(f$warned[!f$bad]) else NA_real_,
             stringsAsFactors = FALSE)
}
hard <- fits$group != "calibration"
diagnostic <- rbind(diagnostic_row("hard targets, first budget", fits[hard & first_budget, ]),
                    diagnostic_row("hard targets, all budgets", fits[hard, ]),
                    diagnostic_row("all targets, all budgets", fits))

known_z <- !is.na(fits$log_z_true) & !is.na(fits$z_err_se)
coverage <- do.call(rbind, lapply(split(fits[known_z, ], fits$group[known_z]), function(f) {
  # a fit that says its log Z is likely too low (the draws miss mass it found) claims only a bound
  low <- f$log_z_low
  data.frame(group = f$group[1L], fits = nrow(f), logz_in_2se = mean(abs(f$z_err_se) <= 2),
             median_abs_z = stats::median(abs(f$z_err_se)), worst_abs_z = max(abs(f$z_err_se)),
             said_low = sum(low), in_2se_not_said_low = if (any(!low)) mean(abs(f$z_err_se[!low]) <= 2) else NA_real_,
             said_low_held = if (any(low)) mean(f$z_err_se[low] <= 2) else NA_real_,
             stringsAsFactors = FALSE)
}))

labelled <- function(label, x) if (length(x)) paste(label, x) else character()  # paste() keeps a label alone
kinds <- c(labelled("warning:", warning_kind(fits$warning[fits$warned])),
           labelled("error:", warning_kind(fits$error[fits$errored])))
warning_table <- if (length(kinds)) {
  tab <- sort(table(kinds), decreasing = TRUE)
  data.frame(count = as.integer(tab), condition = substr(names(tab), 1L, 160L), stringsAsFactors = FALSE)
} else data.frame(count = 0L, condition = "none")

run_minutes <- (proc.time()[["elapsed"]] - t_start) / 60
notes <- c(
  sprintf("Seeds %s; %d fits in %.1f minutes; load average at start %s, at end %s (2 cores shared with other jobs: seconds are noisy).",
          paste(range(seeds), collapse = " to "), nrow(fits), run_minutes, load_at_start,
          tryCatch(readLines("/proc/loadavg", warn = FALSE)[1L], error = function(e) NA)),
  if (nzchar(control_code)) c("", sprintf("Not the defaults: `gma_control(n_evals = budget, %s)`.", control_code)),
  "",
  "Columns: `within` = fraction of seeds meeting the target's tolerance (multimodal: every mode's mass within 0.02;",
  "funnel: y's mean within 0.1 sd (0.3) and sd within 10%; GP: mean 0.07 sd, sd 5%; others: 0.1 sd and 10%);",
  "`warned` = fraction that raised any warning; `errored` = fraction that stopped with an error (no draws);",
  "`right_or_says` = within, warned or errored; `bad_warned` / `bad_errored` / `fine_warned` = bad fits (mean error",
  "> 0.1 sd, sd error > 10% or a mode-mass error > 0.05; errors included) that warned or errored, fine fits that warned;",
  "`logz_in_2se` = fraction with |log Z - exact| <= 2 stated se (in the coverage table, `said_low` = fits whose log Z",
  "was said to be likely too low, `in_2se_not_said_low` the fraction of the others within 2 se, `said_low_held` the",
  "fraction of those said low whose log Z was not more than 2 se above the exact); `missed_mode` = fraction of fits in which some mode",
  "got less than a fifth of its mass; `med_*` = medians",
  "over seeds; `evals` = mean density evaluations counted by gma_sample; `seconds` = mean elapsed seconds.",
  "Goals: `within` >= 19/20 (multimodal), every bad fit warns and fewer than 10% of fine fits warn (hard targets),",
  paste0("`logz_in_2se` >= 0.9. Per-fit rows: bench/results/", out_name, "-fits.csv."))
write_results(out_name, "Right every time, or says so: gma_sample's defaults over seeds",
              list(`Per target` = per_target, `Diagnostic goal` = diagnostic,
                   `Log Z coverage within 2 stated se` = coverage, `Warnings and errors raised` = warning_table),
              notes = notes)
results_dir <- Sys.getenv("BENCH_RESULTS", file.path("bench", "results"))  # as write_results()
if (nzchar(results_dir)) {
  csv <- file.path(results_dir, paste0(out_name, "-fits.csv"))
  utils::write.csv(fits, csv, row.names = FALSE)
  cat("wrote", csv, "\n")
}
