package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/landscape-go/landscape/sdk"
)

// ErrNoDataset: a surface hands over no samples (it is not data-driven,
// or its plugin predates sdk.SurfaceWithDataset).
var ErrNoDataset = errors.New("host: no samples")

// Samples are a data-driven surface's samples as it holds them: the
// training samples its loss is over and, when it has a test set, the
// held-out ones.
type Samples struct {
	Train sdk.Dataset
	// Test is nil when the surface has no test set.
	Test *sdk.Dataset
}

// Samples fetches s's samples (see sdk.SurfaceWithDataset) from its
// plugin, its test set's too.
func (a *App) Samples(ctx context.Context, s *Surface) (Samples, error) {
	if !s.Desc.HasDataset {
		return Samples{}, fmt.Errorf("%w: %s is not a data-driven surface that hands over its samples", ErrNoDataset, s.Desc.Name)
	}
	var out Samples
	var err error
	if out.Train, err = s.dataset(ctx, s.Ref); err != nil {
		return Samples{}, err
	}
	ts, ok, err := a.TestSet(ctx, s)
	if err != nil {
		return Samples{}, err
	}
	if ok {
		t, err := s.dataset(ctx, ts.Ref)
		if err != nil {
			return Samples{}, err
		}
		if !slices.Equal(t.Columns, out.Train.Columns) {
			return Samples{}, fmt.Errorf("%w: %s: its test samples have columns %v, its training samples %v", ErrBadInput, s.Desc.Name, t.Columns, out.Train.Columns)
		}
		out.Test = &t
	}
	return out, nil
}

// WriteSamplesCSV writes the samples as CSV: a header of the columns, then
// a row per sample. With a test set a first column, subset, says train or
// test of each row (training samples first); without one the file reads
// back as a models surface's dataset=csv. Values that are float32 (as the
// models hold their data) are written in their shortest float32 form.
func WriteSamplesCSV(w io.Writer, s Samples) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	b := make([]byte, 0, 256)
	if s.Test != nil {
		b = append(b, "subset,"...)
	}
	for i, c := range s.Train.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
	}
	bw.Write(append(b, '\n'))
	rows := func(d sdk.Dataset, subset string) error {
		n := len(d.Columns)
		for r := 0; r < d.Samples(); r++ {
			b = b[:0]
			if subset != "" {
				b = append(b, subset...)
				b = append(b, ',')
			}
			for i, v := range d.Values[r*n : (r+1)*n] {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendValue(b, v)
			}
			if _, err := bw.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	}
	train := ""
	if s.Test != nil {
		train = "train"
	}
	if err := rows(s.Train, train); err != nil {
		return err
	}
	if s.Test != nil {
		if err := rows(*s.Test, "test"); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendValue writes v, in its float32 form when it is a float32 value.
func appendValue(b []byte, v float64) []byte {
	if f := float32(v); float64(f) == v && !math.IsInf(v, 0) {
		return strconv.AppendFloat(b, v, 'g', -1, 32)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
