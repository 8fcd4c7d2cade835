package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// TestRefusals: configurations a surface cannot serve are refused with an
// error wrapping sdk.ErrBadParams that says what is accepted.
func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		base func() *Model
		p    sdk.Params
		t    sdk.Texts
		want string
	}{
		// Each model's loss choice lists the losses it takes.
		{"linreg bce", LinReg, nil, sdk.Texts{"loss": "bce"}, `loss="bce": choose one of mse, mae, huber, sublinear`},
		{"logreg mse", LogReg, nil, sdk.Texts{"loss": "mse"}, `loss="mse": choose one of bce`},
		{"softmax bce", Softmax, nil, sdk.Texts{"loss": "bce"}, `loss="bce": choose one of ce`},
		{"softmax index", Softmax, sdk.Params{"loss": 1}, nil, "loss=1: choose one of ce"},
		{"line-angle ce", LineAngle, nil, sdk.Texts{"loss": "ce"}, "choose one of mse, mae, huber, sublinear"},
		{"linreg moons", LinReg, nil, sdk.Texts{"dataset": "moons"}, "loss=mse needs a regression dataset (line, rosette, or csv), not moons"},
		{"logreg line", LogReg, nil, sdk.Texts{"dataset": "line"}, "loss=bce needs a classification dataset"},
		{"logreg blobs k=3", LogReg, sdk.Params{"k": 3}, sdk.Texts{"dataset": "blobs"}, "loss=bce needs 2 classes"},
		{"mlp mse moons", MLP, nil, sdk.Texts{"loss": "mse"}, "needs a regression dataset"},
		{"mlp ce line", MLP, nil, sdk.Texts{"dataset": "line"}, "needs a classification dataset"},
		{"line-angle blobs", LineAngle, nil, sdk.Texts{"dataset": "blobs"}, "needs a regression dataset"},
		{"test without split", Softmax, nil, sdk.Texts{ParamSubset: "test"}, "no test set (split=0)"},
		{"empty test set", LinReg, sdk.Params{ParamSplit: 0.01, "n": 50}, sdk.Texts{ParamSubset: "test"}, "no test set (split=0.01 holds out none of 50 samples)"},
		{"split too large", LinReg, sdk.Params{ParamSplit: 0.95}, nil, "out of bounds"},
		{"hidden too wide", MLP, sdk.Params{"hidden": 65}, nil, "out of bounds"},
		{"unknown activation", MLP, nil, sdk.Texts{"activation": "sigmoid"}, "choose one of tanh, relu"},
		{"no activation for linreg", LinReg, sdk.Params{"hidden": 3}, nil, `"hidden" is unknown`},
	} {
		_, err := sdk.ConfigureTexts(c.base(), c.p, c.t)
		if !errors.Is(err, sdk.ErrBadParams) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one wrapping sdk.ErrBadParams with %q", c.name, err, c.want)
		}
	}
}

// TestInfoReportsConfiguration: a configured surface's Info has its values
// as defaults, so configuring it again changes only what is given.
func TestInfoReportsConfiguration(t *testing.T) {
	s, err := sdk.ConfigureTexts(MLP(), sdk.Params{"hidden": 5, "n": 40}, sdk.Texts{"activation": "relu", "dataset": "spirals"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(s sdk.Surface, name string) sdk.Hyperparameter {
		for _, h := range s.Info().Hyperparameters {
			if h.Name == name {
				return h
			}
		}
		t.Fatalf("no hyperparameter %s", name)
		return sdk.Hyperparameter{}
	}
	if h := get(s, "activation"); h.Format(h.Default) != "relu" {
		t.Errorf("activation reports %v", h.Format(h.Default))
	}
	s2, err := sdk.Configure(s, sdk.Params{"layers": 2})
	if err != nil {
		t.Fatal(err)
	}
	if h := get(s2, "hidden"); h.Default != 5 {
		t.Errorf("hidden became %v after configuring layers", h.Default)
	}
	if h := get(s2, "dataset"); h.Format(h.Default) != "spirals" {
		t.Errorf("dataset became %v after configuring layers", h.Format(h.Default))
	}
	// 2 → 5 → 5 → 3 (spirals, k = 3): 15 + 30 + 18.
	if d := s2.Info().Dim; d != 2*5+5+5*5+5+5*3+3 {
		t.Errorf("dim %d", d)
	}
}

// TestSplit: train and test partition the samples; the L2 term is on the
// train loss only; the split leaves the data alone.
func TestSplit(t *testing.T) {
	all, err := sdk.Configure(LinReg(), sdk.Params{"n": 101, "l2": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	train, err := sdk.Configure(all, sdk.Params{ParamSplit: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	test, err := sdk.ConfigureTexts(train, nil, sdk.Texts{ParamSubset: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tr, te := train.(*Model), test.(*Model)
	if tr.Samples() != 76 || te.Samples() != 25 {
		t.Errorf("train %d, test %d samples; want 76, 25", tr.Samples(), te.Samples())
	}
	// The test set capability is the subset=test configuration.
	ts, ok := train.(sdk.SurfaceWithTestSet)
	if !ok || ts.TestSet() == nil {
		t.Fatal("a split surface offers no test set")
	}
	for _, th := range [][]float64{{1.5, -0.2}, {-0.3, 0.7}} {
		if a, b := ts.TestSet().Loss(th), test.Loss(th); a != b {
			t.Errorf("TestSet loss %v, subset=test loss %v at %v", a, b, th)
		}
	}
	if ts.TestSet() != ts.TestSet() {
		t.Error("TestSet builds the test surface again on every call")
	}
	if all.(sdk.SurfaceWithTestSet).TestSet() != nil || te.TestSet() != nil {
		t.Error("a surface without held-out samples, or a test configuration, offers a test set")
	}
	rows := func(m *Model) []string {
		var out []string
		for i := 0; i < m.Samples(); i++ {
			x, y := m.ds.sample(i)
			out = append(out, fmt.Sprint(x, y))
		}
		return out
	}
	got := append(rows(tr), rows(te)...)
	want := rows(all.(*Model))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Error("train and test are not a partition of the samples")
	}
	th := []float64{1.5, -0.2}
	noL2, err := sdk.Configure(test, sdk.Params{"l2": 0})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := test.Loss(th), noL2.Loss(th); a != b {
		t.Errorf("test loss %v with l2, %v without: the penalty is on the train loss only", a, b)
	}
	trNoL2, _ := sdk.Configure(train, sdk.Params{"l2": 0})
	if a, b := train.Loss(th), trNoL2.Loss(th)+0.25*(th[0]*th[0]+th[1]*th[1]); math.Abs(a-b) > 1e-12 {
		t.Errorf("train loss %v, data loss + ½·l2·‖θ‖² = %v", a, b)
	}
}

// TestDatasets: sizes, layout, classes, determinism.
func TestDatasets(t *testing.T) {
	for _, c := range []struct {
		dataset          string
		k, d, classes, n int
	}{
		{"line", 3, 1, 0, 50},
		{"rosette", 4, 1, 0, 50},
		{"blobs", 4, 2, 4, 50},
		{"moons", 5, 2, 2, 51},
		{"spirals", 5, 2, 5, 50},
	} {
		base := MLP
		if c.classes == 0 {
			base = LinReg
		}
		s, err := sdk.ConfigureTexts(base(), sdk.Params{"n": float64(c.n), "k": float64(c.k)}, sdk.Texts{"dataset": c.dataset})
		if err != nil {
			t.Fatalf("%s: %v", c.dataset, err)
		}
		m := s.(*Model)
		if m.ds.d != c.d || m.ds.classes != c.classes || len(m.Data()) != c.n*(c.d+1) {
			t.Errorf("%s: %d features, %d classes, %d values; want %d, %d, %d", c.dataset, m.ds.d, m.ds.classes, len(m.Data()), c.d, c.classes, c.n*(c.d+1))
		}
		counts := make([]int, c.classes)
		for i := 0; i < m.Samples(); i++ {
			_, y := m.ds.sample(i)
			if c.classes > 0 {
				counts[int(y)]++
			}
		}
		for j, n := range counts {
			if n < c.n/c.classes || n > c.n/c.classes+1 {
				t.Errorf("%s: class %d has %d samples of %d", c.dataset, j, n, c.n)
			}
		}
		again, _ := sdk.ConfigureTexts(base(), sdk.Params{"n": float64(c.n), "k": float64(c.k)}, sdk.Texts{"dataset": c.dataset})
		if !slices.Equal(again.(*Model).Data(), m.Data()) {
			t.Errorf("%s: the same seed gave other data", c.dataset)
		}
		other, _ := sdk.Configure(again, sdk.Params{"seed": 2})
		if slices.Equal(other.(*Model).Data(), m.Data()) {
			t.Errorf("%s: another seed gave the same data", c.dataset)
		}
	}
	// A noiseless rosette's points lie on its lines.
	m := LineAngle()
	for i := 0; i < m.Samples(); i++ {
		x, y := m.ds.sample(i)
		sin, cos := math.Sincos(rosetteAngle(i%3, 3))
		if r := -float64(x[0])*sin + y*cos; math.Abs(r) > 1e-6 {
			t.Errorf("rosette point %d (%v, %v) is %v off line %d", i, x[0], y, r, i%3)
		}
	}
}

// TestGroups: the groups partition the parameters, in order.
func TestGroups(t *testing.T) {
	for _, c := range configs {
		info := c.build(t).Info()
		next := 0
		seen := map[string]bool{}
		for _, g := range info.Groups {
			if g.Start != next || g.Len < 1 || seen[g.Name] {
				t.Errorf("%s: group %+v after %d parameters", c.name, g, next)
			}
			seen[g.Name] = true
			next = g.Start + g.Len
		}
		if next != info.Dim {
			t.Errorf("%s: groups cover %d of %d parameters", c.name, next, info.Dim)
		}
	}
	m := MLP()
	names := []string{}
	for _, g := range m.Info().Groups {
		names = append(names, g.Name)
	}
	want := "l1.w0 l1.w1 l1.w2 l1.w3 l1.w4 l1.w5 l1.w6 l1.w7 l1.b l2.w0 l2.w1 l2.b"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("mlp groups %s, want %s", got, want)
	}
}

// TestAllocs: Loss, Grad and the batch methods allocate nothing.
func TestAllocs(t *testing.T) {
	for _, c := range configs {
		m := c.build(t)
		th := make([]float64, m.Info().Dim)
		for i := range th {
			th[i] = 0.1 * float64(i%7-3)
		}
		g := make([]float64, len(th))
		idx := []int{0, 1, 0}
		if n := testing.AllocsPerRun(5, func() {
			m.Loss(th)
			m.Grad(g, th)
			m.BatchLoss(th, idx)
			m.BatchGrad(g, th, idx)
		}); n != 0 {
			t.Errorf("%s: %v allocations per evaluation", c.name, n)
		}
	}
}

// TestBadTheta: a theta of the wrong length is NaN, not a panic.
func TestBadTheta(t *testing.T) {
	m := Softmax()
	if v := m.Loss([]float64{1}); !math.IsNaN(v) {
		t.Errorf("Loss of a short theta = %v", v)
	}
	g := make([]float64, 1)
	m.Grad(g, []float64{1})
	if !math.IsNaN(g[0]) {
		t.Errorf("Grad of a short theta = %v", g)
	}
}

// TestLossChoices: each model declares the losses it takes as its loss
// choice's options, and a choice's index selects that loss.
func TestLossChoices(t *testing.T) {
	for _, c := range []struct {
		base func() *Model
		want []string
	}{
		{LinReg, []string{"mse", "mae", "huber", "sublinear"}},
		{LogReg, []string{"bce"}},
		{Softmax, []string{"ce"}},
		{MLP, []string{"mse", "mae", "huber", "bce", "ce", "sublinear"}},
		{LineAngle, []string{"mse", "mae", "huber", "sublinear"}},
	} {
		m := c.base()
		var got []string
		for _, h := range m.Info().Hyperparameters {
			if h.Name == "loss" {
				got = h.Options
				if def := h.Options[int(h.Default)]; def != m.s.loss.String() {
					t.Errorf("%s: default loss %s, configured %s", m.Info().Name, def, m.s.loss)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: losses %v, want %v", m.Info().Name, got, c.want)
		}
		// The last option, on a dataset it fits.
		last := float64(len(c.want) - 1)
		p := sdk.Params{"loss": last}
		if c.want[len(c.want)-1] == "sublinear" {
			p["dataset"] = dsLine
		}
		s, err := sdk.Configure(m, p)
		if err != nil {
			t.Fatalf("%s: loss index %v: %v", m.Info().Name, last, err)
		}
		if got := s.(*Model).s.loss.String(); got != c.want[len(c.want)-1] {
			t.Errorf("%s: loss index %v is %s, want %s", m.Info().Name, last, got, c.want[len(c.want)-1])
		}
	}
}
