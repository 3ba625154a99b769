# Set-up on a fresh machine: `make demo` and `make test` install what is missing, then run.
R ?= R
RSCRIPT ?= Rscript
DEPS = Rcpp RcppEigen RcppParallel testthat
# suggested packages whose tests are skipped without them: installed so that every test runs
TEST_DEPS = posterior coda loo future future.apply mcmc mvtnorm
BENCH_DEPS = mcmc
# bench-all also runs the scripts that compare with LaplacesDemon and spacefillr's Sobol points
BENCH_ALL_DEPS = mcmc LaplacesDemon spacefillr
# README.Rmd runs a Metropolis reference (mcmc) beside its examples
README_DEPS = knitr mcmc
DOC_DEPS = roxygen2 knitr rmarkdown
# every script that writes tables to bench/results/ but one: bench/make-references.R rewrites the
# test fixture of reference moments with its table, so it runs on its own (make references)
BENCH_SCRIPTS = bench/bench-core.R bench/bench-methods.R bench/bench-posteriors.R bench/stabilisers.R \
  bench/space-filling.R
KNIT_README = $(RSCRIPT) -e 'knitr::knit("README.Rmd", "README.md", quiet = TRUE)'

.PHONY: deps install demo test bench bench-all readme references document check clean

deps:
	$(RSCRIPT) tools/install-deps.R $(DEPS)

install: deps
	$(R) CMD INSTALL --preclean --no-multiarch .

demo: install
	$(RSCRIPT) inst/examples/demo.R

test: install
	$(RSCRIPT) tools/install-deps.R --optional $(TEST_DEPS)
	$(RSCRIPT) tools/run-tests.R

bench: install
	$(RSCRIPT) tools/install-deps.R $(BENCH_DEPS)
	$(RSCRIPT) bench/bench-core.R

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

check: deps
	$(RSCRIPT) tools/install-deps.R $(DOC_DEPS) $(BENCH_DEPS)
	command -v pandoc >/dev/null && command -v qpdf >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends pandoc qpdf; }
	rm -rf check && mkdir check
	cd check && $(R) CMD build .. && _R_CHECK_FORCE_SUGGESTS_=false _R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_SYSTEM_CLOCK_=0 $(R) CMD check --as-cran --no-manual gmasampler_*.tar.gz

clean:
	rm -rf check src/*.o src/*.so
