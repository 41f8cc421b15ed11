// Command pulumi-language-python is the entry point the engine starts for Python programs when `make tools` built
// the toolchain: it hands the project's `runtime.options.virtualenv` to the v3.68.0 language host, then becomes it.
//
// Why: the v3.68.0 host reads the virtualenv only from its `-virtualenv` and `-root` flags, which engines of that
// era passed on its command line. Today's engine (v3.274.1) passes only the engine's address and sends the runtime
// options inside the RPC requests (ProgramInfo), a field the old host does not know. Without this step the host runs
// the program with whatever `python3` is first on PATH, and a project set up as `pulumi new python` writes it fails
// with "No module named 'pulumi'".
//
// It finds the project the way the engine does (the nearest Pulumi.yaml or Pulumi.yml from the working directory
// up), reads only `runtime`, and execs the real host (pulumi-language-python-host beside it) with
// `-root <project dir> -virtualenv <option>` before the engine's own arguments. Anything else it leaves alone: with
// no virtualenv option, or no project found, the host starts exactly as the engine asked.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"gopkg.in/yaml.v3"
)

const realHost = "pulumi-language-python-host"

// project is the part of Pulumi.yaml this reads: `runtime` is either a name or {name, options}.
type project struct {
	Runtime yaml.Node `yaml:"runtime"`
}

// findProject returns the nearest Pulumi.yaml/Pulumi.yml at or above dir.
func findProject(dir string) (string, bool) {
	for {
		for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
			candidate := filepath.Join(dir, name)
			if info, err := os.Stat(candidate); err == nil && !info.IsDir() {
				return candidate, true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// virtualenvOption returns runtime.options.virtualenv of the project file, if it sets one.
func virtualenvOption(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var proj project
	if err := yaml.Unmarshal(data, &proj); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if proj.Runtime.Kind != yaml.MappingNode {
		return "", nil
	}
	var runtime struct {
		Options map[string]any `yaml:"options"`
	}
	if err := proj.Runtime.Decode(&runtime); err != nil {
		return "", fmt.Errorf("%s: runtime: %w", path, err)
	}
	venv, _ := runtime.Options["virtualenv"].(string)
	return venv, nil
}

// hasFlag reports whether the engine already passed -name or -name=value (an engine that still uses flags wins).
func hasFlag(args []string, name string) bool {
	for _, arg := range args {
		for _, prefix := range []string{"-" + name, "--" + name} {
			if arg == prefix || (len(arg) > len(prefix) && arg[:len(prefix)+1] == prefix+"=") {
				return true
			}
		}
	}
	return false
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
	host := filepath.Join(filepath.Dir(self), realHost)
	args := os.Args[1:]

	if cwd, err := os.Getwd(); err == nil && !hasFlag(args, "virtualenv") {
		if path, found := findProject(cwd); found {
			venv, err := virtualenvOption(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "pulumi-language-python: reading the virtualenv option: %v\n", err)
				os.Exit(1)
			}
			if venv != "" {
				flags := []string{"-virtualenv", venv}
				if !hasFlag(args, "root") {
					flags = append(flags, "-root", filepath.Dir(path))
				}
				args = append(flags, args...)
			}
		}
	}

	argv := append([]string{host}, args...)
	if err := syscall.Exec(host, argv, os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: starting %s: %v\n", host, err)
		os.Exit(1)
	}
}
