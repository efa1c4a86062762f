library(testthat)
library(celltrial)

test_check("celltrial")
