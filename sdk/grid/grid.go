package grid

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// ErrBadPlane: a plane or a row request is malformed (vector lengths,
// resolution, ranges, rows outside the grid, a destination of the wrong
// size).
var ErrBadPlane = errors.New("grid: bad plane")

// Interval is a closed range [Lo, Hi].
type Interval struct {
	Lo, Hi float64
}

// Plane is a 2D grid through parameter space: the point at column i, row j is
//
//	θ = Origin + x_i·U + y_j·V,  x_i = X.Lo + i·(X.Hi−X.Lo)/(Nx−1),  y_j likewise,
//
// so both ends of each range are grid points (as numpy.linspace). Row j = 0 is
// Y.Lo. Arrays are row-major y-by-x.
type Plane struct {
	Origin, U, V []float64
	X, Y         Interval
	Nx, Ny       int
}

// AxisPlane is the plane in which parameters i and j vary over x and y and
// the others stay at at (nil means all zero).
func AxisPlane(dim, i, j int, at []float64, x, y Interval, nx, ny int) Plane {
	o := make([]float64, dim)
	copy(o, at)
	u := make([]float64, dim)
	v := make([]float64, dim)
	if i >= 0 && i < dim {
		o[i], u[i] = 0, 1
	}
	if j >= 0 && j < dim {
		o[j], v[j] = 0, 1
	}
	return Plane{Origin: o, U: u, V: v, X: x, Y: y, Nx: nx, Ny: ny}
}

// Dim is the number of parameters of the plane's points.
func (p Plane) Dim() int { return len(p.Origin) }

// Len is the number of grid points.
func (p Plane) Len() int { return p.Nx * p.Ny }

// Validate checks sizes and ranges.
func (p Plane) Validate() error {
	d := len(p.Origin)
	if d < 1 || len(p.U) != d || len(p.V) != d {
		return fmt.Errorf("%w: plane vectors have lengths %d, %d, %d", ErrBadPlane, len(p.Origin), len(p.U), len(p.V))
	}
	if p.Nx < 2 || p.Ny < 2 {
		return fmt.Errorf("%w: grid %dx%d needs at least 2 points per axis", ErrBadPlane, p.Nx, p.Ny)
	}
	for _, r := range []Interval{p.X, p.Y} {
		if !(r.Lo < r.Hi) || math.IsInf(r.Lo, 0) || math.IsInf(r.Hi, 0) {
			return fmt.Errorf("%w: range [%v, %v] is empty or not finite", ErrBadPlane, r.Lo, r.Hi)
		}
	}
	return nil
}

// XAt is the x coordinate of column i.
func (p Plane) XAt(i int) float64 { return lin(p.X, i, p.Nx) }

// YAt is the y coordinate of row j.
func (p Plane) YAt(j int) float64 { return lin(p.Y, j, p.Ny) }

func lin(r Interval, i, n int) float64 {
	if i == n-1 {
		return r.Hi
	}
	return r.Lo + float64(i)*(r.Hi-r.Lo)/float64(n-1)
}

// Point writes the parameters of grid point (i, j) into theta.
func (p Plane) Point(theta []float64, i, j int) {
	x, y := p.XAt(i), p.YAt(j)
	for k := range theta {
		theta[k] = p.Origin[k] + x*p.U[k] + y*p.V[k]
	}
}

// CheckRows reports whether rows [row0, row1) of p fit a destination of n
// values.
func (p Plane) CheckRows(row0, row1, n int) error {
	if row0 < 0 || row1 > p.Ny || row0 >= row1 {
		return fmt.Errorf("%w: rows [%d, %d) outside 0..%d", ErrBadPlane, row0, row1, p.Ny)
	}
	if n != (row1-row0)*p.Nx {
		return fmt.Errorf("%w: destination holds %d values, want %d", ErrBadPlane, n, (row1-row0)*p.Nx)
	}
	return nil
}

// Loss is a surface's float64 loss at theta; it must be safe for
// concurrent use.
type Loss func(theta []float64) float64

// Fill evaluates rows [row0, row1) of the plane into dst (len
// (row1−row0)·Nx, row-major) with up to workers goroutines (0: one per CPU).
// Values are stored as ToFloat32 converts them. It stops early with ctx's
// error when ctx is cancelled.
func Fill(ctx context.Context, loss Loss, p Plane, row0, row1 int, dst []float32, workers int) error {
	return FillCounting(ctx, loss, p, row0, row1, dst, workers, nil)
}

// FillCounting is Fill that adds one to rows as each row is done, for a
// watcher in another goroutine (a plugin's progress, which the host's
// watchdog asks for); rows may be nil.
func FillCounting(ctx context.Context, loss Loss, p Plane, row0, row1 int, dst []float32, workers int, rows *atomic.Uint64) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := p.CheckRows(row0, row1, len(dst)); err != nil {
		return err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, row1-row0)
	// Workers take rows from a shared counter so uneven rows balance.
	next := row0
	var mu sync.Mutex
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		r := next
		next++
		return r
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			theta := make([]float64, p.Dim())
			xs := make([]float64, p.Nx)
			for i := range xs {
				xs[i] = p.XAt(i)
			}
			for {
				j := take()
				if j >= row1 {
					return
				}
				if j%16 == 0 && ctx.Err() != nil {
					errs <- ctx.Err()
					return
				}
				evalRow(loss, p, xs, p.YAt(j), theta, dst[(j-row0)*p.Nx:(j-row0+1)*p.Nx])
				if rows != nil {
					rows.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func evalRow(loss Loss, p Plane, xs []float64, y float64, theta []float64, out []float32) {
	// base = Origin + y·V, then θ = base + x·U.
	d := len(theta)
	base := make([]float64, d)
	for k := 0; k < d; k++ {
		base[k] = p.Origin[k] + y*p.V[k]
	}
	u := p.U[:d]
	if d == 2 { // the common case, without the inner loop
		b0, b1, u0, u1 := base[0], base[1], u[0], u[1]
		for i, x := range xs {
			theta[0], theta[1] = b0+x*u0, b1+x*u1
			out[i] = ToFloat32(loss(theta))
		}
		return
	}
	for i, x := range xs {
		for k := range theta {
			theta[k] = base[k] + x*u[k]
		}
		out[i] = ToFloat32(loss(theta))
	}
}

// ToFloat32 converts a loss for a float32 grid: ±Inf (undefined) becomes NaN,
// and finite values beyond float32's range saturate at ±MaxFloat32.
func ToFloat32(v float64) float32 {
	if f := float32(v); f-f == 0 { // finite in float32: the common case, inlined
		return f
	}
	return toFloat32Slow(v)
}

// toFloat32Slow stays out of line so that ToFloat32 inlines into loops.
//
//go:noinline
func toFloat32Slow(v float64) float32 {
	switch {
	case math.IsInf(v, 0):
		return float32(math.NaN())
	case v > math.MaxFloat32:
		return math.MaxFloat32
	case v < -math.MaxFloat32:
		return -math.MaxFloat32
	}
	return float32(v)
}
