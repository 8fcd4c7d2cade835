package host

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
)

// The layers of a grid that journals and shards hold: the loss, and the
// test loss of a surface with a test set.
const (
	LayerLoss = "loss"
	LayerTest = "test_loss"
)

// GridID is what a grid's values are a function of: the surface (its
// plugin, by name and by the sha256 of its file), every hyperparameter,
// the plane and its sampling, the tile plan and the layers. Two runs of
// the same GridID give the same tiles, bit for bit, on the same backend:
// journals and shards carry it, and refuse to mix tiles of different
// ones. The backend is kept apart (Journal.Backend, a shard's backend),
// so that the plan does not depend on it.
type GridID struct {
	Surface      string `json:"surface"`
	Plugin       string `json:"plugin"`
	PluginSHA256 string `json:"plugin_sha256,omitempty"`
	// Settings holds every hyperparameter's value as text (numbers as Go
	// writes them shortest, choices by index).
	Settings map[string]string `json:"settings"`
	Nx       int               `json:"nx"`
	Ny       int               `json:"ny"`
	X        [2]float64        `json:"x"`
	Y        [2]float64        `json:"y"`
	Origin   []float64         `json:"origin"`
	U        []float64         `json:"u"`
	V        []float64         `json:"v"`
	XLabel   string            `json:"x_label"`
	YLabel   string            `json:"y_label"`
	TileRows int               `json:"tile_rows"`
	Layers   []string          `json:"layers"`
}

// GridID identifies the scene's grid evaluated under w, with the given
// layers (LayerLoss, and LayerTest when the test loss is wanted too).
func (a *App) GridID(sc *Scene, w GridWork, layers []string) GridID {
	g := sc.Grid
	id := GridID{Surface: sc.Desc.Name, Plugin: sc.Entry.Plugin, Settings: map[string]string{},
		Nx: g.Nx, Ny: g.Ny, X: [2]float64{g.X.Lo, g.X.Hi}, Y: [2]float64{g.Y.Lo, g.Y.Hi},
		Origin: g.Origin, U: g.U, V: g.V, XLabel: g.XLabel, YLabel: g.YLabel,
		TileRows: w.Plan(sc).Rows, Layers: layers}
	if a.mgr != nil {
		id.PluginSHA256 = a.mgr.pluginSum(sc.Entry.Plugin)
	}
	for _, h := range sc.Desc.Hyperparameters {
		v := strconv.FormatFloat(h.Default, 'g', -1, 64)
		if h.Text {
			v = h.DefaultText
			if t, ok := sc.Ref.Settings.Texts[h.Name]; ok {
				v = t
			}
		}
		id.Settings[h.Name] = v
	}
	return id
}

// pluginSum is the sha256 of the named plugin's file ("" when it has no
// file here, or it cannot be read), computed once.
func (m *Manager) pluginSum(name string) string {
	m.mu.Lock()
	if s, ok := m.sums[name]; ok {
		m.mu.Unlock()
		return s
	}
	m.mu.Unlock()
	sum := ""
	if f, err := m.file(name); err == nil && f.Reattach == nil {
		if r, err := os.Open(f.Path); err == nil {
			sum, _ = fileSum(r)
			r.Close()
		}
	}
	m.mu.Lock()
	if m.sums == nil {
		m.sums = map[string]string{}
	}
	m.sums[name] = sum
	m.mu.Unlock()
	return sum
}

// Grid is the grid id describes.
func (id GridID) Grid() compute.Grid {
	g := compute.Grid{XLabel: id.XLabel, YLabel: id.YLabel}
	g.Origin, g.U, g.V = id.Origin, id.U, id.V
	g.X, g.Y = sdk.Interval{Lo: id.X[0], Hi: id.X[1]}, sdk.Interval{Lo: id.Y[0], Hi: id.Y[1]}
	g.Nx, g.Ny = id.Nx, id.Ny
	return g
}

// Plan is id's tile plan.
func (id GridID) Plan() TilePlan { return TilePlan{Nx: id.Nx, Ny: id.Ny, Rows: id.TileRows} }

// check checks that id describes a grid a host could have made (a file
// read back may say anything).
func (id GridID) check() error {
	g := id.Grid()
	switch {
	case id.Nx < 2 || id.Ny < 2 || id.Nx > MaxAxis || id.Ny > MaxAxis:
		return fmt.Errorf("a %dx%d grid (each side from 2 to %d)", id.Nx, id.Ny, MaxAxis)
	case id.TileRows < 1:
		return fmt.Errorf("%d rows per tile", id.TileRows)
	case len(id.Layers) == 0 || len(id.Layers) > 2 || id.Layers[0] != LayerLoss || len(id.Layers) == 2 && id.Layers[1] != LayerTest:
		return fmt.Errorf("layers %v (want loss, or loss and test_loss)", id.Layers)
	}
	if err := g.Validate(); err != nil {
		return err
	}
	return nil
}

// hash is the sha256 of id's JSON.
func (id GridID) hash() [32]byte {
	b, _ := json.Marshal(id) // maps' keys sorted: canonical
	return sha256.Sum256(b)
}

// Diff names the first difference between id (of a, "the journal") and
// other (of b, "this run"), "" when there is none.
func (id GridID) Diff(other GridID, a, b string) string {
	d := func(what, x, y string) string { return fmt.Sprintf("%s %s in %s, %s in %s", what, x, a, y, b) }
	vec := func(v []float64) string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = strconv.FormatFloat(x, 'g', -1, 64)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	iv := func(v [2]float64) string { return vec(v[:]) }
	switch {
	case id.Surface != other.Surface:
		return d("surface", id.Surface, other.Surface)
	case id.Plugin != other.Plugin:
		return d("plugin", id.Plugin, other.Plugin)
	case id.PluginSHA256 != other.PluginSHA256:
		return fmt.Sprintf("plugin %s's file differs (sha256 %.12s… in %s, %.12s… in %s): it was rebuilt", id.Plugin, id.PluginSHA256, a, other.PluginSHA256, b)
	}
	names := map[string]bool{}
	for k := range id.Settings {
		names[k] = true
	}
	for k := range other.Settings {
		names[k] = true
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x, ok1 := id.Settings[k]
		y, ok2 := other.Settings[k]
		if !ok1 {
			x = "none"
		}
		if !ok2 {
			y = "none"
		}
		if x != y {
			return d("hyperparameter "+k, x, y)
		}
	}
	switch {
	case id.Nx != other.Nx || id.Ny != other.Ny:
		return d("resolution", fmt.Sprintf("%dx%d", id.Nx, id.Ny), fmt.Sprintf("%dx%d", other.Nx, other.Ny))
	case id.X != other.X:
		return d("x range", iv(id.X), iv(other.X))
	case id.Y != other.Y:
		return d("y range", iv(id.Y), iv(other.Y))
	case !slices.Equal(id.Origin, other.Origin):
		return d("plane origin", vec(id.Origin), vec(other.Origin))
	case !slices.Equal(id.U, other.U):
		return d("plane direction u", vec(id.U), vec(other.U))
	case !slices.Equal(id.V, other.V):
		return d("plane direction v", vec(id.V), vec(other.V))
	case id.XLabel != other.XLabel || id.YLabel != other.YLabel:
		return d("axes", id.XLabel+","+id.YLabel, other.XLabel+","+other.YLabel)
	case id.TileRows != other.TileRows:
		return d("rows per tile", strconv.Itoa(id.TileRows), strconv.Itoa(other.TileRows))
	case !slices.Equal(id.Layers, other.Layers):
		return d("layers", strings.Join(id.Layers, ","), strings.Join(other.Layers, ","))
	}
	return ""
}
