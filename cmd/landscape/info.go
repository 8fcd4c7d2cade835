package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/landscape-go/landscape/compute/gl"
	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

func infoCmd(app *host.App, stdout io.Writer) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "info",
		Aliases: []string{"gl"},
		Short:   "Show which backends work here, and why not",
		Long: `Show the evaluation backends available on this machine: the CPU, and OpenGL
compute shaders through each context platform (EGL headless: a GPU's device,
Mesa's surfaceless platform, the default display; or a GLFW invisible
window), with the GL version, renderer and compute limits, or the reason a
platform is unavailable. Also lists where plugins are looked for.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			type platform struct {
				Platform  string   `json:"platform"`
				Available bool     `json:"available"`
				Why       string   `json:"why,omitempty"`
				Info      *gl.Info `json:"info,omitempty"`
			}
			var plats []platform
			for _, p := range []string{"egl", "glfw"} {
				c, err := gl.New(gl.Options{Platform: p})
				if err != nil {
					plats = append(plats, platform{Platform: p, Why: host.UserMessage(err)})
					continue
				}
				i := c.Info()
				c.Close()
				plats = append(plats, platform{Platform: p, Available: true, Info: &i})
			}
			dirs := host.SearchDirs()
			if asJSON {
				return host.WriteJSON(stdout, map[string]any{
					"cpu":          map[string]any{"available": true, "cpus": runtime.NumCPU(), "gomaxprocs": runtime.GOMAXPROCS(0)},
					"gl":           plats,
					"plugin_paths": dirs,
				})
			}
			fmt.Fprintf(stdout, "cpu   available: %d CPUs; plugins evaluate grid tiles on every core\n", runtime.NumCPU())
			for _, p := range plats {
				if !p.Available {
					fmt.Fprintf(stdout, "%-5s unavailable: %s\n", p.Platform, p.Why)
					continue
				}
				i := p.Info
				fmt.Fprintf(stdout, "%-5s available: OpenGL %s, GLSL %s\n", p.Platform, i.Version, i.GLSL)
				fmt.Fprintf(stdout, "      renderer %s (%s), context %s\n", i.Renderer, i.Vendor, i.Platform)
				fmt.Fprintf(stdout, "      compute: %d invocations per group (local %dx%dx%d), groups %dx%dx%d, storage blocks up to %s, %d bindings\n",
					i.MaxWorkGroupInvocations, i.MaxWorkGroupSize[0], i.MaxWorkGroupSize[1], i.MaxWorkGroupSize[2],
					i.MaxWorkGroupCount[0], i.MaxWorkGroupCount[1], i.MaxWorkGroupCount[2], host.FormatBytes(i.MaxSSBOSize), i.MaxSSBOBindings)
			}
			fmt.Fprintf(stdout, "plugins are looked for in: %s\n", strings.Join(dirs, ", "))
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
