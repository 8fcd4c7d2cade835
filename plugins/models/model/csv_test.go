package model

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

func TestParseCSV(t *testing.T) {
	tab, err := ParseCSV("ok.csv", strings.NewReader("x, y ,label\n1,2,0\n\n 3.5 ,-4e-1, 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tab.Columns, "|"); got != "x|y|label" {
		t.Errorf("columns %q", got)
	}
	if tab.Rows() != 2 || tab.Row(1)[1] != -0.4 || tab.Lines[1] != 4 {
		t.Errorf("rows %v, lines %v", tab.Values, tab.Lines)
	}
}

// TestParseCSVErrors: each bad input gives its own error, naming the file,
// the line and the column.
func TestParseCSVErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "bad.csv: the file is empty: a header row"},
		{"no rows", "a,b\n", "bad.csv: no data rows after the header"},
		{"missing", "a,b\n1,2\n3,\n", `bad.csv:3:3: column 2 "b": the value is missing`},
		{"blank cell", "a,b\n1,2\n  ,4\n", `bad.csv:3:1: column 1 "a": the value is missing`},
		{"not a number", "a,b\n1,2\n3,x4\n", `bad.csv:3:3: column 2 "b": "x4" is not a finite number`},
		{"nan", "a,b\nNaN,2\n", `bad.csv:2:1: column 1 "a": "NaN" is not a finite number`},
		{"inf", "a,b\n1,-Inf\n", `bad.csv:2:3: column 2 "b": "-Inf" is not a finite number`},
		{"overflow", "a,b\n1,1e999\n", `bad.csv:2:3: column 2 "b": "1e999" is not a finite number`},
		{"short row", "a,b,c\n1,2,3\n4,5\n", "bad.csv:3: 2 cells, but the header has 3 columns"},
		{"long row", "a,b\n1,2\n4,5,6\n", "bad.csv:3: 3 cells, but the header has 2 columns"},
		{"duplicate", "a,b,a\n1,2,3\n", `bad.csv:1: column 3 "a" repeats the name of column 1`},
		{"unnamed", "a,,c\n1,2,3\n", "bad.csv:1: column 2 has no name"},
		{"quote", "a,b\n1,\"2\n", "bad.csv:2:"},
	} {
		_, err := ParseCSV("bad.csv", strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestCSVDataset: the checks after parsing, through Configure: each error
// wraps sdk.ErrBadParams and says what is wrong.
func TestCSVDataset(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "x,y,label\n1,2,0\n3,4,1\n5,6,2\n")
	frac := write("frac.csv", "x,label\n1,0\n2,1.5\n")
	one := write("one.csv", "label\n1\n")
	single := write("single.csv", "x,label\n1,0\n2,0\n")
	huge := write("huge.csv", "x,y\n1e39,2\n")
	headless := write("headless.csv", "1,2\n3,4\n")
	longLine := write("long.csv", "x,y\n"+strings.Repeat("1", MaxCSVLine+1)+",2\n")
	for _, c := range []struct {
		name string
		base func() *Model
		t    sdk.Texts
		want string
	}{
		{"no path", Softmax, sdk.Texts{"dataset": "csv"}, "needs the csv hyperparameter"},
		{"missing file", Softmax, sdk.Texts{"dataset": "csv", "csv": filepath.Join(dir, "nope.csv")}, "no such file"},
		{"no column", Softmax, sdk.Texts{"dataset": "csv", "csv": good, "target": "z"}, `no column "z" (columns: x, y, label)`},
		{"fraction", Softmax, sdk.Texts{"dataset": "csv", "csv": frac}, `frac.csv:3: column 2 "label": 1.5 is not a class: loss ce needs whole numbers 0..15`},
		{"bce classes", LogReg, sdk.Texts{"dataset": "csv", "csv": good}, `good.csv:4: column 3 "label": 2 is not a class: loss bce needs whole numbers 0..1`},
		{"one class", Softmax, sdk.Texts{"dataset": "csv", "csv": single}, "holds only class 0"},
		{"no features", LinReg, sdk.Texts{"dataset": "csv", "csv": one}, "at least one feature column"},
		{"float32", LinReg, sdk.Texts{"dataset": "csv", "csv": huge}, "beyond float32's range"},
		{"line-angle features", LineAngle, sdk.Texts{"dataset": "csv", "csv": good}, "has 2 features"},
		{"no header", LinReg, sdk.Texts{"dataset": "csv", "csv": headless}, "headless.csv:1: the first row holds numbers, not column names"},
		{"a device", LinReg, sdk.Texts{"dataset": "csv", "csv": "/dev/zero"}, "/dev/zero is not a regular file (a device)"},
		{"a folder", LinReg, sdk.Texts{"dataset": "csv", "csv": dir}, "is not a regular file (a folder)"},
		{"a long line", LinReg, sdk.Texts{"dataset": "csv", "csv": longLine}, "a line is longer than 1 MiB"},
	} {
		_, err := sdk.ConfigureTexts(c.base(), nil, c.t)
		if !errors.Is(err, sdk.ErrBadParams) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one wrapping sdk.ErrBadParams with %q", c.name, err, c.want)
		}
	}

	// Classes need not all occur: k is the largest plus one.
	s, err := sdk.ConfigureTexts(Softmax(), nil, sdk.Texts{"dataset": "csv", "csv": good, "target": "x"})
	if err != nil || s.(*Model).ds.classes != 6 {
		t.Errorf("target x (values 1, 3, 5): %v, want 6 classes", err)
	}
	s, err = sdk.ConfigureTexts(Softmax(), nil, sdk.Texts{"dataset": "csv", "csv": good})
	if err != nil {
		t.Fatal(err)
	}
	m := s.(*Model)
	if m.ds.classes != 3 || m.ds.d != 2 || m.Info().Dim != 9 {
		t.Errorf("classes %d, features %d, dim %d; want 3, 2, 9", m.ds.classes, m.ds.d, m.Info().Dim)
	}
	if got := m.Data(); len(got) != 9 || got[2] != 0 || got[5] != 1 || got[6] != 5 {
		t.Errorf("data %v", got)
	}
	s, err = sdk.ConfigureTexts(LinReg(), nil, sdk.Texts{"dataset": "csv", "csv": good, "target": "y"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*Model).Data(); len(got) != 9 || got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("target y: data %v, want x, label, y per row", got)
	}
}

// FuzzParseCSV: ParseCSV never panics, and what it accepts round-trips:
// written back as CSV it parses to the same columns and values.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "x, y ,label\n1,2,0\n\n 3.5 ,-4e-1, 1\n", "a\n1\n2\n", "\"a,b\",c\n1,2\n",
		"a,b\n1,\n", "a,a\n1,2\n", "", "a,b\n1,2,3\n", "a,b\nNaN,1\n", "a,b\n0x1p-2,1_0\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := ParseCSV("fuzz.csv", strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		c := len(tab.Columns)
		if c == 0 || tab.Rows() == 0 || len(tab.Values) != c*tab.Rows() {
			t.Fatalf("shape: %d columns, %d rows, %d values", c, tab.Rows(), len(tab.Values))
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(tab.Columns)
		rec := make([]string, c)
		for r := 0; r < tab.Rows(); r++ {
			for i, v := range tab.Row(r) {
				rec[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			w.Write(rec)
		}
		w.Flush()
		again, err := ParseCSV("again.csv", &buf)
		if err != nil {
			t.Fatalf("written back, it does not parse: %v\n%q", err, buf.String())
		}
		if strings.Join(again.Columns, "\x00") != strings.Join(tab.Columns, "\x00") || len(again.Values) != len(tab.Values) {
			t.Fatalf("round trip: columns %q → %q, %d → %d values", tab.Columns, again.Columns, len(tab.Values), len(again.Values))
		}
		for i, v := range tab.Values {
			if again.Values[i] != v {
				t.Fatalf("round trip: value %d %v → %v", i, v, again.Values[i])
			}
		}
	})
}

// FuzzCSVDataset: a parsed CSV file becomes a dataset, or is refused with
// an error naming the file: never a panic; an accepted dataset holds every
// row, its features and target as float32, classes within bounds.
func FuzzCSVDataset(f *testing.F) {
	for _, s := range []string{"x,y\n1,2\n3,4\n", "a,b,label\n1,2,0\n3,4,1\n", "a,label\n1,0.5\n", "y\n1\n", "a,b\n1e39,2\n", "a,b,c\n1,2,15\n1,2,16\n"} {
		f.Add(s, "", 0)
		f.Add(s, "a", 2)
	}
	f.Fuzz(func(t *testing.T, text, target string, loss int) {
		if loss < 0 || loss >= len(lossNames) {
			return
		}
		tab, err := ParseCSV("f.csv", strings.NewReader(text))
		if err != nil {
			return
		}
		ds, err := tab.dataset(target, lossKind(loss))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if ds.d != len(tab.Columns)-1 || len(ds.data) != tab.Rows()*len(tab.Columns) {
			t.Fatalf("%d features, %d values from %d rows of %d columns", ds.d, len(ds.data), tab.Rows(), len(tab.Columns))
		}
		if lossKind(loss).classification() && (ds.classes < 2 || ds.classes > maxClasses) {
			t.Fatalf("%d classes", ds.classes)
		}
	})
}
