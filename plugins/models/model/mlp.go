package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// mlp is a perceptron with d inputs, 1 or 2 hidden layers of width hid and
// m outputs. Its parameters are, layer after layer, W (out×in, row-major)
// then b.
type mlp struct {
	d, hid, layers, m int
	relu              bool
	h                 head
	// Offsets of the parameters: hidden layers 1 and 2, output layer o.
	w1, b1, w2, b2, wo, bo int
}

func newMLP(d, hid, layers, m int, relu bool, h head) mlp {
	a := mlp{d: d, hid: hid, layers: layers, m: m, relu: relu, h: h}
	a.w1 = 0
	a.b1 = a.w1 + hid*d
	next := a.b1 + hid
	if layers == 2 {
		a.w2 = next
		a.b2 = a.w2 + hid*hid
		next = a.b2 + hid
	}
	a.wo = next
	a.bo = a.wo + m*hid
	return a
}

func (a mlp) dim() int { return a.bo + a.m }

// groups are one per neuron's incoming weights ("l1.w0", …: the rows of
// torch's nn.Linear weight, filters) and one per layer's bias ("l1.b", a
// GroupBias); the output layer is l2 (l3 with 2 hidden layers).
func (a mlp) groups() []sdk.Group {
	var gs []sdk.Group
	layer := func(l, w, b, out, in int) {
		for j := 0; j < out; j++ {
			gs = append(gs, sdk.Group{Name: fmt.Sprintf("l%d.w%d", l, j), Start: w + j*in, Len: in})
		}
		gs = append(gs, sdk.Group{Name: fmt.Sprintf("l%d.b", l), Start: b, Len: out, Kind: sdk.GroupBias})
	}
	layer(1, a.w1, a.b1, a.hid, a.d)
	if a.layers == 2 {
		layer(2, a.w2, a.b2, a.hid, a.hid)
	}
	layer(a.layers+1, a.wo, a.bo, a.m, a.hid)
	return gs
}

func (a mlp) act(s float64) float64 {
	if a.relu {
		return math.Max(s, 0)
	}
	return math.Tanh(s)
}

// dact is the activation's derivative, from its value h.
func (a mlp) dact(h float64) float64 {
	if a.relu {
		if h > 0 {
			return 1
		}
		return 0
	}
	return 1 - h*h
}

// dense sets out = act(W·in + b) for W at th[w:] (len(out)×len(in)) and b at
// th[b:]; a linear output without act.
func dense[T float32 | float64](a mlp, th []float64, w, b int, in []T, out []float64, act bool) {
	n := len(in)
	for j := range out {
		s := th[b+j]
		row := th[w+j*n : w+(j+1)*n]
		for i, v := range in {
			s += row[i] * float64(v)
		}
		if act {
			s = a.act(s)
		}
		out[j] = s
	}
}

// back adds the gradient of a dense layer to g given dout, the loss's
// derivatives with respect to the layer's outputs (before activation),
// and, when din is non-nil, writes the derivatives with respect to its
// inputs there.
func back[T float32 | float64](th, g []float64, w, b int, in []T, dout, din []float64) {
	n := len(in)
	clear(din)
	for j, dj := range dout {
		if dj == 0 {
			continue
		}
		g[b+j] += dj
		gr := g[w+j*n : w+(j+1)*n]
		for i, v := range in {
			gr[i] += dj * float64(v)
		}
		if din != nil {
			row := th[w+j*n : w+(j+1)*n]
			for i, t := range row {
				din[i] += dj * t
			}
		}
	}
}

// total is sampler.total: lossOnly without a gradient.
func (a mlp) total(th []float64, ds *dataset, idx []int, count int, g []float64, wgt float64) float64 {
	if g == nil {
		return a.lossOnly(th, ds, idx, count)
	}
	var sum float64
	d := ds.d
	for k := 0; k < count; k++ {
		o := ds.offset(idx, k)
		sum += a.sample(th, ds.data[o:o+d], float64(ds.data[o+d]), g, wgt)
	}
	return sum
}

// forward writes the outputs at th for the input x into z, and the hidden
// layers' activations into h1 and (with two hidden layers) h2; it returns
// the last hidden layer's.
func forward[T float32 | float64](a mlp, th []float64, x []T, h1, h2, z []float64) []float64 {
	dense(a, th, a.w1, a.b1, x, h1, true)
	last := h1
	if a.layers == 2 {
		last = h2
		dense(a, th, a.w2, a.b2, h1, last, true)
	}
	dense(a, th, a.wo, a.bo, last, z, false)
	return last
}

// sample is the loss of one sample; with g non-nil it adds wgt times its
// gradient to g. Activations stay on the stack.
func (a mlp) sample(th []float64, x []float32, y float64, g []float64, wgt float64) float64 {
	var h1b, h2b [maxHidden]float64
	var zb [maxClasses]float64
	h1, z := h1b[:a.hid], zb[:a.m]
	last := forward(a, th, x, h1, h2b[:a.hid], z)
	if g == nil {
		return a.h.eval(z, y, nil)
	}
	var dzb [maxClasses]float64
	var d1b, d2b [maxHidden]float64
	dz := dzb[:a.m]
	v := a.h.eval(z, y, dz)
	for c := range dz {
		dz[c] *= wgt
	}
	dlast := d2b[:a.hid]
	back(th, g, a.wo, a.bo, last, dz, dlast)
	for j, hj := range last {
		dlast[j] *= a.dact(hj)
	}
	d1 := dlast
	if a.layers == 2 {
		d1 = d1b[:a.hid]
		back(th, g, a.w2, a.b2, h1, dlast, d1)
		for j, hj := range h1 {
			d1[j] *= a.dact(hj)
		}
	}
	back(th, g, a.w1, a.b1, x, d1, nil)
	return v
}

// glsl writes NOUT, the layout, mdl_prepare, mdl_forward and mdl_backward
// (see headSampleGLSL).
// Activations are globals (per invocation).
func (a mlp) glsl(b *strings.Builder) {
	fmt.Fprintf(b, "const int NOUT = %d;\nconst int NH = %d;\n", a.m, a.hid)
	fmt.Fprintf(b, "const int W1 = %d, B1 = %d, WO = %d, BO = %d;\n", a.w1, a.b1, a.wo, a.bo)
	if a.layers == 2 {
		fmt.Fprintf(b, "const int W2 = %d, B2 = %d;\n", a.w2, a.b2)
	}
	a.h.glsl(b)
	if a.relu {
		b.WriteString(`float mdl_act(float s) { return max(s, 0.0); }
float mdl_dact(float h) { return h > 0.0 ? 1.0 : 0.0; }
`)
	} else {
		// tanh as 1 − 2/(e^{2s} + 1): e^{2s} overflowing to +Inf gives 1,
		// underflowing to 0 gives −1; the absolute error is float32's
		// rounding, as with (1 − e^{−2|s|})/(1 + e^{−2|s|}), without the
		// sign's select (5–8% less CPU for the MLP's grid on llvmpipe).
		b.WriteString(`float mdl_act(float s) {
	return 1.0 - 2.0 / (exp(2.0 * s) + 1.0);
}
float mdl_dact(float h) { return 1.0 - h * h; }
`)
	}
	last := "mdl_h1"
	b.WriteString("float mdl_h1[NH];\n")
	if a.layers == 2 {
		b.WriteString("float mdl_h2[NH];\n")
	}
	b.WriteString(`void mdl_prepare() {}
void mdl_forward(int o, out float z[NOUT]) {
	for (int j = 0; j < NH; j++) {
		float a = W(B1 + j);
		for (int f = 0; f < NF; f++) a += W(W1 + j * NF + f) * DATA(o + f);
		mdl_h1[j] = mdl_act(a);
	}
`)
	if a.layers == 2 {
		last = "mdl_h2"
		b.WriteString(`	for (int j = 0; j < NH; j++) {
		float a = W(B2 + j);
		for (int i = 0; i < NH; i++) a += W(W2 + j * NH + i) * mdl_h1[i];
		mdl_h2[j] = mdl_act(a);
	}
`)
	}
	fmt.Fprintf(b, `	for (int c = 0; c < NOUT; c++) {
		float a = W(BO + c);
		for (int j = 0; j < NH; j++) a += W(WO + c * NH + j) * %[1]s[j];
		z[c] = a;
	}
}
void mdl_backward(int o, float dz[NOUT]) {
	float dl[NH];
	for (int j = 0; j < NH; j++) dl[j] = 0.0;
	for (int c = 0; c < NOUT; c++) {
		float gc = dz[c];
		mdl_g[BO + c] += gc;
		for (int j = 0; j < NH; j++) {
			mdl_g[WO + c * NH + j] += gc * %[1]s[j];
			dl[j] += gc * W(WO + c * NH + j);
		}
	}
	for (int j = 0; j < NH; j++) dl[j] *= mdl_dact(%[1]s[j]);
`, last)
	if a.layers == 2 {
		b.WriteString(`	float d1[NH];
	for (int i = 0; i < NH; i++) d1[i] = 0.0;
	for (int j = 0; j < NH; j++) {
		mdl_g[B2 + j] += dl[j];
		for (int i = 0; i < NH; i++) {
			mdl_g[W2 + j * NH + i] += dl[j] * mdl_h1[i];
			d1[i] += dl[j] * W(W2 + j * NH + i);
		}
	}
	for (int i = 0; i < NH; i++) d1[i] *= mdl_dact(mdl_h1[i]);
`)
	} else {
		b.WriteString("\tfloat d1[NH] = dl;\n")
	}
	b.WriteString(`	for (int j = 0; j < NH; j++) {
		mdl_g[B1 + j] += d1[j];
		for (int f = 0; f < NF; f++) mdl_g[W1 + j * NF + f] += d1[j] * DATA(o + f);
	}
}
`)
	b.WriteString(headSampleGLSL)
}
