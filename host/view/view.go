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
	// data buffer); the caller fetches and keeps the data. Without it the
	// kernel is the descriptor's own, with no data buffer.
	Kernel func(desc client.Descriptor) (compute.Kernel, error)
	// Verify checks a surface's GPU values gpu at the points pts against
	// its plugin (host.App.VerifyGPU), once per configuration, before the
	// GPU's grids of it are drawn. Without it they are drawn unchecked.
	Verify func(desc client.Descriptor, pts []float64, gpu []float32) error
	// EvalCPU evaluates a grid on the CPU, for windows whose OpenGL has no
	// compute shaders (below 4.3: macOS's 4.1); the grid is then drawn from
	// a texture. Without it such windows are refused.
	EvalCPU func(desc client.Descriptor, plane grid.Plane) (*compute.Field, error)
	// Critical, when set, finds the critical points of desc on the plane
	// shown (its X and Y the view); K shows and hides them, and they are
	// found again as the view changes.
	Critical func(desc client.Descriptor, plane grid.Plane) ([]Mark, error)
	// Overlays are paths drawn whole over the surface from the start
	// (minimum-energy paths), with their labels.
	Overlays []Path
}

// Mark is a critical point to show: its place in the plane and its kind
// as render draws it (render.CriticalMinimum, ...).
type Mark struct {
	X, Y  float64
	Style render.MarkerStyle
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

// Run opens the window and runs until the script ends, the frames are done,
// the window closes or ctx ends.
func Run(ctx context.Context, o Options) (*Result, error) {
	cm, err := o.check()
	if err != nil {
		return nil, err
	}
	v, err := open(o, cm)
	if err != nil {
		return nil, err
	}
	defer v.close()
	if err := v.c.Do(v.setupGL); err != nil {
		return nil, err
	}
	return v.run(ctx)
}

// check validates o and fills its defaults; it returns the colormap's
// index.
func (o *Options) check() (int, error) {
	if o.Desc.GLSL == "" {
		return 0, fmt.Errorf("view: surface %s ships no GLSL; the viewer evaluates on the GPU (render and eval work without it)", o.Desc.Name)
	}
	if o.Width <= 0 {
		o.Width = 1000
	}
	if o.Height <= 0 {
		o.Height = 750
	}
	if o.Width < 200 || o.Height < 150 || o.Width > 8192 || o.Height > 8192 {
		return 0, fmt.Errorf("view: window %dx%d: each side must be from 200x150 to 8192", o.Width, o.Height)
	}
	name := o.Colormap
	if name == "" {
		name = "viridis"
	}
	if _, err := render.Colormap(name); err != nil {
		return 0, err
	}
	cm := 0
	for i, c := range colormaps {
		if c == name {
			cm = i
		}
	}
	return cm, nil
}

// viewer is one run of the window: the state it shows, the window and its
// GL context, and the GL objects that draw. Its methods run on the GL
// thread (inside v.c.Do) unless they say otherwise.
type viewer struct {
	state
	c   *gl.Context
	win *glfw.Window
	ev  *gl.Evaluator
	// gpu: the context has compute shaders, and the grid is evaluated into
	// a storage buffer and drawn from it; else it is evaluated on the CPU
	// and drawn from a texture.
	gpu bool
	// verified are the configurations whose GPU values were checked.
	verified map[string]bool
	res      Result

	// GL objects, made by setupGL and freed by deleteGL.
	prog   *gl.DrawProgram // the 2D picture: heatmap, contours, colourbar
	screen *gl.VertexArray // its one triangle over the viewport
	tr     *text.Renderer
	runs   *pathsGL
	mesh   *Mesh       // the 3D view (gpu only)
	tex    *gl.Texture // the CPU-evaluated grid (not gpu)

	// The grid last evaluated, gw×gh: in buf (gpu) or field, with its
	// range [lo, hi].
	buf    uint32
	field  *compute.Field
	lo, hi float32
	gw, gh int

	script []Action // what is left of the script
	wait   int      // frames to draw before its next action
}

// open opens the window and its GL context. Not on the GL thread.
func open(o Options, cm int) (*viewer, error) {
	c, err := gl.New(gl.Options{Window: &gl.WindowOptions{Width: o.Width, Height: o.Height, Title: "landscape: " + o.Desc.Name, Hidden: o.Hidden}})
	if err != nil {
		return nil, fmt.Errorf("%w: %w; the headless commands (render, eval, compare, basins) need no window", ErrWindow, err)
	}
	v := &viewer{state: newState(o, cm), c: c, win: c.Window(), ev: c.Evaluator(), gpu: c.Info().Compute, script: o.Script}
	if !v.gpu {
		if o.EvalCPU == nil {
			v.close()
			return nil, fmt.Errorf("%w: OpenGL %s has no compute shaders", ErrWindow, c.Info().Version)
		}
		v.tell(fmt.Sprintf("OpenGL %s has no compute shaders: grids are evaluated on the CPU and drawn from a texture; no 3D view", c.Info().Version))
		v.threeD, v.no3D = false, "the 3D view needs OpenGL 4.3 (compute shaders)"
	}
	return v, nil
}

// close frees the GL objects, the evaluator and the context. Not on the GL
// thread.
func (v *viewer) close() {
	v.c.Do(func() error { v.deleteGL(); return nil })
	v.ev.Close()
	v.c.Close()
}

// setupGL builds the programs, vertex arrays and textures, and connects
// the window's input. On error, close frees what it made.
func (v *viewer) setupGL() error {
	var err error
	if v.tr, err = text.New(13); err != nil {
		return err
	}
	if v.runs, err = newPathsGL(); err != nil {
		return err
	}
	if v.gpu {
		if v.mesh, err = NewMesh(256); err != nil {
			return err
		}
	} else if v.tex, err = gl.NewTexture(); err != nil {
		return err
	}
	vs, fs := shaders.View(!v.gpu)
	if v.prog, err = gl.BuildDrawProgram("viewer", vs, fs); err != nil {
		return err
	}
	if v.screen, err = gl.NewVertexArray(0); err != nil {
		return err
	}
	v.connectInput()
	return nil
}

// deleteGL frees the GL objects setupGL made.
func (v *viewer) deleteGL() {
	v.prog.Delete()
	v.screen.Delete()
	if v.tr != nil {
		v.tr.Delete()
	}
	v.runs.delete()
	if v.mesh != nil {
		v.mesh.Delete()
	}
	v.tex.Delete()
}

// connectInput turns the window's scrolls, clicks, drags and keys into
// changes of the state.
func (v *viewer) connectInput() {
	w := v.win
	w.SetScrollCallback(func(_ *glfw.Window, _, dy float64) {
		if v.threeD {
			v.cam.Dolly(math.Pow(1.1, dy))
			return
		}
		fx, fy := v.cursor()
		v.zoom(math.Pow(1.15, dy), fx, fy, 1000, 1000)
	})
	w.SetMouseButtonCallback(func(_ *glfw.Window, b glfw.MouseButton, a glfw.Action, _ glfw.ModifierKey) {
		if b != glfw.MouseButtonLeft {
			return
		}
		if a == glfw.Release && v.drag && !v.moved && v.threeD {
			// Picked on the surface when the frame is drawn.
			ww, _ := w.GetSize()
			fbw, fbh := w.GetFramebufferSize()
			k := float64(fbw) / float64(max(ww, 1))
			v.pending = &[2]float64{v.cx * k, float64(fbh) - v.cy*k}
		} else if a == glfw.Release && v.drag && !v.moved {
			v.clickAt(v.cursor())
		}
		v.drag, v.moved = a == glfw.Press, false
	})
	w.SetCursorPosCallback(func(_ *glfw.Window, x, y float64) {
		if v.drag && v.threeD {
			v.cam.Orbit(x-v.cx, y-v.cy)
			v.moved = true
		} else if v.drag {
			_, _, pw, ph := v.plotRect(w.GetFramebufferSize())
			ww, _ := w.GetSize()
			fbw, _ := w.GetFramebufferSize()
			k := float64(fbw) / float64(max(ww, 1))
			v.pan(-(x-v.cx)*k/float64(pw), (y-v.cy)*k/float64(ph))
			v.moved = true
		}
		v.cx, v.cy = x, y
	})
	w.SetKeyCallback(func(_ *glfw.Window, k glfw.Key, _ int, a glfw.Action, _ glfw.ModifierKey) {
		if key, ok := glfwKeys[k]; ok && a == glfw.Press {
			v.key(key)
		}
	})
}

var glfwKeys = map[glfw.Key]Key{
	glfw.KeyR: KeyReset, glfw.KeyC: KeyColormap, glfw.KeyL: KeyLog, glfw.KeyEqual: KeyMoreLevels, glfw.KeyKPAdd: KeyMoreLevels,
	glfw.KeyMinus: KeyFewerLevels, glfw.KeyKPSubtract: KeyFewerLevels, glfw.KeyS: KeyScreenshot, glfw.KeyX: KeyClearRuns,
	glfw.KeyV: KeyToggle3D, glfw.KeyN: KeyNextSurface, glfw.KeyP: KeyPrevSurface, glfw.KeyH: KeyHyperparameter,
	glfw.KeyComma: KeyLower, glfw.KeyPeriod: KeyRaise, glfw.KeyQ: KeyQuit, glfw.KeyEscape: KeyQuit,
	glfw.KeyK: KeyCritical,
}

// cursor is the cursor's place in the plot, 0..1 from its low corner.
func (v *viewer) cursor() (float64, float64) {
	fbw, fbh := v.win.GetFramebufferSize()
	ww, _ := v.win.GetSize()
	return v.fraction(fbw, fbh, ww)
}

// run draws frames until the script ends, the frames are done, the window
// closes or ctx ends. Not on the GL thread: each frame is one call there.
func (v *viewer) run(ctx context.Context) (*Result, error) {
	o := v.o
	for frame := 0; ; frame++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		var shot []string
		err := v.c.Do(func() (err error) {
			shot, err = v.frame()
			return err
		})
		if err != nil {
			return nil, err
		}
		v.res.Screenshots = append(v.res.Screenshots, shot...)
		for _, p := range shot {
			v.tell("wrote " + p)
		}
		v.res.FrameMS = append(v.res.FrameMS, host.Millis(time.Since(t0)))
		v.res.Frames = frame + 1
		if v.wait > 0 {
			v.wait--
		}
		scripted := o.Script != nil || o.Frames > 0 || o.Screenshot != ""
		done := scripted && len(v.script) == 0 && v.wait == 0 && v.res.Frames >= max(o.Frames, 1)
		if done && o.Screenshot != "" {
			// The back buffer as it stands after the swap.
			if err := v.c.Do(func() error { return v.capture([]string{o.Screenshot}) }); err != nil {
				return nil, err
			}
			v.res.Screenshots = append(v.res.Screenshots, o.Screenshot)
		}
		if v.quit || done {
			v.res.X, v.res.Y = v.x, v.y
			return &v.res, nil
		}
	}
}

// frame handles the window's events and the script's next actions,
// re-evaluates the grid if the view changed, draws, saves the screenshots
// asked for, and shows the frame. It returns the screenshots saved.
func (v *viewer) frame() ([]string, error) {
	glfw.PollEvents()
	if v.win.ShouldClose() {
		v.quit = true
	}
	// The script's next actions, once the frames it waits for are done.
	for v.wait == 0 && len(v.script) > 0 && !v.quit {
		a := v.script[0]
		v.script = v.script[1:]
		v.apply(a)
		if a.Kind == ActScreenshot {
			break // render this frame first
		}
	}
	fbw, fbh := v.win.GetFramebufferSize()
	_, _, pw, ph := v.plotRect(fbw, fbh)
	if v.dirty || pw != v.gw || ph != v.gh {
		if ok, err := v.evaluate(pw, ph); err != nil || !ok {
			return nil, err
		}
	}
	if err := v.draw(fbw, fbh); err != nil {
		return nil, err
	}
	var shot []string
	if len(v.screenshot) > 0 {
		if err := v.capture(v.screenshot); err != nil {
			return nil, err
		}
		shot, v.screenshot = v.screenshot, nil
	}
	v.win.SwapBuffers()
	return shot, nil
}

// apply does one action of the script.
func (v *viewer) apply(a Action) {
	fbw, fbh := v.win.GetFramebufferSize()
	px, py, pw, ph := v.plotRect(fbw, fbh)
	switch a.Kind {
	case ActZoom:
		v.zoom(a.Args[0], 0.5, 0.5, pw, ph)
	case ActPan:
		v.pan(a.Args[0], a.Args[1])
	case ActKey:
		v.key(a.Key)
	case ActFrames:
		v.wait = int(a.Args[0])
	case ActResize:
		v.win.SetSize(int(a.Args[0]), int(a.Args[1]))
		glfw.PollEvents()
	case ActScreenshot:
		v.screenshot = append(v.screenshot, a.Path)
	case ActClick:
		// The cursor moves there too, so the readout shows it.
		ww, _ := v.win.GetSize()
		k := float64(fbw) / float64(max(ww, 1))
		v.cx, v.cy = a.Args[0]/k, a.Args[1]/k
		fx := (a.Args[0] - float64(px)) / float64(pw)
		fy := (float64(fbh) - a.Args[1] - float64(py)) / float64(ph)
		if v.threeD { // picked on the surface when the frame is drawn
			v.pending = &[2]float64{a.Args[0], float64(fbh) - a.Args[1]}
		} else if fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1 {
			v.clickAt(fx, fy)
		}
	}
}

// evaluate evaluates the view on a pw×ph grid (at least 2×2): into a
// storage buffer on the GPU, or on the CPU into a texture, and finds its
// range. A surface other than the starting one that fails is left for the
// next (ok false: nothing to draw this frame); the starting one's error is
// returned.
func (v *viewer) evaluate(pw, ph int) (ok bool, err error) {
	e0 := time.Now()
	g := v.o.Plane
	g.X, g.Y, g.Nx, g.Ny = v.x, v.y, max(pw, 2), max(ph, 2)
	if v.gpu {
		var k compute.Kernel
		if k, err = v.kernel(v.o.Desc); err == nil {
			err = v.verify(v.o.Desc, k, g)
		}
		if err == nil {
			v.buf, err = v.ev.EvalOnGPU(k, compute.Grid{Plane: g})
		}
	} else {
		v.field, err = v.o.EvalCPU(v.o.Desc, g)
	}
	if err != nil {
		if v.o.Desc.Name == v.first {
			return false, err // the starting surface must work
		}
		v.say(err.Error())
		v.switchSurface(1)
		return false, nil
	}
	var finite bool
	if v.gpu {
		if v.lo, v.hi, finite, err = v.ev.MinMaxOnGPU(v.buf, g.Nx*g.Ny); err != nil {
			return false, err
		}
	} else {
		st := v.field.Stats()
		v.lo, v.hi, finite = float32(st.Min), float32(st.Max), st.ArgMin[0] >= 0
		if err := v.tex.SetR32F(g.Nx, g.Ny, v.field.Values); err != nil {
			return false, fmt.Errorf("view: %w", err)
		}
	}
	if !finite {
		v.lo, v.hi = 0, 1
	}
	gl.Finish()
	v.res.EvalMS = append(v.res.EvalMS, host.Millis(time.Since(e0)))
	v.gw, v.gh, v.dirty = pw, ph, false
	if v.crit.on {
		v.findCritical()
	}
	return true, nil
}

// verify checks (once per configuration) the GPU's values of desc at the
// centre and two corners of the plane p against its plugin (see
// Options.Verify).
func (v *viewer) verify(desc client.Descriptor, k compute.Kernel, p grid.Plane) error {
	key := fmt.Sprint(desc.Name, desc.Hyperparameters)
	if v.o.Verify == nil || v.verified[key] {
		return nil
	}
	g := compute.Grid{Plane: p}
	pts := make([]float64, 3*g.Dim())
	for i, ij := range [3][2]int{{g.Nx / 2, g.Ny / 2}, {0, 0}, {g.Nx - 1, g.Ny - 1}} {
		g.Point(pts[i*g.Dim():(i+1)*g.Dim()], ij[0], ij[1])
	}
	gpu, err := v.ev.EvalPointsOnGPU(k, pts)
	if err == nil {
		err = v.o.Verify(desc, pts, gpu)
	}
	if err != nil {
		return err
	}
	if v.verified == nil {
		v.verified = map[string]bool{}
	}
	v.verified[key] = true
	return nil
}

// kernel is what the GPU evaluates of desc (see Options.Kernel).
func (v *viewer) kernel(desc client.Descriptor) (compute.Kernel, error) {
	if v.o.Kernel == nil {
		return compute.KernelOf(desc.Info, desc.GLSL, nil), nil
	}
	return v.o.Kernel(desc)
}

// draw draws the frame into the fbw×fbh framebuffer: the 2D picture (or,
// in 3D, its background and colourbar, and the mesh), the runs, and the
// labels.
func (v *viewer) draw(fbw, fbh int) error {
	px, py, pw, ph := v.plotRect(fbw, fbh)
	gw, gh := max(v.gw, 2), max(v.gh, 2)
	table := colormapTable(colormaps[v.cmap])
	p := gl.BeginPass("viewer")
	p.Set(gl.Settings{Viewport: gl.Rect{W: fbw, H: fbh}})
	p.Use(v.prog)
	p.SetInt("ls_n", gw, gh)
	if v.threeD { // the 2D program draws the background and colourbar only
		p.SetFloat("ls_plot", 0, 0, 0, 0)
	} else {
		p.SetFloat("ls_plot", float32(px), float32(py), float32(pw), float32(ph))
	}
	p.SetFloat("ls_bar", float32(px+pw+barGap), float32(py), barW, float32(ph))
	p.SetFloat("ls_lo", v.lo)
	p.SetFloat("ls_hi", v.hi)
	p.SetInt("ls_log", b2i(v.log))
	p.SetInt("ls_levels", v.levels)
	p.SetVec3s("ls_cmap", table)
	p.SetFloat("ls_bg", 0.97, 0.97, 0.97)
	p.SetFloat("ls_nan", 0.55, 0.55, 0.55)
	if v.gpu {
		p.BindStorage(v.buf)
	} else {
		p.BindTexture(v.tex)
		p.SetInt("ls_tex", 0)
	}
	p.Draw(v.screen, gl.Triangles, 0, 3)
	err := v.drawOver(fbw, fbh, gw, gh, table)
	if perr := p.End(); err == nil && perr != nil {
		err = fmt.Errorf("view: %w", perr)
	}
	return err
}

// drawOver draws what goes over the 2D picture: the mesh (3D) or the runs
// (2D), then the labels.
func (v *viewer) drawOver(fbw, fbh, gw, gh int, table []float32) error {
	px, py, pw, ph := v.plotRect(fbw, fbh)
	// The runs' colours and legend lines follow the overlays'.
	v.paths.row0, v.paths.colour0 = len(v.overlays.list), len(v.overlays.list)
	if v.threeD {
		if err := v.mesh.Draw(v.buf, gw, gh, v.lo, v.hi, v.log, table, v.cam, px, py, pw, ph); err != nil {
			return err
		}
		v.pickAt(fbw, fbh)
		if err := v.runs.drawAxes3D(v.tr, &v.state, fbw, fbh, v.lo, v.hi); err != nil {
			return err
		}
		if err := v.runs.draw3D(v.tr, &v.paths, &v.state, fbw, fbh, v.lo, v.hi); err != nil {
			return err
		}
	} else {
		v.overlays.shown = math.MaxInt / 2
		for _, ps := range []*paths{&v.overlays, &v.paths} {
			if err := v.runs.draw(v.tr, ps, &v.state, fbw, fbh); err != nil {
				return fmt.Errorf("view: %w", err)
			}
		}
		if err := v.runs.drawMarks(v.tr, &v.state, fbw, fbh); err != nil {
			return fmt.Errorf("view: %w", err)
		}
	}
	_, _, _, ph = v.plotRect(fbw, fbh)
	ticks, inLoss := render.BarTicks(float64(v.lo), float64(v.hi), v.log, float64(ph), v.tr.LineHeight(), max(2, ph/60))
	if err := v.runs.drawBarTicks(&v.state, fbw, fbh, ticks); err != nil {
		return err
	}
	cell := func(i, j int) float64 {
		var f [1]float32
		if err := gl.ReadFloats(v.buf, j*v.gw+i, f[:]); err != nil {
			return math.NaN()
		}
		return float64(f[0])
	}
	if !v.gpu {
		cell = func(i, j int) float64 { return float64(v.field.At(i, j)) }
	}
	v.labels(fbw, fbh, cell, ticks, inLoss)
	return v.tr.Flush(fbw, fbh)
}

// pickAt starts the optimizers from the surface's point under the click
// waiting in pending (3D view), read from the depth buffer the mesh just
// drew; a click off the surface is said so. GL thread.
func (v *viewer) pickAt(fbw, fbh int) {
	if v.pending == nil {
		return
	}
	at := *v.pending
	v.pending = nil
	px, py, pw, ph := v.plotRect(fbw, fbh)
	x, y := int(math.Floor(at[0])), int(math.Floor(at[1]))
	if x >= px && x < px+pw && y >= py && y < py+ph {
		if d, err := gl.ReadDepth(x, y); err == nil {
			if fx, fy, ok := pick(v.cam, viewport{px, py, pw, ph, fbh}, float64(x)+0.5, float64(y)+0.5, float64(d)); ok {
				v.clickAt(fx, fy)
				return
			}
		}
	}
	v.say("click on the surface to start the optimizers there")
}

// capture saves the window's back buffer (the frame just drawn, before its
// swap) to each path.
func (v *viewer) capture(paths []string) error {
	fbw, fbh := v.win.GetFramebufferSize()
	img, err := gl.ReadPixels(gl.Rect{W: fbw, H: fbh})
	if err != nil {
		return fmt.Errorf("view: screenshot: %w", err)
	}
	for _, p := range paths {
		if err := savePNG(p, img); err != nil {
			return err
		}
	}
	return nil
}

func b2i(b bool) int {
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

// savePNG writes img to path in full or not at all.
func savePNG(path string, img image.Image) error {
	f, err := host.CreateOutput(context.Background(), path)
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
