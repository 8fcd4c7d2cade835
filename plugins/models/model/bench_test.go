package model

import "testing"

// BenchmarkLoss is the CPU hot path: one Loss (200 samples) per iteration.
func BenchmarkLoss(b *testing.B) {
	for _, m := range []*Model{LinReg(), LogReg(), Softmax(), MLP(), LineAngle()} {
		th := make([]float64, m.Info().Dim)
		for i := range th {
			th[i] = 0.1 * float64(i%7-3)
		}
		b.Run(m.Info().Name, func(b *testing.B) {
			for b.Loop() {
				m.Loss(th)
			}
		})
	}
}

// BenchmarkGrad is one Grad (200 samples) per iteration.
func BenchmarkGrad(b *testing.B) {
	for _, m := range []*Model{LinReg(), Softmax(), MLP()} {
		th := make([]float64, m.Info().Dim)
		g := make([]float64, len(th))
		for i := range th {
			th[i] = 0.1 * float64(i%7-3)
		}
		b.Run(m.Info().Name, func(b *testing.B) {
			for b.Loop() {
				m.Grad(g, th)
			}
		})
	}
}

// BenchmarkHVP is one Hessian-vector product per iteration: the default
// surfaces (200 samples), and the default MLP over 10,000 samples (the
// product's shares of samples run on every core).
func BenchmarkHVP(b *testing.B) {
	big, err := MLP().Configure(map[string]float64{"n": 10000})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		m    *Model
	}{{"linreg", LinReg()}, {"softmax", Softmax()}, {"mlp", MLP()}, {"mlp-10000", big.(*Model)}} {
		th := make([]float64, c.m.Info().Dim)
		v, hv := make([]float64, len(th)), make([]float64, len(th))
		for i := range th {
			th[i], v[i] = 0.1*float64(i%7-3), float64(i%5-2)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.m.HVP(hv, th, v)
			}
		})
	}
}
