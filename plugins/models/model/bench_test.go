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
