// Command docgen generates docs/ from templates/, examples/ and the provider's schema, for
// `make docs` and `go generate`; run it from the repository root. -out names another directory
// than docs/ (`make test-fourth-platform` generates into a temporary one).
//
// Templates are rendered twice. First here, with [[ ]] delimiters and the platforms'
// descriptions (internal/platforms) as data, so that each resource page names its own
// attributes and a new platform needs no template of its own: templates/resources.md.tmpl
// becomes one template per platform's resource, every other template is rendered with the list
// of platforms. Then by tfplugindocs, with {{ }}, the examples and the schema.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

const (
	templatesDir = "templates"
	// resourceTemplate is rendered once per platform, into resources/<app_type>_app.md.tmpl.
	resourceTemplate = "resources.md.tmpl"
)

func main() {
	out := flag.String("out", "docs", "the directory to generate the docs into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	rendered, err := os.MkdirTemp("", "coc-docgen-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(rendered) }()
	if err := render(os.DirFS(templatesDir), rendered); err != nil {
		return err
	}
	// tfplugindocs joins --website-source-dir and --rendered-website-dir to the provider's
	// directory: give it relative paths. It builds the provider with go build, which takes the
	// build tags of GOFLAGS, as docgen itself was built.
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	relative, err := filepath.Rel(wd, rendered)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(wd, out)
	}
	relativeOut, err := filepath.Rel(wd, out)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "tool", "tfplugindocs", "generate", "--provider-name", "coc", "--website-source-dir", relative,
		"--rendered-website-dir", relativeOut)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// Resource is what a resource page's template sees of its platform.
type Resource struct {
	platforms.Platform
	// Type is the resource type, such as coc_lark_app.
	Type string
}

// Site is what every other template sees.
type Site struct {
	Resources []Resource
}

func resources() []Resource {
	var out []Resource
	for _, p := range platforms.All() {
		out = append(out, Resource{Platform: p, Type: "coc_" + string(p.AppType) + "_app"})
	}
	return out
}

// funcs are the helpers the templates may use in [[ ]].
var funcs = template.FuncMap{
	// names lists fields' names as code: "`a`", "`a` and `b`", "`a`, `b` and `c`".
	"names": func(fields []platforms.Field) string {
		quoted := make([]string, len(fields))
		for i, f := range fields {
			quoted[i] = "`" + f.Name + "`"
		}
		return sentence(quoted, "and")
	},
	// platformNames lists the platforms' names as code, as alternatives: "`WeCom`, `DingTalk` or `Lark`".
	"platformNames": func(resources []Resource) string {
		quoted := make([]string, len(resources))
		for i, r := range resources {
			quoted[i] = "`" + r.Name + "`"
		}
		return sentence(quoted, "or")
	},
	// platforms lists the platforms' names: "WeCom, DingTalk and Lark" with "and".
	"platforms": func(resources []Resource, conjunction string) string {
		names := make([]string, len(resources))
		for i, r := range resources {
			names[i] = r.Name
		}
		return sentence(names, conjunction)
	},
	// secretLengths says which secrets have a length of their own: "DingTalk's `client_secret` is
	// exactly 64 characters".
	"secretLengths": func(resources []Resource) string {
		var said []string
		for _, r := range resources {
			for _, f := range r.Secrets {
				switch bounds := f.SecretLength; bounds[0] {
				case 0:
				case bounds[1]:
					said = append(said, fmt.Sprintf("%s's `%s` is exactly %d characters", r.Name, f.Name, bounds[0]))
				default:
					said = append(said, fmt.Sprintf("%s's `%s` is %d to %d characters", r.Name, f.Name, bounds[0], bounds[1]))
				}
			}
		}
		return sentence(said, "and")
	},
	// usualLengths says which identifiers have a usual length, and that the one planned does not
	// have it: "A Lark `app_id` is not the usual 20 characters."
	"usualLengths": func(resources []Resource) string {
		var said []string
		for _, r := range resources {
			if n := r.Identifier.UsualLength; n > 0 {
				said = append(said, fmt.Sprintf("a %s `%s` is not the usual %d characters", r.Name, r.Identifier.Name, n))
			}
		}
		text := sentence(said, "or")
		if text == "" {
			return ""
		}
		return strings.ToUpper(text[:1]) + text[1:] + "."
	},
	"sep": sep,
	// inc is i + 1: [[ if eq (inc $i) (len $.Resources) ]] is the last of a range.
	"inc": func(i int) int { return i + 1 },
	// identifiers lists the platforms' identifiers as code, each once, as alternatives:
	// "`enterprise_id`, `client_id` or `app_id`".
	"identifiers": func(resources []Resource) string {
		var quoted []string
		for _, r := range resources {
			if q := "`" + r.Identifier.Name + "`"; !slices.Contains(quoted, q) {
				quoted = append(quoted, q)
			}
		}
		return sentence(quoted, "or")
	},
}

// sep is what goes before item i of n in a sentence that lists them: nothing, a comma, or the
// conjunction before the last, as in "[[ range $i, $r := .Resources ]][[ sep $i (len $.Resources)
// "and" ]][[ $r.Name ]][[ end ]]".
func sep(i, n int, conjunction string) string {
	switch i {
	case 0:
		return ""
	case n - 1:
		return " " + conjunction + " "
	}
	return ", "
}

// sentence joins items as a sentence does, the last two with conjunction.
func sentence(items []string, conjunction string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conjunction + " " + items[len(items)-1]
}

// render executes every template under src with the platforms' data into dst, as tfplugindocs
// templates.
func render(src fs.FS, dst string) error {
	return fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := fs.ReadFile(src, path)
		if err != nil {
			return err
		}
		tmpl, err := template.New(path).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		if path == resourceTemplate {
			for _, r := range resources() {
				out := filepath.Join("resources", string(r.AppType)+"_app.md.tmpl")
				if err := write(tmpl, r, filepath.Join(dst, out)); err != nil {
					return fmt.Errorf("%s for %s: %w", path, r.Type, err)
				}
			}
			return nil
		}
		return write(tmpl, Site{Resources: resources()}, filepath.Join(dst, filepath.FromSlash(path)))
	})
}

func write(tmpl *template.Template, data any, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(tmpl.Execute(f, data), f.Close())
}
