package sdk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk/internal/plug"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
)

// ProtocolVersion is the plugin protocol's major version. It is part of the
// go-plugin handshake and of the wire package name (landscape.v1); a host
// and a plugin of different versions refuse each other at the handshake.
const ProtocolVersion = plug.ProtocolVersion

// ServeOption configures Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	surfaces   []Surface
	optimizers []Optimizer
	logger     hclog.Logger
}

// WithSurfaces adds surfaces to those the plugin serves.
func WithSurfaces(s ...Surface) ServeOption {
	return func(c *serveConfig) { c.surfaces = append(c.surfaces, s...) }
}

// WithOptimizers adds optimizers to those the plugin serves.
func WithOptimizers(o ...Optimizer) ServeOption {
	return func(c *serveConfig) { c.optimizers = append(c.optimizers, o...) }
}

// WithLogger sets the plugin's logger (default: hclog to stderr, at the
// level LANDSCAPE_LOG names). A plugin must never write to stdout: the
// handshake lives there.
func WithLogger(l hclog.Logger) ServeOption {
	return func(c *serveConfig) { c.logger = l }
}

// Serve runs the plugin: a plugin's main is one Serve call. It returns only
// when the host ends the plugin, or exits with status 1 after printing why
// when the surfaces or optimizers are malformed or the program was not
// started by a host. ServeTest is the form that returns, for tests.
func Serve(opts ...ServeOption) {
	cfg, plugins, names, err := setup(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv(plug.Handshake().MagicCookieKey) != plug.Handshake().MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s is a landscape plugin: the landscape host starts it; it serves %s\n",
			filepath.Base(os.Args[0]), strings.Join(names, ", "))
		os.Exit(1)
	}
	plugin.Serve(goPluginConfig(cfg, plugins))
}

// ServeTest serves the plugin inside this process until ctx ends, as
// go-plugin's test mode does: a host reaches it through the returned
// reattach configuration (host.PluginFile's Reattach) instead of starting a
// process. It returns once the server listens, or an error when the
// surfaces or optimizers are malformed. done is closed when the server has
// stopped.
func ServeTest(ctx context.Context, opts ...ServeOption) (rc *plugin.ReattachConfig, done <-chan struct{}, err error) {
	cfg, plugins, _, err := setup(opts)
	if err != nil {
		return nil, nil, err
	}
	sc := goPluginConfig(cfg, plugins)
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	sc.Test = &plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed}
	go plugin.Serve(sc)
	select {
	case rc := <-reattach:
		return rc, closed, nil
	case <-closed:
		return nil, nil, errors.New("sdk: the test server stopped before it listened")
	}
}

// setup checks what the plugin serves and builds its go-plugin set.
func setup(opts []ServeOption) (serveConfig, plugin.PluginSet, []string, error) {
	var cfg serveConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = hclog.New(&hclog.LoggerOptions{
			Name:   filepath.Base(os.Args[0]),
			Output: os.Stderr,
			Level:  hclog.LevelFromString(os.Getenv("LANDSCAPE_LOG")),
		})
	}
	act := &activity{}
	srv, err := newServer(cfg.surfaces, act, os.Getenv(SharedDirEnv))
	if err != nil {
		return cfg, nil, nil, err
	}
	osrv, err := newOptServer(cfg.optimizers, act)
	if err != nil {
		return cfg, nil, nil, err
	}
	plugins := plugin.PluginSet{
		plug.SurfacesKey:   &plug.GRPC{Register: func(s *grpc.Server) { pb.RegisterSurfaceServiceServer(s, srv) }},
		plug.OptimizersKey: &plug.GRPC{Register: func(s *grpc.Server) { pb.RegisterOptimizerServiceServer(s, osrv) }},
	}
	return cfg, plugins, append(append([]string(nil), srv.names...), osrv.names...), nil
}

func goPluginConfig(cfg serveConfig, plugins plugin.PluginSet) *plugin.ServeConfig {
	return &plugin.ServeConfig{
		HandshakeConfig: plug.Handshake(),
		Plugins:         plugins,
		GRPCServer: func(o []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(o, plug.ServerOptions()...)...)
		},
		Logger: cfg.logger,
	}
}

// byNames indexes what a plugin serves by name, in order, refusing an
// invalid description (describe's error) or a name served twice.
func byNames[T any](kind string, items []T, describe func(T) (string, error)) (map[string]T, []string, error) {
	byName := map[string]T{}
	var names []string
	for _, it := range items {
		name, err := describe(it)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := byName[name]; dup {
			return nil, nil, fmt.Errorf("sdk: %s %s is served twice", kind, name)
		}
		byName[name] = it
		names = append(names, name)
	}
	return byName, names, nil
}
