package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/spf13/cobra"
)

// sliceFlags are the flags of slice.
type sliceFlags struct {
	from, to, dir, at, rng, backend string
	set                             []string
	n                               int
	seed                            uint64
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
as Li et al. 2018 do, over -1:1).

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
			if err := host.CheckBackend(f.backend); err != nil {
				return err
			}
			if f.n < 2 || f.n > 1<<24 {
				return fmt.Errorf("%w: --res %d: want 2 to 16777216 points", host.ErrBadFlag, f.n)
			}
			ctx := cmd.Context()
			ls, err := f.resolve(ctx, app, args[0])
			if err != nil {
				return err
			}
			of, err := host.CreateOutput(out)
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
				if ls.Desc.Dim == 1 && strings.HasPrefix(ls.Label, "x0") {
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
	fl.StringVar(&f.from, "from", "", "interpolate from this point (numbers, or a trajectory/.npy file)")
	fl.StringVar(&f.to, "to", "", "interpolate to this point")
	fl.StringVar(&f.dir, "dir", "", "direction through --at: axis:I, random or filter (default axis:0)")
	fl.StringVar(&f.at, "at", "", "point the line goes through (numbers, or a trajectory/.npy file)")
	fl.StringVar(&f.rng, "range", "", "lo:hi of the line's parameter (default: -0.5:1.5 for --from/--to, the domain for axis:I, -1:1 otherwise)")
	fl.IntVar(&f.n, "res", 401, "points along the line, both ends included")
	fl.Uint64Var(&f.seed, "dir-seed", 1, "seed of random and filter directions")
	fl.StringArrayVar(&f.set, "set", nil, "hyperparameter name=value (repeat, or comma-separate)")
	fl.StringVar(&f.backend, "backend", "auto", "auto (GPU when possible, else CPU), gl or cpu")
	fl.StringVarP(&out, "output", "o", "", "output file: .csv, .npy or .png")
	fl.IntVar(&width, "width", 900, "image width in pixels (.png)")
	fl.IntVar(&height, "height", 550, "image height in pixels (.png)")
	return c
}

// resolve turns the flags into a line through the surface.
func (f *sliceFlags) resolve(ctx context.Context, app *host.App, surface string) (*host.LineScene, error) {
	set, err := host.ParseSet(f.set)
	if err != nil {
		return nil, err
	}
	interp := f.from != "" || f.to != ""
	if interp && (f.from == "" || f.to == "") {
		return nil, fmt.Errorf("%w: interpolation needs both --from and --to", host.ErrBadFlag)
	}
	if interp && (f.dir != "" || f.at != "") {
		return nil, fmt.Errorf("%w: --from/--to interpolate; --dir and --at make a slice; give one or the other", host.ErrBadFlag)
	}
	var lo, hi float64
	if f.rng != "" {
		iv, err := host.ParseInterval("range", f.rng)
		if err != nil {
			return nil, err
		}
		lo, hi = iv.Lo, iv.Hi
	}
	cat, err := app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	e, err := cat.Lookup(surface)
	if err != nil {
		return nil, err
	}
	surf, err := app.Configure(ctx, e, set)
	if err != nil {
		return nil, err
	}
	desc := surf.Desc
	ls := &host.LineScene{Surface: surf}
	check := func(flag string, v []float64) error {
		if len(v) != desc.Dim {
			return fmt.Errorf("%w: --%s has %d values; %s has %d parameters", host.ErrBadFlag, flag, len(v), desc.Name, desc.Dim)
		}
		return nil
	}
	if interp {
		a, err := host.LoadVector("from", f.from)
		if err != nil {
			return nil, err
		}
		b, err := host.LoadVector("to", f.to)
		if err != nil {
			return nil, err
		}
		if len(a) == len(b) {
			if err := check("from", a); err != nil {
				return nil, err
			}
		}
		if f.rng == "" {
			lo, hi = -0.5, 1.5
		}
		if ls.Line, err = compute.Interpolation(a, b, lo, hi, f.n); err != nil {
			return nil, fmt.Errorf("%w: %v", host.ErrBadFlag, err)
		}
		ls.Label = "alpha (0: --from, 1: --to)"
		return ls, nil
	}
	at := make([]float64, desc.Dim)
	if f.at != "" {
		if at, err = host.LoadVector("at", f.at); err != nil {
			return nil, err
		}
		if err := check("at", at); err != nil {
			return nil, err
		}
	} else if len(desc.Minima) > 0 {
		copy(at, desc.Minima[0].Location)
	}
	dir := make([]float64, desc.Dim)
	switch d := f.dir; {
	case d == "" || strings.HasPrefix(d, "axis:"):
		k := 0
		if d != "" {
			if k, err = strconv.Atoi(strings.TrimPrefix(d, "axis:")); err != nil || k < 0 || k >= desc.Dim {
				return nil, fmt.Errorf("%w: --dir %q: want axis:I with I from 0 to %d", host.ErrBadFlag, d, desc.Dim-1)
			}
		}
		dir[k] = 1
		if f.rng == "" {
			lo, hi = desc.Domain[k].Lo, desc.Domain[k].Hi
		}
		at[k] = 0 // the line's parameter is the coordinate itself
		ls.Label = "x" + strconv.Itoa(k)
	case d == "random" || d == "filter":
		dir = compute.RandomDirection(desc.Dim, f.seed)
		if d == "filter" {
			if dir, err = compute.FilterNormalize(dir, at, desc.Groups); err != nil {
				return nil, fmt.Errorf("%w: --dir filter: %v", host.ErrBadFlag, err)
			}
		}
		if f.rng == "" {
			lo, hi = -1, 1
		}
		ls.Label = d + " direction"
	default:
		return nil, fmt.Errorf("%w: --dir %q (accepted: axis:I, random, filter)", host.ErrBadFlag, d)
	}
	ls.Line = compute.Line{Origin: at, Dir: dir, Lo: lo, Hi: hi, N: f.n}
	if err := ls.Line.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", host.ErrBadFlag, err)
	}
	return ls, nil
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
