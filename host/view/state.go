package view

import (
	"fmt"
	"math"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// state is what the viewer shows and how: the view, the picture's settings,
// the selected surface and hyperparameter, the runs and what the user is
// doing. It makes no GL calls; the viewer reads it to draw.
type state struct {
	o          Options
	first      string       // the starting surface, which must work
	x, y       sdk.Interval // the view
	x0, y0     sdk.Interval // the reset view
	cmap       int
	log        bool
	levels     int
	dirty      bool // the grid needs evaluating
	quit       bool
	clamped    bool
	drag       bool
	moved      bool
	cx, cy     float64 // cursor, window coordinates
	shotN      int
	screenshot []string // paths asked for by key or script
	paths      paths
	overlays   paths // drawn whole: Options.Overlays
	crit       critical
	threeD     bool
	cam        Camera
	surf       int // index in o.Surfaces
	hp         int // the hyperparameter H selects
	note       string
	no3D       string // why V cannot show 3D, if it cannot
	// pending is a click in the 3D view (framebuffer pixels, origin
	// bottom-left) waiting for the next frame's depth buffer to pick the
	// surface's point under it.
	pending *[2]float64
}

// newState starts from o (checked) with colormap cm.
func newState(o Options, cm int) state {
	s := state{o: o, first: o.Desc.Name, x: o.Plane.X, y: o.Plane.Y, x0: o.Plane.X, y0: o.Plane.Y, cmap: cm, log: o.Log, levels: o.Levels,
		dirty: true, threeD: o.ThreeD, cam: DefaultCamera(), surf: -1}
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
	s.overlays.list = o.Overlays
	return s
}

// critical is what K shows: whether it is on, and the points found for
// the view (or why none were).
type critical struct {
	on    bool
	marks []Mark
	err   string
}

// findCritical finds the critical points of the view (Options.Critical),
// on a grid of 128×128 seeds.
func (s *state) findCritical() {
	if s.o.Critical == nil {
		s.crit.on = false
		s.say("critical points: not available here")
		return
	}
	p := s.o.Plane
	p.X, p.Y, p.Nx, p.Ny = s.x, s.y, 128, 128
	marks, err := s.o.Critical(s.o.Desc, p)
	s.crit.marks, s.crit.err = marks, ""
	if err != nil {
		s.crit.marks, s.crit.err = nil, "critical points: "+err.Error()
		s.tell(s.crit.err)
		return
	}
	s.tell(fmt.Sprintf("critical points: %d in view", len(marks)))
}

// say shows a note in the window and writes it to Out.
func (s *state) say(note string) {
	s.note = note
	s.tell(note)
}

// tell writes a line to Out, if any.
func (s *state) tell(line string) {
	if s.o.Out != nil {
		fmt.Fprintf(s.o.Out, "landscape: view: %s\n", line)
	}
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
	s.overlays.clear() // the paths belong to the first surface
	s.crit.marks = nil
}

// hyperValue is a hyperparameter's configured value as the title shows it.
func hyperValue(h sdk.Hyperparameter) string {
	if h.Text || h.Choice() {
		return h.DefaultString()
	}
	return fmt.Sprintf("%.4g", h.Default)
}

// nudge changes the selected hyperparameter by a step up or down.
func (s *state) nudge(up bool) {
	hs := s.o.Desc.Hyperparameters
	if len(hs) == 0 || s.o.Configure == nil {
		return
	}
	h := hs[s.hp]
	if h.Text {
		s.say(h.Name + " is text; set it on the command line")
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
		s.say(err.Error())
		return
	}
	s.note = ""
	s.setSurface(desc, false)
	for _, x := range desc.Hyperparameters {
		if x.Name == h.Name {
			s.tell(fmt.Sprintf("%s %s=%s", desc.Name, x.Name, hyperValue(x)))
		}
	}
}

// clickAt starts the optimizers from plot fractions (fx, fy), if any are chosen.
func (s *state) clickAt(fx, fy float64) {
	x := s.x.Lo + fx*(s.x.Hi-s.x.Lo)
	y := s.y.Lo + fy*(s.y.Hi-s.y.Lo)
	s.tell(fmt.Sprintf("click at x=%.6g y=%.6g", x, y))
	if s.o.Run == nil {
		return
	}
	p := s.o.Plane
	th := make([]float64, p.Dim())
	for k := range th {
		th[k] = p.Origin[k] + x*p.U[k] + y*p.V[k]
	}
	s.paths.start(s.o.Run(s.o.Desc, p, th))
	if s.paths.err != "" {
		s.tell(s.paths.err)
	}
}

// margins of the plot inside the framebuffer, in pixels: left, right
// (colourbar and its labels), bottom, top.
const (
	marginL, marginR, marginB, marginT = 64, 104, 44, 28
	barW, barGap                       = 18, 16
)

// plotRect is the plot's rect in a framebuffer of fbw×fbh pixels, origin
// bottom-left.
func (s *state) plotRect(fbw, fbh int) (x, y, w, h int) {
	return marginL, marginB, max(fbw-marginL-marginR, 1), max(fbh-marginB-marginT, 1)
}

// fraction is the cursor's place in the plot, 0..1 from its low corner, in
// a framebuffer of fbw×fbh pixels shown in a window ww wide.
func (s *state) fraction(fbw, fbh, ww int) (float64, float64) {
	k := float64(fbw) / float64(max(ww, 1))
	px, py, pw, ph := s.plotRect(fbw, fbh)
	fx := (s.cx*k - float64(px)) / float64(pw)
	fy := (float64(fbh) - s.cy*k - float64(py)) / float64(ph)
	return math.Min(math.Max(fx, 0), 1), math.Min(math.Max(fy, 0), 1)
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
			if !s.clamped {
				s.tell("zoom clamped at float32 precision (the GPU evaluates in float32)")
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

// key applies a key.
func (s *state) key(k Key) {
	switch k {
	case KeyReset:
		s.x, s.y, s.clamped, s.dirty = s.x0, s.y0, false, true
	case KeyColormap:
		s.cmap = (s.cmap + 1) % len(colormaps)
	case KeyLog:
		s.log = !s.log
	case KeyMoreLevels:
		s.levels = min(s.levels+4, 64)
	case KeyFewerLevels:
		s.levels = max(s.levels-4, 0)
	case KeyScreenshot:
		s.shotN++
		s.screenshot = append(s.screenshot, fmt.Sprintf("landscape-view-%d.png", s.shotN))
	case KeyClearRuns:
		s.paths.clear()
	case KeyToggle3D:
		if s.no3D != "" {
			s.say(s.no3D)
			return
		}
		s.threeD = !s.threeD
	case KeyNextSurface:
		s.switchSurface(1)
	case KeyPrevSurface:
		s.switchSurface(-1)
	case KeyHyperparameter:
		if n := len(s.o.Desc.Hyperparameters); n > 0 {
			s.hp = (s.hp + 1) % n
		}
	case KeyLower:
		s.nudge(false)
	case KeyRaise:
		s.nudge(true)
	case KeyQuit:
		s.quit = true
	case KeyCritical:
		s.crit.on = !s.crit.on
		if s.crit.on && !s.dirty { // else the next evaluation finds them
			s.findCritical()
		}
	}
}
