# Set-up on a fresh machine: `make demo` and `make test` install what is missing, then run.
# LIB=dir installs gmasampler and what is missing into that library (first on R_LIBS) rather than
# the site library, e.g. `make check LIB=~/R/dev`.
R ?= R
RSCRIPT ?= Rscript
LIB ?=
ifneq ($(LIB),)
export R_LIBS := $(abspath $(LIB))$(if $(R_LIBS),:$(R_LIBS))
INSTALL_LIB = -l $(abspath $(LIB))
endif
DEPS = Rcpp RcppEigen RcppParallel testthat
# suggested packages whose tests are skipped without them: installed so that every test runs
TEST_DEPS = posterior coda loo future future.apply mcmc mvtnorm
BENCH_DEPS = mcmc
# bench-all also runs the scripts that compare with LaplacesDemon and spacefillr's Sobol points
BENCH_ALL_DEPS = mcmc LaplacesDemon spacefillr
# README.Rmd runs a Metropolis reference (mcmc) beside its examples
README_DEPS = knitr mcmc
DOC_DEPS = roxygen2 knitr rmarkdown
# the site: pkgdown, and what the examples and articles use
SITE_DEPS = pkgdown knitr rmarkdown posterior coda bayesplot future.apply mcmc
# every script that writes tables to bench/results/ but one: bench/make-references.R rewrites the
# test fixture of reference moments with its table, so it runs on its own (make references)
BENCH_SCRIPTS = bench/bench-core.R bench/bench-methods.R bench/bench-posteriors.R bench/stabilisers.R \
  bench/space-filling.R bench/bench-trust.R bench/bench-scale.R bench/memory.R bench/error-cases.R bench/fuzz.R
KNIT_README = $(RSCRIPT) -e 'knitr::knit("README.Rmd", "README.md", quiet = TRUE)'


.PHONY: deps install install-vignettes pandoc check-site demo test bench bench-scale bench-all readme references vignette-references \
  document check site clean

deps:
	$(RSCRIPT) tools/install-deps.R $(DEPS)

install: deps
	$(R) CMD INSTALL --preclean --no-multiarch $(INSTALL_LIB) .

# Builds the source tarball with its vignettes (in check/) and installs it, so that
# vignette(package = "gmasampler") lists them; `make install` skips the vignettes.
install-vignettes: deps
	$(RSCRIPT) tools/install-deps.R $(DOC_DEPS)
	$(MAKE) pandoc
	rm -rf check && mkdir check
	cd check && $(R) CMD build .. && $(R) CMD INSTALL --no-multiarch $(INSTALL_LIB) gmasampler_*.tar.gz

pandoc:
	command -v pandoc >/dev/null && command -v qpdf >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends pandoc qpdf; }

demo: install
	$(RSCRIPT) inst/examples/demo.R

test: install
	$(RSCRIPT) tools/install-deps.R --optional $(TEST_DEPS)
	$(RSCRIPT) tools/run-tests.R

bench: install
	$(RSCRIPT) tools/install-deps.R $(BENCH_DEPS)
	$(RSCRIPT) bench/bench-core.R

# Overhead per point against d, 50 to 200 dimensions and a 54-parameter hierarchical model
# (bench/results/scale.md; about 3 minutes; BENCH_SEEDS=1:3 for fewer seeds).
bench-scale: install
	$(RSCRIPT) tools/install-deps.R $(BENCH_DEPS)
	$(RSCRIPT) bench/bench-scale.R

# Regenerates every table in bench/results/, then the README that includes them.
bench-all: install
	$(RSCRIPT) tools/install-deps.R $(sort $(BENCH_ALL_DEPS) $(README_DEPS))
	for script in $(BENCH_SCRIPTS); do $(RSCRIPT) $$script || exit 1; done
	$(KNIT_README)

# Rewrites tests/testthat/fixtures/posterior-references.rds and bench/results/references.md (long
# Metropolis runs: minutes); for when the posterior targets change.
references:
	$(RSCRIPT) tools/install-deps.R $(BENCH_DEPS)
	$(RSCRIPT) bench/make-references.R

# Knits README.Rmd into README.md: live output of the installed package, tables from bench/results/.
readme: install
	$(RSCRIPT) tools/install-deps.R $(README_DEPS)
	$(KNIT_README)

# Regenerates RcppExports, man/ and NAMESPACE from the sources (developers only).
document:
	$(RSCRIPT) tools/install-deps.R $(DEPS) $(DOC_DEPS)
	$(RSCRIPT) -e 'Rcpp::compileAttributes(); roxygen2::roxygenise()'

# The vignette compiled-densities reads its Metropolis references from vignettes/references/;
# this reruns them (a few minutes).
vignette-references: install
	$(RSCRIPT) tools/install-deps.R mcmc coda rmarkdown
	$(RSCRIPT) tools/make-vignette-references.R

# R CMD check --as-cran on the built tarball, in check/ (the check installs into its own library).
check: deps
	$(RSCRIPT) tools/install-deps.R $(DOC_DEPS) $(BENCH_DEPS)
	$(MAKE) pandoc
	rm -rf check && mkdir check
	cd check && $(R) CMD build .. && R_CRAN_WEB=$$($(RSCRIPT) ../tools/cran-web.R cran-web) \
	  _R_CHECK_FORCE_SUGGESTS_=false _R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_SYSTEM_CLOCK_=0 \
	  $(R) CMD check --as-cran --no-manual gmasampler_*.tar.gz

# The pkgdown site in docs/ (pkgdown installs the package into a temporary library), then checked
# in headless Chromium: every page, link, anchor and image (tools/check-site.mjs), with screenshots
# in site-check/.
site: deps
	$(RSCRIPT) tools/install-deps.R --optional $(SITE_DEPS)
	$(RSCRIPT) tools/install-deps.R pkgdown
	$(MAKE) pandoc
	# no look-ups of CRAN or Bioconductor for sidebar links: the site builds offline
	$(RSCRIPT) -e 'options(pkgdown.internet = FALSE); pkgdown::build_site(preview = FALSE, install = TRUE)'
	$(MAKE) check-site

check-site:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver; }
	test -d site-check/node_modules/playwright-core || \
	  npm install --no-save --no-audit --no-fund --prefix site-check playwright-core@1
	node tools/check-site.mjs docs site-check

clean:
	rm -rf check docs site-check src/*.o src/*.so
