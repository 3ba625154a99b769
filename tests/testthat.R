library(testthat)
library(gmasampler)

test_check("gmasampler")
