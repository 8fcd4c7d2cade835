package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/spf13/cobra"
)

// sliceFlags are the flags of slice.
type sliceFlags struct {
	spec                  host.LineSpec
	backend               host.Backend
	fromS, toS, atS, rngS string
}

func sliceCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		f             sliceFlags
		out           string
		width, height int
	)
	c := &cobra.Command{
		Use:   "slice SURFACE -o OUT.csv|OUT.npy|OUT.png",
		Short: "Evaluate a surface along a line: an interpolation or a 1-D slice",
		Long: `Evaluate SURFACE along a line through parameter space and write the curve.

--from A --to B interpolates: θ(α) = A + α·(B − A), over --range (default
-0.5:1.5, so both ends and beyond show). A and B are numbers or files (a
trajectory's last point, or a .npy vector).

Otherwise the line goes through --at (default: the first known minimum, or
the origin) along --dir: axis:I (parameter I; the default is axis:0, over
its domain), random or filter (a seeded Gaussian direction, filter-normalized
as Li et al. 2018 do, biases zeroed unless --filter-bias says otherwise,
over -1:1).

Outputs: .csv (t,loss[,test_loss]), .npy (the loss, float64) or .png (the
curve, with the test loss dashed and known minima marked).

Examples:
  landscape slice line-angle -o rosette.png
  landscape slice line-angle --set loss=mse -o valley.csv
  landscape slice mlp --from start.npy --to trained.csv -o interp.png`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("slice needs -o OUT.csv, OUT.npy or OUT.png")}
			}
			format, err := host.OutputFormat(out, ".csv", ".npy", ".png")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cat, err := app.Catalog(ctx)
			if err != nil {
				return err
			}
			f.spec.Surface = args[0]
			ls, err := app.ResolveLine(ctx, cat, f.spec)
			if err != nil {
				return err
			}
			of, err := host.CreateOutput(ctx, out)
			if err != nil {
				return err
			}
			defer of.Abort()
			loss, used, err := app.EvaluateLine(ctx, f.backend, ls)
			if err != nil {
				return err
			}
			var test []float64
			ts, ok, err := app.TestSet(ctx, ls.Surface)
			if err == nil && ok {
				tl := *ls
				tl.Surface = ts
				test, _, err = app.EvaluateLine(ctx, used, &tl)
			}
			if err != nil {
				return fmt.Errorf("test loss: %w", err)
			}
			ts2 := make([]float64, ls.Line.N)
			for i := range ts2 {
				ts2[i] = ls.Line.At(i)
			}
			switch format {
			case ".csv":
				err = writeCurveCSV(of, ls.Label, ts2, loss, test)
			case ".npy":
				err = host.WriteNPYVector(of, loss)
			default:
				ch := render.Chart{Title: settingsTitle(ls.Desc, ls.Settings()), XLabel: ls.Label, YLabel: "loss",
					Series: []render.Series{{Label: "loss", X: ts2, Y: loss, Colour: 5}}}
				if test != nil {
					ch.Series[0].Label = "train loss"
					ch.Series = append(ch.Series, render.Series{Label: "test loss", X: ts2, Y: test, Dashed: true, Colour: 6})
				}
				if ls.Desc.Dim == 1 && ls.Label == ls.Desc.ParamName(0) { // along the parameter itself
					for _, m := range ls.Desc.Minima {
						ch.Marks = append(ch.Marks, m.Location[0])
					}
				}
				err = render.ChartsPNG(of, width, height, ch)
			}
			if err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			printCurve(stdout, ls, ts2, loss)
			return of.Commit()
		},
	}
	fl := c.Flags()
	f.spec.N, f.spec.Seed = 401, 1
	fl.Var(pointFlag{&f.spec.From, &f.fromS}, "from", "interpolate from this point (numbers, or a trajectory/.npy file)")
	fl.Var(pointFlag{&f.spec.To, &f.toS}, "to", "interpolate to this point")
	fl.Var(dirFlag{&f.spec.Dir}, "dir", "direction through --at: axis:I, random or filter")
	fl.Var(pointFlag{&f.spec.At, &f.atS}, "at", "point the line goes through (numbers, or a trajectory/.npy file)")
	fl.Var(intervalFlag{&f.spec.Range, &f.rngS}, "range", "lo:hi of the line's parameter (default: -0.5:1.5 for --from/--to, the domain for axis:I, -1:1 otherwise)")
	fl.Var(intRange{&f.spec.N, 2, 1 << 24}, "res", "points along the line, both ends included")
	fl.Uint64Var(&f.spec.Seed, "dir-seed", 1, "seed of random and filter directions")
	fl.Var(filterBiasFlag{&f.spec.FilterBias}, "filter-bias", filterBiasUsage)
	fl.Var(settingsFlag{&f.spec.Settings}, "set", "hyperparameter name=value (repeat, or comma-separate)")
	fl.Var(backendFlag{&f.backend}, "backend", "auto (GPU when possible, else CPU), gl or cpu")
	fl.StringVarP(&out, "output", "o", "", "output file: .csv, .npy or .png")
	fl.IntVar(&width, "width", 900, "image width in pixels (.png)")
	fl.IntVar(&height, "height", 550, "image height in pixels (.png)")
	return c
}

func writeCurveCSV(w io.Writer, label string, t, loss, test []float64) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("t,loss")
	if test != nil {
		bw.WriteString(",test_loss")
	}
	bw.WriteString("\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i := range t {
		bw.WriteString(f(t[i]) + "," + f(loss[i]))
		if test != nil {
			bw.WriteString("," + f(test[i]))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// printCurve prints the curve's lowest point and its local minima.
func printCurve(w io.Writer, ls *host.LineScene, t, loss []float64) {
	best := -1
	var minima []string
	for i, v := range loss {
		if v == v && (best < 0 || v < loss[best]) {
			best = i
		}
		if i > 0 && i < len(loss)-1 && v < loss[i-1] && v <= loss[i+1] {
			minima = append(minima, strconv.FormatFloat(t[i], 'g', 6, 64))
		}
	}
	if best < 0 {
		fmt.Fprintf(w, "%s: no finite value along the line\n", ls.Desc.Name)
		return
	}
	fmt.Fprintf(w, "%s: %d points along %s in [%g, %g]; lowest loss %.6g at %s=%.6g\n", ls.Desc.Name, len(loss), ls.Label, ls.Line.Lo, ls.Line.Hi, loss[best], ls.Label, t[best])
	if len(minima) <= 20 {
		fmt.Fprintf(w, "  interior local minima (%d): %s\n", len(minima), strings.Join(minima, ", "))
	} else {
		fmt.Fprintf(w, "  interior local minima: %d\n", len(minima))
	}
}
