package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/landscape-go/landscape/compute"
)

// ErrNoValues is returned for a field in which every value is undefined.
var ErrNoValues = errors.New("render: field has no defined values")

// MarkerStyle selects how a Marker is drawn.
type MarkerStyle int

const (
	// Minimum is a global minimum: a filled, white-edged star.
	Minimum MarkerStyle = iota
	// LocalMinimum is a local minimum: a smaller hollow ring.
	LocalMinimum
	// CriticalMinimum, CriticalMaximum, CriticalSaddle and
	// CriticalDegenerate are critical points found on the surface (see
	// compute/critical): a blue disc, a red triangle, a yellow diamond and
	// a gray square, each with a dark edge. A picture with any of them
	// gets a legend of the kinds it shows, with their counts.
	CriticalMinimum
	CriticalMaximum
	CriticalSaddle
	CriticalDegenerate
)

// Marker marks a point of the plane (in the field's x/y units), such as a
// known minimum. Markers outside the field's ranges are not drawn.
type Marker struct {
	X, Y  float64
	Label string // drawn beside the marker; empty for none
	Style MarkerStyle
}

// Options configure PNG. The zero value is a 1000×800 viridis image with 12
// contour lines.
type Options struct {
	// Width and Height are the image size in pixels; zero means 1000×800.
	Width, Height int
	// Levels is the number of contour lines; 0 means 12, negative none.
	Levels int
	// Log colours and contours log10(v − min + ε), with ε a millionth of the
	// field's range, so that ill-conditioned surfaces (rosenbrock) show
	// structure near their minima. The colourbar is labelled in the
	// original loss units where round values can be placed, and otherwise
	// in the coloured quantity itself.
	Log bool
	// Colormap names the colormap (see Colormaps); "" means viridis.
	Colormap string
	// Title is drawn above the plot; empty for none.
	Title string
	// XLabel and YLabel name the axes; empty means the field grid's labels.
	XLabel, YLabel string
	// Markers are drawn over the surface.
	Markers []Marker
	// Paths are optimizer trajectories drawn over the surface (and over
	// the markers): a polyline per path in PathColor(i) (dash-dotted
	// where PathDashed(i)) with a thin outline, a ring at its start and a
	// filled disc at its last finite point, clipped to the plot area, and
	// a legend of their labels (paths with an empty Label are left out)
	// inside the plot where it hides no marker and covers least of the
	// paths. BasinsPNG ignores Paths.
	Paths []Path
	// Quantity names what the colours show, for the colourbar; "" means
	// the loss.
	Quantity string
	// Symmetric centres the colour range on zero (for signed quantities
	// such as curvature, with a diverging colormap).
	Symmetric bool
}

const (
	defaultWidth  = 1000
	defaultHeight = 800
	defaultLevels = 12
	minSide       = 128
	maxSide       = 16384
	maxLevels     = 256
	// contourMax bounds the contouring grid per axis: finer fields are
	// averaged down for contours only (the heatmap keeps every cell), which
	// keeps a 1024² field fast without visibly changing the lines.
	contourMax = 256
)

// PNG renders f and writes it to w as a PNG. Nothing is written unless the
// whole image rendered.
func PNG(w io.Writer, f *compute.Field, o Options) error {
	img, _, err := render(f, o)
	if err != nil {
		return err
	}
	return writePNG(w, img)
}

// writePNG encodes img in memory and writes it to w in one piece.
func writePNG(w io.Writer, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("render: encoding png: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render: writing png: %w", err)
	}
	return nil
}

// settings are Options resolved against a field.
type settings struct {
	w, h           int
	levels         int
	log            bool
	cmap           func(float64) color.RGBA
	title          string
	xlabel, ylabel string
	markers        []Marker
	paths          []Path
	// optionalLegend leaves the paths' legend out where it would hide a
	// marker (compare lists the same runs beside the picture).
	optionalLegend bool
}

func resolve(g compute.Grid, o Options) (settings, error) {
	s := settings{w: o.Width, h: o.Height, levels: o.Levels, log: o.Log, title: o.Title, markers: o.Markers, paths: o.Paths}
	if s.w == 0 {
		s.w = defaultWidth
	}
	if s.h == 0 {
		s.h = defaultHeight
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"width", s.w}, {"height", s.h}} {
		if d.v < minSide || d.v > maxSide {
			return s, fmt.Errorf("render: %s %d pixels is out of range (accepted: %d to %d, or 0 for the default)", d.name, d.v, minSide, maxSide)
		}
	}
	switch {
	case s.levels == 0:
		s.levels = defaultLevels
	case s.levels < 0:
		s.levels = 0
	case s.levels > maxLevels:
		return s, fmt.Errorf("render: %d contour levels is too many (accepted: up to %d; negative for none)", s.levels, maxLevels)
	}
	cm, err := Colormap(o.Colormap)
	if err != nil {
		return s, err
	}
	s.cmap = cm
	s.xlabel, s.ylabel = o.XLabel, o.YLabel
	if s.xlabel == "" {
		s.xlabel = g.XLabel
	}
	if s.ylabel == "" {
		s.ylabel = g.YLabel
	}
	return s, nil
}

// checkField checks what rendering needs: a grid of at least 2×2 points
// over finite, non-empty ranges, and storage that matches it.
func checkField(f *compute.Field) error {
	if f == nil {
		return errors.New("render: nil field")
	}
	g := f.Grid
	if err := checkGrid(g); err != nil {
		return err
	}
	if len(f.Values) != g.Nx*g.Ny {
		return fmt.Errorf("render: field holds %d values, grid %dx%d needs %d", len(f.Values), g.Nx, g.Ny, g.Nx*g.Ny)
	}
	return nil
}

// checkGrid checks that g has at least 2×2 points over finite, non-empty
// ranges.
func checkGrid(g compute.Grid) error {
	if g.Nx < 2 || g.Ny < 2 {
		return fmt.Errorf("render: grid %dx%d needs at least 2 points per axis", g.Nx, g.Ny)
	}
	for _, r := range []struct {
		name   string
		lo, hi float64
	}{{"x", g.X.Lo, g.X.Hi}, {"y", g.Y.Lo, g.Y.Hi}} {
		if !(r.lo < r.hi) || math.IsInf(r.lo, 0) || math.IsInf(r.hi, 0) {
			return fmt.Errorf("render: %s range [%v, %v] is empty or not finite", r.name, r.lo, r.hi)
		}
	}
	return nil
}

// frame records where the data landed in the image, for tests.
type frame struct {
	dpi          float64
	height       int          // image height in pixels
	data         vg.Rectangle // data area in points, origin bottom left
	xmin, xmax   float64      // axis ranges of the data area
	ymin, ymax   float64
	barLabel     string
	barLo, barHi float64
	logq         bool
	legend       vg.Rectangle // the legend box; empty when there is none
}

// pixel is the image pixel (column, row from the top) of plane point (x, y).
func (fr frame) pixel(x, y float64) (px, py float64) {
	xp := fr.data.Min.X + vg.Length((x-fr.xmin)/(fr.xmax-fr.xmin))*(fr.data.Max.X-fr.data.Min.X)
	yp := fr.data.Min.Y + vg.Length((y-fr.ymin)/(fr.ymax-fr.ymin))*(fr.data.Max.Y-fr.data.Min.Y)
	px = xp.Dots(fr.dpi)
	py = float64(fr.height) - yp.Dots(fr.dpi)
	return px, py
}

// render draws the field into an in-memory image.
func render(f *compute.Field, o Options) (img *image.RGBA, fr frame, err error) {
	if err := checkField(f); err != nil {
		return nil, fr, err
	}
	s, err := resolve(f.Grid, o)
	if err != nil {
		return nil, fr, err
	}
	col, err := colourField(f, s.log, o.Symmetric)
	if err != nil {
		return nil, fr, err
	}
	col.name = o.Quantity
	// gonum/plot reports some impossible states by panicking; none should
	// be reachable from validated input, but a library must not crash its
	// caller, so turn any into an error.
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("render: drawing failed: %v", r)
		}
	}()
	return draw2D(f, s, col)
}

// Fonts: Liberation Sans from gonum/plot's default font cache.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length, xa text.XAlignment, ya text.YAlignment) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, size),
		XAlign:  xa,
		YAlign:  ya,
		Handler: plot.DefaultTextHandler,
	}
}

// canvas is an in-memory image with a gonum/plot canvas drawing into it.
type canvas struct {
	vc   *vgimg.Canvas
	dc   draw.Canvas // the whole image
	img  *image.RGBA // what vc draws into
	dpi  int
	w, h int // pixels
}

// newCanvas makes a white w×h canvas whose text and lines are scaled by k
// (1 at 96 dpi).
func newCanvas(w, h int, k float64) canvas {
	k = math.Max(0.7, math.Min(k, 4))
	dpi := int(math.Round(96 * k))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	vc := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))
	// vgimg draws into its own copy of img.
	return canvas{vc: vc, dc: draw.New(vc), img: vc.Image().(*image.RGBA), dpi: dpi, w: w, h: h}
}

// pixels is the image rectangle strictly inside r (in points).
func (cv canvas) pixels(r vg.Rectangle) image.Rectangle {
	d := float64(cv.dpi)
	return image.Rect(
		int(math.Ceil(r.Min.X.Dots(d))), cv.h-int(math.Floor(r.Max.Y.Dots(d))),
		int(math.Floor(r.Max.X.Dots(d))), cv.h-int(math.Ceil(r.Min.Y.Dots(d))),
	)
}

// draw2D lays out and draws the picture.
func draw2D(f *compute.Field, s settings, col colouring) (*image.RGBA, frame, error) {
	// Scale text and lines with the image so that any size has the
	// proportions of the 1000×800 default (96 dpi there).
	cv := newCanvas(s.w, s.h, math.Sqrt(float64(s.w)/defaultWidth*float64(s.h)/defaultHeight))
	fr, err := drawField(cv, cv.dc, f, s, col)
	if err != nil {
		return nil, frame{}, err
	}
	return cv.img, fr, nil
}

// newAxes is a plot with the package's fonts and tickers for an area of
// wpt×hpt points.
func newAxes(title, xlabel, ylabel string, wpt, hpt vg.Length) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.Title.Text = title
	p.Title.TextStyle = textStyle(13, draw.XCenter, draw.YTop)
	p.Title.Padding = 8
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Padding = 0
		ax.Label.TextStyle.Font = font.From(sans, 12)
		ax.Tick.Label.Font = font.From(sans, 10)
	}
	p.X.Label.Padding = 3
	p.Y.Label.Padding = 4
	p.X.Tick.Marker = niceTicks{n: max(3, min(10, int(wpt/100)))}
	p.Y.Tick.Marker = niceTicks{n: max(3, min(10, int(hpt/80)))}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	return p
}

// setCellRange sets p's axes to g's ranges: cells are centred on grid
// points, so the picture reaches half a cell beyond each end of the ranges.
func setCellRange(p *plot.Plot, g compute.Grid) {
	hx := (g.X.Hi - g.X.Lo) / float64(g.Nx-1) / 2
	hy := (g.Y.Hi - g.Y.Lo) / float64(g.Ny-1) / 2
	p.X.Min, p.X.Max = g.X.Lo-hx, g.X.Hi+hx
	p.Y.Min, p.Y.Max = g.Y.Lo-hy, g.Y.Hi+hy
}

// plotMargin is the blank space around a panel.
const plotMargin = vg.Length(10)

// errNoRoom reports an image too small for its plot.
func errNoRoom(w, h int) error {
	return fmt.Errorf("render: %dx%d pixels leave no room for the plot beside its labels; use a larger image", w, h)
}

// tooSmall reports whether a data area is too small to draw.
func tooSmall(r vg.Rectangle) bool {
	const minData = vg.Length(24)
	return r.Max.X-r.Min.X < minData || r.Max.Y-r.Min.Y < minData
}

// drawField draws the field's panel (heatmap, contours, markers, paths and
// their legend, colourbar) into area of cv.
func drawField(cv canvas, area draw.Canvas, f *compute.Field, s settings, col colouring) (frame, error) {
	g := f.Grid
	full := fieldGrid(f, &col)
	sc := &scale{f: s.cmap, lo: col.lo, hi: col.hi}
	nanC := nanColor(s.cmap)

	// The main plot: heatmap, contours, NaN overlay, markers.
	p := newAxes(s.title, s.xlabel, s.ylabel, area.Max.X-area.Min.X, area.Max.Y-area.Min.Y)

	p.Add(&heatmap{grid: full, pal: sc.Palette(256).Colors(), nan: nanC, min: col.lo, max: col.hi})
	if s.levels > 0 && !col.constant {
		levels := make([]float64, s.levels)
		pal := make(colors, s.levels)
		for i := range levels {
			t := float64(i+1) / float64(s.levels+1)
			levels[i] = col.lo + t*(col.hi-col.lo)
			pal[i] = contrastLine(s.cmap(t))
		}
		ct := &plotter.Contour{
			GridXYZ:    contourGrid(full),
			Levels:     levels,
			LineStyles: []draw.LineStyle{{Width: 0.8}},
			Palette:    pal,
			Min:        col.lo,
			Max:        col.hi,
		}
		p.Add(noGlyphs{ct})
	}
	if col.nan > 0 {
		// Contours run through holes (see contourGrid); paint the holes
		// again over them.
		p.Add(&heatmap{grid: full, pal: []color.Color{color.Transparent}, nan: nanC, min: col.lo, max: col.hi})
	}
	if len(s.markers) > 0 {
		p.Add(&markers{list: s.markers, x: g.X, y: g.Y})
	}
	setCellRange(p, g)

	// Margins and the colourbar's column on the right.
	all := draw.Crop(area, plotMargin, -plotMargin, plotMargin/2, -plotMargin)
	dataY := p.DataCanvas(all)
	barH := dataY.Max.Y - dataY.Min.Y
	bar := newColourbar(col, barH)
	main := draw.Crop(all, 0, -bar.width(), 0, 0)
	dataC := p.DataCanvas(main)
	if tooSmall(dataC.Rectangle) {
		return frame{}, errNoRoom(cv.w, cv.h)
	}
	p.Draw(main)

	// A frame around the data area.
	area.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	area.Stroke(dataC.Rectangle.Path())

	barRect := vg.Rectangle{
		Min: vg.Point{X: dataC.Max.X + bar.gap, Y: dataC.Min.Y},
		Max: vg.Point{X: dataC.Max.X + bar.gap + bar.barW, Y: dataC.Max.Y},
	}
	bar.draw(area, barRect, sc)

	fr := frame{
		dpi:    float64(cv.dpi),
		height: cv.h,
		data:   dataC.Rectangle,
		xmin:   p.X.Min, xmax: p.X.Max,
		ymin: p.Y.Min, ymax: p.Y.Max,
		barLabel: bar.label,
		barLo:    col.lo, barHi: col.hi,
		logq: col.log,
	}
	if len(s.paths) > 0 || len(markerLegend(s.markers)) > 0 {
		fr.legend = drawPaths(cv, fr, s.paths, s.markers, s.optionalLegend)
	}
	return fr, nil
}

// contrastLine is the contour colour over background c: translucent black
// on light colours, translucent white on dark ones.
func contrastLine(c color.RGBA) color.Color {
	l := 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
	if l > 140 {
		return color.NRGBA{0, 0, 0, 150}
	}
	return color.NRGBA{255, 255, 255, 170}
}

// noGlyphs hides a plotter's glyph boxes: HeatMap and Contour report one per
// grid point (a million for a 1024² field), which only slows layout, and
// the data area should meet the axes exactly.
type noGlyphs struct{ plot.Plotter }

func (noGlyphs) GlyphBoxes(*plot.Plot) []plot.GlyphBox { return nil }
