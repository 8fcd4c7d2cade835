package model

import (
	"math"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// lineAngle is a line through the origin at angle φ (the one parameter).
// A sample is the point (x, y) of its one feature and its target, and its
// residual is the signed distance r = −x·sin φ + y·cos φ.
type lineAngle struct{ h head }

func (lineAngle) dim() int { return 1 }

// groups: φ is a scalar, a tensor of no dimension, which filter
// normalization treats as biases are treated (Li et al. ignore it).
func (lineAngle) groups() []sdk.Group {
	return []sdk.Group{{Name: "phi", Start: 0, Len: 1, Kind: sdk.GroupBias}}
}

// total is sampler.total.
func (a lineAngle) total(th []float64, ds *dataset, idx []int, count int, g []float64, wgt float64) float64 {
	sin, cos := math.Sincos(th[0])
	var sum, dphi float64
	for k := 0; k < count; k++ {
		o := ds.offset(idx, k)
		x, y := float64(ds.data[o]), float64(ds.data[o+1])
		v, d := a.h.regFast(-x*sin + y*cos)
		sum += v
		dphi += d * (-x*cos - y*sin)
	}
	if g != nil {
		g[0] += wgt * dphi
	}
	return sum
}

// glsl writes mdl_prepare, mdl_sample and mdl_gsample.
func (a lineAngle) glsl(b *strings.Builder) {
	a.h.glslReg(b)
	b.WriteString(`float mdl_sin, mdl_cos;
void mdl_prepare() {
	mdl_sin = sin(W(0));
	mdl_cos = cos(W(0));
}
float mdl_sample(int o) { return mdl_reg(-DATA(o) * mdl_sin + DATA(o + 1) * mdl_cos); }
void mdl_gsample(int o, float wgt) {
	float x = DATA(o), y = DATA(o + 1);
	mdl_g[0] += wgt * mdl_dreg(-x * mdl_sin + y * mdl_cos) * (-x * mdl_cos - y * mdl_sin);
}
`)
}
