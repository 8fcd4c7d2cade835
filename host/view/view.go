package view

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"sort"
	"time"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/host/view/text"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
	"github.com/landscape-go/landscape/shaders"
)

// ErrWindow: no window could be opened (no display, no OpenGL 4.3).
var ErrWindow = errors.New("view: no window")

// Options configure a viewer run. The zero values of the optional fields
// are valid.
type Options struct {
	// Desc is the surface as configured; it must ship GLSL.
	Desc client.Descriptor
	// Plane is the starting view: its Origin, U, V, X and Y (Nx, Ny are
	// the window's).
	Plane grid.Plane
	// Colormap, Log and Levels start the picture as render's do.
	Colormap string
	Log      bool
	Levels   int
	// Width and Height are the window's size (default 1000×750).
	Width, Height int
	// Script runs these actions, then exits; Frames (with Screenshot)
	// renders that many frames, saves the screenshot and exits. With
	// neither, the viewer runs until the window is closed.
	Script     []Action
	Frames     int
	Screenshot string
	// Hidden keeps the window invisible (scripted runs).
	Hidden bool
	// ThreeD starts in the 3D view (a lit surface mesh, orbit camera).
	ThreeD bool
	// Out gets notices (zoom clamped, screenshots saved).
	Out io.Writer
	// Run, when set, starts the chosen optimizers from a clicked point.
	Run Runner
	// Surfaces lists the surfaces N and P cycle through (Desc is among
	// them or is added first); Configure re-describes one with changed
	// hyperparameters (the plugin validates them). Either may be nil.
	Surfaces  []client.Descriptor
	Configure func(name string, p sdk.Params) (client.Descriptor, error)
	// Kernel is what the GPU needs of a surface (its GLSL, constants and
	// data buffer); the caller fetches and keeps the data.
	Kernel func(desc client.Descriptor) (compute.Kernel, error)
	// EvalCPU evaluates a grid on the CPU, for windows whose OpenGL has no
	// compute shaders (below 4.3: macOS's 4.1); the grid is then drawn from
	// a texture. Without it such windows are refused.
	EvalCPU func(desc client.Descriptor, plane grid.Plane) (*compute.Field, error)
}

// Result describes a finished run.
type Result struct {
	Frames int
	// FrameMS and EvalMS are each frame's and each re-evaluation's time.
	FrameMS, EvalMS []float64
	// X and Y are the final view's ranges.
	X, Y        sdk.Interval
	Screenshots []string
}

var colormaps = render.Colormaps()

// state is the viewer's, touched only on the GL thread.
type state struct {
	o          Options
	x, y       sdk.Interval // the view
	x0, y0     sdk.Interval // the reset view
	cmap       int
	log        bool
	levels     int
	dirty      bool
	quit       bool
	clamped    bool
	drag       bool
	moved      bool
	cx, cy     float64 // cursor, window coordinates
	shotN      int
	screenshot []string // paths asked for by key or script
	paths      *paths
	threeD     bool
	cam        Camera
	surf       int // index in o.Surfaces
	hp         int // the hyperparameter H selects
	note       string
	no3D       string // why V cannot show 3D, if it cannot
}

// switchSurface moves by d through o.Surfaces, to its default domain.
func (s *state) switchSurface(d int) {
	n := len(s.o.Surfaces)
	if n < 2 {
		return
	}
	s.surf = ((s.surf+d)%n + n) % n
	s.setSurface(s.o.Surfaces[s.surf], true)
}

// setSurface shows desc; reset takes its default domain, else the view stays.
func (s *state) setSurface(desc client.Descriptor, reset bool) {
	if desc.Dim != s.o.Plane.Dim() || reset {
		dom := desc.Domain
		s.o.Plane = grid.AxisPlane(desc.Dim, 0, 1, nil, dom[0], dom[1], 2, 2)
		if reset {
			s.x, s.y, s.x0, s.y0 = dom[0], dom[1], dom[0], dom[1]
		}
	}
	s.o.Desc, s.hp, s.dirty = desc, min(s.hp, max(len(desc.Hyperparameters)-1, 0)), true
	s.paths.clear()
}

// nudge changes the selected hyperparameter by a step up or down.
func (s *state) nudge(up bool) {
	hs := s.o.Desc.Hyperparameters
	if len(hs) == 0 || s.o.Configure == nil {
		return
	}
	h := hs[s.hp]
	if h.Text {
		s.note = h.Name + " is text; set it on the command line"
		return
	}
	v := h.Default // the configured value (see sdk.Info)
	switch {
	case h.Choice() && up: // the next option, round
		v = math.Mod(v+1, float64(len(h.Options)))
	case h.Choice():
		v = math.Mod(v-1+float64(len(h.Options)), float64(len(h.Options)))
	case h.Integer && up:
		v++
	case h.Integer:
		v--
	case v == 0 && up:
		v = 0.1
	case up:
		v *= 1.1
	default:
		v /= 1.1
	}
	if h.Bounded() {
		v = math.Min(math.Max(v, h.Min), h.Max)
	}
	p := sdk.Params{}
	for _, x := range hs {
		if !x.Text {
			p[x.Name] = x.Default
		}
	}
	p[h.Name] = v
	desc, err := s.o.Configure(s.o.Desc.Name, p)
	if err != nil {
		s.note = err.Error()
		return
	}
	s.note = ""
	s.setSurface(desc, false)
}

// clickAt starts the optimizers from plot fractions (fx, fy), if any are chosen.
func (s *state) clickAt(fx, fy float64) {
	x := s.x.Lo + fx*(s.x.Hi-s.x.Lo)
	y := s.y.Lo + fy*(s.y.Hi-s.y.Lo)
	if s.o.Out != nil {
		fmt.Fprintf(s.o.Out, "landscape: view: click at x=%.6g y=%.6g\n", x, y)
	}
	if s.o.Run == nil {
		return
	}
	p := s.o.Plane
	th := make([]float64, p.Dim())
	for k := range th {
		th[k] = p.Origin[k] + x*p.U[k] + y*p.V[k]
	}
	s.paths.start(s.o.Run(s.o.Desc, p, th))
}

// margins of the plot inside the framebuffer, in pixels: left, right
// (colourbar and its labels), bottom, top.
const (
	marginL, marginR, marginB, marginT = 64, 104, 44, 28
	barW, barGap                       = 18, 16
)

func (s *state) plotRect(fbw, fbh int) (x, y, w, h int) {
	return marginL, marginB, max(fbw-marginL-marginR, 1), max(fbh-marginB-marginT, 1)
}

// zoom scales the view by 1/f about (fx, fy), fractions of the view from
// its low corner; past float32 precision it clamps and says so once.
func (s *state) zoom(f, fx, fy float64, nx, ny int) {
	scale := func(r sdk.Interval, at float64, n int) sdk.Interval {
		c := r.Lo + at*(r.Hi-r.Lo)
		lo, hi := c-(c-r.Lo)/f, c+(r.Hi-c)/f
		// A float32 grid needs each step to be several ulps of the values.
		minW := float64(n) * 8 * math.Max(ulp32(lo), ulp32(hi))
		if hi-lo < minW {
			if !s.clamped && s.o.Out != nil {
				fmt.Fprintln(s.o.Out, "landscape: view: zoom clamped at float32 precision (the GPU evaluates in float32)")
			}
			s.clamped = true
			mid := (lo + hi) / 2
			return sdk.Interval{Lo: mid - minW/2, Hi: mid + minW/2}
		}
		return sdk.Interval{Lo: lo, Hi: hi}
	}
	s.x, s.y = scale(s.x, fx, nx), scale(s.y, fy, ny)
	s.dirty = true
}

func ulp32(v float64) float64 {
	f := float32(math.Abs(v))
	return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
}

func (s *state) pan(dx, dy float64) {
	wx, wy := s.x.Hi-s.x.Lo, s.y.Hi-s.y.Lo
	s.x = sdk.Interval{Lo: s.x.Lo + dx*wx, Hi: s.x.Hi + dx*wx}
	s.y = sdk.Interval{Lo: s.y.Lo + dy*wy, Hi: s.y.Hi + dy*wy}
	s.dirty = true
}

// key applies a named key.
func (s *state) key(name string) {
	switch name {
	case "r":
		s.x, s.y, s.clamped, s.dirty = s.x0, s.y0, false, true
	case "c":
		s.cmap = (s.cmap + 1) % len(colormaps)
	case "l":
		s.log = !s.log
	case "plus":
		s.levels = min(s.levels+4, 64)
	case "minus":
		s.levels = max(s.levels-4, 0)
	case "s":
		s.shotN++
		s.screenshot = append(s.screenshot, fmt.Sprintf("landscape-view-%d.png", s.shotN))
	case "x":
		s.paths.clear()
	case "v":
		if s.no3D != "" {
			s.note = s.no3D
			return
		}
		s.threeD = !s.threeD
	case "n":
		s.switchSurface(1)
	case "p":
		s.switchSurface(-1)
	case "h":
		if n := len(s.o.Desc.Hyperparameters); n > 0 {
			s.hp = (s.hp + 1) % n
		}
	case "comma":
		s.nudge(false)
	case "period":
		s.nudge(true)
	case "q", "escape":
		s.quit = true
	}
}

var glfwKeys = map[glfw.Key]string{
	glfw.KeyR: "r", glfw.KeyC: "c", glfw.KeyL: "l", glfw.KeyEqual: "plus", glfw.KeyKPAdd: "plus",
	glfw.KeyMinus: "minus", glfw.KeyKPSubtract: "minus", glfw.KeyS: "s", glfw.KeyX: "x", glfw.KeyV: "v", glfw.KeyN: "n", glfw.KeyP: "p", glfw.KeyH: "h",
	glfw.KeyComma: "comma", glfw.KeyPeriod: "period", glfw.KeyQ: "q", glfw.KeyEscape: "escape",
}

// Run opens the window and runs until the script ends, the frames are done,
// the window closes or ctx ends.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Desc.GLSL == "" {
		return nil, fmt.Errorf("view: surface %s ships no GLSL; the viewer evaluates on the GPU (render and eval work without it)", o.Desc.Name)
	}
	if o.Width <= 0 {
		o.Width = 1000
	}
	if o.Height <= 0 {
		o.Height = 750
	}
	if o.Width < 200 || o.Height < 150 || o.Width > 8192 || o.Height > 8192 {
		return nil, fmt.Errorf("view: window %dx%d: each side must be from 200x150 to 8192", o.Width, o.Height)
	}
	cm := 0
	name := o.Colormap
	if name == "" {
		name = "viridis"
	}
	if _, err := render.Colormap(name); err != nil {
		return nil, err
	}
	for i, c := range colormaps {
		if c == name {
			cm = i
		}
	}
	c, err := gl.New(gl.Options{Window: &gl.WindowOptions{Width: o.Width, Height: o.Height, Title: "landscape: " + o.Desc.Name, Hidden: o.Hidden}})
	if err != nil {
		return nil, fmt.Errorf("%w: %v; the headless commands (render, eval, compare, basins) need no window", ErrWindow, err)
	}
	defer c.Close()
	s := &state{o: o, x: o.Plane.X, y: o.Plane.Y, x0: o.Plane.X, y0: o.Plane.Y, cmap: cm, log: o.Log, levels: o.Levels, dirty: true,
		threeD: o.ThreeD, cam: DefaultCamera(), surf: -1}
	for i, d := range o.Surfaces {
		if d.Name == o.Desc.Name {
			s.surf = i
		}
	}
	if s.surf < 0 {
		s.o.Surfaces = append([]client.Descriptor{o.Desc}, o.Surfaces...)
		s.surf = 0
	}
	if s.levels == 0 {
		s.levels = 12
	}
	ev := c.Evaluator()
	defer ev.Close()
	var prog *gl.DrawProgram
	var vao uint32
	var tr *text.Renderer
	var mesh *Mesh
	var tex uint32
	var field *compute.Field // the CPU-evaluated grid, without compute shaders
	gpu := c.Info().Compute
	if !gpu {
		if o.EvalCPU == nil {
			return nil, fmt.Errorf("%w: OpenGL %s has no compute shaders", ErrWindow, c.Info().Version)
		}
		if o.Out != nil {
			fmt.Fprintf(o.Out, "landscape: view: OpenGL %s has no compute shaders: grids are evaluated on the CPU and drawn from a texture; no 3D view\n", c.Info().Version)
		}
		s.threeD, s.no3D = false, "the 3D view needs OpenGL 4.3 (compute shaders)"
	}
	err = c.Do(func() error {
		vs, fs := shaders.View(!gpu)
		var err error
		if tr, err = text.New(13); err != nil {
			return err
		}
		if s.paths, err = newPaths(); err != nil {
			return err
		}
		if gpu {
			if mesh, err = NewMesh(256); err != nil {
				return err
			}
		} else {
			gl43.GenTextures(1, &tex)
			gl43.BindTexture(gl43.TEXTURE_2D, tex)
			gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_MIN_FILTER, gl43.NEAREST)
			gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_MAG_FILTER, gl43.NEAREST)
			gl43.BindTexture(gl43.TEXTURE_2D, 0)
		}
		prog, err = gl.BuildDrawProgram("viewer", vs, fs, []string{"ls_n", "ls_plot", "ls_bar", "ls_lo", "ls_hi", "ls_log", "ls_levels", "ls_cmap", "ls_bg", "ls_nan", "ls_tex"})
		if err != nil {
			return err
		}
		gl43.GenVertexArrays(1, &vao)
		w := c.Window()
		w.SetScrollCallback(func(w *glfw.Window, _, dy float64) {
			if s.threeD {
				s.cam.Dolly(math.Pow(1.1, dy))
				return
			}
			fx, fy := s.fraction(w)
			s.zoom(math.Pow(1.15, dy), fx, fy, 1000, 1000)
		})
		w.SetMouseButtonCallback(func(w *glfw.Window, b glfw.MouseButton, a glfw.Action, _ glfw.ModifierKey) {
			if b != glfw.MouseButtonLeft {
				return
			}
			if a == glfw.Release && s.drag && !s.moved {
				fx, fy := s.fraction(w)
				s.clickAt(fx, fy)
			}
			s.drag, s.moved = a == glfw.Press, false
		})
		w.SetCursorPosCallback(func(w *glfw.Window, x, y float64) {
			if s.drag && s.threeD {
				s.cam.Orbit(x-s.cx, y-s.cy)
				s.moved = true
			} else if s.drag {
				_, _, pw, ph := s.plotRect(w.GetFramebufferSize())
				ww, _ := w.GetSize()
				fbw, _ := w.GetFramebufferSize()
				k := float64(fbw) / float64(max(ww, 1))
				s.pan(-(x-s.cx)*k/float64(pw), (y-s.cy)*k/float64(ph))
				s.moved = true
			}
			s.cx, s.cy = x, y
		})
		w.SetKeyCallback(func(_ *glfw.Window, k glfw.Key, _ int, a glfw.Action, _ glfw.ModifierKey) {
			if n, ok := glfwKeys[k]; ok && a == glfw.Press {
				s.key(n)
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer c.Do(func() error {
		prog.Delete()
		tr.Delete()
		s.paths.delete()
		if mesh != nil {
			mesh.Delete()
		}
		gl43.DeleteTextures(1, &tex)
		gl43.DeleteVertexArrays(1, &vao)
		return nil
	})

	res := &Result{}
	var buf uint32
	var lo, hi float32
	var gw, gh int
	script := o.Script
	wait := 0
	for frame := 0; ; frame++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		var shot []string
		err := c.Do(func() error {
			w := c.Window()
			glfw.PollEvents()
			if w.ShouldClose() {
				s.quit = true
			}
			// The script's next action, once the frames it waits for are done.
			for wait == 0 && len(script) > 0 && !s.quit {
				a := script[0]
				script = script[1:]
				fbw, fbh := w.GetFramebufferSize()
				px, py, pw, ph := s.plotRect(fbw, fbh)
				switch a.Kind {
				case "zoom":
					s.zoom(a.Args[0], 0.5, 0.5, pw, ph)
				case "pan":
					s.pan(a.Args[0], a.Args[1])
				case "key":
					s.key(a.Name)
				case "frames":
					wait = int(a.Args[0])
				case "resize":
					w.SetSize(int(a.Args[0]), int(a.Args[1]))
					glfw.PollEvents()
				case "screenshot":
					s.screenshot = append(s.screenshot, a.Name)
				case "click":
					// The cursor moves there too, so the readout shows it.
					ww, _ := w.GetSize()
					k := float64(fbw) / float64(max(ww, 1))
					s.cx, s.cy = a.Args[0]/k, a.Args[1]/k
					fx := (a.Args[0] - float64(px)) / float64(pw)
					fy := (float64(fbh) - a.Args[1] - float64(py)) / float64(ph)
					if fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1 {
						s.clickAt(fx, fy)
					}
				}
				if a.Kind == "screenshot" {
					break // render this frame first
				}
			}
			fbw, fbh := w.GetFramebufferSize()
			px, py, pw, ph := s.plotRect(fbw, fbh)
			if s.dirty || pw != gw || ph != gh {
				e0 := time.Now()
				g := s.o.Plane
				g.X, g.Y, g.Nx, g.Ny = s.x, s.y, max(pw, 2), max(ph, 2)
				var err error
				var ok bool
				if gpu {
					var k compute.Kernel
					if k, err = o.Kernel(s.o.Desc); err == nil {
						buf, err = ev.EvalOnGPU(k, compute.Grid{Plane: g})
					}
				} else {
					field, err = o.EvalCPU(s.o.Desc, g)
				}
				if err != nil {
					s.note = err.Error()
					if s.o.Desc.Name == o.Desc.Name {
						return err // the starting surface must work
					}
					s.switchSurface(1)
					return nil
				}
				if gpu {
					if lo, hi, ok, err = ev.MinMaxOnGPU(buf, g.Nx*g.Ny); err != nil {
						return err
					}
				} else {
					st := field.Stats()
					lo, hi, ok = float32(st.Min), float32(st.Max), st.ArgMin[0] >= 0
					gl43.BindTexture(gl43.TEXTURE_2D, tex)
					gl43.PixelStorei(gl43.UNPACK_ALIGNMENT, 4)
					gl43.TexImage2D(gl43.TEXTURE_2D, 0, gl43.R32F, int32(g.Nx), int32(g.Ny), 0, gl43.RED, gl43.FLOAT, gl43.Ptr(field.Values))
					gl43.BindTexture(gl43.TEXTURE_2D, 0)
				}
				if !ok {
					lo, hi = 0, 1
				}
				gl43.Finish()
				res.EvalMS = append(res.EvalMS, host.Millis(time.Since(e0)))
				gw, gh, s.dirty = pw, ph, false
			}
			gl43.Viewport(0, 0, int32(fbw), int32(fbh))
			gl43.UseProgram(prog.ID)
			u := prog.Uniforms
			gl43.Uniform2i(u["ls_n"], int32(max(gw, 2)), int32(max(gh, 2)))
			if s.threeD { // the 2D program draws the background and colourbar only
				gl43.Uniform4f(u["ls_plot"], 0, 0, 0, 0)
			} else {
				gl43.Uniform4f(u["ls_plot"], float32(px), float32(py), float32(pw), float32(ph))
			}
			gl43.Uniform4f(u["ls_bar"], float32(px+pw+barGap), float32(py), barW, float32(ph))
			gl43.Uniform1f(u["ls_lo"], lo)
			gl43.Uniform1f(u["ls_hi"], hi)
			gl43.Uniform1i(u["ls_log"], b2i(s.log))
			gl43.Uniform1i(u["ls_levels"], int32(s.levels))
			table := colormapTable(colormaps[s.cmap])
			gl43.Uniform3fv(u["ls_cmap"], 32, &table[0])
			gl43.Uniform3f(u["ls_bg"], 0.97, 0.97, 0.97)
			gl43.Uniform3f(u["ls_nan"], 0.55, 0.55, 0.55)
			if gpu {
				gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, buf)
			} else {
				gl43.ActiveTexture(gl43.TEXTURE0)
				gl43.BindTexture(gl43.TEXTURE_2D, tex)
				gl43.Uniform1i(u["ls_tex"], 0)
			}
			gl43.BindVertexArray(vao)
			gl43.DrawArrays(gl43.TRIANGLES, 0, 3)
			gl43.BindVertexArray(0)
			if s.threeD {
				if err := mesh.Draw(buf, max(gw, 2), max(gh, 2), lo, hi, s.log, table, s.cam, px, py, pw, ph); err != nil {
					return err
				}
			} else {
				s.paths.draw(tr, s, fbw, fbh)
			}
			cell := func(i, j int) float64 { return readCell(buf, gw, i, j) }
			if !gpu {
				cell = func(i, j int) float64 { return float64(field.At(i, j)) }
			}
			s.labels(tr, w, fbw, fbh, lo, hi, cell, gw, gh)
			if err := tr.Flush(fbw, fbh); err != nil {
				return err
			}
			if len(s.screenshot) > 0 {
				img := readPixels(fbw, fbh)
				for _, p := range s.screenshot {
					if err := savePNG(p, img); err != nil {
						return err
					}
					shot = append(shot, p)
				}
				s.screenshot = nil
			}
			w.SwapBuffers()
			return nil
		})
		if err != nil {
			return nil, err
		}
		res.Screenshots = append(res.Screenshots, shot...)
		for _, p := range shot {
			if o.Out != nil {
				fmt.Fprintf(o.Out, "landscape: view: wrote %s\n", p)
			}
		}
		res.FrameMS = append(res.FrameMS, host.Millis(time.Since(t0)))
		res.Frames = frame + 1
		if wait > 0 {
			wait--
		}
		scripted := o.Script != nil || o.Frames > 0 || o.Screenshot != ""
		done := scripted && len(script) == 0 && wait == 0 && res.Frames >= max(o.Frames, 1)
		if done && o.Screenshot != "" {
			err := c.Do(func() error {
				fbw, fbh := c.Window().GetFramebufferSize()
				return savePNG(o.Screenshot, readPixels(fbw, fbh))
			})
			if err != nil {
				return nil, err
			}
			res.Screenshots = append(res.Screenshots, o.Screenshot)
		}
		if s.quit || done {
			res.X, res.Y = s.x, s.y
			return res, nil
		}
	}
}

// fraction is the cursor's place in the plot, 0..1 from its low corner.
func (s *state) fraction(w *glfw.Window) (float64, float64) {
	fbw, fbh := w.GetFramebufferSize()
	ww, _ := w.GetSize()
	k := float64(fbw) / float64(max(ww, 1))
	px, py, pw, ph := s.plotRect(fbw, fbh)
	fx := (s.cx*k - float64(px)) / float64(pw)
	fy := (float64(fbh) - s.cy*k - float64(py)) / float64(ph)
	return math.Min(math.Max(fx, 0), 1), math.Min(math.Max(fy, 0), 1)
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// colormapTable samples a colormap at 32 points for the shader.
func colormapTable(name string) []float32 {
	f, _ := render.Colormap(name)
	out := make([]float32, 0, 96)
	for i := 0; i < 32; i++ {
		c := f(float64(i) / 31)
		out = append(out, float32(c.R)/255, float32(c.G)/255, float32(c.B)/255)
	}
	return out
}

// readPixels reads the framebuffer into an image, top row first. GL thread.
func readPixels(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	row := make([]byte, 4*w*h)
	gl43.PixelStorei(gl43.PACK_ALIGNMENT, 1)
	gl43.ReadPixels(0, 0, int32(w), int32(h), gl43.RGBA, gl43.UNSIGNED_BYTE, gl43.Ptr(&row[0]))
	for y := 0; y < h; y++ {
		copy(img.Pix[y*img.Stride:y*img.Stride+4*w], row[(h-1-y)*4*w:(h-y)*4*w])
	}
	return img
}

// savePNG writes img to path in full or not at all.
func savePNG(path string, img image.Image) error {
	f, err := host.CreateOutput(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := png.Encode(f, img); err != nil {
		return err
	}
	return f.Commit()
}

// Stats summarises a run's times: median and 95th percentile.
func Stats(v []float64) (median, p95 float64) {
	if len(v) == 0 {
		return 0, 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2], s[min(len(s)-1, int(math.Ceil(0.95*float64(len(s))))-1)]
}

var (
	ink   = [4]float32{0.1, 0.1, 0.1, 1}
	white = [4]float32{1, 1, 1, 1}
	dark  = [4]float32{0, 0, 0, 0.85}
)

// labels queues the frame's text: title, axis ticks and names, colourbar
// ticks, and the readout under the cursor (point, loss, gradient). GL
// thread; the readout reads back three values of the buffer.
func (s *state) labels(tr *text.Renderer, w *glfw.Window, fbw, fbh int, lo, hi float32, cell func(i, j int) float64, gw, gh int) {
	px, py, pw, ph := s.plotRect(fbw, fbh)
	top := fbh - (py + ph) // the plot's top edge, y down
	bottom := fbh - py
	title := s.o.Desc.Name
	for i, h := range s.o.Desc.Hyperparameters {
		mark := ""
		if i == s.hp {
			mark = "*"
		}
		val := fmt.Sprintf("%.4g", h.Default)
		if h.Text || h.Choice() {
			val = h.DefaultString()
		}
		title += "  " + mark + h.Name + "=" + val
	}
	if s.log {
		title += "  (log colour scale)"
	}
	if s.note != "" {
		tr.AddOutlined(s.note, float64(px)+6, float64(bottom)-8, text.Left, [4]float32{1, 0.85, 0.85, 1}, dark)
	}
	tr.Add(title, float64(px+pw/2), float64(top)-9, text.Center, ink)
	if s.threeD {
		s.barLabels(tr, lo, hi, px+pw, top, bottom, ph)
		tr.Add(fmt.Sprintf("%s %g:%g, %s %g:%g   drag to orbit, scroll to move in, V for 2D", axisName(s.o.Plane, 0), s.x.Lo, s.x.Hi, axisName(s.o.Plane, 1), s.y.Lo, s.y.Hi), float64(px)+4, float64(bottom)+18, text.Left, ink)
		return
	}
	for _, t := range render.Ticks(s.x.Lo, s.x.Hi, max(pw/110, 2)) {
		x := float64(px) + (t.Value-s.x.Lo)/(s.x.Hi-s.x.Lo)*float64(pw)
		tr.Add(t.Label, x, float64(bottom)+16, text.Center, ink)
	}
	for _, t := range render.Ticks(s.y.Lo, s.y.Hi, max(ph/70, 2)) {
		y := float64(bottom) - (t.Value-s.y.Lo)/(s.y.Hi-s.y.Lo)*float64(ph)
		tr.Add(t.Label, float64(px)-6, y+4, text.Right, ink)
	}
	tr.Add(axisName(s.o.Plane, 0), float64(px+pw/2), float64(bottom)+34, text.Center, ink)
	tr.Add(axisName(s.o.Plane, 1), 8, float64(top)-9, text.Left, ink)
	s.barLabels(tr, lo, hi, px+pw, top, bottom, ph)
	// The readout: the grid cell under the cursor, its loss and gradient
	// (central differences of the neighbouring cells).
	fx, fy := s.fraction(w)
	if s.cx <= 0 && s.cy <= 0 || gw < 3 || gh < 3 {
		return
	}
	i := min(max(int(fx*float64(gw)), 1), gw-2)
	j := min(max(int(fy*float64(gh)), 1), gh-2)
	var v [5]float64
	for k, d := range [5][2]int{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
		v[k] = cell(i+d[0], j+d[1])
	}
	x := s.x.Lo + (float64(i)+0.5)/float64(gw)*(s.x.Hi-s.x.Lo)
	y := s.y.Lo + (float64(j)+0.5)/float64(gh)*(s.y.Hi-s.y.Lo)
	dx := (s.x.Hi - s.x.Lo) / float64(gw)
	dy := (s.y.Hi - s.y.Lo) / float64(gh)
	msg := fmt.Sprintf("x %.5g  y %.5g  loss %.5g  grad (%.3g, %.3g)", x, y, v[0], (v[2]-v[1])/(2*dx), (v[4]-v[3])/(2*dy))
	tr.AddOutlined(msg, float64(px)+6, float64(top)+16, text.Left, white, dark)
}

// barLabels labels the colourbar beside the plot's right edge.
func (s *state) barLabels(tr *text.Renderer, lo, hi float32, right, top, bottom, ph int) {
	bx := float64(right + barGap + barW + 5)
	if !s.log { // log ticks: the ends below say the range
		for _, t := range render.Ticks(float64(lo), float64(hi), max(ph/60, 2)) {
			f := (t.Value - float64(lo)) / float64(hi-lo)
			tr.Add(t.Label, bx, float64(bottom)-f*float64(ph)+4, text.Left, ink)
		}
	}
	tr.Add(fmt.Sprintf("%.3g", hi), bx, float64(top)-6, text.Left, ink)
	tr.Add(fmt.Sprintf("%.3g", lo), bx, float64(bottom)+14, text.Left, ink)
}

func axisName(p grid.Plane, k int) string {
	v := p.U
	if k == 1 {
		v = p.V
	}
	for i, c := range v {
		if c == 1 {
			return fmt.Sprintf("x%d", i)
		}
	}
	return [2]string{"u", "v"}[k]
}

// readCell reads cell (i, j) of the evaluation buffer. GL thread.
func readCell(buf uint32, nx, i, j int) float64 {
	var f float32
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, buf)
	gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 4*(j*nx+i), 4, unsafe.Pointer(&f))
	return float64(f)
}
