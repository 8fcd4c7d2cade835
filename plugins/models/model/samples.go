package model

import (
	"math"
	"strconv"

	"github.com/landscape-go/landscape/sdk"
)

// columns names a sample's values: the CSV's own names, else x (one
// feature) or x0, x1, … and the target, y (regression) or class.
func (ds *dataset) columns() []string {
	if ds.cols != nil {
		return ds.cols
	}
	out := make([]string, 0, ds.d+1)
	if ds.d == 1 {
		out = append(out, "x")
	} else {
		for f := 0; f < ds.d; f++ {
			out = append(out, "x"+strconv.Itoa(f))
		}
	}
	if ds.classes > 0 {
		return append(out, "class")
	}
	return append(out, "y")
}

// Dataset is the configured subset's samples (sdk.SurfaceWithDataset), in
// the order the surface holds them: features, then the target.
func (m *Model) Dataset() sdk.Dataset {
	out := sdk.Dataset{Columns: m.ds.columns(), Classes: m.ds.classes, Values: make([]float64, len(m.ds.data))}
	for i, v := range m.ds.data {
		out.Values[i] = float64(v)
	}
	return out
}

// Predict writes the model's prediction at theta for each input of
// len(inputs)/len(dst) features (sdk.SurfaceWithPredict): a regression's
// output (line-angle: the height x·tan φ of its line at x), a
// classification's class (logit above 0 for bce, the largest logit for
// ce). Inputs of another number of features, or a theta of another
// length, give NaN.
func (m *Model) Predict(dst, theta, inputs []float64) {
	d := m.ds.d
	if len(dst) == 0 || len(inputs) != len(dst)*d || len(theta) != m.dim {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return
	}
	x := make([]float64, d)
	var zb [maxClasses]float64
	z := zb[:outputs(m.a)]
	for i := range dst {
		copy(x, inputs[i*d:(i+1)*d])
		m.forward(theta, x, z)
		dst[i] = m.decide(z)
	}
}

// forward writes the model's outputs (logits, or the regression's value)
// at theta for the input x into z.
func (m *Model) forward(th, x, z []float64) {
	switch a := m.a.(type) {
	case linear:
		for c := range z {
			s := th[a.m*a.d+c]
			for f, xf := range x {
				s += th[c*a.d+f] * xf
			}
			z[c] = s
		}
	case mlp:
		var h1b, h2b [maxHidden]float64
		forward(a, th, x, h1b[:a.hid], h2b[:a.hid], z)
	case lineAngle:
		// The point of the line r(φ) = −x·sin φ + y·cos φ = 0 above x.
		sin, cos := math.Sincos(th[0])
		z[0] = x[0] * sin / cos
	}
}

// decide is the prediction from the outputs z.
func (m *Model) decide(z []float64) float64 {
	switch m.s.loss {
	case lossBCE:
		if z[0] > 0 {
			return 1
		}
		return 0
	case lossCE:
		best := 0
		for c, v := range z {
			if v > z[best] {
				best = c
			}
		}
		return float64(best)
	}
	return z[0]
}

// outputs is the number of a sampler's outputs.
func outputs(a sampler) int {
	switch a := a.(type) {
	case linear:
		return a.m
	case mlp:
		return a.m
	}
	return 1
}
