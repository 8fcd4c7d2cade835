package host

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
)

// filterReference is testdata/filter_normalize.json, written by
// testdata/filter_normalize.py: loss-landscape's filter normalization
// (normalize_directions_for_weights, norm='filter') computed with PyTorch
// on seeded weights and directions of small nn.Linear models.
type filterReference struct {
	Cases []struct {
		Name, Surface, Set string
		Shapes             [][]int
		Weights, Direction []float64
		Biasbn, Copy       []float64
	}
}

// TestFilterParity: the models plugin's parameter groups, over the wire,
// make compute.FilterNormalize give loss-landscape's directions on weights
// and biases: ignore='biasbn' by default (biases zeroed), and without it
// with --filter-bias copy (biases set to the weights'). A filter plane
// through a model's weights is built from such directions.
func TestFilterParity(t *testing.T) {
	b, err := os.ReadFile("testdata/filter_normalize.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref filterReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 4 {
		t.Fatalf("%d reference cases", len(ref.Cases))
	}
	a := inProcess(t, sdk.WithSurfaces(model.All()...))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			e, err := cat.Lookup(c.Surface)
			if err != nil {
				t.Fatal(err)
			}
			set, err := ParseSettings(c.Set)
			if err != nil {
				t.Fatal(err)
			}
			s, err := a.Configure(ctx, e, set)
			if err != nil {
				t.Fatal(err)
			}
			// The plugin's groups are torch's tensors: a filter per row of
			// each weight matrix, a bias group per bias vector.
			n := 0
			for _, sh := range c.Shapes {
				size := 1
				for _, k := range sh {
					size *= k
				}
				n += size
			}
			if s.Desc.Dim != n || len(c.Weights) != n {
				t.Fatalf("%s has %d parameters; the torch model %d", c.Surface, s.Desc.Dim, n)
			}
			var bias []bool // per parameter: in a 1-D tensor
			for _, sh := range c.Shapes {
				size := 1
				for _, k := range sh {
					size *= k
				}
				for range size {
					bias = append(bias, len(sh) <= 1)
				}
			}
			for _, g := range s.Desc.Groups {
				for k := g.Start; k < g.Start+g.Len; k++ {
					if bias[k] != (g.Kind == sdk.GroupBias) {
						t.Fatalf("group %+v: parameter %d is in a torch tensor of dimension ≤ 1: %v", g, k, bias[k])
					}
				}
			}
			for _, rc := range []struct {
				rule FilterBias
				want []float64
			}{{compute.BiasZero, c.Biasbn}, {compute.BiasCopy, c.Copy}} {
				got, err := compute.FilterNormalize(c.Direction, c.Weights, s.Desc.Groups, rc.rule)
				if err != nil {
					t.Fatal(err)
				}
				for k, w := range rc.want {
					if math.Abs(got[k]-w) > 1e-13*(1+math.Abs(w)) {
						t.Errorf("%s: parameter %d = %.17g, loss-landscape's %.17g", FilterBiasName(rc.rule), k, got[k], w)
					}
				}
			}
			if c.Surface != "mlp" || s.Desc.Dim < 2 {
				return
			}
			// The filter plane through the weights: its directions are the
			// seeded Gaussian ones normalized so, biases zeroed by default.
			for _, rule := range []FilterBias{compute.BiasZero, compute.BiasCopy, compute.BiasRescale} {
				sc, err := a.ResolveScene(ctx, cat, SceneSpec{Surface: c.Surface, Settings: set, Res: Res{Nx: 2, Ny: 2},
					Plane: PlaneSpec{Kind: PlaneFilter, At: c.Weights, Seed: 5, FilterBias: rule}})
				if err != nil {
					t.Fatal(err)
				}
				want, _ := compute.FilterNormalize(compute.RandomDirection(n, 5), c.Weights, s.Desc.Groups, rule)
				for k, u := range sc.Grid.Plane.U {
					if u != want[k] {
						t.Fatalf("%s: u[%d] = %v, want %v", FilterBiasName(rule), k, u, want[k])
					}
					switch {
					case bias[k] && rule == compute.BiasZero && u != 0:
						t.Fatalf("zero: bias parameter %d of u is %v", k, u)
					case bias[k] && rule == compute.BiasCopy && u != c.Weights[k]:
						t.Fatalf("copy: bias parameter %d of u is %v, the weight %v", k, u, c.Weights[k])
					}
				}
			}
		})
	}
}
