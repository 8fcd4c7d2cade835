package render

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TreeNode is a node of a disconnectivity graph: a leaf (a minimum, no
// Children) at its value, or a merge of its children's sets of minima at
// the value of the saddle that joins them.
type TreeNode struct {
	Value    float64
	Label    string // a leaf's label, shown under it when there is room
	Children []int
}

// TreeOptions size and title a disconnectivity graph.
type TreeOptions struct {
	Width, Height int
	Title, YLabel string
}

// maxTreeNodes bounds the nodes TreePNG draws.
const maxTreeNodes = 1 << 16

// TreePNG draws a disconnectivity graph, the tree of the energy-landscape
// literature (Becker and Karplus 1997; Wales): each minimum is a vertical
// line rising from its value; the lines of two sets of minima join at the
// value of the lowest saddle between them; the tree's roots rise to the
// top. Leaves are ordered so that lines do not cross, the lower set first
// at each merge. Nothing is written unless the whole image rendered.
func TreePNG(w io.Writer, nodes []TreeNode, roots []int, o TreeOptions) (err error) {
	if len(nodes) == 0 || len(roots) == 0 {
		return fmt.Errorf("render: a disconnectivity graph needs at least one minimum")
	}
	if len(nodes) > maxTreeNodes {
		return fmt.Errorf("render: %d tree nodes is too many (accepted: up to %d)", len(nodes), maxTreeNodes)
	}
	if o.Width == 0 {
		o.Width = 1000
	}
	if o.Height == 0 {
		o.Height = 700
	}
	if o.Width < minSide || o.Height < minSide || o.Width > maxSide || o.Height > maxSide {
		return fmt.Errorf("render: %dx%d pixels is out of range (accepted: %d to %d each)", o.Width, o.Height, minSide, maxSide)
	}
	parent := make([]int, len(nodes))
	for i := range parent {
		parent[i] = -1
	}
	for i, n := range nodes {
		if !finite(n.Value) {
			return fmt.Errorf("render: tree node %d has value %v", i, n.Value)
		}
		for _, c := range n.Children {
			if c < 0 || c >= len(nodes) || c == i || parent[c] >= 0 {
				return fmt.Errorf("render: tree node %d has a bad child %d", i, c)
			}
			if nodes[c].Value > n.Value {
				return fmt.Errorf("render: tree node %d (at %v) is below its child %d (at %v)", i, n.Value, c, nodes[c].Value)
			}
			parent[c] = i
		}
	}
	for _, r := range roots {
		if r < 0 || r >= len(nodes) || parent[r] >= 0 {
			return fmt.Errorf("render: tree root %d is not a root", r)
		}
	}
	lowest := make([]float64, len(nodes))
	var low func(int) float64
	low = func(i int) float64 {
		v := nodes[i].Value
		for _, c := range nodes[i].Children {
			v = math.Min(v, low(c))
		}
		lowest[i] = v
		return v
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range roots {
		lo = math.Min(lo, low(r))
		hi = math.Max(hi, nodes[r].Value)
	}
	// Leaves' x in depth-first order, lower sets first; a merge sits over
	// the middle of its children.
	x := make([]float64, len(nodes))
	next := 0.0
	var place func(int)
	place = func(i int) {
		cs := append([]int(nil), nodes[i].Children...)
		if len(cs) == 0 {
			x[i] = next
			next++
			return
		}
		sort.SliceStable(cs, func(a, b int) bool { return lowest[cs[a]] < lowest[cs[b]] })
		s := 0.0
		for _, c := range cs {
			place(c)
			s += x[c]
		}
		x[i] = s / float64(len(cs))
	}
	rs := append([]int(nil), roots...)
	sort.SliceStable(rs, func(a, b int) bool { return lowest[rs[a]] < lowest[rs[b]] })
	for _, r := range rs {
		place(r)
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(1, math.Abs(hi))
	}
	top := hi + 0.08*span

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render: drawing failed: %v", r)
		}
	}()
	cv := newCanvas(o.Width, o.Height, math.Sqrt(float64(o.Width)/defaultWidth*float64(o.Height)/defaultHeight))
	p := newAxes(o.Title, "minima", o.YLabel, vg.Length(o.Width), vg.Length(o.Height))
	p.Add(plotter.NewGrid())
	line := func(x0, y0, x1, y1 float64) error {
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
		if err != nil {
			return err
		}
		l.Color = treeLine
		l.Width = vg.Points(1.4)
		p.Add(l)
		return nil
	}
	for i, n := range nodes {
		up := top
		if parent[i] >= 0 {
			up = nodes[parent[i]].Value
		}
		if err := line(x[i], n.Value, x[i], up); err != nil {
			return err
		}
		if len(n.Children) > 0 {
			xl, xr := math.Inf(1), math.Inf(-1)
			for _, c := range n.Children {
				xl, xr = math.Min(xl, x[c]), math.Max(xr, x[c])
			}
			if err := line(xl, n.Value, xr, n.Value); err != nil {
				return err
			}
		}
	}
	p.X.Min, p.X.Max = -0.6, next-0.4
	p.Y.Min, p.Y.Max = lo-0.04*span, top
	// Leaves' labels as the x ticks when they fit.
	var ticks []plot.Tick
	if next <= float64(o.Width)/40 {
		for i, n := range nodes {
			if len(n.Children) == 0 {
				ticks = append(ticks, plot.Tick{Value: x[i], Label: n.Label})
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Draw(draw.Crop(cv.dc, plotMargin, -plotMargin, plotMargin, -plotMargin))
	return writePNG(w, cv.img)
}

// treeLine is the colour of a disconnectivity graph's lines.
var treeLine = color.RGBA{0x20, 0x40, 0x80, 255}
