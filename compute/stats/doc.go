// Package stats measures the shape of a sampled loss: roughness of a grid
// as the mean distance to its Gaussian smoothing, with
// scipy.ndimage.gaussian_filter's exact definition (mode 'reflect',
// truncate 4.0, normalised weights, separable), and the smoothness and
// convexity of 1-D profiles. It imports the standard library alone.
package stats
