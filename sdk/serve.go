package sdk

// ServeOption configures Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	surfaces []Surface
}

// WithSurfaces adds surfaces to those the plugin serves.
func WithSurfaces(s ...Surface) ServeOption {
	return func(c *serveConfig) { c.surfaces = append(c.surfaces, s...) }
}
