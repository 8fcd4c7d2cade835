package client

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk/internal/plug"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
)

// Sentinel errors callers branch on.
var (
	// ErrUnknownSurface: no surface of that name is served.
	ErrUnknownSurface = errors.New("client: unknown surface")
	// ErrUnknownOptimizer: no optimizer of that name is served.
	ErrUnknownOptimizer = errors.New("client: unknown optimizer")
	// ErrPluginFailed: the plugin process crashed, hung or answered nonsense.
	ErrPluginFailed = errors.New("client: plugin failed")
)

// Handshake is the go-plugin handshake the SDK's plugins answer.
func Handshake() plugin.HandshakeConfig { return plug.Handshake() }

// DialOptions are the gRPC options to pass to go-plugin
// (ClientConfig.GRPCDialOptions) to match the plugin side's. They bound a
// plugin's replies to the SDK's largest message.
func DialOptions() []grpc.DialOption {
	return append(plug.DialOptions(), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(plug.MaxMessage)))
}

// Plugins is the go-plugin plugin set to pass to plugin.ClientConfig; see
// Dispense. The surface and optimizer clients of one connection share
// their name, limits and OnHung.
func Plugins() plugin.PluginSet {
	var (
		mu    sync.Mutex
		conns = map[*grpc.ClientConn]*conn{}
	)
	shared := func(c *grpc.ClientConn) *conn {
		mu.Lock()
		defer mu.Unlock()
		if conns[c] == nil {
			conns[c] = &conn{activity: pb.NewSurfaceServiceClient(c)}
		}
		return conns[c]
	}
	return plugin.PluginSet{
		plug.SurfacesKey: &plug.GRPC{NewClient: func(c *grpc.ClientConn) any {
			return &SurfaceClient{conn: shared(c), rpc: pb.NewSurfaceServiceClient(c)}
		}},
		plug.OptimizersKey: &plug.GRPC{NewClient: func(c *grpc.ClientConn) any {
			return &OptimizerClient{conn: shared(c), rpc: pb.NewOptimizerServiceClient(c)}
		}},
	}
}

// Dispense returns the surface and optimizer clients of a connected
// plugin (rpc from go-plugin's Client.Client), naming it plugin in errors.
func Dispense(rpc plugin.ClientProtocol, name string) (*SurfaceClient, *OptimizerClient, error) {
	raw, err := rpc.Dispense(plug.SurfacesKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: plugin %s: %v", ErrPluginFailed, name, err)
	}
	sc, ok := raw.(*SurfaceClient)
	if !ok {
		return nil, nil, fmt.Errorf("%w: plugin %s dispensed %T", ErrPluginFailed, name, raw)
	}
	raw, err = rpc.Dispense(plug.OptimizersKey)
	oc, ok := raw.(*OptimizerClient)
	if err != nil || !ok {
		return nil, nil, fmt.Errorf("%w: plugin %s: no optimizer service: %v", ErrPluginFailed, name, err)
	}
	if sc.conn != oc.conn {
		return nil, nil, fmt.Errorf("%w: plugin %s: its services came over two connections", ErrPluginFailed, name)
	}
	sc.Plugin = name
	return sc, oc, nil
}
