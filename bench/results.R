# Where benchmark tables go: bench/results/<name>.md, each stamped with what produced it (commit,
# date, R version, cores), so that a table in the README can be traced to the code that made it.
# BENCH_RESULTS=dir writes them elsewhere (a trial run on a subset should not overwrite the
# committed tables); BENCH_RESULTS= (empty) only prints them.
#   source("bench/results.R")
#   write_results("methods", "Methods on hard targets", list(Overall = df1, `Per target` = df2),
#                 notes = c("one line", "another"))

# One line saying which code, machine and R produced a table.
bench_stamp <- function() {
  git <- function(...) tryCatch(suppressWarnings(system2("git", c(...), stdout = TRUE, stderr = FALSE)),
                                error = function(e) character())
  commit <- git("rev-parse", "--short", "HEAD")
  # uncommitted changes to the code; the tables and the README that a run rewrites do not count
  dirty <- length(git("status", "--porcelain", "--untracked-files=no", "--", ".",
                      shQuote(":(exclude)bench/results"), shQuote(":(exclude)README.md"))) > 0L
  # the gmasampler the run used: the repository's, or another installed version
  version <- tryCatch(as.character(utils::packageVersion("gmasampler")), error = function(e) "not installed")
  sprintf("gmasampler %s; commit %s%s; %s; %s; %d cores", version,
          if (length(commit)) commit[1L] else "unknown",
          if (dirty) " with uncommitted changes" else "",
          format(Sys.time(), "%Y-%m-%d %H:%M %Z"), R.version.string, parallel::detectCores())
}

# A data frame as a markdown table; numbers with `digits` significant digits, except columns of
# whole numbers (counts such as evaluations), which are shown in full.
md_table <- function(df, digits = 3) {
  cells <- lapply(df, function(col) {
    whole <- is.numeric(col) && all(col == round(col), na.rm = TRUE)
    if (whole) ifelse(is.na(col), "", format(col, scientific = FALSE, trim = TRUE))
    else if (is.numeric(col)) ifelse(is.na(col), "", formatC(signif(col, digits), digits = digits, format = "fg",
                                                             flag = "#", drop0trailing = TRUE))
    else ifelse(is.na(col), "", as.character(col))
  })
  cells <- lapply(cells, function(x) gsub("\\.$", "", trimws(x)))
  align <- vapply(df, function(col) if (is.numeric(col)) "---:" else "---", character(1))
  rows <- do.call(paste, c(cells, sep = " | "))
  c(paste("|", paste(names(df), collapse = " | "), "|"), paste("|", paste(align, collapse = " | "), "|"),
    paste("|", rows, "|"))
}

# Writes the tables (a named list of data frames: the names are section headings) and notes to
# bench/results/<name>.md, and prints the file's text.
write_results <- function(name, title, tables, notes = character(),
                          dir = Sys.getenv("BENCH_RESULTS", file.path("bench", "results"))) {
  # an empty name: a table without a heading of its own
  body <- unlist(Map(function(h, tab) c(if (nzchar(h)) c(paste("###", h), ""), md_table(tab), ""),
                     names(tables), tables))
  text <- c(paste("##", title), "", paste0("*", bench_stamp(), "*"), "", body, notes)
  cat(text, sep = "\n")
  if (!nzchar(dir)) return(invisible(NULL))
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  path <- file.path(dir, paste0(name, ".md"))
  writeLines(text, path)
  cat("\nwrote", path, "\n")
  invisible(path)
}
