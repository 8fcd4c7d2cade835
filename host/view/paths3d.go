package view

import (
	"fmt"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host/view/text"
)

// pathLift is how far towards the eye (in box units) the 3D view draws a
// path, so that a path on the surface is drawn over it, not into it.
const pathLift = 0.012

// hiddenAlpha is the opacity of the parts of a path the surface hides,
// drawn faintly so that a path behind a hill can still be followed.
const hiddenAlpha = 0.35

// begin3D starts a pass drawing world-space lines and points in the 3D
// view's viewport r, seen by cam.
func (pg *pathsGL) begin3D(name string, cam Camera, r viewport) *gl.Pass {
	p := gl.BeginPass(name)
	p.Use(pg.prog)
	p.SetInt("ls_world", 1)
	p.SetMat4("ls_mvp", cam.matrix(r.aspect()))
	e := cam.eye()
	p.SetFloat("ls_eye", float32(e[0]), float32(e[1]), float32(e[2]))
	p.SetFloat("ls_lift", 0)
	return p
}

// end3D ends a pass begin3D began, leaving the program drawing in pixels
// again (uniforms outlast passes) for the 2D drawers, which never set
// ls_world.
func end3D(p *gl.Pass) error {
	p.SetInt("ls_world", 0)
	if err := p.End(); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}

// draw3D draws the revealed part of every path in the 3D view (after the
// mesh, whose depth it tests against), lifted to its losses and scaled as
// the mesh is (see worldPath): the parts the surface hides faintly, the
// rest over it with a dark underlay, and a larger point at each head;
// then queues the legend and reveals the next points, as draw does in 2D.
// GL thread.
func (pg *pathsGL) draw3D(tr *text.Renderer, ps *paths, s *state, fbw, fbh int, lo, hi float32) error {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	top := fbh - (py + ph)
	if !ps.any(tr, px, top) {
		return nil
	}
	r := viewport{px, py, pw, ph, fbh}
	rect := gl.Rect{X: px, Y: py, W: pw, H: ph}
	p := pg.begin3D("viewer 3D paths", s.cam, r)
	for i, path := range ps.list {
		n := min(ps.shown, len(path.Points))
		pieces := worldPath(path.Points, path.Loss, n, s.x, s.y, lo, hi, s.log)
		k := revealed(path, n) - 1
		if k < 0 {
			continue
		}
		var verts []vec3
		var firsts, counts []int
		for _, pc := range pieces {
			firsts, counts = append(firsts, len(verts)), append(counts, len(pc))
			verts = append(verts, pc...)
		}
		head := -1
		if b := boxXY(s.x, s.y, path.Points[k]); k < len(path.Loss) && inside(b) {
			head = len(verts)
			verts = append(verts, vec3{b[0], b[1], meshZ(path.Loss[k], lo, hi, s.log)})
		}
		col := pathColour(ps.colour0 + i)
		if len(verts) > 0 {
			if err := pg.va3.SetVertices(flatten(verts)); err != nil {
				end3D(p)
				return fmt.Errorf("view: %w", err)
			}
			faint := col
			faint[3] = hiddenAlpha
			for _, pass := range []struct {
				settings gl.Settings
				lift     float32
				col      [4]float32
				size     float32
			}{
				// Everything faintly, hidden or not; then what is in
				// front of the surface over it.
				{gl.Settings{Viewport: rect, Scissor: rect, PointSize: true, Blend: true}, 0, faint, 3},
				{gl.Settings{Viewport: rect, Scissor: rect, PointSize: true, Blend: true, DepthTest: true, DepthReadOnly: true}, pathLift, [4]float32{0, 0, 0, 0.6}, 5},
				{gl.Settings{Viewport: rect, Scissor: rect, PointSize: true, Blend: true, DepthTest: true, DepthReadOnly: true}, pathLift, col, 3},
			} {
				p.Set(pass.settings)
				p.SetFloat("ls_lift", pass.lift)
				p.SetFloat("ls_color", pass.col[:]...)
				p.SetFloat("ls_size", pass.size)
				for j := range firsts {
					p.Draw(pg.va3, gl.LineStrip, firsts[j], counts[j])
					p.Draw(pg.va3, gl.Points, firsts[j], counts[j])
				}
			}
			if head >= 0 {
				p.SetFloat("ls_size", 9)
				p.Draw(pg.va3, gl.Points, head, 1)
			}
		}
		ps.legend(tr, i, k, px+pw, top, col)
	}
	ps.shown += ps.stride
	return end3D(p)
}

// revealed is how many of the first n points of path are drawn: those
// before its first point with an undefined coordinate.
func revealed(path Path, n int) int {
	for k, q := range path.Points[:n] {
		if !finite(q[0]) || !finite(q[1]) {
			return k
		}
	}
	return n
}

// drawAxes3D draws the 3D view's tick marks and queues its tick labels and
// axis names (see makeAxes3D). GL thread.
func (pg *pathsGL) drawAxes3D(tr *text.Renderer, s *state, fbw, fbh int, lo, hi float32) error {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	r := viewport{px, py, pw, ph, fbh}
	a := makeAxes3D(s.cam, r, s.x, s.y, lo, hi, s.log, axisName(s.o.Plane, 0), axisName(s.o.Plane, 1), tr.LineHeight())
	baseline := tr.Ascent() / 2 // from a label's centre
	for _, l := range a.labels {
		tr.Add(l.text, l.x, l.y+baseline, text.Center, ink)
	}
	if len(a.ticks) == 0 {
		return nil
	}
	if err := pg.va3.SetVertices(flatten(a.ticks)); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	p := pg.begin3D("viewer 3D axes", s.cam, r)
	p.Set(gl.Settings{Viewport: gl.Rect{X: px, Y: py, W: pw, H: ph}})
	p.SetFloat("ls_color", ink[:]...)
	p.SetFloat("ls_size", 1)
	p.Draw(pg.va3, gl.Lines, 0, len(a.ticks))
	return end3D(p)
}
