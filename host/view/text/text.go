package text

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/shaders"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Align places a string horizontally relative to its anchor x.
type Align int

const (
	// Left: the string starts at x.
	Left Align = iota
	// Center: the string is centred on x.
	Center
	// Right: the string ends at x.
	Right
)

// Errors callers may branch on.
var (
	// ErrShader: the text shaders failed to compile or link.
	ErrShader = errors.New("text: shader build failed")
	// ErrDeleted: the Renderer was used after Delete.
	ErrDeleted = errors.New("text: renderer deleted")
)

// Size limits for New.
const (
	MinSize = 4
	MaxSize = 256
)

// extraRunes are drawn besides printable ASCII 32..126.
const extraRunes = "−·²×ε°"

// glyph is one rasterised rune: its ink box relative to the pen position on
// the baseline (y down), where it lies in the atlas, and its advance.
type glyph struct {
	x0, y0 int // top-left of the ink box relative to the dot
	w, h   int // ink box size (0 for blanks such as space)
	ax, ay int // top-left in the atlas
	adv    fixed.Int26_6
}

// Renderer draws text with one font size; create and use only on the GL
// thread (inside gl.Context.Do). Measure may be called from any goroutine
// as long as no other goroutine calls Add, AddOutlined, Flush or Delete.
type Renderer struct {
	size            float64
	ascent, descent int
	lineHeight      int
	glyphs          map[rune]*glyph
	fallback        *glyph
	kern            map[[2]rune]fixed.Int26_6
	atlasW, atlasH  int
	prog            *gl.DrawProgram
	tex             *gl.Texture
	quads           *gl.VertexArray
	verts           []float32
	deleted         bool
}

// floats per vertex: position (2), atlas texel (2), colour (4).
const vertFloats = 8

// New builds the atlas (printable ASCII 32..126 plus '−' U+2212, '·', '²',
// '×', 'ε', '°') at size pixels (e.g. 14) and the program. Call on the GL
// thread, with a current context of OpenGL 3.3 or later. It leaves the
// caller's bindings and pixel-unpack state as they were, and fails (freeing
// what it made) on a shader build error or a GL error pending after setup.
func New(sizePx float64) (*Renderer, error) {
	if math.IsNaN(sizePx) || sizePx < MinSize || sizePx > MaxSize {
		return nil, fmt.Errorf("text: font size %g pixels out of range (accepted: %d to %d)", sizePx, MinSize, MaxSize)
	}
	r := &Renderer{size: sizePx}
	atlas, err := r.rasterise()
	if err != nil {
		return nil, err
	}
	if err := r.upload(atlas); err != nil {
		r.Delete()
		return nil, err
	}
	return r, nil
}

// rasterise lays out every rune's glyph into an 8-bit coverage atlas and
// records metrics and kerning. It makes no GL calls.
func (r *Renderer) rasterise() (*image.Alpha, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("text: parsing Go Regular: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: r.size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("text: making a %g px face: %w", r.size, err)
	}
	defer face.Close()
	m := face.Metrics()
	r.ascent, r.descent = m.Ascent.Ceil(), m.Descent.Ceil()
	r.lineHeight = m.Height.Ceil()
	if r.lineHeight < r.ascent+r.descent {
		r.lineHeight = r.ascent + r.descent
	}

	runes := make([]rune, 0, 95+len(extraRunes))
	for c := rune(32); c <= 126; c++ {
		runes = append(runes, c)
	}
	runes = append(runes, []rune(extraRunes)...)

	// Shelf-pack the glyphs: 1 px of clear border around each so that
	// neighbours never bleed into one another.
	type pending struct {
		r    rune
		g    *glyph
		mask []uint8
	}
	var list []pending
	r.glyphs = make(map[rune]*glyph, len(runes))
	area := 0
	for _, c := range runes {
		dr, mask, mp, adv, ok := face.Glyph(fixed.Point26_6{}, c)
		if !ok {
			continue // not in the font: falls back to '?'
		}
		g := &glyph{x0: dr.Min.X, y0: dr.Min.Y, w: dr.Dx(), h: dr.Dy(), adv: adv}
		// The face reuses its mask buffer: copy it now.
		cp := make([]uint8, g.w*g.h)
		if g.w > 0 && g.h > 0 {
			a := image.NewAlpha(image.Rect(0, 0, g.w, g.h))
			draw.Draw(a, a.Rect, mask, mp, draw.Src)
			copy(cp, a.Pix)
		}
		r.glyphs[c] = g
		list = append(list, pending{c, g, cp})
		area += (g.w + 2) * (g.h + 2)
	}
	r.fallback = r.glyphs['?']
	if r.fallback == nil {
		return nil, errors.New("text: the font has no '?' glyph")
	}
	if _, ok := r.glyphs['−']; !ok && r.glyphs['-'] != nil {
		r.glyphs['−'] = r.glyphs['-']
	}

	w := 64
	for w*w < 2*area {
		w *= 2
	}
	x, y, rowH := 1, 1, 0
	for _, p := range list {
		g := p.g
		if g.w == 0 || g.h == 0 {
			continue
		}
		if x+g.w+1 > w {
			x, y, rowH = 1, y+rowH+1, 0
		}
		g.ax, g.ay = x, y
		x += g.w + 1
		if g.h > rowH {
			rowH = g.h
		}
	}
	h := (y + rowH + 1 + 3) &^ 3
	atlas := image.NewAlpha(image.Rect(0, 0, w, h))
	for _, p := range list {
		g := p.g
		for j := 0; j < g.h; j++ {
			copy(atlas.Pix[(g.ay+j)*atlas.Stride+g.ax:], p.mask[j*g.w:(j+1)*g.w])
		}
	}
	r.atlasW, r.atlasH = w, h

	r.kern = map[[2]rune]fixed.Int26_6{}
	for _, a := range runes {
		if r.glyphs[a] == nil {
			continue
		}
		for _, b := range runes {
			if r.glyphs[b] == nil {
				continue
			}
			if k := face.Kern(a, b); k != 0 {
				r.kern[[2]rune{a, b}] = k
			}
		}
	}
	return atlas, nil
}

// upload makes the texture, program and vertex array.
func (r *Renderer) upload(atlas *image.Alpha) error {
	if maxTex := gl.MaxTextureSize(); maxTex > 0 && (r.atlasW > maxTex || r.atlasH > maxTex) {
		return fmt.Errorf("text: a %d×%d glyph atlas exceeds GL_MAX_TEXTURE_SIZE %d; use a smaller font size", r.atlasW, r.atlasH, maxTex)
	}
	var err error
	if r.prog, err = buildProgram(shaders.Text()); err != nil {
		return err
	}
	if r.tex, err = gl.NewTexture(); err != nil {
		return fmt.Errorf("text: the glyph atlas: %w", err)
	}
	if err = r.tex.SetR8(r.atlasW, r.atlasH, atlas.Pix); err != nil {
		return fmt.Errorf("text: the glyph atlas: %w", err)
	}
	// Each vertex: position (2), atlas texel (2), colour (4).
	if r.quads, err = gl.NewVertexArray(vertFloats, gl.Attrib{Size: 2, Offset: 0}, gl.Attrib{Size: 2, Offset: 2}, gl.Attrib{Size: 4, Offset: 4}); err != nil {
		return fmt.Errorf("text: the glyph quads: %w", err)
	}
	if err := gl.CheckError(); err != nil {
		return fmt.Errorf("text: creating the glyph atlas and buffers: %w", err)
	}
	return nil
}

// buildProgram compiles and links the text shaders with compute/gl's
// builder; errors wrap ErrShader and name the stage.
func buildProgram(vs, fs string) (*gl.DrawProgram, error) {
	p, err := gl.BuildDrawProgram("text", vs, fs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShader, err)
	}
	return p, nil
}

// Size is the font size in pixels given to New.
func (r *Renderer) Size() float64 { return r.size }

// Ascent is how far the tallest glyphs reach above the baseline, in pixels.
func (r *Renderer) Ascent() float64 { return float64(r.ascent) }

// Descent is how far glyphs reach below the baseline, in pixels.
func (r *Renderer) Descent() float64 { return float64(r.descent) }

// LineHeight is the recommended distance between baselines, in pixels.
func (r *Renderer) LineHeight() float64 { return float64(r.lineHeight) }

func (r *Renderer) lookup(c rune) *glyph {
	if g := r.glyphs[c]; g != nil {
		return g
	}
	return r.fallback
}

// subst is the rune drawn for c: c itself, or '?' when the atlas lacks it.
func (r *Renderer) subst(c rune) rune {
	if r.glyphs[c] != nil {
		return c
	}
	return '?'
}

// Measure returns the width and height (ascent+descent) in pixels of s.
// The width is the advance of the whole string, the distance the pen moves.
func (r *Renderer) Measure(s string) (w, h float64) {
	pen := r.walk(s, func(*glyph, fixed.Int26_6) {})
	return float64(pen.Round()), float64(r.ascent + r.descent)
}

// walk calls f with each glyph of s and the pen position (kerning applied)
// where it is drawn; it returns the pen position after the last.
func (r *Renderer) walk(s string, f func(g *glyph, pen fixed.Int26_6)) fixed.Int26_6 {
	var pen fixed.Int26_6
	prev := rune(-1)
	for _, c := range s {
		c = r.subst(c)
		if prev >= 0 {
			pen += r.kern[[2]rune{prev, c}]
		}
		g := r.lookup(c)
		f(g, pen)
		pen += g.adv
		prev = c
	}
	return pen
}

// Add queues s at pixel (x, y) (origin top-left of the viewport, y down; y
// is the text's baseline) with alignment and RGBA colour (straight, not
// premultiplied, alpha).
func (r *Renderer) Add(s string, x, y float64, align Align, rgba [4]float32) {
	if s == "" {
		return
	}
	switch align {
	case Center:
		w, _ := r.Measure(s)
		x -= w / 2
	case Right:
		w, _ := r.Measure(s)
		x -= w
	}
	// Snap the pen to whole pixels: glyphs were rasterised at a whole-pixel
	// dot and hinted advances are whole pixels, so every texel lands on
	// exactly one pixel.
	ox, oy := int(math.Floor(x+0.5)), int(math.Floor(y+0.5))
	r.walk(s, func(g *glyph, pen fixed.Int26_6) {
		if g.w > 0 && g.h > 0 {
			r.quad(ox+pen.Round()+g.x0, oy+g.y0, g, rgba)
		}
	})
}

// AddOutlined queues s with a 1-pixel outline in the outline colour around
// the fg glyphs, for legibility over any background: the eight one-pixel
// offset copies in the outline colour go first, then s in fg on top.
func (r *Renderer) AddOutlined(s string, x, y float64, align Align, fg, outline [4]float32) {
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if dx != 0 || dy != 0 {
				r.Add(s, x+float64(dx), y+float64(dy), align, outline)
			}
		}
	}
	r.Add(s, x, y, align, fg)
}

// quad appends two triangles covering glyph g with its top-left at pixel
// (px, py).
func (r *Renderer) quad(px, py int, g *glyph, c [4]float32) {
	x0, y0 := float32(px), float32(py)
	x1, y1 := x0+float32(g.w), y0+float32(g.h)
	u0, v0 := float32(g.ax), float32(g.ay)
	u1, v1 := u0+float32(g.w), v0+float32(g.h)
	r.verts = append(r.verts,
		x0, y0, u0, v0, c[0], c[1], c[2], c[3],
		x1, y0, u1, v0, c[0], c[1], c[2], c[3],
		x1, y1, u1, v1, c[0], c[1], c[2], c[3],
		x0, y0, u0, v0, c[0], c[1], c[2], c[3],
		x1, y1, u1, v1, c[0], c[1], c[2], c[3],
		x0, y1, u0, v1, c[0], c[1], c[2], c[3],
	)
}

// Pending reports how many glyph quads are queued for the next Flush.
func (r *Renderer) Pending() int { return len(r.verts) / (6 * vertFloats) }

// Flush draws everything queued into the current framebuffer of size
// (vw, vh) with alpha blending, then clears the queue. It draws over the
// whole framebuffer (viewport 0, 0, vw, vh) without scissor, depth test or
// face culling, in a pass of its own that puts back the GL state it
// changes. Call on the GL thread.
func (r *Renderer) Flush(vw, vh int) error {
	if r.deleted {
		r.verts = r.verts[:0]
		return ErrDeleted
	}
	if len(r.verts) == 0 {
		return nil
	}
	if vw <= 0 || vh <= 0 {
		r.verts = r.verts[:0]
		return fmt.Errorf("text: flush into a %d×%d framebuffer (need a positive size)", vw, vh)
	}
	n := len(r.verts) / vertFloats
	err := r.quads.SetVertices(r.verts)
	r.verts = r.verts[:0]
	if err != nil {
		return fmt.Errorf("text: flush: %w", err)
	}
	p := gl.BeginPass("text")
	p.Set(gl.Settings{Viewport: gl.Rect{W: vw, H: vh}, Blend: true})
	p.Use(r.prog)
	p.SetFloat("uViewport", float32(vw), float32(vh))
	p.BindTexture(r.tex)
	p.Draw(r.quads, gl.Triangles, 0, n)
	if err := p.End(); err != nil {
		return fmt.Errorf("text: flush: %w", err)
	}
	return nil
}

// Delete frees the GL objects. Call on the GL thread; later calls do
// nothing, and Flush then fails with ErrDeleted.
func (r *Renderer) Delete() {
	r.prog.Delete()
	r.tex.Delete()
	r.quads.Delete()
	r.prog, r.tex, r.quads = nil, nil, nil
	r.verts = nil
	r.deleted = true
}
