package host

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// testGridID is a 7x10 grid of tiles of 3 rows (4 tiles: 3, 3, 3, 1 rows).
func testGridID() GridID {
	return GridID{Surface: "ripple", Plugin: "testfuncs", Settings: map[string]string{"a": "1"},
		Nx: 7, Ny: 10, X: [2]float64{-1, 1}, Y: [2]float64{-2, 2}, Origin: []float64{0, 0}, U: []float64{1, 0}, V: []float64{0, 1},
		XLabel: "x0", YLabel: "x1", TileRows: 3, Layers: []string{LayerLoss}}
}

// tileValues are tile t's values, distinct for every tile and point.
func tileValues(id GridID, t int) []float32 {
	r0, r1 := id.Plan().Tile(t)
	v := make([]float32, (r1-r0)*id.Nx)
	for i := range v {
		v[i] = float32(math.Sin(float64(1000*t+i))) * 7
	}
	return v
}

// writeTiles writes tiles of layer loss through j and flushes; it returns
// the first error.
func writeTiles(j *Journal, id GridID, tiles ...int) error {
	for _, t := range tiles {
		r0, r1 := id.Plan().Tile(t)
		if err := j.write(LayerLoss, t, r0, r1, tileValues(id, t)); err != nil {
			return err
		}
	}
	return j.flush()
}

// onlyRecords checks that dir holds the manifest, the backend and exactly
// the named tiles' records: no temporary or partial file.
func onlyRecords(t *testing.T, dir string, tiles ...int) {
	t.Helper()
	want := map[string]bool{manifestName: true, backendName: true}
	for _, n := range tiles {
		want[recordFile(LayerLoss, n)] = true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
		if !want[e.Name()] {
			t.Errorf("%s holds %s", dir, e.Name())
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s holds %v, want %d files", dir, got, len(want))
	}
}

// TestJournalFullDisk: a write that fails (the disk full) stops the
// journal with an error that names the tile and says what is kept; the
// folder holds every tile written before it, whole, and nothing of the one
// that failed; a run that resumes takes those tiles, values intact, and
// records the rest.
func TestJournalFullDisk(t *testing.T) {
	id := testGridID()
	dir := filepath.Join(t.TempDir(), "j")
	j, err := OpenJournal(dir, id, JournalOptions{Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.bindBackend(BackendCPU); err != nil {
		t.Fatal(err)
	}
	j.failWrite = func(_ string, tile int) error {
		if tile == 2 {
			return &os.PathError{Op: "write", Path: filepath.Join(dir, "x"), Err: syscall.ENOSPC}
		}
		return nil
	}
	err = writeTiles(j, id, 0, 1, 2, 3)
	if !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "writing tile 2 (rows [6, 9)): no space left on device; the journal keeps the 2 tiles written before it") {
		t.Fatalf("a full disk: %v", err)
	}
	if cerr := j.Close(); !errors.Is(cerr, ErrJournal) {
		t.Fatalf("Close after a failed write: %v", cerr)
	}
	onlyRecords(t, dir, 0, 1)

	// Resumed: tiles 0 and 1 come from the journal, whole.
	j, err = OpenJournal(dir, id, JournalOptions{Resume: true, Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if n := j.Held(0, 4); n != 2 {
		t.Fatalf("the resumed journal holds %d tiles, want 2", n)
	}
	for tile := range 4 {
		r0, r1 := id.Plan().Tile(tile)
		dst := make([]float32, (r1-r0)*id.Nx)
		ok, err := j.read(LayerLoss, tile, dst)
		if err != nil || ok != (tile < 2) {
			t.Fatalf("tile %d: read %v, %v", tile, ok, err)
		}
		if ok && !equalFloats(dst, tileValues(id, tile)) {
			t.Fatalf("tile %d: its values differ from those written", tile)
		}
	}
	if err := j.bindBackend(BackendCPU); err != nil {
		t.Fatal(err)
	}
	if err := writeTiles(j, id, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	onlyRecords(t, dir, 0, 1, 2, 3)
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestJournalRefusals: resuming where there is no journal, a journal of
// another grid (the difference named), a folder that cannot be made or
// written, a journal that holds tiles of a run not asked to resume, and
// tiles of another backend.
func TestJournalRefusals(t *testing.T) {
	id := testGridID()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "j")
	if _, err := OpenJournal(dir, id, JournalOptions{Resume: true, Tiles: [2]int{0, 4}}); !errors.Is(err, ErrNoJournal) || !strings.Contains(err.Error(), "holds no journal") {
		t.Errorf("resume with no journal: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("resume with no journal made the folder")
	}
	j, err := OpenJournal(dir, id, JournalOptions{Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.bindBackend(BackendCPU); err != nil {
		t.Fatal(err)
	}
	if err := writeTiles(j, id, 0); err != nil {
		t.Fatal(err)
	}
	j.Close()

	for _, c := range []struct {
		change func(*GridID)
		want   string
	}{
		{func(g *GridID) { g.Nx = 8 }, "resolution 7x10 in the journal, 8x10 in this run"},
		{func(g *GridID) { g.Settings["a"] = "2" }, "hyperparameter a 1 in the journal, 2 in this run"},
		{func(g *GridID) { g.Surface = "rastrigin" }, "surface ripple in the journal, rastrigin in this run"},
		{func(g *GridID) { g.U = []float64{0.5, 0} }, "plane direction u (1, 0) in the journal, (0.5, 0) in this run"},
		{func(g *GridID) { g.TileRows = 4 }, "rows per tile 3 in the journal, 4 in this run"},
	} {
		other := testGridID()
		c.change(&other)
		_, err := OpenJournal(dir, other, JournalOptions{Resume: true, Tiles: [2]int{0, 4}})
		if !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "is the journal of another grid: "+c.want) {
			t.Errorf("another grid (%s): %v", c.want, err)
		}
	}
	if _, err := OpenJournal(dir, id, JournalOptions{Tiles: [2]int{0, 4}}); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "holds 1 tiles of this grid from an earlier run: --resume continues it") {
		t.Errorf("an earlier run's journal, not resumed: %v", err)
	}
	j, err = OpenJournal(dir, id, JournalOptions{Resume: true, Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.bindBackend(BackendGL); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "holds tiles evaluated on the cpu backend, and this run evaluates on the gl backend") {
		t.Errorf("another backend: %v", err)
	}
	j.Close()

	// A folder that cannot be made (under a file), and one that is not
	// a folder.
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenJournal(filepath.Join(file, "j"), id, JournalOptions{Tiles: [2]int{0, 4}}); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "cannot make the folder") {
		t.Errorf("a folder under a file: %v", err)
	}
	if _, err := OpenJournal(file, id, JournalOptions{Tiles: [2]int{0, 4}}); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("a file as the folder: %v", err)
	}
	// A folder that exists but takes no files (not for root, who may
	// write anywhere).
	if os.Geteuid() != 0 {
		ro := filepath.Join(tmp, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenJournal(ro, id, JournalOptions{Tiles: [2]int{0, 4}}); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "cannot write there") {
			t.Errorf("a read-only folder: %v", err)
		}
	}
}

// TestJournalCorruptRecords: records torn, flipped or of another tile are
// noticed when read, removed, and their tiles evaluated again (read
// reports them missing), with a warning that names the tile.
func TestJournalCorruptRecords(t *testing.T) {
	id := testGridID()
	dir := filepath.Join(t.TempDir(), "j")
	j, err := OpenJournal(dir, id, JournalOptions{Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.bindBackend(BackendCPU); err != nil {
		t.Fatal(err)
	}
	if err := writeTiles(j, id, 0, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	j.Close()
	rec := func(tile int) string { return filepath.Join(dir, recordFile(LayerLoss, tile)) }
	// Tile 0 torn, a bit of tile 1's values flipped, tile 3's record
	// put in tile 2's place.
	if err := os.Truncate(rec(0), 100); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(rec(1))
	if err != nil {
		t.Fatal(err)
	}
	b[recordHeader+5] ^= 0x10
	if err := os.WriteFile(rec(1), b, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(rec(2))
	if err != nil {
		t.Fatal(err)
	}
	b3, err := os.ReadFile(rec(3))
	if err != nil {
		t.Fatal(err)
	}
	// Tile 3 has one row: pad its record to tile 2's size with a
	// checksum that holds, so that only the header tells.
	fake := append(append([]byte(nil), b3[:len(b3)-4]...), make([]byte, len(b)-len(b3))...)
	fake = binaryAppendCRC(fake)
	if err := os.WriteFile(rec(2), fake, 0o644); err != nil {
		t.Fatal(err)
	}

	var warnings []string
	j, err = OpenJournal(dir, id, JournalOptions{Resume: true, Tiles: [2]int{0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Warn = func(s string) { warnings = append(warnings, s) }
	for tile, want := range []string{"tile 0 (rows [0, 3)) of loss is torn or not a record", "tile 1 (rows [3, 6)) of loss fails its checksum", "tile 2 (rows [6, 9)) of loss says it holds another tile", ""} {
		r0, r1 := id.Plan().Tile(tile)
		dst := make([]float32, (r1-r0)*id.Nx)
		ok, err := j.read(LayerLoss, tile, dst)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (want == "") {
			t.Errorf("tile %d: read %v", tile, ok)
		}
		if want == "" {
			if !equalFloats(dst, tileValues(id, tile)) {
				t.Errorf("tile %d: its values differ", tile)
			}
			continue
		}
		if len(warnings) == 0 || !strings.Contains(warnings[len(warnings)-1], want) {
			t.Errorf("tile %d: warnings %q lack %q", tile, warnings, want)
		}
		if _, err := os.Stat(rec(tile)); !os.IsNotExist(err) {
			t.Errorf("tile %d: the bad record is left", tile)
		}
	}
}

func binaryAppendCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// TestJournalStatusShards: status counts each layer's finished tiles and
// each shard's, from records and shard marks, while shards share the
// journal.
func TestJournalStatusShards(t *testing.T) {
	id := testGridID()
	dir := filepath.Join(t.TempDir(), "j")
	for i, tiles := range [][]int{{0, 1}, {2}} {
		s := Shard{Index: i, Count: 2}
		first, last, err := s.Tiles(id.Plan())
		if err != nil {
			t.Fatal(err)
		}
		j, err := OpenJournal(dir, id, JournalOptions{Tiles: [2]int{first, last}, Shard: s})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.bindBackend(BackendCPU); err != nil {
			t.Fatal(err)
		}
		if err := writeTiles(j, id, tiles...); err != nil {
			t.Fatal(err)
		}
		j.Close()
	}
	st, err := ReadJournalStatus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Tiles != 4 || st.Backend != "cpu" || len(st.Layers) != 1 || st.Layers[0].Done != 3 {
		t.Fatalf("status %+v", st)
	}
	if len(st.Shards) != 2 || st.Shards[0].Shard != "0/2" || st.Shards[0].Done != 2 || st.Shards[0].LastTile != 2 ||
		st.Shards[1].Shard != "1/2" || st.Shards[1].Done != 1 || st.Shards[1].FirstTile != 2 || st.Shards[1].LastTile != 4 {
		t.Fatalf("shards %+v", st.Shards)
	}
	if _, err := ReadJournalStatus(t.TempDir()); !errors.Is(err, ErrNoJournal) {
		t.Errorf("status of an empty folder: %v", err)
	}
}

// TestParseShard: i/n, auto from Slurm's array variables, auto/n from
// Slurm's or a Kubernetes Indexed Job's, and what is refused.
func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	none := env()
	for _, c := range []struct {
		in   string
		env  func(string) string
		want Shard
		err  string
	}{
		{"0/4", none, Shard{0, 4}, ""},
		{" 3/4 ", none, Shard{3, 4}, ""},
		{"5/4", none, Shard{}, "shard 5 of 4: shards are numbered from 0 to 3"},
		{"4/4", none, Shard{}, "shard 4 of 4"},
		{"-1/4", none, Shard{}, "shard -1 of 4"},
		{"0/0", none, Shard{}, "0 shards: want at least 1"},
		{"1/x", none, Shard{}, "want i/n with whole numbers"},
		{"3", none, Shard{}, "want i/n"},
		{"auto", none, Shard{}, "auto: neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set"},
		{"auto/4", none, Shard{}, "auto: neither"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{2, 4}, ""},
		{"auto", env("SLURM_ARRAY_TASK_ID", "12", "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{2, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{3, 4}, ""},
		{"auto/5", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{}, "auto/5: the Slurm array has 4 tasks"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "3"), Shard{}, "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "6", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{}, "use an array without steps"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{}, `SLURM_ARRAY_TASK_ID="x" is not a whole number`},
		{"auto/4", env("JOB_COMPLETION_INDEX", "1"), Shard{1, 4}, ""},
		{"auto", env("JOB_COMPLETION_INDEX", "1"), Shard{}, "give it, as auto/n"},
		{"auto/4", env("JOB_COMPLETION_INDEX", "4"), Shard{}, "shard 4 of 4"},
		{"auto/0", env("JOB_COMPLETION_INDEX", "0"), Shard{}, "0 shards"},
	} {
		got, err := ParseShard(c.in, c.env)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseShard(%q) = %v, %v; want an error with %q", c.in, got, err, c.err)
		}
	}
	// More shards than tiles.
	var ie *InputError
	if _, _, err := (Shard{0, 5}).Tiles(testGridID().Plan()); !errors.As(err, &ie) || ie.Input != "shard" || !strings.Contains(err.Error(), "the grid has 4 tiles (of 3 rows), fewer than 5 shards") {
		t.Errorf("5 shards of 4 tiles: %v", err)
	}
	// Shards cover the tiles once, in order.
	next := 0
	for i := range 3 {
		first, last, err := (Shard{i, 3}).Tiles(testGridID().Plan())
		if err != nil || first != next || last <= first {
			t.Fatalf("shard %d/3: [%d, %d), %v", i, first, last, err)
		}
		next = last
	}
	if next != 4 {
		t.Fatalf("3 shards end at tile %d of 4", next)
	}
}

// shardFiles writes the n shards of a two-layer grid into dir and returns
// their paths and the whole grid's layers.
func shardFiles(t *testing.T, dir string, id GridID, n int, backend Backend) ([]string, [2][]float32) {
	t.Helper()
	plan := id.Plan()
	var whole [2][]float32
	for l := range whole {
		whole[l] = make([]float32, id.Nx*id.Ny)
		for i := range whole[l] {
			whole[l][i] = float32(math.Cos(float64(i+1000*l))) / 3
		}
	}
	var paths []string
	for i := range n {
		s := Shard{i, n}
		first, last, err := s.Tiles(plan)
		if err != nil {
			t.Fatal(err)
		}
		r0, _ := plan.Tile(first)
		_, r1 := plan.Tile(last - 1)
		var bands []*RowBand
		for l := range id.Layers {
			bands = append(bands, &RowBand{Grid: id.Grid(), Row0: r0, Row1: r1, Values: whole[l][r0*id.Nx : r1*id.Nx]})
		}
		var buf bytes.Buffer
		if err := WriteShard(&buf, id, s, backend, bands); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, s.String()[:1]+"-"+backend.String()+".shard")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths, whole
}

// TestMerge: shards merge into the grid, in any order; shards of
// different grids, cuts or backends, a shard missing or given twice, and
// a shard corrupt (its header or a tile's values) or truncated are
// refused, the file named.
func TestMerge(t *testing.T) {
	dir := t.TempDir()
	id := testGridID()
	id.Layers = []string{LayerLoss, LayerTest}
	paths, whole := shardFiles(t, dir, id, 3, BackendCPU)
	m, err := Merge([]string{paths[2], paths[0], paths[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(m.Loss.Values, whole[0]) || len(m.Extra) != 1 || m.Extra[0].Name != LayerTest || !equalFloats(m.Extra[0].Values, whole[1]) || m.Backend != "cpu" {
		t.Fatalf("the merged grid differs from the whole one")
	}

	sub := func(name string) string {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	other := id
	other.Settings = map[string]string{"a": "3"}
	otherPaths, _ := shardFiles(t, sub("other"), other, 3, BackendCPU)
	twoPaths, _ := shardFiles(t, sub("two"), id, 2, BackendCPU)
	glPaths, _ := shardFiles(t, sub("gl"), id, 3, BackendGL)
	corrupt := func(name string, at func(size int) int) string {
		b, err := os.ReadFile(paths[1])
		if err != nil {
			t.Fatal(err)
		}
		b[at(len(b))] ^= 1
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badValue := corrupt("value.shard", func(n int) int { return n - 3 })
	badHeader := corrupt("header.shard", func(int) int { return len(shardMagic) + 8 + 20 })
	b, _ := os.ReadFile(paths[1])
	short := filepath.Join(dir, "short.shard")
	os.WriteFile(short, b[:len(b)-8], 0o644)
	notShard := filepath.Join(dir, "not.shard")
	os.WriteFile(notShard, []byte("hello\n"), 0o644)

	for _, c := range []struct {
		paths []string
		want  string
	}{
		{nil, "no shards to merge"},
		{[]string{paths[0], otherPaths[1], paths[2]}, "are shards of different grids: hyperparameter a 1 in " + paths[0] + ", 3 in " + otherPaths[1]},
		{[]string{paths[0], twoPaths[1]}, "the grid was cut in different numbers of shards"},
		{[]string{paths[0], glPaths[1], paths[2]}, "was evaluated on the cpu backend and " + glPaths[1] + " on the gl backend"},
		{[]string{paths[0], paths[2]}, "shard 1 of 3 is missing (given: 0, 2)"},
		{[]string{paths[1]}, "shards 0, 2 of 3 are missing (given: 1)"},
		{[]string{paths[0], paths[1], paths[1], paths[2]}, "shard 1/3 is given twice: " + paths[1] + " and " + paths[1]},
		{[]string{paths[0], badValue, paths[2]}, badValue + " is corrupt: tile 1 (rows [3, 6)) of test_loss fails its checksum"},
		{[]string{paths[0], badHeader, paths[2]}, badHeader + " is corrupt (its header fails its checksum)"},
		{[]string{paths[0], short, paths[2]}, short + " is truncated or too long"},
		{[]string{notShard}, notShard + " is not a landscape shard file"},
		{[]string{filepath.Join(dir, "none.shard")}, "none.shard cannot be read: no such file or directory"},
	} {
		_, err := Merge(c.paths)
		if !errors.Is(err, ErrShard) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("merge %v: %v; want %q", c.paths, err, c.want)
		}
	}
}
