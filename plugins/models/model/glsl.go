package model

import (
	"fmt"
	"strconv"
	"strings"
)

// glslInline is the largest dimension whose parameters loss() copies into
// a local array once, rather than reading P(i) (three loads and two
// multiply-adds on a plane of more than 32 parameters) at every use: 15
// times faster for the default mlp on llvmpipe. 4608 holds the largest MLP
// on 2-D data (4482 parameters).
const glslInline = 4608

// headSampleGLSL is mdl_sample and mdl_gsample of the models whose outputs
// z go through a loss head (mdl_head, mdl_dhead): each defines
// mdl_forward(o, z), the outputs for the sample at DATA(o), and
// mdl_backward(o, dz), which adds to mdl_g the gradient that dz (the
// head's gradient, already weighted) sends back through the model.
const headSampleGLSL = `float mdl_sample(int o) {
	float z[NOUT];
	mdl_forward(o, z);
	return mdl_head(z, DATA(o + NF));
}
void mdl_gsample(int o, float wgt) {
	float z[NOUT], dz[NOUT];
	mdl_forward(o, z);
	mdl_dhead(z, DATA(o + NF), dz);
	for (int c = 0; c < NOUT; c++) dz[c] *= wgt;
	mdl_backward(o, dz);
}
`

// buildGLSL generates the snippet of m's configuration: sizes are
// constants, the loss and the L2 strength are baked in. It defines loss()
// and grad(), and reads the samples from DATA (NDATA = NS·(NF+1)).
func (m *Model) buildGLSL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s, loss %s, generated for this configuration: NS = %d samples, NF = %d features each.\n",
		m.kind.spec().name, m.s.loss, m.ds.n(), m.ds.d)
	// The host declares each hyperparameter as a constant before the
	// snippet, and one of them is named loss: the function is renamed here
	// (the template's calls of loss() come after this line).
	b.WriteString("#define loss mdl_loss\n")
	fmt.Fprintf(&b, "const int NS = %d;\nconst int NF = %d;\n", m.ds.n(), m.ds.d)
	if m.info.Dim <= glslInline {
		b.WriteString(`float mdl_th[DIM];
#define W(i) mdl_th[(i)]
void mdl_load() { for (int j = 0; j < DIM; j++) mdl_th[j] = P(j); }
`)
	} else {
		b.WriteString("#define W(i) P(i)\nvoid mdl_load() {}\n")
	}
	b.WriteString("float mdl_g[DIM];\n")
	switch a := m.a.(type) {
	case linear:
		a.glsl(&b)
	case mlp:
		a.glsl(&b)
	case lineAngle:
		a.glsl(&b)
	}
	// loss_terms and loss_total let the host split a point's samples
	// among invocations (see sdk.SurfaceWithGLSL); loss() sums in blocks
	// of 256 samples, to keep float32's rounding error small for large
	// datasets.
	b.WriteString(`const int SAMPLES = NS;
float loss_terms(int first, int last, int step) {
	mdl_load();
	mdl_prepare();
	float s = 0.0;
	for (int i = first; i < last; i += step) s += mdl_sample(i * (NF + 1));
	return s;
}
float loss_total(float sum) {
	float v = sum / float(NS);
`)
	if m.l2 > 0 {
		fmt.Fprintf(&b, `	mdl_load();
	float q = 0.0;
	for (int j = 0; j < DIM; j++) q += W(j) * W(j);
	v += %s * q;
`, glslFloat(0.5*m.l2))
	}
	b.WriteString(`	return v;
}
float loss() {
	float s = 0.0;
	for (int b = 0; b < NS; b += 256) s += loss_terms(b, min(b + 256, NS), 1);
	return loss_total(s);
}
void grad(out float g[DIM]) {
	mdl_load();
	mdl_prepare();
	for (int j = 0; j < DIM; j++) mdl_g[j] = 0.0;
	float wgt = 1.0 / float(NS);
	for (int i = 0; i < NS; i++) mdl_gsample(i * (NF + 1), wgt);
`)
	if m.l2 > 0 {
		fmt.Fprintf(&b, "\tfor (int j = 0; j < DIM; j++) g[j] = mdl_g[j] + %s * W(j);\n}\n", glslFloat(m.l2))
	} else {
		b.WriteString("\tfor (int j = 0; j < DIM; j++) g[j] = mdl_g[j];\n}\n")
	}
	return b.String()
}

// glslFloat formats v as a GLSL float literal.
func glslFloat(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 32)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
