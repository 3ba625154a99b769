# Installs the R packages named on the command line that are missing: from R's configured
# repository (getOption("repos")), else from Debian's prebuilt r-cran-* packages. Stops with a
# non-zero exit and the names of what is still missing, so `make` never goes on half-installed.
#   Rscript tools/install-deps.R Rcpp RcppEigen ...
#   Rscript tools/install-deps.R --optional posterior ...   (what cannot be had only warns: the
#                                                           tests that need it are skipped)
args <- commandArgs(trailingOnly = TRUE)
optional <- "--optional" %in% args
pkgs <- setdiff(args, "--optional")
missing_pkgs <- function() pkgs[!vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)]

todo <- missing_pkgs()
repos <- getOption("repos")
has_repo <- length(repos) > 0L && any(nzchar(repos) & repos != "@CRAN@")
lib <- .libPaths()[1L]
if (length(todo) && has_repo && file.access(lib, 2L) == 0L) {
  message("installing from R's repository: ", paste(todo, collapse = " "))
  utils::install.packages(todo, lib = lib, Ncpus = max(1L, parallel::detectCores()))
  todo <- missing_pkgs()
}
if (length(todo) && nzchar(Sys.which("apt-get"))) {
  debs <- paste0("r-cran-", tolower(todo))
  message("installing Debian packages: ", paste(debs, collapse = " "))
  if (system2("apt-get", c("install", "-y", "--no-install-recommends", debs)) != 0L) {
    system2("apt-get", "update")
    system2("apt-get", c("install", "-y", "--no-install-recommends", debs))
  }
  todo <- missing_pkgs()
}
if (length(todo)) {
  message(if (optional) "could not install (optional, their tests will be skipped): " else
    "could not install: ", paste(todo, collapse = " "))
  if (!optional) quit(status = 1L)
}
