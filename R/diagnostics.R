# Diagnostics beside the importance weights.

# What importance weights cannot see is a mode that no proposal visited. The mode search screens
# with two independent streams (mode_search()), so each mode it knows was reached by one stream's
# points, or both. A mode in whose region both streams' points fell is easy to find; one that only
# one stream reached (or none: found from an EM bank) was found by luck, and a mode like it could
# have been missed by both, unseen by every diagnostic (in capture-recapture terms, the modes seen
# once estimate the modes never seen). Returns a data frame, one row a mode: its location, its mass
# (the importance weights of the bank points in its region) and how many screened points of each
# stream fell in its region; and the mass in modes not confirmed by every stream.
mode_agreement <- function(search, points, log_weights) {
  modes <- search$modes()
  hits <- search$hits()
  region <- max.col(laplace_log_density(points, modes, each = TRUE), "first")
  mass <- vapply(seq_along(modes), function(j) sum(exp(log_weights[region == j])), numeric(1))
  table <- data.frame(mass = mass, matrix(unclass(hits), length(modes),
                                          dimnames = list(NULL, sprintf("stream_%d", seq_len(ncol(hits))))))
  table$confirmed <- rowSums(hits > 0) == ncol(hits)
  table$location <- vapply(modes, function(m) paste(signif(m$par, 3), collapse = ", "), character(1))
  list(table = table, unconfirmed_mass = sum(mass[!table$confirmed]))
}

# Whether the last rounds' proposals still miss part of the target. Pooled over all rounds with the
# deterministic-mixture weights, the weights can look tame while the proposals have not reached a
# region at all (a funnel's neck): the pooled weights average the proposals. Each of the last half
# of the rounds' points against its own round's proposal shows it: where the fit has settled, their
# tail is as light as the pool's; where it has not, the largest ratio is far above the tail's
# threshold. The tail index log(tail ratio) / log(tail length) is about k for a Pareto tail of
# shape k (the largest of M ratios sits near M^k times the threshold); above 0.9 with a Pareto k
# above 0.7 it warns. (Measured over seeds: 1.0 to 1.1 on a 10-D funnel whose scale's sd came out
# 6 to 19% low; at most 0.76 on the moon, the banana and a latent-GP posterior whose fits were
# right.)
late_round_tail <- function(bank) {
  late <- bank$component > max(bank$component) / 2
  p <- gma_psis(bank$log_p[late] - bank$log_q_round[late])
  c(pareto_k = p$pareto_k, index = log(p$tail_ratio) / log(p$tail_length))
}
