package sdk

import (
	"fmt"
)

// Optimizer is an optimization method a plugin serves. It is driven by
// reverse communication (as gonum/optimize's Method is): a Run asks for
// evaluations at points, the host answers from the surface (on the CPU or
// the GPU), and the Run moves. Optimizers therefore never see surfaces, and
// one optimizer works on every surface.
type Optimizer interface {
	Info() OptimizerInfo
	// Start begins one run from x0 with hyperparameters p and a seed for
	// any randomness. The SDK resolves p before it calls Start for the host
	// (every declared name present, bounds checked), but Go code in the
	// plugin's own process (its tests, say) may call Start directly, so
	// Start refuses what Resolve refuses (calling Resolve does it), and
	// also the constraints that bounds cannot say (beta1 < 1, nesterov
	// needing momentum), with an error wrapping ErrBadParams. It must not
	// keep x0. Runs of one Optimizer may be used from several goroutines
	// at once, each Run from one at a time. sdktest.CheckOptimizer checks
	// all of this.
	Start(p Params, x0 []float64, seed uint64) (Run, error)
}

// OptimizerInfo describes an optimizer.
type OptimizerInfo struct {
	// Name: lowercase letters, digits and '-', starting with a letter.
	Name string
	// Summary is one line for listings.
	Summary string
	// Hyperparameters are the settings, in declaration order; names follow
	// torch.optim where a method exists there (lr, momentum, beta1, ...).
	Hyperparameters []Hyperparameter
	// Gradient is true when the optimizer asks for gradients.
	Gradient bool
	// Stochastic is true when runs use their seed.
	Stochastic bool
}

// Need says what a Run wants evaluated.
type Need int

const (
	// NeedLoss asks for the loss only.
	NeedLoss Need = iota
	// NeedGradient asks for the loss and the gradient.
	NeedGradient
)

// Run is one optimization in progress. The driver alternates Ask and Tell.
type Run interface {
	// Ask returns the points the run wants evaluated next (at least one)
	// and whether gradients are needed. The points need stay valid only
	// until the next Tell; the driver neither modifies nor keeps them.
	Ask() (points [][]float64, need Need)
	// Tell hands back the losses at Ask's points and, when asked for, the
	// gradients (grads[i] for points[i]; nil otherwise). It returns the
	// run's iterate after this step.
	Tell(losses []float64, grads [][]float64) Step
}

// Step is a run's state after one Tell.
type Step struct {
	// X is the current iterate: where a descent has got to, the point a
	// walk stands on (simulated annealing), the point a grid search has
	// just evaluated. A method that reports no Best reports its best point
	// so far here instead (random restarts). The driver copies it; the run
	// may reuse the slice. A run that cannot go on returns NaN coordinates.
	X []float64
	// Best, when not nil, is the best point the run has seen so far, apart
	// from X: the run's result, which the host reports as where it ended
	// (and judges convergence by), while the trajectory follows X. Nil
	// means X is the run's result. The driver copies it; a run that
	// reports it once reports it at every step.
	Best []float64
	// Accept is the outcome of the step's acceptance test, for methods that
	// propose moves and accept or reject them (simulated annealing's
	// Metropolis test); AcceptNone otherwise. Temperature is the
	// temperature the test ran at (it means nothing with AcceptNone).
	Accept      Acceptance
	Temperature float64
	// LR is the scheduled learning rate of this step (before any scaling a
	// method applies inside, such as Adam's bias correction; 0 where none
	// applies).
	LR float64
	// Done is true when the method has finished by itself (a grid search
	// that has seen every point, an annealing whose temperature fell below
	// its least); the driver stops the run.
	Done bool
}

// Acceptance is the outcome of a step's acceptance test.
type Acceptance int8

const (
	// AcceptNone: the step tested no proposal.
	AcceptNone Acceptance = iota
	// Accepted: the step's proposal was accepted (the run moved there).
	Accepted
	// Rejected: the step's proposal was rejected (the run stayed).
	Rejected
)

// OptimizerWithTexts is an Optimizer with text hyperparameters (see
// Hyperparameter.Text), such as a grid search's ranges. The SDK calls
// StartTexts, instead of Start, with every declared number, flag and
// choice in p and every declared text in t (defaults filled in); it
// refuses a text it cannot use with an error wrapping ErrBadParams. Start
// must behave as StartTexts with the default texts.
type OptimizerWithTexts interface {
	Optimizer
	StartTexts(p Params, t Texts, x0 []float64, seed uint64) (Run, error)
}

// Validate checks that an OptimizerInfo is well formed.
func (i OptimizerInfo) Validate() error {
	if !ValidName(i.Name) {
		return fmt.Errorf("sdk: optimizer name %q: use lowercase letters, digits and '-', starting with a letter", i.Name)
	}
	return validHyperparameters("optimizer "+i.Name, i.Hyperparameters)
}

// OptimizerWithGLSL is an Optimizer that can also step many runs at once on
// the GPU (basins of attraction, many-start runs). GLSL returns, for the
// hyperparameters p, a snippet that defines NSTATE (a constant expression
// in DIM: the floats of state per run) and
//
//	void step(inout float x[DIM], in float g[DIM], inout float s[NSTATE + 1], int t)
//
// which takes step t (1, 2, ...) from x with the gradient g; s starts at
// zero (its one spare float spares GLSL a zero-length array).
// Hyperparameters are float constants named as declared. It returns ""
// when this configuration cannot run on the GPU (gradient noise, say); the
// host then steps the runs through the plugin.
type OptimizerWithGLSL interface {
	Optimizer
	GLSL(p Params) string
}
