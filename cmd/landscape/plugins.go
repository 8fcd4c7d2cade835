package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

func pluginsCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "plugins",
		Short: "List the plugin executables found: where, their checksums and protocol versions",
		Long: `List every plugin executable found (landscape-plugin-* in the folders of
` + host.PathEnv + `, next to the landscape binary, and in its plugins folder):
its path, its sha256, the protocol version it speaks, what it serves, whether
the lock file pins it, and any file of the same name it shadows (only the
first found runs). Every plugin is started to ask it.

'landscape plugins lock' pins the plugins found, as they are now, in the lock
file (` + "`$" + host.LockEnv + "`" + ` or ~/.config/landscape/plugins.lock): from then on a
plugin that is not listed there, or whose file has changed, is not started,
so a program planted on the plugin path cannot run as you. Run it again after
installing or rebuilding a plugin you trust. --insecure-plugins (or
` + host.InsecureEnv + `=1) skips the check, with a warning.`,
		Args: exactArgs(0, "no arguments (or the subcommand lock)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := app.InspectPlugins(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return host.WriteJSON(stdout, st)
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tPROTOCOL\tSERVES\tLOCK\tSHA256\tPATH")
			for _, s := range st {
				proto, lock := "-", s.Lock
				if s.Protocol > 0 {
					proto = fmt.Sprint(s.Protocol)
				}
				if lock == "" {
					lock = "-"
				}
				serves := fmt.Sprintf("%d surfaces, %d optimizers", len(s.Surfaces), len(s.Optimizers))
				if s.Error != "" {
					serves = "failed"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, proto, serves, lock, s.SHA256, s.Path)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, s := range st {
				for _, sh := range s.Shadows {
					fmt.Fprintf(stdout, "\nnote: %s shadows %s, which is not run\n", s.Path, sh)
				}
				if s.Error != "" {
					fmt.Fprintf(stdout, "\n%s: %s\n", s.Name, s.Error)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.AddCommand(&cobra.Command{
		Use:   "lock",
		Short: "Pin the plugins found, by sha256, in the lock file",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, locked, err := app.LockPlugins()
			if err != nil {
				return err
			}
			names := make([]string, len(locked))
			for i, l := range locked {
				names[i] = l.Name
			}
			fmt.Fprintf(stdout, "pinned %d plugins (%s) in %s\n", len(locked), strings.Join(names, ", "), path)
			return nil
		},
	})
	return c
}
