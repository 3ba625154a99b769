# Set-up on a fresh machine: `make demo` and `make test` install what is missing, then run.
R ?= R
RSCRIPT ?= Rscript
DEPS = Rcpp RcppEigen RcppParallel testthat
# suggested packages whose tests are skipped without them: installed so that every test runs
TEST_DEPS = posterior coda loo future future.apply mcmc mvtnorm
BENCH_DEPS = mcmc
DOC_DEPS = roxygen2 knitr rmarkdown

.PHONY: deps install demo test bench document check clean

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
