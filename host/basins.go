package host

import (
	"context"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// BasinsSpec runs an optimizer from every point of a scene's grid.
type BasinsSpec struct {
	Scene     *Scene
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

// BasinsResult labels every start with the index of the known minimum it
// reached (in Scene.Desc.Minima), render.NoBasin or render.Failed.
type BasinsResult struct {
	Labels  []int32
	Counts  []int // per minimum
	None    int
	Lost    int
	Backend Backend
}

// Basins runs the batch: on the GPU when the backend allows and both the
// surface and the optimizer ship GLSL, else through the plugins.
func (a *App) Basins(ctx context.Context, s BasinsSpec) (*BasinsResult, error) {
	g := s.Scene.Grid
	d := s.Scene.Desc
	dim := d.Dim
	starts := make([]float64, 0, g.Len()*dim)
	th := make([]float64, dim)
	for j := 0; j < g.Ny; j++ {
		for i := 0; i < g.Nx; i++ {
			g.Point(th, i, j)
			starts = append(starts, th...)
		}
	}
	var finals []float64
	fits := func(gpu bool) error {
		if need, limit := basinsBytes(g.Len(), dim, gpu), budget(s.MaxBytes); need > limit {
			on := "through the plugins"
			if gpu {
				on = "on the GPU"
			}
			return tooLarge("resolution", fmt.Sprintf("%dx%d (%d runs %s)", g.Nx, g.Ny, g.Len(), on), need, limit)
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
	return classify(d, finals, s.Radius, backend), nil
}

// basinsGL steps the runs on the GPU; why says why it could not.
func (a *App) basinsGL(ctx context.Context, s BasinsSpec, starts []float64, fits func(gpu bool) error) ([]float64, string, error) {
	ev, k, why, err := a.gpuFor(ctx, s.Scene.Surface)
	if ev == nil {
		return nil, why, err
	}
	if err := fits(true); err != nil {
		return nil, "", err
	}
	d := s.Scene.Desc
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
			err = a.VerifyGPU(ctx, s.Scene.Surface, pts, v)
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
	d := s.Scene.Desc
	runs := make([][]float64, len(starts)/d.Dim)
	for i := range runs {
		runs[i] = starts[i*d.Dim : (i+1)*d.Dim]
	}
	update, stop := Progress(a.Stderr, "basins", s.Steps)
	defer stop()
	ends, err := optimize.Endpoints(ctx, problem{d, evaluation(s.Scene.Surface)}, runs,
		method{opt: s.Opt, params: s.OptParams, texts: s.OptTexts, seed: s.Seed}, optimize.Settings{MaxSteps: s.Steps, Progress: update})
	if err != nil {
		return nil, err
	}
	last := make([]float64, 0, len(starts))
	for _, x := range ends {
		last = append(last, x...)
	}
	return last, nil
}

// classify labels each final point by the known minimum within radius.
func classify(d client.Descriptor, finals []float64, radius float64, backend Backend) *BasinsResult {
	dim := d.Dim
	if radius <= 0 {
		w := 0.0
		for _, iv := range d.Domain {
			w = math.Max(w, iv.Hi-iv.Lo)
		}
		radius = 0.01 * w
	}
	n := len(finals) / dim
	r := &BasinsResult{Labels: make([]int32, n), Counts: make([]int, len(d.Minima)), Backend: backend}
	for k := 0; k < n; k++ {
		x := finals[k*dim : (k+1)*dim]
		lost := false
		for c, v := range x {
			iv := d.Domain[c]
			if math.IsNaN(v) || math.IsInf(v, 0) || v < iv.Lo-100*(iv.Hi-iv.Lo) || v > iv.Hi+100*(iv.Hi-iv.Lo) {
				lost = true
			}
		}
		label := int32(render.NoBasin)
		if lost {
			label = render.Failed
		} else if i, dist := nearestIndex(d, x); i >= 0 && dist <= radius {
			label = int32(i)
		}
		r.Labels[k] = label
		switch label {
		case render.NoBasin:
			r.None++
		case render.Failed:
			r.Lost++
		default:
			r.Counts[label]++
		}
	}
	return r
}

func distance(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}
