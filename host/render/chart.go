package render

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line of a Chart. NaN and ±Inf values break the line.
type Series struct {
	Label string
	X, Y  []float64
	// Dashed draws the line dashed (a test loss beside its train loss).
	Dashed bool
	// Colour picks PathColor(Colour).
	Colour int
}

// Chart is one panel of line plots.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogY draws the y axis on a log scale (values ≤ 0 are left out).
	LogY bool
	// Marks are x positions marked with thin vertical lines (known minima).
	Marks []float64
}

// ChartsPNG draws the charts side by side in a width×height image.
func ChartsPNG(w io.Writer, width, height int, charts ...Chart) error {
	if len(charts) == 0 {
		return fmt.Errorf("render: no charts")
	}
	if width < 200*len(charts) || height < 150 || width > 20000 || height > 20000 {
		return errNoRoom(width, height)
	}
	cv := newCanvas(width, height, float64(height)/500)
	tiles := draw.Tiles{Rows: 1, Cols: len(charts), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	for i, c := range charts {
		p, err := chartPlot(c)
		if err != nil {
			return err
		}
		p.Draw(tiles.At(cv.dc, i, 0))
	}
	return writePNG(w, cv.img)
}

func chartPlot(c Chart) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = c.Title, c.XLabel, c.YLabel
	p.Add(plotter.NewGrid())
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = powerTicks{}
	}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, y := range s.Y {
			if finite(y) && (!c.LogY || y > 0) {
				ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
			}
		}
	}
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("render: series %q has %d x and %d y values", s.Label, len(s.X), len(s.Y))
		}
		first := true
		// One line per finite run of points.
		for lo := 0; lo < len(s.Y); {
			for lo < len(s.Y) && !(finite(s.Y[lo]) && finite(s.X[lo]) && (!c.LogY || s.Y[lo] > 0)) {
				lo++
			}
			hi := lo
			xy := plotter.XYs{}
			for hi < len(s.Y) && finite(s.Y[hi]) && finite(s.X[hi]) && (!c.LogY || s.Y[hi] > 0) {
				xy = append(xy, plotter.XY{X: s.X[hi], Y: s.Y[hi]})
				hi++
			}
			if len(xy) > 0 {
				l, err := plotter.NewLine(xy)
				if err != nil {
					return nil, err
				}
				l.Color = PathColor(s.Colour)
				l.Width = vg.Points(1.5)
				if s.Dashed {
					l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				}
				p.Add(l)
				if first && s.Label != "" {
					p.Legend.Add(s.Label, l)
					first = false
				}
			}
			lo = hi
		}
	}
	if ylo <= yhi {
		for _, m := range c.Marks {
			l, err := plotter.NewLine(plotter.XYs{{X: m, Y: ylo}, {X: m, Y: yhi}})
			if err != nil {
				return nil, err
			}
			l.Color = color.RGBA{150, 150, 150, 255}
			l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(l)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// powerTicks labels a log axis at powers of ten ("0.001", "1e+06"), at most
// about eight of them labelled, with the powers between as minor ticks.
type powerTicks struct{}

// Ticks implements plot.Ticker.
func (powerTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) {
		return nil
	}
	k0, k1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	if k1-k0 < 2 {
		// Within a decade or two: ordinary ticks read better.
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := max(1, (k1-k0+7)/8)
	var out []plot.Tick
	for k := k0; k <= k1; k++ {
		v := math.Pow10(k)
		t := plot.Tick{Value: v}
		if (k-k0)%step == 0 {
			t.Label = strconv.FormatFloat(v, 'g', -1, 64)
		}
		out = append(out, t)
	}
	return out
}
