package host

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
)

// BasinsSpec runs an optimizer from every point of a scene's grid, or
// (a surface of one parameter) of a line.
type BasinsSpec struct {
	Scene *Scene
	// Line, when Scene is nil, holds the starts instead: its points.
	Line      *LineScene
	Opt       OptEntry
	OptParams sdk.Params
	// OptTexts holds the optimizer's text hyperparameters (nil: none).
	OptTexts sdk.Texts
	Steps    int
	Seed     uint64
	// Backend is where the runs step (as for evaluation).
	Backend Backend
	// Radius: a run reached a minimum when it ends within Radius of it
	// (zero: 1% of the largest domain width).
	Radius float64
	// MaxBytes bounds the memory the runs hold on the backend taken; 0
	// means DefaultMaxBytes.
	MaxBytes int64
}

// BasinsResult labels every start by the minimum its run reached: an
// index into Basins, or render.NoBasin (the run stalled on a plateau or
// had not converged: it ended at no critical point), render.AtSaddle (it
// ended at a saddle or a maximum) or render.Failed (it diverged).
type BasinsResult struct {
	Labels []int32
	// Basins are the minima the runs reached, lowest first.
	Basins []Basin
	// None, Saddles and Lost count the starts of each special label.
	None, Saddles, Lost int
	// Radius is the clustering radius used.
	Radius  float64
	Backend Backend
}

// Basin is a minimum that runs reached: where (refined by Newton's method
// from its runs' end points), its loss, the Hessian's eigenvalues, the
// starts that reached it, and the known minimum it is (Known ≥ 0, an
// index into the surface's Minima) when one lies within the radius.
type Basin struct {
	X           []float64
	Value       float64
	Eigenvalues []float64
	// Degenerate: the Hessian is only positive semidefinite there.
	Degenerate bool
	Count      int
	Known      int
}

// Basins runs the batch: on the GPU when the backend allows and both the
// surface and the optimizer ship GLSL, else through the plugins.
func (a *App) Basins(ctx context.Context, s BasinsSpec) (*BasinsResult, error) {
	d := s.surface().Desc
	dim := d.Dim
	var starts []float64
	th := make([]float64, dim)
	if s.Scene == nil {
		l := s.Line.Line
		for i := 0; i < l.N; i++ {
			l.Point(th, i)
			starts = append(starts, th...)
		}
	} else {
		g := s.Scene.Grid
		starts = make([]float64, 0, g.Len()*dim)
		for j := 0; j < g.Ny; j++ {
			for i := 0; i < g.Nx; i++ {
				g.Point(th, i, j)
				starts = append(starts, th...)
			}
		}
	}
	var finals []float64
	n := len(starts) / dim
	fits := func(gpu bool) error {
		if need, limit := basinsBytes(n, dim, gpu), budget(s.MaxBytes); need > limit {
			on := "through the plugins"
			if gpu {
				on = "on the GPU"
			}
			size := fmt.Sprint(n)
			if s.Scene != nil {
				size = fmt.Sprintf("%dx%d", s.Scene.Grid.Nx, s.Scene.Grid.Ny)
			}
			return tooLarge("resolution", fmt.Sprintf("%s (%d runs %s)", size, n, on), need, limit)
		}
		return nil
	}
	backend, err := a.withBackend(s.Backend, func() (why string, err error) {
		finals, why, err = a.basinsGL(ctx, s, starts, fits)
		return why, err
	}, func() (err error) {
		if err := fits(false); err != nil {
			return err
		}
		finals, err = a.finalPoints(ctx, s, starts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a.classify(ctx, s.surface(), finals, s.Radius, backend)
}

// surface is the surface the runs are on.
func (s BasinsSpec) surface() *Surface {
	if s.Scene == nil {
		return s.Line.Surface
	}
	return s.Scene.Surface
}

// basinsGL steps the runs on the GPU; why says why it could not.
func (a *App) basinsGL(ctx context.Context, s BasinsSpec, starts []float64, fits func(gpu bool) error) ([]float64, string, error) {
	ev, k, why, err := a.gpuFor(ctx, s.surface())
	if ev == nil {
		return nil, why, err
	}
	if err := fits(true); err != nil {
		return nil, "", err
	}
	d := s.surface().Desc
	params, err := sdk.Resolve(s.Opt.Hyperparameters, s.OptParams)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", s.Opt.Name, err)
	}
	src, err := s.Opt.Client.GLSL(ctx, s.Opt.Name, params)
	if err != nil {
		return nil, "", err
	}
	if src == "" {
		return nil, fmt.Sprintf("optimizer %s has no GPU step function for these hyperparameters", s.Opt.Name), nil
	}
	{ // check the kernel's loss first (see VerifyGPU), at three starts
		pts, _ := spreadPoints(starts, nil, d.Dim)
		v, err := ev.EvalPoints(ctx, k, pts)
		if err == nil {
			err = a.VerifyGPU(ctx, s.surface(), pts, v)
		}
		if why, err := refusal(err); why != "" || err != nil {
			return nil, why, err
		}
	}
	consts := make([]compute.Const, len(s.Opt.Hyperparameters))
	for i, h := range s.Opt.Hyperparameters {
		consts[i] = compute.Const{Name: h.Name, Value: params[h.Name]}
	}
	update, stop := Progress(a.Stderr, "basins", s.Steps)
	x, _, err := ev.StepRuns(ctx, gl.StepSpec{Surface: k, OptName: s.Opt.Name, OptGLSL: src, OptConsts: consts,
		Starts: starts, Steps: s.Steps, Progress: update})
	stop()
	if err != nil {
		why, err := refusal(err)
		return nil, why, err
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out, "", nil
}

// finalPoints steps the runs through the plugins (one batch) and returns
// where each ended.
func (a *App) finalPoints(ctx context.Context, s BasinsSpec, starts []float64) ([]float64, error) {
	d := s.surface().Desc
	runs := make([][]float64, len(starts)/d.Dim)
	for i := range runs {
		runs[i] = starts[i*d.Dim : (i+1)*d.Dim]
	}
	update, stop := Progress(a.Stderr, "basins", s.Steps)
	defer stop()
	ends, err := optimize.Endpoints(ctx, problem{d, evaluation(s.surface())}, runs,
		method{app: a, opt: s.Opt, params: s.OptParams, texts: s.OptTexts, seed: s.Seed}, optimize.Settings{MaxSteps: s.Steps, Progress: update})
	if err != nil {
		return nil, err
	}
	last := make([]float64, 0, len(starts))
	for _, x := range ends {
		last = append(last, x...)
	}
	return last, nil
}

// classify labels each final point by the minimum its run reached,
// clustering the end points itself: runs that ended within radius of a
// cluster's first end point share it (critical.Cluster; zero radius: 1%
// of the largest domain width), each cluster's centroid is refined by
// Newton's method on the gradient (critical.Refine) to the critical point
// the runs approached (with many parameters and clusters, the centroid
// itself when its gradient is small), and the Hessian there tells a
// minimum (a basin) from a saddle or a maximum. A cluster whose refinement does not
// converge within the radius of its centroid ended at no critical point
// (a plateau, or runs not converged). Clusters that refine to the same
// minimum merge; a basin within the radius of a known minimum is named by
// it.
func (a *App) classify(ctx context.Context, s *Surface, finals []float64, radius float64, backend Backend) (*BasinsResult, error) {
	d := s.Desc
	dim := d.Dim
	if radius <= 0 {
		w := 0.0
		for _, iv := range d.Domain {
			w = math.Max(w, iv.Hi-iv.Lo)
		}
		radius = 0.01 * w
	}
	n := len(finals) / dim
	r := &BasinsResult{Labels: make([]int32, n), Backend: backend, Radius: radius}
	kept := make([]float64, len(finals))
	copy(kept, finals)
	for k := 0; k < n; k++ {
		x := kept[k*dim : (k+1)*dim]
		for c, v := range x {
			iv := d.Domain[c]
			if math.IsNaN(v) || math.IsInf(v, 0) || v < iv.Lo-100*(iv.Hi-iv.Lo) || v > iv.Hi+100*(iv.Hi-iv.Lo) {
				x[0] = math.NaN() // Cluster leaves it out
			}
		}
	}
	labels, nc, err := critical.Cluster(kept, dim, radius)
	if err != nil {
		return nil, err
	}
	// Each cluster's centroid.
	cent := make([][]float64, nc)
	size := make([]int, nc)
	for c := range cent {
		cent[c] = make([]float64, dim)
	}
	for k, c := range labels {
		if c < 0 {
			continue
		}
		size[c]++
		for j := 0; j < dim; j++ {
			cent[c][j] += kept[k*dim+j]
		}
	}
	for c := range cent {
		for j := range cent[c] {
			cent[c][j] /= float64(size[c])
		}
	}
	class := make([]int32, nc)
	if nc > 0 {
		ref, err := a.criticalNear(ctx, s, cent, radius)
		if err != nil {
			return nil, err
		}
		for c, q := range ref {
			class[c] = render.NoBasin
			if !q.Converged || distance(q.X, cent[c]) > radius {
				continue
			}
			eig, err := critical.Eigenvalues(q.Hessian, dim)
			if err != nil {
				continue
			}
			kind, idx := critical.Classify(eig, 1e-6, 0)
			if kind == critical.Saddle || kind == critical.Maximum || kind == critical.Degenerate && idx > 0 {
				class[c] = render.AtSaddle
				continue
			}
			b := -1
			for i := range r.Basins {
				if distance(r.Basins[i].X, q.X) <= radius/100 {
					b = i
				}
			}
			if b < 0 {
				b = len(r.Basins)
				known, dist := nearestIndex(d, q.X)
				if dist > radius {
					known = -1
				}
				r.Basins = append(r.Basins, Basin{X: q.X, Value: q.Value, Eigenvalues: eig, Degenerate: kind == critical.Degenerate, Known: known})
			}
			class[c] = int32(b)
		}
	}
	// Lowest first.
	order := make([]int, len(r.Basins))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return lowerBasin(r.Basins[order[i]], r.Basins[order[j]]) })
	rank := make([]int32, len(order))
	sorted := make([]Basin, len(order))
	for pos, i := range order {
		rank[i], sorted[pos] = int32(pos), r.Basins[i]
	}
	r.Basins = sorted
	for k, c := range labels {
		label := int32(render.Failed)
		if c >= 0 {
			label = class[c]
			if label >= 0 {
				label = rank[label]
			}
		}
		r.Labels[k] = label
		switch label {
		case render.NoBasin:
			r.None++
		case render.AtSaddle:
			r.Saddles++
		case render.Failed:
			r.Lost++
		default:
			r.Basins[label].Count++
		}
	}
	return r, nil
}

// Clusters are refined by Newton's method when there are few parameters
// (at most refineDim) or few parameters in all (clusters × parameters at
// most refineWork): each iteration costs 2·dim gradients a cluster. Else
// the end points are judged where they are.
const (
	refineDim  = critical.DenseMax
	refineWork = 4096
)

// criticalNear is, for each centroid, the critical point its runs
// approached: refined by Newton's method (see refineDim), or the
// centroid itself when its gradient is as small as a plateau's
// (optimize.PlateauRule's: at most 1e-3·(1+|loss|)), with its Hessian.
// Converged is false for a centroid that is no critical point.
func (a *App) criticalNear(ctx context.Context, s *Surface, cent [][]float64, radius float64) ([]critical.Refined, error) {
	f := a.funcOf(s)
	if s.Desc.Dim <= refineDim || len(cent)*s.Desc.Dim <= refineWork {
		return critical.Refine(ctx, f, cent, critical.Settings{Step: radius / 4, MaxIter: 30}, nil)
	}
	dim := s.Desc.Dim
	pts := make([]float64, 0, len(cent)*dim)
	for _, c := range cent {
		pts = append(pts, c...)
	}
	vals, grads, err := f.Gradients(ctx, pts)
	if err != nil {
		return nil, err
	}
	out := make([]critical.Refined, len(cent))
	var near []int
	var npts []float64
	for i, c := range cent {
		g := grads[i*dim : (i+1)*dim]
		out[i] = critical.Refined{X: c, Value: vals[i], Grad: g}
		if out[i].GradNorm() <= 1e-3*(1+math.Abs(vals[i])) {
			near = append(near, i)
			npts = append(npts, c...)
		}
	}
	if len(near) == 0 {
		return out, nil
	}
	h, err := f.Hessians(ctx, npts)
	if err != nil {
		return nil, err
	}
	for k, i := range near {
		out[i].Hessian, out[i].Converged = h[k*dim*dim:(k+1)*dim*dim], true
	}
	return out, nil
}

// lowerBasin orders basins by their minimum's value, and those of the
// same value (to 1e-9 relative: the GPU's and the CPU's end points refine
// to values that differ in rounding) by their coordinates.
func lowerBasin(a, b Basin) bool {
	if d := a.Value - b.Value; math.Abs(d) > 1e-9*(1+math.Max(math.Abs(a.Value), math.Abs(b.Value))) {
		return d < 0
	}
	for k := range a.X {
		if a.X[k] != b.X[k] {
			return a.X[k] < b.X[k]
		}
	}
	return false
}

func distance(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}
