package client

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/sdk"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/protobuf/proto"
)

// Listing is what a plugin serves: its surfaces (with default
// hyperparameters) and its optimizers, checked. Its binary form is what a
// catalog cache keeps; ParseListing reads it back through the same checks
// as a live answer.
type Listing struct {
	Surfaces   []Descriptor
	Optimizers []sdk.OptimizerInfo

	raw *pb.Listing
}

// List asks a plugin (its two clients, from Dispense) for its listing.
func List(ctx context.Context, sc *SurfaceClient, oc *OptimizerClient) (Listing, error) {
	s, err := sc.list(ctx)
	if err != nil {
		return Listing{}, err
	}
	o, err := oc.list(ctx)
	if err != nil {
		return Listing{}, err
	}
	return listing(sc.name(), &pb.Listing{Surfaces: s, Optimizers: o})
}

func listing(plugin string, raw *pb.Listing) (Listing, error) {
	ds, err := descriptors(plugin, raw.GetSurfaces())
	if err != nil {
		return Listing{}, err
	}
	os, err := optimizerInfos(plugin, raw.GetOptimizers())
	if err != nil {
		return Listing{}, err
	}
	return Listing{Surfaces: ds, Optimizers: os, raw: raw}, nil
}

// MarshalBinary is the listing as the plugin sent it.
func (l Listing) MarshalBinary() ([]byte, error) {
	if l.raw == nil {
		return nil, fmt.Errorf("client: a listing that did not come from a plugin")
	}
	return proto.Marshal(l.raw)
}

// ParseListing reads a listing that MarshalBinary wrote, checking it as
// List does (plugin names the plugin in errors).
func ParseListing(b []byte, plugin string) (Listing, error) {
	var raw pb.Listing
	if err := proto.Unmarshal(b, &raw); err != nil {
		return Listing{}, fmt.Errorf("client: plugin %s: a stored listing: %w", plugin, err)
	}
	return listing("plugin "+plugin, &raw)
}
