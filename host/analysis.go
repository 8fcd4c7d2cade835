package host

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/sdk/client"
	"gonum.org/v1/gonum/floats"
)

// HessianSpec asks for an analysis of a surface's Hessian at a point. The
// zero values of the options ask for the defaults: a dense analysis when
// the dimension allows (MaxDense), nothing matrix-free.
type HessianSpec struct {
	Surface *Surface
	At      []float64
	// BatchSize > 0 takes the Hessian of a mini-batch's loss: batch 0 of
	// a shuffle seeded with Seed (see client.BatchIndices).
	BatchSize int
	// Dense asks for the full eigendecomposition; it is also done when no
	// matrix-free analysis is asked for. MaxDense bounds its dimension (0:
	// 2048).
	Dense    bool
	MaxDense int
	// Top and Bottom ask Lanczos for that many eigenpairs at each end.
	Top, Bottom int
	// Trace asks for Hutchinson's and Hutch++'s estimates with Queries
	// products each (0: 99).
	Trace   bool
	Queries int
	// Density asks for the spectral density by stochastic Lanczos
	// quadrature: Probes runs (0: 10) of Steps steps (0: 100, at most the
	// dimension).
	Density       bool
	Probes, Steps int
	// Groups asks for the top eigenvalue and trace of each parameter
	// group's block (Info.Groups).
	Groups bool
	// Seed seeds every random start and probe.
	Seed uint64
}

// HessianReport is an analysis of a Hessian at a point.
type HessianReport struct {
	Surface string
	At      []float64
	// Loss and GradNorm are at At; Critical says the gradient vanishes
	// there (|∇f| ≤ 1e-6·(1+|f|)), so that a classification describes a
	// critical point; InDomain says At lies in the surface's domain.
	Loss, GradNorm float64
	Critical       bool
	InDomain       bool
	// HVP says how the Hessian's products were computed.
	HVP string
	// Batch is the mini-batch's sample indices (nil: every sample).
	Batch []int

	Dense      *hessian.Spectrum
	Lanczos    *hessian.Eigs
	Hutchinson *hessian.Estimate
	HutchPP    *hessian.Estimate
	Density    *hessian.Density
	Blocks     []hessian.Block
	// Warnings say what to read with care (a Lanczos run that did not
	// converge, one that restarted, a point outside the domain).
	Warnings []string
}

// AnalyzeHessian runs the analyses the spec asks for.
func (a *App) AnalyzeHessian(ctx context.Context, spec HessianSpec) (*HessianReport, error) {
	s := spec.Surface
	d := s.Desc
	if len(spec.At) != d.Dim {
		return nil, badInput("point", "has %d values; %s has %d parameters", len(spec.At), d.Name, d.Dim)
	}
	for _, k := range []struct {
		input string
		n     int
	}{{"top", spec.Top}, {"bottom", spec.Bottom}} {
		if k.n < 0 || k.n > d.Dim {
			return nil, badInput(k.input, "%d: want 0 to %d (the dimension of %s)", k.n, d.Dim, d.Name)
		}
	}
	maxDense := spec.MaxDense
	if maxDense <= 0 {
		maxDense = hessian.DefaultMaxDense
	}
	dense := spec.Dense || (spec.Top == 0 && spec.Bottom == 0 && !spec.Trace && !spec.Density && !spec.Groups)
	if dense && d.Dim > maxDense {
		return nil, badInput("dense limit", "%d is below %s's %d parameters: ask for the extreme eigenvalues (top, bottom), the trace or the density instead", maxDense, d.Name, d.Dim)
	}
	r := &HessianReport{Surface: d.Name, At: spec.At, InDomain: true}
	for k, v := range spec.At {
		if iv := d.Domain[k]; v < iv.Lo || v > iv.Hi {
			r.InDomain = false
			r.Warnings = append(r.Warnings, fmt.Sprintf("x%d=%g is outside %s's domain [%g, %g]", k, v, d.Name, iv.Lo, iv.Hi))
			break
		}
	}
	var b *client.MiniBatch
	if spec.BatchSize > 0 {
		if d.Samples == 0 {
			return nil, badInput("batch size", "%d: %s has no mini-batches (it is not a data-driven surface)", spec.BatchSize, d.Name)
		}
		if spec.BatchSize > d.Samples {
			return nil, badInput("batch size", "%d: %s has %d samples", spec.BatchSize, d.Name, d.Samples)
		}
		r.Batch = client.BatchIndices(d.Samples, spec.BatchSize, spec.Seed, 0)
		b = &client.MiniBatch{Size: len(r.Batch)}
		for _, i := range r.Batch {
			b.Index = append(b.Index, int32(i))
		}
	}
	p := client.Points{Ref: s.Ref, Dim: d.Dim, Points: spec.At, Batch: b}
	l, g, err := s.gradient(ctx, p)
	if err != nil {
		return nil, err
	}
	r.Loss, r.GradNorm = l[0], floats.Norm(g, 2)
	r.Critical = r.GradNorm <= 1e-6*(1+math.Abs(r.Loss))
	op, err := a.HessianOperator(ctx, s, spec.At, b)
	if err != nil {
		return nil, err
	}
	r.HVP = hessian.Describe(op)
	if dense {
		if r.Dense, err = hessian.AnalyzeOperator(ctx, op, hessian.DenseSettings{MaxDim: maxDense}); err != nil {
			return nil, err
		}
	}
	if spec.Top > 0 || spec.Bottom > 0 {
		e, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: spec.Top, Bottom: spec.Bottom, Seed: spec.Seed})
		switch {
		case errors.Is(err, hessian.ErrNotConverged):
			r.Warnings = append(r.Warnings, fmt.Sprintf("Lanczos did not converge within %d products: read the residuals", e.Products))
		case err != nil:
			return nil, a.hessianError(err)
		}
		if e.Restarts > 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("Lanczos restarted %d times: the spectrum has repeated eigenvalues, and an end may hold fewer copies than it should", e.Restarts))
		}
		r.Lanczos = e
	}
	if spec.Trace {
		ts := hessian.TraceSettings{Queries: spec.Queries, Seed: spec.Seed}
		if r.Hutchinson, err = hessian.Hutchinson(ctx, op, ts); err != nil {
			return nil, a.hessianError(err)
		}
		if r.HutchPP, err = hessian.HutchPP(ctx, op, ts); err != nil {
			return nil, a.hessianError(err)
		}
	}
	if spec.Density {
		steps := spec.Steps
		if steps == 0 {
			steps = min(100, d.Dim)
		}
		if r.Density, err = hessian.SLQ(ctx, op, hessian.DensitySettings{Probes: spec.Probes, Steps: steps, Seed: spec.Seed}); err != nil {
			return nil, a.hessianError(err)
		}
	}
	if spec.Groups {
		if len(d.Groups) == 0 {
			return nil, badInput("groups", "are not declared by %s", d.Name)
		}
		if r.Blocks, err = hessian.Blocks(ctx, op, d.Groups, hessian.BlockSettings{Lanczos: hessian.LanczosSettings{Seed: spec.Seed}, Trace: hessian.TraceSettings{Seed: spec.Seed}}); err != nil {
			return nil, a.hessianError(err)
		}
	}
	return r, nil
}

// hessianError says what a matrix-free analysis's non-finite product means.
func (a *App) hessianError(err error) error {
	if errors.Is(err, hessian.ErrNonFinite) {
		return fmt.Errorf("%w (the surface is not twice differentiable at the point, or overflows there)", err)
	}
	return err
}
