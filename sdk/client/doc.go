// Package client is the host's side of the plugin wire: it connects to a
// plugin process through go-plugin (Handshake, Plugins, DialOptions,
// Dispense) and calls the surfaces and optimizers it serves
// (SurfaceClient, OptimizerClient) with request structs, checking every
// answer before trusting it. Plugin authors never need it: they import
// package sdk alone.
package client
