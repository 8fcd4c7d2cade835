package text

import (
	"errors"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/shaders"
)

var pngOut = flag.String("text.png", "", "write a rendered sample of the text renderer to this PNG file")

var (
	ctxOnce sync.Once
	shared  *gl.Context
	ctxErr  error
)

func requireGL() bool {
	return os.Getenv("CI") != "" || os.Getenv("LANDSCAPE_REQUIRE_GL") != ""
}

func testContext(t testing.TB) *gl.Context {
	t.Helper()
	ctxOnce.Do(func() { shared, ctxErr = gl.New(gl.Options{}) })
	if ctxErr != nil {
		if requireGL() {
			t.Fatalf("no OpenGL context, and CI or LANDSCAPE_REQUIRE_GL demands one: %v", ctxErr)
		}
		t.Skipf("no OpenGL context: %v", ctxErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}

var (
	white = [4]float32{1, 1, 1, 1}
	black = [4]float32{0, 0, 0, 1}
)

// target is an offscreen framebuffer with an RGBA8 colour renderbuffer.
type target struct {
	fb   *gl.Framebuffer
	w, h int
}

// newTarget makes and binds an offscreen framebuffer. GL thread only.
func newTarget(w, h int) (*target, error) {
	fb, err := gl.NewFramebuffer(w, h, false)
	if err != nil {
		return nil, err
	}
	return &target{fb: fb, w: w, h: h}, nil
}

func (t *target) clear(c [4]float32) {
	p := gl.BeginPass("test clear")
	p.Set(gl.Settings{})
	p.ClearColor(c)
	p.End()
}

// fill paints a rectangle (top-left origin, y down) with a scissored clear.
func (t *target) fill(x, y, w, h int, c [4]float32) {
	p := gl.BeginPass("test fill")
	p.Set(gl.Settings{Scissor: gl.Rect{X: x, Y: t.h - y - h, W: w, H: h}})
	p.ClearColor(c)
	p.End()
}

// read returns the framebuffer with y down (row 0 at the top).
func (t *target) read() *image.RGBA {
	img, err := gl.ReadPixels(gl.Rect{W: t.w, H: t.h})
	if err != nil {
		return image.NewRGBA(image.Rect(0, 0, t.w, t.h))
	}
	return img
}

func (t *target) delete() { t.fb.Delete() }

// onGL runs f on the GL thread with a fresh renderer of the given size and
// a bound w×h offscreen target, then frees both.
func onGL(t *testing.T, size float64, w, h int, f func(r *Renderer, tg *target) error) {
	t.Helper()
	c := testContext(t)
	err := c.Do(func() error {
		r, err := New(size)
		if err != nil {
			return err
		}
		defer r.Delete()
		tg, err := newTarget(w, h)
		if err != nil {
			return err
		}
		defer tg.delete()
		return f(r, tg)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// render clears to bg, runs add, flushes and reads the pixels back.
func render(t *testing.T, size float64, w, h int, bg [4]float32, add func(r *Renderer)) (img *image.RGBA, r *Renderer) {
	t.Helper()
	onGL(t, size, w, h, func(rr *Renderer, tg *target) error {
		r = rr
		tg.clear(bg)
		add(r)
		if err := r.Flush(w, h); err != nil {
			return err
		}
		img = tg.read()
		return nil
	})
	return img, r
}

func gray(img *image.RGBA, x, y int) uint8 { return img.Pix[img.PixOffset(x, y)] }

// inkBox is the bounding box of pixels whose red channel differs from bg.
func inkBox(img *image.RGBA, bg uint8) (image.Rectangle, bool) {
	b := img.Bounds()
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	found := false
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if gray(img, x, y) != bg {
				found = true
				box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
				box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			}
		}
	}
	return box, found
}

func TestNewRejectsBadSizes(t *testing.T) {
	for _, s := range []float64{0, -3, 1, math.NaN(), math.Inf(1), 1e6} {
		if _, err := New(s); err == nil || !strings.HasPrefix(err.Error(), "text: ") {
			t.Errorf("New(%g) = %v, want a text: error", s, err)
		}
	}
}

func TestMeasure(t *testing.T) {
	// Measure needs no GL: build the atlas on the CPU alone.
	r := &Renderer{size: 14}
	if _, err := r.rasterise(); err != nil {
		t.Fatal(err)
	}
	ww, hw := r.Measure("WWW")
	wi, hi := r.Measure("iii")
	if !(ww > wi) {
		t.Errorf("Measure(WWW) width %g <= Measure(iii) width %g", ww, wi)
	}
	if hw != hi || hw != r.Ascent()+r.Descent() || hw < 12 || hw > 20 {
		t.Errorf("heights %g, %g; want ascent+descent = %g, about 14..17", hw, hi, r.Ascent()+r.Descent())
	}
	if w, _ := r.Measure(""); w != 0 {
		t.Errorf("Measure(\"\") width %g", w)
	}
	for _, s := range []string{"−", "·", "²", "×", "ε", "°"} {
		if r.glyphs[[]rune(s)[0]] == nil {
			t.Errorf("atlas lacks %q", s)
		}
	}
	// Unknown runes measure (and draw) as '?'.
	q, _ := r.Measure("a?b")
	for _, s := range []string{"a€b", "a\u4e00b", "a\nb"} {
		if w, _ := r.Measure(s); w != q {
			t.Errorf("Measure(%q) = %g, want that of \"a?b\" (%g)", s, w, q)
		}
	}
	// Whole pixels, so alignment snaps cleanly.
	if w, _ := r.Measure("Hello 0.125 −3"); w != math.Round(w) || w < 60 || w > 140 {
		t.Errorf("Measure(Hello 0.125 −3) = %g", w)
	}
}

func TestDrawsInsideMeasuredBox(t *testing.T) {
	const s = "Hello 0.125 −3"
	x, y := 20.0, 60.0
	img, r := render(t, 14, 320, 120, black, func(r *Renderer) { r.Add(s, x, y, Left, white) })
	w, _ := r.Measure(s)
	box := image.Rect(int(x), int(y-r.Ascent()), int(x+w), int(y+r.Descent()))
	bright, outside := 0, 0
	for py := 0; py < 120; py++ {
		for px := 0; px < 320; px++ {
			v := gray(img, px, py)
			p := image.Pt(px, py)
			switch {
			case p.In(box) && v > 200:
				bright++
			case !p.In(box.Inset(-2)) && v != 0:
				outside++
			}
		}
	}
	if bright < 40 {
		t.Errorf("%d bright pixels inside the measured box %v, want many", bright, box)
	}
	if outside != 0 {
		t.Errorf("%d lit pixels outside the measured box %v, want none", outside, box)
	}
	// The baseline: "H" has no descender, so its ink ends on the row just
	// above y.
	ink, _ := inkBox(img.SubImage(image.Rect(int(x), 0, int(x)+8, 120)).(*image.RGBA), 0)
	if ink.Max.Y != int(y) {
		t.Errorf("ink of H ends above row %d, want the baseline %d", ink.Max.Y, int(y))
	}
	if ink.Min.Y < int(y-r.Ascent()) {
		t.Errorf("ink of H starts at row %d, above the ascent %g", ink.Min.Y, y-r.Ascent())
	}
}

// TestPixelExact: glyphs land on whole pixels, texel for pixel, with no
// filtering: white on black reproduces the rasterised coverage.
func TestPixelExact(t *testing.T) {
	cpu := &Renderer{size: 14}
	atlas, err := cpu.rasterise()
	if err != nil {
		t.Fatal(err)
	}
	// A fractional position snaps to the nearest pixel.
	img, _ := render(t, 14, 64, 40, black, func(r *Renderer) { r.Add("H", 10.3, 29.6, Left, white) })
	g := cpu.glyphs['H']
	ox, oy := 10+g.x0, 30+g.y0
	worst := 0
	for j := -1; j <= g.h; j++ {
		for i := -1; i <= g.w; i++ {
			want := 0
			if i >= 0 && j >= 0 && i < g.w && j < g.h {
				want = int(atlas.AlphaAt(g.ax+i, g.ay+j).A)
			}
			d := int(gray(img, ox+i, oy+j)) - want
			worst = max(worst, d, -d)
		}
	}
	if worst > 1 {
		t.Errorf("rendered H differs from its rasterised coverage by up to %d/255", worst)
	}
}

func TestAlignment(t *testing.T) {
	const s = "Hello"
	var boxes [3]image.Rectangle
	var w float64
	for a := Left; a <= Right; a++ {
		img, r := render(t, 14, 320, 120, black, func(r *Renderer) { r.Add(s, 160, 60, a, white) })
		w, _ = r.Measure(s)
		box, ok := inkBox(img, 0)
		if !ok {
			t.Fatalf("align %d: nothing drawn", a)
		}
		boxes[a] = box
	}
	if l := boxes[Left]; l.Min.X < 159 || l.Min.X > 163 || l.Max.X > 160+int(w)+1 {
		t.Errorf("Left ink %v, want it to start at x = 160 and end by %g", l, 160+w)
	}
	for a, shift := range map[Align]float64{Center: w / 2, Right: w} {
		want := boxes[Left].Sub(image.Pt(int(math.Floor(shift+0.5)), 0))
		if got := boxes[a]; got != want && got != want.Add(image.Pt(1, 0)) {
			t.Errorf("align %d ink %v, want the Left ink %v moved left by %g: %v", a, got, boxes[Left], shift, want)
		}
	}
}

func TestOutlined(t *testing.T) {
	mid := [4]float32{0.5, 0.5, 0.5, 1}
	dark := func(img *image.RGBA) (darkNearBright, bright int) {
		b := img.Bounds()
		for y := b.Min.Y + 1; y < b.Max.Y-1; y++ {
			for x := b.Min.X + 1; x < b.Max.X-1; x++ {
				if gray(img, x, y) > 220 {
					bright++
				}
				if gray(img, x, y) >= 60 {
					continue
				}
			near:
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						if gray(img, x+dx, y+dy) > 200 {
							darkNearBright++
							break near
						}
					}
				}
			}
		}
		return
	}
	plain, _ := render(t, 14, 320, 120, mid, func(r *Renderer) { r.Add("Hello 0.125 −3", 20, 60, Left, white) })
	out, _ := render(t, 14, 320, 120, mid, func(r *Renderer) { r.AddOutlined("Hello 0.125 −3", 20, 60, Left, white, black) })
	if d, _ := dark(plain); d != 0 {
		t.Errorf("plain white text on gray has %d dark pixels", d)
	}
	d, b := dark(out)
	if b < 20 {
		t.Errorf("outlined text has only %d bright pixels: the fg must stay on top", b)
	}
	if d < 60 {
		t.Errorf("outlined text has %d dark pixels next to bright ones, want an outline", d)
	}
	// The outline reaches one pixel further than the plain ink, no more.
	pb, _ := inkBox(plain, gray(plain, 0, 0))
	ob, _ := inkBox(out, gray(out, 0, 0))
	if ob != pb.Inset(-1) {
		t.Errorf("outlined ink %v, want the plain ink %v grown by 1 pixel", ob, pb)
	}
}

func TestFlushEmptiesQueue(t *testing.T) {
	onGL(t, 14, 320, 120, func(r *Renderer, tg *target) error {
		tg.clear(black)
		r.Add("Hello", 20, 60, Left, white)
		if r.Pending() == 0 {
			t.Error("nothing queued by Add")
		}
		if err := r.Flush(320, 120); err != nil {
			return err
		}
		if n := r.Pending(); n != 0 {
			t.Errorf("%d quads still queued after Flush", n)
		}
		if _, ok := inkBox(tg.read(), 0); !ok {
			t.Error("first Flush drew nothing")
		}
		tg.clear(black)
		if err := r.Flush(320, 120); err != nil {
			return err
		}
		if box, ok := inkBox(tg.read(), 0); ok {
			t.Errorf("second Flush drew again, ink %v", box)
		}
		return nil
	})
}

// TestFlushRestoresState: Flush, inside a caller's pass, leaves the
// caller's program, vertex array, texture, viewport, scissor, blending and
// depth test as it found them, and the caller's pass then puts back what it
// found.
func TestFlushRestoresState(t *testing.T) {
	onGL(t, 14, 64, 32, func(r *Renderer, tg *target) error {
		prog, err := buildProgram(shaders.Text())
		if err != nil {
			return err
		}
		defer prog.Delete()
		va, err := gl.NewVertexArray(0)
		if err != nil {
			return err
		}
		defer va.Delete()
		tex, err := gl.NewTexture()
		if err != nil {
			return err
		}
		defer tex.Delete()

		start := gl.CurrentState()
		outer := gl.BeginPass("test")
		outer.Set(gl.Settings{Viewport: gl.Rect{X: 1, Y: 2, W: 30, H: 20}, Scissor: gl.Rect{X: 3, Y: 4, W: 5, H: 6}, DepthTest: true, PointSize: true})
		outer.Use(prog)
		outer.BindTexture(tex)
		outer.Draw(va, gl.Triangles, 0, 0) // binds va, draws nothing
		before := gl.CurrentState()
		r.Add("Hi", 5, 20, Left, white)
		if err := r.Flush(64, 32); err != nil {
			return err
		}
		if after := gl.CurrentState(); after != before {
			t.Errorf("state after Flush\n%v\nwant\n%v", after, before)
		}
		if err := outer.End(); err != nil {
			return err
		}
		if end := gl.CurrentState(); end != start {
			t.Errorf("state after the caller's pass\n%v\nwant\n%v", end, start)
		}
		return gl.CheckError()
	})
}

func TestShaderErrors(t *testing.T) {
	c := testContext(t)
	err := c.Do(func() error {
		vs, fs := shaders.Text()
		if _, err := buildProgram(vs, "#version 330 core\nvoid main() { nope; }\n"); !errors.Is(err, ErrShader) || !strings.Contains(err.Error(), "fragment") {
			t.Errorf("bad fragment shader: %v", err)
		}
		if _, err := buildProgram("#version 330 core\nvoid main() { gl_Position = vec4(x); }\n", fs); !errors.Is(err, ErrShader) || !strings.Contains(err.Error(), "vertex") {
			t.Errorf("bad vertex shader: %v", err)
		}
		r, err := New(14)
		if err != nil {
			return err
		}
		r.Delete()
		r.Delete()
		r.Add("x", 1, 10, Left, white)
		if err := r.Flush(10, 10); !errors.Is(err, ErrDeleted) {
			t.Errorf("Flush after Delete: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSample renders a sample for people to look at (go test -text.png=FILE).
func TestSample(t *testing.T) {
	out := *pngOut // -text.png FILE keeps the picture; otherwise it is only made
	if out == "" {
		out = filepath.Join(t.TempDir(), "text.png")
	}
	const W, H = 480, 220
	c := testContext(t)
	var img *image.RGBA
	err := c.Do(func() error {
		tg, err := newTarget(W, H)
		if err != nil {
			return err
		}
		defer tg.delete()
		tg.clear([4]float32{0.08, 0.08, 0.1, 1})
		red := [4]float32{0.9, 0.2, 0.2, 1}
		// A gradient strip for outlined text.
		for x := 0; x < W; x++ {
			v := float32(x) / W
			tg.fill(x, 150, 1, 70, [4]float32{v, 0.6 * v, 1 - v, 1})
		}
		// Baselines and the alignment anchor.
		for _, y := range []int{24, 48, 72, 100, 130, 175, 205} {
			tg.fill(0, y, 8, 1, red)
		}
		tg.fill(W/2, 112, 1, 24, red)
		for _, size := range []float64{11, 14, 20} {
			r, err := New(size)
			if err != nil {
				return err
			}
			switch size {
			case 14:
				r.Add("Hello 0.125 −3", 10, 24, Left, white)
				r.Add(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, 48, Left, white)
				r.Add("[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~  −·²×ε° unknown: €", 10, 72, Left, [4]float32{1, 0.85, 0.3, 1})
				r.Add("left", W/2, 130, Right, white)
				r.Add("centre", W/2, 115, Center, [4]float32{0.5, 1, 0.5, 1})
				r.Add("right", W/2, 130, Left, white)
				r.AddOutlined("loss = 1.5×10² at ε = 1e−3, 45°", 10, 175, Left, white, black)
				r.AddOutlined("loss = 1.5×10² at ε = 1e−3, 45°", W-10, 205, Right, black, white)
			case 11:
				r.Add("11 px: x = −0.25 · y², tick labels 0.1 0.2 0.3", 10, 100, Left, white)
			case 20:
				r.Add("20px", W-10, 100, Right, white)
			}
			err = r.Flush(W, H)
			r.Delete()
			if err != nil {
				return err
			}
		}
		img = tg.read()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	opaque := image.NewNRGBA(img.Bounds())
	for i := range img.Pix {
		opaque.Pix[i] = img.Pix[i]
		if i%4 == 3 {
			opaque.Pix[i] = 255
		}
	}
	if err := png.Encode(f, opaque); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
