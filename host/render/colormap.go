package render

import (
	"errors"
	"fmt"
	"github.com/landscape-go/landscape/host/internal/suggest"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot/palette"
)

// ErrUnknownColormap is wrapped by the error Colormap returns for a name it
// does not know.
var ErrUnknownColormap = errors.New("render: unknown colormap")

// defaultColormap is the colormap of the zero Options.
const defaultColormap = "viridis"

// Control points of the colormaps, as sRGB triples in [0, 1], evenly spaced
// over t ∈ [0, 1] and interpolated linearly between.
//
// Sources:
//   - viridis, magma, inferno, plasma: Stéfan van der Walt and Nathaniel
//     Smith's colormaps as shipped in matplotlib (lib/matplotlib/_cm_listed.py),
//     released under CC0 (public domain). cividis: Nuñez, Anderton and
//     Renslow (2018), from the same file, also CC0. Each table here is the
//     256-entry table sampled at entries 0, 17, 34, …, 255 (16 samples, both
//     ends exact).
//   - turbo: Anton Mikhailov's Turbo lookup table (Google LLC, Apache-2.0,
//     https://gist.github.com/mikhailov-work/ee72ba4191942acecc03fe6da94fc73f),
//     sampled at the same 16 entries.
//   - coolwarm: Kenneth Moreland's diverging cool-to-warm map ("Diverging
//     Color Maps for Scientific Visualization", 2009), his published 33-entry
//     table, as used by matplotlib's "coolwarm" and ParaView's "Cool to Warm".
//   - gray: linear black to white.
var colormapTables = map[string][][3]float64{
	"viridis": {
		{0.267004, 0.004874, 0.329415},
		{0.282656, 0.100196, 0.422160},
		{0.277134, 0.185228, 0.489898},
		{0.253935, 0.265254, 0.529983},
		{0.221989, 0.339161, 0.548752},
		{0.190631, 0.407061, 0.556089},
		{0.163625, 0.471133, 0.558148},
		{0.139147, 0.533812, 0.555298},
		{0.120565, 0.596422, 0.543611},
		{0.134692, 0.658636, 0.517649},
		{0.208030, 0.718701, 0.472873},
		{0.327796, 0.773980, 0.406640},
		{0.477504, 0.821444, 0.318195},
		{0.647257, 0.858400, 0.209861},
		{0.824940, 0.884720, 0.106217},
		{0.993248, 0.906157, 0.143936},
	},
	"magma": {
		{0.001462, 0.000466, 0.013866},
		{0.043830, 0.033830, 0.141886},
		{0.123833, 0.067295, 0.295879},
		{0.232077, 0.059889, 0.437695},
		{0.341482, 0.080564, 0.492631},
		{0.445163, 0.122724, 0.506901},
		{0.550287, 0.161158, 0.505719},
		{0.658483, 0.196027, 0.490253},
		{0.767398, 0.233705, 0.457755},
		{0.868793, 0.287728, 0.409303},
		{0.944006, 0.377643, 0.365136},
		{0.981000, 0.498428, 0.369734},
		{0.994738, 0.624350, 0.427397},
		{0.997228, 0.747981, 0.516859},
		{0.993170, 0.870024, 0.626189},
		{0.987053, 0.991438, 0.749504},
	},
	"inferno": {
		{0.001462, 0.000466, 0.013866},
		{0.046915, 0.030324, 0.150164},
		{0.142378, 0.046242, 0.308553},
		{0.258234, 0.038571, 0.406485},
		{0.366529, 0.071579, 0.431994},
		{0.472328, 0.110547, 0.428334},
		{0.578304, 0.148039, 0.404411},
		{0.682656, 0.189501, 0.360757},
		{0.780517, 0.243327, 0.299523},
		{0.865006, 0.316822, 0.226055},
		{0.929644, 0.411479, 0.145367},
		{0.970919, 0.522853, 0.058367},
		{0.987622, 0.645320, 0.039886},
		{0.978806, 0.774545, 0.176037},
		{0.950018, 0.903409, 0.380271},
		{0.988362, 0.998364, 0.644924},
	},
	"plasma": {
		{0.050383, 0.029803, 0.527975},
		{0.200445, 0.017902, 0.593364},
		{0.312543, 0.008239, 0.635700},
		{0.417642, 0.000564, 0.658390},
		{0.517933, 0.021563, 0.654109},
		{0.610667, 0.090204, 0.619951},
		{0.692840, 0.165141, 0.564522},
		{0.764193, 0.240396, 0.502126},
		{0.826588, 0.315714, 0.441316},
		{0.881443, 0.392529, 0.383229},
		{0.928329, 0.472975, 0.326067},
		{0.965024, 0.559118, 0.268513},
		{0.988260, 0.652325, 0.211364},
		{0.994141, 0.753137, 0.161404},
		{0.977995, 0.861432, 0.142808},
		{0.940015, 0.975158, 0.131326},
	},
	"cividis": {
		{0.000000, 0.135112, 0.304751},
		{0.000000, 0.181610, 0.421859},
		{0.117612, 0.225935, 0.434308},
		{0.208926, 0.272546, 0.424809},
		{0.279411, 0.318677, 0.423031},
		{0.342246, 0.364939, 0.428559},
		{0.401418, 0.411790, 0.440708},
		{0.458366, 0.459552, 0.460457},
		{0.517920, 0.508454, 0.472707},
		{0.582087, 0.558670, 0.468118},
		{0.648222, 0.610553, 0.454801},
		{0.716177, 0.664384, 0.432386},
		{0.785965, 0.720438, 0.399613},
		{0.857809, 0.778969, 0.353259},
		{0.932180, 0.840159, 0.285880},
		{0.995737, 0.909344, 0.217772},
	},
	"turbo": {
		{0.18995, 0.07176, 0.23217},
		{0.25369, 0.26327, 0.65406},
		{0.27691, 0.44145, 0.91328},
		{0.24427, 0.60937, 0.99697},
		{0.13278, 0.77165, 0.88580},
		{0.10342, 0.89600, 0.71500},
		{0.27597, 0.97092, 0.51653},
		{0.53255, 0.99919, 0.30581},
		{0.72596, 0.96470, 0.20640},
		{0.88331, 0.86553, 0.21719},
		{0.98000, 0.73000, 0.22161},
		{0.99297, 0.55214, 0.15417},
		{0.94084, 0.35566, 0.07031},
		{0.83926, 0.20654, 0.02305},
		{0.68602, 0.09536, 0.00481},
		{0.47960, 0.01583, 0.01055},
	},
	"coolwarm": rgb255(
		59, 76, 192,
		68, 90, 204,
		77, 104, 215,
		87, 117, 225,
		98, 130, 234,
		108, 142, 241,
		119, 154, 247,
		130, 165, 251,
		141, 176, 254,
		152, 185, 255,
		163, 194, 255,
		174, 201, 253,
		184, 208, 249,
		194, 213, 244,
		204, 217, 238,
		213, 219, 230,
		221, 221, 221,
		229, 216, 209,
		236, 211, 197,
		241, 204, 185,
		245, 196, 173,
		247, 187, 160,
		247, 177, 148,
		247, 166, 135,
		244, 154, 123,
		241, 141, 111,
		236, 127, 99,
		229, 112, 88,
		222, 96, 77,
		213, 80, 66,
		203, 62, 56,
		192, 40, 47,
		180, 4, 38,
	),
	"gray": {
		{0, 0, 0},
		{1, 1, 1},
	},
}

// rgb255 turns a flat list of 8-bit triples into control points.
func rgb255(v ...float64) [][3]float64 {
	out := make([][3]float64, len(v)/3)
	for i := range out {
		out[i] = [3]float64{v[3*i] / 255, v[3*i+1] / 255, v[3*i+2] / 255}
	}
	return out
}

// Colormaps lists the names Colormap accepts, sorted.
func Colormaps() []string {
	names := make([]string, 0, len(colormapTables))
	for n := range colormapTables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Colormap returns the named colormap as a function of t ∈ [0, 1] (t is
// clamped; NaN maps to t = 0). Names are case-insensitive and "" means
// viridis. An unknown name gives an error wrapping ErrUnknownColormap that
// lists the accepted names and suggests the closest one.
func Colormap(name string) (func(t float64) color.RGBA, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		key = defaultColormap
	}
	table, ok := colormapTables[key]
	if !ok {
		names := Colormaps()
		hint := ""
		if c := suggest.Closest(key, names, 1); len(c) == 1 {
			hint = fmt.Sprintf("; did you mean %q?", c[0])
		}
		return nil, fmt.Errorf("%w %q (accepted: %s)%s", ErrUnknownColormap, name, strings.Join(names, ", "), hint)
	}
	return lerpTable(table), nil
}

// lerpTable interpolates evenly spaced control points linearly.
func lerpTable(table [][3]float64) func(t float64) color.RGBA {
	n := len(table)
	return func(t float64) color.RGBA {
		if !(t > 0) { // also NaN
			t = 0
		}
		if t > 1 {
			t = 1
		}
		x := t * float64(n-1)
		i := int(x)
		if i >= n-1 {
			i = n - 2
		}
		f := x - float64(i)
		a, b := table[i], table[i+1]
		return color.RGBA{
			R: to8(a[0] + f*(b[0]-a[0])),
			G: to8(a[1] + f*(b[1]-a[1])),
			B: to8(a[2] + f*(b[2]-a[2])),
			A: 255,
		}
	}
}

func to8(v float64) uint8 {
	v = math.Round(v * 255)
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

// scale adapts a colormap to gonum/plot: it is a palette.ColorMap over the
// coloured quantity's range [lo, hi] (for plotter.ColorBar) and its Palette
// is what plotter.HeatMap indexes.
type scale struct {
	f      func(t float64) color.RGBA
	lo, hi float64
}

var _ palette.ColorMap = (*scale)(nil)

func (s *scale) At(v float64) (color.Color, error) {
	if math.IsNaN(v) || v < s.lo || v > s.hi {
		return nil, fmt.Errorf("render: value %v outside colour range [%v, %v]", v, s.lo, s.hi)
	}
	return s.f((v - s.lo) / (s.hi - s.lo)), nil
}
func (s *scale) Max() float64       { return s.hi }
func (s *scale) SetMax(v float64)   { s.hi = v }
func (s *scale) Min() float64       { return s.lo }
func (s *scale) SetMin(v float64)   { s.lo = v }
func (s *scale) Alpha() float64     { return 1 }
func (s *scale) SetAlpha(a float64) {}

// Palette samples the colormap at n evenly spaced points, both ends included.
func (s *scale) Palette(n int) palette.Palette {
	cs := make(colors, n)
	for i := range cs {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		cs[i] = s.f(t)
	}
	return cs
}

// colors is a palette.Palette.
type colors []color.Color

func (c colors) Colors() []color.Color { return c }

// nanColor is the colour of undefined (NaN) cells: a neutral gray chosen to
// be far from every colour the colormap can produce, so a hole in a surface
// never reads as a value. No gray is distinct from the gray colormap itself;
// there a muted rose stands in.
func nanColor(f func(float64) color.RGBA) color.RGBA {
	candidates := []color.RGBA{
		{128, 128, 128, 255},
		{176, 176, 176, 255},
		{80, 80, 80, 255},
		{205, 105, 160, 255},
	}
	const enough = 60.0
	best, bestD := candidates[0], -1.0
	for _, c := range candidates {
		d := math.Inf(1)
		for i := 0; i <= 64; i++ {
			d = math.Min(d, rgbDist(c, f(float64(i)/64)))
		}
		if d >= enough {
			return c
		}
		if d > bestD {
			best, bestD = c, d
		}
	}
	return best
}

func rgbDist(a, b color.RGBA) float64 {
	dr := float64(a.R) - float64(b.R)
	dg := float64(a.G) - float64(b.G)
	db := float64(a.B) - float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}
