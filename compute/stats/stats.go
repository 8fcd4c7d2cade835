package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid: a grid, a σ or a profile that cannot be used (sizes that do
// not match, σ ≤ 0 or not finite, too few points).
var ErrInvalid = errors.New("stats: invalid input")

// DefaultTruncate is scipy.ndimage.gaussian_filter's default truncate: the
// kernel reaches int(truncate·σ + 0.5) cells each side.
const DefaultTruncate = 4.0

// GaussianKernel is the 1-D kernel scipy.ndimage.gaussian_filter1d
// correlates with: weights exp(−x²/(2σ²)) at the whole offsets x from −r
// to r, r = int(truncate·σ + 0.5), divided by their sum.
func GaussianKernel(sigma, truncate float64) ([]float64, error) {
	if err := checkSigma(sigma); err != nil {
		return nil, err
	}
	if !(truncate > 0) || math.IsInf(truncate, 0) {
		return nil, fmt.Errorf("%w: truncate %v: want a positive finite number", ErrInvalid, truncate)
	}
	rf := truncate*sigma + 0.5
	if rf > 1<<20 {
		return nil, fmt.Errorf("%w: σ %v: the kernel would reach %.0f cells each side (at most %d)", ErrInvalid, sigma, rf, 1<<20)
	}
	r := int(rf)
	w := make([]float64, 2*r+1)
	s := 0.0
	for i := range w {
		x := float64(i - r)
		w[i] = math.Exp(-0.5 / (sigma * sigma) * x * x)
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w, nil
}

func checkSigma(sigma float64) error {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("%w: σ %v: want a positive finite number of grid cells", ErrInvalid, sigma)
	}
	return nil
}

// Reflect maps index i (any whole number) into [0, n) as scipy.ndimage's
// mode 'reflect' (half-sample symmetric: d c b a | a b c d | d c b a)
// extends a line of n values, however far outside it i lies: the
// extension repeats with period 2n.
func Reflect(i, n int) int {
	p := 2 * n
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - 1 - i
	}
	return i
}

// GaussianFilter is values (ny rows of nx, row-major, as a Field) smoothed
// as scipy.ndimage.gaussian_filter(values, sigma) with its defaults: σ in
// grid cells on both axes, mode 'reflect', truncate 4.0; the 1-D kernel of
// GaussianKernel correlated along the rows' axis (axis 0, y) and then along
// each row (axis 1, x). A NaN spreads to every value whose kernel reaches
// it, as in scipy.
func GaussianFilter(values []float64, nx, ny int, sigma float64) ([]float64, error) {
	if nx < 1 || ny < 1 || len(values) != nx*ny {
		return nil, fmt.Errorf("%w: %d values for a %dx%d grid", ErrInvalid, len(values), nx, ny)
	}
	w, err := GaussianKernel(sigma, DefaultTruncate)
	if err != nil {
		return nil, err
	}
	r := len(w) / 2
	// Along axis 0: each column.
	tmp := make([]float64, len(values))
	for j := 0; j < ny; j++ {
		row := tmp[j*nx : (j+1)*nx]
		for k, wk := range w {
			src := values[Reflect(j+k-r, ny)*nx:]
			for i := range row {
				row[i] += wk * src[i]
			}
		}
	}
	// Along axis 1: each row.
	out := make([]float64, len(values))
	for j := 0; j < ny; j++ {
		src, dst := tmp[j*nx:(j+1)*nx], out[j*nx:(j+1)*nx]
		for i := range dst {
			s := 0.0
			for k, wk := range w {
				s += wk * src[Reflect(i+k-r, nx)]
			}
			dst[i] = s
		}
	}
	return out, nil
}

// Roughness is the mean of |values − GaussianFilter(values, σ)| over the
// grid: how much of the surface is detail finer than σ cells. It is NaN
// when a value is NaN (an undefined region: nan reports how many).
func Roughness(values []float64, nx, ny int, sigma float64) (r float64, nan int, err error) {
	sm, err := GaussianFilter(values, nx, ny, sigma)
	if err != nil {
		return 0, 0, err
	}
	s := 0.0
	for k, v := range values {
		if math.IsNaN(v) {
			nan++
		}
		s += math.Abs(v - sm[k])
	}
	if nan > 0 {
		return math.NaN(), nan, nil
	}
	return s / float64(len(values)), 0, nil
}

// Profile describes a 1-D profile of a loss (its values at evenly spaced
// points along a direction).
type Profile struct {
	// Smoothness is the mean |first difference| of the values: small for
	// a smooth profile at this spacing, large for a rough one.
	Smoothness float64 `json:"smoothness"`
	// Convexity is the fraction of the second differences that are
	// positive: 1 for a convex profile, 0 for a concave one.
	Convexity float64 `json:"convexity"`
	// Points counts the values; NaN counts the undefined ones (the
	// differences that touch them are left out).
	Points int `json:"points"`
	NaN    int `json:"nan"`
}

// ProfileOf measures the profile v (at least 3 values).
func ProfileOf(v []float64) (Profile, error) {
	if len(v) < 3 {
		return Profile{}, fmt.Errorf("%w: a profile of %d values (want at least 3)", ErrInvalid, len(v))
	}
	p := Profile{Points: len(v)}
	var d1, n1, pos, n2 float64
	for i, x := range v {
		if math.IsNaN(x) {
			p.NaN++
		}
		if i >= 1 && !math.IsNaN(x) && !math.IsNaN(v[i-1]) {
			d1 += math.Abs(x - v[i-1])
			n1++
		}
		if i >= 2 {
			d := x - 2*v[i-1] + v[i-2]
			if !math.IsNaN(d) {
				n2++
				if d > 0 {
					pos++
				}
			}
		}
	}
	p.Smoothness, p.Convexity = math.NaN(), math.NaN()
	if n1 > 0 {
		p.Smoothness = d1 / n1
	}
	if n2 > 0 {
		p.Convexity = pos / n2
	}
	return p, nil
}
