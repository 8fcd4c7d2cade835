package model

import (
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// Names of the hyperparameters that choose the samples.
const (
	// ParamSubset is the choice of the samples the loss is over: "train"
	// (index 0) or "test" (index 1).
	ParamSubset = "subset"
	// ParamSplit is the fraction of the samples held out as the test set.
	ParamSplit = "split"
)

// The options of the choices, in index order.
var (
	datasetNames    = []string{"line", "rosette", "blobs", "moons", "spirals", "csv"}
	lossNames       = []string{"mse", "mae", "huber", "bce", "ce", "sublinear"}
	subsetNames     = []string{"train", "test"}
	activationNames = []string{"tanh", "relu"}
)

// Dataset indices (the dataset choice).
const (
	dsLine = iota
	dsRosette
	dsBlobs
	dsMoons
	dsSpirals
	dsCSV
)

// lossKind indexes lossNames (the loss choice).
type lossKind int

const (
	lossMSE lossKind = iota
	lossMAE
	lossHuber
	lossBCE
	lossCE
	lossSublinear
)

func (l lossKind) String() string { return lossNames[l] }

// classification reports whether l is a loss on logits (bce, ce).
func (l lossKind) classification() bool { return l == lossBCE || l == lossCE }

// Activation indices (the activation choice).
const (
	actTanh = iota
	actReLU
)

// maxClasses bounds k, and the classes of a CSV dataset.
const maxClasses = 16

// maxHidden bounds the MLP's width (the Go code keeps activations on the
// stack).
const maxHidden = 64

// settings are a surface's hyperparameter values.
type settings struct {
	dataset            int
	n                  int
	noise              float64
	k                  int
	seed               uint64
	split              float64
	subset             int
	loss               lossKind
	delta              float64
	l2                 float64
	layers, hidden     int
	activation         int
	csvPath, csvTarget string
}

// declare lists kind's hyperparameters with s's values as defaults.
func declare(kind kind, s settings) []sdk.Hyperparameter {
	kMin := 1.0
	if kind.spec().classification {
		kMin = 2
	}
	hs := []sdk.Hyperparameter{
		{Name: "dataset", Doc: "the data: line, rosette, blobs, moons, spirals, or csv (your file: see csv and target)",
			Default: float64(s.dataset), Options: datasetNames},
		{Name: "n", Doc: "number of samples generated (not used by csv)", Default: float64(s.n), Min: 1, Max: 1e7, Integer: true},
		{Name: "noise", Doc: "noise of the generated data: standard deviation of the Gaussian noise added (blobs: widens the clusters)",
			Default: s.noise, Min: 0, Max: 10},
		{Name: "k", Doc: "classes of blobs, arms of spirals, lines of rosette (moons has 2; csv counts its own)",
			Default: float64(s.k), Min: kMin, Max: maxClasses, Integer: true},
		{Name: "seed", Doc: "seed of the generated data and of the train/test split", Default: float64(s.seed), Min: 0, Max: math.MaxInt32, Integer: true},
		{Name: ParamSplit, Doc: "fraction of the samples held out as the test set (0: none)", Default: s.split, Min: 0, Max: 0.9},
		{Name: ParamSubset, Doc: "the samples the loss is over: train or test (test needs split > 0)",
			Default: float64(s.subset), Options: subsetNames},
		{Name: "loss", Doc: "loss function (the ones this model takes)",
			Default: float64(kind.spec().lossIndex(s.loss)), Options: kind.spec().losses()},
		{Name: "delta", Doc: "threshold of the huber loss", Default: s.delta, Min: 1e-3, Max: 1e3},
		{Name: "l2", Doc: "L2 penalty ½·l2·‖θ‖² added to the train loss", Default: s.l2, Min: 0, Max: 1e3},
	}
	if kind == kindMLP {
		hs = append(hs,
			sdk.Hyperparameter{Name: "layers", Doc: "hidden layers", Default: float64(s.layers), Min: 1, Max: 2, Integer: true},
			sdk.Hyperparameter{Name: "hidden", Doc: "width of each hidden layer", Default: float64(s.hidden), Min: 1, Max: maxHidden, Integer: true},
			sdk.Hyperparameter{Name: "activation", Doc: "activation of the hidden layers: tanh or relu", Default: float64(s.activation), Options: activationNames},
		)
	}
	return append(hs,
		sdk.Hyperparameter{Name: "csv", Doc: "path of the CSV file of dataset=csv (a header row, then numbers)", Text: true, DefaultText: s.csvPath},
		sdk.Hyperparameter{Name: "target", Doc: "CSV column to predict (empty: the last one)", Text: true, DefaultText: s.csvTarget},
	)
}

// parse reads kind's resolved hyperparameters (every declared one present,
// each checked against its declaration) into settings, starting from cur
// (which keeps the MLP's for kinds that do not declare them). The loss
// choice indexes the losses kind accepts.
func parse(kind kind, p sdk.Params, t sdk.Texts, cur settings) settings {
	s := cur
	s.dataset = int(p["dataset"])
	s.n = int(p["n"])
	s.noise = p["noise"]
	s.k = int(p["k"])
	s.seed = uint64(p["seed"])
	s.split = p[ParamSplit]
	s.subset = int(p[ParamSubset])
	s.loss = kind.spec().accept[int(p["loss"])]
	s.delta = p["delta"]
	s.l2 = p["l2"]
	if v, ok := p["layers"]; ok {
		s.layers = int(v)
	}
	if v, ok := p["hidden"]; ok {
		s.hidden = int(v)
	}
	if v, ok := p["activation"]; ok {
		s.activation = int(v)
	}
	s.csvPath, s.csvTarget = t["csv"], t["target"]
	return s
}

// badParams is an error wrapping sdk.ErrBadParams.
func badParams(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sdk.ErrBadParams}, args...)...)
}
