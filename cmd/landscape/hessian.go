package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

func hessianCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var (
		spec          host.HessianSpec
		set           client.Settings
		at            []float64
		atText        string
		asJSON        bool
		out, densOut  string
		width, height = 900, 550
	)
	c := &cobra.Command{
		Use:   "hessian SURFACE [--at P] [--top K] [--bottom K] [--trace] [--density out.png|out.csv] [--groups]",
		Short: "The Hessian at a point: eigenvalues, classification, spectra",
		Long: `Analyse SURFACE's Hessian at a point (--at; default: its first known minimum,
or the origin): the matrix itself (printed when small), every eigenvalue,
the classification (minimum, maximum, saddle with its index = the number of
negative eigenvalues, or degenerate, with a tolerance relative to the
largest |eigenvalue| that is printed), the condition number, the trace, the
fractions of positive and negative curvature, and the gradient's norm (a
note says when the point is not a critical point: the classification then
describes the curvature there, not a critical point). The Hessian comes
from the plugin's exact Hessian-vector products where it has them, else
from central differences of its gradient; the output says which.

The full eigendecomposition takes up to 2048 parameters (--max-dense). For
larger surfaces, and at any size on request, the matrix-free analyses use
Hessian-vector products, seeded by --seed: --top K and --bottom K
(Lanczos with full reorthogonalisation, with each pair's residual),
--trace (Hutchinson and Hutch++, Meyer et al. 2021, with standard errors),
--density FILE (the eigenvalue density by stochastic Lanczos quadrature,
Ghorbani et al. 2019: a .png over a log scale, or a .csv), --groups (the
top eigenvalue and trace of each parameter group's block: per-layer
spectra). --batch-size N analyses a mini-batch's loss (data-driven
surfaces).

Examples:
  landscape hessian himmelblau --at 3,2
  landscape hessian saddle --at 0,0 --json
  landscape hessian mlp --at trained.csv --top 5 --bottom 2 --trace --density spectrum.png
  landscape hessian mlp --at trained.csv --groups -o h.json`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := ""
			if out != "" {
				var err error
				if format, err = host.OutputFormat(out, ".json", ".npz"); err != nil {
					return err
				}
			}
			densFormat := ""
			if densOut != "" {
				var err error
				if densFormat, err = host.OutputFormat(densOut, ".png", ".csv"); err != nil {
					return err
				}
				spec.Density = true
			}
			ctx := cmd.Context()
			se, _, routed, err := routeSettings(ctx, app, args[0], nil, set)
			if err != nil {
				return err
			}
			if spec.Surface, err = app.Configure(ctx, se, routed.Surface); err != nil {
				return err
			}
			d := spec.Surface.Desc
			spec.At = at
			if spec.At == nil {
				spec.At = make([]float64, d.Dim)
				if len(d.Minima) > 0 {
					copy(spec.At, d.Minima[0].Location)
				}
			}
			var of, df *host.OutFile
			if out != "" {
				if of, err = host.CreateOutput(ctx, out); err != nil {
					return err
				}
				defer of.Abort()
			}
			if densOut != "" {
				if df, err = host.CreateOutput(ctx, densOut); err != nil {
					return err
				}
				defer df.Abort()
			}
			r, err := app.AnalyzeHessian(ctx, spec)
			if err != nil {
				return err
			}
			if asJSON {
				if err := host.WriteJSON(stdout, r.JSON(d.Dim <= 64)); err != nil {
					return err
				}
			} else {
				printHessian(stdout, r)
			}
			if of != nil {
				if format == ".json" {
					err = host.WriteJSON(of, r.JSON(true))
				} else {
					err = host.WriteHessianNPZ(of, r)
				}
				if err != nil {
					return fmt.Errorf("writing %s: %w", out, err)
				}
				if err := of.Commit(); err != nil {
					return err
				}
			}
			if df != nil {
				if densFormat == ".csv" {
					err = writeDensityCSV(df, r.Density)
				} else {
					dn := r.Density
					ch := render.Chart{Title: fmt.Sprintf("%s: eigenvalue density (SLQ, %d runs of %d steps)", d.Name, dn.Probes, dn.Steps),
						XLabel: "eigenvalue", YLabel: "density", LogY: true,
						Series: []render.Series{{X: dn.Lambda, Y: dn.Value, Colour: 5}}}
					err = render.ChartsPNG(df, width, height, ch)
				}
				if err != nil {
					return fmt.Errorf("writing %s: %w", densOut, err)
				}
				return df.Commit()
			}
			return nil
		},
	}
	fl := c.Flags()
	spec.Seed = 1
	fl.Var(pointFlag{&at, &atText}, "at", "the point: one value per parameter, or a trajectory/.npy file (default: the first known minimum, or the origin)")
	fl.Var(settingsFlag{&set}, "set", "hyperparameter name=value (repeat, or comma-separate)")
	fl.Var(intRange{&spec.Top, 0, 1 << 20}, "top", "Lanczos: this many of the largest eigenvalues, with residuals")
	fl.Var(intRange{&spec.Bottom, 0, 1 << 20}, "bottom", "Lanczos: this many of the smallest eigenvalues, with residuals")
	fl.BoolVar(&spec.Trace, "trace", false, "estimate the trace by Hutchinson and Hutch++, with standard errors")
	fl.Var(intRange{&spec.Queries, 3, 1 << 20}, "queries", "Hessian-vector products per trace estimate (default 99)")
	fl.StringVar(&densOut, "density", "", "the eigenvalue density by stochastic Lanczos quadrature: .png (log scale) or .csv")
	fl.Var(intRange{&spec.Probes, 1, 10000}, "probes", "SLQ runs (default 10)")
	fl.Var(intRange{&spec.Steps, 1, 100000}, "steps", "Lanczos steps per SLQ run (default 100, at most the dimension)")
	fl.BoolVar(&spec.Groups, "groups", false, "the top eigenvalue and trace of each parameter group's block (per-layer spectra)")
	fl.BoolVar(&spec.Dense, "dense", false, "also the full eigendecomposition when matrix-free analyses are asked for")
	fl.Var(intRange{&spec.MaxDense, 1, 1 << 16}, "max-dense", "the largest dimension of a full eigendecomposition (default 2048)")
	fl.Var(intRange{&spec.BatchSize, 1, 1 << 30}, "batch-size", "the Hessian of a mini-batch of this many samples (data-driven surfaces)")
	fl.Uint64Var(&spec.Seed, "seed", 1, "seed of random starts, probes and the mini-batch")
	fl.BoolVar(&asJSON, "json", false, "print JSON (with the matrix and eigenvectors up to 64 parameters)")
	fl.StringVarP(&out, "output", "o", "", "write the analysis: .json (everything) or .npz (hessian, eigenvalues, eigenvectors, lanczos_*, density_*)")
	fl.Var(intRange{&width, 200, 16384}, "width", "density image width in pixels")
	fl.Var(intRange{&height, 150, 16384}, "height", "density image height in pixels")
	return c
}

// printHessian prints the analysis for a person.
func printHessian(w io.Writer, r *host.HessianReport) {
	fmt.Fprintf(w, "%s at %s: loss %.6g, gradient norm %.3g\n", r.Surface, point(r.At), r.Loss, r.GradNorm)
	fmt.Fprintf(w, "  Hessian: %s\n", r.HVP)
	if r.Batch != nil {
		fmt.Fprintf(w, "  over a mini-batch of %d samples\n", len(r.Batch))
	}
	if s := r.Dense; s != nil {
		if s.NonFinite > 0 {
			fmt.Fprintf(w, "  the Hessian has %d non-finite entries: the surface is not twice differentiable here (every value below is NaN)\n", s.NonFinite)
		}
		if s.Dim <= 8 && s.Hessian != nil {
			fmt.Fprintln(w, "  Hessian:")
			for i := 0; i < s.Dim; i++ {
				var row []string
				for k := 0; k < s.Dim; k++ {
					row = append(row, fmt.Sprintf("%11.5g", s.Hessian.At(i, k)))
				}
				fmt.Fprintf(w, "    [%s ]\n", strings.Join(row, " "))
			}
		}
		fmt.Fprintf(w, "  eigenvalues (%d): %s\n", s.Dim, listValues(s.Values, 10))
		class := s.Class.String()
		if s.Class == hessian.Saddle {
			class += fmt.Sprintf(" of index %d", s.Index)
		}
		if s.Class == hessian.Undefined {
			fmt.Fprintln(w, "  no classification: the Hessian is not finite here")
			return
		}
		if r.Critical {
			fmt.Fprintf(w, "  a %s (critical point)\n", class)
		} else {
			fmt.Fprintf(w, "  curvature of a %s; note: the gradient does not vanish here, so this is not a critical point\n", class)
		}
		fmt.Fprintf(w, "  tolerance %.3g (%.0e of the largest |eigenvalue|, or the Hessian's asymmetry if larger)\n", s.Tol, s.RelTol)
		fmt.Fprintf(w, "  condition number %.4g, trace %.6g\n", s.Cond, s.Trace)
		fmt.Fprintf(w, "  curvature: %.1f%% positive, %.1f%% negative, %.1f%% zero\n", 100*s.Positive, 100*s.Negative, 100*s.Zero)
	}
	if e := r.Lanczos; e != nil {
		fmt.Fprintf(w, "  Lanczos (%d products, seed %d, tolerance %.3g):\n", e.Products, e.Seed, e.Tol)
		for _, side := range []struct {
			name  string
			pairs []hessian.Eigenpair
		}{{"top", e.Top}, {"bottom", e.Bottom}} {
			for i, p := range side.pairs {
				mark := ""
				if !p.Converged {
					mark = "  (not converged)"
				}
				fmt.Fprintf(w, "    %s %d: %.8g  residual %.2g%s\n", side.name, i+1, p.Value, p.Residual, mark)
			}
		}
	}
	for _, t := range []*hessian.Estimate{r.Hutchinson, r.HutchPP} {
		if t != nil {
			fmt.Fprintf(w, "  trace by %s: %.6g ± %.2g (standard error; %d products, seed %d)\n", t.Method, t.Value, t.StdErr, t.Products, t.Seed)
		}
	}
	if d := r.Density; d != nil {
		fmt.Fprintf(w, "  density by %s: %d runs of %d steps, mean %.6g (trace/n), kernel σ %.2g\n", d.Method, d.Probes, d.Steps, d.Mean, d.Sigma)
	}
	if len(r.Blocks) > 0 {
		fmt.Fprintln(w, "  per group:")
		for _, b := range r.Blocks {
			tr := fmt.Sprintf("%.6g", b.Trace.Value)
			if !b.Exact {
				tr += fmt.Sprintf(" ± %.2g", b.Trace.StdErr)
			}
			fmt.Fprintf(w, "    %-14s [%d,+%d)  top %.6g  trace %s\n", b.Group.Name, b.Group.Start, b.Group.Len, b.Top.Value, tr)
		}
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "  note: %s\n", m)
	}
}

// listValues writes values, the first and last few when there are more
// than n.
func listValues(v []float64, n int) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	var parts []string
	if len(v) <= n {
		for _, x := range v {
			parts = append(parts, f(x))
		}
		return strings.Join(parts, ", ")
	}
	for _, x := range v[:n/2] {
		parts = append(parts, f(x))
	}
	parts = append(parts, "…")
	for _, x := range v[len(v)-n/2:] {
		parts = append(parts, f(x))
	}
	return strings.Join(parts, ", ")
}

// writeDensityCSV writes lambda,density rows.
func writeDensityCSV(w io.Writer, d *hessian.Density) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("lambda,density\n")
	for i := range d.Lambda {
		bw.WriteString(strconv.FormatFloat(d.Lambda[i], 'g', -1, 64) + "," + strconv.FormatFloat(d.Value[i], 'g', -1, 64) + "\n")
	}
	return bw.Flush()
}
