package sdk_test

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// Bowl is a surface with one hyperparameter: s·(x² + y²).
type Bowl struct{ s float64 }

func (b Bowl) Info() sdk.Info {
	return sdk.Info{
		Name: "bowl2", Summary: "a scaled bowl", Dim: 2,
		Domain:          []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "s", Doc: "scale", Default: b.s, Min: 0, Max: 10}},
		Minima:          []sdk.Minimum{{Location: []float64{0, 0}, Value: 0}},
	}
}

func (b Bowl) Loss(p []float64) float64 { return b.s * (p[0]*p[0] + p[1]*p[1]) }

func (b Bowl) Grad(dst, p []float64) { dst[0], dst[1] = 2*b.s*p[0], 2*b.s*p[1] }

func (Bowl) Configure(p sdk.Params) (sdk.Surface, error) { return Bowl{s: p["s"]}, nil }

// A surface is a Go value with Info and Loss; Configure gives it settings
// (checked against its declaration first).
func Example() {
	s, err := sdk.Configure(Bowl{s: 1}, sdk.Params{"s": 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Loss([]float64{1, 1}))
	_, err = sdk.Configure(Bowl{s: 1}, sdk.Params{"s": 11})
	fmt.Println(err)
	// Output:
	// 6
	// sdk: bad hyperparameter: s=11 is out of bounds [0, 10]
}

// Users write flags as false or true and choices by name; they travel as
// numbers.
func ExampleResolveTexts() {
	decl := []sdk.Hyperparameter{
		{Name: "lr", Default: 0.1, Min: 0, Max: 1},
		{Name: "amsgrad", Flag: true},
		{Name: "schedule", Options: []string{"none", "step", "exponential", "cosine"}},
	}
	p, _, err := sdk.ResolveTexts(decl, sdk.Params{"lr": 0.5}, sdk.Texts{"amsgrad": "true", "schedule": "cosine"})
	fmt.Println(p["lr"], p["amsgrad"], p["schedule"], err)
	var words []string
	for _, h := range decl {
		words = append(words, h.Name+"="+h.Format(p[h.Name]))
	}
	fmt.Println(strings.Join(words, " "))
	_, _, err = sdk.ResolveTexts(decl, nil, sdk.Texts{"schedule": "cosin"})
	fmt.Println(err)
	// Output:
	// 0.5 1 3 <nil>
	// lr=0.5 amsgrad=true schedule=cosine
	// sdk: bad hyperparameter: schedule="cosin": choose one of none, step, exponential, cosine
}

// gd is plain gradient descent, x ← x − lr·∇f(x).
type gd struct{}

func (gd) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "gd2", Summary: "gradient descent", Gradient: true,
		Hyperparameters: []sdk.Hyperparameter{{Name: "lr", Doc: "learning rate", Default: 0.1, Min: 0, Max: 10}}}
}

func (gd) Start(p sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	return &gdRun{x: append([]float64(nil), x0...), lr: p["lr"]}, nil
}

type gdRun struct {
	x  []float64
	lr float64
}

func (r *gdRun) Ask() ([][]float64, sdk.Need) { return [][]float64{r.x}, sdk.NeedGradient }

func (r *gdRun) Tell(_ []float64, g [][]float64) sdk.Step {
	for k := range r.x {
		r.x[k] -= r.lr * g[0][k]
	}
	return sdk.Step{X: r.x, LR: r.lr}
}

// An optimizer works by reverse communication: the run asks for points,
// whoever drives it (the host, here a loop) answers, the run moves.
func ExampleOptimizer() {
	b := Bowl{s: 1}
	run, _ := gd{}.Start(sdk.Params{"lr": 0.25}, []float64{1, -2}, 1)
	for range 3 {
		pts, _ := run.Ask()
		g := make([]float64, 2)
		b.Grad(g, pts[0])
		st := run.Tell([]float64{b.Loss(pts[0])}, [][]float64{g})
		fmt.Println(st.X)
	}
	// Output:
	// [0.5 -1]
	// [0.25 -0.5]
	// [0.125 -0.25]
}

// ServeTest serves a plugin inside a test process; the host's client
// reaches it as it reaches a plugin process.
func ExampleServeTest() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, done, err := sdk.ServeTest(ctx, sdk.WithSurfaces(Bowl{s: 1}), sdk.WithOptimizers(gd{}), sdk.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := plugin.NewClient(&plugin.ClientConfig{HandshakeConfig: client.Handshake(), Plugins: client.Plugins(), Reattach: rc,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC}, Logger: hclog.NewNullLogger()})
	defer func() { c.Kill(); cancel(); <-done }()
	rpc, err := c.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	surfaces, _, err := client.Dispense(rpc, "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := surfaces.Loss(ctx, client.Points{Ref: client.Ref{Name: "bowl2", Settings: client.Settings{Params: sdk.Params{"s": 2}}}, Dim: 2, Points: []float64{1, 0, 0.5, 0.5}})
	fmt.Println(v, err)
	fmt.Println(math.Abs(v[0]-2) < 1e-15)
	// Output:
	// [2 1] <nil>
	// true
}
