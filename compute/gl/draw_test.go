package gl

import (
	"context"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/compute"
)

// Test programs: one triangle over the viewport (from gl_VertexID) in a
// uniform colour, a value fetched from an R32F texture, and vertices from a
// vertex buffer.
const (
	screenVS = `#version 330 core
void main() {
	vec2 p = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);
	gl_Position = vec4(p, 0.0, 1.0);
}
`
	colourFS = `#version 330 core
uniform vec4 c;
out vec4 o;
void main() { o = c; }
`
	textureFS = `#version 330 core
uniform sampler2D t;
out vec4 o;
void main() { o = vec4(texelFetch(t, ivec2(gl_FragCoord.xy) / 4, 0).r, 0.0, 0.0, 1.0); }
`
	vertexVS = `#version 330 core
layout(location = 0) in vec2 pos;  // pixels
layout(location = 1) in float shade;
uniform ivec2 size;
out float v_shade;
void main() {
	gl_Position = vec4(pos / vec2(size) * 2.0 - 1.0, 0.0, 1.0);
	v_shade = shade;
}
`
	vertexFS = `#version 330 core
in float v_shade;
out vec4 o;
void main() { o = vec4(0.0, v_shade, 0.0, 1.0); }
`
)

// onFramebuffer runs f on the test context's GL thread with a w×h
// offscreen framebuffer bound.
func onFramebuffer(t *testing.T, w, h int, f func() error) {
	t.Helper()
	c := testContext(t)
	err := c.Do(func() error {
		fb, err := NewFramebuffer(w, h, true)
		if err != nil {
			return err
		}
		defer fb.Delete()
		return f()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rgba(img *image.RGBA, x, y int) color.RGBA { return img.RGBAAt(x, y) }

// TestDrawHelpers draws with each helper and reads the picture back:
// clears, scissor, uniforms, blending, textures and vertex buffers.
func TestDrawHelpers(t *testing.T) {
	const W, H = 40, 20
	onFramebuffer(t, W, H, func() error {
		solid, err := BuildDrawProgram("test colour", screenVS, colourFS)
		if err != nil {
			return err
		}
		defer solid.Delete()
		fetch, err := BuildDrawProgram("test texture", screenVS, textureFS)
		if err != nil {
			return err
		}
		defer fetch.Delete()
		shaded, err := BuildDrawProgram("test vertices", vertexVS, vertexFS)
		if err != nil {
			return err
		}
		defer shaded.Delete()
		screen, err := NewVertexArray(0)
		if err != nil {
			return err
		}
		defer screen.Delete()

		// Blue everywhere, then red in a scissor rect, then half-alpha
		// white blended over the left half.
		p := BeginPass("test")
		p.Set(Settings{Viewport: Rect{W: W, H: H}})
		p.ClearColor([4]float32{0, 0, 1, 1})
		p.Set(Settings{Viewport: Rect{W: W, H: H}, Scissor: Rect{X: 22, Y: 5, W: 10, H: 5}})
		p.Use(solid)
		p.SetFloat("c", 1, 0, 0, 1)
		p.Draw(screen, Triangles, 0, 3)
		p.Set(Settings{Viewport: Rect{W: W, H: H}, Scissor: Rect{W: W / 2, H: H}, Blend: true})
		p.SetFloat("c", 1, 1, 1, 0.5)
		p.Draw(screen, Triangles, 0, 3)
		if err := p.End(); err != nil {
			return err
		}
		img, err := ReadPixels(Rect{W: W, H: H})
		if err != nil {
			return err
		}
		// Rows come back top first: framebuffer row y is image row H-1-y.
		for _, c := range []struct {
			x, y int
			want color.RGBA
		}{
			{36, 2, color.RGBA{0, 0, 255, 255}},         // untouched
			{27, H - 1 - 7, color.RGBA{255, 0, 0, 255}}, // red, right of the blend
			{5, 2, color.RGBA{128, 128, 255, 255}},      // white at half alpha over blue
		} {
			got := rgba(img, c.x, c.y)
			if d := max(absDiff(got.R, c.want.R), absDiff(got.G, c.want.G), absDiff(got.B, c.want.B)); d > 1 {
				t.Errorf("pixel (%d, %d) = %v, want %v", c.x, c.y, got, c.want)
			}
		}

		// A 10×5 R32F texture, 4 pixels a texel.
		tex, err := NewTexture()
		if err != nil {
			return err
		}
		defer tex.Delete()
		vals := make([]float32, 50)
		for i := range vals {
			vals[i] = float32(i) / 49
		}
		if err := tex.SetR32F(10, 5, vals); err != nil {
			return err
		}
		p = BeginPass("test texture")
		p.Set(Settings{Viewport: Rect{W: W, H: H}})
		p.Use(fetch)
		p.BindTexture(tex)
		p.SetInt("t", 0)
		p.Draw(screen, Triangles, 0, 3)
		if err := p.End(); err != nil {
			return err
		}
		if img, err = ReadPixels(Rect{W: W, H: H}); err != nil {
			return err
		}
		for _, ij := range [][2]int{{0, 0}, {9, 4}, {3, 2}} {
			x, y := 4*ij[0]+1, 4*ij[1]+1
			want := uint8(vals[ij[1]*10+ij[0]]*255 + 0.5)
			if got := rgba(img, x, H-1-y).R; absDiff(got, want) > 1 {
				t.Errorf("texel %v: red %d, want %d", ij, got, want)
			}
		}

		// Two triangles from a vertex buffer of position and shade.
		va, err := NewVertexArray(3, Attrib{Size: 2, Offset: 0}, Attrib{Size: 1, Offset: 2})
		if err != nil {
			return err
		}
		defer va.Delete()
		if err := va.SetVertices([]float32{0, 0, 1, 20, 0, 1, 20, 20, 1, 0, 0, 1, 20, 20, 1, 0, 20, 1}); err != nil {
			return err
		}
		p = BeginPass("test vertices")
		p.Set(Settings{Viewport: Rect{W: W, H: H}})
		p.ClearColor([4]float32{0, 0, 0, 1})
		p.Use(shaded)
		p.SetInt("size", W, H)
		p.Draw(va, Triangles, 0, 6)
		if err := p.End(); err != nil {
			return err
		}
		if img, err = ReadPixels(Rect{W: W, H: H}); err != nil {
			return err
		}
		if got := rgba(img, 10, 10); got != (color.RGBA{0, 255, 0, 255}) {
			t.Errorf("inside the quad: %v", got)
		}
		if got := rgba(img, 30, 10); got != (color.RGBA{0, 0, 0, 255}) {
			t.Errorf("outside the quad: %v", got)
		}
		return nil
	})
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestPassRestoresState: whatever the state before (set here with raw GL
// calls, unusual values included), a pass that changes every part of it
// puts it back at End.
func TestPassRestoresState(t *testing.T) {
	onFramebuffer(t, 16, 16, func() error {
		prog, err := BuildDrawProgram("test", screenVS, colourFS)
		if err != nil {
			return err
		}
		defer prog.Delete()
		va, err := NewVertexArray(0)
		if err != nil {
			return err
		}
		defer va.Delete()
		tex, err := NewTexture()
		if err != nil {
			return err
		}
		defer tex.Delete()
		var vao, buf, ssbo, texID uint32
		gl43.GenVertexArrays(1, &vao)
		defer gl43.DeleteVertexArrays(1, &vao)
		gl43.GenBuffers(1, &buf)
		defer gl43.DeleteBuffers(1, &buf)
		gl43.GenBuffers(1, &ssbo)
		defer gl43.DeleteBuffers(1, &ssbo)
		gl43.GenTextures(1, &texID)
		defer gl43.DeleteTextures(1, &texID)

		other, err := BuildDrawProgram("test other", screenVS, colourFS)
		if err != nil {
			return err
		}
		defer other.Delete()
		gl43.UseProgram(other.id)
		gl43.BindVertexArray(vao)
		gl43.BindBuffer(gl43.ARRAY_BUFFER, buf)
		gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, ssbo)
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, buf)
		gl43.ActiveTexture(gl43.TEXTURE0)
		gl43.BindTexture(gl43.TEXTURE_2D, texID)
		gl43.ActiveTexture(gl43.TEXTURE3)
		gl43.Disable(gl43.BLEND)
		gl43.BlendFuncSeparate(gl43.ONE, gl43.ZERO, gl43.DST_ALPHA, gl43.SRC_COLOR)
		gl43.BlendEquationSeparate(gl43.FUNC_SUBTRACT, gl43.MAX)
		gl43.Enable(gl43.CULL_FACE)
		gl43.Enable(gl43.SCISSOR_TEST)
		gl43.Scissor(1, 1, 3, 3)
		gl43.DepthFunc(gl43.GEQUAL)
		gl43.DepthMask(false)
		gl43.ClearColor(0.25, 0.5, 0.75, 1)
		gl43.ClearDepth(0.5)
		gl43.Viewport(1, 2, 13, 11)
		defer func() {
			gl43.UseProgram(0)
			gl43.BindVertexArray(0)
			gl43.BindBuffer(gl43.ARRAY_BUFFER, 0)
			gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, 0)
			gl43.ActiveTexture(gl43.TEXTURE0)
			gl43.BindTexture(gl43.TEXTURE_2D, 0)
			gl43.BlendFunc(gl43.ONE, gl43.ZERO)
			gl43.BlendEquation(gl43.FUNC_ADD)
			gl43.Disable(gl43.CULL_FACE)
			gl43.Disable(gl43.SCISSOR_TEST)
			gl43.DepthFunc(gl43.LESS)
			gl43.DepthMask(true)
			gl43.ClearColor(0, 0, 0, 0)
			gl43.ClearDepth(1)
		}()

		before := CurrentState()
		p := BeginPass("test")
		p.Set(Settings{Viewport: Rect{W: 16, H: 16}, Scissor: Rect{X: 2, Y: 2, W: 8, H: 8}, Blend: true, DepthTest: true, PointSize: true})
		p.ClearColor([4]float32{1, 0, 0, 1})
		p.ClearDepth(1)
		p.Use(prog)
		p.SetFloat("c", 0, 1, 0, 1)
		p.BindTexture(tex)
		p.BindStorage(0)
		p.Draw(va, Triangles, 0, 3)
		inner := BeginPass("inner")
		inner.Set(Settings{})
		inner.Use(other)
		mid := CurrentState()
		if err := inner.End(); err != nil {
			return err
		}
		if err := p.End(); err != nil {
			return err
		}
		if after := CurrentState(); after != before {
			t.Errorf("state after the pass\n%v\nwant\n%v", after, before)
		}
		if mid == before {
			t.Errorf("the pass changed nothing: %v", mid)
		}
		if before.program != int32(other.id) || before.vertexArray != int32(vao) || before.texture0 != int32(texID) || before.activeTexture != gl43.TEXTURE3 ||
			before.storage0 != int32(ssbo) || before.storage != int32(buf) || before.blendEqRGB != gl43.FUNC_SUBTRACT || before.viewport != [4]int32{1, 2, 13, 11} {
			t.Errorf("CurrentState did not read what the test set: %v", before)
		}
		if err := p.End(); err != nil || CurrentState() != before {
			t.Errorf("a second End changed the state or failed: %v", err)
		}
		return CheckError()
	})
}

// TestPassErrors: misuse is reported by End, and with the debug switch on
// (the test context is made with Options.Debug) so are GL errors, naming
// the pass and the call.
func TestPassErrors(t *testing.T) {
	onFramebuffer(t, 8, 8, func() error {
		va, err := NewVertexArray(0)
		if err != nil {
			return err
		}
		defer va.Delete()
		p := BeginPass("test misuse")
		p.SetFloat("c", 1)
		if err := p.End(); err == nil || !strings.Contains(err.Error(), "gl: test misuse: uniform c set with no program in use") {
			t.Errorf("uniform without a program: %v", err)
		}
		if !debugging() {
			t.Fatal("the test context has Options.Debug, yet the helpers do not check")
		}
		p = BeginPass("test debug")
		p.Draw(va, Primitive(0xdead), 0, 3)
		if err := p.End(); err == nil || !strings.Contains(err.Error(), "gl: test debug: draw: GL error 0x500") {
			t.Errorf("bad primitive: %v", err)
		}
		if err := va.SetVertices([]float32{1}); err == nil {
			t.Error("SetVertices on a vertex array without attributes accepted")
		}
		if _, err := NewVertexArray(2, Attrib{Size: 2, Offset: 1}); err == nil {
			t.Error("an attribute past the vertex accepted")
		}
		tex, err := NewTexture()
		if err != nil {
			return err
		}
		if err := tex.SetR8(4, 4, make([]uint8, 15)); err == nil {
			t.Error("a 4x4 texture from 15 bytes accepted")
		}
		tex.Delete()
		tex.Delete()
		if err := tex.SetR8(1, 1, []uint8{1}); err == nil {
			t.Error("a texture set after Delete")
		}
		if _, err := ReadPixels(Rect{}); err == nil {
			t.Error("read pixels of an empty rect accepted")
		}
		return CheckError()
	})
}

// TestReadFloats reads cells of an evaluation's buffer.
func TestReadFloats(t *testing.T) {
	c := testContext(t)
	s := wave{s: 0.5}
	g := testGrid(13, 11)
	want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, g, compute.Options{})
	e := c.Evaluator()
	defer e.Close()
	got := make([]float32, 3)
	err := c.Do(func() error {
		buf, err := e.EvalOnGPU(compute.Local{S: s}.Kernel(), g)
		if err != nil {
			return err
		}
		return ReadFloats(buf, 5*13+4, got)
	})
	if err != nil {
		t.Fatal(err)
	}
	agree(t, "cells", got, want.Values[5*13+4:5*13+7])
}

// TestDepthReadOnly: DepthTest writes the depth of what it draws;
// DepthReadOnly tests against the depth buffer without writing it, so a
// second draw at the same depth still shows.
func TestDepthReadOnly(t *testing.T) {
	onFramebuffer(t, 8, 8, func() error {
		// Other tests may leave objects bound that they have since
		// deleted, which the pass would put back at its end.
		gl43.UseProgram(0)
		gl43.BindVertexArray(0)
		defer gl43.UseProgram(0)
		defer gl43.BindVertexArray(0)
		prog, err := BuildDrawProgram("test colour", screenVS, colourFS)
		if err != nil {
			return err
		}
		defer prog.Delete()
		va, err := NewVertexArray(0)
		if err != nil {
			return err
		}
		defer va.Delete()
		r := Rect{W: 8, H: 8}
		for _, c := range []struct {
			readOnly  bool
			wantDepth float32 // after the first draw, at z = 0: depth 0.5
			wantGreen uint8   // the second draw, at the same depth
		}{{false, 0.5, 0}, {true, 1, 255}} {
			p := BeginPass("test depth")
			p.Set(Settings{Viewport: r})
			p.ClearColor([4]float32{0, 0, 0, 1})
			p.ClearDepth(1)
			p.Set(Settings{Viewport: r, DepthTest: true, DepthReadOnly: c.readOnly})
			p.Use(prog)
			p.SetFloat("c", 1, 0, 0, 1)
			p.Draw(va, Triangles, 0, 3)
			d, err := ReadDepth(4, 4)
			if err != nil {
				return err
			}
			p.SetFloat("c", 0, 1, 0, 1)
			p.Draw(va, Triangles, 0, 3)
			if err := p.End(); err != nil {
				return err
			}
			img, err := ReadPixels(r)
			if err != nil {
				return err
			}
			if math.Abs(float64(d-c.wantDepth)) > 1e-6 || img.RGBAAt(4, 4).G != c.wantGreen {
				t.Errorf("read-only %v: depth %v after the first draw, want %v; second draw's green %d, want %d", c.readOnly, d, c.wantDepth, img.RGBAAt(4, 4).G, c.wantGreen)
			}
		}
		return CheckError()
	})
}
