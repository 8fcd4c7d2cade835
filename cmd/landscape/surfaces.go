package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk"
	"github.com/spf13/cobra"
)

func surfacesCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "surfaces",
		Short: "List the surfaces the installed plugins provide",
		Long: `List every surface the installed plugins provide: name, dimension, default
domain, one-line summary and the plugin that serves it.

Plugins are executables named landscape-plugin-* found in the folders of
LANDSCAPE_PLUGIN_PATH, next to the landscape binary, and in its plugins folder.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := app.Catalog(cmd.Context())
			if err != nil {
				return err
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
				}
				rows := []row{}
				for _, e := range cat.Entries {
					r := row{Name: e.Name, Plugin: e.Plugin, Dim: e.Dim, Summary: e.Summary, Gradient: e.HasGradient, Minima: []any{}}
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
