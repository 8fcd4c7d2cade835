package gl

import (
	"fmt"
	"image"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
)

// The drawing helpers: the viewer (host/view and its text package) draws
// through these, and makes no GL calls of its own. Textures, vertex arrays,
// programs and their uniforms, draw calls and read-back; draw calls are
// grouped in a Pass, which records each piece of GL state the first time it
// changes it and puts it all back at End, so that a drawer leaves the state
// as it found it without saving anything by hand. Everything here runs on
// the GL thread (inside Context.Do) of a context of OpenGL 3.3 or later;
// storage buffers need 4.3.
//
// The debug switch: with LANDSCAPE_GL_DEBUG=1, or while a context made
// with Options.Debug is open, every helper checks glGetError after its
// calls and returns (or, in a Pass, records) the error, naming the helper.

// glErr returns the GL error pending after op, when debugging.
func glErr(op string) error {
	if !debugging() {
		return nil
	}
	if e := gl43.GetError(); e != gl43.NO_ERROR {
		return fmt.Errorf("gl: %s: GL error 0x%x", op, e)
	}
	return nil
}

// CheckError returns the GL error pending, if any, debugging or not: after
// setting something up, say.
func CheckError() error {
	if e := gl43.GetError(); e != gl43.NO_ERROR {
		return fmt.Errorf("gl: GL error 0x%x", e)
	}
	return nil
}

// Rect is a rectangle of framebuffer pixels, origin bottom-left.
type Rect struct{ X, Y, W, H int }

// Primitive is what a draw call makes of its vertices.
type Primitive uint32

// The primitives the viewer draws.
const (
	Triangles Primitive = gl43.TRIANGLES
	Lines     Primitive = gl43.LINES
	LineStrip Primitive = gl43.LINE_STRIP
	Points    Primitive = gl43.POINTS
)

// Finish waits until the GL has done every call made so far (to time
// them).
func Finish() { gl43.Finish() }

// MaxTextureSize is the largest width or height of a texture.
func MaxTextureSize() int {
	var n int32
	gl43.GetIntegerv(gl43.MAX_TEXTURE_SIZE, &n)
	return int(n)
}

// Texture is a 2D texture of one channel (R8 or R32F) for shaders that
// read it with texelFetch: one level, nearest filtering, clamped at the
// edges.
type Texture struct {
	id   uint32
	w, h int
}

// NewTexture makes an empty texture; SetR8 or SetR32F fill it. It leaves
// the bindings as it found them; Delete it on the same context.
func NewTexture() (*Texture, error) {
	t := &Texture{}
	gl43.GenTextures(1, &t.id)
	restore := bindTexture0(t.id)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_MIN_FILTER, gl43.NEAREST)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_MAG_FILTER, gl43.NEAREST)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_WRAP_S, gl43.CLAMP_TO_EDGE)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_WRAP_T, gl43.CLAMP_TO_EDGE)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_BASE_LEVEL, 0)
	gl43.TexParameteri(gl43.TEXTURE_2D, gl43.TEXTURE_MAX_LEVEL, 0)
	restore()
	if err := glErr("new texture"); err != nil {
		t.Delete()
		return nil, err
	}
	return t, nil
}

// bindTexture0 binds id to texture unit 0's 2D target and returns what
// puts back unit 0's binding and the active unit.
func bindTexture0(id uint32) (restore func()) {
	var active, prev int32
	gl43.GetIntegerv(gl43.ACTIVE_TEXTURE, &active)
	gl43.ActiveTexture(gl43.TEXTURE0)
	gl43.GetIntegerv(gl43.TEXTURE_BINDING_2D, &prev)
	gl43.BindTexture(gl43.TEXTURE_2D, id)
	return func() {
		gl43.ActiveTexture(gl43.TEXTURE0)
		gl43.BindTexture(gl43.TEXTURE_2D, uint32(prev))
		gl43.ActiveTexture(uint32(active))
	}
}

// SetR8 replaces the texture with w×h bytes, row-major (row j of pix is
// texel row j).
func (t *Texture) SetR8(w, h int, pix []uint8) error {
	if err := t.checkSize(w, h, len(pix)); err != nil {
		return err
	}
	return t.set(gl43.R8, gl43.UNSIGNED_BYTE, w, h, gl43.Ptr(pix))
}

// SetR32F replaces the texture with w×h floats, row-major (row j of v is
// texel row j).
func (t *Texture) SetR32F(w, h int, v []float32) error {
	if err := t.checkSize(w, h, len(v)); err != nil {
		return err
	}
	return t.set(gl43.R32F, gl43.FLOAT, w, h, gl43.Ptr(v))
}

func (t *Texture) checkSize(w, h, n int) error {
	switch {
	case t.id == 0:
		return fmt.Errorf("gl: texture used after Delete")
	case w < 1 || h < 1 || n < w*h:
		return fmt.Errorf("gl: a %dx%d texture from %d values", w, h, n)
	case w > MaxTextureSize() || h > MaxTextureSize():
		return fmt.Errorf("gl: a %dx%d texture exceeds GL_MAX_TEXTURE_SIZE %d", w, h, MaxTextureSize())
	}
	return nil
}

// set uploads the texture's level 0 from client memory with tightly packed
// rows, putting back the pixel-unpack state and the bindings after.
func (t *Texture) set(internal int32, typ uint32, w, h int, data unsafe.Pointer) error {
	var unpackBuf, align, rowLen, skipRows, skipPix int32
	gl43.GetIntegerv(gl43.PIXEL_UNPACK_BUFFER_BINDING, &unpackBuf)
	gl43.GetIntegerv(gl43.UNPACK_ALIGNMENT, &align)
	gl43.GetIntegerv(gl43.UNPACK_ROW_LENGTH, &rowLen)
	gl43.GetIntegerv(gl43.UNPACK_SKIP_ROWS, &skipRows)
	gl43.GetIntegerv(gl43.UNPACK_SKIP_PIXELS, &skipPix)
	gl43.BindBuffer(gl43.PIXEL_UNPACK_BUFFER, 0)
	gl43.PixelStorei(gl43.UNPACK_ALIGNMENT, 1)
	gl43.PixelStorei(gl43.UNPACK_ROW_LENGTH, 0)
	gl43.PixelStorei(gl43.UNPACK_SKIP_ROWS, 0)
	gl43.PixelStorei(gl43.UNPACK_SKIP_PIXELS, 0)
	restore := bindTexture0(t.id)
	gl43.TexImage2D(gl43.TEXTURE_2D, 0, internal, int32(w), int32(h), 0, gl43.RED, typ, data)
	restore()
	gl43.PixelStorei(gl43.UNPACK_ALIGNMENT, align)
	gl43.PixelStorei(gl43.UNPACK_ROW_LENGTH, rowLen)
	gl43.PixelStorei(gl43.UNPACK_SKIP_ROWS, skipRows)
	gl43.PixelStorei(gl43.UNPACK_SKIP_PIXELS, skipPix)
	gl43.BindBuffer(gl43.PIXEL_UNPACK_BUFFER, uint32(unpackBuf))
	t.w, t.h = w, h
	return glErr("texture upload")
}

// Size is the texture's size as last set (0×0 before).
func (t *Texture) Size() (w, h int) { return t.w, t.h }

// Delete frees the texture; later calls do nothing.
func (t *Texture) Delete() {
	if t != nil && t.id != 0 {
		gl43.DeleteTextures(1, &t.id)
		t.id = 0
	}
}

// Attrib is one vertex attribute: Size floats (1 to 4) at Offset floats
// into each vertex. Attribute i of a layout is shader location i.
type Attrib struct{ Size, Offset int }

// VertexArray is a vertex array object with, when it has attributes, a
// vertex buffer of interleaved floats, and optionally an index buffer.
type VertexArray struct {
	vao, vbo, ebo uint32
	stride        int // floats per vertex
	vboBytes      int // the vertex buffer's storage
	indices       int
}

// NewVertexArray makes a vertex array. With attributes it gets a vertex
// buffer of stride floats per vertex, laid out as they say (SetVertices
// fills it); with none, draws make their vertices from gl_VertexID. It
// leaves the bindings as it found them; Delete it on the same context.
func NewVertexArray(stride int, attribs ...Attrib) (*VertexArray, error) {
	for i, a := range attribs {
		if a.Size < 1 || a.Size > 4 || a.Offset < 0 || a.Offset+a.Size > stride {
			return nil, fmt.Errorf("gl: vertex attribute %d: %d floats at %d do not fit a vertex of %d", i, a.Size, a.Offset, stride)
		}
	}
	va := &VertexArray{stride: stride}
	gl43.GenVertexArrays(1, &va.vao)
	if len(attribs) > 0 {
		var prevVAO, prevBuf int32
		gl43.GetIntegerv(gl43.VERTEX_ARRAY_BINDING, &prevVAO)
		gl43.GetIntegerv(gl43.ARRAY_BUFFER_BINDING, &prevBuf)
		gl43.GenBuffers(1, &va.vbo)
		gl43.BindVertexArray(va.vao)
		gl43.BindBuffer(gl43.ARRAY_BUFFER, va.vbo)
		for i, a := range attribs {
			gl43.EnableVertexAttribArray(uint32(i))
			gl43.VertexAttribPointerWithOffset(uint32(i), int32(a.Size), gl43.FLOAT, false, int32(4*stride), uintptr(4*a.Offset))
		}
		gl43.BindVertexArray(uint32(prevVAO))
		gl43.BindBuffer(gl43.ARRAY_BUFFER, uint32(prevBuf))
	}
	if err := glErr("new vertex array"); err != nil {
		va.Delete()
		return nil, err
	}
	return va, nil
}

// SetVertices replaces the vertices (a whole number of vertices of stride
// floats). It streams: the old storage is orphaned rather than waited for.
// It leaves the bindings as it found them.
func (va *VertexArray) SetVertices(v []float32) error {
	switch {
	case va.vao == 0:
		return fmt.Errorf("gl: vertex array used after Delete")
	case va.vbo == 0:
		return fmt.Errorf("gl: vertex array has no attributes to set")
	case len(v)%va.stride != 0:
		return fmt.Errorf("gl: %d floats are no whole number of %d-float vertices", len(v), va.stride)
	case len(v) == 0:
		return nil
	}
	var prev int32
	gl43.GetIntegerv(gl43.ARRAY_BUFFER_BINDING, &prev)
	gl43.BindBuffer(gl43.ARRAY_BUFFER, va.vbo)
	if n := 4 * len(v); n > va.vboBytes {
		gl43.BufferData(gl43.ARRAY_BUFFER, n, gl43.Ptr(v), gl43.STREAM_DRAW)
		va.vboBytes = n
	} else {
		gl43.BufferData(gl43.ARRAY_BUFFER, va.vboBytes, nil, gl43.STREAM_DRAW)
		gl43.BufferSubData(gl43.ARRAY_BUFFER, 0, n, gl43.Ptr(v))
	}
	gl43.BindBuffer(gl43.ARRAY_BUFFER, uint32(prev))
	return glErr("set vertices")
}

// SetIndices gives the vertex array an index buffer holding idx, for
// Pass.DrawIndexed. It leaves the bindings as it found them.
func (va *VertexArray) SetIndices(idx []uint32) error {
	switch {
	case va.vao == 0:
		return fmt.Errorf("gl: vertex array used after Delete")
	case len(idx) == 0:
		return fmt.Errorf("gl: no indices")
	}
	var prev int32
	gl43.GetIntegerv(gl43.VERTEX_ARRAY_BINDING, &prev)
	gl43.BindVertexArray(va.vao)
	if va.ebo == 0 {
		gl43.GenBuffers(1, &va.ebo)
	}
	gl43.BindBuffer(gl43.ELEMENT_ARRAY_BUFFER, va.ebo)
	gl43.BufferData(gl43.ELEMENT_ARRAY_BUFFER, 4*len(idx), gl43.Ptr(idx), gl43.STATIC_DRAW)
	gl43.BindVertexArray(uint32(prev))
	va.indices = len(idx)
	return glErr("set indices")
}

// Delete frees the vertex array and its buffers; later calls do nothing.
func (va *VertexArray) Delete() {
	if va == nil {
		return
	}
	if va.vao != 0 {
		gl43.DeleteVertexArrays(1, &va.vao)
		va.vao = 0
	}
	for _, b := range []*uint32{&va.vbo, &va.ebo} {
		if *b != 0 {
			gl43.DeleteBuffers(1, b)
			*b = 0
		}
	}
}

// Settings are the fixed-function state of a pass's draws. Face culling is
// always off.
type Settings struct {
	// Viewport maps clip space to these pixels; zero leaves it as it is.
	Viewport Rect
	// Scissor, when not zero, limits drawing and clearing to these pixels.
	Scissor Rect
	// Blend draws colour over the framebuffer by the fragment's straight
	// alpha a: colour src·a + dst·(1−a), alpha src + dst·(1−a).
	Blend bool
	// DepthTest keeps the nearest fragment (depth function LESS), and
	// writes depth unless DepthReadOnly.
	DepthTest bool
	// DepthReadOnly, with DepthTest, tests against the depth buffer
	// without writing it: lines over a surface drawn before them, say,
	// each drawn whole whatever else of theirs lies in front.
	DepthReadOnly bool
	// PointSize lets vertex shaders set gl_PointSize.
	PointSize bool
}

// Pass is a run of draw calls. It records each piece of GL state the first
// time one of its methods changes it, and End puts back all it recorded, so
// passes nest: an inner pass (the text, the 3D mesh) leaves the outer one's
// state as it was. In debug mode (see the package's drawing helpers) each
// method checks glGetError; the first error, and any misuse, is kept for
// End to return.
type Pass struct {
	name  string
	debug bool
	err   error
	saved part
	prev  State
	prog  *DrawProgram
}

// BeginPass starts a pass; name says whose it is in errors. In debug mode
// an error pending from before is reported as such.
func BeginPass(name string) *Pass {
	p := &Pass{name: name, debug: debugging()}
	if p.debug {
		if e := gl43.GetError(); e != gl43.NO_ERROR {
			p.err = fmt.Errorf("gl: %s: GL error 0x%x pending before the pass", name, e)
		}
	}
	return p
}

func (p *Pass) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("gl: %s: "+format, append([]any{p.name}, args...)...)
	}
}

func (p *Pass) check(op string) {
	if p.debug && p.err == nil {
		if e := gl43.GetError(); e != gl43.NO_ERROR {
			p.fail("%s: GL error 0x%x", op, e)
		}
	}
}

// touch records the parts not yet recorded.
func (p *Pass) touch(parts part) {
	if n := parts &^ p.saved; n != 0 {
		p.prev.read(n)
		p.saved |= n
	}
}

// Set applies the settings.
func (p *Pass) Set(s Settings) {
	parts := pScissor | pBlend | pDepth | pCull | pPointSize
	if s.Viewport != (Rect{}) {
		parts |= pViewport
	}
	p.touch(parts)
	if s.Viewport != (Rect{}) {
		v := s.Viewport
		gl43.Viewport(int32(v.X), int32(v.Y), int32(v.W), int32(v.H))
	}
	enable(gl43.SCISSOR_TEST, s.Scissor != (Rect{}))
	if r := s.Scissor; r != (Rect{}) {
		gl43.Scissor(int32(r.X), int32(r.Y), int32(r.W), int32(r.H))
	}
	enable(gl43.BLEND, s.Blend)
	if s.Blend {
		gl43.BlendEquationSeparate(gl43.FUNC_ADD, gl43.FUNC_ADD)
		gl43.BlendFuncSeparate(gl43.SRC_ALPHA, gl43.ONE_MINUS_SRC_ALPHA, gl43.ONE, gl43.ONE_MINUS_SRC_ALPHA)
	}
	enable(gl43.DEPTH_TEST, s.DepthTest)
	if s.DepthTest {
		gl43.DepthFunc(gl43.LESS)
		gl43.DepthMask(!s.DepthReadOnly)
	}
	gl43.Disable(gl43.CULL_FACE)
	enable(gl43.PROGRAM_POINT_SIZE, s.PointSize)
	p.check("settings")
}

// ClearColor sets the framebuffer's colour to rgba (inside the scissor
// rect, when one is set).
func (p *Pass) ClearColor(rgba [4]float32) {
	p.touch(pClearColor)
	gl43.ClearColor(rgba[0], rgba[1], rgba[2], rgba[3])
	gl43.Clear(gl43.COLOR_BUFFER_BIT)
	p.check("clear colour")
}

// ClearDepth sets the depth buffer to v, 0 to 1 (inside the scissor rect,
// when one is set).
func (p *Pass) ClearDepth(v float64) {
	p.touch(pClearDepth | pDepth)
	gl43.DepthMask(true)
	gl43.ClearDepth(v)
	gl43.Clear(gl43.DEPTH_BUFFER_BIT)
	p.check("clear depth")
}

// Use makes prog the program of the draws, and of the uniforms set, that
// follow.
func (p *Pass) Use(prog *DrawProgram) {
	if prog == nil || prog.id == 0 {
		p.fail("no program to use")
		return
	}
	p.touch(pProgram)
	gl43.UseProgram(prog.id)
	p.prog = prog
	p.check("use program")
}

// location is the program's uniform's location, or false (and an error
// kept) when no program is in use.
func (p *Pass) location(name string) (int32, bool) {
	if p.prog == nil {
		p.fail("uniform %s set with no program in use", name)
		return -1, false
	}
	return p.prog.location(name), true
}

// SetInt sets an int uniform (one value) or an ivec2, ivec3 or ivec4 (two
// to four), of the program in use. A name the program does not use is
// ignored, as GL does.
func (p *Pass) SetInt(name string, v ...int) {
	loc, ok := p.location(name)
	if !ok {
		return
	}
	switch len(v) {
	case 1:
		gl43.Uniform1i(loc, int32(v[0]))
	case 2:
		gl43.Uniform2i(loc, int32(v[0]), int32(v[1]))
	case 3:
		gl43.Uniform3i(loc, int32(v[0]), int32(v[1]), int32(v[2]))
	case 4:
		gl43.Uniform4i(loc, int32(v[0]), int32(v[1]), int32(v[2]), int32(v[3]))
	default:
		p.fail("uniform %s: %d ints (1 to 4 make an int or an ivec)", name, len(v))
		return
	}
	p.check("uniform " + name)
}

// SetFloat sets a float uniform (one value) or a vec2, vec3 or vec4 (two
// to four), of the program in use.
func (p *Pass) SetFloat(name string, v ...float32) {
	loc, ok := p.location(name)
	if !ok {
		return
	}
	switch len(v) {
	case 1:
		gl43.Uniform1f(loc, v[0])
	case 2:
		gl43.Uniform2f(loc, v[0], v[1])
	case 3:
		gl43.Uniform3f(loc, v[0], v[1], v[2])
	case 4:
		gl43.Uniform4f(loc, v[0], v[1], v[2], v[3])
	default:
		p.fail("uniform %s: %d floats (1 to 4 make a float or a vec)", name, len(v))
		return
	}
	p.check("uniform " + name)
}

// SetVec3s sets a vec3 array uniform from v, three floats an element.
func (p *Pass) SetVec3s(name string, v []float32) {
	loc, ok := p.location(name)
	if !ok {
		return
	}
	if len(v) == 0 || len(v)%3 != 0 {
		p.fail("uniform %s: %d floats are no whole number of vec3s", name, len(v))
		return
	}
	gl43.Uniform3fv(loc, int32(len(v)/3), &v[0])
	p.check("uniform " + name)
}

// SetMat4 sets a mat4 uniform from m, column-major.
func (p *Pass) SetMat4(name string, m [16]float32) {
	loc, ok := p.location(name)
	if !ok {
		return
	}
	gl43.UniformMatrix4fv(loc, 1, false, &m[0])
	p.check("uniform " + name)
}

// BindTexture binds t to texture unit 0, for a sampler uniform set to 0.
func (p *Pass) BindTexture(t *Texture) {
	if t == nil || t.id == 0 {
		p.fail("no texture to bind")
		return
	}
	p.touch(pTexture0)
	gl43.ActiveTexture(gl43.TEXTURE0)
	gl43.BindTexture(gl43.TEXTURE_2D, t.id)
	p.check("bind texture")
}

// BindStorage binds storage buffer buf (an evaluation's, see
// Evaluator.EvalOnGPU) to binding 0, where the viewer's shaders read the
// grid. OpenGL 4.3.
func (p *Pass) BindStorage(buf uint32) {
	p.touch(pStorage0)
	gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, buf)
	p.check("bind storage buffer")
}

// Draw draws count vertices of va from first as mode.
func (p *Pass) Draw(va *VertexArray, mode Primitive, first, count int) {
	if va == nil || va.vao == 0 {
		p.fail("no vertex array to draw")
		return
	}
	p.touch(pVertexArray)
	gl43.BindVertexArray(va.vao)
	gl43.DrawArrays(uint32(mode), int32(first), int32(count))
	p.check("draw")
}

// DrawIndexed draws every index of va (see SetIndices) as mode.
func (p *Pass) DrawIndexed(va *VertexArray, mode Primitive) {
	if va == nil || va.vao == 0 || va.ebo == 0 {
		p.fail("no indexed vertex array to draw")
		return
	}
	p.touch(pVertexArray)
	gl43.BindVertexArray(va.vao)
	gl43.DrawElements(uint32(mode), int32(va.indices), gl43.UNSIGNED_INT, nil)
	p.check("draw indexed")
}

// End puts back the state the pass changed and returns the first error it
// met (misuse, or a GL error in debug mode). Later calls put back nothing.
func (p *Pass) End() error {
	if p.saved != 0 {
		p.prev.write(p.saved)
		p.saved = 0
		p.check("end")
	}
	return p.err
}

func enable(cap uint32, on bool) {
	if on {
		gl43.Enable(cap)
	} else {
		gl43.Disable(cap)
	}
}

// part is a piece of the State.
type part uint32

const (
	pViewport part = 1 << iota
	pScissor       // test and box
	pBlend         // enabled, functions, equations
	pDepth         // test, function, writes
	pCull
	pPointSize
	pClearColor
	pClearDepth
	pProgram
	pVertexArray
	pArrayBuffer
	pTexture0 // the active unit and unit 0's 2D binding
	pStorage0 // the storage buffer binding and binding 0

	allParts = pStorage0<<1 - 1
)

// State is the GL state the drawing helpers set: what is bound (program,
// vertex array, array buffer, texture unit 0, storage binding 0) and the
// fixed-function settings (viewport, scissor, blending, depth, face
// culling, program point size, clear values). A Pass records the parts it
// changes and puts them back; CurrentState reads it all, so that tests can
// check that a drawer leaves it as it found it. States compare with ==.
type State struct {
	viewport, scissor                                               [4]int32
	scissorTest, blend, depthTest, depthMask, cull, pointSize       bool
	blendSrcRGB, blendDstRGB, blendSrcA, blendDstA, blendEqRGB, eqA int32
	depthFunc                                                       int32
	clearColor                                                      [4]float32
	clearDepth                                                      float64
	program, vertexArray, arrayBuffer                               int32
	activeTexture, texture0                                         int32
	storage, storage0                                               int32
}

// CurrentState reads the state (the storage bindings only on OpenGL 4.3
// and later).
func CurrentState() State {
	var s State
	parts := allParts
	var major, minor int32
	gl43.GetIntegerv(gl43.MAJOR_VERSION, &major)
	gl43.GetIntegerv(gl43.MINOR_VERSION, &minor)
	if major < 4 || major == 4 && minor < 3 {
		parts &^= pStorage0
	}
	s.read(parts)
	return s
}

// String shows the state for test failures.
func (s State) String() string {
	return fmt.Sprintf("{viewport %v scissor %v %v blend %v %d %d %d %d %d %d depth %v %v %d cull %v point size %v clear %v %v program %d vertex array %d array buffer %d texture unit 0x%x, unit 0 %d storage %d, binding 0 %d}",
		s.viewport, s.scissorTest, s.scissor, s.blend, s.blendSrcRGB, s.blendDstRGB, s.blendSrcA, s.blendDstA, s.blendEqRGB, s.eqA,
		s.depthTest, s.depthMask, s.depthFunc, s.cull, s.pointSize, s.clearColor, s.clearDepth, s.program, s.vertexArray, s.arrayBuffer,
		s.activeTexture, s.texture0, s.storage, s.storage0)
}

func (s *State) read(parts part) {
	if parts&pViewport != 0 {
		gl43.GetIntegerv(gl43.VIEWPORT, &s.viewport[0])
	}
	if parts&pScissor != 0 {
		s.scissorTest = gl43.IsEnabled(gl43.SCISSOR_TEST)
		gl43.GetIntegerv(gl43.SCISSOR_BOX, &s.scissor[0])
	}
	if parts&pBlend != 0 {
		s.blend = gl43.IsEnabled(gl43.BLEND)
		gl43.GetIntegerv(gl43.BLEND_SRC_RGB, &s.blendSrcRGB)
		gl43.GetIntegerv(gl43.BLEND_DST_RGB, &s.blendDstRGB)
		gl43.GetIntegerv(gl43.BLEND_SRC_ALPHA, &s.blendSrcA)
		gl43.GetIntegerv(gl43.BLEND_DST_ALPHA, &s.blendDstA)
		gl43.GetIntegerv(gl43.BLEND_EQUATION_RGB, &s.blendEqRGB)
		gl43.GetIntegerv(gl43.BLEND_EQUATION_ALPHA, &s.eqA)
	}
	if parts&pDepth != 0 {
		s.depthTest = gl43.IsEnabled(gl43.DEPTH_TEST)
		gl43.GetBooleanv(gl43.DEPTH_WRITEMASK, &s.depthMask)
		gl43.GetIntegerv(gl43.DEPTH_FUNC, &s.depthFunc)
	}
	if parts&pCull != 0 {
		s.cull = gl43.IsEnabled(gl43.CULL_FACE)
	}
	if parts&pPointSize != 0 {
		s.pointSize = gl43.IsEnabled(gl43.PROGRAM_POINT_SIZE)
	}
	if parts&pClearColor != 0 {
		gl43.GetFloatv(gl43.COLOR_CLEAR_VALUE, &s.clearColor[0])
	}
	if parts&pClearDepth != 0 {
		gl43.GetDoublev(gl43.DEPTH_CLEAR_VALUE, &s.clearDepth)
	}
	if parts&pProgram != 0 {
		gl43.GetIntegerv(gl43.CURRENT_PROGRAM, &s.program)
	}
	if parts&pVertexArray != 0 {
		gl43.GetIntegerv(gl43.VERTEX_ARRAY_BINDING, &s.vertexArray)
	}
	if parts&pArrayBuffer != 0 {
		gl43.GetIntegerv(gl43.ARRAY_BUFFER_BINDING, &s.arrayBuffer)
	}
	if parts&pTexture0 != 0 {
		gl43.GetIntegerv(gl43.ACTIVE_TEXTURE, &s.activeTexture)
		gl43.ActiveTexture(gl43.TEXTURE0)
		gl43.GetIntegerv(gl43.TEXTURE_BINDING_2D, &s.texture0)
		gl43.ActiveTexture(uint32(s.activeTexture))
	}
	if parts&pStorage0 != 0 {
		gl43.GetIntegerv(gl43.SHADER_STORAGE_BUFFER_BINDING, &s.storage)
		gl43.GetIntegeri_v(gl43.SHADER_STORAGE_BUFFER_BINDING, 0, &s.storage0)
	}
}

func (s *State) write(parts part) {
	if parts&pStorage0 != 0 {
		gl43.BindBufferBase(gl43.SHADER_STORAGE_BUFFER, 0, uint32(s.storage0))
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, uint32(s.storage))
	}
	if parts&pTexture0 != 0 {
		gl43.ActiveTexture(gl43.TEXTURE0)
		gl43.BindTexture(gl43.TEXTURE_2D, uint32(s.texture0))
		gl43.ActiveTexture(uint32(s.activeTexture))
	}
	if parts&pArrayBuffer != 0 {
		gl43.BindBuffer(gl43.ARRAY_BUFFER, uint32(s.arrayBuffer))
	}
	if parts&pVertexArray != 0 {
		gl43.BindVertexArray(uint32(s.vertexArray))
	}
	if parts&pProgram != 0 {
		gl43.UseProgram(uint32(s.program))
	}
	if parts&pClearDepth != 0 {
		gl43.ClearDepth(s.clearDepth)
	}
	if parts&pClearColor != 0 {
		gl43.ClearColor(s.clearColor[0], s.clearColor[1], s.clearColor[2], s.clearColor[3])
	}
	if parts&pPointSize != 0 {
		enable(gl43.PROGRAM_POINT_SIZE, s.pointSize)
	}
	if parts&pCull != 0 {
		enable(gl43.CULL_FACE, s.cull)
	}
	if parts&pDepth != 0 {
		enable(gl43.DEPTH_TEST, s.depthTest)
		gl43.DepthMask(s.depthMask)
		gl43.DepthFunc(uint32(s.depthFunc))
	}
	if parts&pBlend != 0 {
		enable(gl43.BLEND, s.blend)
		gl43.BlendFuncSeparate(uint32(s.blendSrcRGB), uint32(s.blendDstRGB), uint32(s.blendSrcA), uint32(s.blendDstA))
		gl43.BlendEquationSeparate(uint32(s.blendEqRGB), uint32(s.eqA))
	}
	if parts&pScissor != 0 {
		enable(gl43.SCISSOR_TEST, s.scissorTest)
		gl43.Scissor(s.scissor[0], s.scissor[1], s.scissor[2], s.scissor[3])
	}
	if parts&pViewport != 0 {
		gl43.Viewport(s.viewport[0], s.viewport[1], s.viewport[2], s.viewport[3])
	}
}

// ReadPixels reads the pixels of r from the framebuffer bound for reading
// (a window's back buffer before its swap) as an image, top row first.
func ReadPixels(r Rect) (*image.RGBA, error) {
	if r.W < 1 || r.H < 1 {
		return nil, fmt.Errorf("gl: read pixels of an empty %dx%d rect", r.W, r.H)
	}
	raw := make([]byte, 4*r.W*r.H)
	restore := packState()
	gl43.ReadPixels(int32(r.X), int32(r.Y), int32(r.W), int32(r.H), gl43.RGBA, gl43.UNSIGNED_BYTE, gl43.Ptr(&raw[0]))
	restore()
	img := image.NewRGBA(image.Rect(0, 0, r.W, r.H))
	row := 4 * r.W
	for y := 0; y < r.H; y++ {
		copy(img.Pix[y*img.Stride:y*img.Stride+row], raw[(r.H-1-y)*row:(r.H-y)*row])
	}
	return img, glErr("read pixels")
}

// ReadDepth reads the depth buffer at pixel (x, y).
func ReadDepth(x, y int) (float32, error) {
	var d float32
	restore := packState()
	gl43.ReadPixels(int32(x), int32(y), 1, 1, gl43.DEPTH_COMPONENT, gl43.FLOAT, gl43.Ptr(&d))
	restore()
	return d, glErr("read depth")
}

// packState sets tightly packed read-back into client memory and returns
// what puts the pixel-pack state back.
func packState() (restore func()) {
	var packBuf, align, rowLen, skipRows, skipPix int32
	gl43.GetIntegerv(gl43.PIXEL_PACK_BUFFER_BINDING, &packBuf)
	gl43.GetIntegerv(gl43.PACK_ALIGNMENT, &align)
	gl43.GetIntegerv(gl43.PACK_ROW_LENGTH, &rowLen)
	gl43.GetIntegerv(gl43.PACK_SKIP_ROWS, &skipRows)
	gl43.GetIntegerv(gl43.PACK_SKIP_PIXELS, &skipPix)
	gl43.BindBuffer(gl43.PIXEL_PACK_BUFFER, 0)
	gl43.PixelStorei(gl43.PACK_ALIGNMENT, 1)
	gl43.PixelStorei(gl43.PACK_ROW_LENGTH, 0)
	gl43.PixelStorei(gl43.PACK_SKIP_ROWS, 0)
	gl43.PixelStorei(gl43.PACK_SKIP_PIXELS, 0)
	return func() {
		gl43.PixelStorei(gl43.PACK_ALIGNMENT, align)
		gl43.PixelStorei(gl43.PACK_ROW_LENGTH, rowLen)
		gl43.PixelStorei(gl43.PACK_SKIP_ROWS, skipRows)
		gl43.PixelStorei(gl43.PACK_SKIP_PIXELS, skipPix)
		gl43.BindBuffer(gl43.PIXEL_PACK_BUFFER, uint32(packBuf))
	}
}

// ReadFloats reads len(dst) floats of storage buffer buf, from float index
// first (a few cells of an evaluation's grid, say). OpenGL 4.3.
func ReadFloats(buf uint32, first int, dst []float32) error {
	if len(dst) == 0 {
		return nil
	}
	if buf == 0 || first < 0 {
		return fmt.Errorf("gl: read floats %d.. of buffer %d", first, buf)
	}
	var prev int32
	gl43.GetIntegerv(gl43.SHADER_STORAGE_BUFFER_BINDING, &prev)
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, buf)
	gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 4*first, 4*len(dst), gl43.Ptr(dst))
	gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, uint32(prev))
	return glErr("read floats")
}

// Framebuffer is an offscreen framebuffer of an RGBA8 colour renderbuffer
// and, when asked, a 24-bit depth one: to draw pictures without a window
// (tests).
type Framebuffer struct {
	fbo  uint32
	rb   [2]uint32
	prev int32
}

// NewFramebuffer makes a w×h framebuffer and binds it for drawing and
// reading; Delete binds back the one bound before.
func NewFramebuffer(w, h int, depth bool) (*Framebuffer, error) {
	if w < 1 || h < 1 {
		return nil, fmt.Errorf("gl: a %dx%d framebuffer", w, h)
	}
	f := &Framebuffer{}
	gl43.GetIntegerv(gl43.FRAMEBUFFER_BINDING, &f.prev)
	gl43.GenFramebuffers(1, &f.fbo)
	gl43.BindFramebuffer(gl43.FRAMEBUFFER, f.fbo)
	var prevRB int32
	gl43.GetIntegerv(gl43.RENDERBUFFER_BINDING, &prevRB)
	n := int32(1)
	if depth {
		n = 2
	}
	gl43.GenRenderbuffers(n, &f.rb[0])
	gl43.BindRenderbuffer(gl43.RENDERBUFFER, f.rb[0])
	gl43.RenderbufferStorage(gl43.RENDERBUFFER, gl43.RGBA8, int32(w), int32(h))
	gl43.FramebufferRenderbuffer(gl43.FRAMEBUFFER, gl43.COLOR_ATTACHMENT0, gl43.RENDERBUFFER, f.rb[0])
	if depth {
		gl43.BindRenderbuffer(gl43.RENDERBUFFER, f.rb[1])
		gl43.RenderbufferStorage(gl43.RENDERBUFFER, gl43.DEPTH_COMPONENT24, int32(w), int32(h))
		gl43.FramebufferRenderbuffer(gl43.FRAMEBUFFER, gl43.DEPTH_ATTACHMENT, gl43.RENDERBUFFER, f.rb[1])
	}
	gl43.BindRenderbuffer(gl43.RENDERBUFFER, uint32(prevRB))
	if s := gl43.CheckFramebufferStatus(gl43.FRAMEBUFFER); s != gl43.FRAMEBUFFER_COMPLETE {
		f.Delete()
		return nil, fmt.Errorf("gl: a %dx%d framebuffer is incomplete (status 0x%x)", w, h, s)
	}
	if err := glErr("new framebuffer"); err != nil {
		f.Delete()
		return nil, err
	}
	return f, nil
}

// Delete binds back the framebuffer bound before and frees this one; later
// calls do nothing.
func (f *Framebuffer) Delete() {
	if f == nil || f.fbo == 0 {
		return
	}
	gl43.BindFramebuffer(gl43.FRAMEBUFFER, uint32(f.prev))
	gl43.DeleteFramebuffers(1, &f.fbo)
	for _, rb := range f.rb {
		if rb != 0 {
			gl43.DeleteRenderbuffers(1, &rb)
		}
	}
	f.fbo, f.rb = 0, [2]uint32{}
}
