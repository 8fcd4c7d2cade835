package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

func dataCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var (
		out string
		set client.Settings
	)
	c := &cobra.Command{
		Use:   "data SURFACE -o OUT.csv",
		Short: "Export a data-driven surface's samples",
		Long: `Write the samples a data-driven surface's loss is over, as the surface holds
them, to a CSV file: a header naming the columns (a sample's features, then
its target), then one row per sample. With a train/test split (split > 0) a
first column, subset, marks each row train or test (training rows first).
Without a split the file reads back with --set dataset=csv,csv=OUT.csv.

Examples:
  landscape data line-angle -o rosette.csv
  landscape data line-angle --set split=0.3,noise=0.05 -o rosette.csv
  landscape data mlp --set dataset=spirals,k=3 -o spirals.csv`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("data needs -o OUT.csv")}
			}
			if _, err := host.OutputFormat(out, ".csv"); err != nil {
				return err
			}
			ctx := cmd.Context()
			cat, err := app.Catalog(ctx)
			if err != nil {
				return err
			}
			e, err := cat.Lookup(args[0])
			if err != nil {
				return err
			}
			surf, err := app.Configure(ctx, e, set)
			if err != nil {
				return err
			}
			s, err := app.Samples(ctx, surf)
			if err != nil {
				return err
			}
			of, err := host.CreateOutput(ctx, out)
			if err != nil {
				return err
			}
			defer of.Abort()
			if err := host.WriteSamplesCSV(of, s); err != nil {
				return err
			}
			if err := of.Commit(); err != nil {
				return err
			}
			test := ""
			if s.Test != nil {
				test = fmt.Sprintf(" and %d test", s.Test.Samples())
			}
			fmt.Fprintf(stdout, "wrote %d training%s samples of %s (columns %s) to %s\n", s.Train.Samples(), test, surf.Desc.Name, strings.Join(s.Train.Columns, ", "), out)
			return nil
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "output file: .csv")
	c.Flags().Var(settingsFlag{&set}, "set", "hyperparameter name=value (repeat, or comma-separate)")
	return c
}
