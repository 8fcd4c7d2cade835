package model

import (
	"math"
	"slices"
	"sync"

	"github.com/landscape-go/landscape/sdk"
)

// Model is a model's loss on a dataset, one configuration of one of the
// surfaces (LinReg, LogReg, Softmax, MLP, LineAngle). It is immutable, and
// its methods are safe for concurrent use.
type Model struct {
	kind kind
	s    settings
	ds   *dataset // the configured subset's samples
	l2   float64  // the L2 strength applied: s.l2 on train, 0 on test
	a    sampler
	dim  int // a.dim()
	info sdk.Info
	glsl string

	// held are the held-out samples of a train configuration (nil on a
	// test one), from which TestSet builds the test surface once.
	held     *dataset
	testOnce sync.Once
	test     *Model

	fwd fwdCache // forward passes of the MLP's products (fwdcache.go)
}

// sampler is a model's loss (linear, mlp or lineAngle).
type sampler interface {
	dim() int
	groups() []sdk.Group
	// total is the sum of the losses of count samples of ds: the first
	// count when idx is nil, else those idx lists. With g non-nil it adds
	// wgt times their gradient to g.
	total(th []float64, ds *dataset, idx []int, count int, g []float64, wgt float64) float64
}

var (
	_ sdk.SurfaceWithGradient  = (*Model)(nil)
	_ sdk.SurfaceWithConfigure = (*Model)(nil)
	_ sdk.SurfaceWithTexts     = (*Model)(nil)
	_ sdk.SurfaceWithGLSL      = (*Model)(nil)
	_ sdk.SurfaceWithData      = (*Model)(nil)
	_ sdk.SurfaceWithBatches   = (*Model)(nil)
	_ sdk.SurfaceWithTestSet   = (*Model)(nil)
	_ sdk.SurfaceWithDataset   = (*Model)(nil)
	_ sdk.SurfaceWithPredict   = (*Model)(nil)
)

// build makes the surface of kind with settings s; errors wrap
// sdk.ErrBadParams.
func build(k kind, s settings) (*Model, error) {
	sp := k.spec()
	if !sp.accepts(s.loss) {
		return nil, badParams("%s: loss=%s: choose one of %s", sp.name, s.loss, sp.lossList())
	}
	ds, err := load(k, s)
	if err != nil {
		return nil, err
	}
	train, test := split(ds, s.split, s.seed)
	if s.subset == 1 {
		if test.n() == 0 {
			if s.split == 0 {
				return nil, badParams("%s: subset=test: no test set (split=0)", sp.name)
			}
			return nil, badParams("%s: subset=test: no test set (split=%v holds out none of %d samples)", sp.name, s.split, ds.n())
		}
		return assemble(k, s, test, 0), nil
	}
	m := assemble(k, s, train, s.l2)
	if test.n() > 0 {
		m.held = test
	}
	return m, nil
}

// assemble makes the surface of kind with settings s over the samples ds
// with the L2 strength l2.
func assemble(k kind, s settings, ds *dataset, l2 float64) *Model {
	m := &Model{kind: k, s: s, ds: ds, l2: l2}
	h := head{loss: s.loss, delta: s.delta, out: 1}
	if s.loss == lossCE {
		h.out = ds.classes
	}
	switch k {
	case kindLinReg, kindLogReg, kindSoftmax:
		m.a = linear{d: ds.d, m: h.out, h: h}
	case kindMLP:
		m.a = newMLP(ds.d, s.hidden, s.layers, h.out, s.activation == actReLU, h)
	default:
		m.a = lineAngle{h: h}
	}
	m.dim = m.a.dim()
	m.info = m.describe()
	m.glsl = m.buildGLSL()
	return m
}

// TestSet is the surface on the held-out samples (sdk.SurfaceWithTestSet):
// the same model and settings with subset=test, whose loss is the data
// loss alone (no L2 term). It is nil when the split holds out no samples,
// and on a test configuration.
func (m *Model) TestSet() sdk.Surface {
	if m.held == nil {
		return nil
	}
	m.testOnce.Do(func() {
		s := m.s
		s.subset = 1
		m.test = assemble(m.kind, s, m.held, 0)
	})
	return m.test
}

// load is the dataset of s, checked against what kind k needs (before a
// generated one is drawn).
func load(k kind, s settings) (*dataset, error) {
	if s.dataset == dsCSV {
		ds, err := readCSV(s.csvPath, s.csvTarget, s.loss)
		if err != nil {
			return nil, badParams("%s: %v", k.spec().name, err)
		}
		return ds, fits(k, s, ds.classes, ds.d)
	}
	classes, features := 0, 1 // line, rosette
	switch s.dataset {
	case dsBlobs, dsSpirals:
		classes, features = s.k, 2
	case dsMoons:
		classes, features = 2, 2
	}
	if err := fits(k, s, classes, features); err != nil {
		return nil, err
	}
	return generate(s), nil
}

// fits checks that kind k with loss s.loss can use a dataset with classes
// classes (0: regression) and features features.
func fits(k kind, s settings, classes, features int) error {
	name, dsName := k.spec().name, datasetNames[s.dataset]
	switch {
	case s.loss.classification() && classes == 0:
		return badParams("%s: loss=%s needs a classification dataset (blobs, moons, spirals, or csv), not %s", name, s.loss, dsName)
	case !s.loss.classification() && classes > 0:
		return badParams("%s: loss=%s needs a regression dataset (line, rosette, or csv), not %s", name, s.loss, dsName)
	case classes == 1:
		return badParams("%s: dataset=%s needs k ≥ 2 classes (k=1)", name, dsName)
	case s.loss == lossBCE && classes != 2:
		return badParams("%s: loss=bce needs 2 classes, and dataset=%s has k=%d (set k=2)", name, dsName, classes)
	case k == kindLineAngle && features != 1:
		return badParams("%s: each point is a feature and a target, but dataset=%s has %d features", name, dsName, features)
	}
	return nil
}

// Configure returns the surface configured with p (texts unchanged).
func (m *Model) Configure(p sdk.Params) (sdk.Surface, error) { return m.ConfigureTexts(p, nil) }

// ConfigureTexts returns the surface configured with p and t; what they
// leave out keeps m's value. Errors wrap sdk.ErrBadParams.
func (m *Model) ConfigureTexts(p sdk.Params, t sdk.Texts) (sdk.Surface, error) {
	full, texts, err := sdk.ResolveTexts(m.info.Hyperparameters, p, t)
	if err != nil {
		return nil, err
	}
	return build(m.kind, parse(m.kind, full, texts, m.s))
}

// Info describes the configured surface.
func (m *Model) Info() sdk.Info {
	i := m.info
	i.Domain = slices.Clone(i.Domain)
	i.Hyperparameters = slices.Clone(i.Hyperparameters)
	for k := range i.Hyperparameters {
		i.Hyperparameters[k].Options = slices.Clone(i.Hyperparameters[k].Options)
	}
	i.Groups = slices.Clone(i.Groups)
	i.Periods = slices.Clone(i.Periods)
	i.Minima = slices.Clone(i.Minima)
	for k := range i.Minima {
		i.Minima[k].Location = slices.Clone(i.Minima[k].Location)
	}
	return i
}

// describe builds the Info of a freshly built m.
func (m *Model) describe() sdk.Info {
	sp := m.kind.spec()
	dim := m.a.dim()
	info := sdk.Info{
		Name:            sp.name,
		Summary:         sp.summary,
		Dim:             dim,
		Domain:          make([]sdk.Interval, dim),
		Hyperparameters: declare(m.kind, m.s),
		Groups:          m.a.groups(),
	}
	for i := range info.Domain {
		info.Domain[i] = sdk.Interval{Lo: -3, Hi: 3}
	}
	if m.kind == kindLineAngle {
		// A line at φ and at φ+π is the same line.
		info.Domain[0] = sdk.Interval{Lo: -math.Pi / 2, Hi: math.Pi / 2}
		info.Periods = []float64{math.Pi}
	}
	info.Minima = m.minima(info.Domain)
	return info
}

// Loss is the objective at theta over the configured subset: the mean data
// loss, plus ½·l2·‖θ‖² on the train subset. It is NaN when len(theta) is
// not the dimension.
func (m *Model) Loss(theta []float64) float64 { return m.eval(theta, nil, nil, true) }

// Grad writes the gradient of Loss at theta into dst.
func (m *Model) Grad(dst, theta []float64) { m.eval(theta, nil, dst, true) }

// Samples is the number of samples of the configured subset.
func (m *Model) Samples() int { return m.ds.n() }

// BatchLoss is Loss over the samples idx of the configured subset (with
// the L2 term once). It is NaN when an index is out of range or idx is
// empty.
func (m *Model) BatchLoss(theta []float64, idx []int) float64 { return m.eval(theta, idx, nil, false) }

// BatchGrad writes the gradient of BatchLoss into dst and returns BatchLoss.
func (m *Model) BatchGrad(dst, theta []float64, idx []int) float64 {
	return m.eval(theta, idx, dst, false)
}

// Data is the GLSL data buffer: per sample of the configured subset its
// features, then its target. The caller must not modify it.
func (m *Model) Data() []float32 { return m.ds.data }

// GLSL is the snippet generated for this configuration.
func (m *Model) GLSL() string { return m.glsl }
