package gl

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/shaders"
)

// StepSpec is a batch of optimizer runs to step on the GPU.
type StepSpec struct {
	// Surface supplies loss() (its GLSL) and its hyperparameter constants.
	Surface compute.Kernel
	// OptName names the optimizer in errors; OptGLSL is its step function
	// (sdk.OptimizerWithGLSL) and OptConsts its hyperparameters.
	OptName   string
	OptGLSL   string
	OptConsts []compute.Const
	// Starts holds one point of Surface.Dim values per run.
	Starts []float64
	Steps  int
	// Progress, when set, is told the steps done so far.
	Progress func(done, total int)
}

var nstateRE = regexp.MustCompile(`#define\s+NSTATE\s+(.+)`)

// nstate evaluates the snippet's NSTATE for dim: a whole number, DIM, or
// (k * DIM), the forms the SDK documents as examples.
func nstate(src string, dim int) (int, error) {
	m := nstateRE.FindStringSubmatch(src)
	if m == nil {
		return 0, fmt.Errorf("defines no NSTATE")
	}
	e := regexp.MustCompile(`\s+`).ReplaceAllString(m[1], "")
	if i := len(e); i > 1 && e[0] == '(' && e[i-1] == ')' {
		e = e[1 : i-1]
	}
	if e == "DIM" {
		return dim, nil
	}
	if n, err := strconv.Atoi(e); err == nil && n >= 0 {
		return n, nil
	}
	if k, ok := cutSuffix(e, "*DIM"); ok {
		if n, err := strconv.Atoi(k); err == nil && n >= 0 {
			return n * dim, nil
		}
	}
	return 0, fmt.Errorf("NSTATE %q is not a whole number, DIM or k*DIM", m[1])
}

func cutSuffix(s, suf string) (string, bool) {
	if len(s) >= len(suf) && s[len(s)-len(suf):] == suf {
		return s[:len(s)-len(suf)], true
	}
	return s, false
}

// MaxStepDim bounds the parameters of GPU batch runs: the kernel keeps
// per-run arrays of DIM floats, and shader compilers slow down steeply as
// they grow (llvmpipe took 1.8 s to build one at 114 parameters, 9 s at
// 218).
const MaxStepDim = 128

// ErrTooManyParams: a surface has more parameters than a GPU kernel takes.
var ErrTooManyParams = errors.New("gl: too many parameters")

// ErrLoopsCut: the driver cut a kernel's loops short (llvmpipe ends an
// invocation's loops after 65535 iterations in all), so its results are
// not the kernel's.
var ErrLoopsCut = errors.New("gl: the driver cut the kernel's loops short (llvmpipe runs at most 65535 loop iterations per invocation)")

// maxStepsPerDispatch bounds the steps one invocation takes in a dispatch:
// the steps loop itself counts toward a driver's limit on loop iterations.
const maxStepsPerDispatch = 256

// StepRuns takes Steps steps of every run on the GPU (gradients by central
// differences of the surface's GLSL, in float32) and returns the final
// points (runs·dim) and losses. Work is split into dispatches of bounded
// size (DispatchWork loss evaluations).
func (e *Evaluator) StepRuns(ctx context.Context, s StepSpec) (x []float32, loss []float32, err error) {
	d := s.Surface
	dim := d.Dim
	if d.GLSL == "" {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoGLSL, d.Name)
	}
	if s.OptGLSL == "" {
		return nil, nil, fmt.Errorf("%w: optimizer %s has no GPU step function", ErrNoGLSL, s.OptName)
	}
	if dim < 1 || len(s.Starts) == 0 || len(s.Starts)%dim != 0 || s.Steps < 0 {
		return nil, nil, fmt.Errorf("gl: %d start values for dimension %d, %d steps", len(s.Starts), dim, s.Steps)
	}
	if dim > MaxStepDim {
		return nil, nil, fmt.Errorf("%w: %s has %d parameters; the GPU batch kernel takes at most %d", ErrTooManyParams, d.Name, dim, MaxStepDim)
	}
	ns, err := nstate(s.OptGLSL, dim)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: optimizer %s: %v", ErrCompile, s.OptName, err)
	}
	runs := len(s.Starts) / dim
	consts := append(shaders.Used(surfaceConsts(d), d.GLSL), shaders.Used(constsOf(s.OptConsts), s.OptGLSL)...)
	if err := e.CheckData(d); err != nil {
		return nil, nil, err
	}
	src, err := shaders.Step(d.GLSL, s.OptGLSL, dim, len(d.Data), consts)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: surface %s with optimizer %s: %v", ErrCompile, d.Name, s.OptName, err)
	}
	loss = make([]float32, runs)
	err = e.c.Do(func() error {
		p, _, err := e.cached("surface "+d.Name+" with optimizer "+s.OptName, src.Source, []string{"ls_runs", "ls_run0", "ls_t0", "ls_steps", "ls_two"})
		if err != nil {
			return err
		}
		// Five buffers: points, state, data, losses, the loops-cut flag;
		// kept apart from the evaluation's so that both can be reused.
		var bx, bs, bd, bf, bc buffer
		defer func() { bx.delete(); bs.delete(); bd.delete(); bf.delete(); bc.delete() }()
		bd.bind(2, 4*len(d.Data), ptr(d.Data))
		bf.bind(3, runs*4, nil)
		gl43.UseProgram(p.id)
		u := p.uniforms
		gl43.Uniform1ui(u["ls_runs"], uint32(runs))
		gl43.Uniform1i(u["ls_two"], 2)
		// Work of one run-step: 2·dim+1 loss evaluations.
		_, work := e.limits(1)
		per := max(int64(1), work/int64(2*dim+1))
		k := int(max(1, min(int64(max(s.Steps, 1)), per/int64(runs), maxStepsPerDispatch)))
		chunk := int(min(int64(runs), per, int64(e.c.info.MaxWorkGroupCount[0])*shaders.StepLocalX))
		if chunk < runs {
			// Whole work groups: the kernel steps every run of its groups
			// below ls_runs, so a partial group would step the next
			// chunk's first runs too, twice per step.
			chunk = max(shaders.StepLocalX, chunk-chunk%shaders.StepLocalX)
		}
		// run steps every run from its start, k steps per dispatch; it
		// stops early, reporting cut, when the driver cut a dispatch's
		// loops short (see ls_loops_cut).
		run := func(k int) (cut bool, err error) {
			x = f32(s.Starts)
			bx.bind(0, len(x)*4, ptr(x))
			zero := make([]float32, runs*(ns+1))
			bs.bind(1, len(zero)*4, ptr(zero))
			flag := []uint32{0}
			bc.bind(4, 4, unsafe.Pointer(&flag[0]))
			for t := 0; t < s.Steps || t == 0; t += k {
				n := min(k, s.Steps-t)
				if s.Steps == 0 {
					n = 0
				}
				for r0 := 0; r0 < runs; r0 += chunk {
					if err := ctx.Err(); err != nil {
						gl43.Finish()
						return false, err
					}
					m := min(chunk, runs-r0)
					gl43.Uniform1ui(u["ls_run0"], uint32(r0))
					gl43.Uniform1i(u["ls_t0"], int32(t))
					gl43.Uniform1i(u["ls_steps"], int32(n))
					gl43.DispatchCompute(uint32((m+shaders.StepLocalX-1)/shaders.StepLocalX), 1, 1)
					gl43.MemoryBarrier(gl43.SHADER_STORAGE_BARRIER_BIT)
					gl43.Flush()
				}
				if err := e.c.check("step dispatch"); err != nil {
					return false, err
				}
				// Every round does the same work, so a cut shows in the
				// first; reading the flag waits for the round.
				gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
				gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, bc.id)
				gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, 4, unsafe.Pointer(&flag[0]))
				if flag[0] != 0 {
					return true, nil
				}
				if s.Progress != nil {
					s.Progress(min(t+n, s.Steps), s.Steps)
				}
				if s.Steps == 0 {
					break
				}
			}
			return false, nil
		}
		for {
			cut, err := run(k)
			if err != nil {
				return err
			}
			if !cut {
				break
			}
			if k == 1 {
				return fmt.Errorf("%w: one step of %s with optimizer %s is more than this driver runs in one invocation", ErrLoopsCut, d.Name, s.OptName)
			}
			k = max(1, k/4)
		}
		gl43.MemoryBarrier(gl43.BUFFER_UPDATE_BARRIER_BIT)
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, bx.id)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, len(x)*4, unsafe.Pointer(&x[0]))
		gl43.BindBuffer(gl43.SHADER_STORAGE_BUFFER, bf.id)
		gl43.GetBufferSubData(gl43.SHADER_STORAGE_BUFFER, 0, runs*4, unsafe.Pointer(&loss[0]))
		return e.c.check("step read back")
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	return x, loss, nil
}
