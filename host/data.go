package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/landscape-go/landscape/sdk/client"
)

// ErrNoData: a surface has no data buffer to export.
var ErrNoData = errors.New("host: surface has no data")

// DataTable is a data-driven surface's data buffer (what its GLSL reads
// as DATA(i)) cut into one row per training sample: Rows samples of Cols
// values each, row-major. For the models plugin a row is a sample's
// features, then its target. The benchmark's model peers read it (as
// .npy); SurfaceWithDataset's samples, with their columns' names, are what
// users export (Samples, WriteSamplesCSV).
type DataTable struct {
	Rows, Cols int
	Values     []float32
}

// SurfaceData is s's data buffer as a table, fetched from its plugin the
// first time. It is ErrNoData when s has none, or when its buffer does not
// divide into its samples.
func (a *App) SurfaceData(ctx context.Context, s *Surface) (DataTable, error) {
	d := s.Desc
	if d.DataLen == 0 || d.Samples == 0 || d.DataLen%d.Samples != 0 {
		return DataTable{}, fmt.Errorf("%w: %s has no data buffer of whole samples (%d values, %d samples)", ErrNoData, d.Name, d.DataLen, d.Samples)
	}
	if err := a.fetchData(ctx, s); err != nil {
		return DataTable{}, err
	}
	return DataTable{Rows: d.Samples, Cols: d.DataLen / d.Samples, Values: s.data}, nil
}

// fetchData fetches s's data buffer from its plugin unless s holds it.
func (a *App) fetchData(ctx context.Context, s *Surface) error {
	if s.Desc.DataLen == 0 || s.data != nil {
		return nil
	}
	var data []float32
	err := s.call(ctx, func() string { return "sending the data of surface " + s.Desc.Name }, func(c *client.SurfaceClient) (err error) {
		data, err = c.Data(ctx, s.Ref, s.Desc.DataLen)
		return err
	})
	if err != nil {
		return err
	}
	s.data = data
	return nil
}

// writeDataNPY writes t as a float32 .npy of shape (rows, cols).
func writeDataNPY(w io.Writer, t DataTable) error {
	return writeNPY(w, "<f4", t.Rows, t.Cols, len(t.Values), func(i int) uint32 { return math.Float32bits(t.Values[i]) })
}
