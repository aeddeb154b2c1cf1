package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Everything here needs terraform query (Terraform 1.14 and later) and skips on older versions;
// the same behaviour is tested through the plugin protocol in app_list_resource_test.go.

// queryBlocks lists every platform's bindings under the label "console".
func queryBlocks() string {
	var b strings.Builder
	for _, pc := range platformCases {
		fmt.Fprintf(&b, "list %q \"console\" {\n  provider         = coc\n  include_resource = true\n}\n", pc.typeName)
	}
	return b.String()
}

// terraform query finds each platform's binding made on the console, with its identity, its
// display name and its non-secret attributes.
func TestAccAppListResource_Query(t *testing.T) {
	env := newSimEnv(t, 1)
	var checks []querycheck.QueryResultCheck
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
		addr := pc.typeName + ".console"
		identity := map[string]knownvalue.Check{pc.platform.Identifier: knownvalue.StringExact(pc.ids[0])}
		known := []querycheck.KnownValueCheck{{Path: tfjsonpath.New(pc.platform.Identifier), KnownValue: knownvalue.StringExact(pc.ids[0])}}
		for f, v := range pc.fields {
			known = append(known, querycheck.KnownValueCheck{Path: tfjsonpath.New(f), KnownValue: knownvalue.StringExact(v[0])})
		}
		for _, s := range pc.platform.Secrets {
			known = append(known, querycheck.KnownValueCheck{Path: tfjsonpath.New(s), KnownValue: knownvalue.Null()})
		}
		checks = append(checks,
			querycheck.ExpectLength(addr, 1),
			querycheck.ExpectIdentity(addr, identity),
			querycheck.ExpectResourceDisplayName(addr, queryfilter.ByResourceIdentity(identity),
				knownvalue.StringExact(fmt.Sprintf("%s app %s", displayNameOf(pc), pc.ids[0]))),
			querycheck.ExpectResourceKnownValues(addr, queryfilter.ByResourceIdentity(identity), known),
		)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The query reads the provider configuration from the main configuration, which manages nothing.
			{Config: env.providerBlock(0, "")},
			{Query: true, Config: queryBlocks(), QueryResultChecks: checks},
		},
	})
}

func (w *cliWorkspace) writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (w *cliWorkspace) readFile(t *testing.T, name string) string {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// requireTerraform skips the test when the terraform under test is older than major.minor.
func requireTerraform(t *testing.T, w *cliWorkspace, major, minor int) {
	t.Helper()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(w.terraform(t, "version", "-json")), &v); err != nil {
		t.Fatal(err)
	}
	var gotMajor, gotMinor int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	if gotMajor < major || gotMajor == major && gotMinor < minor {
		t.Skipf("Terraform %s is older than %d.%d: skipping", v.Version, major, minor)
	}
}

// The whole adoption workflow with the real CLI: terraform query -generate-config-out writes
// resources and identity import blocks for the console's bindings; with the secrets filled in
// (write-only, version 1) the plan imports them and sets the secrets, and then plans nothing.
func TestCLI_QueryGeneratedConfigImports(t *testing.T) {
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	requireTerraform(t, w, 1, 14)
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
	}
	w.writeConfig(t, requiredProviders+env.providerBlock(0, ""))
	w.writeFile(t, "discover.tfquery.hcl", queryBlocks())
	w.terraform(t, "query", "-generate-config-out=generated.tf")
	generated := w.readFile(t, "generated.tf")
	for _, pc := range platformCases {
		for _, fragment := range []string{
			fmt.Sprintf("resource %q \"console_0\"", pc.typeName),
			fmt.Sprintf("to = %s.console_0", pc.typeName),
			"identity = {", fmt.Sprintf("%q", pc.ids[0]),
		} {
			if !strings.Contains(generated, fragment) {
				t.Fatalf("the generated configuration lacks %q:\n%s", fragment, generated)
			}
		}
		for _, s := range pc.platform.Secrets {
			filled := regexp.MustCompile(`(?m)^(\s*` + s + writeOnlySuffix + `\s*)= null # sensitive$`)
			version := regexp.MustCompile(`(?m)^(\s*` + s + versionSuffix + `\s*)= null$`)
			if !filled.MatchString(generated) || !version.MatchString(generated) {
				t.Fatalf("the generated configuration has no empty %s%s and %s%s:\n%s", s, writeOnlySuffix, s, versionSuffix, generated)
			}
			generated = filled.ReplaceAllString(generated, fmt.Sprintf("${1}= %q", pc.secret(s, "1")))
			generated = version.ReplaceAllString(generated, "${1}= 1")
		}
	}
	w.writeFile(t, "generated.tf", generated)
	n := len(platformCases)
	if out := w.terraform(t, "plan", "-input=false", "-out=adopt.tfplan"); !strings.Contains(out,
		fmt.Sprintf("%d to import, 0 to add, %d to change, 0 to destroy", n, n)) {
		t.Fatalf("the plan does not import and update every binding:\n%s", out)
	}
	w.terraform(t, "apply", "-input=false", "adopt.tfplan")
	for _, pc := range platformCases {
		if err := env.expectFingerprints(pc, pc.secretValues("1"))(nil); err != nil {
			t.Fatal(err)
		}
	}
	if out := w.terraform(t, "plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("the plan after adopting is not empty:\n%s", out)
	}
}
