//go:build !unix

package sdk

import (
	"errors"
	"os"
)

// SharedDirEnv names the environment variable in which the host tells a
// plugin the folder of its shared files.
const SharedDirEnv = "LANDSCAPE_SHARED_DIR"

var errNotShared = errors.New("sdk: not a shared file of the host")

// sharedFiles refuses every shared path where there are no Unix files:
// rows travel in the stream.
type sharedFiles struct{}

func newSharedFiles(string) *sharedFiles { return &sharedFiles{} }

func (*sharedFiles) open(string, uint64) (*os.File, error) { return nil, errNotShared }
