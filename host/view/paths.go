package view

import (
	"fmt"
	"math"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
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

// paths is the viewer's runs: drawn revealed step by step.
type paths struct {
	list   []Path
	shown  int // points revealed
	err    string
	prog   *gl.DrawProgram
	vao    uint32
	vbo    uint32
	stride int // points revealed per frame
}

func newPaths() (*paths, error) {
	vs, fs := shaders.Lines()
	p, err := gl.BuildDrawProgram("viewer paths", vs, fs, []string{"ls_viewport", "ls_color", "ls_size"})
	if err != nil {
		return nil, err
	}
	ps := &paths{prog: p}
	gl43.GenVertexArrays(1, &ps.vao)
	gl43.GenBuffers(1, &ps.vbo)
	gl43.BindVertexArray(ps.vao)
	gl43.BindBuffer(gl43.ARRAY_BUFFER, ps.vbo)
	gl43.EnableVertexAttribArray(0)
	gl43.VertexAttribPointerWithOffset(0, 2, gl43.FLOAT, false, 8, 0)
	gl43.BindVertexArray(0)
	gl43.BindBuffer(gl43.ARRAY_BUFFER, 0)
	return ps, nil
}

func (ps *paths) delete() {
	ps.prog.Delete()
	gl43.DeleteVertexArrays(1, &ps.vao)
	gl43.DeleteBuffers(1, &ps.vbo)
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

// draw draws the revealed part of every path over the plot and queues the
// legend text. GL thread.
func (ps *paths) draw(tr *text.Renderer, s *state, fbw, fbh int) {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	top := fbh - (py + ph)
	if ps.err != "" {
		tr.AddOutlined(ps.err, float64(px)+6, float64(top)+34, text.Left, [4]float32{1, 0.85, 0.85, 1}, dark)
	}
	if len(ps.list) == 0 {
		return
	}
	gl43.Enable(gl43.SCISSOR_TEST)
	gl43.Scissor(int32(px), int32(py), int32(pw), int32(ph))
	gl43.Enable(gl43.PROGRAM_POINT_SIZE)
	gl43.UseProgram(ps.prog.ID)
	gl43.Uniform2f(ps.prog.Uniforms["ls_viewport"], float32(fbw), float32(fbh))
	gl43.BindVertexArray(ps.vao)
	gl43.BindBuffer(gl43.ARRAY_BUFFER, ps.vbo)
	for i, p := range ps.list {
		n := min(ps.shown, len(p.Points))
		var xy []float32
		for _, q := range p.Points[:n] {
			if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
				break
			}
			fx := (q[0] - s.x.Lo) / (s.x.Hi - s.x.Lo)
			fy := (q[1] - s.y.Lo) / (s.y.Hi - s.y.Lo)
			xy = append(xy, float32(float64(px)+fx*float64(pw)), float32(float64(py)+fy*float64(ph)))
		}
		if len(xy) == 0 {
			continue
		}
		gl43.BufferData(gl43.ARRAY_BUFFER, 4*len(xy), gl43.Ptr(xy), gl43.STREAM_DRAW)
		c := render.PathColor(i)
		col := [4]float32{float32(c.R) / 255, float32(c.G) / 255, float32(c.B) / 255, 1}
		// A dark underlay, then the colour, then the start and the head.
		for _, pass := range []struct {
			col  [4]float32
			size float32
		}{{[4]float32{0, 0, 0, 0.6}, 5}, {col, 3}} {
			gl43.Uniform4fv(ps.prog.Uniforms["ls_color"], 1, &pass.col[0])
			gl43.Uniform1f(ps.prog.Uniforms["ls_size"], pass.size)
			gl43.DrawArrays(gl43.LINE_STRIP, 0, int32(len(xy)/2))
			gl43.DrawArrays(gl43.POINTS, 0, int32(len(xy)/2))
		}
		gl43.Uniform1f(ps.prog.Uniforms["ls_size"], 9)
		gl43.DrawArrays(gl43.POINTS, int32(len(xy)/2-1), 1)
		k := len(xy)/2 - 1
		loss := math.NaN()
		if k < len(p.Loss) {
			loss = p.Loss[k]
		}
		tr.AddOutlined(fmt.Sprintf("%s  step %d  loss %.4g", p.Label, k, loss), float64(px+pw)-8, float64(top)+16+16*float64(i), text.Right, col, dark)
	}
	gl43.BindVertexArray(0)
	gl43.BindBuffer(gl43.ARRAY_BUFFER, 0)
	gl43.Disable(gl43.SCISSOR_TEST)
	gl43.Disable(gl43.PROGRAM_POINT_SIZE)
	ps.shown += ps.stride
}
