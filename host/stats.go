package host

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/compute/stats"
	"github.com/landscape-go/landscape/sdk"
)

// StatsSpec asks for the shape statistics of a scene: roughness of its
// grid, the share of it where the plane Hessian is positive definite, the
// critical points' counts, and profiles along directions.
type StatsSpec struct {
	Scene *Scene
	// Field is the scene's grid, when already evaluated (nil: evaluated
	// here with Backend).
	Field   *compute.Field
	Backend Backend
	// Sigma is the Gaussian's σ in grid cells (zero: 1).
	Sigma float64
	// NoCritical skips the critical points.
	NoCritical bool
	// Dirs are the profiles' directions, through At (nil: the first
	// known minimum, or the origin), over DirRange (nil: the domain for
	// an axis, -1:1 otherwise) at DirRes points (zero: 201); DirSeed
	// seeds random and filter directions.
	Dirs     []ProfileDir
	At       []float64
	DirRange *sdk.Interval
	DirRes   int
	DirSeed  uint64
}

// StatsReport is the statistics of a scene (JSON as the summary's
// "stats" block).
type StatsReport struct {
	// Sigma and Roughness: mean |grid − gaussian_filter(grid, σ)|, as
	// scipy.ndimage defines the filter (null where the grid has NaN:
	// NaNPoints counts them).
	Sigma     float64  `json:"sigma"`
	Roughness *float64 `json:"roughness"`
	NaNPoints int      `json:"nan_points,omitempty"`
	// PositiveDefinite is the share of the grid's defined points where
	// the plane Hessian is positive definite; HessianMethod and
	// HessianBackend say how it was obtained.
	PositiveDefinite *float64 `json:"positive_definite_fraction"`
	HessianMethod    string   `json:"hessian_method,omitempty"`
	HessianBackend   string   `json:"hessian_backend,omitempty"`
	// Critical counts the critical points in the plane's range (nil when
	// not found: CriticalNote says why).
	Critical     *CriticalCounts `json:"critical,omitempty"`
	CriticalNote string          `json:"critical_note,omitempty"`
	Profiles     []ProfileReport `json:"profiles,omitempty"`
}

// CriticalCounts counts critical points by kind, and the Newton runs that
// did not converge.
type CriticalCounts struct {
	Minima       int `json:"minima"`
	Maxima       int `json:"maxima"`
	Saddles      int `json:"saddles"`
	Degenerate   int `json:"degenerate"`
	NotConverged int `json:"not_converged"`
}

// Counts are r's counts.
func (r *CriticalResult) Counts() *CriticalCounts {
	c := r.Count
	return &CriticalCounts{Minima: c[critical.Minimum], Maxima: c[critical.Maximum], Saddles: c[critical.Saddle], Degenerate: c[critical.Degenerate], NotConverged: r.NotConverged()}
}

// ProfileReport is a profile's smoothness and convexity (see
// stats.Profile), along Direction from Lo to Hi.
type ProfileReport struct {
	Direction string  `json:"direction"`
	Label     string  `json:"label"`
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	stats.Profile
}

// Stats measures the scene (see StatsSpec).
func (a *App) Stats(ctx context.Context, spec StatsSpec) (*StatsReport, error) {
	sc := spec.Scene
	sigma := spec.Sigma
	if sigma == 0 {
		sigma = 1
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, badInput("sigma", "%v: want a positive number of grid cells", sigma)
	}
	f := spec.Field
	if f == nil {
		var used Backend
		var err error
		if f, used, err = a.Evaluate(ctx, spec.Backend, sc, compute.Options{}); err != nil {
			return nil, err
		}
		if used == BackendCPU {
			spec.Backend = BackendCPU // said once, by Evaluate
		}
	}
	rep := &StatsReport{Sigma: sigma}
	g := f.Grid
	vals := make([]float64, len(f.Values))
	for k, v := range f.Values {
		vals[k] = float64(v)
	}
	r, nan, err := stats.Roughness(vals, g.Nx, g.Ny, sigma)
	if err != nil {
		return nil, badInput("sigma", "%v", trimPrefix(err, stats.ErrInvalid))
	}
	if nan == 0 {
		rep.Roughness = &r
	}
	rep.NaNPoints = nan
	if err := a.positiveDefinite(ctx, spec, rep); err != nil {
		return nil, err
	}
	if !spec.NoCritical {
		cr, err := a.Critical(ctx, CriticalSpec{Scene: sc})
		var in *InputError
		switch {
		case errors.As(err, &in) && errors.Is(err, critical.ErrTooCoarse):
			rep.CriticalNote = "not counted: " + in.Msg
		case errors.Is(err, critical.ErrFlat):
			rep.CriticalNote = "not counted: " + UserMessage(err)
		case err != nil:
			return nil, err
		default:
			rep.Critical = cr.Counts()
		}
	}
	for _, d := range spec.Dirs {
		ps, err := a.profiles(ctx, spec, d)
		if err != nil {
			return nil, err
		}
		rep.Profiles = append(rep.Profiles, ps...)
	}
	return rep, nil
}

// positiveDefinite sets the share of the grid where the plane Hessian is
// positive definite, from the curvature maps (App.Curvatures: the GPU's
// kernel when the backend allows, else the plugin).
func (a *App) positiveDefinite(ctx context.Context, spec StatsSpec, rep *StatsReport) error {
	c, backend, err := a.Curvatures(ctx, spec.Backend, spec.Scene, compute.Options{})
	if err != nil {
		return err
	}
	rep.HessianMethod, rep.HessianBackend = c.Method, backend.String()
	pd, defined := 0, 0
	for i := range c.Huu {
		lo, hi := compute.Eigen2(float64(c.Huu[i]), float64(c.Huv[i]), float64(c.Hvv[i]))
		if math.IsNaN(lo) || math.IsNaN(hi) {
			continue
		}
		defined++
		if kind, _ := critical.Classify([]float64{lo, hi}, 1e-6, 0); kind == critical.Minimum {
			pd++
		}
	}
	if defined > 0 {
		v := float64(pd) / float64(defined)
		rep.PositiveDefinite = &v
	}
	return nil
}

// profiles measures the profiles along direction d (two for "hessian":
// the lowest and the highest eigenvector).
func (a *App) profiles(ctx context.Context, spec StatsSpec, d ProfileDir) ([]ProfileReport, error) {
	desc := spec.Scene.Desc
	n := spec.DirRes
	if n == 0 {
		n = 201
	}
	ls := LineSpec{At: spec.At, Dir: d.Direction, Seed: spec.DirSeed, Range: spec.DirRange, N: n}
	var lines []compute.Line
	var labels []string
	switch {
	case d.Hessian || d.Vec != nil:
		if spec.At != nil && len(spec.At) != desc.Dim {
			return nil, badInput("point", "has %d values; %s has %d parameters", len(spec.At), desc.Name, desc.Dim)
		}
		at := startOrMinimum(spec.At, desc)
		lo, hi := ls.rangeOr(-1, 1)
		var dirs [][]float64
		if d.Vec != nil {
			if len(d.Vec) != desc.Dim {
				return nil, badInput("direction", "%s has %d values; %s has %d parameters", d.Text, len(d.Vec), desc.Name, desc.Dim)
			}
			dirs, labels = [][]float64{d.Vec}, []string{d.Text}
		} else {
			h, _, err := a.Hessians(ctx, spec.Scene.Surface, at)
			if err != nil {
				return nil, err
			}
			vals, vecs, err := critical.Eigen(h, desc.Dim)
			if err != nil {
				return nil, badInput("direction", "hessian: %v", trimPrefix(err, critical.ErrInvalid))
			}
			last := len(vals) - 1
			dirs = [][]float64{vecs[0], vecs[last]}
			labels = []string{fmt.Sprintf("hessian, lowest eigenvalue %.4g", vals[0]), fmt.Sprintf("hessian, highest eigenvalue %.4g", vals[last])}
		}
		for _, dir := range dirs {
			l := compute.Line{Origin: at, Dir: dir, Lo: lo, Hi: hi, N: n}
			if err := l.Validate(); err != nil {
				return nil, &InputError{Input: "direction", Msg: d.Text + ": " + err.Error(), Err: err}
			}
			lines = append(lines, l)
		}
	default:
		l, label, err := sliceLine(desc, ls)
		if err != nil {
			return nil, err
		}
		lines, labels = []compute.Line{l}, []string{label}
	}
	var out []ProfileReport
	for i, l := range lines {
		v, _, err := a.EvaluateLine(ctx, BackendCPU, &LineScene{Surface: spec.Scene.Surface, Line: l, Label: labels[i]})
		if err != nil {
			return nil, err
		}
		p, err := stats.ProfileOf(v)
		if err != nil {
			return nil, badInput("points", "%v", trimPrefix(err, stats.ErrInvalid))
		}
		out = append(out, ProfileReport{Direction: d.Text, Label: labels[i], Lo: l.Lo, Hi: l.Hi, Profile: p})
	}
	return out, nil
}
