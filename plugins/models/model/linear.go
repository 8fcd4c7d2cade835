package model

import (
	"fmt"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// linear is z = W·x + b with m outputs and d features: W (m×d, row-major),
// then b (m). It is linreg (m = 1, a regression loss), logreg (m = 1, bce)
// and softmax regression (m = k, ce).
type linear struct {
	d, m int
	h    head
}

func (a linear) dim() int { return a.m*a.d + a.m }

// groups are one per row of W ("w0", …; "w" when m = 1: filters, as torch's
// nn.Linear(d, m).weight rows) and the bias "b" (a GroupBias).
func (a linear) groups() []sdk.Group {
	var gs []sdk.Group
	if a.m == 1 {
		gs = append(gs, sdk.Group{Name: "w", Start: 0, Len: a.d})
	} else {
		for c := 0; c < a.m; c++ {
			gs = append(gs, sdk.Group{Name: fmt.Sprintf("w%d", c), Start: c * a.d, Len: a.d})
		}
	}
	return append(gs, sdk.Group{Name: "b", Start: a.m * a.d, Len: a.m, Kind: sdk.GroupBias})
}

// total is sampler.total. Linear regression without the gradient, the
// cheapest and commonest case, has its own loop.
func (a linear) total(th []float64, ds *dataset, idx []int, count int, g []float64, wgt float64) float64 {
	var sum float64
	d := ds.d
	if a.m == 1 && !a.h.loss.classification() && g == nil {
		w, b := th[:d], th[d]
		for k := 0; k < count; k++ {
			o := ds.offset(idx, k)
			x := ds.data[o : o+d+1]
			z := b
			for f, wf := range w {
				z += wf * float64(x[f])
			}
			v, _ := a.h.regFast(z - float64(x[d]))
			sum += v
		}
		return sum
	}
	for k := 0; k < count; k++ {
		o := ds.offset(idx, k)
		sum += a.sample(th, ds.data[o:o+d], float64(ds.data[o+d]), g, wgt)
	}
	return sum
}

// sample is the loss of one sample; with g non-nil it adds wgt times its
// gradient to g.
func (a linear) sample(th []float64, x []float32, y float64, g []float64, wgt float64) float64 {
	d, m := a.d, a.m
	var zb [maxClasses]float64
	z := zb[:m]
	for c := range z {
		s := th[m*d+c]
		row := th[c*d : (c+1)*d]
		for f, xf := range x {
			s += row[f] * float64(xf)
		}
		z[c] = s
	}
	if g == nil {
		return a.h.eval(z, y, nil)
	}
	var db [maxClasses]float64
	dz := db[:m]
	v := a.h.eval(z, y, dz)
	for c, dc := range dz {
		gc := wgt * dc
		row := g[c*d : (c+1)*d]
		for f, xf := range x {
			row[f] += gc * float64(xf)
		}
		g[m*d+c] += gc
	}
	return v
}

// glsl writes NOUT, mdl_prepare, mdl_forward and mdl_backward (see
// headSampleGLSL).
func (a linear) glsl(b *strings.Builder) {
	fmt.Fprintf(b, "const int NOUT = %d;\n", a.m)
	a.h.glsl(b)
	b.WriteString(`void mdl_prepare() {}
void mdl_forward(int o, out float z[NOUT]) {
	for (int c = 0; c < NOUT; c++) {
		float a = W(NOUT * NF + c);
		for (int f = 0; f < NF; f++) a += W(c * NF + f) * DATA(o + f);
		z[c] = a;
	}
}
void mdl_backward(int o, float dz[NOUT]) {
	for (int c = 0; c < NOUT; c++) {
		float gc = dz[c];
		for (int f = 0; f < NF; f++) mdl_g[c * NF + f] += gc * DATA(o + f);
		mdl_g[NOUT * NF + c] += gc;
	}
}
`)
	b.WriteString(headSampleGLSL)
}
