package view

import (
	"fmt"
	"image/color"
	"math"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/host/view/text"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
	"github.com/landscape-go/landscape/shaders"
)

// Path is an optimizer run to draw: its points in the plane's (x, y) and
// the loss after each step.
type Path struct {
	Label  string
	Points [][2]float64
	Loss   []float64
}

// Runner starts the selected optimizers on the surface shown (desc, its
// plane) from start (full parameters) and returns their paths projected on
// the plane. The viewer calls it on a click.
type Runner func(desc client.Descriptor, plane grid.Plane, start []float64) ([]Path, error)

// paths is the viewer's runs, revealed step by step as frames go by.
type paths struct {
	list   []Path
	shown  int // points revealed
	err    string
	stride int // points revealed per frame
	// row0 and colour0 offset the legend's rows and the colours (runs
	// after the overlays).
	row0, colour0 int
}

// start replaces the runs with new ones (or an error to show).
func (ps *paths) start(list []Path, err error) {
	ps.list, ps.shown, ps.err = list, 1, ""
	if err != nil {
		ps.list, ps.err = nil, fmt.Sprintf("optimizers failed: %v (click to try again)", err)
	}
	longest := 1
	for _, p := range ps.list {
		longest = max(longest, len(p.Points))
	}
	ps.stride = max(1, longest/90) // about a second and a half at 60 fps
}

func (ps *paths) clear() { ps.list, ps.err = nil, "" }

// any reports whether there are runs to draw; when they failed instead, it
// queues their error at the top left of a plot whose left edge is at x and
// top at y (text pixels).
func (ps *paths) any(tr *text.Renderer, x, y int) bool {
	if ps.err != "" {
		tr.AddOutlined(ps.err, float64(x)+6, float64(y)+34, text.Left, [4]float32{1, 0.85, 0.85, 1}, dark)
	}
	return len(ps.list) > 0
}

// legend queues path i's legend line, at step k, at the top right of a
// plot whose right edge is at x and top at y (text pixels), from the
// second line down: the first is the readout's, at the top left, which a
// narrow window would have the two overlap on.
// A path without losses (an overlay) shows its label alone.
func (ps *paths) legend(tr *text.Renderer, i, k, x, y int, col [4]float32) {
	path := ps.list[i]
	label := path.Label
	if path.Loss != nil {
		loss := math.NaN()
		if k < len(path.Loss) {
			loss = path.Loss[k]
		}
		label = fmt.Sprintf("%s  step %d  loss %.4g", path.Label, k, loss)
	}
	tr.AddOutlined(label, float64(x)-8, float64(y)+34+16*float64(ps.row0+i), text.Right, col, dark)
}

// pathColour is path i's colour for the shaders.
func pathColour(i int) [4]float32 { return glColour(render.PathColor(i)) }

// glColour is c as GL's four floats, opaque.
func glColour(c color.RGBA) [4]float32 {
	return [4]float32{float32(c.R) / 255, float32(c.G) / 255, float32(c.B) / 255, 1}
}

// pathsGL draws the runs: a program for lines and points (in pixels, or
// in the 3D view's world space), and the vertex arrays their points stream
// through (2D pixels; 3D world points).
type pathsGL struct {
	prog *gl.DrawProgram
	va   *gl.VertexArray
	va3  *gl.VertexArray
}

// newPathsGL builds it. GL thread; on error nothing is left allocated.
func newPathsGL() (*pathsGL, error) {
	vs, fs := shaders.Lines()
	prog, err := gl.BuildDrawProgram("viewer paths", vs, fs)
	if err != nil {
		return nil, err
	}
	pg := &pathsGL{prog: prog}
	if pg.va, err = gl.NewVertexArray(2, gl.Attrib{Size: 2}); err == nil {
		pg.va3, err = gl.NewVertexArray(3, gl.Attrib{Size: 3})
	}
	if err != nil {
		pg.delete()
		return nil, err
	}
	return pg, nil
}

// delete frees it; nil does nothing. GL thread.
func (pg *pathsGL) delete() {
	if pg != nil {
		pg.prog.Delete()
		pg.va.Delete()
		pg.va3.Delete()
	}
}

// draw draws the revealed part of every path over the plot (view x, y in
// the plot rect of a fbw×fbh framebuffer), queues the legend text, and
// reveals the next points. GL thread.
func (pg *pathsGL) draw(tr *text.Renderer, ps *paths, s *state, fbw, fbh int) error {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	top := fbh - (py + ph)
	if !ps.any(tr, px, top) {
		return nil
	}
	p := pg.begin("viewer paths", s, fbw, fbh)
	for i, path := range ps.list {
		n := min(ps.shown, len(path.Points))
		var xy []float32
		for _, q := range path.Points[:n] {
			if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
				break
			}
			xy = s.appendPixel(xy, q[0], q[1], fbw, fbh)
		}
		if len(xy) == 0 {
			continue
		}
		if err := pg.va.SetVertices(xy); err != nil {
			p.End()
			return err
		}
		k := len(xy)/2 - 1
		col := pathColour(ps.colour0 + i)
		// A dark underlay, then the colour, then the start and the head.
		for _, pass := range []struct {
			col  [4]float32
			size float32
		}{{[4]float32{0, 0, 0, 0.6}, 5}, {col, 3}} {
			p.SetFloat("ls_color", pass.col[:]...)
			p.SetFloat("ls_size", pass.size)
			p.Draw(pg.va, gl.LineStrip, 0, k+1)
			p.Draw(pg.va, gl.Points, 0, k+1)
		}
		p.SetFloat("ls_size", 9)
		p.Draw(pg.va, gl.Points, k, 1)
		ps.legend(tr, i, k, px+pw, top, col)
	}
	ps.shown += ps.stride
	return p.End()
}

// drawBarTicks draws the colourbar's tick marks on its right edge: labelled
// ticks 5 pixels long, minor ones 3. GL thread.
func (pg *pathsGL) drawBarTicks(s *state, fbw, fbh int, ticks []render.BarTick) error {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	x := float32(px + pw + barGap + barW)
	var xy []float32
	for _, t := range ticks {
		y := float32(float64(py)+t.Frac*float64(ph)) + 0.5
		l := float32(3)
		if t.Label != "" {
			l = 5
		}
		xy = append(xy, x, y, x+l, y)
	}
	if len(xy) == 0 {
		return nil
	}
	if err := pg.va.SetVertices(xy); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	p := gl.BeginPass("viewer colourbar ticks")
	p.Set(gl.Settings{Viewport: gl.Rect{W: fbw, H: fbh}})
	p.Use(pg.prog)
	p.SetFloat("ls_viewport", float32(fbw), float32(fbh))
	p.SetFloat("ls_color", ink[:]...)
	p.Draw(pg.va, gl.Lines, 0, len(xy)/2)
	if err := p.End(); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}

// drawMarks draws the critical points shown (K): a square per point in
// its kind's colour over a dark one, and a line of counts per kind at the
// plot's bottom left. GL thread.
func (pg *pathsGL) drawMarks(tr *text.Renderer, s *state, fbw, fbh int) error {
	if !s.crit.on {
		return nil
	}
	px, py, _, _ := s.plotRect(fbw, fbh)
	bottom := fbh - py
	if s.crit.err != "" {
		tr.AddOutlined(s.crit.err, float64(px)+6, float64(bottom)-26, text.Left, [4]float32{1, 0.85, 0.85, 1}, dark)
		return nil
	}
	p := pg.begin("viewer critical points", s, fbw, fbh)
	line := 0
	for _, st := range render.CriticalStyles() {
		var xy []float32
		for _, m := range s.crit.marks {
			if m.Style == st {
				xy = s.appendPixel(xy, m.X, m.Y, fbw, fbh)
			}
		}
		if len(xy) == 0 {
			continue
		}
		if err := pg.va.SetVertices(xy); err != nil {
			p.End()
			return err
		}
		col := glColour(render.CriticalColor(st))
		for _, pass := range []struct {
			col  [4]float32
			size float32
		}{{[4]float32{0.1, 0.1, 0.1, 0.9}, 11}, {col, 7}} {
			p.SetFloat("ls_color", pass.col[:]...)
			p.SetFloat("ls_size", pass.size)
			p.Draw(pg.va, gl.Points, 0, len(xy)/2)
		}
		tr.AddOutlined(fmt.Sprintf("%d %s", len(xy)/2, render.CriticalName(st, len(xy)/2)), float64(px)+6, float64(bottom)-8-16*float64(line), text.Left, col, dark)
		line++
	}
	return p.End()
}

// begin starts a pass of the lines program over the plot of a fbw×fbh
// framebuffer, clipped to the plot. GL thread.
func (pg *pathsGL) begin(name string, s *state, fbw, fbh int) *gl.Pass {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	p := gl.BeginPass(name)
	p.Set(gl.Settings{Viewport: gl.Rect{W: fbw, H: fbh}, Scissor: gl.Rect{X: px, Y: py, W: pw, H: ph}, PointSize: true})
	p.Use(pg.prog)
	p.SetFloat("ls_viewport", float32(fbw), float32(fbh))
	return p
}

// appendPixel appends the framebuffer pixel of plane point (x, y) to xy.
func (s *state) appendPixel(xy []float32, x, y float64, fbw, fbh int) []float32 {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	fx := (x - s.x.Lo) / (s.x.Hi - s.x.Lo)
	fy := (y - s.y.Lo) / (s.y.Hi - s.y.Lo)
	return append(xy, float32(float64(px)+fx*float64(pw)), float32(float64(py)+fy*float64(ph)))
}
