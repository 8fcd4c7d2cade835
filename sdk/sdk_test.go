package sdk

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// quad is x² + 2y² with hyperparameter s scaling it.
type quad struct{ s float64 }

func (q quad) Info() Info {
	return Info{Name: "quad", Summary: "test", Dim: 2, Domain: []Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []Hyperparameter{{Name: "s", Default: 1, Min: 0, Max: 10}},
		Minima:          []Minimum{{Location: []float64{0, 0}}}}
}
func (q quad) Loss(p []float64) float64 { return q.s * (p[0]*p[0] + 2*p[1]*p[1]) }
func (q quad) Configure(p Params) (Surface, error) {
	if p["s"] == 7 {
		return nil, errors.New("s=7 is unlucky")
	}
	return quad{s: p["s"]}, nil
}

func TestConfigure(t *testing.T) {
	s, err := Configure(quad{}, Params{"s": 3})
	if err != nil || s.Loss([]float64{1, 0}) != 3 {
		t.Fatalf("Configure: %v, %v", s, err)
	}
	for _, p := range []Params{{"s": 11}, {"s": math.NaN()}, {"t": 1}, {"s": 7}} {
		if _, err := Configure(quad{}, p); !errors.Is(err, ErrBadParams) {
			t.Errorf("Configure(%v) = %v, want ErrBadParams", p, err)
		}
	}
	if _, err := Configure(quad{}, Params{"x": 1}); err == nil || !strings.Contains(err.Error(), "accepted: s") {
		t.Errorf("unknown name error %v should list accepted names", err)
	}
}

func TestResolveTexts(t *testing.T) {
	decl := []Hyperparameter{
		{Name: "n", Default: 3, Min: 1, Max: 10, Integer: true},
		{Name: "loss", Default: 1, Options: []string{"mse", "huber", "mae"}},
		{Name: "csv", Text: true, DefaultText: "data.csv"},
	}
	p, tx, err := ResolveTexts(decl, nil, nil)
	if err != nil || p["n"] != 3 || p["loss"] != 1 || tx["csv"] != "data.csv" || len(p) != 2 || len(tx) != 1 {
		t.Fatalf("defaults: %v %v %v", p, tx, err)
	}
	p, tx, err = ResolveTexts(decl, Params{"n": 5, "csv": 12}, Texts{"loss": "mae"})
	if err != nil || p["n"] != 5 || p["loss"] != 2 || tx["csv"] != "12" {
		t.Fatalf("given: %v %v %v", p, tx, err)
	}
	for _, c := range []struct {
		p    Params
		t    Texts
		want string
	}{
		{nil, Texts{"loss": "hubre"}, `loss="hubre": choose one of mse, huber, mae`},
		{Params{"loss": 3}, nil, "choose one of"},
		{Params{"loss": 0.5}, nil, "choose one of"},
		{nil, Texts{"n": "five"}, `n="five" is not a number`},
		{nil, Texts{"x": "1"}, `"x" is unknown (accepted: n, loss, csv)`},
	} {
		if _, _, err := ResolveTexts(decl, c.p, c.t); !errors.Is(err, ErrBadParams) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ResolveTexts(%v, %v) = %v; want %q", c.p, c.t, err, c.want)
		}
	}
	if h := decl[1]; h.DefaultString() != "huber" || h.Format(2) != "mae" || h.Option("mse") != 0 || h.Option("x") != -1 {
		t.Errorf("choice formatting: %q %q", h.DefaultString(), h.Format(2))
	}
	bad := []Hyperparameter{{Name: "a", Text: true, Options: []string{"x"}}}
	if err := validHyperparameters("t", bad); err == nil {
		t.Error("a hyperparameter both text and choice was accepted")
	}
}

func TestNewServerRejects(t *testing.T) {
	if _, err := newServer([]Surface{quad{1}, quad{2}}, &activity{}, ""); err == nil {
		t.Error("duplicate names accepted")
	}
}

// TestInfoValidatePeriodsAndKinds: periods are none or one per parameter,
// finite and not negative; group kinds are known; parameter names are
// none or one per parameter, each well formed and unique.
func TestInfoValidatePeriodsAndKinds(t *testing.T) {
	for _, c := range []struct {
		edit func(*Info)
		want string
	}{
		{func(i *Info) { i.Periods = []float64{0, math.Pi} }, ""},
		{func(i *Info) { i.Periods = []float64{math.Pi} }, "1 periods for 2 parameters"},
		{func(i *Info) { i.Periods = []float64{-1, 0} }, "period of parameter 0 is -1"},
		{func(i *Info) { i.Periods = []float64{0, math.Inf(1)} }, "period of parameter 1 is +Inf"},
		{func(i *Info) { i.Periods = []float64{math.NaN(), 0} }, "period of parameter 0 is NaN"},
		{func(i *Info) {
			i.Groups = []Group{{Name: "w", Start: 0, Len: 1}, {Name: "b", Start: 1, Len: 1, Kind: GroupBias}}
		}, ""},
		{func(i *Info) { i.Groups = []Group{{Name: "w", Start: 0, Len: 2, Kind: 2}} }, "group w has kind 2"},
		{func(i *Info) { i.ParamNames = []string{"θ", "b_2"} }, ""},
		{func(i *Info) { i.ParamNames = []string{"a"} }, "1 parameter names for 2 parameters"},
		{func(i *Info) { i.ParamNames = []string{"a", "a"} }, `parameter 1's name "a"`},
		{func(i *Info) { i.ParamNames = []string{"", "b"} }, `parameter 0's name ""`},
		{func(i *Info) { i.ParamNames = []string{"a b", "c"} }, "holds a space"},
		{func(i *Info) { i.ParamNames = []string{"a", "b,c"} }, "a comma"},
		{func(i *Info) { i.ParamNames = []string{"a", "b\n"} }, "unprintable"},
		{func(i *Info) { i.ParamNames = []string{"a", strings.Repeat("b", 65)} }, "too long"},
	} {
		i := quad{1}.Info()
		c.edit(&i)
		err := i.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", i, err, c.want)
		}
	}
}

// TestDatasetValidate: columns named once each, without commas, quotes or
// line breaks; whole rows; classes not negative.
func TestDatasetValidate(t *testing.T) {
	for _, c := range []struct {
		d    Dataset
		want string
	}{
		{Dataset{Columns: []string{"x", "y"}, Values: []float64{1, 2, 3, 4}}, ""},
		{Dataset{Columns: []string{"x0", "x1", "class"}, Classes: 2, Values: []float64{1, 2, 0}}, ""},
		{Dataset{Columns: []string{"y"}, Values: []float64{1}}, "a dataset of 1 columns"},
		{Dataset{Columns: []string{"x", "x"}}, `column name "x" is empty, repeated`},
		{Dataset{Columns: []string{"x", ""}}, `column name ""`},
		{Dataset{Columns: []string{"a,b", "y"}}, `column name "a,b"`},
		{Dataset{Columns: []string{"x", "y\n"}}, "line break"},
		{Dataset{Columns: []string{"x", "y"}, Values: []float64{1, 2, 3}}, "3 values do not make rows of 2 columns"},
		{Dataset{Columns: []string{"x", "y"}, Classes: -1}, "-1 classes"},
	} {
		err := c.d.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.d, err, c.want)
		}
	}
	if n := (Dataset{Columns: []string{"x", "y"}, Values: []float64{1, 2, 3, 4}}).Samples(); n != 2 {
		t.Errorf("Samples() = %d", n)
	}
}

// FuzzResolveTexts: hyperparameters as users give them (numbers, texts,
// choices by name, flags as words): what is accepted is every declared
// hyperparameter, each valid for its declaration.
func FuzzResolveTexts(f *testing.F) {
	decl := []Hyperparameter{
		{Name: "n", Default: 3, Min: 1, Max: 10, Integer: true},
		{Name: "lr", Default: 0.1, Min: 0, Max: 1},
		{Name: "loss", Options: []string{"mse", "huber"}},
		{Name: "amsgrad", Flag: true},
		{Name: "csv", Text: true, DefaultText: "a.csv"},
	}
	f.Add("n", 4.0, "loss", "huber")
	f.Add("lr", 2.0, "amsgrad", "True")
	f.Add("csv", 1.0, "n", "x")
	f.Add("loss", 1.5, "loss", "nope")
	f.Fuzz(func(t *testing.T, pk string, pv float64, tk, tv string) {
		p, tx, err := ResolveTexts(decl, Params{pk: pv}, Texts{tk: tv})
		if err != nil {
			return
		}
		for _, h := range decl {
			if h.Text {
				if _, ok := tx[h.Name]; !ok {
					t.Fatalf("text %s missing from %v", h.Name, tx)
				}
				continue
			}
			v, ok := p[h.Name]
			if !ok {
				t.Fatalf("%s missing from %v", h.Name, p)
			}
			if err := h.Check(v); err != nil {
				t.Fatalf("accepted %s=%v: %v", h.Name, v, err)
			}
		}
		if len(p)+len(tx) != len(decl) {
			t.Fatalf("resolved %v and %v: not the declared ones", p, tx)
		}
	})
}

func TestParamName(t *testing.T) {
	i := Info{Dim: 2}
	if i.ParamName(0) != "x0" || i.ParamName(1) != "x1" {
		t.Errorf("unnamed: %s %s", i.ParamName(0), i.ParamName(1))
	}
	i.ParamNames = []string{"t", "u"}
	if i.ParamName(1) != "u" || i.ParamName(2) != "x2" {
		t.Errorf("named: %s %s", i.ParamName(1), i.ParamName(2))
	}
}
