package host

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// TestSamples fetches a model's samples and predictions through its
// plugin: train and test apart, columns named, values as the model holds
// them; the CSV marks the subset; a surface without samples says so.
func TestSamples(t *testing.T) {
	ripple, _ := funcs.ByName("ripple")
	a := inProcess(t, sdk.WithSurfaces(append(model.All(), ripple)...))
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := cat.Lookup("line-angle")
	s, err := a.Configure(ctx, e, client.Settings{Params: sdk.Params{"split": 0.25, "n": 8}})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Desc.HasDataset || !s.Desc.HasPredict || s.Desc.Period(0) != math.Pi {
		t.Fatalf("line-angle's descriptor: %+v", s.Desc)
	}
	smp, err := a.Samples(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := sdk.Configure(model.LineAngle(), sdk.Params{"split": 0.25, "n": 8})
	want := direct.(*model.Model).Dataset()
	wantTest := direct.(*model.Model).TestSet().(*model.Model).Dataset()
	if smp.Test == nil || !slices.Equal(smp.Train.Values, want.Values) || !slices.Equal(smp.Test.Values, wantTest.Values) || strings.Join(smp.Train.Columns, ",") != "x,y" {
		t.Fatalf("samples %+v / %+v, want %+v / %+v", smp.Train, smp.Test, want, wantTest)
	}
	var b bytes.Buffer
	if err := WriteSamplesCSV(&b, smp); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 9 || lines[0] != "subset,x,y" || !strings.HasPrefix(lines[1], "train,") || !strings.HasPrefix(lines[8], "test,") || strings.Count(b.String(), "test,") != 2 {
		t.Errorf("CSV:\n%s", b.String())
	}
	// float32 values in their shortest form: 0.1f is 0.1, not 0.10000000149011612.
	if got := string(appendValue(nil, float64(float32(0.1)))); got != "0.1" {
		t.Errorf("float32 0.1 written %q", got)
	}
	if got := string(appendValue(nil, 0.1)); got != "0.1" {
		t.Errorf("float64 0.1 written %q", got)
	}
	// Predictions through the plugin are the model's.
	in := []float64{-1, 0.5, 2}
	got, err := s.Entry.Client.Predict(ctx, s.Ref, []float64{0.4}, in, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range in {
		if w := x * math.Tan(0.4); math.Abs(got[i]-w) > 1e-12 {
			t.Errorf("prediction at %v: %v, want %v", x, got[i], w)
		}
	}
	if _, err := s.Entry.Client.Predict(ctx, s.Ref, []float64{0.4, 1}, in, 1); !errors.Is(err, sdk.ErrBadRequest) {
		t.Errorf("two parameters for one: %v", err)
	}
	re, _ := cat.Lookup("ripple")
	rs, err := a.Configure(ctx, re, client.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Samples(ctx, rs); !errors.Is(err, ErrNoDataset) {
		t.Errorf("ripple's samples: %v", err)
	}
	if _, err := rs.Entry.Client.Dataset(ctx, rs.Ref); !errors.Is(err, sdk.ErrBadRequest) {
		t.Errorf("asked for ripple's samples anyway: %v", err)
	}
}
