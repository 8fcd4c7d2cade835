package host

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Summary is the JSON description of an evaluated grid.
type Summary struct {
	Surface         string         `json:"surface"`
	Plugin          string         `json:"plugin"`
	Backend         string         `json:"backend"`
	Dim             int            `json:"dim"`
	Hyperparameters map[string]any `json:"hyperparameters"`
	Resolution      [2]int         `json:"resolution"` // nx, ny
	Range           SummaryRange   `json:"range"`
	Plane           *SummaryPlane  `json:"plane,omitempty"`
	Min             *float64       `json:"min"`
	Max             *float64       `json:"max"`
	Argmin          *SummaryPoint  `json:"argmin"`
	Argmax          *SummaryPoint  `json:"argmax"`
	NaNCount        int            `json:"nan_count"`
	Layout          string         `json:"layout"`
	Timing          SummaryTiming  `json:"timing"`
	// Tiles counts the grid's tiles: evaluated, taken from a journal,
	// asked again of a restarted plugin.
	Tiles *TileStats `json:"tiles,omitempty"`
	// Quantity describes the map of a quantity other than the loss
	// (AddQuantity); Min to Argmax are the loss's.
	Quantity *SummaryQuantity `json:"quantity,omitempty"`
	// Stats is the grid's shape (see App.Stats), when asked for.
	Stats *StatsReport `json:"stats,omitempty"`
}

// SummaryQuantity is a map's quantity, how its Hessians were obtained, and
// its extremes.
type SummaryQuantity struct {
	Name     string        `json:"name"`
	Method   string        `json:"hessian_method"`
	Min      *float64      `json:"min"`
	Max      *float64      `json:"max"`
	Argmin   *SummaryPoint `json:"argmin"`
	Argmax   *SummaryPoint `json:"argmax"`
	NaNCount int           `json:"nan_count"`
}

// AddQuantity describes the map f of the quantity name, its Hessians
// obtained by method.
func (s *Summary) AddQuantity(name, method string, f *compute.Field) {
	q := &SummaryQuantity{Name: name, Method: method}
	st := f.Stats()
	q.NaNCount = st.NaN
	if st.ArgMin[0] >= 0 {
		mn, mx := st.Min, st.Max
		q.Min, q.Max = &mn, &mx
		q.Argmin, q.Argmax = point(f.Grid, st.ArgMin, mn), point(f.Grid, st.ArgMax, mx)
	}
	s.Quantity = q
}

// SummaryRange is the grid's extent; both ends are grid points.
type SummaryRange struct {
	X [2]float64 `json:"x"`
	Y [2]float64 `json:"y"`
}

// SummaryPlane is the plane through parameter space: θ = origin + x·u + y·v.
type SummaryPlane struct {
	Origin []float64 `json:"origin"`
	U      []float64 `json:"u"`
	V      []float64 `json:"v"`
}

// SummaryPoint is a grid point: column i, row j, coordinates x, y, value.
type SummaryPoint struct {
	I     int     `json:"i"`
	J     int     `json:"j"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Value float64 `json:"value"`
}

// SummaryTiming is in milliseconds.
type SummaryTiming struct {
	EvalMS  float64 `json:"eval_ms"`
	TotalMS float64 `json:"total_ms"`
	// GPU only: the kernels' time and the copy back.
	KernelMS   float64 `json:"kernel_ms,omitempty"`
	ReadbackMS float64 `json:"readback_ms,omitempty"`
}

// NewSummary describes field as evaluated for scene.
func NewSummary(sc *Scene, backend Backend, f *compute.Field, eval, total time.Duration) Summary {
	hp := ConfiguredJSON(sc.Desc.Hyperparameters)
	g := f.Grid
	s := Summary{
		Surface: sc.Desc.Name, Plugin: sc.Entry.Plugin, Backend: backend.String(), Dim: sc.Desc.Dim,
		Hyperparameters: hp, Resolution: [2]int{g.Nx, g.Ny},
		Range:  SummaryRange{X: [2]float64{g.X.Lo, g.X.Hi}, Y: [2]float64{g.Y.Lo, g.Y.Hi}},
		Layout: "row-major y-by-x; row 0 at y=range.y[0]; column i at x0+i*(x1-x0)/(nx-1)",
		Timing: SummaryTiming{EvalMS: Millis(eval), TotalMS: Millis(total)},
	}
	if !axisAligned(g.Plane) {
		s.Plane = &SummaryPlane{Origin: g.Origin, U: g.U, V: g.V}
	}
	st := f.Stats()
	s.NaNCount = st.NaN
	if st.ArgMin[0] >= 0 {
		mn, mx := st.Min, st.Max
		s.Min, s.Max = &mn, &mx
		s.Argmin = point(g, st.ArgMin, mn)
		s.Argmax = point(g, st.ArgMax, mx)
	}
	return s
}

func axisAligned(p grid.Plane) bool {
	if len(p.Origin) != 2 {
		return false
	}
	for _, v := range p.Origin {
		if v != 0 {
			return false
		}
	}
	return p.U[0] == 1 && p.U[1] == 0 && p.V[0] == 0 && p.V[1] == 1
}

func point(g compute.Grid, ij [2]int, v float64) *SummaryPoint {
	return &SummaryPoint{I: ij[0], J: ij[1], X: g.XAt(ij[0]), Y: g.YAt(ij[1]), Value: v}
}

// Millis is d in milliseconds, to the microsecond.
func Millis(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// HyperparameterJSON is a hyperparameter in listings.
type HyperparameterJSON struct {
	Name    string   `json:"name"`
	Default any      `json:"default"`
	Min     float64  `json:"min"`
	Max     float64  `json:"max"`
	Integer bool     `json:"integer,omitempty"`
	Options []string `json:"options,omitempty"`
	Flag    bool     `json:"flag,omitempty"`
	Text    bool     `json:"text,omitempty"`
	Doc     string   `json:"doc,omitempty"`
}

// Configured is the settings of a configured surface: each hyperparameter's
// Default (or DefaultText), which holds its configured value (see sdk.Info).
func Configured(hs []sdk.Hyperparameter) client.Settings {
	s := client.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}
	for _, h := range hs {
		if h.Text {
			s.Texts[h.Name] = h.DefaultText
		} else {
			s.Params[h.Name] = h.Default
		}
	}
	return s
}

// ConfiguredJSON maps each hyperparameter of a configured surface to its
// value (Default holds the configured value; see sdk.Info).
func ConfiguredJSON(hs []sdk.Hyperparameter) map[string]any {
	out := map[string]any{}
	for _, h := range hs {
		out[h.Name] = h.DefaultValue()
	}
	return out
}

// HyperparametersJSON lists hs for JSON (never null).
func HyperparametersJSON(hs []sdk.Hyperparameter) []HyperparameterJSON {
	out := make([]HyperparameterJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, HyperparameterJSON{h.Name, h.DefaultValue(), h.Min, h.Max, h.Integer, h.Options, h.Flag, h.Text, h.Doc})
	}
	return out
}
