package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/critical"
	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/sdk/client"
	"gonum.org/v1/gonum/mat"
)

// Critical points, classification of where runs stopped, and the topology
// of a surface, wired from plugins to compute/critical.

// surfaceFunc is a surface as compute/critical and compute/neb see it:
// values and gradients from its plugin (in requests of at most
// pointsBatch points), Hessians from App.Hessians.
type surfaceFunc struct {
	a *App
	s *Surface

	mu     sync.Mutex
	method string // how the last Hessians were obtained
}

var _ critical.Func = (*surfaceFunc)(nil)

// funcOf is s as a critical.Func.
func (a *App) funcOf(s *Surface) *surfaceFunc { return &surfaceFunc{a: a, s: s} }

func (f *surfaceFunc) Dim() int { return f.s.Desc.Dim }

func (f *surfaceFunc) Gradients(ctx context.Context, pts []float64) ([]float64, []float64, error) {
	dim := f.s.Desc.Dim
	n := len(pts) / dim
	vals, grads := make([]float64, 0, n), make([]float64, 0, n*dim)
	for lo := 0; lo < n; lo += pointsBatch {
		hi := min(lo+pointsBatch, n)
		v, g, err := f.s.gradient(ctx, client.Points{Ref: f.s.Ref, Dim: dim, Points: pts[lo*dim : hi*dim]})
		if err != nil {
			return nil, nil, err
		}
		vals, grads = append(vals, v...), append(grads, g...)
	}
	return vals, grads, nil
}

func (f *surfaceFunc) Hessians(ctx context.Context, pts []float64) ([]float64, error) {
	h, method, err := f.a.Hessians(ctx, f.s, pts)
	if err == nil {
		f.mu.Lock()
		f.method = method
		f.mu.Unlock()
	}
	return h, err
}

// Method is how the Hessians were obtained ("" before any).
func (f *surfaceFunc) Method() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.method
}

// CriticalSpec asks for the critical points of a scene's surface on its
// plane, inside its ranges.
type CriticalSpec struct {
	Scene *Scene
	// Connect also finds which minima each index-1 saddle joins and the
	// disconnectivity graph.
	Connect bool
	// Progress, when set, is told how many grid points have had their
	// gradient evaluated.
	Progress func(done, total int)
	// Finer refines a grid too coarse to seed to the resolution the
	// search asks for (up to MaxCriticalRes points per axis) instead of
	// refusing it; the result's Grid says what was used.
	Finer bool
}

// MaxCriticalRes bounds the grid CriticalSpec.Finer refines to.
const MaxCriticalRes = 2048

// CriticalResult is the critical points found, and how.
type CriticalResult struct {
	*critical.Result
	// HessianMethod says how the Hessians were obtained.
	HessianMethod string
	// Connections and Tree are the saddles' minima and the
	// disconnectivity graph (CriticalSpec.Connect).
	Connections []critical.Connection
	Tree        *critical.Tree
	// Grid is the grid the search seeded from.
	Grid compute.Grid
}

// Critical finds and classifies the critical points of the scene's
// surface restricted to its plane (see critical.Find). A grid too coarse
// to seed is an InputError of the resolution saying what is needed.
func (a *App) Critical(ctx context.Context, spec CriticalSpec) (*CriticalResult, error) {
	sc := spec.Scene
	f := a.funcOf(sc.Surface)
	g := sc.Grid
	res, err := critical.Find(ctx, f, g, critical.Options{Progress: spec.Progress})
	var coarse *critical.CoarseError
	for spec.Finer && errors.As(err, &coarse) && coarse.Need[0] <= MaxCriticalRes && coarse.Need[1] <= MaxCriticalRes &&
		(coarse.Need[0] > g.Nx || coarse.Need[1] > g.Ny) {
		g.Nx, g.Ny = max(g.Nx, coarse.Need[0]), max(g.Ny, coarse.Need[1])
		res, err = critical.Find(ctx, f, g, critical.Options{Progress: spec.Progress})
	}
	if errors.Is(err, critical.ErrTooCoarse) {
		return nil, &InputError{Input: "resolution", Msg: trimPrefix(err, critical.ErrTooCoarse), Err: err}
	}
	if err != nil {
		return nil, err
	}
	out := &CriticalResult{Result: res, HessianMethod: f.Method(), Grid: g}
	if !spec.Connect || res.Count[critical.Saddle] == 0 {
		if spec.Connect {
			out.Tree = tree(res, nil)
		}
		return out, nil
	}
	pf, err := critical.OnPlane(f, g.Origin, g.U, g.V)
	if err != nil {
		return nil, err
	}
	pts := make([]critical.Point, len(res.Points))
	for i, p := range res.Points {
		pts[i] = p.Point
	}
	dx := (g.X.Hi - g.X.Lo) / float64(g.Nx-1)
	dy := (g.Y.Hi - g.Y.Lo) / float64(g.Ny-1)
	w, h := g.X.Hi-g.X.Lo, g.Y.Hi-g.Y.Lo
	inside := func(x []float64) bool {
		return x[0] >= g.X.Lo-0.05*w && x[0] <= g.X.Hi+0.05*w && x[1] >= g.Y.Lo-0.05*h && x[1] <= g.Y.Hi+0.05*h
	}
	conns, err := critical.Connect(ctx, pf, pts, critical.Settings{Step: math.Max(dx, dy), GradScale: res.GradScale}, inside)
	if err != nil {
		return nil, err
	}
	out.Connections, out.Tree = conns, tree(res, conns)
	return out, nil
}

// tree is the disconnectivity graph of res's minima joined by conns.
func tree(res *critical.Result, conns []critical.Connection) *critical.Tree {
	pts := make([]critical.Point, len(res.Points))
	var minima []int
	for i, p := range res.Points {
		pts[i] = p.Point
		if p.Kind == critical.Minimum {
			minima = append(minima, i)
		}
	}
	t := critical.Disconnect(pts, minima, conns)
	return &t
}

// trimPrefix is err's message without the sentinel's own words.
func trimPrefix(err, sentinel error) string {
	s := err.Error()
	p := sentinel.Error() + ": "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// Stop is where a run stopped, classified by the Hessian there.
type Stop struct {
	// Point is the run's last point, with its loss, gradient norm and the
	// Hessian's eigenvalues (all of them, ascending; by Lanczos, the
	// lowest and the highest), kind and index (-1 when Lanczos gave only
	// the lowest eigenvalue of a saddle: its index is then at least 1).
	critical.Point
	// Method says how the Hessian was obtained and analysed.
	Method string `json:"hessian_method"`
	// Note says what to be wary of (Lanczos that did not converge).
	Note string `json:"note,omitempty"`
}

// Describe is where the run stopped in words: "a minimum", "a saddle
// (index 1)", "a saddle (index ≥ 1)", ...
func (s *Stop) Describe() string {
	if s.Kind == critical.Saddle && s.Index < 0 {
		return "a saddle (index ≥ 1)"
	}
	return critical.Describe(s.Kind, s.Index)
}

// ClassifyStops classifies the last point of each run that converged or
// stalled on a plateau (nil for the others): minimum, saddle of index k,
// maximum or degenerate, by the Hessian's eigenvalues there
// (compute/hessian's classification, as the hessian command's): all of
// them from the dense Hessian up to hessian.DefaultMaxDense parameters,
// and above that the lowest and the highest by Lanczos.
func (a *App) ClassifyStops(ctx context.Context, s *Surface, trajs []*Trajectory) ([]*Stop, error) {
	stops := make([]*Stop, len(trajs))
	d := s.Desc.Dim
	for i, t := range trajs {
		if t.Status != optimize.Converged && t.Status != optimize.Plateau || !finiteVec(t.X) {
			continue
		}
		st := &Stop{Point: critical.Point{X: t.X, Value: t.Loss, GradNorm: t.GradNorm}}
		if d <= hessian.DefaultMaxDense {
			h, method, err := a.Hessians(ctx, s, t.X)
			if err != nil {
				return nil, err
			}
			sp, err := hessian.Analyze(mat.NewDense(d, d, h), hessian.DenseSettings{Source: method})
			if err != nil {
				return nil, err
			}
			if sp.Class == hessian.Undefined {
				continue // not twice differentiable there
			}
			st.Eigenvalues, st.Index, st.Method = sp.Values, sp.Index, method
			st.Kind = kindOf(sp.Class)
		} else {
			op, err := a.HessianOperator(ctx, s, t.X, nil)
			if err != nil {
				return nil, err
			}
			e, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: 1, Bottom: 1, Seed: 1})
			switch {
			case errors.Is(err, hessian.ErrNonFinite):
				continue
			case errors.Is(err, hessian.ErrNotConverged):
				st.Note = fmt.Sprintf("Lanczos did not converge (residuals %.2g and %.2g)", e.Bottom[0].Residual, e.Top[0].Residual)
			case err != nil:
				return nil, err
			}
			lo, hi := e.Bottom[0].Value, e.Top[0].Value
			tol := hessian.DefaultRelTol * math.Max(math.Abs(lo), math.Abs(hi))
			st.Eigenvalues, st.Method = []float64{lo, hi}, e.Method+", "+e.HVP
			switch {
			case lo > tol:
				st.Kind = critical.Minimum
			case hi < -tol:
				st.Kind, st.Index = critical.Maximum, d
			case lo < -tol && hi > tol:
				st.Kind, st.Index = critical.Saddle, -1
			default:
				st.Kind, st.Index = critical.Degenerate, -1
			}
		}
		stops[i] = st
	}
	return stops, nil
}

// kindOf is compute/hessian's class as a critical point's kind.
func kindOf(c hessian.Class) critical.Kind {
	switch c {
	case hessian.Minimum:
		return critical.Minimum
	case hessian.Maximum:
		return critical.Maximum
	case hessian.Saddle:
		return critical.Saddle
	}
	return critical.Degenerate
}

// CriticalReport is the JSON of a critical-point search.
type CriticalReport struct {
	Surface         string                `json:"surface"`
	Dim             int                   `json:"dim"`
	Hyperparameters map[string]any        `json:"hyperparameters"`
	Resolution      [2]int                `json:"resolution"`
	Range           SummaryRange          `json:"range"`
	Plane           SummaryPlane          `json:"plane"`
	HessianMethod   string                `json:"hessian_method"`
	Counts          *CriticalCounts       `json:"counts"`
	Seeds           int                   `json:"seeds"`
	Failed          map[string]int        `json:"not_converged_by_reason,omitempty"`
	Outside         int                   `json:"converged_outside_range"`
	Points          []critical.Found      `json:"points"`
	Connections     []critical.Connection `json:"connections,omitempty"`
	Tree            *critical.Tree        `json:"tree,omitempty"`
}

// NewCriticalReport describes r, found on sc.
func NewCriticalReport(sc *Scene, r *CriticalResult) CriticalReport {
	g := sc.Grid
	pts := r.Points
	if pts == nil {
		pts = []critical.Found{}
	}
	return CriticalReport{Surface: sc.Desc.Name, Dim: sc.Desc.Dim, Hyperparameters: ConfiguredJSON(sc.Desc.Hyperparameters),
		Resolution: [2]int{g.Nx, g.Ny}, Range: SummaryRange{X: [2]float64{g.X.Lo, g.X.Hi}, Y: [2]float64{g.Y.Lo, g.Y.Hi}},
		Plane: SummaryPlane{Origin: g.Origin, U: g.U, V: g.V}, HessianMethod: r.HessianMethod, Counts: r.Counts(),
		Seeds: r.Seeds, Failed: r.Failed, Outside: r.Outside, Points: pts, Connections: r.Connections, Tree: r.Tree}
}

// WriteCriticalCSV writes one row per critical point: its plane
// coordinates x and y, kind, index, value, gradient norm and the plane
// Hessian's eigenvalues; for surfaces of more than 2 parameters also the
// full space's kind, index, gradient norm and lowest and highest
// eigenvalues (empty where not classified).
func WriteCriticalCSV(w io.Writer, r *CriticalResult, dim int) error {
	bw := bufio.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	bw.WriteString("x,y,kind,index,value,grad_norm,eig_min,eig_max")
	if dim > 2 {
		bw.WriteString(",full_kind,full_index,full_grad_norm,full_eig_min,full_eig_max")
	}
	bw.WriteString("\n")
	for _, p := range r.Points {
		row := []string{f(p.X[0]), f(p.X[1]), p.Kind.String(), strconv.Itoa(p.Index), f(p.Value), f(p.GradNorm), f(p.Eigenvalues[0]), f(p.Eigenvalues[1])}
		if dim > 2 {
			if q := p.Full; q != nil {
				row = append(row, q.Kind.String(), strconv.Itoa(q.Index), f(q.GradNorm), f(q.Eigenvalues[0]), f(q.Eigenvalues[len(q.Eigenvalues)-1]))
			} else {
				row = append(row, "", "", "", "", "")
			}
		}
		bw.WriteString(strings.Join(row, ",") + "\n")
	}
	return bw.Flush()
}

// MinCriticalRes is the fewest grid points per axis a critical-point
// search seeds from.
const MinCriticalRes = critical.MinRes
