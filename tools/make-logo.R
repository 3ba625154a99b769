# Draws the site's logo, man/figures/logo.png (a trimodal density, the paper's first target, as
# the sum of its Gaussian components, on a hexagon), and its favicons in pkgdown/favicon/ (made
# here because pkgdown would otherwise ask a web service for them). From the package root:
#   Rscript tools/make-logo.R
draw_logo <- function(path, width, height = width, label = TRUE) {
  x <- seq(-5, 5, length.out = 400)
  comp <- cbind(0.5 * dnorm(x, 0, 0.8), 0.3 * dnorm(x, 3, 0.5), 0.2 * dnorm(x, -3, 0.6))
  png(path, width = width, height = height, res = 96 * width / 240, bg = "transparent")
  par(mar = c(0, 0, 0, 0))
  plot.new()
  plot.window(c(-1, 1), c(-1.15, 1.15), asp = 1)
  hex <- pi / 2 + (0:6) * pi / 3  # a hexagon, pointed at the top
  polygon(cos(hex), sin(hex), col = "#1f3b57", border = "#8fb3d9", lwd = 4 * width / 240)
  sx <- x / 7.5
  sy <- function(y) y / max(rowSums(comp)) * 0.75 - if (label) 0.35 else 0.45
  cols <- c("#f2b134", "#e8684a", "#6cc3d5")
  for (j in 1:3) polygon(c(sx, rev(sx)), c(sy(comp[, j]), rep(sy(0), length(x))),
                         col = adjustcolor(cols[j], 0.75), border = NA)
  lines(sx, sy(rowSums(comp)), col = "white", lwd = 3 * width / 240)
  if (label) text(0, -0.6, "gmasampler", col = "white", cex = 1.35, font = 2)
  invisible(dev.off())
}

# An .ico file holding one PNG image (allowed since Windows Vista, read by every browser).
write_ico <- function(png_path, ico_path, size) {
  img <- readBin(png_path, "raw", file.size(png_path))
  con <- file(ico_path, "wb")
  on.exit(close(con))
  writeBin(as.integer(c(0, 1, 1)), con, size = 2, endian = "little")       # reserved, icon, 1 image
  writeBin(as.raw(c(size %% 256, size %% 256, 0, 0)), con)                 # width, height, colours
  writeBin(as.integer(c(1, 32)), con, size = 2, endian = "little")         # planes, bits per pixel
  writeBin(as.integer(c(length(img), 22)), con, size = 4, endian = "little")  # bytes, offset
  writeBin(img, con)
}

dir.create("man/figures", showWarnings = FALSE, recursive = TRUE)
draw_logo("man/figures/logo.png", 240, 278)
dir.create("pkgdown/favicon", showWarnings = FALSE, recursive = TRUE)
icons <- c(`favicon-16x16` = 16, `favicon-32x32` = 32, `apple-touch-icon` = 180,
           `apple-touch-icon-120x120` = 120, `apple-touch-icon-76x76` = 76,
           `apple-touch-icon-60x60` = 60)
for (nm in names(icons)) draw_logo(file.path("pkgdown/favicon", paste0(nm, ".png")), icons[[nm]], label = FALSE)
write_ico("pkgdown/favicon/favicon-32x32.png", "pkgdown/favicon/favicon.ico", 32)
