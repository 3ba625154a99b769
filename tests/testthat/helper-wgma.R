# The objective and Frank-Wolfe gap of weights w on a W-GMA fit's bank, computed afresh in R from
# the fit's components, to check what the C++ fit reports: the gradient is g_i = 1 + the mean over
# component i's bank points of log q_w - log p.
measure_weights <- function(fit, w) {
  mix <- fit$mixture
  mix$weights <- w
  g <- 1 + tapply(dmixture(fit$bank$points, mix, log = TRUE) - fit$bank$log_p, fit$bank$component, mean)
  c(objective = sum(w * (g - 1)), gap = sum(w * g) - min(g))
}
