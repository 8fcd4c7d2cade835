package host

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
)

// A shard file holds the tiles of one shard of a grid (eval --shard i/n),
// self-described, so that `landscape merge` can check that the shards it
// is given make one grid, whole, before it assembles them:
//
//	LANDSCAPE-SHARD 1\n                 the magic line
//	uint64 n                            the header's length, little-endian
//	header                              n bytes of JSON (shardHeader)
//	uint32 crc                          the header's CRC-32C
//	values                              for each layer, for each tile of
//	                                    the shard, its float32 values
//	                                    (little-endian, row-major)
//
// The header has the grid's GridID (which also gives the tile plan), the
// shard (index and count), its tiles [first, last), the backend that
// evaluated them, and each tile's CRC-32C per layer. A reader knows the
// file's whole length from the header, and reads nothing past it.

// ErrShard: a shard file is malformed, or shards do not make one grid.
var ErrShard = errors.New("host: bad shard")

const (
	shardMagic     = "LANDSCAPE-SHARD 1\n"
	shardFormat    = "landscape-shard"
	maxShardHeader = 64 << 20
)

// shardHeader is a shard file's header.
type shardHeader struct {
	Format    string `json:"format"`
	Grid      GridID `json:"grid"`
	Index     int    `json:"index"`
	Count     int    `json:"count"`
	FirstTile int    `json:"first_tile"`
	LastTile  int    `json:"last_tile"`
	Backend   string `json:"backend"`
	// CRC32C holds, per tile of the shard, one checksum per layer.
	CRC32C [][]uint32 `json:"crc32c"`
}

// ShardFormat is the extension of shard files.
const ShardFormat = ".shard"

// WriteShard writes the tiles of shard s of the grid id, evaluated on
// backend, as a shard file: bands holds one RowBand per layer of id, each
// the shard's rows.
func WriteShard(w io.Writer, id GridID, s Shard, backend Backend, bands []*RowBand) error {
	plan := id.Plan()
	first, last, err := s.Tiles(plan)
	if err != nil {
		return err
	}
	if len(bands) != len(id.Layers) {
		return fmt.Errorf("%w: %d layers for a grid of %d", ErrShard, len(bands), len(id.Layers))
	}
	r0, _ := plan.Tile(first)
	_, r1 := plan.Tile(last - 1)
	for _, b := range bands {
		if b.Row0 != r0 || b.Row1 != r1 || len(b.Values) != (r1-r0)*id.Nx {
			return fmt.Errorf("%w: a band of rows [%d, %d) for a shard of rows [%d, %d)", ErrShard, b.Row0, b.Row1, r0, r1)
		}
	}
	h := shardHeader{Format: shardFormat, Grid: id, Index: s.Index, Count: s.Count, FirstTile: first, LastTile: last, Backend: backend.String()}
	for t := first; t < last; t++ {
		row0, row1 := plan.Tile(t)
		sums := make([]uint32, len(bands))
		for l, b := range bands {
			sums[l] = crc32.Checksum(float32Bytes(b.Values[(row0-r0)*id.Nx:(row1-r0)*id.Nx]), castagnoli)
		}
		h.CRC32C = append(h.CRC32C, sums)
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(shardMagic)
	bw.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(hb))))
	bw.Write(hb)
	bw.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(hb, castagnoli)))
	for _, b := range bands {
		if _, err := bw.Write(float32Bytes(b.Values)); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// shardFile is a shard file whose header was read and checked.
type shardFile struct {
	path   string
	h      shardHeader
	offset int64 // of the values
	rows   [2]int
}

// readShardHeader reads and checks a shard file's header, and that the
// file is as long as the header says.
func readShardHeader(path string) (*shardFile, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s %s", ErrShard, path, fmt.Sprintf(format, a...))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bad("cannot be read: %v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, bad("is not a file")
	}
	br := bufio.NewReader(f)
	magic := make([]byte, len(shardMagic)+8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic[:len(shardMagic)]) != shardMagic {
		return nil, bad("is not a landscape shard file")
	}
	n := binary.LittleEndian.Uint64(magic[len(shardMagic):])
	if n > maxShardHeader || int64(n) > st.Size() {
		return nil, bad("is corrupt (a header of %d bytes)", n)
	}
	hb := make([]byte, n+4)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, bad("is truncated")
	}
	if crc32.Checksum(hb[:n], castagnoli) != binary.LittleEndian.Uint32(hb[n:]) {
		return nil, bad("is corrupt (its header fails its checksum)")
	}
	var h shardHeader
	if err := json.Unmarshal(hb[:n], &h); err != nil || h.Format != shardFormat {
		return nil, bad("is not a landscape shard file (its header does not read as one)")
	}
	if err := h.Grid.check(); err != nil {
		return nil, bad("describes %v", err)
	}
	s, err := checkShard(h.Index, h.Count)
	if err != nil {
		return nil, bad("is corrupt (%v)", err)
	}
	plan := h.Grid.Plan()
	first, last, err := s.Tiles(plan)
	if err != nil || first != h.FirstTile || last != h.LastTile || len(h.CRC32C) != last-first {
		return nil, bad("is corrupt (shard %s of a grid of %d tiles does not hold tiles [%d, %d))", s, plan.Count(), h.FirstTile, h.LastTile)
	}
	for _, c := range h.CRC32C {
		if len(c) != len(h.Grid.Layers) {
			return nil, bad("is corrupt (%d checksums for %d layers)", len(c), len(h.Grid.Layers))
		}
	}
	if b, err := ParseBackend(h.Backend); err != nil || b == BackendAuto {
		return nil, bad("is corrupt (backend %q)", h.Backend)
	}
	r0, _ := plan.Tile(first)
	_, r1 := plan.Tile(last - 1)
	off := int64(len(shardMagic)+8) + int64(n) + 4
	want := off + int64(len(h.Grid.Layers))*int64(r1-r0)*int64(h.Grid.Nx)*4
	if st.Size() != want {
		return nil, bad("is truncated or too long (%d bytes, want %d)", st.Size(), want)
	}
	return &shardFile{path: path, h: h, offset: off, rows: [2]int{r0, r1}}, nil
}

// Merged is a grid assembled from shards: its loss and, when the shards
// hold it, its test loss.
type Merged struct {
	ID      GridID
	Backend string
	Loss    *compute.Field
	Extra   []NamedField
}

// Merge reads the shard files, checks that they are the shards of one
// grid (the same GridID and backend, every shard of the count there once)
// and that every tile passes its checksum, and assembles the grid. Its
// errors name the files.
func Merge(paths []string) (*Merged, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no shards to merge", ErrShard)
	}
	var files []*shardFile
	for _, p := range paths {
		f, err := readShardHeader(p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	first := files[0]
	byIndex := map[int]*shardFile{}
	for _, f := range files {
		if diff := first.h.Grid.Diff(f.h.Grid, first.path, f.path); diff != "" {
			return nil, fmt.Errorf("%w: %s and %s are shards of different grids: %s", ErrShard, first.path, f.path, diff)
		}
		if f.h.Count != first.h.Count {
			return nil, fmt.Errorf("%w: %s is shard %d/%d and %s shard %d/%d: the grid was cut in different numbers of shards", ErrShard, first.path, first.h.Index, first.h.Count, f.path, f.h.Index, f.h.Count)
		}
		if f.h.Backend != first.h.Backend {
			return nil, fmt.Errorf("%w: %s was evaluated on the %s backend and %s on the %s backend: their values differ in rounding (evaluate every shard with the same --backend)", ErrShard, first.path, first.h.Backend, f.path, f.h.Backend)
		}
		if g, dup := byIndex[f.h.Index]; dup {
			return nil, fmt.Errorf("%w: shard %d/%d is given twice: %s and %s", ErrShard, f.h.Index, f.h.Count, g.path, f.path)
		}
		byIndex[f.h.Index] = f
	}
	var missing []string
	for i := 0; i < first.h.Count; i++ {
		if byIndex[i] == nil {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		have := make([]int, 0, len(byIndex))
		for i := range byIndex {
			have = append(have, i)
		}
		sort.Ints(have)
		what := "shard " + missing[0] + " of " + strconv.Itoa(first.h.Count) + " is"
		if len(missing) > 1 {
			what = "shards " + strings.Join(missing, ", ") + " of " + strconv.Itoa(first.h.Count) + " are"
		}
		return nil, fmt.Errorf("%w: %s missing (given: %s)", ErrShard, what, joinInts(have))
	}
	id := first.h.Grid
	g := id.Grid()
	layers := make([][]float32, len(id.Layers))
	for l := range layers {
		layers[l] = make([]float32, g.Len())
	}
	for i := 0; i < first.h.Count; i++ {
		if err := byIndex[i].readValues(layers); err != nil {
			return nil, err
		}
	}
	m := &Merged{ID: id, Backend: first.h.Backend, Loss: &compute.Field{Grid: g, Values: layers[0]}}
	for l := 1; l < len(layers); l++ {
		m.Extra = append(m.Extra, NamedField{Name: id.Layers[l], Values: layers[l]})
	}
	return m, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// readValues reads the shard's tiles into the grid's layers, checking each
// tile against its checksum.
func (sf *shardFile) readValues(layers [][]float32) error {
	f, err := os.Open(sf.path)
	if err != nil {
		return fmt.Errorf("%w: %s cannot be read: %v", ErrShard, sf.path, unwrapPath(err))
	}
	defer f.Close()
	if _, err := f.Seek(sf.offset, io.SeekStart); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrShard, sf.path, err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	id := sf.h.Grid
	plan := id.Plan()
	var buf []byte
	for l := range layers {
		for t := sf.h.FirstTile; t < sf.h.LastTile; t++ {
			row0, row1 := plan.Tile(t)
			n := (row1 - row0) * id.Nx
			if cap(buf) < 4*n {
				buf = make([]byte, 4*n)
			}
			b := buf[:4*n]
			if _, err := io.ReadFull(br, b); err != nil {
				return fmt.Errorf("%w: %s is truncated", ErrShard, sf.path)
			}
			if crc32.Checksum(b, castagnoli) != sf.h.CRC32C[t-sf.h.FirstTile][l] {
				return fmt.Errorf("%w: %s is corrupt: tile %d (rows [%d, %d)) of %s fails its checksum", ErrShard, sf.path, t, row0, row1, id.Layers[l])
			}
			dst := layers[l][row0*id.Nx : row1*id.Nx]
			for i := range dst {
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		}
	}
	return nil
}
