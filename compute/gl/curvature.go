package gl

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/shaders"
)

var curvatureUniforms = []string{"ls_nx", "ls_ny", "ls_first", "ls_tile0", "ls_npts", "ls_x0", "ls_dx", "ls_x1", "ls_y0", "ls_dy", "ls_y1", "ls_two"}

// Curvatures evaluates, at every point of g, the loss, the gradient's norm
// and the plane Hessian of the kernel's surface on the GPU (float32):
// from central differences of the snippet's grad() when it defines one,
// else from differences of its loss() (the result's Method says which).
// Work is cut into tiles and bounded dispatches as Evaluate's is.
func (e *Evaluator) Curvatures(ctx context.Context, d compute.Kernel, g compute.Grid, o compute.Options) (*compute.Curvatures, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("gl: %w", err)
	}
	if d.Dim != g.Dim() {
		return nil, fmt.Errorf("gl: grid has dimension %d, surface %s has %d", g.Dim(), d.Name, d.Dim)
	}
	if d.GLSL == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoGLSL, d.Name)
	}
	if d.Dim > MaxStepDim {
		return nil, fmt.Errorf("%w: %s has %d parameters; the GPU curvature kernel takes at most %d", ErrTooManyParams, d.Name, d.Dim, MaxStepDim)
	}
	c := compute.NewCurvatures(g)
	c.Method = "loss differences"
	if shaders.HasGrad(d.GLSL) {
		c.Method = "gradient differences"
	}
	var t compute.Timing
	err := e.c.Do(func() error { return e.curvatures(ctx, d, g, c, o, &t) })
	if o.Timing != nil {
		*o.Timing = t
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", compute.ErrCanceled, ctx.Err())
		}
		return nil, err
	}
	return c, nil
}

// curvatures runs the curvature kernel tile by tile into c. GL thread.
func (e *Evaluator) curvatures(ctx context.Context, d compute.Kernel, g compute.Grid, c *compute.Curvatures, o compute.Options, t *compute.Timing) error {
	src, err := shaders.Curvature(d.GLSL, d.Dim, len(d.Data), surfaceConsts(d))
	if err != nil {
		return fmt.Errorf("%w: surface %s: %v", ErrCompile, d.Name, err)
	}
	p, compile, err := e.cached("curvature of surface "+d.Name, src.Source, curvatureUniforms)
	t.Compile = compile
	if err != nil {
		return err
	}
	if err := e.bindData(d); err != nil {
		return err
	}
	const per = 5 // floats per point
	tileBytes, work := e.limits(d.Dim)
	// Each point costs about 5 gradients (or 2·DIM + 9 losses).
	work = max(1, work/(2*int64(per)))
	n := g.Len()
	tile := int(max(1, min(int64(n), tileBytes/(4*per))))
	disp := int(max(1, min(int64(tile), work, int64(e.c.info.MaxWorkGroupCount[0])*shaders.CurvatureLocalX)))
	in := f32(append(append(append([]float64{}, g.Origin...), g.U...), g.V...))
	e.bufs[1].bind(1, 4*len(in), ptr(in))
	e.bufs[0].bind(0, tile*per*4, nil)
	// The loops-cut flag (see ls_loops_cut).
	var cut buffer
	defer cut.delete()
	flag := []uint32{0}
	cut.bind(3, 4, unsafe.Pointer(&flag[0]))
	gl43.UseProgram(p.id)
	u := p.uniforms
	gl43.Uniform1i(u["ls_two"], 2)
	gl43.Uniform1ui(u["ls_nx"], uint32(g.Nx))
	gl43.Uniform1ui(u["ls_ny"], uint32(g.Ny))
	gl43.Uniform1f(u["ls_x0"], float32(g.X.Lo))
	gl43.Uniform1f(u["ls_dx"], float32((g.X.Hi-g.X.Lo)/float64(g.Nx-1)))
	gl43.Uniform1f(u["ls_x1"], float32(g.X.Hi))
	gl43.Uniform1f(u["ls_y0"], float32(g.Y.Lo))
	gl43.Uniform1f(u["ls_dy"], float32((g.Y.Hi-g.Y.Lo)/float64(g.Ny-1)))
	gl43.Uniform1f(u["ls_y1"], float32(g.Y.Hi))
	if err := e.c.check("uniforms"); err != nil {
		return err
	}
	out := make([]float32, tile*per)
	for k0 := 0; k0 < n; k0 += tile {
		m := min(tile, n-k0)
		gl43.Uniform1ui(u["ls_tile0"], uint32(k0))
		gl43.Uniform1ui(u["ls_npts"], uint32(m))
		start := time.Now()
		for k := k0; k < k0+m; k += disp {
			if err := ctx.Err(); err != nil {
				gl43.Finish()
				return err
			}
			cnt := min(disp, k0+m-k)
			gl43.Uniform1ui(u["ls_first"], uint32(k))
			gl43.DispatchCompute(uint32((cnt+shaders.CurvatureLocalX-1)/shaders.CurvatureLocalX), 1, 1)
			gl43.Flush()
			if err := e.c.check("dispatch"); err != nil {
				return err
			}
		}
		gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
		gl43.Finish()
		t.Kernel += time.Since(start)
		start = time.Now()
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, cut.id)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, 4, unsafe.Pointer(&flag[0]))
		if flag[0] != 0 {
			return fmt.Errorf("%w: the curvature of %s at one point is more than this driver runs in one invocation", ErrLoopsCut, d.Name)
		}
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, e.bufs[0].id)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, m*per*4, unsafe.Pointer(&out[0]))
		if err := e.c.check("read back"); err != nil {
			return err
		}
		for k := 0; k < m; k++ {
			q := out[k*per : (k+1)*per]
			c.Loss[k0+k], c.GradNorm[k0+k], c.Huu[k0+k], c.Huv[k0+k], c.Hvv[k0+k] = q[0], q[1], q[2], q[3], q[4]
		}
		t.Readback += time.Since(start)
		if o.Progress != nil {
			o.Progress(k0+m, n)
		}
	}
	return nil
}
