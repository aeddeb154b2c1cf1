package provider

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// The examples under examples/ are what tfplugindocs puts in docs/, so users copy them: these
// tests run them with the real terraform against the simulator, with the provider as its own
// process (examples name the provider by its registry source, which dev_overrides serves).

const examplesDir = "../../examples"

// exampleFiles lists, per kind of example directory, the files the tests below exercise.
var exampleFiles = map[string][]string{
	"provider":       {"provider.tf"},
	"resources":      {"resource.tf", "plaintext.tf", "import.sh", "import-by-string-id.tf", "import-by-identity.tf"},
	"data-sources":   {"data-source.tf"},
	"list-resources": {"list-resource.tfquery.hcl"},
}

// Every file under examples/ is one the tests exercise, and every example directory names a
// type the provider has: a new example cannot slip into the docs untested. The examples of a
// platform compiled in only with a build tag say so on their first line, and a build without
// the tag leaves them alone, as tfplugindocs does.
func TestExamples_EveryFileIsExercised(t *testing.T) {
	known := map[string]bool{"coc_mobile_apps": true}
	for _, pc := range platformCases {
		known[pc.typeName] = true
	}
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(examplesDir, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case rel == "README.md":
		case len(parts) == 2 && parts[0] == "provider" && slices.Contains(exampleFiles["provider"], parts[1]):
		case len(parts) == 3 && known[parts[1]] && slices.Contains(exampleFiles[parts[0]], parts[2]):
		case len(parts) == 3 && slices.Contains(exampleFiles[parts[0]], parts[2]) && buildTagOnly.MatchString(readExample(t, rel)):
		default:
			t.Errorf("examples/%s is not exercised by examples_test.go: add it there", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// buildTagOnly is the first line of the examples of a platform compiled in only with a build tag.
var buildTagOnly = regexp.MustCompile(`\A# Only with the build tag \w+:`)

func TestExamples_ProviderIsValid(t *testing.T) {
	t.Parallel()
	w := newCLIWorkspace(t)
	copyExamples(t, w, "provider/provider.tf")
	w.Terraform(t, "validate")
}

// standaloneExamples are the examples that are whole configurations, which a user may copy into
// an empty directory: the others (an import block, a query file) go next to one of these.
func standaloneExamples(t *testing.T) []string {
	t.Helper()
	examples := []string{"provider/provider.tf", "data-sources/coc_mobile_apps/data-source.tf"}
	for _, pc := range platformCases {
		for _, file := range []string{"resource.tf", "plaintext.tf"} {
			examples = append(examples, filepath.Join("resources", pc.typeName, file))
		}
	}
	return examples
}

// An example copied alone into an empty directory names the provider cocops/coc, not the
// hashicorp/coc that Terraform assumes for a provider no required_providers block names.
// `terraform providers` reads the configuration only: no init, no network.
func TestExamples_StandaloneExamplesRequireCocopsCoc(t *testing.T) {
	cli := cliUnderTest(t)
	for _, example := range standaloneExamples(t) {
		t.Run(example, func(t *testing.T) {
			t.Parallel()
			w := newCLIWorkspaceWithConfig(t, "")
			copyExamples(t, w, example)
			out := w.Terraform(t, "providers")
			if want := "provider[" + providerAddress(cli) + "]"; !strings.Contains(out, want) || strings.Contains(out, "hashicorp/coc") {
				t.Errorf("%s, copied alone, does not require %s: add terraform { required_providers { coc = { source = \"cocops/coc\" } } }\n%s",
					example, want, out)
			}
		})
	}
}

// resource.tf, alone, binds the app with write-only secrets from ephemeral variables;
// import-by-string-id.tf, added next to it, and import.sh each adopt the binding again;
// plaintext.tf, alone, is valid.
func TestExamples_ResourcesBindAndImport(t *testing.T) {
	secretVar := regexp.MustCompile(`(?m)^\s*(\w+)_wo\s*=\s*var\.(\w+)`)
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("resources", pc.typeName)
			resourceTF := readExample(t, filepath.Join(dir, "resource.tf"))
			env := newSimEnv(t, 1)
			extraEnv := env.cliEnv(0)
			secrets := map[string]string{}
			for _, m := range secretVar.FindAllStringSubmatch(resourceTF, -1) {
				secrets[m[1]] = pc.secret(m[1], "example")
				extraEnv = append(extraEnv, "TF_VAR_"+m[2]+"="+secrets[m[1]])
			}
			if len(secrets) != len(pc.platform.SecretNames()) {
				t.Fatalf("resource.tf feeds %d write-only secrets from variables, the resource has %d", len(secrets), len(pc.platform.SecretNames()))
			}
			w := newCLIWorkspace(t, extraEnv...)
			copyExamples(t, w, filepath.Join(dir, "resource.tf"))
			w.Terraform(t, "apply", "-auto-approve", "-input=false")
			if err := env.expectFingerprints(pc, secrets)(nil); err != nil {
				t.Fatal(err)
			}

			addr := pc.address("this")
			w.Terraform(t, "state", "rm", addr)
			copyExamples(t, w, filepath.Join(dir, "import-by-string-id.tf"))
			if out := w.Terraform(t, "apply", "-auto-approve", "-input=false"); !strings.Contains(out, "1 imported, 0 added, 1 changed") {
				t.Fatalf("import-by-string-id.tf did not import the binding (and set its secrets):\n%s", out)
			}
			removeFile(t, w, "import-by-string-id.tf")

			w.Terraform(t, "state", "rm", addr)
			if out := w.Terraform(t, importCommand(t, filepath.Join(dir, "import.sh"))...); !strings.Contains(out, "Import successful!") {
				t.Fatalf("import.sh did not import the binding:\n%s", out)
			}

			w.Terraform(t, "destroy", "-auto-approve", "-input=false")
			if left := env.bindings(t, 0); len(left) != 0 {
				t.Fatalf("bindings left after destroy: %v", left)
			}

			alternative := newCLIWorkspace(t)
			copyExamples(t, alternative, filepath.Join(dir, "plaintext.tf"))
			alternative.Terraform(t, "validate")

			if identity := filepath.Join(dir, "import-by-identity.tf"); exampleExists(identity) {
				t.Run("import-by-identity.tf", func(t *testing.T) {
					requireCLI(t, compat.IdentityImportBlocks)
					copyExamples(t, alternative, filepath.Join(dir, "resource.tf"), identity)
					removeFile(t, alternative, "plaintext.tf")
					alternative.Terraform(t, "validate")
				})
			}
		})
	}
}

// data-source.tf, alone, lists the bindings made on the console.
func TestExamples_DataSourceListsBindings(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	var want []string
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "1")
		want = append(want, fmt.Sprintf("%q:%q", pc.appType, pc.ids[0]))
	}
	w := newCLIWorkspace(t, env.cliEnv(0)...)
	copyExamples(t, w, "data-sources/coc_mobile_apps/data-source.tf")
	w.Terraform(t, "apply", "-auto-approve", "-input=false")
	out := w.Terraform(t, "output", "-json", "bound_apps")
	compact := strings.Join(strings.Fields(out), "")
	for _, entry := range want {
		if !strings.Contains(compact, entry) {
			t.Errorf("bound_apps does not list %s:\n%s", entry, out)
		}
	}
}

// list-resource.tfquery.hcl is HCL with a list block for its type, and (where the CLI runs query
// files) terraform query finds the binding made on the console.
func TestExamples_ListResourcesFindBindings(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			rel := filepath.Join("list-resources", pc.typeName, "list-resource.tfquery.hcl")
			file, diags := hclsyntax.ParseConfig([]byte(readExample(t, rel)), rel, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("%s: %s", rel, diags.Error())
			}
			body, ok := file.Body.(*hclsyntax.Body)
			if !ok {
				t.Fatalf("%s: unexpected body %T", rel, file.Body)
			}
			var lists []string
			for _, b := range body.Blocks {
				if b.Type == "list" && len(b.Labels) == 2 {
					lists = append(lists, b.Labels[0])
				}
			}
			if len(lists) != 1 || lists[0] != pc.typeName {
				t.Fatalf("%s should hold one list block for %s; it lists %v", rel, pc.typeName, lists)
			}

			requireCLI(t, compat.ListResources)
			env := newSimEnv(t, 1)
			w := newCLIWorkspace(t, env.cliEnv(0)...)
			env.bindOnConsole(t, pc, pc.ids[0], nil, "1")
			copyExamples(t, w, "provider/provider.tf", rel)
			if out := w.Terraform(t, "query", "-no-color"); !strings.Contains(out, pc.ids[0]) {
				t.Fatalf("terraform query with %s does not list %s:\n%s", rel, pc.ids[0], out)
			}
		})
	}
}

// cliEnv points the provider at tenant i through the HW_* variables, as the examples expect.
func (e *simEnv) cliEnv(i int) []string {
	t := e.tenants[i]
	return []string{"HW_COC_ENDPOINT=" + e.url, "HW_ACCESS_KEY=" + t.AccessKey, "HW_SECRET_KEY=" + t.SecretKey, "HW_DOMAIN_ID=" + t.DomainID}
}

func readExample(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func exampleExists(rel string) bool {
	_, err := os.Stat(filepath.Join(examplesDir, rel))
	return err == nil
}

// importCommand returns the arguments of the terraform import command in an import.sh.
func importCommand(t *testing.T, rel string) []string {
	t.Helper()
	for line := range strings.SplitSeq(readExample(t, rel), "\n") {
		if fields := strings.Fields(line); len(fields) > 2 && fields[0] == "terraform" && fields[1] == "import" {
			return fields[1:]
		}
	}
	t.Fatalf("%s has no terraform import command", rel)
	return nil
}

// copyExamples puts example files into the workspace under their own names.
func copyExamples(t *testing.T, w *cliWorkspace, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		if err := os.WriteFile(filepath.Join(w.Dir, filepath.Base(rel)), []byte(readExample(t, rel)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func removeFile(t *testing.T, w *cliWorkspace, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(w.Dir, name)); err != nil {
		t.Fatal(err)
	}
}
