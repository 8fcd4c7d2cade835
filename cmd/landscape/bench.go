package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

func benchCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		reps          = 5
		asJSON, quiet bool
		o             host.BenchOptions
	)
	c := &cobra.Command{
		Use:   "bench",
		Short: "Time the evaluation backends on a standard suite",
		Long: `Time grid evaluation on a standard suite: ` + strings.Join(host.BenchSurfaces(), ", ") + `
at ` + resList(host.BenchRes()) + `, on every backend available (cpu through the
plugin process, as eval does; gl on the GPU). Backends take turns within every
round, and each figure is the median of the rounds. GL rows also give the
kernels' time and the copy back from the GPU.

Examples:
  landscape bench
  landscape bench --surfaces rastrigin,ripple --res 2048x2048 --reps 9
  landscape bench --json > bench.json
  landscape bench --surfaces mlp --res 256x256 --set n=10000 --backends gl,cpu,points --reps 3`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Reps = reps
			if !quiet {
				o.Log = stderr
			}
			results, err := app.Bench(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				return host.WriteJSON(stdout, results)
			}
			cpu := map[string]float64{}
			for _, r := range results {
				if r.Backend == "cpu" {
					cpu[fmt.Sprintf("%s %dx%d", r.Surface, r.Nx, r.Ny)] = r.MedianMS
				}
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "SURFACE\tNX\tNY\tBACKEND\tMEDIAN_MS\tMEVALS/S\tMSAMPLES/S\tKERNEL_MS\tREADBACK_MS\tVS_CPU\t")
			for _, r := range results {
				k, rb, vs, ms := "-", "-", "-", "-"
				if r.MsamplesPerS > 0 {
					ms = fmt.Sprintf("%.1f", r.MsamplesPerS)
				}
				if r.KernelMS != nil {
					k, rb = fmt.Sprintf("%.2f", *r.KernelMS), fmt.Sprintf("%.2f", *r.ReadbackMS)
				}
				if c, ok := cpu[fmt.Sprintf("%s %dx%d", r.Surface, r.Nx, r.Ny)]; ok && r.Backend != "cpu" {
					vs = fmt.Sprintf("%.1fx", c/r.MedianMS)
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.2f\t%.3g\t%s\t%s\t%s\t%s\t\n", r.Surface, r.Nx, r.Ny, r.Backend, r.MedianMS, r.MevalsPerS, ms, k, rb, vs)
			}
			return tw.Flush()
		},
	}
	fl := c.Flags()
	fl.Var(listFlag{&o.Surfaces}, "surfaces", "comma-separated surfaces (default: the standard suite)")
	fl.Var(resListFlag{&o.Res}, "res", "comma-separated resolutions NXxNY (default: 512x512 to 4096x4096)")
	fl.Var(choicesFlag{&o.Backends, host.BenchBackends()}, "backends", "comma-separated backends: cpu, gl, points (one plugin call per grid point) (default: cpu and gl when available)")
	fl.Var(intRange{&reps, 1, 1000}, "reps", "timed rounds")
	fl.Var(settingsFlag{&o.Settings}, "set", "hyperparameter name=value for the surfaces (repeat, or comma-separate)")
	fl.BoolVar(&asJSON, "json", false, "print a JSON array of {surface, nx, ny, backend, median_ms, mevals_per_s, kernel_ms, readback_ms}")
	fl.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	return c
}

// resList writes resolutions as --res reads them.
func resList(rs []host.Res) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%dx%d", r.Nx, r.Ny)
	}
	return strings.Join(parts, ", ")
}
