package model

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// Table is a parsed CSV file: named columns of finite numbers.
type Table struct {
	// Name is the file's name, for errors.
	Name string
	// Columns are the header's names, in order.
	Columns []string
	// Values holds the rows one after another (len(Columns) each).
	Values []float64
	// Lines is the line each row starts on (1 is the header's).
	Lines []int
}

// Rows is the number of data rows.
func (t *Table) Rows() int { return len(t.Lines) }

// Row is data row i.
func (t *Table) Row(i int) []float64 {
	c := len(t.Columns)
	return t.Values[i*c : (i+1)*c]
}

// ParseCSV reads a strict CSV file from r; name names it in errors. The
// first row is a header of distinct, non-empty column names, not all of
// them numbers (a file without a header is refused); every other
// row has one finite number per column (as strconv.ParseFloat reads it;
// spaces around cells are ignored; blank lines are skipped). Errors name
// the file, the line and the column.
func ParseCSV(name string, r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // ragged rows get our own error
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the file is empty: a header row of column names is required", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	numbers := true
	for _, h := range head {
		if _, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err != nil {
			numbers = false
		}
	}
	if numbers {
		return nil, fmt.Errorf("%s:1: the first row holds numbers, not column names; a header row of column names is required", name)
	}
	t := &Table{Name: name, Columns: make([]string, len(head))}
	seen := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("%s:1: column %d has no name; the first row must name every column", name, i+1)
		}
		if j, ok := seen[h]; ok {
			return nil, fmt.Errorf("%s:1: column %d %q repeats the name of column %d", name, i+1, h, j+1)
		}
		seen[h] = i
		t.Columns[i] = h
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(t.Columns) {
			return nil, fmt.Errorf("%s:%d: %d cells, but the header has %d columns", name, line, len(rec), len(t.Columns))
		}
		for i, cell := range rec {
			cell = strings.TrimSpace(cell)
			l, c := cr.FieldPos(i)
			where := fmt.Sprintf("%s:%d:%d: column %d %q", name, l, c, i+1, t.Columns[i])
			if cell == "" {
				return nil, fmt.Errorf("%s: the value is missing", where)
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: %q is not a finite number", where, cell)
			}
			t.Values = append(t.Values, v)
		}
		t.Lines = append(t.Lines, line)
	}
	if t.Rows() == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", name)
	}
	return t, nil
}

// csvError rewords encoding/csv's syntax errors as name:line:column.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// Column is the index of the column named name ("" is the last column);
// the error lists the columns.
func (t *Table) Column(name string) (int, error) {
	if name == "" {
		return len(t.Columns) - 1, nil
	}
	for i, c := range t.Columns {
		if c == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: no column %q (columns: %s)", t.Name, name, strings.Join(t.Columns, ", "))
}

// Bounds of a CSV dataset: its size, and the length of one of its lines.
const (
	MaxCSVBytes = 1 << 30
	MaxCSVLine  = 1 << 20
)

// readCSV reads the CSV dataset of path with column target as the target:
// with classification its values must be classes 0..k−1 (k ≤ 16; bce:
// k = 2).
func readCSV(path, target string, loss lossKind) (*dataset, error) {
	if path == "" {
		return nil, errors.New("dataset=csv needs the csv hyperparameter: the path of a CSV file")
	}
	f, err := sdk.OpenFile(path, MaxCSVBytes, MaxCSVLine)
	if err != nil {
		return nil, fmt.Errorf("dataset=csv: %w", err)
	}
	defer f.Close()
	t, err := ParseCSV(path, f)
	if err != nil {
		return nil, err
	}
	return t.dataset(target, loss)
}

// dataset converts t with column target as the target.
func (t *Table) dataset(target string, loss lossKind) (*dataset, error) {
	ti, err := t.Column(target)
	if err != nil {
		return nil, err
	}
	c := len(t.Columns)
	if c < 2 {
		return nil, fmt.Errorf("%s: only the target column %q; at least one feature column is needed", t.Name, t.Columns[ti])
	}
	ds := &dataset{d: c - 1, data: make([]float32, 0, t.Rows()*c)}
	for i, name := range t.Columns {
		if i != ti {
			ds.cols = append(ds.cols, name)
		}
	}
	ds.cols = append(ds.cols, t.Columns[ti])
	maxClass := 0
	for r := 0; r < t.Rows(); r++ {
		row := t.Row(r)
		for i, v := range row {
			if math.Abs(v) > math.MaxFloat32 {
				return nil, fmt.Errorf("%s:%d: column %d %q: %v is beyond float32's range (±3.4e38)", t.Name, t.Lines[r], i+1, t.Columns[i], v)
			}
			if i != ti {
				ds.data = append(ds.data, float32(v))
			}
		}
		y := row[ti]
		if loss.classification() {
			top := maxClasses - 1
			if loss == lossBCE {
				top = 1
			}
			if y != math.Trunc(y) || y < 0 || y > float64(top) {
				return nil, fmt.Errorf("%s:%d: column %d %q: %v is not a class: loss %s needs whole numbers 0..%d",
					t.Name, t.Lines[r], ti+1, t.Columns[ti], y, loss, top)
			}
			maxClass = max(maxClass, int(y))
		}
		ds.data = append(ds.data, float32(y))
	}
	if loss.classification() {
		if maxClass == 0 && loss == lossCE {
			return nil, fmt.Errorf("%s: column %q holds only class 0; loss ce needs at least 2 classes", t.Name, t.Columns[ti])
		}
		ds.classes = maxClass + 1
		if loss == lossBCE {
			ds.classes = 2
		}
	}
	return ds, nil
}
