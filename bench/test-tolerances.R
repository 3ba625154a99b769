# The statistical tests on other seeds. A statistical test seeds its random numbers with
# test_seed(s) (tests/testthat/helper-statistics.R), which adds
# getOption("gmasampler.test_seed_offset"); this script runs every test file that calls it once
# per offset, against the installed package, and tabulates, for each expectation of each test that
# calls it, on how many offsets it passed and, for the numeric bounds (expect_lt() and its
# relatives), the worst value seen. The test code is run as it is, not copied here.
#   Rscript bench/test-tolerances.R    (from the package root, gmasampler installed; ~5 minutes)
# Writes bench/results/test-tolerances.md.
library(testthat)
library(gmasampler)
source("bench/results.R")
Sys.setenv(NOT_CRAN = "true")

offsets <- seq(1000L, 10000L, by = 1000L)
test_files <- list.files("tests/testthat", "^test-.*\\.R$", full.names = TRUE)
test_files <- test_files[vapply(test_files, function(f) any(grepl("test_seed(", readLines(f), fixed = TRUE)),
                                logical(1))]

# The descriptions of a file's tests whose code calls test_seed().
statistical_tests <- function(path) {
  calls <- as.list(parse(path, keep.source = FALSE))
  seeded <- vapply(calls, function(e) is.call(e) && identical(e[[1L]], as.name("test_that")) &&
                     any(grepl("test_seed(", deparse(e[[3L]]), fixed = TRUE)), logical(1))
  vapply(calls[seeded], function(e) e[[2L]], character(1))
}

# testthat's comparison expectations (expect_lt(), expect_lte(), expect_gt(), expect_gte()) all
# call its internal expect_compare(); a tracer there keeps the compared values, which a passing
# expectation does not report, until the reporter below pairs them with the result.
compared <- new.env()
record_compare <- function(operator, act, exp) {
  compared$last <- list(op = operator, value = act$val, bound = exp$val, label = act$lab,
                        bound_label = exp$lab)
}
trace("expect_compare", tracer = bquote(.(record_compare)(operator, act, exp)),
      where = asNamespace("testthat"), print = FALSE)

# What a result says, in one line: a comparison as "label op bound" (testthat shortens long
# labels to "f(...)": then the code), a warning or an error by its message (numbers blanked, so
# that the same warning on different seeds is one row), anything else by its code.
describe_result <- function(result, kind, cmp) {
  code <- gsub("\\s+", " ", paste(as.character(result$srcref), collapse = " "))
  text <- if (kind %in% c("warning", "error")) {
    paste0(kind, ": ", gsub("-?[0-9][0-9.e+-]*", "#", conditionMessage(result)))
  } else if (!is.null(cmp) && !grepl("...)", cmp$label, fixed = TRUE)) {
    paste(cmp$label, cmp$op, cmp$bound_label)
  } else code
  substr(text, 1L, 110L)
}

# A reporter that keeps one row per result: its test, line, outcome and compared values.
Recorder <- R6::R6Class("Recorder", inherit = testthat::Reporter, public = list(
  rows = list(),
  add_result = function(context, test, result) {
    cmp <- compared$last
    compared$last <- NULL
    kinds <- c("success", "failure", "error", "skip", "warning")
    kind <- kinds[inherits(result, paste0("expectation_", kinds), which = TRUE) > 0L][1L]
    self$rows[[length(self$rows) + 1L]] <- data.frame(
      test = test, line = if (is.null(result$srcref)) NA_integer_ else result$srcref[1L],
      kind = kind, expectation = describe_result(result, kind, cmp),
      op = if (is.null(cmp)) NA_character_ else cmp$op,
      value = if (is.null(cmp)) NA_real_ else as.numeric(cmp$value),
      bound = if (is.null(cmp)) NA_real_ else as.numeric(cmp$bound))
  }))

# One row per result of the statistical tests, with the file and the seed offset.
run_offset <- function(offset) {
  options(gmasampler.test_seed_offset = offset)
  on.exit(options(gmasampler.test_seed_offset = NULL))
  rows <- lapply(test_files, function(path) {
    rec <- Recorder$new()
    test_file(path, reporter = rec, package = "gmasampler", load_package = "installed",
              stop_on_failure = FALSE)
    out <- do.call(rbind, rec$rows)
    cbind(file = basename(path), out[out$test %in% statistical_tests(path), , drop = FALSE])
  })
  cbind(offset = offset, do.call(rbind, rows))
}

t0 <- proc.time()[["elapsed"]]
own <- run_offset(0L)  # the suite's own seeds, for reference
runs <- do.call(rbind, lapply(offsets, function(o) {
  message("seed offset ", o)
  run_offset(o)
}))
minutes <- (proc.time()[["elapsed"]] - t0) / 60
snaps <- file.path("tests", "testthat", "_snaps")  # test_file() leaves it, empty
if (dir.exists(snaps) && !length(list.files(snaps))) unlink(snaps, recursive = TRUE)

key <- function(d) paste(d$file, d$test, d$line, d$expectation, sep = "\r")
worst <- function(v, op) {
  if (all(is.na(v))) return(NA_real_)
  if (op[1L] %in% c("<", "<=")) max(v, na.rm = TRUE) else min(v, na.rm = TRUE)
}
# A bound computed from the data (4 estimated se, or another fit's error) differs between runs:
# show value - bound (testthat's "difference") against 0 there.
as_difference <- function(d) {
  d$value <- d$value - d$bound
  d$bound <- 0
  d
}
# Per expectation: on how many offsets it ran, and passed (an expectation inside a loop passes
# an offset when every iteration does; an expectation behind an if, or after an error, may not
# run), and the worst value over all offsets and iterations.
summarise_key <- function(d) {
  ran <- unique(d$offset)
  ok <- vapply(ran, function(o) all(d$kind[d$offset == o] == "success"), logical(1))
  mine <- own[key(own) == key(d)[1L], , drop = FALSE]
  varying <- length(unique(stats::na.omit(c(d$bound, mine$bound)))) > 1L
  if (varying) {
    d <- as_difference(d)
    mine <- as_difference(mine)
  }
  data.frame(file = d$file[1L], test = d$test[1L],
             expectation = paste0(d$expectation[1L], if (varying) " [value - bound]" else ""),
             ran = length(ran), passed = sum(ok), worst = worst(d$value, d$op), bound = d$bound[1L],
             own_seeds = if (nrow(mine)) worst(mine$value, mine$op) else NA_real_)
}
summarise <- function(d) {
  if (!nrow(d)) return(data.frame(note = "none"))
  out <- do.call(rbind, lapply(split(d, factor(key(d), unique(key(d)))), summarise_key))
  rownames(out) <- NULL
  out
}

# Expectations, then failures, warnings and errors (the last two listed with the offsets they
# came on, as "ran").
expectations <- runs[runs$kind %in% c("success", "failure", "skip"), ]
tab <- summarise(expectations)
failed <- tab[tab$passed < tab$ran, c("file", "test", "expectation", "ran", "passed", "worst", "bound")]
warned <- runs[runs$kind %in% c("warning", "error"), ]
warned$line <- rep(NA_integer_, nrow(warned))  # one row per message and test, wherever it came
conditions <- summarise(warned)
if ("ran" %in% names(conditions)) {
  conditions <- conditions[, c("file", "test", "expectation", "ran")]
  names(conditions)[3:4] <- c("condition", "offsets")
}
per_file <- split(tab[, c("test", "expectation", "ran", "passed", "worst", "bound", "own_seeds")],
                  factor(tab$file, unique(tab$file)))

write_results("test-tolerances", "Statistical tests on 10 other seeds", c(
  list(`Expectations that failed on some offset` = if (nrow(failed)) failed else data.frame(note = "none"),
       `Warnings and errors (an error fails its test)` = conditions),
  per_file), notes = c(
  sprintf("Seed offsets %s (test_seed(s) = s + offset); own_seeds: the suite's own seeds (offset 0).",
          paste(offsets, collapse = ", ")),
  "ran: offsets on which the expectation ran; passed: offsets on which every iteration of it passed.",
  "worst: the largest value of an upper bound (expect_lt, expect_lte) or the smallest of a lower one",
  "(expect_gt, expect_gte), over all offsets and loop iterations; blank where the expectation is not",
  "a numeric bound. [value - bound]: the bound is computed in each run, so the difference is shown.",
  sprintf("%d expectations in %d statistical tests; %.1f minutes on this machine.", nrow(tab),
          length(unique(paste(tab$file, tab$test))), minutes)))
