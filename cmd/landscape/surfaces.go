package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

func surfacesCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "surfaces [SURFACE]",
		Short: "List the surfaces the installed plugins provide",
		Long: `List every surface the installed plugins provide: name, dimension, default
domain, hyperparameters, one-line summary and the plugin that serves it. With
a SURFACE, describe that one: every hyperparameter with its default, bounds
or options and meaning, its known minima and its parameter groups.

Plugins are executables named landscape-plugin-* found in the folders of
LANDSCAPE_PLUGIN_PATH, next to the landscape binary, and in its plugins folder.`,
		Args: maxArgs(1, "at most one SURFACE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := app.FullCatalog(cmd.Context())
			if err != nil {
				return err
			}
			// The minima shown are checked against the plugins' losses first.
			checked := func(name string) (host.Entry, error) {
				e, err := cat.Lookup(name)
				if err == nil {
					_, err = app.Configure(cmd.Context(), e, client.Settings{})
				}
				return e, err
			}
			if len(args) == 1 && !asJSON {
				e, err := checked(args[0])
				if err != nil {
					return err
				}
				describeSurface(stdout, e)
				return nil
			}
			if asJSON {
				type row struct {
					Name            string                    `json:"name"`
					Plugin          string                    `json:"plugin"`
					Dim             int                       `json:"dim"`
					Domain          [][2]float64              `json:"domain"`
					Summary         string                    `json:"summary"`
					Gradient        bool                      `json:"gradient"`
					Hyperparameters []host.HyperparameterJSON `json:"hyperparameters"`
					Minima          []any                     `json:"minima"`
					ParamNames      []string                  `json:"param_names,omitempty"`
				}
				rows := []row{}
				for _, e := range cat.Entries {
					if len(e.Minima) > 0 {
						if _, err := checked(e.Plugin + ":" + e.Name); err != nil {
							return err
						}
					}
					r := row{Name: e.Name, Plugin: e.Plugin, Dim: e.Dim, Summary: e.Summary, Gradient: e.HasGradient, Minima: []any{}, ParamNames: e.ParamNames}
					for _, d := range e.Domain {
						r.Domain = append(r.Domain, [2]float64{d.Lo, d.Hi})
					}
					r.Hyperparameters = host.HyperparametersJSON(e.Hyperparameters)
					for _, m := range e.Minima {
						r.Minima = append(r.Minima, map[string]any{"location": m.Location, "value": m.Value, "local": m.Local})
					}
					rows = append(rows, r)
				}
				return host.WriteJSON(stdout, rows)
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDIM\tDOMAIN\tHYPERPARAMETERS\tPLUGIN\tSUMMARY")
			for _, e := range cat.Entries {
				var hps []string
				for _, h := range e.Hyperparameters {
					hps = append(hps, h.Name+"="+h.DefaultString())
				}
				if len(hps) == 0 {
					hps = []string{"-"}
				}
				// Long lists are cut; 'surfaces NAME' and --json give all.
				for len(hps) > 1 && len(strings.Join(hps, ",")) > 48 {
					hps = hps[:len(hps)-1]
					if hps[len(hps)-1] != "…" {
						hps = append(hps[:len(hps)-1], "…")
					}
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", e.Name, e.Dim, domainString(e.Domain), strings.Join(hps, ","), e.Plugin, e.Summary)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			names := make([]string, 0, len(cat.Clashes))
			for n := range cat.Clashes {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(stdout, "\nnote: %s is served by plugins %s; name one as PLUGIN:%s\n", n, strings.Join(cat.Clashes[n], " and "), n)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return c
}

// describeSurface prints one surface in full.
func describeSurface(w io.Writer, e host.Entry) {
	fmt.Fprintf(w, "%s (plugin %s): %s\n", e.Name, e.Plugin, e.Summary)
	fmt.Fprintf(w, "  parameters: %d, default domain %s", e.Dim, domainString(e.Domain))
	if e.HasGradient {
		fmt.Fprint(w, ", analytic gradient")
	}
	if e.GLSL != "" {
		fmt.Fprint(w, ", GLSL")
	}
	if e.Samples > 0 {
		fmt.Fprintf(w, ", %d training samples (mini-batches)", e.Samples)
	}
	fmt.Fprintln(w)
	if len(e.ParamNames) > 0 {
		fmt.Fprintf(w, "  parameter names (for labels; trajectories' columns stay x0, x1, ...): %s\n", strings.Join(e.ParamNames, ", "))
	}
	if len(e.Hyperparameters) > 0 {
		fmt.Fprintln(w, "  hyperparameters (--set name=value):")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, h := range e.Hyperparameters {
			var accepts string
			switch {
			case h.Text:
				accepts = "text"
			case h.Choice():
				accepts = strings.Join(h.Options, " | ")
			case h.Bounded():
				accepts = fmt.Sprintf("%g to %g", h.Min, h.Max)
			default:
				accepts = "any number"
			}
			if h.Integer && !h.Choice() {
				accepts += ", whole"
			}
			fmt.Fprintf(tw, "    %s\t= %s\t(%s)\t%s\n", h.Name, h.DefaultString(), accepts, h.Doc)
		}
		tw.Flush()
	}
	for i, m := range e.Minima {
		kind := "global"
		if m.Local {
			kind = "local"
		}
		if i == 8 {
			fmt.Fprintf(w, "  … %d more minima (--json lists all)\n", len(e.Minima)-i)
			break
		}
		fmt.Fprintf(w, "  %s minimum %.6g at %s\n", kind, m.Value, point(m.Location))
	}
	if len(e.Groups) > 0 {
		names := make([]string, 0, len(e.Groups))
		for i, g := range e.Groups {
			if i == 6 {
				names = append(names, "…")
				break
			}
			names = append(names, g.Name)
		}
		biases := 0
		for _, g := range e.Groups {
			if g.Kind == sdk.GroupBias {
				biases++
			}
		}
		fmt.Fprintf(w, "  parameter groups (%d, for --plane filter; %d of them biases): %s\n", len(e.Groups), biases, strings.Join(names, ", "))
	}
	for k, p := range e.Periods {
		if p > 0 {
			fmt.Fprintf(w, "  parameter %d is periodic (period %.6g): wrapped into [%.6g, %.6g) for distances, plots and starts\n", k, p, e.Domain[k].Lo, e.Domain[k].Lo+p)
		}
	}
}

func domainString(d []sdk.Interval) string {
	if len(d) == 0 {
		return "-"
	}
	same := true
	for _, x := range d[1:] {
		if x != d[0] {
			same = false
		}
	}
	if same {
		s := fmt.Sprintf("[%g,%g]", d[0].Lo, d[0].Hi)
		if len(d) > 1 {
			s += fmt.Sprintf("^%d", len(d))
		}
		return s
	}
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = fmt.Sprintf("[%g,%g]", x.Lo, x.Hi)
	}
	return strings.Join(parts, "x")
}
