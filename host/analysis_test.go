package host

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// TestAnalyzeMLP runs the curvature analyses on the MLP over a CSV
// dataset, served in-process with its exact Hessian-vector products:
// Lanczos's top 5 agree with the dense eigenvalues to 1e-6 relative, the
// Hutch++ trace falls within its reported error of the exact trace, and
// the SLQ density integrates to 1 with a first moment of trace/n.
func TestAnalyzeMLP(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "data.csv")
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("a,b,class\n")
	for i := 0; i < 120; i++ {
		x, y := rng.NormFloat64(), rng.NormFloat64()
		c := 0
		if x*y+0.3*rng.NormFloat64() > 0 {
			c = 1
		}
		fmt.Fprintf(&b, "%g,%g,%d\n", x, y, c)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	a := inProcess(t, sdk.WithSurfaces(model.MLP()))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := cat.Lookup("mlp")
	s, err := a.Configure(ctx, e, client.Settings{Params: sdk.Params{"hidden": 6}, Texts: sdk.Texts{"dataset": "csv", "csv": csv}})
	if err != nil {
		t.Fatal(err)
	}
	at := make([]float64, s.Desc.Dim)
	for i := range at {
		at[i] = 0.7 * rng.NormFloat64()
	}
	r, err := a.AnalyzeHessian(ctx, HessianSpec{Surface: s, At: at, Dense: true, Top: 5, Trace: true, Queries: 30, Density: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.HVP != "exact" {
		t.Errorf("products from %q, want the plugin's exact ones", r.HVP)
	}
	vals := r.Dense.Values
	n := len(vals)
	for i, p := range r.Lanczos.Top {
		want := vals[n-1-i]
		if math.Abs(p.Value-want) > 1e-6*math.Abs(want) {
			t.Errorf("Lanczos top %d = %.12g, dense %.12g", i+1, p.Value, want)
		}
	}
	tr := r.Dense.Trace
	if h := r.HutchPP; math.Abs(h.Value-tr) > 3*h.StdErr+1e-9*math.Abs(tr) {
		t.Errorf("Hutch++ %v ± %v, exact trace %v: outside three standard errors", h.Value, h.StdErr, tr)
	}
	d := r.Density
	mass, first := 0.0, 0.0
	for i := 1; i < len(d.Lambda); i++ {
		dl := d.Lambda[i] - d.Lambda[i-1]
		mass += d.Value[i] * dl
		first += d.Value[i] * d.Lambda[i] * dl
	}
	if math.Abs(mass-1) > 1e-3 {
		t.Errorf("the density integrates to %v", mass)
	}
	if math.Abs(first-d.Mean) > 1e-3*(1+math.Abs(d.Mean)) {
		t.Errorf("the density's first moment %v, its quadrature's mean %v", first, d.Mean)
	}
	if math.Abs(d.Trace.Value/float64(n)-d.Mean) > 1e-12*(1+math.Abs(d.Mean)) {
		t.Errorf("trace/n %v and mean %v differ", d.Trace.Value/float64(n), d.Mean)
	}
	// Its first moment estimates trace/n within the runs' standard error.
	if math.Abs(d.Trace.Value-tr) > 4*d.Trace.StdErr {
		t.Errorf("SLQ trace %v ± %v, exact %v", d.Trace.Value, d.Trace.StdErr, tr)
	}
}
