# Prints the CRAN web area for `R CMD check --as-cran` (R_CRAN_WEB):
#   Rscript tools/cran-web.R <folder for a stand-in>
# The check of orphaned dependencies reads web/packages/packages.rds from the repository's web
# area, which a mirror or proxy that serves only src/contrib does not have. Then this writes a
# stand-in to the folder, built from the repository's package index (available.packages(): every
# dependency is found; no maintainer is known, so none shows as orphaned), says so on stderr, and
# prints the folder's URL.
folder <- commandArgs(TRUE)[1]
repo <- tools:::CRAN_baseurl_for_web_area()
reachable <- tryCatch({
  con <- gzcon(url(sprintf("%s/web/packages/packages.rds", repo), open = "rb"))
  on.exit(close(con))
  NROW(readRDS(con)) > 0L
}, error = function(e) FALSE, warning = function(w) FALSE)
if (isTRUE(reachable)) {
  cat(repo, "\n", sep = "")
} else {
  dir.create(file.path(folder, "web", "packages"), recursive = TRUE, showWarnings = FALSE)
  index <- tryCatch(utils::available.packages(repos = getOption("repos")),
                    error = function(e) matrix(character(), 0L, 1L, dimnames = list(NULL, "Package")))
  saveRDS(cbind(index, Maintainer = rep(NA_character_, nrow(index))),
          file.path(folder, "web", "packages", "packages.rds"))
  message("tools/cran-web.R: ", repo, "/web/packages/packages.rds is unreachable: the check of ",
          "orphaned dependencies uses a stand-in from the package index (it reports none)")
  cat("file://", normalizePath(folder), "\n", sep = "")
}
