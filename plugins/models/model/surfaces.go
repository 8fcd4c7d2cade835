package model

import (
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// kind is one of the model surfaces.
type kind int

const (
	kindLinReg kind = iota
	kindLogReg
	kindSoftmax
	kindMLP
	kindLineAngle
)

// spec describes a kind of model.
type spec struct {
	name, summary string
	// classification: the default dataset is a classification one (so k
	// starts at 2).
	classification bool
	accept         []lossKind
	defaults       settings
}

var regressionLosses = []lossKind{lossMSE, lossMAE, lossHuber, lossSublinear}

// base are the settings every kind shares by default.
var base = settings{n: 200, noise: 0.1, k: 3, seed: 1, delta: 1, layers: 1, hidden: 8}

func with(f func(*settings)) settings {
	s := base
	f(&s)
	return s
}

var specs = [...]spec{
	kindLinReg: {
		name:     "linreg",
		summary:  "linear regression w·x + b on a dataset (mse, mae, huber or sublinear loss)",
		accept:   regressionLosses,
		defaults: with(func(s *settings) { s.dataset, s.loss = dsLine, lossMSE }),
	},
	kindLogReg: {
		name:           "logreg",
		summary:        "binary logistic regression, logit w·x + b, binary cross-entropy",
		classification: true,
		accept:         []lossKind{lossBCE},
		defaults:       with(func(s *settings) { s.dataset, s.loss, s.k = dsMoons, lossBCE, 2 }),
	},
	kindSoftmax: {
		name:           "softmax",
		summary:        "softmax regression with k classes, logits W·x + b, cross-entropy",
		classification: true,
		accept:         []lossKind{lossCE},
		defaults:       with(func(s *settings) { s.dataset, s.loss = dsBlobs, lossCE }),
	},
	kindMLP: {
		name:           "mlp",
		summary:        "a perceptron with 1 or 2 hidden layers (tanh or relu) on a dataset",
		classification: true,
		accept:         []lossKind{lossMSE, lossMAE, lossHuber, lossBCE, lossCE, lossSublinear},
		defaults:       with(func(s *settings) { s.dataset, s.loss = dsMoons, lossCE }),
	},
	kindLineAngle: {
		name:     "line-angle",
		summary:  "a line through the origin at angle φ fitted to 2-D points (the rosette example)",
		accept:   regressionLosses,
		defaults: with(func(s *settings) { s.dataset, s.loss, s.noise = dsRosette, lossSublinear, 0 }),
	},
}

func (k kind) spec() *spec { return &specs[k] }

// losses are the names of the losses the kind accepts.
func (s *spec) losses() []string {
	out := make([]string, len(s.accept))
	for i, l := range s.accept {
		out[i] = l.String()
	}
	return out
}

// lossIndex is l's index among the losses the kind accepts (its value as
// the loss choice), or -1.
func (s *spec) lossIndex(l lossKind) int {
	for i, a := range s.accept {
		if a == l {
			return i
		}
	}
	return -1
}

func (s *spec) accepts(l lossKind) bool {
	for _, a := range s.accept {
		if a == l {
			return true
		}
	}
	return false
}

func (s *spec) lossList() string { return strings.Join(s.losses(), ", ") }

// mustDefault is kind's default surface. The defaults are generated data,
// which cannot fail.
func mustDefault(k kind) *Model {
	m, err := build(k, k.spec().defaults)
	if err != nil {
		panic("model: default " + k.spec().name + ": " + err.Error()) // a bug in this package
	}
	return m
}

// LinReg is linear regression, w·x + b, on the line dataset with mse.
func LinReg() *Model { return mustDefault(kindLinReg) }

// LogReg is binary logistic regression on the moons dataset with bce.
func LogReg() *Model { return mustDefault(kindLogReg) }

// Softmax is softmax regression on the blobs dataset (k = 3) with ce.
func Softmax() *Model { return mustDefault(kindSoftmax) }

// MLP is a perceptron (one hidden layer of 8, tanh) on the moons dataset
// with ce.
func MLP() *Model { return mustDefault(kindMLP) }

// LineAngle is a line through the origin at angle φ on a noiseless rosette
// of 3 lines with the sublinear loss.
func LineAngle() *Model { return mustDefault(kindLineAngle) }

// All are the surfaces of this package in their default configurations.
func All() []sdk.Surface {
	return []sdk.Surface{LinReg(), LogReg(), Softmax(), MLP(), LineAngle()}
}
