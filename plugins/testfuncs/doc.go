// Command testfuncs is the landscape plugin that serves the analytic test
// functions of package funcs (ripple, rastrigin, rosenbrock, …).
package main
