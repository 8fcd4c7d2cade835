package host

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// LoadVector reads a parameter vector: a file when s names one (a
// trajectory .csv or .json from `landscape optimize`, whose last point it
// takes, or FILE@K for its point K, 0 being the start; or a .npy array of
// float64 or float32), else comma-separated numbers. Its errors say what
// is wrong with s; the caller names where s came from.
func LoadVector(s string) ([]float64, error) {
	path, row := s, -1
	if i := strings.LastIndex(s, "@"); i > 0 && looksLikeFile(s[:i]) {
		k, err := strconv.Atoi(s[i+1:])
		if err != nil || k < 0 {
			return nil, fmt.Errorf("want FILE@K with K a point's index (0: the start)")
		}
		path, row = s[:i], k
	}
	if !looksLikeFile(path) {
		return ParseVector(s)
	}
	pts, err := LoadTrajectory(path)
	if err != nil {
		return nil, err
	}
	if row < 0 {
		return pts[len(pts)-1], nil
	}
	if row >= len(pts) {
		return nil, fmt.Errorf("%s has %d points; there is no point %d", path, len(pts), row)
	}
	return pts[row], nil
}

func looksLikeFile(s string) bool {
	for _, ext := range []string{".csv", ".json", ".npy"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}

// LoadTrajectory reads the points of a trajectory: a .csv or .json that
// `landscape optimize` wrote (columns or fields x0, x1, ...; rows whose
// point is not finite, from a diverged run, are an error), or a .npy
// array, 1-D (one point) or 2-D (one point per row).
func LoadTrajectory(path string) ([][]float64, error) {
	ext := strings.ToLower(filepath.Ext(path))
	line := int64(0)
	if ext == ".csv" {
		line = MaxLineBytes
	}
	f, err := sdk.OpenFile(path, MaxFileBytes, line)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	var pts [][]float64
	switch ext {
	case ".csv":
		pts, err = trajectoryCSV(f)
	case ".json":
		pts, err = trajectoryJSON(f)
	default:
		pts, err = readNPY(f)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("%s: no points", path)
	}
	for i, p := range pts {
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: point %d is not finite (a diverged run?)", path, i+1)
			}
		}
	}
	return pts, nil
}

// Bounds on the files the host reads (trajectories, vectors): their size,
// and the length of a line of a CSV file.
const (
	MaxFileBytes = 1 << 30
	MaxLineBytes = 16 << 20
)

var xColumn = regexp.MustCompile(`^x(0|[1-9][0-9]*)$`)

func trajectoryCSV(r io.Reader) ([][]float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), MaxLineBytes+1)
	// A line cut short by a read error is no line: Err is checked first.
	if !sc.Scan() || sc.Err() != nil {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("empty file")
	}
	var cols []int
	for i, h := range strings.Split(sc.Text(), ",") {
		if m := xColumn.FindStringSubmatch(strings.TrimSpace(h)); m != nil {
			if k, _ := strconv.Atoi(m[1]); k != len(cols) {
				return nil, fmt.Errorf("column %s out of order", h)
			}
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no x0, x1, ... columns in the header (want a trajectory from landscape optimize -o FILE.csv)")
	}
	var pts [][]float64
	for line := 2; sc.Scan() && sc.Err() == nil; line++ {
		cells := strings.Split(sc.Text(), ",")
		p := make([]float64, len(cols))
		for k, c := range cols {
			if c >= len(cells) {
				return nil, fmt.Errorf("line %d has %d cells", line, len(cells))
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(cells[c]), 64)
			if err != nil {
				return nil, fmt.Errorf("line %d, column x%d: %q is not a number", line, k, cells[c])
			}
			p[k] = v
		}
		pts = append(pts, p)
	}
	return pts, sc.Err()
}

func trajectoryJSON(r io.Reader) ([][]float64, error) {
	var rep struct {
		Records []struct {
			X []*float64 `json:"x"`
		} `json:"records"`
	}
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a trajectory report: %v", err)
	}
	var pts [][]float64
	for _, rec := range rep.Records {
		p := make([]float64, len(rec.X))
		for k, x := range rec.X {
			if x == nil {
				p[k] = math.NaN()
			} else {
				p[k] = *x
			}
		}
		pts = append(pts, p)
	}
	return pts, nil
}

// npyHeaderRE matches the header of a little-endian float .npy array.
var npyHeaderRE = regexp.MustCompile(`'descr':\s*'<f([48])',\s*'fortran_order':\s*False,\s*'shape':\s*\((\d+),\s*(\d*)\)`)

// readNPY reads a 1-D or 2-D little-endian float64 or float32 .npy array
// (version 1 or 2) as rows.
func readNPY(r io.Reader) ([][]float64, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file")
	}
	var hlen int
	switch magic[6] {
	case 1:
		var n uint16
		if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
			return nil, err
		}
		hlen = int(n)
	case 2, 3:
		var n uint32
		if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
			return nil, err
		}
		hlen = int(n)
	default:
		return nil, fmt.Errorf(".npy version %d", magic[6])
	}
	if hlen > 1<<16 {
		return nil, fmt.Errorf(".npy header of %d bytes", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, err
	}
	m := npyHeaderRE.FindStringSubmatch(string(h))
	if m == nil {
		return nil, fmt.Errorf("want a 1-D or 2-D little-endian float32 or float64 array in C order")
	}
	size, _ := strconv.Atoi(m[1])
	rows, _ := strconv.Atoi(m[2])
	cols := 0
	if m[3] == "" { // 1-D: one point
		rows, cols = 1, rows
	} else {
		cols, _ = strconv.Atoi(m[3])
	}
	if rows < 1 || cols < 1 || cols > 1<<24 || rows > 1<<28/cols {
		return nil, fmt.Errorf("array of %d×%d values", rows, cols)
	}
	buf := make([]byte, size)
	var out [][]float64 // grown as data arrives: a header may lie about its size
	for i := 0; i < rows; i++ {
		out = append(out, make([]float64, cols))
		for k := range out[i] {
			if _, err := io.ReadFull(br, buf); err != nil {
				return nil, fmt.Errorf("array ends early")
			}
			if size == 8 {
				out[i][k] = math.Float64frombits(binary.LittleEndian.Uint64(buf))
			} else {
				out[i][k] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf)))
			}
		}
	}
	return out, nil
}
