// Package plug joins the SDK's gRPC services to go-plugin: the handshake,
// the names services are dispensed under, and the transport options both
// sides must agree on. The plugin side (package sdk) registers servers; the
// host side (package sdk/client) makes clients.
package plug
