package sdk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

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

func TestBatchIndices(t *testing.T) {
	const n, size = 10, 4
	// Each epoch is ⌈10/4⌉ = 3 batches of 4, 4, 2 covering 0..9 once.
	for epoch := 0; epoch < 3; epoch++ {
		var all []int
		for b := 0; b < 3; b++ {
			idx := BatchIndices(n, size, 7, epoch*3+b)
			if want := []int{4, 4, 2}[b]; len(idx) != want {
				t.Fatalf("epoch %d batch %d has %d samples, want %d", epoch, b, len(idx), want)
			}
			all = append(all, idx...)
		}
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("epoch %d covers %v, want 0..9 once each", epoch, all)
			}
		}
	}
	if !slices.Equal(BatchIndices(n, size, 7, 4), BatchIndices(n, size, 7, 4)) {
		t.Error("the same seed and batch gave different samples")
	}
	if slices.Equal(BatchIndices(n, size, 7, 0), BatchIndices(n, size, 7, 3)) && slices.Equal(BatchIndices(n, size, 7, 1), BatchIndices(n, size, 7, 4)) {
		t.Error("two epochs were shuffled alike")
	}
	if got := BatchIndices(n, 0, 7, 5); len(got) != n || got[9] != 9 {
		t.Errorf("size 0 is not the full batch in order: %v", got)
	}
}

// samples is a data-driven surface: the mean of (θ0 − x_i)² over its
// samples x_i = i, with a text setting that scales the data.
type samples struct {
	n     int
	scale string
}

func (s samples) Info() Info {
	return Info{Name: "samples", Dim: 1, Domain: []Interval{{Lo: -1, Hi: 1}},
		Hyperparameters: []Hyperparameter{{Name: "scale", Text: true, DefaultText: s.scale}}}
}

func (s samples) x(i int) float64 {
	if s.scale == "double" {
		return 2 * float64(i)
	}
	return float64(i)
}

func (s samples) ConfigureTexts(_ Params, t Texts) (Surface, error) {
	if t["scale"] != "" && t["scale"] != "double" {
		return nil, errors.New("scale: want double or nothing")
	}
	return samples{n: s.n, scale: t["scale"]}, nil
}

func (s samples) Data() []float32 {
	d := make([]float32, s.n)
	for i := range d {
		d[i] = float32(s.x(i))
	}
	return d
}

func (s samples) Samples() int { return s.n }

func (s samples) Loss(th []float64) float64 {
	all := make([]int, s.n)
	for i := range all {
		all[i] = i
	}
	return s.BatchLoss(th, all)
}

func (s samples) BatchLoss(th []float64, idx []int) float64 {
	var v float64
	for _, i := range idx {
		v += (th[0] - s.x(i)) * (th[0] - s.x(i))
	}
	return v / float64(len(idx))
}

func (s samples) BatchGrad(dst, th []float64, idx []int) float64 {
	dst[0] = 0
	for _, i := range idx {
		dst[0] += 2 * (th[0] - s.x(i)) / float64(len(idx))
	}
	return s.BatchLoss(th, idx)
}

func TestDataAndBatchesOverTheWire(t *testing.T) {
	const n = 300_000 // more than one streamed chunk
	srv, err := newServer([]Surface{samples{n: n}, quad{1}})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv)
	ctx := context.Background()
	dbl := Settings{Texts: Texts{"scale": "double"}}
	d, err := c.Describe(ctx, "samples", dbl)
	if err != nil || d.Samples != n || d.DataLen != n || d.Hyperparameters[0].DefaultText != "double" {
		t.Fatalf("Describe = %+v, %v", d, err)
	}
	data, err := c.Data(ctx, "samples", dbl, d.DataLen)
	if err != nil || len(data) != n || data[1] != 2 || data[n-1] != float32(2*(n-1)) {
		t.Fatalf("Data: %d values, %v", len(data), err)
	}
	if _, err := c.Data(ctx, "samples", dbl, n+1); !errors.Is(err, ErrPluginFailed) {
		t.Errorf("Data with a wrong length: %v", err)
	}
	if _, err := c.Describe(ctx, "samples", Settings{Texts: Texts{"scale": "triple"}}); !errors.Is(err, ErrBadParams) {
		t.Errorf("a bad text was accepted: %v", err)
	}
	// Two points, each with its own batch of two samples: {0, 1} and {3, 3}.
	b := &Batch{Size: 2, Index: []int32{0, 1, 3, 3}}
	v, g, err := c.BatchGradient(ctx, "samples", Settings{}, 1, []float64{0, 1}, b)
	if err != nil || v[0] != 0.5 || v[1] != 4 || g[0] != -1 || g[1] != -4 {
		t.Fatalf("BatchGradient = %v, %v, %v", v, g, err)
	}
	for _, bad := range []*Batch{{Size: 2, Index: []int32{0, n}}, {Size: 2, Index: []int32{0}}} {
		if _, err := c.BatchLoss(ctx, "samples", Settings{}, 1, []float64{0}, bad); !errors.Is(err, ErrBadRequest) {
			t.Errorf("BatchLoss(%v): %v, want ErrBadRequest", bad.Index, err)
		}
	}
	if _, err := c.BatchLoss(ctx, "quad", Settings{}, 2, []float64{0, 0}, &Batch{Size: 1, Index: []int32{0}}); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "no mini-batches") {
		t.Errorf("a batch for a surface without mini-batches: %v", err)
	}
}
