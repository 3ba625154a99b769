# Precomputes the long Metropolis references of vignettes/compiled-densities.Rmd: renders the
# vignette (into a temporary folder) with GMASAMPLER_VIGNETTE_REFERENCES=run, so that its chunks
# that run the chains are evaluated and their summaries saved to
# vignettes/references/compiled-densities.rds, which every other build of the vignette reads.
# Needs the installed package, mcmc, coda and rmarkdown; about two minutes. From the package root:
#   Rscript tools/make-vignette-references.R
for (p in c("mcmc", "coda", "rmarkdown")) if (!requireNamespace(p, quietly = TRUE)) stop("needs ", p)
Sys.setenv(GMASAMPLER_VIGNETTE_REFERENCES = "run")
out <- tempfile()
rmarkdown::render("vignettes/compiled-densities.Rmd", output_dir = out, quiet = TRUE)
unlink(out, recursive = TRUE)
ref <- readRDS("vignettes/references/compiled-densities.rds")
cat("wrote vignettes/references/compiled-densities.rds:\n")
str(ref, max.level = 2)
