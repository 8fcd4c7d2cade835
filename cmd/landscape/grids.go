package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

// gridFlags are eval's flags for a grid's tiles: its journal, resuming
// from it, and shards.
type gridFlags struct {
	on        bool // the command takes them (eval)
	journal   string
	noJournal bool
	resume    bool
	shard     host.Shard
	tileRows  int
}

func (g *gridFlags) register(c *cobra.Command) {
	g.on = true
	fl := c.Flags()
	fl.StringVar(&g.journal, "journal", "", "record each finished tile durably in this folder, kept after the output is written (default: .OUT.journal beside the output, removed once the output is written); a killed run continues with --resume")
	fl.BoolVar(&g.noJournal, "no-journal", false, "keep no journal")
	fl.BoolVar(&g.resume, "resume", false, "continue from the journal (--journal DIR, or the default beside the output): evaluate only the tiles it lacks")
	fl.Var(shardFlag{&g.shard}, "shard", "evaluate shard i of n (from 0) of the grid's tiles into a .shard file for 'landscape merge'; auto: a Slurm array task's (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT); auto/n: a Slurm array task's or a Kubernetes Indexed Job's (JOB_COMPLETION_INDEX), of n")
	fl.Var(wholeFlag{&g.tileRows, 1, host.MaxAxis}, "tile-rows", "rows per tile (default: about 2^28 multiply-adds of the surface's loss, at most 4 MiB of values); a journal and the shards of one grid need the same")
}

// check checks the flags against each other and the command's others.
func (g *gridFlags) check(c *cobra.Command, f *sceneFlags, out, summary string) error {
	fl := c.Flags()
	tiled := fl.Changed("journal") || g.resume || fl.Changed("shard")
	switch {
	case g.noJournal && (fl.Changed("journal") || g.resume):
		return usageError{fmt.Errorf("--no-journal goes with neither --journal nor --resume")}
	case tiled && (f.quantity != compute.QLoss || f.fullHessian):
		return usageError{fmt.Errorf("--journal, --resume and --shard evaluate the loss; --quantity %s is evaluated whole", f.quantity)}
	case fl.Changed("shard") && summary != "":
		return usageError{fmt.Errorf("--summary describes a whole grid: give it to neither --shard run (merge the shards, then 'landscape stats')")}
	}
	shardOut := strings.EqualFold(filepath.Ext(out), host.ShardFormat)
	switch {
	case fl.Changed("shard") && !shardOut:
		return usageError{fmt.Errorf("--shard writes a shard file: -o NAME.shard (then 'landscape merge' the shards into the grid)")}
	case !fl.Changed("shard") && shardOut:
		return usageError{fmt.Errorf("-o %s: a .shard file is written by --shard i/n runs", out)}
	case !shardOut:
		_, err := host.OutputFormat(out, host.GridFormats()...)
		return err
	}
	return nil
}

// gridRun is a grid evaluated tile by tile: its layers' bands, its
// journal, its shard.
type gridRun struct {
	work    host.GridWork
	id      host.GridID
	layers  []string
	bands   []*host.RowBand
	journal *host.Journal
	tiles   host.TileStats
	stderr  io.Writer
}

// start plans the scene's tiles and opens the journal the flags ask for
// (by default one beside the output when this run's part of the grid has
// more than one tile). test asks for the test loss too, when the surface
// has a test set.
func (g *gridFlags) start(ctx context.Context, app *host.App, sc *host.Scene, out string, stderr io.Writer, test bool) (*gridRun, error) {
	r := &gridRun{work: host.GridWork{TileRows: g.tileRows, Shard: g.shard}, layers: []string{host.LayerLoss}, stderr: stderr}
	if test && sc.Desc.HasTest {
		r.layers = append(r.layers, host.LayerTest)
	}
	plan := r.work.Plan(sc)
	first, last, err := r.work.Shard.Tiles(plan)
	if err != nil {
		return nil, err
	}
	r.id = app.GridID(sc, r.work, r.layers)
	dir, def := g.journal, false
	if dir == "" {
		dir, def = host.DefaultJournal(out), true
	}
	if !g.on || g.noJournal || !(g.journal != "" || g.resume || last-first > 1) {
		return r, nil
	}
	j, err := host.OpenJournal(dir, r.id, host.JournalOptions{Resume: g.resume, Tiles: [2]int{first, last}, Default: def, Shard: g.shard})
	if err != nil {
		return nil, err
	}
	j.Warn = func(s string) { fmt.Fprintln(stderr, "landscape: note: "+s) }
	r.journal, r.work.Journal = j, j
	if g.resume {
		fmt.Fprintf(stderr, "landscape: resuming from %s: %d of %d tiles done\n", dir, j.Held(first, last), (last-first)*len(r.layers))
	}
	return r, nil
}

// evaluate evaluates the loss and, when asked, the test loss (with the
// backend the loss took).
func (r *gridRun) evaluate(ctx context.Context, app *host.App, backend host.Backend, sc *host.Scene, o compute.Options) (host.Backend, error) {
	w := r.work
	w.Stats = &r.tiles
	b, used, err := app.EvaluateBand(ctx, backend, sc, o, w)
	if err != nil {
		return 0, err
	}
	r.bands = append(r.bands, b)
	if len(r.layers) > 1 {
		ts, ok, err := app.TestSet(ctx, sc.Surface)
		if err == nil && !ok {
			err = errors.New("the surface has no test set")
		}
		if err != nil {
			return 0, fmt.Errorf("test loss: %w", err)
		}
		tsc := *sc
		tsc.Surface = ts
		var st host.TileStats
		w.Layer, w.Stats = host.LayerTest, &st
		tb, _, err := app.EvaluateBand(ctx, used, &tsc, compute.Options{}, w)
		if err != nil {
			return 0, fmt.Errorf("test loss: %w", err)
		}
		r.bands = append(r.bands, tb)
		r.tiles.Tiles += st.Tiles
		r.tiles.Resumed += st.Resumed
		r.tiles.Evaluated += st.Evaluated
		r.tiles.Requests += st.Requests
		r.tiles.Restarts += st.Restarts
	}
	return used, nil
}

// field is the loss as a Field (nil for a shard, whose bands are part of
// a grid).
func (r *gridRun) field() *compute.Field {
	if r == nil || len(r.bands) == 0 || r.work.Shard.Count > 0 {
		return nil
	}
	return r.bands[0].Field()
}

// test is the test loss as a Field, nil when there is none (or a shard).
func (r *gridRun) test() *compute.Field {
	if r == nil || len(r.bands) < 2 || r.work.Shard.Count > 0 {
		return nil
	}
	return r.bands[1].Field()
}

// fail closes the journal after err, saying what it keeps.
func (r *gridRun) fail(err error) error {
	if r == nil || r.journal == nil {
		return err
	}
	r.journal.Close()
	if n := r.journal.Written() + r.journal.Held(0, r.id.Plan().Count()); n > 0 && !errors.Is(err, host.ErrJournal) {
		return fmt.Errorf("%w (the journal %s keeps %d finished %s: the same command with --resume continues)", err, r.journal.Dir, n, plural(n, "tile", "tiles"))
	}
	return err
}

// done ends the journal once the output is committed: a default journal
// is removed, a named one kept.
func (r *gridRun) done() {
	if r == nil || r.journal == nil {
		return
	}
	if r.journal.Default {
		if err := r.journal.Remove(); err != nil {
			fmt.Fprintf(r.stderr, "landscape: warning: could not remove the journal %s: %v\n", r.journal.Dir, err)
		}
		return
	}
	r.journal.Close()
}

// close closes the journal, keeping it (a run that wrote nothing).
func (r *gridRun) close() {
	if r != nil && r.journal != nil {
		r.journal.Close()
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
