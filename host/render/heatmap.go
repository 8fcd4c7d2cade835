package render

import (
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// heatmap draws a field's cells as plotter.HeatMap does rasterized, with
// the same colours and the same scaling onto the canvas, but without an
// image of the grid in memory (eight bytes a cell there): the canvas reads
// each cell's colour from the field as it scales it.
type heatmap struct {
	grid     plotter.GridXYZ
	pal      []color.Color
	nan      color.Color
	min, max float64
}

var _ plot.Plotter = (*heatmap)(nil)

// Plot implements plot.Plotter.
func (h *heatmap) Plot(c draw.Canvas, plt *plot.Plot) {
	hm := plotter.HeatMap{GridXYZ: h.grid}
	xmin, xmax, ymin, ymax := hm.DataRange()
	plotter.NewImage(h.image(), xmin, ymin, xmax, ymax).Plot(c, plt)
}

// DataRange implements plot.DataRanger: the cells' extent.
func (h *heatmap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return (&plotter.HeatMap{GridXYZ: h.grid}).DataRange()
}

// image is the grid as an image, row 0 at the top, each pixel the colour
// plotter.HeatMap gives its cell: the palette entry of its value, the NaN
// colour where undefined, transparent outside [min, max].
func (h *heatmap) image() *cellImage {
	nx, ny := h.grid.Dims()
	im := &cellImage{grid: h.grid, nx: nx, ny: ny, pal: make([]color.RGBA64, len(h.pal)), min: h.min,
		ps: float64(len(h.pal)-1) / (h.max - h.min), max: h.max}
	for i, c := range h.pal {
		im.pal[i] = color.RGBA64Model.Convert(c).(color.RGBA64)
	}
	if h.nan != nil {
		im.nan = color.RGBA64Model.Convert(h.nan).(color.RGBA64)
	}
	return im
}

// cellImage is a grid's cells as an image computed as it is read.
type cellImage struct {
	grid     plotter.GridXYZ
	nx, ny   int
	pal      []color.RGBA64
	nan      color.RGBA64
	min, max float64
	ps       float64
}

var _ image.RGBA64Image = (*cellImage)(nil)

func (im *cellImage) ColorModel() color.Model { return color.RGBA64Model }
func (im *cellImage) Bounds() image.Rectangle { return image.Rect(0, 0, im.nx, im.ny) }
func (im *cellImage) At(x, y int) color.Color { return im.RGBA64At(x, y) }

// RGBA64At implements image.RGBA64Image.
func (im *cellImage) RGBA64At(x, y int) color.RGBA64 {
	if x < 0 || y < 0 || x >= im.nx || y >= im.ny {
		return color.RGBA64{}
	}
	switch v := im.grid.Z(x, im.ny-1-y); {
	case v < im.min, v > im.max:
		return color.RGBA64{}
	case math.IsNaN(v), math.IsInf(im.ps, 0):
		return im.nan
	default:
		return im.pal[int((v-im.min)*im.ps+0.5)]
	}
}
