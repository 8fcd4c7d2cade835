package host

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Planes and lines through a surface's parameter space, resolved from
// typed specs against the catalog and the surface: one place for both, so
// that eval, render, basins, view and slice agree on what a point, a
// plane and a direction mean.

// ErrTooLarge: a grid needs more memory than the budget allows.
var ErrTooLarge = errors.New("host: grid too large")

// ErrOneParameter: a plane was asked of a surface of one parameter (the
// commands that draw one draw its curve instead: see ResolveCurve).
var ErrOneParameter = errors.New("a 2D grid needs at least 2")

// DefaultMaxBytes is the default memory budget of a command's work (4
// GiB).
const DefaultMaxBytes = 4 << 30

// PlaneSpec chooses a plane through parameter space.
type PlaneSpec struct {
	Kind PlaneKind
	// Axes are the two parameters an axis plane varies (the zero value
	// means 0 and 1).
	Axes [2]int
	// At is the point the plane goes through: nil means the origin for an
	// axis plane, the first known minimum (or the origin) for random and
	// filter planes. A PCA plane goes through its trajectory's last point.
	At []float64
	// Seed seeds random and filter directions.
	Seed uint64
	// FilterBias is what a filter plane does with bias groups (the zero
	// value zeroes them, as Li et al. do).
	FilterBias FilterBias
	// Trajectory holds the points a PCA plane is fitted to.
	Trajectory [][]float64
	// Dirs are a dirs plane's two directions.
	Dirs [2][]float64
	// Extremes makes a hessian plane's directions the eigenvectors of the
	// largest and the smallest eigenvalue (the default: of the two
	// largest).
	Extremes bool
}

// SceneSpec is what to evaluate: a surface, configured, on a plane.
type SceneSpec struct {
	Surface  string
	Settings client.Settings
	Res      Res
	// Range is the plane's extent, x then y; nil means the surface's
	// domain (axis planes), [-1, 1]² (random and filter planes) or the
	// projected trajectory with a fifth to spare (PCA).
	Range *[2]sdk.Interval
	Plane PlaneSpec
	// MaxBytes bounds the memory the command holds for the scene (the
	// grid, its buffers and Work); 0 means DefaultMaxBytes.
	MaxBytes int64
	// Work is what the command does with the grid, for MaxBytes.
	Work Workload
}

// Scene is a resolved request: which surface, configured how, on which grid.
type Scene struct {
	*Surface
	Grid compute.Grid
	// PCA is the trajectory's principal plane of a PCA plane.
	PCA *compute.PCAResult
}

// ResolveScene checks the spec against the catalog and the surface, and
// builds the grid. Each mistake is one error naming the input.
func (a *App) ResolveScene(ctx context.Context, cat *Catalog, spec SceneSpec) (*Scene, error) {
	e, err := cat.Lookup(spec.Surface)
	if err != nil {
		return nil, err
	}
	nx, ny := spec.Res.Nx, spec.Res.Ny
	if nx < 2 || ny < 2 {
		return nil, badInput("resolution", "%dx%d: want at least 2 points per axis", nx, ny)
	}
	limit := budget(spec.MaxBytes)
	// What does not depend on the surface is refused before it is
	// configured (runs depend on its dimension).
	if need := sceneBytes(nx, ny, spec.Work, false, 0); need > limit && !spec.Work.Runs {
		return nil, tooLarge("resolution", fmt.Sprintf("%dx%d", nx, ny), need, limit)
	}
	p := spec.Plane
	if p.Kind == PlaneDirs && (p.Dirs[0] == nil || p.Dirs[1] == nil) {
		return nil, badInput("directions", "are needed by a dirs plane: two vectors, u and v")
	}
	if p.Kind == PlanePCA {
		if len(p.Trajectory) == 0 {
			return nil, badInput("trajectory", "is needed by a pca plane (write one with landscape optimize -o FILE.csv)")
		}
		if p.At != nil {
			return nil, badInput("point", "cannot be chosen for a pca plane, which goes through the trajectory's last point")
		}
	}
	surf, err := a.Configure(ctx, e, spec.Settings)
	if err != nil {
		return nil, err
	}
	desc := surf.Desc
	if need := sceneBytes(nx, ny, spec.Work, spec.Work.Test && desc.HasTest, desc.Dim); need > limit {
		return nil, tooLarge("resolution", fmt.Sprintf("%dx%d of %s", nx, ny, desc.Name), need, limit)
	}
	if desc.Dim < 2 {
		return nil, fmt.Errorf("%s has %d parameter; %w (use landscape slice for a 1-D curve, or set dim=2 or more if it takes one)", e.Name, desc.Dim, ErrOneParameter)
	}
	if spec.Range != nil && spec.Range[1] == (sdk.Interval{}) {
		return nil, badInput("range", "%g:%g gives x alone; %s has %d parameters: give x0:x1,y0:y1", spec.Range[0].Lo, spec.Range[0].Hi, desc.Name, desc.Dim)
	}
	if p.At != nil && len(p.At) != desc.Dim {
		return nil, badInput("point", "has %d values; %s has %d parameters", len(p.At), desc.Name, desc.Dim)
	}
	sc := &Scene{Surface: surf}
	var plane grid.Plane
	switch p.Kind {
	case PlaneAxis:
		ai, aj := p.Axes[0], p.Axes[1]
		if ai == 0 && aj == 0 {
			aj = 1
		}
		for _, k := range []int{ai, aj} {
			if k < 0 || k >= desc.Dim {
				return nil, badInput("axes", "%d,%d: indices must be whole numbers from 0 to %d", ai, aj, desc.Dim-1)
			}
		}
		if ai == aj {
			return nil, badInput("axes", "%d,%d: the two axes must differ", ai, aj)
		}
		plane = grid.AxisPlane(desc.Dim, ai, aj, p.At, desc.Domain[ai], desc.Domain[aj], nx, ny)
		sc.Grid.XLabel, sc.Grid.YLabel = desc.ParamName(ai), desc.ParamName(aj)
	case PlanePCA:
		if len(p.Trajectory[0]) != desc.Dim {
			return nil, badInput("trajectory", "has points of %d parameters; %s has %d", len(p.Trajectory[0]), desc.Name, desc.Dim)
		}
		r, err := compute.PCA(p.Trajectory)
		if err != nil {
			return nil, &InputError{Input: "trajectory", Msg: err.Error(), Err: err}
		}
		sc.PCA = &r
		x, y := r.Bounds(0.2)
		plane = r.Plane(x, y, nx, ny)
		sc.Grid.XLabel = fmt.Sprintf("pc1 (%.1f%%)", 100*r.Explained[0])
		sc.Grid.YLabel = fmt.Sprintf("pc2 (%.1f%%)", 100*r.Explained[1])
	case PlaneRandom, PlaneFilter:
		at := startOrMinimum(p.At, desc)
		u, v, err := directions(p.Kind, at, desc, p.Seed, p.FilterBias)
		if err != nil {
			return nil, err
		}
		plane = grid.Plane{Origin: at, U: u, V: v, X: sdk.Interval{Lo: -1, Hi: 1}, Y: sdk.Interval{Lo: -1, Hi: 1}, Nx: nx, Ny: ny}
		sc.Grid.XLabel, sc.Grid.YLabel = "d1", "d2"
	case PlaneDirs:
		u, v := p.Dirs[0], p.Dirs[1]
		if len(u) != desc.Dim || len(v) != desc.Dim {
			return nil, badInput("directions", "have %d and %d values; %s has %d parameters", len(u), len(v), desc.Name, desc.Dim)
		}
		if err := compute.CheckPlaneDirections(u, v); err != nil {
			return nil, &InputError{Input: "directions", Msg: err.Error(), Err: err}
		}
		at := startOrMinimum(p.At, desc)
		plane = grid.Plane{Origin: at, U: u, V: v, X: sdk.Interval{Lo: -1, Hi: 1}, Y: sdk.Interval{Lo: -1, Hi: 1}, Nx: nx, Ny: ny}
		sc.Grid.XLabel, sc.Grid.YLabel = "u", "v"
	case PlaneHessian:
		at := startOrMinimum(p.At, desc)
		u, v, labels, err := a.hessianDirections(ctx, surf, at, p.Extremes, p.Seed)
		if err != nil {
			return nil, err
		}
		plane = grid.Plane{Origin: at, U: u, V: v, X: sdk.Interval{Lo: -1, Hi: 1}, Y: sdk.Interval{Lo: -1, Hi: 1}, Nx: nx, Ny: ny}
		sc.Grid.XLabel, sc.Grid.YLabel = labels[0], labels[1]
	default:
		return nil, badInput("plane", "%d is no plane kind", p.Kind)
	}
	if spec.Range != nil {
		plane.X, plane.Y = spec.Range[0], spec.Range[1]
	}
	sc.Grid.Plane = plane
	return sc, nil
}

// ResolveCurve is the curve of a surface of one parameter that the
// commands drawing a plane (render, compare, basins) draw instead: the
// parameter over spec's Range (its x interval alone: lo:hi; nil: the
// domain) at spec.Res.Nx points. A surface of more parameters, or a spec
// that asks for a plane, is an error.
func (a *App) ResolveCurve(ctx context.Context, cat *Catalog, spec SceneSpec) (*LineScene, error) {
	if spec.Plane.Kind != PlaneAxis || spec.Plane.At != nil {
		return nil, badInput("plane", "%s: %s has one parameter, drawn as a curve along it; no plane goes through it", spec.Plane.Kind, spec.Surface)
	}
	ls := LineSpec{Surface: spec.Surface, Settings: spec.Settings, Dir: Direction{Kind: PlaneAxis}, N: spec.Res.Nx}
	if spec.Range != nil {
		if spec.Range[1] != (sdk.Interval{}) {
			return nil, badInput("range", "gives x and y; %s has one parameter: give lo:hi", spec.Surface)
		}
		ls.Range = &spec.Range[0]
	}
	l, err := a.ResolveLine(ctx, cat, ls)
	if err != nil {
		return nil, err
	}
	if l.Desc.Dim != 1 {
		return nil, fmt.Errorf("%w: %s has %d parameters, not one", ErrBadInput, l.Desc.Name, l.Desc.Dim)
	}
	return l, nil
}

// startOrMinimum is at, or (nil) the first known minimum, or the origin.
func startOrMinimum(at []float64, desc client.Descriptor) []float64 {
	if at != nil {
		return at
	}
	at = make([]float64, desc.Dim)
	if len(desc.Minima) > 0 {
		copy(at, desc.Minima[0].Location)
	}
	return at
}

// directions are a random or filter plane's two directions through at.
func directions(kind PlaneKind, at []float64, desc client.Descriptor, seed uint64, bias FilterBias) (u, v []float64, err error) {
	u = compute.RandomDirection(desc.Dim, seed)
	v = compute.RandomDirection(desc.Dim, seed+0x9e3779b97f4a7c15)
	if kind == PlaneFilter {
		if u, err = compute.FilterNormalize(u, at, desc.Groups, bias); err == nil {
			v, err = compute.FilterNormalize(v, at, desc.Groups, bias)
		}
		if err != nil {
			return nil, nil, &InputError{Input: "plane", Msg: "filter: " + err.Error(), Err: err}
		}
	}
	if err := compute.CheckPlaneDirections(u, v); err != nil {
		hint := ""
		switch {
		case kind == PlaneFilter && errors.Is(err, compute.ErrParallel):
			hint = " (groups of one parameter leave filter-normalized directions only the signs to differ in, and copied biases none; try another seed, or a random plane)"
		case kind == PlaneFilter:
			hint = " (filter normalization scales each filter to the origin's and zeroes the biases; put the plane through a trained point with nonzero weights, or keep the biases' directions)"
		}
		return nil, nil, &InputError{Input: "plane", Msg: kind.String() + ": " + err.Error() + hint, Err: err}
	}
	return u, v, nil
}

// LineSpec is a line through a surface's parameter space: an
// interpolation from From to To, or a slice through At along Dir.
type LineSpec struct {
	Surface  string
	Settings client.Settings
	// From and To, when both set, make the line θ(α) = From + α·(To − From).
	From, To []float64
	// At is the point a slice goes through: nil means the first known
	// minimum, or the origin.
	At  []float64
	Dir Direction
	// Seed seeds random and filter directions.
	Seed uint64
	// FilterBias is what a filter direction does with bias groups.
	FilterBias FilterBias
	// Range is the line parameter's extent; nil means -0.5:1.5 for an
	// interpolation, the domain for an axis, -1:1 otherwise.
	Range *sdk.Interval
	// N is the number of points, both ends included.
	N int
	// MaxBytes bounds the memory the line's points and values hold; 0
	// means DefaultMaxBytes.
	MaxBytes int64
}

// LineScene is a 1-D slice through a surface's parameter space.
type LineScene struct {
	*Surface
	Line compute.Line
	// Label names the line's parameter ("alpha", "x0", "d").
	Label string
}

// ResolveLine checks the spec against the catalog and the surface, and
// builds the line.
func (a *App) ResolveLine(ctx context.Context, cat *Catalog, spec LineSpec) (*LineScene, error) {
	interp := spec.From != nil || spec.To != nil
	switch {
	case interp && (spec.From == nil || spec.To == nil):
		return nil, badInput("from", "and to make an interpolation together; give both")
	case interp && spec.At != nil:
		return nil, badInput("point", "makes a slice; from and to make an interpolation: give one or the other")
	case spec.N < 2 || spec.N > 1<<24:
		return nil, badInput("points", "%d: want 2 to 16777216 points", spec.N)
	}
	e, err := cat.Lookup(spec.Surface)
	if err != nil {
		return nil, err
	}
	surf, err := a.Configure(ctx, e, spec.Settings)
	if err != nil {
		return nil, err
	}
	desc := surf.Desc
	// The points, their losses and test losses, and the GPU's copy.
	if need, limit := int64(spec.N)*int64(12*desc.Dim+20), budget(spec.MaxBytes); need > limit {
		return nil, tooLarge("points", fmt.Sprintf("%d points of %s", spec.N, desc.Name), need, limit)
	}
	ls := &LineScene{Surface: surf}
	if interp {
		if len(spec.From) == len(spec.To) && len(spec.From) != desc.Dim {
			return nil, badInput("from", "has %d values; %s has %d parameters", len(spec.From), desc.Name, desc.Dim)
		}
		lo, hi := spec.rangeOr(-0.5, 1.5)
		if ls.Line, err = compute.Interpolation(spec.From, spec.To, lo, hi, spec.N); err != nil {
			return nil, &InputError{Input: "from", Msg: "and to: " + err.Error(), Err: err}
		}
		ls.Label = "alpha (0: from, 1: to)"
		return ls, nil
	}
	ls.Line, ls.Label, err = sliceLine(desc, spec)
	if err != nil {
		return nil, err
	}
	return ls, nil
}

// rangeOr is the spec's range, or lo:hi when it has none.
func (spec LineSpec) rangeOr(lo, hi float64) (float64, float64) {
	if spec.Range != nil {
		return spec.Range.Lo, spec.Range.Hi
	}
	return lo, hi
}

// sliceLine is the slice of spec (At, Dir, Seed, Range, N) through the
// surface d, and its parameter's label.
func sliceLine(desc client.Descriptor, spec LineSpec) (compute.Line, string, error) {
	if spec.At != nil && len(spec.At) != desc.Dim {
		return compute.Line{}, "", badInput("point", "has %d values; %s has %d parameters", len(spec.At), desc.Name, desc.Dim)
	}
	at := append([]float64(nil), startOrMinimum(spec.At, desc)...)
	var dir []float64
	var lo, hi float64
	var label string
	switch d := spec.Dir; d.Kind {
	case PlaneAxis:
		if d.Axis < 0 || d.Axis >= desc.Dim {
			return compute.Line{}, "", badInput("direction", "%s: want axis:I with I from 0 to %d", d, desc.Dim-1)
		}
		dir = make([]float64, desc.Dim)
		dir[d.Axis] = 1
		lo, hi = spec.rangeOr(desc.Domain[d.Axis].Lo, desc.Domain[d.Axis].Hi)
		at[d.Axis] = 0 // the line's parameter is the coordinate itself
		label = desc.ParamName(d.Axis)
	case PlaneRandom, PlaneFilter:
		dir = compute.RandomDirection(desc.Dim, spec.Seed)
		if d.Kind == PlaneFilter {
			var err error
			if dir, err = compute.FilterNormalize(dir, at, desc.Groups, spec.FilterBias); err != nil {
				return compute.Line{}, "", &InputError{Input: "direction", Msg: "filter: " + err.Error(), Err: err}
			}
		}
		lo, hi = spec.rangeOr(-1, 1)
		label = d.Kind.String() + " direction"
	default:
		return compute.Line{}, "", badInput("direction", "%s is no direction", d)
	}
	line := compute.Line{Origin: at, Dir: dir, Lo: lo, Hi: hi, N: spec.N}
	if err := line.Validate(); err != nil {
		hint := ""
		if spec.Dir.Kind == PlaneFilter {
			hint = " (filter normalization scales each group to the point's; put the line through a trained point with nonzero weights)"
		}
		return compute.Line{}, "", &InputError{Input: "direction", Msg: spec.Dir.String() + ": " + UserMessage(err) + hint, Err: err}
	}
	return line, label, nil
}

// Declares reports whether hs declares a hyperparameter called name.
func Declares(hs []sdk.Hyperparameter, name string) bool {
	for _, h := range hs {
		if h.Name == name {
			return true
		}
	}
	return false
}

var _ = strings.Join

// hessianDirections are the unit eigenvectors of s's Hessian at at that
// span a hessian plane (see PlaneSpec.Extremes), found by Lanczos, and
// the axes' labels with their eigenvalues.
func (a *App) hessianDirections(ctx context.Context, s *Surface, at []float64, extremes bool, seed uint64) (u, v []float64, labels [2]string, err error) {
	if s.Desc.Dim < 2 {
		return nil, nil, labels, badInput("plane", "hessian needs at least 2 parameters")
	}
	op, err := a.HessianOperator(ctx, s, at, nil)
	if err != nil {
		return nil, nil, labels, err
	}
	ls := hessian.LanczosSettings{Top: 2, Seed: seed}
	if extremes {
		ls = hessian.LanczosSettings{Top: 1, Bottom: 1, Seed: seed}
	}
	e, err := hessian.Lanczos(ctx, op, ls)
	if err != nil {
		return nil, nil, labels, &InputError{Input: "plane", Msg: "hessian: " + a.hessianError(err).Error(), Err: err}
	}
	pairs := append(append([]hessian.Eigenpair(nil), e.Top...), e.Bottom...)
	for i, p := range pairs[:2] {
		labels[i] = fmt.Sprintf("eigenvector of λ = %.4g", p.Value)
	}
	return pairs[0].Vector, pairs[1].Vector, labels, nil
}
