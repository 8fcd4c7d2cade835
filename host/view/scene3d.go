package view

import (
	"math"

	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
)

// The 3D view's geometry besides the mesh, in the mesh's world space: the
// optimizer paths lifted to their losses, the axes' ticks and labels, and
// the point a click picks. Pure Go; the viewer draws it (paths3d.go).

// meshZ is the height in the box of value v, as the mesh shaders place
// it: v scaled over [lo, hi] (linearly, or as log(v − lo + ε) with ε a
// millionth of the range), clamped to [0, 1], times the box's height.
func meshZ(v float64, lo, hi float32, logScale bool) float64 {
	l, h := float64(lo), float64(hi)
	span := math.Max(h-l, 1e-30)
	t := (v - l) / span
	if logScale {
		eps := span * 1e-6
		t = (math.Log(math.Max(v-l, 0)+eps) - math.Log(eps)) / (math.Log(span+eps) - math.Log(eps))
	}
	return math.Min(math.Max(t, 0), 1) * meshHeight
}

// boxXY maps a point of the view (x, y) to the box's base: [-0.5, 0.5]
// across the view's ranges.
func boxXY(x, y sdk.Interval, q [2]float64) [2]float64 {
	return [2]float64{(q[0]-x.Lo)/(x.Hi-x.Lo) - 0.5, (q[1]-y.Lo)/(y.Hi-y.Lo) - 0.5}
}

// worldPath lifts the first n points of a path into the box: each point
// over its place in the view at the height of its loss (meshZ). The path
// ends at its first point with an undefined coordinate or loss; where it
// leaves the view's square it is cut (the height interpolated along the
// segment), so it comes back as pieces of two or more points, or one
// point when it has only one. A path without losses has no height: none.
func worldPath(pts [][2]float64, loss []float64, n int, x, y sdk.Interval, lo, hi float32, logScale bool) [][]vec3 {
	n = min(n, len(pts), len(loss))
	var out [][]vec3
	var cur []vec3
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	var prev vec3
	for k := 0; k < n; k++ {
		q, l := pts[k], loss[k]
		if !finite(q[0]) || !finite(q[1]) || math.IsNaN(l) {
			break
		}
		b := boxXY(x, y, q)
		p := vec3{b[0], b[1], meshZ(l, lo, hi, logScale)}
		if k == 0 {
			if inside(b) {
				cur = append(cur, p)
			}
			prev = p
			continue
		}
		t0, t1, ok := render.ClipSegment([2]float64{prev[0], prev[1]}, [2]float64{p[0], p[1]}, -0.5, 0.5)
		if !ok {
			flush()
			prev = p
			continue
		}
		at := func(t float64) vec3 {
			return vec3{prev[0] + t*(p[0]-prev[0]), prev[1] + t*(p[1]-prev[1]), prev[2] + t*(p[2]-prev[2])}
		}
		if t0 > 0 || len(cur) == 0 {
			flush()
			cur = append(cur, at(t0))
		}
		cur = append(cur, at(t1))
		if t1 < 1 {
			flush()
		}
		prev = p
	}
	flush()
	return out
}

func inside(b [2]float64) bool { return b[0] >= -0.5 && b[0] <= 0.5 && b[1] >= -0.5 && b[1] <= 0.5 }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// viewport is the plot's rect in a framebuffer fbh pixels high (origin
// bottom-left), where the 3D view is drawn.
type viewport struct{ x, y, w, h, fbh int }

func (r viewport) aspect() float64 { return float64(r.w) / float64(r.h) }

// pixel is where world point p lands in the framebuffer seen by cam, in
// the text's pixels (origin top-left, y down); ok is false behind the eye.
func (r viewport) pixel(cam Camera, p vec3) (px, py float64, ok bool) {
	ndc, ok := cam.project(p, r.aspect())
	if !ok {
		return 0, 0, false
	}
	px = float64(r.x) + (ndc[0]+1)/2*float64(r.w)
	py = float64(r.fbh) - (float64(r.y) + (ndc[1]+1)/2*float64(r.h))
	return px, py, true
}

// label3D is a label of the 3D axes: its text and where its centre lands,
// in the text's pixels (origin top-left).
type label3D struct {
	text string
	x, y float64
}

// axes3D is what the 3D view draws of its axes: tick marks (pairs of ends,
// world space) and labels.
type axes3D struct {
	ticks  []vec3
	labels []label3D
}

// Lengths in the box's units: tick marks, and how far out from the box's
// edges the tick labels and the axis names sit.
const (
	tickLen3D  = 0.025
	labelOut3D = 0.075
	nameOut3D  = 0.17
)

// makeAxes3D lays out the axes of the 3D view seen by cam in r: x ticks
// along the base edge of the box nearest the eye that runs along x, y
// ticks likewise, and loss ticks up the vertical edge at the base corner
// furthest left on screen, each tick labelled by round values (the loss
// axis's as the colourbar's, on the log scale when logScale), as many as
// the edge's length on screen has room for (textH is a label's height in
// pixels); the axis names (xname, yname, "loss") beyond the labels.
func makeAxes3D(cam Camera, r viewport, x, y sdk.Interval, lo, hi float32, logScale bool, xname, yname string, textH float64) axes3D {
	var a axes3D
	eye := cam.eye()
	sy := math.Copysign(0.5, eye[1]) // the x axis runs along y = sy
	sx := math.Copysign(0.5, eye[0]) // the y axis along x = sx
	onScreen := func(p, q vec3) float64 {
		x0, y0, ok0 := r.pixel(cam, p)
		x1, y1, ok1 := r.pixel(cam, q)
		if !ok0 || !ok1 {
			return 0
		}
		return math.Hypot(x1-x0, y1-y0)
	}
	label := func(text string, p vec3) {
		if px, py, ok := r.pixel(cam, p); ok {
			a.labels = append(a.labels, label3D{text, px, py})
		}
	}
	// Horizontal axes: the edge from (lo end) to (hi end), its outward
	// direction, the range and the name.
	for _, ax := range []struct {
		from, to, out vec3
		rng           sdk.Interval
		name          string
	}{
		{vec3{-0.5, sy, 0}, vec3{0.5, sy, 0}, vec3{0, math.Copysign(1, sy), 0}, x, xname},
		{vec3{sx, -0.5, 0}, vec3{sx, 0.5, 0}, vec3{math.Copysign(1, sx), 0, 0}, y, yname},
	} {
		n := max(2, int(onScreen(ax.from, ax.to)/90))
		for _, t := range render.Ticks(ax.rng.Lo, ax.rng.Hi, n) {
			f := (t.Value - ax.rng.Lo) / (ax.rng.Hi - ax.rng.Lo)
			p := vec3{ax.from[0] + f*(ax.to[0]-ax.from[0]), ax.from[1] + f*(ax.to[1]-ax.from[1]), 0}
			a.ticks = append(a.ticks, p, p.add(ax.out.scale(tickLen3D)))
			label(t.Label, p.add(ax.out.scale(labelOut3D)))
		}
		mid := vec3{(ax.from[0] + ax.to[0]) / 2, (ax.from[1] + ax.to[1]) / 2, 0}
		label(ax.name, mid.add(ax.out.scale(nameOut3D)))
	}
	// The loss axis: the vertical edge at the base corner furthest left
	// on screen, its ticks pointing away from the box's centre.
	best, bestX := vec3{}, math.Inf(1)
	for _, c := range []vec3{{-0.5, -0.5, 0}, {0.5, -0.5, 0}, {-0.5, 0.5, 0}, {0.5, 0.5, 0}} {
		if px, _, ok := r.pixel(cam, c); ok && px < bestX {
			best, bestX = c, px
		}
	}
	out := vec3{best[0], best[1], 0}.unit()
	top := vec3{best[0], best[1], meshHeight}
	ticks, inLoss := render.BarTicks(float64(lo), float64(hi), logScale, onScreen(best, top), textH, max(2, int(onScreen(best, top)/28)))
	for _, t := range ticks {
		p := vec3{best[0], best[1], t.Frac * meshHeight}
		if t.Label == "" {
			a.ticks = append(a.ticks, p, p.add(out.scale(tickLen3D/2)))
			continue
		}
		a.ticks = append(a.ticks, p, p.add(out.scale(tickLen3D)))
		if inLoss {
			label(t.Label, p.add(out.scale(labelOut3D)))
		}
	}
	name := "loss"
	if !inLoss {
		name = "log10(loss − min + ε)"
		for _, t := range ticks {
			if t.Label != "" {
				label(t.Label, vec3{best[0], best[1], t.Frac * meshHeight}.add(out.scale(labelOut3D)))
			}
		}
	}
	label(name, top.add(vec3{0, 0, 0.08}))
	return a
}

func (a vec3) add(b vec3) vec3      { return vec3{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func (a vec3) scale(k float64) vec3 { return vec3{a[0] * k, a[1] * k, a[2] * k} }
func (a vec3) floats() [3]float32   { return [3]float32{float32(a[0]), float32(a[1]), float32(a[2])} }
func flatten(ps []vec3) (out []float32) {
	for _, p := range ps {
		f := p.floats()
		out = append(out, f[:]...)
	}
	return out
}

// pick is the place under framebuffer pixel (fx, fy) (origin
// bottom-left) of r, whose depth-buffer value is d, as fractions of the
// view from its low corner: the surface's point there, unprojected, over
// the box's base. ok is false where no surface was drawn (depth 1) or the
// point lies off the base.
func pick(cam Camera, r viewport, fx, fy, d float64) (u, v float64, ok bool) {
	if !(d >= 0 && d < 1) {
		return 0, 0, false
	}
	nx := 2*(fx-float64(r.x))/float64(r.w) - 1
	ny := 2*(fy-float64(r.y))/float64(r.h) - 1
	p := cam.unproject(nx, ny, d, r.aspect())
	const slack = 1e-3
	if math.Abs(p[0]) > 0.5+slack || math.Abs(p[1]) > 0.5+slack {
		return 0, 0, false
	}
	return min(max(p[0]+0.5, 0), 1), min(max(p[1]+0.5, 0), 1), true
}
