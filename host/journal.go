package host

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// A journal is a folder that records a grid's finished tiles durably, so
// that a host killed in the middle of a grid loses none of them: the same
// command with --resume evaluates only the tiles it lacks. It holds
//
//   - manifest.json: the grid's GridID (what its values are a function
//     of), written once; a run of another grid is refused, the difference
//     named;
//   - backend: the backend its tiles were evaluated on ("gl" or "cpu"),
//     written with the first tile;
//   - one file per finished tile and layer, LAYER-TILE.tile: a 64-byte
//     header (magic, the GridID's sha256, layer, tile, rows, columns,
//     backend), the tile's float32 values, little-endian, and the CRC-32C
//     of all of it. Each is written without a name (or under a temporary
//     one), synced, then named, and the folder synced: a tile is either
//     there whole or not at all, whatever kills the host or fills the
//     disk. A record that does not read back whole (its size, header or
//     checksum) is removed and its tile evaluated again;
//   - shard-I-of-N.json: which hosts run which shards of the grid, for
//     `landscape status`.
//
// Several hosts may share a journal (the shards of one grid on a shared
// file system): they write different tiles, and the manifest and backend
// are made by the first (a link, which fails when the name exists) and
// checked by the others.

// ErrJournal: a journal cannot be used (not writable, another grid's, or
// none where one was asked for).
var ErrJournal = errors.New("host: journal")

// ErrNoJournal: --resume found no journal.
var ErrNoJournal = errors.New("host: no journal to resume")

const (
	journalFormat   = "landscape-journal"
	journalVersion  = 1
	manifestName    = "manifest.json"
	backendName     = "backend"
	recordMagic     = "LSJTILE1"
	recordHeader    = 64
	maxManifestSize = 16 << 20
)

// journalManifest is manifest.json.
type journalManifest struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Grid    GridID    `json:"grid"`
	Tiles   int       `json:"tiles"`
	Created time.Time `json:"created"`
}

// Journal is an open journal (see above).
type Journal struct {
	Dir string
	ID  GridID
	// Default marks a journal at the default place beside an output,
	// which is removed once the output is committed.
	Default bool

	plan    TilePlan
	hash    [32]byte
	layers  map[string]int
	present map[string]bool // record names found at open
	// Warn, when set, receives a line for each record that did not read
	// back and is evaluated again.
	Warn func(string)

	mu      sync.Mutex
	backend Backend // bound backend (0: none yet)
	queue   chan record
	pending sync.WaitGroup // records handed to the writer, not yet written
	done    chan struct{}  // the writer has ended
	closed  bool
	err     error
	written int

	// failWrite, in tests, fails the write of a tile (a full disk).
	failWrite func(layer string, tile int) error
}

type record struct {
	layer      string
	tile       int
	row0, row1 int
	vals       []float32
}

// JournalOptions say how a journal is opened.
type JournalOptions struct {
	// Resume requires a journal there (ErrNoJournal otherwise) and takes
	// its tiles; without it, a journal there that holds tiles of those
	// this run evaluates (Tiles) is refused, so that a run does not pick
	// up an earlier run's tiles unasked.
	Resume bool
	// Tiles is the run of tiles this run evaluates, [Tiles[0], Tiles[1]).
	Tiles [2]int
	// Default marks the journal as the default one beside an output.
	Default bool
	// Shard, when sharded, is recorded for status.
	Shard Shard
}

// DefaultJournal is the journal folder beside an output: .NAME.journal.
func DefaultJournal(output string) string {
	return filepath.Join(filepath.Dir(output), "."+filepath.Base(output)+".journal")
}

// OpenJournal opens the journal in dir for the grid id (creating it
// unless o.Resume): a journal of another grid is refused with the
// difference named (ErrJournal), as is a folder that cannot be written.
func OpenJournal(dir string, id GridID, o JournalOptions) (*Journal, error) {
	if err := id.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, dir, err)
	}
	j := &Journal{Dir: dir, ID: id, Default: o.Default, plan: id.Plan(), hash: id.hash(), layers: map[string]int{}, present: map[string]bool{}}
	for i, l := range id.Layers {
		j.layers[l] = i
	}
	m, err := readManifest(dir)
	switch {
	case errors.Is(err, os.ErrNotExist) && o.Resume:
		return nil, fmt.Errorf("%w: %s holds no journal (nothing to resume; run without --resume to start one)", ErrNoJournal, dir)
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return nil, fmt.Errorf("%w: %s: cannot make the folder: %v", ErrJournal, dir, unwrapPath(err))
		}
		if m, err = j.create(); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if diff := m.Grid.Diff(id, "the journal", "this run"); diff != "" {
		how := "remove it to start afresh, or give another --journal"
		if o.Resume {
			how = "resume with the flags of the run that made it"
		}
		return nil, fmt.Errorf("%w: %s is the journal of another grid: %s (%s)", ErrJournal, dir, diff, how)
	}
	j.ID, j.hash = m.Grid, m.Grid.hash()
	if err := j.probe(); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, backendName)); err == nil {
		if j.backend, err = ParseBackend(string(trimNL(b))); err != nil || j.backend == BackendAuto {
			return nil, fmt.Errorf("%w: %s: its backend file says %q", ErrJournal, dir, trimNL(b))
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, dir, unwrapPath(err))
	}
	removeTemporaries(dir)
	held := 0
	for _, e := range ents {
		layer, t, ok := parseRecordName(e.Name())
		if !ok {
			continue
		}
		if _, known := j.layers[layer]; !known || t >= j.plan.Count() {
			continue
		}
		j.present[e.Name()] = true
		if t >= o.Tiles[0] && t < o.Tiles[1] {
			held++
		}
	}
	if held > 0 && !o.Resume {
		return nil, fmt.Errorf("%w: %s holds %d tiles of this grid from an earlier run: --resume continues it; remove the folder to start afresh", ErrJournal, dir, held)
	}
	if o.Shard.Count > 0 {
		j.markShard(o.Shard, o.Tiles)
	}
	j.queue, j.done = make(chan record, 2), make(chan struct{})
	go j.writer()
	return j, nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// readManifest reads dir's manifest (os.ErrNotExist when there is none).
func readManifest(dir string) (*journalManifest, error) {
	f, err := os.Open(filepath.Join(dir, manifestName))
	if err != nil {
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("%w: %s is not a folder", ErrJournal, dir)
		}
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("%w: %s: cannot make the folder: a folder above it is a file", ErrJournal, dir)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, os.ErrNotExist
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, dir, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, dir, err)
	}
	if len(b) > maxManifestSize {
		return nil, fmt.Errorf("%w: %s: its manifest is larger than %s", ErrJournal, dir, FormatBytes(maxManifestSize))
	}
	var m journalManifest
	if err := json.Unmarshal(b, &m); err != nil || m.Format != journalFormat {
		return nil, fmt.Errorf("%w: %s holds no landscape journal (its %s does not read as one)", ErrJournal, dir, manifestName)
	}
	if m.Version != journalVersion {
		return nil, fmt.Errorf("%w: %s: a journal of version %d; this landscape reads version %d", ErrJournal, dir, m.Version, journalVersion)
	}
	if err := m.Grid.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: its manifest describes %v", ErrJournal, dir, err)
	}
	return &m, nil
}

// create writes the manifest, unless another host just did (then it is
// read back).
func (j *Journal) create() (*journalManifest, error) {
	m := &journalManifest{Format: journalFormat, Version: journalVersion, Grid: j.ID, Tiles: j.plan.Count(), Created: time.Now().UTC()}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := j.publish(manifestName, append(b, '\n')); err != nil {
		if errors.Is(err, os.ErrExist) {
			return readManifest(j.Dir)
		}
		return nil, fmt.Errorf("%w: %s: cannot write there: %v", ErrJournal, j.Dir, unwrapPath(err))
	}
	return m, nil
}

// publish writes b durably under name in the journal's folder, unless
// the name exists (os.ErrExist).
func (j *Journal) publish(name string, b []byte) error {
	f, err := os.CreateTemp(j.Dir, "."+name+".tmp-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), filepath.Join(j.Dir, name))
	}
	if err == nil {
		err = syncDir(j.Dir)
	}
	return err
}

// probe checks that the folder takes files.
func (j *Journal) probe() error {
	f, _, err := createTemp(j.Dir, ".probe.tmp-")
	if err != nil {
		return fmt.Errorf("%w: %s: cannot write there: %v", ErrJournal, j.Dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// tmpName matches the temporary names of a journal's files:
// .NAME.tmp-PID-*.
var tmpName = regexp.MustCompile(`^\..*\.tmp-(\d+)-`)

// removeTemporaries removes the temporary files dead hosts left in a
// journal's folder.
func removeTemporaries(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		m := tmpName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if pid, err := strconv.Atoi(m[1]); err == nil && pid > 0 && !alive(pid) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// syncDir makes a folder's entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

var recordName = regexp.MustCompile(`^(loss|test_loss)-(\d{6,})\.tile$`)

func recordFile(layer string, tile int) string { return fmt.Sprintf("%s-%06d.tile", layer, tile) }

func parseRecordName(name string) (layer string, tile int, ok bool) {
	m := recordName.FindStringSubmatch(name)
	if m == nil {
		return "", 0, false
	}
	t, err := strconv.Atoi(m[2])
	return m[1], t, err == nil
}

// Backend is the backend the journal's tiles were evaluated on (ok false
// when none is bound yet).
func (j *Journal) Backend() (Backend, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.backend, j.backend != 0
}

// bindBackend records the backend of this run's tiles, or checks it
// against the journal's.
func (j *Journal) bindBackend(b Backend) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.backend == 0 {
		err := j.publish(backendName, []byte(b.String()+"\n"))
		if errors.Is(err, os.ErrExist) {
			got, rerr := os.ReadFile(filepath.Join(j.Dir, backendName))
			if rerr == nil {
				j.backend, err = ParseBackend(string(trimNL(got)))
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %s: cannot write there: %v", ErrJournal, j.Dir, unwrapPath(err))
		}
		if j.backend == 0 {
			j.backend = b
		}
	}
	if j.backend != b {
		return fmt.Errorf("%w: %s holds tiles evaluated on the %s backend, and this run evaluates on the %s backend (give --backend %s, or use another journal)", ErrJournal, j.Dir, j.backend, b, j.backend)
	}
	return nil
}

// read fills dst with the journal's record of (layer, tile) when it has
// one that reads back whole; a record that does not is removed (and its
// tile is evaluated again).
func (j *Journal) read(layer string, tile int, dst []float32) (bool, error) {
	name := recordFile(layer, tile)
	if !j.present[name] {
		return false, nil
	}
	path := filepath.Join(j.Dir, name)
	row0, row1 := j.plan.Tile(tile)
	if err := j.readRecord(path, layer, tile, row0, row1, dst); err != nil {
		os.Remove(path)
		delete(j.present, name)
		if j.Warn != nil {
			j.Warn(fmt.Sprintf("journal %s: tile %d (rows [%d, %d)) of %s %v; evaluating it again", j.Dir, tile, row0, row1, layer, err))
		}
		return false, nil
	}
	return true, nil
}

// readRecord reads and checks a record: its size is known before it is
// read, so nothing larger is ever read.
func (j *Journal) readRecord(path, layer string, tile, row0, row1 int, dst []float32) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	defer f.Close()
	want := int64(recordHeader + 4*len(dst) + 4)
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() != want {
		return fmt.Errorf("is torn or not a record (%d bytes, want %d)", sizeOf(st), want)
	}
	b := make([]byte, want)
	if _, err := io.ReadFull(f, b); err != nil {
		return fmt.Errorf("cannot be read: %v", err)
	}
	body, sum := b[:want-4], binary.LittleEndian.Uint32(b[want-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("fails its checksum")
	}
	h := body[:recordHeader]
	le := binary.LittleEndian
	switch {
	case string(h[:8]) != recordMagic:
		return fmt.Errorf("is not a record")
	case [32]byte(h[8:40]) != j.hash:
		return fmt.Errorf("is of another grid")
	case int(le.Uint32(h[40:])) != j.layers[layer] || int(le.Uint32(h[44:])) != tile || int(le.Uint32(h[48:])) != row0 || int(le.Uint32(h[52:])) != row1 || int(le.Uint32(h[56:])) != j.plan.Nx:
		return fmt.Errorf("says it holds another tile")
	case Backend(le.Uint32(h[60:])) != j.backend:
		return fmt.Errorf("was evaluated on the %s backend, not the journal's %s", Backend(le.Uint32(h[60:])), j.backend)
	}
	vals := body[recordHeader:]
	for i := range dst {
		dst[i] = math.Float32frombits(le.Uint32(vals[4*i:]))
	}
	return nil
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}

// write hands a finished tile to the journal's writer, which records it
// while the next tile is evaluated; it returns the writer's first error
// (then the journal holds every tile written before it, and no part of
// the one that failed).
func (j *Journal) write(layer string, tile, row0, row1 int, vals []float32) error {
	j.mu.Lock()
	err, closed := j.err, j.closed
	if err == nil && !closed {
		j.pending.Add(1)
	}
	j.mu.Unlock()
	if err != nil {
		return err
	}
	if closed {
		return fmt.Errorf("%w: %s is closed", ErrJournal, j.Dir)
	}
	j.queue <- record{layer, tile, row0, row1, vals}
	return j.failure()
}

func (j *Journal) failure() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// flush waits until the tiles handed to the writer are recorded, and
// returns the writer's first error.
func (j *Journal) flush() error {
	j.pending.Wait()
	return j.failure()
}

// Close records what the writer was handed and ends it; it returns the
// writer's first error.
func (j *Journal) Close() error {
	err := j.flush()
	j.mu.Lock()
	closed := j.closed
	j.closed = true
	j.mu.Unlock()
	if !closed {
		close(j.queue)
		<-j.done
	}
	return err
}

// writer records the queued tiles, one after the other; after an error it
// records no more.
func (j *Journal) writer() {
	defer close(j.done)
	for r := range j.queue {
		if j.failure() == nil {
			err := j.record(r)
			j.mu.Lock()
			if err != nil {
				j.err = fmt.Errorf("%w: %s: writing tile %d (rows [%d, %d)): %v; the journal keeps the %d tiles written before it (--resume continues once this is mended)", ErrJournal, j.Dir, r.tile, r.row0, r.row1, unwrapPath(err), j.written)
			} else {
				j.written++
			}
			j.mu.Unlock()
		}
		j.pending.Done()
	}
}

// record writes one tile durably: unnamed (or under a temporary name),
// synced, named, folder synced.
func (j *Journal) record(r record) (err error) {
	if j.failWrite != nil {
		if err := j.failWrite(r.layer, r.tile); err != nil {
			return err
		}
	}
	name := recordFile(r.layer, r.tile)
	path := filepath.Join(j.Dir, name)
	f, named, err := createTemp(j.Dir, "."+name+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		f.Close()
		if named && err != nil {
			os.Remove(f.Name())
		}
	}()
	// The header, the values (as they lie in memory, not copied) and the
	// checksum of both.
	h := make([]byte, recordHeader, recordHeader+4)
	le := binary.LittleEndian
	copy(h, recordMagic)
	copy(h[8:40], j.hash[:])
	le.PutUint32(h[40:], uint32(j.layers[r.layer]))
	le.PutUint32(h[44:], uint32(r.tile))
	le.PutUint32(h[48:], uint32(r.row0))
	le.PutUint32(h[52:], uint32(r.row1))
	le.PutUint32(h[56:], uint32(j.plan.Nx))
	le.PutUint32(h[60:], uint32(j.backend))
	vals := float32Bytes(r.vals)
	sum := crc32.Update(crc32.Checksum(h, castagnoli), castagnoli, vals)
	for _, b := range [][]byte{h, vals, le.AppendUint32(nil, sum)} {
		if _, err := f.Write(b); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := placeTemp(f, named, path); err != nil {
		return err
	}
	return syncDir(j.Dir)
}

// float32Bytes is vals as little-endian bytes.
func float32Bytes(vals []float32) []byte {
	if len(vals) == 0 {
		return nil
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&vals[0])), 4*len(vals))
	}
	b := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// castagnoli is the CRC-32C table of journals' and shards' checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// shardMark is a shard-I-of-N.json: which host runs a shard.
type shardMark struct {
	Shard     string    `json:"shard"`
	FirstTile int       `json:"first_tile"`
	LastTile  int       `json:"last_tile"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
}

// markShard records (best effort) that this host runs shard s.
func (j *Journal) markShard(s Shard, tiles [2]int) {
	host, _ := os.Hostname()
	b, _ := json.Marshal(shardMark{Shard: s.String(), FirstTile: tiles[0], LastTile: tiles[1], Host: host, PID: os.Getpid(), Started: time.Now().UTC()})
	name := fmt.Sprintf("shard-%d-of-%d.json", s.Index, s.Count)
	f, err := os.CreateTemp(j.Dir, "."+name+".tmp-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return
	}
	_, err = f.Write(append(b, '\n'))
	f.Close()
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(j.Dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// Remove removes the journal (after its output is committed).
func (j *Journal) Remove() error {
	j.Close()
	if _, err := os.Stat(filepath.Join(j.Dir, manifestName)); err != nil {
		return nil // not a journal (any more): leave the folder alone
	}
	return os.RemoveAll(j.Dir)
}

// JournalStatus is what a journal says of its grid's progress.
type JournalStatus struct {
	Dir     string        `json:"dir"`
	Grid    GridID        `json:"grid"`
	Backend string        `json:"backend,omitempty"`
	Tiles   int           `json:"tiles"`
	Layers  []LayerStatus `json:"layers"`
	Shards  []ShardStatus `json:"shards,omitempty"`
	// Last is when the last tile was written (zero when none was).
	Last time.Time `json:"last,omitempty"`
}

// LayerStatus counts a layer's finished tiles.
type LayerStatus struct {
	Layer string `json:"layer"`
	Done  int    `json:"done"`
}

// ShardStatus is a shard's progress: its tiles and how many of them are
// finished in every layer.
type ShardStatus struct {
	Shard     string    `json:"shard"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	FirstTile int       `json:"first_tile"`
	LastTile  int       `json:"last_tile"`
	Done      int       `json:"done"`
}

// ReadJournalStatus reads a journal's progress: its records are counted
// by name and size (not read).
func ReadJournalStatus(dir string) (*JournalStatus, error) {
	m, err := readManifest(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s holds no journal", ErrNoJournal, dir)
	}
	if err != nil {
		return nil, err
	}
	plan := m.Grid.Plan()
	st := &JournalStatus{Dir: dir, Grid: m.Grid, Tiles: plan.Count()}
	if b, err := os.ReadFile(filepath.Join(dir, backendName)); err == nil {
		st.Backend = string(trimNL(b))
	}
	done := map[string]map[int]bool{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, dir, unwrapPath(err))
	}
	var marks []shardMark
	for _, e := range ents {
		if layer, t, ok := parseRecordName(e.Name()); ok && t < plan.Count() {
			info, err := e.Info()
			r0, r1 := plan.Tile(t)
			if err != nil || info.Size() != int64(recordHeader+4*(r1-r0)*plan.Nx+4) {
				continue
			}
			if done[layer] == nil {
				done[layer] = map[int]bool{}
			}
			done[layer][t] = true
			if info.ModTime().After(st.Last) {
				st.Last = info.ModTime()
			}
			continue
		}
		if recordShard.MatchString(e.Name()) {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			var sm shardMark
			if err == nil && len(b) < 1<<16 && json.Unmarshal(b, &sm) == nil && sm.FirstTile >= 0 && sm.LastTile <= plan.Count() && sm.FirstTile < sm.LastTile {
				marks = append(marks, sm)
			}
		}
	}
	for _, l := range m.Grid.Layers {
		st.Layers = append(st.Layers, LayerStatus{Layer: l, Done: len(done[l])})
	}
	for _, sm := range marks {
		ss := ShardStatus{Shard: sm.Shard, Host: sm.Host, PID: sm.PID, Started: sm.Started, FirstTile: sm.FirstTile, LastTile: sm.LastTile}
		for t := sm.FirstTile; t < sm.LastTile; t++ {
			all := true
			for _, l := range m.Grid.Layers {
				all = all && done[l][t]
			}
			if all {
				ss.Done++
			}
		}
		st.Shards = append(st.Shards, ss)
	}
	sort.Slice(st.Shards, func(a, b int) bool { return st.Shards[a].FirstTile < st.Shards[b].FirstTile })
	return st, nil
}

var recordShard = regexp.MustCompile(`^shard-\d+-of-\d+\.json$`)

// Held counts the records the journal held when it was opened of tiles
// [first, last), in every layer.
func (j *Journal) Held(first, last int) int {
	n := 0
	for name := range j.present {
		if _, t, ok := parseRecordName(name); ok && t >= first && t < last {
			n++
		}
	}
	return n
}

// Written counts the tiles this run recorded.
func (j *Journal) Written() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.written
}
