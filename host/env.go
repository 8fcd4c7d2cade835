package host

import (
	"os"
	"strings"

	"github.com/landscape-go/landscape/sdk"
)

// pluginEnv is the environment a plugin starts with: not the host's, but
// the few variables a program needs to run (PATH, HOME, the user, the
// locale, TMPDIR, the Go runtime's settings) and landscape's own
// (LANDSCAPE_*, LANDSCAPE_LOG for the plugins' logs among them); go-plugin
// adds its handshake's. Credentials, tokens and whatever else the host's
// environment holds stay with the host.
func pluginEnv(sharedDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if keepEnv(k) && k != sdk.SharedDirEnv {
			env = append(env, kv)
		}
	}
	if sharedDir != "" {
		env = append(env, sdk.SharedDirEnv+"="+sharedDir)
	}
	return env
}

// keepEnv reports whether a plugin is given the variable k.
func keepEnv(k string) bool {
	switch k {
	case "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR",
		"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOTRACEBACK":
		return true
	}
	return strings.HasPrefix(k, "LC_") || strings.HasPrefix(k, "LANDSCAPE_")
}
