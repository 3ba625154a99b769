# Draws man/figures/logo.png, the site's logo: a trimodal density (the paper's first target) as
# the sum of its Gaussian components. Run from the package root: Rscript tools/make-logo.R
x <- seq(-5, 5, length.out = 400)
comp <- cbind(0.5 * dnorm(x, 0, 0.8), 0.3 * dnorm(x, 3, 0.5), 0.2 * dnorm(x, -3, 0.6))
png("man/figures/logo.png", width = 240, height = 278, res = 96, bg = "transparent")
par(mar = c(0, 0, 0, 0))
plot.new()
plot.window(c(-1, 1), c(-1.15, 1.15), asp = 1)
hex <- pi / 2 + (0:6) * pi / 3  # a hexagon, pointed at the top
polygon(cos(hex), sin(hex), col = "#1f3b57", border = "#8fb3d9", lwd = 4)
sx <- x / 7.5
sy <- function(y) y / max(rowSums(comp)) * 0.75 - 0.35
cols <- c("#f2b134", "#e8684a", "#6cc3d5")
for (j in 1:3) polygon(c(sx, rev(sx)), c(sy(comp[, j]), rep(sy(0), length(x))),
                       col = adjustcolor(cols[j], 0.75), border = NA)
lines(sx, sy(rowSums(comp)), col = "white", lwd = 3)
text(0, -0.6, "gmasampler", col = "white", cex = 1.35, font = 2)
invisible(dev.off())
