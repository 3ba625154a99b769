# The classes of the warnings expr raises, muffled.
warning_classes <- function(expr) {
  classes <- character()
  withCallingHandlers(expr, warning = function(w) {
    classes <<- c(classes, class(w)[1L])
    invokeRestart("muffleWarning")
  })
  classes
}

