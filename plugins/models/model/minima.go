package model

import (
	"cmp"
	"math"
	"slices"

	"github.com/landscape-go/landscape/sdk"
)

// minima are the known minima of m (see the package comment); they may
// widen dom to hold them.
func (m *Model) minima(dom []sdk.Interval) []sdk.Minimum {
	switch {
	case m.kind == kindLinReg && m.s.loss == lossMSE:
		th, ok := leastSquares(m.ds, m.l2)
		if !ok {
			return nil
		}
		for i, t := range th {
			dom[i] = sdk.Interval{Lo: math.Min(dom[i].Lo, math.Floor(t-1)), Hi: math.Max(dom[i].Hi, math.Ceil(t+1))}
		}
		return []sdk.Minimum{{Location: th, Value: m.Loss(th)}}
	case m.kind == kindLineAngle && m.s.loss == lossMSE && m.l2 == 0:
		phi, ok := principalAngle(m.ds)
		if !ok {
			return nil
		}
		return []sdk.Minimum{{Location: []float64{phi}, Value: m.Loss([]float64{phi})}}
	case m.kind == kindLineAngle && m.s.loss == lossSublinear && m.l2 == 0 && m.s.dataset == dsRosette && m.s.noise == 0:
		return m.rosetteMinima()
	}
	return nil
}

// leastSquares solves the normal equations of ridge regression on ds
// (features, then a column of ones): the minimum of mean r² + ½·l2·‖θ‖² is
// (XᵀX + ½·n·l2·I)·θ = Xᵀy. It reports false when the system is singular.
func leastSquares(ds *dataset, l2 float64) ([]float64, bool) {
	p := ds.d + 1
	a := make([]float64, p*p)
	rhs := make([]float64, p)
	row := make([]float64, p)
	for i := 0; i < ds.n(); i++ {
		x, y := ds.sample(i)
		for j, v := range x {
			row[j] = float64(v)
		}
		row[p-1] = 1
		for j, rj := range row {
			for k, rk := range row {
				a[j*p+k] += rj * rk
			}
			rhs[j] += rj * y
		}
	}
	for j := 0; j < p; j++ {
		a[j*p+j] += 0.5 * float64(ds.n()) * l2
	}
	return cholSolve(a, rhs, p)
}

// cholSolve solves a·x = b for a symmetric positive definite p×p matrix
// (row-major; overwritten), reporting false when a is not (numerically)
// positive definite.
func cholSolve(a, b []float64, p int) ([]float64, bool) {
	scale := 0.0
	for j := 0; j < p; j++ {
		scale = math.Max(scale, math.Abs(a[j*p+j]))
	}
	for j := 0; j < p; j++ {
		s := a[j*p+j]
		for k := 0; k < j; k++ {
			s -= a[j*p+k] * a[j*p+k]
		}
		if !(s > 1e-12*scale) {
			return nil, false
		}
		a[j*p+j] = math.Sqrt(s)
		for i := j + 1; i < p; i++ {
			t := a[i*p+j]
			for k := 0; k < j; k++ {
				t -= a[i*p+k] * a[j*p+k]
			}
			a[i*p+j] = t / a[j*p+j]
		}
	}
	x := slices.Clone(b)
	for i := 0; i < p; i++ { // L·z = b
		for k := 0; k < i; k++ {
			x[i] -= a[i*p+k] * x[k]
		}
		x[i] /= a[i*p+i]
	}
	for i := p - 1; i >= 0; i-- { // Lᵀ·x = z
		for k := i + 1; k < p; k++ {
			x[i] -= a[k*p+i] * x[k]
		}
		x[i] /= a[i*p+i]
	}
	return x, true
}

// principalAngle is the minimum of line-angle's mse, mean (y·cos φ −
// x·sin φ)² = c + A·cos 2φ + B·sin 2φ with A = (Syy − Sxx)/2, B = −Sxy:
// the direction of the points' largest second moment. It reports false
// when the moments are isotropic (every angle is a minimum).
func principalAngle(ds *dataset) (float64, bool) {
	var sxx, syy, sxy float64
	for i := 0; i < ds.n(); i++ {
		x, y := ds.sample(i)
		px := float64(x[0])
		sxx += px * px
		syy += y * y
		sxy += px * y
	}
	a, b := (syy-sxx)/2, -sxy
	if math.Hypot(a, b) <= 1e-12*(sxx+syy) {
		return 0, false
	}
	// c + R·cos(2φ − α) is least where 2φ − α = π; φ in [−π/2, π/2).
	phi := (math.Atan2(b, a) + math.Pi) / 2
	if phi >= math.Pi/2 {
		phi -= math.Pi
	}
	return phi, true
}

// rosetteMinima are the angles of a noiseless rosette's lines that hold a
// sample of the subset, by value: the lowest global, the others Local
// (ties within 1e-12 relative are global too).
func (m *Model) rosetteMinima() []sdk.Minimum {
	var out []sdk.Minimum
	for j := 0; j < m.s.k; j++ {
		th := rosetteAngle(j, m.s.k)
		sin, cos := math.Sincos(th)
		on := false
		for i := 0; i < m.ds.n() && !on; i++ {
			x, y := m.ds.sample(i)
			px := float64(x[0])
			size := math.Abs(px) + math.Abs(y)
			on = size > 0 && math.Abs(-px*sin+y*cos) <= 1e-6*size
		}
		if on {
			out = append(out, sdk.Minimum{Location: []float64{th}, Value: m.Loss([]float64{th})})
		}
	}
	slices.SortStableFunc(out, func(a, b sdk.Minimum) int { return cmp.Compare(a.Value, b.Value) })
	for i := range out {
		out[i].Local = out[i].Value > out[0].Value+1e-12*math.Abs(out[0].Value)
	}
	return out
}
