package model

import (
	"math"
	"math/rand/v2"
)

// dataset is a set of samples in the layout of the GLSL data buffer: per
// sample its d features, then its target (a class index for
// classification).
type dataset struct {
	d       int       // features per sample
	classes int       // classes of a classification dataset; 0 for regression
	data    []float32 // n·(d+1) values
	// cols names a sample's values, features then target (nil: the
	// generated names, see columns).
	cols []string
}

// n is the number of samples.
func (ds *dataset) n() int { return len(ds.data) / (ds.d + 1) }

// sample is sample i's features and target.
func (ds *dataset) sample(i int) ([]float32, float64) {
	o := i * (ds.d + 1)
	return ds.data[o : o+ds.d], float64(ds.data[o+ds.d])
}

// Streams of the seeded generators: the data's and the split's are apart,
// so that changing split leaves the data alone.
const (
	dataStream  = 0x6d6f64656c73 // "models"
	splitStream = 0x73706c6974   // "split"
)

// generate draws dataset ds (one of the generated ones) from s's n, noise,
// k and seed.
func generate(s settings) *dataset {
	rng := rand.New(rand.NewPCG(s.seed, dataStream))
	n, k, noise := s.n, s.k, s.noise
	switch s.dataset {
	case dsLine:
		ds := &dataset{d: 1, data: make([]float32, 2*n)}
		for i := 0; i < n; i++ {
			x := 2*rng.Float64() - 1
			ds.data[2*i] = float32(x)
			ds.data[2*i+1] = float32(2*x - 0.5 + noise*rng.NormFloat64())
		}
		return ds
	case dsRosette:
		ds := &dataset{d: 1, data: make([]float32, 2*n)}
		for i := 0; i < n; i++ {
			sin, cos := math.Sincos(rosetteAngle(i%k, k))
			t := 2*rng.Float64() - 1
			ds.data[2*i] = float32(t*cos + noise*rng.NormFloat64())
			ds.data[2*i+1] = float32(t*sin + noise*rng.NormFloat64())
		}
		return ds
	case dsBlobs:
		ds := &dataset{d: 2, classes: k, data: make([]float32, 3*n)}
		std := 0.5 * (1 + noise)
		for i := 0; i < n; i++ {
			j := i % k
			sin, cos := math.Sincos(2 * math.Pi * float64(j) / float64(k))
			ds.data[3*i] = float32(2*cos + std*rng.NormFloat64())
			ds.data[3*i+1] = float32(2*sin + std*rng.NormFloat64())
			ds.data[3*i+2] = float32(j)
		}
		return ds
	case dsMoons:
		return moons(n, noise, rng)
	default: // dsSpirals
		ds := &dataset{d: 2, classes: k, data: make([]float32, 3*n)}
		for i := 0; i < n; i++ {
			j := i % k
			t := rng.Float64()
			sin, cos := math.Sincos(2*math.Pi*float64(j)/float64(k) + 3*math.Pi*t)
			ds.data[3*i] = float32(2*t*cos + noise*rng.NormFloat64())
			ds.data[3*i+1] = float32(2*t*sin + noise*rng.NormFloat64())
			ds.data[3*i+2] = float32(j)
		}
		return ds
	}
}

// rosetteAngle is the angle of line j of a rosette of k lines.
func rosetteAngle(j, k int) float64 {
	return (float64(j)+0.5)*math.Pi/float64(k) - math.Pi/2
}

// moons is sklearn's make_moons without its shuffle: ⌊n/2⌋ points on the
// outer moon (class 0), the rest on the inner one (class 1), each at
// evenly spaced angles over [0, π], plus Gaussian noise.
func moons(n int, noise float64, rng *rand.Rand) *dataset {
	ds := &dataset{d: 2, classes: 2, data: make([]float32, 3*n)}
	out := n / 2
	in := n - out
	at := func(i, m int) float64 { // linspace(0, π, m)[i]
		if m == 1 {
			return 0
		}
		return math.Pi * float64(i) / float64(m-1)
	}
	for i := 0; i < n; i++ {
		var x, y, c float64
		if i < out {
			sin, cos := math.Sincos(at(i, out))
			x, y = cos, sin
		} else {
			sin, cos := math.Sincos(at(i-out, in))
			x, y, c = 1-cos, 1-sin-0.5, 1
		}
		ds.data[3*i] = float32(x + noise*rng.NormFloat64())
		ds.data[3*i+1] = float32(y + noise*rng.NormFloat64())
		ds.data[3*i+2] = float32(c)
	}
	return ds
}

// testCount is the size of the test set: ⌊f·n⌋, which leaves at least one
// training sample for f ≤ 0.9.
func testCount(f float64, n int) int {
	return int(math.Floor(f*float64(n) + 1e-9))
}

// split shuffles the samples with seed, holds out ⌊f·n⌋ of them as the test
// set and returns the train and test subsets, each in the original order.
func split(ds *dataset, f float64, seed uint64) (train, test *dataset) {
	n := ds.n()
	nt := testCount(f, n)
	if nt == 0 {
		return ds, &dataset{d: ds.d, classes: ds.classes, cols: ds.cols}
	}
	held := make([]bool, n)
	for _, i := range rand.New(rand.NewPCG(seed, splitStream)).Perm(n)[:nt] {
		held[i] = true
	}
	stride := ds.d + 1
	train = &dataset{d: ds.d, classes: ds.classes, cols: ds.cols, data: make([]float32, 0, (n-nt)*stride)}
	test = &dataset{d: ds.d, classes: ds.classes, cols: ds.cols, data: make([]float32, 0, nt*stride)}
	for i := 0; i < n; i++ {
		row := ds.data[i*stride : (i+1)*stride]
		if held[i] {
			test.data = append(test.data, row...)
		} else {
			train.data = append(train.data, row...)
		}
	}
	return train, test
}
