package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// TestLossOnlyIsBitwiseSample: the blocked loss-only path gives every MLP
// configuration's loss to the bit as the per-sample path (sample, which
// the gradient uses) does: one and two hidden layers, tanh and relu, every
// loss, more classes, all samples and batches of them, counts that are
// and are not multiples of the block, and large parameters (saturated
// units, logits far apart).
func TestLossOnlyIsBitwiseSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		p sdk.Params
		t sdk.Texts
	}{
		{sdk.Params{"n": 100}, nil},
		{sdk.Params{"n": 65, "layers": 2, "hidden": 5}, sdk.Texts{"activation": "relu"}},
		{sdk.Params{"n": 31, "k": 4, "hidden": 3}, sdk.Texts{"dataset": "spirals"}},
		{sdk.Params{"n": 77}, sdk.Texts{"loss": "bce"}},
		{sdk.Params{"n": 50, "layers": 2}, sdk.Texts{"dataset": "line", "loss": "huber"}},
		{sdk.Params{"n": 33, "hidden": 64}, sdk.Texts{"dataset": "rosette", "loss": "mae"}},
		{sdk.Params{"n": 40}, sdk.Texts{"dataset": "line", "loss": "sublinear"}},
		{sdk.Params{"n": 64, "l2": 0.3}, sdk.Texts{"dataset": "line", "loss": "mse"}},
	} {
		s, err := sdk.ConfigureTexts(MLP(), c.p, c.t)
		if err != nil {
			t.Fatalf("%v %v: %v", c.p, c.t, err)
		}
		m := s.(*Model)
		a := m.a.(mlp)
		t.Run(fmt.Sprint(c.p, c.t), func(t *testing.T) {
			for _, scale := range []float64{0.5, 3, 40} {
				th := make([]float64, m.dim)
				for i := range th {
					th[i] = scale * rng.NormFloat64()
				}
				n := m.ds.n()
				idx := make([]int, 1+rng.IntN(3*lossBlock))
				for i := range idx {
					idx[i] = rng.IntN(n)
				}
				for _, sel := range [][]int{nil, idx, idx[:1]} {
					count := n
					if sel != nil {
						count = len(sel)
					}
					var want float64
					for k := 0; k < count; k++ {
						o := m.ds.offset(sel, k)
						want += a.sample(th, m.ds.data[o:o+m.ds.d], float64(m.ds.data[o+m.ds.d]), nil, 1)
					}
					got := a.lossOnly(th, m.ds, sel, count)
					if math.Float64bits(got) != math.Float64bits(want) {
						t.Errorf("scale %v, %d samples: blocked %v, per sample %v", scale, count, got, want)
					}
				}
			}
		})
	}
}
