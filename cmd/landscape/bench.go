package main

import (
	"fmt"
	"io"
	"os"
	"slices"
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
		at            []float64
		atText        string
	)
	o.Plane.Seed, o.PeerPoints = 1, 256
	c := &cobra.Command{
		Use:   "bench",
		Short: "Time the evaluation backends and their peers on a standard suite",
		Long: `Time grid evaluation on a standard suite: ` + strings.Join(host.BenchSurfaces(), ", ") + `
at ` + resList(host.BenchRes()) + `, on every backend available (cpu through the
plugin process, as eval does; gl on the GPU) and beside peers, other tools
evaluating the same grids: NumPy for analytic surfaces; for data-driven ones
PyTorch vectorised over grid points (float32 and float64, one thread and
every thread: torch-f32, torch-f64, torch-f32-mt, torch-f64-mt) and
loss-landscape's loop (a forward pass over a DataLoader per point; it runs
--peer-points points and is scaled to the grid). The peers are the Python
scripts in bench/ (Debian: python3-numpy, python3-torch), run by --python.

Backends and peers take turns within every round. Each figure is the median
of the rounds, with the fastest and slowest; VS columns give another backend's
time over this one's, round by round (median, and the range). Before timing,
every grid is checked against the cpu backend's (or gl's) within float32
rounding. GL rows also give the kernels' time and the copy back from the GPU.
--commands eval,render times those commands end to end on each case (a
process each: start, plugins, evaluation, output file; no warm-up) and gives
their peak resident memory (PEAK_MIB; the grid alone is NX·NY·4 bytes).

Examples:
  landscape bench
  landscape bench --surfaces rastrigin,ripple --res 2048x2048 --reps 9
  landscape bench --json > bench.json
  landscape bench --surfaces ripple --res 8192x8192 --backends gl,cpu --commands eval,render --reps 1
  landscape bench --surfaces mlp --set n=10000 --plane filter --at train.csv --res 32x32,128x128 \
      --backends gl,cpu,torch-f32,torch-f64,loss-landscape --reps 5`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Reps = reps
			o.Plane.At = at
			if len(o.Commands) > 0 {
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				o.Exe = exe
			}
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
			return writeBench(stdout, results)
		},
	}
	fl := c.Flags()
	fl.Var(listFlag{&o.Surfaces}, "surfaces", "comma-separated surfaces (default: the standard suite)")
	fl.Var(resListFlag{&o.Res}, "res", "comma-separated resolutions NXxNY (default: 512x512 to 4096x4096)")
	fl.Var(choicesFlag{&o.Backends, append(host.BenchBackends(), host.Peers()...)}, "backends",
		"comma-separated backends: cpu, gl, points (one plugin call per grid point), and peers: "+strings.Join(host.Peers(), ", ")+
			" (default: cpu and gl when available, and the peers of each surface's kind)")
	fl.Var(intRange{&reps, 1, 1000}, "reps", "timed rounds")
	fl.Var(settingsFlag{&o.Settings}, "set", "hyperparameter name=value for the surfaces (repeat, or comma-separate)")
	fl.Var(planeFlag{&o.Plane.Kind}, "plane", "the plane: axis (default), random or filter (through --at)")
	fl.Var(pointFlag{&at, &atText}, "at", "point the plane goes through: one value per parameter, or a trajectory/.npy file")
	fl.Uint64Var(&o.Plane.Seed, "plane-seed", 1, "seed of random and filter directions")
	fl.StringVar(&o.Python, "python", "python3", "Python interpreter that runs the peers (with numpy, and torch for the model peers)")
	fl.Var(choicesFlag{&o.Commands, host.BenchCommands()}, "commands", "also time these commands end to end, each run a process of its own, and report their peak memory: eval (writing .npy), render (PNG)")
	fl.Var(intRange{&o.PeerPoints, 1, 1 << 30}, "peer-points", "grid points loss-landscape's loop evaluates per run (its time is scaled to the grid)")
	fl.BoolVar(&asJSON, "json", false, "print a JSON array of {surface, nx, ny, backend, peer, median_ms, min_ms, max_ms, mevals_per_s, kernel_ms, readback_ms, max_rel_diff, vs}")
	fl.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	return c
}

// writeBench prints the results as a table: one row per case and backend,
// and a VS column for each backend or peer timed against it.
func writeBench(w io.Writer, results []host.BenchResult) error {
	var others []string
	for _, r := range results {
		if r.Command == "" && !slices.Contains(others, r.Backend) {
			others = append(others, r.Backend)
		}
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	head := "SURFACE\tNX\tNY\tBACKEND\tMEDIAN_MS\tMIN_MS\tMAX_MS\tMEVALS/S\tMSAMPLES/S\tKERNEL_MS\tREADBACK_MS\tMAX_DIFF\tPEAK_MIB\t"
	for _, o := range others {
		head += "VS_" + strings.ToUpper(o) + "\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range results {
		k, rb, ms, diff, peak := "-", "-", "-", "-", "-"
		if r.MsamplesPerS > 0 {
			ms = fmt.Sprintf("%.4g", r.MsamplesPerS)
		}
		if r.KernelMS != nil {
			k, rb = fmt.Sprintf("%.2f", *r.KernelMS), fmt.Sprintf("%.2f", *r.ReadbackMS)
		}
		if r.MaxRelDiff != nil {
			diff = fmt.Sprintf("%.1e", *r.MaxRelDiff)
		}
		name := r.Backend
		if r.Command != "" {
			name += " " + r.Command
			peak = fmt.Sprintf("%.0f", r.PeakMiB)
		}
		if r.Points > 0 {
			name += fmt.Sprintf(" (%d pts)", r.Points)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.4g\t%s\t%s\t%s\t%s\t%s\t", r.Surface, r.Nx, r.Ny, name,
			r.MedianMS, r.MinMS, r.MaxMS, r.MevalsPerS, ms, k, rb, diff, peak)
		for _, o := range others {
			v, ok := r.Vs[o]
			if !ok {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.2fx (%.2f-%.2f)\t", v.Median, v.Min, v.Max)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// resList writes resolutions as --res reads them.
func resList(rs []host.Res) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%dx%d", r.Nx, r.Ny)
	}
	return strings.Join(parts, ", ")
}
