package view

import (
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/shaders"
)

// Camera is an orbit camera around the centre of the unit box the surface
// is drawn in (x and y in [-0.5, 0.5], z in [0, 0.6], z up). Yaw turns
// about the vertical axis, Pitch raises the eye above the base plane, both
// in radians; Distance is from the box's centre, in box units.
type Camera struct{ Yaw, Pitch, Distance float64 }

// Camera limits: Orbit keeps Pitch in [minPitch, maxPitch] (the eye stays
// above the base and short of straight down); Dolly keeps Distance in
// [minDistance, maxDistance].
const (
	minPitch, maxPitch       = 0.05, 1.5
	minDistance, maxDistance = 1.2, 10
	orbitRadPerPixel         = 0.01
	meshFOV                  = 30 * math.Pi / 180
)

// DefaultCamera is the starting view: from the front right and above, the
// grid's x axis running mostly left to right and y away from the eye (as
// matplotlib's default 3D view), the whole box in sight in a wide or a
// tall viewport.
func DefaultCamera() Camera { return Camera{Yaw: -1.0, Pitch: 0.75, Distance: 3.2} }

// Orbit turns the camera for a drag of (dx, dy) pixels in window
// coordinates (y down): dragging right turns the surface with the cursor,
// dragging down looks more from above. Pitch is clamped to [0.05, 1.5].
func (c *Camera) Orbit(dx, dy float64) {
	if math.IsNaN(dx) || math.IsInf(dx, 0) || math.IsNaN(dy) || math.IsInf(dy, 0) {
		return
	}
	c.Yaw = math.Remainder(c.Yaw-dx*orbitRadPerPixel, 2*math.Pi)
	c.Pitch = min(max(c.Pitch+dy*orbitRadPerPixel, minPitch), maxPitch)
}

// Dolly zooms by f: f > 1 moves the eye closer (Distance / f). Distance is
// clamped to [1.2, 10]; f that is not a positive finite number is ignored.
func (c *Camera) Dolly(f float64) {
	if !(f > 0) || math.IsInf(f, 0) {
		return
	}
	c.Distance = min(max(c.Distance/f, minDistance), maxDistance)
}

// meshHeight is the surface's height in the box at the top of the range
// (the shaders' HEIGHT).
const meshHeight = 0.6

// eye is the camera's position in world space, around the box's centre.
func (c Camera) eye() vec3 {
	cp := math.Cos(c.Pitch)
	return vec3{
		c.Distance * cp * math.Cos(c.Yaw),
		c.Distance * cp * math.Sin(c.Yaw),
		meshHeight/2 + c.Distance*math.Sin(c.Pitch),
	}
}

// basis is the camera's eye and its right, up and forward unit vectors in
// world space.
func (c Camera) basis() (eye, s, u, f vec3) {
	eye = c.eye()
	centre := vec3{0, 0, meshHeight / 2}
	f = centre.sub(eye).unit()
	s = f.cross(vec3{0, 0, 1}).unit()
	u = s.cross(f)
	return eye, s, u, f
}

// Clip planes of the camera's projection.
const meshNear, meshFar = 0.05, 50.0

// focal is the projection's focal lengths in x and y for a viewport of
// the given aspect: the vertical field of view is meshFOV when the
// viewport is wide; when it is tall the horizontal one is, so the box
// fits either way.
func focal(aspect float64) (fx, fy float64) {
	fl := 1 / math.Tan(meshFOV/2)
	if aspect < 1 {
		return fl, fl * aspect
	}
	return fl / aspect, fl
}

// transform is the camera's world → clip transform for a viewport of the
// given aspect (width / height), column-major.
func (c Camera) transform(aspect float64) [16]float64 {
	eye, s, u, f := c.basis()
	// View matrix rows: s, u, -f, with the eye moved to the origin.
	view := [4][4]float64{
		{s[0], s[1], s[2], -s.dot(eye)},
		{u[0], u[1], u[2], -u.dot(eye)},
		{-f[0], -f[1], -f[2], f.dot(eye)},
		{0, 0, 0, 1},
	}
	fx, fy := focal(aspect)
	near, far := meshNear, meshFar
	proj := [4][4]float64{
		{fx, 0, 0, 0},
		{0, fy, 0, 0},
		{0, 0, (far + near) / (near - far), 2 * far * near / (near - far)},
		{0, 0, -1, 0},
	}
	var out [16]float64
	for col := 0; col < 4; col++ {
		for row := 0; row < 4; row++ {
			var v float64
			for k := 0; k < 4; k++ {
				v += proj[row][k] * view[k][col]
			}
			out[col*4+row] = v
		}
	}
	return out
}

// matrix is transform in float32, for glUniformMatrix4fv.
func (c Camera) matrix(aspect float64) [16]float32 {
	var out [16]float32
	for i, v := range c.transform(aspect) {
		out[i] = float32(v)
	}
	return out
}

// project maps world point p to normalised device coordinates (x and y
// in [-1, 1] across the viewport, z the depth in [-1, 1]); ok is false
// for a point behind the eye.
func (c Camera) project(p vec3, aspect float64) (ndc vec3, ok bool) {
	m := c.transform(aspect)
	var q [4]float64
	for row := 0; row < 4; row++ {
		q[row] = m[row]*p[0] + m[4+row]*p[1] + m[8+row]*p[2] + m[12+row]
	}
	if q[3] <= 0 {
		return ndc, false
	}
	return vec3{q[0] / q[3], q[1] / q[3], q[2] / q[3]}, true
}

// unproject is the world point seen at normalised device coordinates
// (x, y) at depth-buffer value d in [0, 1] (the inverse of project).
func (c Camera) unproject(x, y, d, aspect float64) vec3 {
	eye, s, u, f := c.basis()
	z := 2*d - 1
	near, far := meshNear, meshFar
	ze := 2 * far * near / (z*(far-near) - (far + near)) // eye-space z, negative ahead
	fx, fy := focal(aspect)
	xe, ye := x*-ze/fx, y*-ze/fy
	return vec3{
		eye[0] + s[0]*xe + u[0]*ye - f[0]*ze,
		eye[1] + s[1]*xe + u[1]*ye - f[1]*ze,
		eye[2] + s[2]*xe + u[2]*ye - f[2]*ze,
	}
}

// vec3 is a point or direction in the box's world space.
type vec3 [3]float64

func (a vec3) sub(b vec3) vec3    { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func (a vec3) dot(b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec3) cross(b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func (a vec3) unit() vec3 {
	n := math.Sqrt(a.dot(a))
	return vec3{a[0] / n, a[1] / n, a[2] / n}
}

// meshLight is the direction towards the fixed light: above, a little to
// the grid's low-x, low-y side, so that slopes facing different ways shade
// differently.
var meshLight = vec3{-0.35, -0.45, 0.82}.unit()

// Mesh range of lattice sizes NewMesh accepts.
const minMeshRes, maxMeshRes = 2, 2048

// Mesh draws a heightfield straight from an evaluation buffer: one vertex
// per sample of a res×res lattice over the evaluated nx×ny grid (the
// values interpolated bilinearly between cell centres, which keeps the
// slopes and so the shading smooth where lattice and grid differ in size;
// the nearest cell's beside an undefined one), x and y spanning
// [-0.5, 0.5], height (value − lo)/(hi − lo) (log scale like the 2D view's
// when asked) scaled by 0.6, NaN samples dropped (the triangles touching
// them discarded), coloured by a colormap table
// and lit (ambient + Lambert diffuse from a fixed light + a little
// specular; normals from the neighbouring samples), with depth testing.
// Positions come from gl_VertexID and the storage buffer; the only buffer
// Mesh owns is the lattice's index buffer. Use it on the GL thread.
type Mesh struct {
	// Outline draws the box's twelve edges for orientation (NewMesh sets
	// it).
	Outline bool

	prog    *gl.DrawProgram
	lattice *gl.VertexArray
	res     int
}

// NewMesh builds the program and the index buffer of a res×res lattice
// (res from 2 to 2048; 256 is plenty for a window). GL thread, inside
// Context.Do; Delete it there too. A shader build error wraps
// gl.ErrCompile.
func NewMesh(res int) (*Mesh, error) {
	if res < minMeshRes || res > maxMeshRes {
		return nil, fmt.Errorf("view: mesh resolution %d: must be from %d to %d", res, minMeshRes, maxMeshRes)
	}
	vs, fs := shaders.Mesh()
	prog, err := gl.BuildDrawProgram("viewer 3D surface", vs, fs)
	if err != nil {
		return nil, err
	}
	m := &Mesh{Outline: true, prog: prog, res: res}
	idx := make([]uint32, 0, 6*(res-1)*(res-1))
	for j := 0; j < res-1; j++ {
		for i := 0; i < res-1; i++ {
			a := uint32(j*res + i)
			b, c, d := a+1, a+uint32(res), a+uint32(res)+1
			// Alternate the diagonals so that no direction is favoured.
			if (i+j)%2 == 0 {
				idx = append(idx, a, b, d, a, d, c)
			} else {
				idx = append(idx, a, b, c, b, d, c)
			}
		}
	}
	if m.lattice, err = gl.NewVertexArray(0); err == nil {
		err = m.lattice.SetIndices(idx)
	}
	if err != nil {
		m.Delete()
		return nil, fmt.Errorf("view: mesh: %w", err)
	}
	return m, nil
}

// Delete frees the program and buffers; the Mesh is unusable after.
// GL thread.
func (m *Mesh) Delete() {
	m.prog.Delete()
	m.lattice.Delete()
	m.prog, m.lattice = nil, nil
}

// Draw draws the surface held in buf (nx×ny float32 values, row-major
// y-by-x, NaN where undefined, as Evaluator.EvalOnGPU leaves them) into the
// framebuffer rect (x, y, w, h), origin bottom-left, seen by cam. Values
// map to height and colour through [lo, hi] (log scale when logScale);
// cmap is 32 RGB triples (96 floats) in 0..1. Draw clears the depth buffer
// inside the rect, leaves every pixel outside it alone, and draws in a pass
// of its own, which puts back the GL state it changes. The bound
// framebuffer needs a depth buffer. GL thread.
func (m *Mesh) Draw(buf uint32, nx, ny int, lo, hi float32, logScale bool, cmap []float32, cam Camera, x, y, w, h int) error {
	switch {
	case m.prog == nil:
		return fmt.Errorf("view: mesh used after Delete")
	case buf == 0:
		return fmt.Errorf("view: mesh: no buffer to draw")
	case nx < 1 || ny < 1:
		return fmt.Errorf("view: mesh: grid %dx%d is empty", nx, ny)
	case len(cmap) != 96:
		return fmt.Errorf("view: mesh: colormap table has %d values, want 96 (32 RGB triples)", len(cmap))
	case w < 1 || h < 1:
		return fmt.Errorf("view: mesh: viewport %dx%d is empty", w, h)
	}
	if !(hi >= lo) {
		lo, hi = 0, 1 // NaN bounds: nothing finite to scale by
	}
	p := gl.BeginPass("viewer 3D surface")
	r := gl.Rect{X: x, Y: y, W: w, H: h}
	p.Set(gl.Settings{Viewport: r, Scissor: r, DepthTest: true})
	p.ClearDepth(1)
	p.Use(m.prog)
	p.SetInt("ls_n", nx, ny)
	p.SetInt("ls_res", m.res)
	p.SetFloat("ls_lo", lo)
	p.SetFloat("ls_hi", hi)
	p.SetInt("ls_log", b2i(logScale))
	p.SetMat4("ls_mvp", cam.matrix(float64(w)/float64(h)))
	p.SetVec3s("ls_cmap", cmap)
	e := cam.eye()
	p.SetFloat("ls_eye", float32(e[0]), float32(e[1]), float32(e[2]))
	p.SetFloat("ls_light", float32(meshLight[0]), float32(meshLight[1]), float32(meshLight[2]))
	p.SetFloat("ls_ink", 0.35, 0.35, 0.35)
	p.BindStorage(buf)
	p.SetInt("ls_box", 0)
	p.DrawIndexed(m.lattice, gl.Triangles)
	if m.Outline {
		p.SetInt("ls_box", 1)
		p.Draw(m.lattice, gl.Lines, 0, 24)
	}
	if err := p.End(); err != nil {
		return fmt.Errorf("view: mesh: %w", err)
	}
	return nil
}
