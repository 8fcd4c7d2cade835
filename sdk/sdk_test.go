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
	if _, err := newServer([]Surface{quad{1}, quad{2}}); err == nil {
		t.Error("duplicate names accepted")
	}
}
