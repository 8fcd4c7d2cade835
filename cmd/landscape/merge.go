package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

func mergeCmd(stderr io.Writer) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "merge SHARD... -o OUT.npy|OUT.npz|OUT.csv|OUT.vts",
		Short: "Assemble the shards of a grid (eval --shard i/n) into the grid",
		Long: `Assemble the shard files that 'landscape eval --shard i/n' runs wrote
into the grid, as eval writes it. The shards must be of the same grid (the
same surface, plugin, hyperparameters, plane, resolution and tiles, evaluated
on the same backend), each shard of the count there once, and every tile
must pass its checksum; otherwise nothing is written and the mistake is
named. The result is the grid an unsharded eval writes, bit for bit.

Examples:
  landscape eval ripple --res 4096 --backend cpu --shard 0/2 -o part-0.shard
  landscape eval ripple --res 4096 --backend cpu --shard 1/2 -o part-1.shard
  landscape merge part-0.shard part-1.shard -o ripple.npy`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("merge takes the shard files (see '%s --help')", c.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{fmt.Errorf("merge needs -o OUT.npy, OUT.npz, OUT.csv or OUT.vts")}
			}
			format, err := host.OutputFormat(out, host.GridFormats()...)
			if err != nil {
				return err
			}
			m, err := host.Merge(args)
			if err != nil {
				return err
			}
			of, err := host.CreateOutput(cmd.Context(), out)
			if err != nil {
				return err
			}
			defer of.Abort()
			host.Announce(stderr, out, host.GridBytes(format, m.Loss.Grid.Nx, m.Loss.Grid.Ny, len(m.Extra)))
			if err := host.WriteGrid(of, format, m.Loss, m.Extra...); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			return of.Commit()
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "output file: .npy, .npz, .csv or .vts")
	return c
}

func statusCmd(stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status JOURNAL",
		Short: "Show a grid's progress from its journal (eval --journal DIR)",
		Long: `Show how far the grid whose journal is JOURNAL has got: its finished
tiles in every layer, and, when shards share the journal (eval --shard i/n
--journal DIR on each), each shard's host, process and finished tiles. It
reads the journal only, so it works from any machine that sees the folder,
while the shards run.

Examples:
  landscape eval ripple --res 1024 --tile-rows 64 --journal ripple.journal -o ripple.npy
  landscape status ripple.journal
  landscape status ripple.journal --json`,
		Args: exactArgs(1, "one JOURNAL folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := host.ReadJournalStatus(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				e := json.NewEncoder(stdout)
				e.SetIndent("", "  ")
				return e.Encode(st)
			}
			writeStatus(stdout, st, time.Now())
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return c
}

// writeStatus prints a journal's status for a person.
func writeStatus(w io.Writer, st *host.JournalStatus, now time.Time) {
	g := st.Grid
	backend := st.Backend
	if backend == "" {
		backend = "none yet"
	}
	fmt.Fprintf(w, "journal %s\n", st.Dir)
	fmt.Fprintf(w, "grid:    %s (plugin %s), %dx%d, %d tiles of %d rows; backend %s\n", g.Surface, g.Plugin, g.Nx, g.Ny, st.Tiles, g.TileRows, backend)
	total, done := 0, 0
	for _, l := range st.Layers {
		fmt.Fprintf(w, "%-8s %d of %d tiles (%.1f%%)\n", l.Layer+":", l.Done, st.Tiles, 100*float64(l.Done)/float64(st.Tiles))
		total += st.Tiles
		done += l.Done
	}
	if len(st.Layers) > 1 {
		fmt.Fprintf(w, "all:     %d of %d tiles (%.1f%%)\n", done, total, 100*float64(done)/float64(total))
	}
	for _, s := range st.Shards {
		n := s.LastTile - s.FirstTile
		state := "running or stopped"
		if s.Done == n {
			state = "done"
		}
		fmt.Fprintf(w, "shard %s: %d of %d tiles [%d, %d) %s; host %s, pid %d, started %s\n", s.Shard, s.Done, n, s.FirstTile, s.LastTile, state, s.Host, s.PID, s.Started.Local().Format(time.DateTime))
	}
	if !st.Last.IsZero() {
		fmt.Fprintf(w, "last tile written %s ago\n", now.Sub(st.Last).Round(time.Second))
	}
}
