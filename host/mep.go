package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/landscape-go/landscape/compute/neb"
	"github.com/landscape-go/landscape/sdk/client"
)

// MEPSpec asks for a minimum-energy path of a surface between two ends.
type MEPSpec struct {
	Surface  *Surface
	From, To Endpoint
	// Images, Spring, MaxIter and NoClimb tune the band (see
	// neb.Settings; zero values are its defaults).
	Images  int
	Spring  float64
	MaxIter int
	NoClimb bool
	// Per is the number of profile points per band segment (zero: 8).
	Per int
	// Progress, when set, is told the band's iteration.
	Progress func(iter, max int)
}

// MEP is a minimum-energy path and its profile beside the straight line's.
type MEP struct {
	*neb.Result
	// From and To are the ends as points.
	From, To []float64
	// Arc, Loss are the loss along the band (Per points per segment): the
	// fraction of the band's length and the loss there; LineLoss is the
	// loss at the same fractions of the straight line from From to To
	// (slice --from --to's interpolation).
	Arc, Loss, LineLoss []float64
	// Points are the band's points where Loss was evaluated.
	Points [][]float64
	// TestLoss and LineTest are the test loss along both, when the
	// surface has a test set (nil otherwise).
	TestLoss, LineTest []float64
}

// Resolve is the endpoint as a point of the surface d: a known minimum's
// location, or the point itself (checked against d's dimension). input
// names the endpoint in errors ("from", "to").
func (e Endpoint) Resolve(input string, d client.Descriptor) ([]float64, error) {
	if e.Minimum >= 0 {
		if e.Minimum >= len(d.Minima) {
			if len(d.Minima) == 0 {
				return nil, badInput(input, "%s: %s declares no minima; give a point", e.Text, d.Name)
			}
			return nil, badInput(input, "%s: %s declares %d minima (min0 to min%d)", e.Text, d.Name, len(d.Minima), len(d.Minima)-1)
		}
		return append([]float64(nil), d.Minima[e.Minimum].Location...), nil
	}
	if len(e.X) != d.Dim {
		return nil, badInput(input, "has %d values; %s has %d parameters", len(e.X), d.Name, d.Dim)
	}
	return e.X, nil
}

// MinimumPath finds the minimum-energy path between the spec's ends with
// the climbing-image nudged elastic band (neb.Run), in the surface's full
// parameter space, and its loss profile beside the straight line's.
func (a *App) MinimumPath(ctx context.Context, spec MEPSpec) (*MEP, error) {
	d := spec.Surface.Desc
	if len(spec.From.X) > 0 && len(spec.To.X) > 0 && len(spec.From.X) != len(spec.To.X) {
		return nil, badInput("to", "has %d values, from %d: the ends of a path are points of the same surface", len(spec.To.X), len(spec.From.X))
	}
	from, err := spec.From.Resolve("from", d)
	if err != nil {
		return nil, err
	}
	to, err := spec.To.Resolve("to", d)
	if err != nil {
		return nil, err
	}
	same := true
	for k := range from {
		same = same && from[k] == to[k]
	}
	if same {
		return nil, badInput("to", "is the same point as from: a path needs two different ends")
	}
	f := a.funcOf(spec.Surface)
	r, err := neb.Run(ctx, f, from, to, neb.Settings{Images: spec.Images, Spring: spec.Spring, MaxIter: spec.MaxIter, NoClimb: spec.NoClimb, Progress: spec.Progress})
	if errors.Is(err, neb.ErrInvalid) {
		return nil, &InputError{Input: "from", Msg: "and to: " + trimPrefix(err, neb.ErrInvalid), Err: err}
	}
	if err != nil {
		return nil, err
	}
	m := &MEP{Result: r, From: from, To: to}
	per := spec.Per
	if per <= 0 {
		per = 8
	}
	pts, arc := neb.Sample(r.Images, per)
	m.Points, m.Arc = pts, arc
	dim := d.Dim
	band := make([]float64, 0, len(pts)*dim)
	line := make([]float64, 0, len(pts)*dim)
	for i, p := range pts {
		band = append(band, p...)
		for k := range from {
			line = append(line, from[k]+arc[i]*(to[k]-from[k]))
		}
	}
	m.Loss, m.LineLoss = make([]float64, len(pts)), make([]float64, len(pts))
	if err := a.lossAt(ctx, spec.Surface, band, m.Loss); err != nil {
		return nil, err
	}
	if err := a.lossAt(ctx, spec.Surface, line, m.LineLoss); err != nil {
		return nil, err
	}
	ts, ok, err := a.TestSet(ctx, spec.Surface)
	if err != nil {
		return nil, fmt.Errorf("test loss: %w", err)
	}
	if ok {
		m.TestLoss, m.LineTest = make([]float64, len(pts)), make([]float64, len(pts))
		if err := a.lossAt(ctx, ts, band, m.TestLoss); err != nil {
			return nil, err
		}
		if err := a.lossAt(ctx, ts, line, m.LineTest); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// MEPReport is the JSON of a minimum-energy path.
type MEPReport struct {
	Surface         string         `json:"surface"`
	Hyperparameters map[string]any `json:"hyperparameters"`
	From            []float64      `json:"from"`
	To              []float64      `json:"to"`
	Images          [][]float64    `json:"images"`
	Losses          []float64      `json:"losses"`
	GradNorms       []float64      `json:"grad_norms"`
	Arc             []float64      `json:"arc"`
	Length          float64        `json:"length"`
	Climber         int            `json:"climbing_image"`
	Saddle          []float64      `json:"saddle"`
	SaddleLoss      *float64       `json:"saddle_loss"`
	SaddleRefined   bool           `json:"saddle_refined"`
	SaddleIndex     int            `json:"saddle_index"`
	Barriers        [2]float64     `json:"barriers"`
	Iterations      int            `json:"iterations"`
	Converged       bool           `json:"converged"`
	MaxForce        float64        `json:"max_force"`
	Spring          float64        `json:"spring"`
	Evaluations     int            `json:"gradient_evaluations"`
}

// NewMEPReport describes m, a path of s.
func NewMEPReport(s *Surface, m *MEP) MEPReport {
	r := MEPReport{Surface: s.Desc.Name, Hyperparameters: ConfiguredJSON(s.Desc.Hyperparameters), From: m.From, To: m.To,
		Images: m.Images, Losses: m.Values, GradNorms: m.GradNorms, Arc: m.Result.Arc, Length: m.Length, Climber: m.Climber,
		Saddle: m.Saddle, SaddleRefined: m.Refined, SaddleIndex: m.Index, Barriers: m.Barrier, Iterations: m.Iter,
		Converged: m.Converged, MaxForce: m.MaxForce, Spring: m.Spring, Evaluations: m.Evaluations}
	if m.Saddle != nil {
		v := m.SaddleValue
		r.SaddleLoss = &v
	}
	return r
}
