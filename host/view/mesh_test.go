package view

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

var meshPNG = flag.String("meshpng", "", "write the 3D surface test's picture (a ripple) to this PNG file")

// meshContext is a headless GL context for one test, closed after it. In CI
// or under LANDSCAPE_REQUIRE_GL a missing context fails the test.
func meshContext(t *testing.T) *gl.Context {
	t.Helper()
	c, err := gl.New(gl.Options{})
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("LANDSCAPE_REQUIRE_GL") != "" {
			t.Fatalf("no OpenGL 4.3 context, and CI or LANDSCAPE_REQUIRE_GL demands one: %v", err)
		}
		t.Skipf("no OpenGL 4.3 context: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// glslSurface is an in-test surface of two parameters on [-r, r]², defined
// by its GLSL and a Go twin.
type glslSurface struct {
	name string
	r    float64
	loss func(x, y float64) float64
	glsl string
}

func (s glslSurface) Info() sdk.Info {
	return sdk.Info{Name: s.name, Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -s.r, Hi: s.r}, {Lo: -s.r, Hi: s.r}}}
}
func (s glslSurface) Loss(p []float64) float64 { return s.loss(p[0], p[1]) }
func (s glslSurface) GLSL() string             { return s.glsl }

var (
	meshBowl = glslSurface{"bowl", 1, func(x, y float64) float64 { return x*x + y*y },
		"float loss() { float x = P(0), y = P(1); return x * x + y * y; }"}
	meshNothing = glslSurface{"nothing", 1, func(x, y float64) float64 { return math.NaN() },
		"float loss() { return 0.0 / 0.0; }"}
	// meshRipple is the picture's: waves on a bowl, undefined in one corner.
	meshRipple = glslSurface{"ripple", 2, func(x, y float64) float64 {
		if x > 1.2 && y > 1.2 {
			return math.NaN()
		}
		return math.Sin(3*x)*math.Cos(2*y) + 0.5*(x*x+y*y)
	}, `float loss() {
	float x = P(0), y = P(1);
	if (x > 1.2 && y > 1.2) return 0.0 / 0.0;
	return sin(3.0 * x) * cos(2.0 * y) + 0.5 * (x * x + y * y);
}`}
)

// The test picture: a framebuffer and the 3D view's rect inside it.
const (
	meshFBW, meshFBH               = 320, 240
	meshRX, meshRY, meshRW, meshRH = 40, 30, 240, 180
)

var meshClear = color.RGBA{20, 40, 200, 255}

// meshShot clears the framebuffer (colour to meshClear, depth to 0, so that
// nothing draws where Draw did not clear the depth), draws, and reads the
// picture back, top row first. It draws inside a pass of the test's, with
// blending and program point size on, and returns the state before and
// after Draw, which must be the same. GL thread (so it returns errors:
// t.Fatal must not end the GL goroutine).
func meshShot(m *Mesh, buf uint32, nx, ny int, lo, hi float32, cmap []float32, cam Camera) (img *image.RGBA, before, after gl.State, err error) {
	p := gl.BeginPass("test clear")
	p.Set(gl.Settings{Viewport: gl.Rect{W: meshFBW, H: meshFBH}})
	p.ClearColor([4]float32{float32(meshClear.R) / 255, float32(meshClear.G) / 255, float32(meshClear.B) / 255, 1})
	p.ClearDepth(0)
	if err := p.End(); err != nil {
		return nil, before, after, err
	}
	outer := gl.BeginPass("test")
	outer.Set(gl.Settings{Viewport: gl.Rect{W: meshFBW, H: meshFBH}, Blend: true, PointSize: true})
	before = gl.CurrentState()
	err = m.Draw(buf, nx, ny, lo, hi, false, cmap, cam, meshRX, meshRY, meshRW, meshRH)
	after = gl.CurrentState()
	if perr := outer.End(); err == nil {
		err = perr
	}
	if err != nil {
		return nil, before, after, err
	}
	if err := gl.CheckError(); err != nil {
		return nil, before, after, fmt.Errorf("after Draw: %w", err)
	}
	img, err = gl.ReadPixels(gl.Rect{W: meshFBW, H: meshFBH})
	return img, before, after, err
}

// inRect: pixel (x, y) of a picture read top row first lies in the rect.
func inRect(x, y int) bool {
	yb := meshFBH - 1 - y
	return x >= meshRX && x < meshRX+meshRW && yb >= meshRY && yb < meshRY+meshRH
}

// meshPixels counts the rect's pixels that are not the clear colour, and
// the pixels outside it that are.
func meshPixels(img *image.RGBA) (drawn, outsideTouched int) {
	for y := 0; y < meshFBH; y++ {
		for x := 0; x < meshFBW; x++ {
			c := img.RGBAAt(x, y)
			switch {
			case inRect(x, y) && c != meshClear:
				drawn++
			case !inRect(x, y) && c != meshClear:
				outsideTouched++
			}
		}
	}
	return drawn, outsideTouched
}

// meshEval evaluates s on an nx×ny grid of its domain into a GPU buffer
// and finds its range. GL thread; the buffer lives until ev's next call.
func meshEval(ev *gl.Evaluator, s glslSurface, nx, ny int) (buf uint32, lo, hi float32, err error) {
	g := compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -s.r, Hi: s.r}, sdk.Interval{Lo: -s.r, Hi: s.r}, nx, ny)}
	if buf, err = ev.EvalOnGPU(compute.Local{S: s}.Kernel(), g); err != nil {
		return 0, 0, 0, err
	}
	lo, hi, ok, err := ev.MinMaxOnGPU(buf, nx*ny)
	if !ok {
		lo, hi = 0, 1
	}
	return buf, lo, hi, err
}

func TestMeshDraw(t *testing.T) {
	c := meshContext(t)
	ev := c.Evaluator()
	defer ev.Close()
	viridis := colormapTable("viridis")
	grey := make([]float32, 96)
	for i := range grey {
		grey[i] = 0.6
	}
	const nx, ny = 90, 70
	cam := DefaultCamera()
	turned := cam
	turned.Yaw += 0.9

	var bowl, bowlTurned, bowlGrey, none, noneOutlined, ripple *image.RGBA
	var depthOutside float32
	err := c.Do(func() error {
		fb, err := gl.NewFramebuffer(meshFBW, meshFBH, true)
		if err != nil {
			return err
		}
		defer fb.Delete()
		m, err := NewMesh(128)
		if err != nil {
			return err
		}
		defer m.Delete()

		buf, lo, hi, err := meshEval(ev, meshBowl, nx, ny)
		if err != nil {
			return err
		}
		var before, after gl.State
		if bowl, before, after, err = meshShot(m, buf, nx, ny, lo, hi, viridis, cam); err != nil {
			return err
		}
		if after != before {
			t.Errorf("GL state not put back by Draw:\n%v\nwant\n%v", after, before)
		}
		if depthOutside, err = gl.ReadDepth(2, 2); err != nil {
			return err
		}

		if bowlTurned, _, _, err = meshShot(m, buf, nx, ny, lo, hi, viridis, turned); err != nil {
			return err
		}
		m.Outline = false
		bowlGrey, _, _, err = meshShot(m, buf, nx, ny, lo, hi, grey, cam)
		m.Outline = true
		if err != nil {
			return err
		}

		if buf, lo, hi, err = meshEval(ev, meshNothing, nx, ny); err != nil {
			return err
		}
		if noneOutlined, _, _, err = meshShot(m, buf, nx, ny, lo, hi, viridis, cam); err != nil {
			return err
		}
		m.Outline = false
		none, _, _, err = meshShot(m, buf, nx, ny, lo, hi, viridis, cam)
		m.Outline = true
		if err != nil {
			return err
		}

		if buf, lo, hi, err = meshEval(ev, meshRipple, 200, 200); err != nil {
			return err
		}
		ripple, _, _, err = meshShot(m, buf, 200, 200, lo, hi, viridis, cam)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	area := meshRW * meshRH

	// (a) The surface covers much of the rect, and nothing outside it
	// changes, the depth buffer included.
	drawn, outside := meshPixels(bowl)
	if drawn < area/8 || outside != 0 {
		t.Errorf("bowl: %d of %d pixels in the rect drawn (want an eighth at least), %d outside it touched", drawn, area, outside)
	}
	if depthOutside != 0 {
		t.Errorf("depth outside the rect is %v, was cleared to 0", depthOutside)
	}

	// (b) Turning the camera changes the picture.
	changed := 0
	for y := 0; y < meshFBH; y++ {
		for x := 0; x < meshFBW; x++ {
			if bowl.RGBAAt(x, y) != bowlTurned.RGBAAt(x, y) {
				changed++
			}
		}
	}
	if changed < area/10 {
		t.Errorf("yaw +0.9 changed only %d pixels", changed)
	}

	// (c) Shading: with a colormap of one grey, every difference in the
	// picture is the lighting's; a lit bowl shows many levels of it (the
	// box's edges are left out of this picture).
	levels := map[uint8]bool{}
	dark, bright := 255, 0
	for y := 0; y < meshFBH; y++ {
		for x := 0; x < meshFBW; x++ {
			c := bowlGrey.RGBAAt(x, y)
			if !inRect(x, y) || c == meshClear {
				continue
			}
			if c.R != c.G || c.G != c.B {
				t.Fatalf("one-grey colormap: pixel (%d, %d) is %v, not grey", x, y, c)
			}
			levels[c.R] = true
			dark, bright = min(dark, int(c.R)), max(bright, int(c.R))
		}
	}
	t.Logf("bowl: %d of %d rect pixels drawn; yaw +0.9 changed %d; one-grey colormap: %d brightness levels from %d to %d", drawn, area, changed, len(levels), dark, bright)
	if len(levels) < 30 || bright-dark < 60 {
		t.Errorf("one-grey colormap: %d brightness levels from %d to %d; want a lit surface (30 levels over 60 at least)", len(levels), dark, bright)
	}
	colours := map[color.RGBA]bool{}
	for y := 0; y < meshFBH; y++ {
		for x := 0; x < meshFBW; x++ {
			colours[bowl.RGBAAt(x, y)] = true
		}
	}
	if len(colours) < 500 {
		t.Errorf("bowl: %d distinct colours", len(colours))
	}

	// (d) All NaN: no surface; only the box's edges, when outlined.
	if drawn, outside := meshPixels(none); drawn != 0 || outside != 0 {
		t.Errorf("all-NaN buffer without outline: %d pixels drawn in the rect, %d outside", drawn, outside)
	}
	edges := 0
	for y := 0; y < meshFBH; y++ {
		for x := 0; x < meshFBW; x++ {
			c := noneOutlined.RGBAAt(x, y)
			if c == meshClear {
				continue
			}
			if !inRect(x, y) || c.R != c.G || c.G != c.B || c.R < 80 || c.R > 100 {
				t.Fatalf("all-NaN buffer: pixel (%d, %d) is %v, neither background nor the box's edges", x, y, c)
			}
			edges++
		}
	}
	if edges < 200 {
		t.Errorf("all-NaN buffer: the box's edges cover only %d pixels", edges)
	}

	// The ripple, undefined in one corner, still covers much of the rect.
	if drawn, outside := meshPixels(ripple); drawn < area/8 || outside != 0 {
		t.Errorf("ripple: %d pixels drawn, %d outside touched", drawn, outside)
	}
	if *meshPNG != "" {
		f, err := os.Create(*meshPNG)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, ripple); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMeshArgs(t *testing.T) {
	c := meshContext(t)
	err := c.Do(func() error {
		for _, res := range []int{-1, 0, 1, 2049} {
			if m, err := NewMesh(res); err == nil {
				m.Delete()
				t.Errorf("NewMesh(%d) accepted", res)
			}
		}
		m, err := NewMesh(2)
		if err != nil {
			return err
		}
		defer m.Delete()
		cmap := colormapTable("viridis")
		cam := DefaultCamera()
		for _, tc := range []struct {
			name         string
			buf          uint32
			nx, ny, w, h int
			cmap         []float32
		}{
			{"no buffer", 0, 4, 4, 10, 10, cmap},
			{"empty grid", 1, 0, 4, 10, 10, cmap},
			{"short colormap", 1, 4, 4, 10, 10, cmap[:90]},
			{"empty rect", 1, 4, 4, 0, 10, cmap},
		} {
			if err := m.Draw(tc.buf, tc.nx, tc.ny, 0, 1, false, tc.cmap, cam, 0, 0, tc.w, tc.h); err == nil {
				t.Errorf("%s: Draw accepted", tc.name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCameraClamps(t *testing.T) {
	c := DefaultCamera()
	if c.Pitch <= minPitch || c.Pitch >= maxPitch || c.Distance < minDistance || c.Distance > maxDistance {
		t.Fatalf("default camera %+v outside its own limits", c)
	}
	c.Orbit(0, 1e6)
	if c.Pitch != 1.5 {
		t.Errorf("pitch after a long drag down: %v, want 1.5", c.Pitch)
	}
	c.Orbit(0, -1e6)
	if c.Pitch != 0.05 {
		t.Errorf("pitch after a long drag up: %v, want 0.05", c.Pitch)
	}
	y0 := c.Yaw
	c.Orbit(10, 0)
	if math.Abs(c.Yaw-(y0-0.1)) > 1e-12 {
		t.Errorf("yaw after a drag of 10 px: %v, want %v", c.Yaw, y0-0.1)
	}
	c.Orbit(1e9, 0)
	if math.Abs(c.Yaw) > math.Pi {
		t.Errorf("yaw %v not kept in [-π, π]", c.Yaw)
	}
	before := c
	c.Orbit(math.NaN(), math.Inf(1))
	if c != before {
		t.Errorf("Orbit(NaN, Inf) changed the camera to %+v", c)
	}
	c.Dolly(1000)
	if c.Distance != 1.2 {
		t.Errorf("distance after zooming far in: %v, want 1.2", c.Distance)
	}
	c.Dolly(1e-6)
	if c.Distance != 10 {
		t.Errorf("distance after zooming far out: %v, want 10", c.Distance)
	}
	c.Dolly(2)
	if c.Distance != 5 {
		t.Errorf("Dolly(2) from 10: %v, want 5", c.Distance)
	}
	for _, f := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		c.Dolly(f)
		if c.Distance != 5 {
			t.Errorf("Dolly(%v) changed the distance to %v", f, c.Distance)
		}
	}
}

func TestDefaultCameraFitsBox(t *testing.T) {
	for _, aspect := range []float64{16.0 / 9, 4.0 / 3, 1, 3.0 / 4} {
		m := DefaultCamera().matrix(aspect)
		for k := 0; k < 8; k++ {
			corner := [4]float64{float64(k&1) - 0.5, float64(k>>1&1) - 0.5, meshHeight * float64(k>>2&1), 1}
			var clip [4]float64
			for row := 0; row < 4; row++ {
				for col := 0; col < 4; col++ {
					clip[row] += float64(m[col*4+row]) * corner[col]
				}
			}
			x, y, z := clip[0]/clip[3], clip[1]/clip[3], clip[2]/clip[3]
			if math.Abs(x) > 0.95 || math.Abs(y) > 0.95 || math.Abs(z) > 1 {
				t.Errorf("aspect %.2f: box corner %v lands at (%.2f, %.2f, %.2f), outside the view", aspect, corner[:3], x, y, z)
			}
		}
	}
}
