package model

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest"
)

// config is one configuration of a surface for the table-driven tests.
type config struct {
	name  string
	base  func() *Model
	p     sdk.Params
	t     sdk.Texts // texts, and choices by name
	cusps bool      // known minima are cusps (sdktest's minima check does not apply)
}

// configs are the configurations the conformance and GLSL tests run.
var configs = []config{
	{name: "linreg", base: LinReg},
	{name: "linreg/l2", base: LinReg, p: sdk.Params{"l2": 0.5}},
	{name: "linreg/mae", base: LinReg, t: sdk.Texts{"loss": "mae"}},
	{name: "linreg/huber", base: LinReg, p: sdk.Params{"delta": 0.3}, t: sdk.Texts{"loss": "huber"}},
	{name: "linreg/sublinear-rosette", base: LinReg, p: sdk.Params{"noise": 0.05}, t: sdk.Texts{"loss": "sublinear", "dataset": "rosette"}},
	{name: "linreg/test", base: LinReg, p: sdk.Params{"split": 0.3, "l2": 1}, t: sdk.Texts{"subset": "test"}},
	{name: "logreg", base: LogReg},
	{name: "logreg/blobs-l2", base: LogReg, p: sdk.Params{"k": 2, "l2": 0.1}, t: sdk.Texts{"dataset": "blobs"}},
	{name: "softmax", base: Softmax},
	{name: "softmax/spirals", base: Softmax, p: sdk.Params{"k": 4, "n": 120}, t: sdk.Texts{"dataset": "spirals"}},
	{name: "mlp", base: MLP},
	{name: "mlp/relu-2", base: MLP, p: sdk.Params{"layers": 2, "hidden": 5, "n": 60}, t: sdk.Texts{"activation": "relu"}},
	{name: "mlp/tanh-2-spirals", base: MLP, p: sdk.Params{"layers": 2, "hidden": 4, "k": 3, "n": 60, "l2": 0.01}, t: sdk.Texts{"dataset": "spirals"}},
	{name: "mlp/bce", base: MLP, p: sdk.Params{"n": 80}, t: sdk.Texts{"loss": "bce"}},
	{name: "mlp/mse-line", base: MLP, p: sdk.Params{"n": 80}, t: sdk.Texts{"loss": "mse", "dataset": "line"}},
	{name: "mlp/huber-relu", base: MLP, p: sdk.Params{"n": 80, "hidden": 6}, t: sdk.Texts{"loss": "huber", "dataset": "line", "activation": "relu"}},
	{name: "mlp/wide", base: MLP, p: sdk.Params{"n": 20, "hidden": 20}},
	{name: "line-angle", base: LineAngle, cusps: true},
	{name: "line-angle/mse", base: LineAngle, t: sdk.Texts{"loss": "mse"}},
	{name: "line-angle/huber-noise", base: LineAngle, p: sdk.Params{"noise": 0.1, "l2": 0.2}, t: sdk.Texts{"loss": "huber"}},
	{name: "line-angle/sublinear-noise", base: LineAngle, p: sdk.Params{"noise": 0.05}},
	{name: "line-angle/mae-line", base: LineAngle, t: sdk.Texts{"loss": "mae", "dataset": "line"}},
}

// build configures c.
func (c config) build(t testing.TB) *Model {
	t.Helper()
	s, err := sdk.ConfigureTexts(c.base(), c.p, c.t)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return s.(*Model)
}

func TestConformance(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			var opts []sdktest.Option
			if c.p != nil || c.t != nil {
				// The bounds are the same in every configuration; the
				// default ones check them.
				opts = append(opts, sdktest.Skip("hyperparameters"))
			}
			if c.cusps {
				opts = append(opts, sdktest.Skip("minima"))
			}
			sdktest.CheckSurface(t, c.build(t), append(opts, sdktest.WithPoints(40))...)
		})
	}
}

// TestConformanceCSV runs the conformance checks on a CSV dataset.
func TestConformanceCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(path, []byte("a,label,b\n0.5,1,2\n-1,0,0.25\n2,2,-1\n0,1,1\n1.5,0,0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []config{
		{name: "softmax", base: Softmax, t: sdk.Texts{"dataset": "csv", "csv": path, "target": "label"}},
		{name: "linreg", base: LinReg, t: sdk.Texts{"dataset": "csv", "csv": path}},
		{name: "mlp", base: MLP, t: sdk.Texts{"dataset": "csv", "csv": path, "target": "label"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			if got := m.Info().Hyperparameters; got[len(got)-2].DefaultText != path {
				t.Errorf("csv hyperparameter reports %q, want %q", got[len(got)-2].DefaultText, path)
			}
			sdktest.CheckSurface(t, m, sdktest.Skip("hyperparameters"), sdktest.WithPoints(40))
		})
	}
}
