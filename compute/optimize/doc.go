// Package optimize is landscape's optimization engine: it runs a batch of
// optimizations over a Problem and judges each run, as gonum/optimize does
// for one.
//
// A Method moves the runs by reverse communication: it asks its Driver to
// evaluate the points its runs want (Driver.Evaluate), and after every step
// reports the runs' iterates with their next request and its answer
// (Driver.Step). The engine never sees how a method works, nor where the
// evaluations come from: the host implements Method over an optimizer
// plugin and Problem over a surface plugin, tests implement both in
// process.
//
// Minimize records every run's iterates (its trajectory: loss, gradient
// norm, parameter norm and learning rate per step), stops the runs that
// have converged, diverged or failed, and returns a Result per run with its
// Status. A method that walks apart from its best point (simulated
// annealing, a grid search) reports both: the records follow the walk and
// hold the best point beside it, with each step's acceptance test and
// temperature, and the result is the best point. Settings' zero value is valid: runs of up to DefaultMaxSteps
// steps, converged when the loss changed by at most 1e-9·(1+|loss|) over the
// last 10 steps (FunctionConverge), on a plateau by PlateauRule's defaults,
// diverged 100 domain widths outside the domain. Endpoints runs a batch
// for a fixed number of steps without judging it and returns where each
// run ended (basins of attraction).
//
// Errors are returned, never panicked: ErrInvalid for a bad problem, start
// or setting, ErrBadRequest when a method breaks the protocol, ErrBadAnswer
// when a problem answers with the wrong number of values, and the context's
// error (errors.Is(err, context.Canceled)) when ctx ends. Errors of the
// Method and of the Problem are returned as they are.
package optimize
