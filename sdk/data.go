package sdk

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
//
// The host chooses the batches: each epoch a fresh seeded shuffle of the
// samples cut into batches of the size asked for, the last one shorter (as
// torch's DataLoader with shuffle=True, drop_last=False).
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

// SurfaceWithTestSet is a data-driven surface with held-out test samples.
// TestSet returns the surface evaluated on them instead of the training
// samples, with the same model and settings (its Loss is the test loss),
// or nil when the test set is empty. The host draws test losses beside
// training ones (grids, curves, optimizer runs) with it.
type SurfaceWithTestSet interface {
	Surface
	TestSet() Surface
}
