package opt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/landscape-go/landscape/sdk"
)

// All returns every optimizer, in catalog order.
func All() []sdk.Optimizer {
	return []sdk.Optimizer{
		newGD(),
		newSGD("sgd", "stochastic gradient descent as torch.optim.SGD: momentum, dampening, Nesterov, weight decay", 0, 0),
		newSGD("momentum", "SGD with heavy-ball momentum 0.9 (torch.optim.SGD)", 0.9, 0),
		newSGD("nesterov", "SGD with Nesterov momentum 0.9 (torch.optim.SGD, nesterov=True)", 0.9, 1),
		newAdagrad(),
		newRMSprop(),
		newAdam("adam", "Adam (torch.optim.Adam): bias-corrected moment estimates, L2 weight decay, AMSGrad", 0, false),
		newAdam("adamw", "AdamW (torch.optim.AdamW): Adam with decoupled weight decay", 0.01, true),
		newAnneal(),
		newGridSearch(),
		newRandomRestarts(),
	}
}

// ByName returns the optimizer of that name from All.
func ByName(name string) (sdk.Optimizer, bool) {
	for _, o := range All() {
		if o.Info().Name == name {
			return o, true
		}
	}
	return nil, false
}

// optimizer is an sdk.Optimizer: a description and a constructor of runs.
// It is immutable, so runs may be started from several goroutines at once.
type optimizer struct {
	info  sdk.OptimizerInfo
	start func(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error)
	// glsl is the GPU step function for p ("" when p cannot run there).
	glsl func(p sdk.Params) string
}

var _ sdk.OptimizerWithGLSL = (*optimizer)(nil)

// GLSL implements sdk.OptimizerWithGLSL.
func (o *optimizer) GLSL(p sdk.Params) string {
	if o.glsl == nil {
		return ""
	}
	return o.glsl(p)
}

// textOptimizer is an optimizer with text hyperparameters
// (sdk.OptimizerWithTexts).
type textOptimizer struct {
	optimizer
	startTexts func(p sdk.Params, t sdk.Texts, x0 []float64, seed uint64) (sdk.Run, error)
}

var _ sdk.OptimizerWithTexts = (*textOptimizer)(nil)

// Start is StartTexts with the default texts.
func (o *textOptimizer) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	return o.StartTexts(p, nil, x0, seed)
}

// StartTexts resolves p and t as Start resolves p, copies x0 and starts a
// run.
func (o *textOptimizer) StartTexts(p sdk.Params, t sdk.Texts, x0 []float64, seed uint64) (sdk.Run, error) {
	if len(x0) == 0 {
		return nil, fmt.Errorf("%w: %s: the starting point has no coordinates", sdk.ErrBadRequest, o.info.Name)
	}
	full, texts, err := sdk.ResolveTexts(o.info.Hyperparameters, p, t)
	if err != nil {
		return nil, err
	}
	return o.startTexts(full, texts, slices.Clone(x0), seed)
}

// Info returns a copy of the description: changing it changes nothing here.
func (o *optimizer) Info() sdk.OptimizerInfo {
	i := o.info
	i.Hyperparameters = slices.Clone(o.info.Hyperparameters)
	return i
}

// Start resolves p again (so that a run started without the host still sees
// every hyperparameter and only values in bounds), copies x0 and starts a
// run.
func (o *optimizer) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	if len(x0) == 0 {
		return nil, fmt.Errorf("%w: %s: the starting point has no coordinates", sdk.ErrBadRequest, o.info.Name)
	}
	full, err := sdk.Resolve(o.info.Hyperparameters, p)
	if err != nil {
		return nil, err
	}
	return o.start(full, slices.Clone(x0), seed)
}

// Hyperparameter declarations.

func num(name, doc string, def, lo, hi float64) sdk.Hyperparameter {
	return sdk.Hyperparameter{Name: name, Doc: doc, Default: def, Min: lo, Max: hi}
}

func whole(name, doc string, def, lo, hi float64) sdk.Hyperparameter {
	return sdk.Hyperparameter{Name: name, Doc: doc, Default: def, Min: lo, Max: hi, Integer: true}
}

func flag(name, doc string, def float64) sdk.Hyperparameter {
	return sdk.Hyperparameter{Name: name, Doc: doc, Default: def, Flag: true}
}

// Common bounds.
const (
	maxLR    = 1e3
	maxDecay = 1e3
	maxNoise = 1e3
	maxSteps = 1e9
)

func lrParam(def float64) sdk.Hyperparameter {
	return num("lr", "learning rate", def, 0, maxLR)
}

func weightDecayParam(def float64, doc string) sdk.Hyperparameter {
	return num("weight_decay", doc, def, 0, maxDecay)
}

func noiseParam() sdk.Hyperparameter {
	return num("noise", "standard deviation of Gaussian noise added to each gradient component (seeded): SGD on an analytic surface", 0, 0, maxNoise)
}

// Learning-rate schedules, by their index among scheduleNames.
const (
	schedConstant = iota
	schedStep
	schedExponential
	schedCosine
)

// scheduleNames are the schedule choice's options, in index order.
var scheduleNames = []string{"none", "step", "exponential", "cosine"}

// scheduleParams are the schedule's hyperparameters, shared by every
// first-order method.
func scheduleParams() []sdk.Hyperparameter {
	return []sdk.Hyperparameter{
		{Name: "schedule", Options: scheduleNames, Doc: "learning-rate schedule, with k the number of completed steps: " +
			"none, lr; step, lr·gamma^⌊k/step_size⌋ (torch StepLR); " +
			"exponential, lr·gamma^k (torch ExponentialLR); " +
			"cosine, eta_min + (lr−eta_min)(1+cos(πk/t_max))/2 (torch CosineAnnealingLR)"},
		num("gamma", "decay factor of the step and exponential schedules", 0.1, 0, 1),
		whole("step_size", "steps between decays of the step schedule", 100, 1, maxSteps),
		whole("t_max", "steps of the cosine schedule from lr down to eta_min (it rises again after, as torch's does)", 1000, 1, maxSteps),
		num("eta_min", "smallest learning rate of the cosine schedule", 0, 0, maxLR),
	}
}

// schedule is a learning-rate schedule in closed form (torch's schedulers
// compute the same values recursively; they agree up to rounding).
type schedule struct {
	kind              int
	lr, gamma, etaMin float64
	stepSize, tMax    int
}

func newSchedule(p sdk.Params) schedule {
	return schedule{
		kind:     int(p["schedule"]),
		lr:       p["lr"],
		gamma:    p["gamma"],
		etaMin:   p["eta_min"],
		stepSize: int(p["step_size"]),
		tMax:     int(p["t_max"]),
	}
}

// at is the learning rate of the step taken after k completed steps (torch's
// scheduler after k calls of step()).
func (s schedule) at(k int) float64 {
	switch s.kind {
	case schedStep:
		return s.lr * math.Pow(s.gamma, float64(k/s.stepSize))
	case schedExponential:
		return s.lr * math.Pow(s.gamma, float64(k))
	case schedCosine:
		return s.etaMin + (s.lr-s.etaMin)*(1+math.Cos(math.Pi*float64(k)/float64(s.tMax)))/2
	}
	return s.lr
}

// newRand is a run's random source.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6c616e6473636170)) // "landscap"
}

// fillNaN sets every element of x to NaN.
func fillNaN(x []float64) {
	for i := range x {
		x[i] = math.NaN()
	}
}

// better reports whether loss a improves on loss b; NaN never improves and
// is improved on by every other value.
func better(a, b float64) bool {
	return !math.IsNaN(a) && (math.IsNaN(b) || a < b)
}

// lerp is torch's lerp(a, b, w) = a + w(b − a), computed as its CPU kernel
// does (from the nearer end).
func lerp(a, b, w float64) float64 {
	if math.Abs(w) < 0.5 {
		return a + w*(b-a)
	}
	return b - (b-a)*(1-w)
}

// gradsOK reports whether grads holds n gradients of length dim.
func gradsOK(grads [][]float64, n, dim int) bool {
	if len(grads) != n {
		return false
	}
	for _, g := range grads {
		if len(g) != dim {
			return false
		}
	}
	return true
}
