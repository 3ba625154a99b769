# Argument checks shared by the exported functions, and the package's conditions. Each check names
# the argument in its error.

# A condition of class gma_<type>_<kind> and gma_<type> ("error" or "warning"), so that callers can
# catch each kind: errors "argument" (a user argument, named in the message), "density" (the log
# density failed or returned what it must not), "memory" (a fit would pass
# gma_control(max_memory = )); warnings as gma_warning() documents. `fields` are kept in the
# condition (an argument error's `argument`).
gma_condition <- function(type, kind, message, class = NULL, fields = list()) {
  structure(class = c(class, paste0("gma_", type, "_", kind), paste0("gma_", type), type, "condition"),
            c(list(message = message, call = NULL), fields))
}

gma_error <- function(kind, ..., class = NULL, fields = list()) {
  stop(gma_condition("error", kind, paste0(...), class, fields))
}

# An error about argument `name` (class gma_error_argument, with the name in `$argument`).
arg_error <- function(name, ...) {
  gma_error("argument", sprintf("`%s` %s", name, paste0(...)), fields = list(argument = name))
}

# A value as an error message shows it: numbers as they print, strings quoted (`dim = "2"` is not
# the number 2), anything longer by its class and shape.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.function(x)) return("a function")
  if (is.character(x) && length(x) == 1L) return(if (is.na(x)) "NA (character)" else sprintf('the string "%s"', x))
  if (length(x) == 1L && is.atomic(x) && is.null(dim(x))) return(format(x))
  type <- if (is.numeric(x)) "numeric" else typeof(x)
  if (is.matrix(x)) return(sprintf("a %d x %d %s matrix", nrow(x), ncol(x), type))
  what <- if (is.atomic(x) && !is.object(x)) paste(type, "vector") else class(x)[1L]
  sprintf("%s %s of length %d", if (grepl("^[aeiou]", what)) "an" else "a", what, length(x))
}

# A whole number in [min, max], returned as a double so that products of counts cannot overflow
# R's integers. `max` defaults to R's largest integer, which the C++ core takes counts up to.
# Signals gma_error_argument naming the first of `names` that the calling function was not given,
# where R's own error ("argument is missing, with no default") would be an untyped one.
check_given <- function(names, env = parent.frame()) {
  for (n in names)
    if (eval(call("missing", as.name(n)), env)) arg_error(n, "is missing, with no default")
}

check_count <- function(x, name, min = 1, max = .Machine$integer.max) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x != round(x) || x < min)
    arg_error(name, sprintf("must be a whole number >= %s, not %s", format(min), describe(x)))
  if (x > max)
    arg_error(name, sprintf("must be at most %s, not %s", format_count(max), describe(x)))
  as.numeric(x)
}

check_number <- function(x, name, min = -Inf, max = Inf, open_min = FALSE) {
  bad <- !is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x < min || x > max ||
    (open_min && x <= min)
  if (bad) {
    range <- if (open_min) sprintf("> %s", format(min)) else sprintf("in [%s, %s]", format(min), format(max))
    arg_error(name, sprintf("must be a finite number %s, not %s", range, describe(x)))
  }
  as.numeric(x)
}

check_flag <- function(x, name) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    arg_error(name, sprintf("must be TRUE or FALSE, not %s", describe(x)))
  x
}

check_finite_vector <- function(x, name, len = NULL) {
  if (!is.numeric(x) || anyNA(x) || any(!is.finite(x)))
    arg_error(name, "must be a numeric vector of finite values")
  if (!is.null(len) && length(x) != len)
    arg_error(name, sprintf("must have length %d, not %d", len, length(x)))
  as.numeric(x)
}

# Threads: NULL takes the option gmasampler.threads, else the environment variable
# GMASAMPLER_THREADS, else RCPP_PARALLEL_NUM_THREADS (which RcppParallel::setThreadOptions() sets),
# else 2, as parallel's mc.cores does: all cores by default would take a shared machine's cores
# from under its other jobs (and CRAN allows 2).
check_threads <- function(threads) {
  if (is.null(threads)) threads <- default_threads()
  check_count(threads, "threads")
}

default_threads <- function() {
  from_env <- function(var) {
    v <- suppressWarnings(as.numeric(Sys.getenv(var)))
    if (!is.na(v)) v
  }
  getOption("gmasampler.threads") %||% from_env("GMASAMPLER_THREADS") %||%
    from_env("RCPP_PARALLEL_NUM_THREADS") %||% min(2L, defaultNumThreads())
}

# Sets the seed of R's RNG (`set.seed(seed)`) and returns the state before, for restore_rng().
set_seed <- function(seed) {
  if (!is.numeric(seed) || length(seed) != 1L || !is.finite(seed) || seed != round(seed))
    arg_error("seed", sprintf("must be a whole number, not %s", describe(seed)))
  if (abs(seed) > .Machine$integer.max)  # set.seed() takes R's integers
    arg_error("seed", sprintf("must be at most %s in size, not %s", format_count(.Machine$integer.max), describe(seed)))
  old <- if (exists(".Random.seed", globalenv(), inherits = FALSE)) get(".Random.seed", globalenv())
  set.seed(seed)
  old
}

restore_rng <- function(old) {
  if (is.null(old)) rm(".Random.seed", envir = globalenv()) else assign(".Random.seed", old, globalenv())
}

match_choice <- function(x, choices, name) {
  if (identical(x, choices)) return(choices[1L])
  if (!is.character(x) || length(x) != 1L || !(x %in% choices)) {
    given <- if (is.character(x) && length(x) == 1L) sprintf('"%s"', x) else describe(x)
    arg_error(name, sprintf("must be one of %s, not %s",
                            paste0('"', choices, '"', collapse = ", "), given))
  }
  x
}

# A warning of class gma_warning_<kind> (and gma_warning), so that callers can catch each kind;
# `fields` are kept in the condition.
gma_warning <- function(kind, ..., fields = list()) {
  warning(gma_condition("warning", kind, paste0(...), fields = fields))
}
