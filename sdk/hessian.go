package sdk

// Curvature: a surface may offer its exact second derivatives, as a dense
// Hessian (small surfaces: the test functions) or as Hessian-vector
// products (large ones: a model's loss, whose Hessian is too big to form).
// Both are optional. The SDK answers the host's requests for Hessians and
// Hessian-vector products from whichever a surface has (a dense Hessian
// from n products, products from a dense Hessian); a surface with neither
// gets central differences of its analytic gradient, or second differences
// of its loss when it has no gradient, and every answer names the method it
// used (see package sdk/client, HessianMethod).
//
// Where a second derivative does not exist (the tip of a cone, a cusp) the
// value is NaN, never a finite stand-in; at a kink whose one-sided second
// derivatives are finite (relu, |r|) the value is that of the piece Grad
// takes there. sdktest.CheckSurface checks these capabilities: symmetry,
// agreement with differences of the gradient, positive semi-definiteness
// at the known minima inside the domain.

// SurfaceWithHessian is a Surface with an exact (analytic) Hessian. Hessian
// must be safe for concurrent use.
type SurfaceWithHessian interface {
	Surface
	// Hessian writes the Hessian at theta into dst, a dim×dim matrix in
	// row-major order (len(dst) == len(theta)²): dst[i·dim+j] is
	// ∂²Loss/∂θ_i∂θ_j. It is symmetric. Every entry is written; entries
	// that do not exist at theta are NaN.
	Hessian(dst, theta []float64)
}

// SurfaceWithHVP is a Surface with exact Hessian-vector products, for
// surfaces whose Hessian is too large to form (Pearlmutter's R-operator
// costs about two gradients). HVP must be safe for concurrent use.
type SurfaceWithHVP interface {
	Surface
	// HVP writes H(theta)·v into dst, where H is the Hessian of Loss
	// (len(dst) == len(theta) == len(v)). It modifies neither theta nor
	// v. Entries that do not exist at theta are NaN.
	HVP(dst, theta, v []float64)
}

// SurfaceWithBatchHVP is a data-driven surface (SurfaceWithBatches) with
// exact Hessian-vector products over a subset of its samples: the
// curvature of a mini-batch, which stochastic methods see. BatchHVP must
// be safe for concurrent use.
type SurfaceWithBatchHVP interface {
	SurfaceWithBatches
	// BatchHVP writes H·v into dst, where H is the Hessian of
	// BatchLoss(·, idx) at theta (regularisation included once, as in
	// BatchLoss). Each index is in [0, Samples()).
	BatchHVP(dst, theta, v []float64, idx []int)
}
