package plug

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// ProtocolVersion is the plugin protocol's major version. It is part of the
// go-plugin handshake and of the wire package name (landscape.v1).
const ProtocolVersion = 1

// Names under which the services are dispensed.
const (
	SurfacesKey   = "surfaces"
	OptimizersKey = "optimizers"
)

// Handshake is the go-plugin handshake shared by the host and plugins.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   "LANDSCAPE_PLUGIN",
		MagicCookieValue: "9c6f1e0a-landscape-surface-plugin",
	}
}

// MaxMessage bounds a gRPC message either way (batches of points).
const MaxMessage = 256 << 20

// window is the HTTP/2 flow-control window of plugin connections. The
// default (64 KiB, grown by probing) throttles streamed grids over a local
// socket; a large fixed window lets the plugin run ahead of the host.
const window = 16 << 20

// ServerOptions are the plugin side's gRPC options.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(MaxMessage), grpc.MaxSendMsgSize(MaxMessage),
		grpc.InitialWindowSize(window), grpc.InitialConnWindowSize(window),
		grpc.WriteBufferSize(1 << 20), grpc.ReadBufferSize(1 << 20)}
}

// DialOptions are the host side's gRPC options, matching ServerOptions.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessage), grpc.MaxCallSendMsgSize(MaxMessage)),
		grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window),
		grpc.WithWriteBufferSize(1 << 20), grpc.WithReadBufferSize(1 << 20),
	}
}

// GRPC is one of the SDK's services as a go-plugin plugin: Register serves
// it (plugin side), NewClient makes its client (host side). Each side sets
// only its own function.
type GRPC struct {
	plugin.NetRPCUnsupportedPlugin
	Register  func(*grpc.Server)
	NewClient func(*grpc.ClientConn) any
}

var _ plugin.GRPCPlugin = (*GRPC)(nil)

// GRPCServer implements plugin.GRPCPlugin.
func (p *GRPC) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.Register(s)
	return nil
}

// GRPCClient implements plugin.GRPCPlugin.
func (p *GRPC) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return p.NewClient(c), nil
}
