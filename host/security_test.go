package host

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/landscape-go/landscape/sdk"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// connectEnv, set, makes the test binary try to connect to the Unix socket
// it names and exit: 0 when it could, 3 when it could not (see TestMain).
const connectEnv = "LANDSCAPE_TEST_CONNECT"

func TestMain(m *testing.M) {
	if path := os.Getenv(connectEnv); path != "" {
		c, err := net.Dial("unix", path)
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		c.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var (
	testPluginOnce sync.Once
	testPlugin     string
	testPluginErr  error
)

// builtPlugin builds the testfuncs plugin once per test binary.
func builtPlugin(t testing.TB) PluginFile {
	t.Helper()
	testPluginOnce.Do(func() {
		dir, err := os.MkdirTemp("", "landscape-host-test-")
		if err != nil {
			testPluginErr = err
			return
		}
		testPlugin = filepath.Join(dir, PluginPrefix+"testfuncs")
		if out, err := exec.Command("go", "build", "-o", testPlugin, "../plugins/testfuncs").CombinedOutput(); err != nil {
			testPluginErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if testPluginErr != nil {
		t.Fatal(testPluginErr)
	}
	return PluginFile{Name: "testfuncs", Path: testPlugin}
}

// started starts the plugin in a manager of its own and returns the
// manager and the plugin's socket.
func started(t *testing.T) (*Manager, string) {
	t.Helper()
	m := NewManager([]PluginFile{builtPlugin(t)}, io.Discard)
	t.Cleanup(m.Close)
	p, err := m.start("testfuncs")
	if err != nil {
		t.Fatal(err)
	}
	addr := p.client.ReattachConfig().Addr
	if addr.Network() != "unix" {
		t.Fatalf("the plugin listens on %s %s, not a Unix socket", addr.Network(), addr)
	}
	return m, addr.String()
}

// TestPrivateSocket: a plugin's socket lies in a folder of the host's that
// only its user may enter, and another user cannot connect to it. The
// check of another user runs as root (as CI does), connecting as nobody;
// it fails rather than skips under LANDSCAPE_REQUIRE_USERS or CI.
func TestPrivateSocket(t *testing.T) {
	m, sock := started(t)
	rel, err := filepath.Rel(m.dir, sock)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("socket %s is not in the host's folder %s", sock, m.dir)
	}
	st, err := os.Stat(m.dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 || !ownedByMe(st) {
		t.Errorf("the host's folder %s has mode %v", m.dir, st.Mode().Perm())
	}

	if os.Geteuid() != 0 {
		if os.Getenv("LANDSCAPE_REQUIRE_USERS") != "" || os.Getenv("CI") != "" {
			t.Fatal("connecting as another user needs root (to become nobody); run as root")
		}
		t.Skip("connecting as another user needs root (to become nobody)")
	}
	// The test binary, where nobody may run it.
	dir, err := os.MkdirTemp("", "landscape-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "connect")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	connect := func(cred *syscall.Credential) (string, int) {
		cmd := exec.Command(bin)
		cmd.Env = []string{connectEnv + "=" + sock}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err != nil && cmd.ProcessState == nil {
			t.Fatalf("running %s: %v", bin, err)
		}
		return strings.TrimSpace(string(out)), cmd.ProcessState.ExitCode()
	}
	// The check can fail: this user connects.
	if out, code := connect(nil); code != 0 {
		t.Fatalf("the host's own user cannot connect to %s: %s", sock, out)
	}
	out, code := connect(&syscall.Credential{Uid: 65534, Gid: 65534})
	if code != 3 || !strings.Contains(out, "permission denied") {
		t.Errorf("nobody connecting to %s: exit %d, %q; want permission denied", sock, code, out)
	}
}

// TestMutualTLS: even with the socket's path in hand, a client without the
// host's certificate cannot talk to a plugin: its transport is mutual TLS
// (go-plugin's AutoMTLS).
func TestMutualTLS(t *testing.T) {
	_, sock := started(t)
	dial := func(sock string, creds grpc.DialOption) error {
		c, err := grpc.NewClient("passthrough:///plugin", creds,
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", sock)
			}))
		if err != nil {
			return err
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = grpc_health_v1.NewHealthClient(c).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: "plugin"})
		return err
	}
	plain := grpc.WithTransportCredentials(insecure.NewCredentials())
	if err := dial(sock, plain); err == nil {
		t.Error("a client without TLS was answered")
	}
	// TLS, but no certificate of the host's.
	tc := credentials.NewTLS(&tls.Config{InsecureSkipVerify: true})
	if err := dial(sock, grpc.WithTransportCredentials(tc)); err == nil {
		t.Error("a client without the host's certificate was answered")
	}
	// The check can fail: a plugin served without AutoMTLS (in this
	// process, as tests reattach to) answers the plain client.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, done, err := sdk.ServeTest(ctx, sdk.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-done }()
	if err := dial(rc.Addr.String(), plain); err != nil {
		t.Errorf("a plugin without TLS did not answer a plain client: %v", err)
	}
}
