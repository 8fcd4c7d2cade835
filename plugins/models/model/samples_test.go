package model

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// TestDataset: a surface hands over the samples its loss is over, with
// the columns named (the CSV's own names, the target last), and its test
// set's are the rest of the data.
func TestDataset(t *testing.T) {
	m := LineAngle()
	ds := m.Dataset()
	if strings.Join(ds.Columns, ",") != "x,y" || ds.Classes != 0 || ds.Samples() != 200 || ds.Validate() != nil {
		t.Fatalf("line-angle: columns %v, %d classes, %d samples", ds.Columns, ds.Classes, ds.Samples())
	}
	for i, v := range m.ds.data {
		if ds.Values[i] != float64(v) {
			t.Fatalf("value %d: %v, the data's %v", i, ds.Values[i], v)
		}
	}
	// With a split, train and test make up the whole dataset.
	s, err := sdk.Configure(LineAngle(), sdk.Params{ParamSplit: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	train := s.(*Model).Dataset()
	test := s.(*Model).TestSet().(*Model).Dataset()
	if train.Samples() != 140 || test.Samples() != 60 || !slices.Equal(test.Columns, train.Columns) {
		t.Fatalf("split=0.3: %d and %d samples, columns %v and %v", train.Samples(), test.Samples(), train.Columns, test.Columns)
	}
	all := append(slices.Clone(train.Values), test.Values...)
	want := slices.Clone(ds.Values)
	pairs := func(v []float64) []string {
		var out []string
		for i := 0; i < len(v); i += 2 {
			out = append(out, strconv.FormatFloat(v[i], 'g', -1, 64)+","+strconv.FormatFloat(v[i+1], 'g', -1, 64))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(pairs(all), pairs(want)) {
		t.Error("the training and test samples are not the dataset's")
	}
	s, err = sdk.ConfigureTexts(MLP(), sdk.Params{"k": 3, "n": 30}, sdk.Texts{"dataset": "blobs"})
	if err != nil {
		t.Fatal(err)
	}
	if b := s.(*Model).Dataset(); strings.Join(b.Columns, ",") != "x0,x1,class" || b.Classes != 3 || b.Samples() != 30 {
		t.Errorf("blobs: columns %v, %d classes, %d samples", b.Columns, b.Classes, b.Samples())
	}
	p := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(p, []byte("a,price,b\n1,10,2\n3,20,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = sdk.ConfigureTexts(LinReg(), nil, sdk.Texts{"dataset": "csv", "csv": p, "target": "price"})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.(*Model).Dataset(); strings.Join(c.Columns, ",") != "a,b,price" || !slices.Equal(c.Values, []float64{1, 2, 10, 3, 4, 20}) {
		t.Errorf("csv: columns %v, values %v", c.Columns, c.Values)
	}
}

// TestPredict checks the models' predictions against their losses: the
// mean squared error of the predictions is the mse loss (linreg, an MLP),
// a point predicted on line-angle's line has residual 0, logistic
// regression predicts a sample right exactly where its loss is below
// ln 2, and softmax regression predicts its largest logit.
func TestPredict(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	theta := func(n int) []float64 {
		th := make([]float64, n)
		for i := range th {
			th[i] = r.NormFloat64()
		}
		return th
	}
	inputs := func(m *Model) ([]float64, []float64) {
		var x, y []float64
		for i := 0; i < m.ds.n(); i++ {
			f, target := m.ds.sample(i)
			for _, v := range f {
				x = append(x, float64(v))
			}
			y = append(y, target)
		}
		return x, y
	}
	for _, c := range []config{
		{name: "linreg", base: LinReg},
		{name: "mlp/mse-line", base: MLP, p: sdk.Params{"n": 80}, t: sdk.Texts{"loss": "mse", "dataset": "line"}},
		{name: "mlp/mse-2", base: MLP, p: sdk.Params{"n": 50, "layers": 2, "hidden": 3}, t: sdk.Texts{"loss": "mse", "dataset": "line", "activation": "relu"}},
	} {
		m := c.build(t)
		th := theta(m.dim)
		x, y := inputs(m)
		pred := make([]float64, len(y))
		m.Predict(pred, th, x)
		var sum float64
		for i := range y {
			sum += (pred[i] - y[i]) * (pred[i] - y[i])
		}
		if got, want := sum/float64(len(y)), m.Loss(th); math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s: the mean squared error of the predictions is %v, the loss %v", c.name, got, want)
		}
	}

	la := LineAngle()
	x, _ := inputs(la)
	pred := make([]float64, len(x))
	for _, phi := range []float64{0.3, -1.2, 1.5} {
		la.Predict(pred, []float64{phi}, x)
		sin, cos := math.Sincos(phi)
		for i, xi := range x {
			if r := -xi*sin + pred[i]*cos; math.Abs(r) > 1e-12*(1+math.Abs(xi)) {
				t.Fatalf("φ=%v: the prediction at x=%v is %v, off the line by %v", phi, xi, pred[i], r)
			}
		}
	}

	lr := LogReg()
	th := theta(lr.dim)
	x, y := inputs(lr)
	pred = make([]float64, len(y))
	lr.Predict(pred, th, x)
	for i := range y {
		right := lr.BatchLoss(th, []int{i}) < math.Ln2
		if (pred[i] == y[i]) != right {
			t.Fatalf("logreg sample %d: predicted %v, class %v, loss %v", i, pred[i], y[i], lr.BatchLoss(th, []int{i}))
		}
	}

	sm := Softmax()
	th = theta(sm.dim)
	x, y = inputs(sm)
	pred = make([]float64, len(y))
	sm.Predict(pred, th, x)
	k, d := sm.ds.classes, sm.ds.d
	for i := range y {
		best, arg := math.Inf(-1), -1
		for c := 0; c < k; c++ {
			z := th[k*d+c] // W (k×d) row-major, then b
			for f := 0; f < d; f++ {
				z += th[c*d+f] * x[i*d+f]
			}
			if z > best {
				best, arg = z, c
			}
		}
		if pred[i] != float64(arg) {
			t.Fatalf("softmax sample %d: predicted %v, the largest logit's class %d", i, pred[i], arg)
		}
	}

	// Inputs of the wrong size, or parameters, give NaN.
	bad := make([]float64, 2)
	sm.Predict(bad, th, []float64{1, 2, 3})
	if !math.IsNaN(bad[0]) || !math.IsNaN(bad[1]) {
		t.Errorf("3 input values for 2 inputs of 2 features: %v", bad)
	}
	sm.Predict(bad, th[1:], []float64{1, 2, 3, 4})
	if !math.IsNaN(bad[0]) {
		t.Errorf("a short theta: %v", bad)
	}
}

// TestPeriodsAndGroups: line-angle's φ is periodic with period π, its
// mse minimum is listed in [−π/2, π/2) (−π/2, not π/2, for vertical data);
// the groups of biases (and of the scalar φ) are GroupBias, the weights'
// rows filters.
func TestPeriodsAndGroups(t *testing.T) {
	if p := LineAngle().Info().Periods; len(p) != 1 || p[0] != math.Pi {
		t.Errorf("line-angle periods %v, want [π]", p)
	}
	if p := MLP().Info().Periods; p != nil {
		t.Errorf("mlp periods %v, want none", p)
	}
	path := filepath.Join(t.TempDir(), "vertical.csv")
	if err := os.WriteFile(path, []byte("x,y\n0,1\n0,-2\n0,0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := sdk.ConfigureTexts(LineAngle(), nil, sdk.Texts{"dataset": "csv", "csv": path, "loss": "mse"})
	if err != nil {
		t.Fatal(err)
	}
	if mins := s.Info().Minima; len(mins) != 1 || mins[0].Location[0] != -math.Pi/2 {
		t.Errorf("vertical data: minima %+v, want one at -π/2", mins)
	}
	for _, c := range configs {
		for _, g := range c.build(t).Info().Groups {
			bias := g.Name == "b" || strings.HasSuffix(g.Name, ".b") || g.Name == "phi"
			if bias != (g.Kind == sdk.GroupBias) {
				t.Errorf("%s: group %+v", c.name, g)
			}
		}
	}
}
