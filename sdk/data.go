package sdk

import "math/rand/v2"

// SurfaceWithData is a data-driven surface whose GLSL reads a data buffer:
// DATA(i) in the snippet is Data()[i] and NDATA is len(Data()). The layout
// is the surface's own (for a model, its samples one after another). The
// host uploads the buffer once per configuration; a buffer larger than the
// GPU allows is evaluated on the CPU instead, with a notice.
type SurfaceWithData interface {
	Surface
	Data() []float32
}

// SurfaceWithBatches is a data-driven surface that can evaluate its loss
// and gradient on a subset of its training samples (mini-batches for
// stochastic gradient methods). Loss and Grad remain the full-batch values.
type SurfaceWithBatches interface {
	Surface
	// Samples is the number of training samples (> 0).
	Samples() int
	// BatchLoss is the loss at theta over the samples idx (each in
	// [0, Samples())), with any regularisation term added once.
	BatchLoss(theta []float64, idx []int) float64
	// BatchGrad writes the gradient of BatchLoss at theta into dst and
	// returns BatchLoss.
	BatchGrad(dst, theta []float64, idx []int) float64
}

// BatchIndices is mini-batch k (k = 0, 1, ...) of a run seeded with seed
// over n samples in batches of size: each epoch is a fresh seeded shuffle
// of 0..n-1 cut into ⌈n/size⌉ batches, the last one shorter when size does
// not divide n (as torch's DataLoader with shuffle=True, drop_last=False).
// A size of 0 or at least n is the full batch, in order.
func BatchIndices(n, size int, seed uint64, k int) []int {
	if size <= 0 || size >= n {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	per := (n + size - 1) / size
	epoch, b := k/per, k%per
	perm := rand.New(rand.NewPCG(seed, RunSeed(seed, epoch))).Perm(n)
	lo, hi := b*size, min((b+1)*size, n)
	return perm[lo:hi]
}
