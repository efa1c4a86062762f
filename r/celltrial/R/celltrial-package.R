#' celltrial: simulation and design of cell-therapy trials in cerebral palsy
#'
#' Runs celltrial's patient-level trial simulations from R: scenarios as R lists ([ct_default()],
#' [ct_scenario()]), simulation ([ct_simulate()]), sweeps ([ct_sweep()]), sensitivity studies
#' ([ct_study()]) and closed-form power ([ct_power()]). Results are data frames with every estimate
#' beside its Monte Carlo standard error, identical to the command line's for the same scenario,
#' seed and trial count. The package links the installed celltrial library; see the vignette
#' `vignette("celltrial")`.
#'
#' Errors are R conditions of class `celltrial_error` (and `celltrial_data`, `celltrial_usage`,
#' `celltrial_no_input`, `celltrial_io`, `celltrial_interrupted`) carrying the command line's
#' located messages in `messages` and its exit code in `code`.
#' @keywords internal
#' @useDynLib celltrial, .registration = TRUE
#' @importFrom Rcpp evalCpp
"_PACKAGE"
