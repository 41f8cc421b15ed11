// Command pulumi-language-python is the entry point the engine starts for Python programs when `make tools` built
// the toolchain: it hands the project's `runtime.options.virtualenv` to the v3.68.0 language host, then becomes it.
//
// Why: the v3.68.0 host reads the virtualenv only from its `-virtualenv` and `-root` flags, which engines of that
// era passed on its command line. Today's engine (v3.274.1) passes only the engine's address and sends the runtime
// options inside the RPC requests (ProgramInfo), a field the old host does not know. Without this step the host runs
// the program with whatever `python3` is first on PATH, and a project set up as `pulumi new python` writes it fails
// with "No module named 'pulumi'".
//
// It finds the project the engine runs (the engine starts the host in the program's folder: the Pulumi.yaml above
// whose `main` names that folder, else the nearest Pulumi.yaml or Pulumi.yml from there up), reads only `runtime`
// and `main`, and execs the real host (pulumi-language-python-host beside it) with
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

// project is the part of Pulumi.yaml this reads: `runtime` is either a name or {name, options}; `main` may name
// the program's folder.
type project struct {
	Runtime yaml.Node `yaml:"runtime"`
	Main    string    `yaml:"main"`
}

func readProject(path string) (project, error) {
	var proj project
	data, err := os.ReadFile(path)
	if err != nil {
		return proj, err
	}
	if err := yaml.Unmarshal(data, &proj); err != nil {
		return proj, fmt.Errorf("%s: %w", path, err)
	}
	return proj, nil
}

// findProject returns the project file the engine is running from dir, the host's working directory, which is
// the program's folder: a Pulumi.yaml/Pulumi.yml above dir whose `main` names dir, else the nearest one at or above.
func findProject(dir string) (string, bool) {
	nearest := ""
	for current := dir; ; current = filepath.Dir(current) {
		for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
			candidate := filepath.Join(current, name)
			if info, err := os.Stat(candidate); err != nil || info.IsDir() {
				continue
			}
			if nearest == "" {
				nearest = candidate
			}
			if current != dir {
				if proj, err := readProject(candidate); err == nil && proj.Main != "" &&
					filepath.Clean(filepath.Join(current, proj.Main)) == filepath.Clean(dir) {
					return candidate, true
				}
			}
		}
		if filepath.Dir(current) == current {
			return nearest, nearest != ""
		}
	}
}

// virtualenvOption returns runtime.options.virtualenv of the project file, if it sets one.
func virtualenvOption(path string) (string, error) {
	proj, err := readProject(path)
	if err != nil {
		return "", err
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
