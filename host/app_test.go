package host

import (
	"context"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// inProcess is an App whose only plugin is served in this process
// (sdk.ServeTest) with the given surfaces and optimizers.
func inProcess(t testing.TB, opts ...sdk.ServeOption) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rc, done, err := sdk.ServeTest(ctx, append(opts, sdk.WithLogger(hclog.NewNullLogger()))...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	a := &App{Stderr: io.Discard, Plugins: []PluginFile{{Name: "inproc", Reattach: rc}}}
	t.Cleanup(func() { a.Close(); cancel(); <-done })
	return a
}

// TestInProcessPlugin drives a plugin served in this process through the
// host's whole path: the catalog, a configured surface, a resolved scene,
// a CPU grid, an optimizer run and the routing of settings.
func TestInProcessPlugin(t *testing.T) {
	ripple, _ := funcs.ByName("ripple")
	bowl, _ := funcs.ByName("bowl")
	gd, _ := opt.ByName("gd")
	a := inProcess(t, sdk.WithSurfaces(ripple, bowl), sdk.WithOptimizers(gd))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Entries) != 2 || len(cat.Optimizers) != 1 || cat.Entries[0].Plugin != "inproc" {
		t.Fatalf("catalog %+v", cat)
	}
	sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: "ripple", Res: Res{Nx: 9, Ny: 7}})
	if err != nil {
		t.Fatal(err)
	}
	f, used, err := a.Evaluate(ctx, BackendCPU, sc, compute.Options{})
	if err != nil || used != BackendCPU {
		t.Fatalf("Evaluate: %v on %v", err, used)
	}
	th := make([]float64, 2)
	for j := 0; j < 7; j++ {
		for i := 0; i < 9; i++ {
			sc.Grid.Point(th, i, j)
			if got, want := f.At(i, j), float32(ripple.Loss(th)); got != want {
				t.Fatalf("(%d,%d) = %v, want %v", i, j, got, want)
			}
		}
	}
	// A point of the wrong length names its input.
	_, err = a.ResolveScene(ctx, cat, SceneSpec{Surface: "bowl", Res: Res{Nx: 4, Ny: 4}, Plane: PlaneSpec{At: []float64{1, 2, 3}}})
	var in *InputError
	if !errors.As(err, &in) || in.Input != "point" || err.Error() != "point has 3 values; bowl has 2 parameters" {
		t.Errorf("a wrong point: %v", err)
	}
	// Settings routed between the surface and gd, then a run.
	set, _ := ParseSettings("cond=4,lr=0.1")
	e, _ := cat.Lookup("bowl")
	o, _ := cat.LookupOptimizer("gd")
	r, err := Route(set, "bowl", e.Hyperparameters, []OptEntry{o})
	if err != nil {
		t.Fatal(err)
	}
	surf, err := a.Configure(ctx, e, r.Surface)
	if err != nil {
		t.Fatal(err)
	}
	trajs, err := a.Optimize(ctx, OptimizeSpec{Surface: surf, Opt: o, OptParams: r.Optimizers["gd"], Starts: [][]float64{{1, 1}}, Steps: 500})
	if err != nil {
		t.Fatal(err)
	}
	if tr := trajs[0]; tr.Status.String() != "converged" || math.Abs(tr.Location.X[0]) > 1e-3 || math.Abs(tr.Location.X[1]) > 1e-3 {
		t.Errorf("gd on bowl: %v at %v", tr.Status, tr.Location.X)
	}
	// The plugin refuses settings it does not take, through the client.
	if _, err := a.Configure(ctx, e, client.Settings{Params: sdk.Params{"cond": -1}}); !errors.Is(err, sdk.ErrBadParams) {
		t.Errorf("cond=-1: %v", err)
	}
}

// TestHessians checks the host's Hessians of an in-process plugin's
// surface against the exact ones.
func TestHessians(t *testing.T) {
	himmelblau, _ := funcs.ByName("himmelblau")
	a := inProcess(t, sdk.WithSurfaces(himmelblau))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := cat.Lookup("himmelblau")
	s, err := a.Configure(ctx, e, client.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	pts := []float64{3, 2, -0.270845, -0.923039, 1.5, -4}
	h, method, err := a.Hessians(ctx, s, pts)
	if err != nil || method == "" {
		t.Fatal(err, method)
	}
	for i := 0; i < 3; i++ {
		x, y := pts[2*i], pts[2*i+1]
		// f = (x²+y−11)² + (x+y²−7)²
		want := []float64{12*x*x + 4*y - 42, 4 * (x + y), 4 * (x + y), 4*x + 12*y*y - 26}
		for k, w := range want {
			if got := h[4*i+k]; math.Abs(got-w) > 1e-6*(1+math.Abs(w)) {
				t.Errorf("point %d entry %d = %v, want %v", i, k, got, w)
			}
		}
	}
	if _, _, err := a.Hessians(ctx, s, []float64{1, 2, 3}); !errors.Is(err, ErrBadInput) {
		t.Errorf("ragged points: %v", err)
	}
}
