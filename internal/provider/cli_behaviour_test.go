package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/compat"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Several aliased provider blocks, one per tenant, manage their tenants' bindings side by side.
func TestCLI_AliasedProvidersManageTheirOwnTenants(t *testing.T) {
	env := newSimEnv(t, 2)
	w := newCLIWorkspace(t)
	wecom, lark := platformCaseFor(platforms.WeCom), platformCaseFor(platforms.Lark)
	green := env.providerBlock(0, "blue") + env.providerBlock(1, "green") +
		wecom.resourceBlock("blue", map[string]string{"provider": "coc.blue"}) +
		wecom.resourceBlock("green", map[string]string{"provider": "coc.green", "enterprise_id": fmt.Sprintf("%q", wecom.ids[1])})
	w.WriteConfig(t, requiredProviders+green+lark.resourceBlock("green", map[string]string{"provider": "coc.green"}))
	w.Terraform(t, "apply", "-auto-approve", "-input=false")

	blue, greenBindings := env.bindings(t, 0), env.bindings(t, 1)
	if len(blue) != 1 || blue[wecom.appType].Identifier() != wecom.ids[0] {
		t.Fatalf("tenant blue holds %v", blue)
	}
	if len(greenBindings) != 2 || greenBindings[wecom.appType].Identifier() != wecom.ids[1] || greenBindings[lark.appType].Identifier() != lark.ids[0] {
		t.Fatalf("tenant green holds %v", greenBindings)
	}

	// Dropping green's Lark binding leaves blue untouched.
	w.WriteConfig(t, requiredProviders+green)
	out := w.Terraform(t, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "0 added, 0 changed, 1 destroyed") {
		t.Fatalf("unexpected apply:\n%s", out)
	}
	if blue, green := env.bindings(t, 0), env.bindings(t, 1); len(blue) != 1 || len(green) != 1 {
		t.Fatalf("blue holds %d bindings, green %d; want 1 and 1", len(blue), len(green))
	}
	w.Terraform(t, "destroy", "-auto-approve", "-input=false")
	if len(env.bindings(t, 0))+len(env.bindings(t, 1)) != 0 {
		t.Fatal("bindings left after destroy")
	}
}

// `terraform providers schema -json` marks every secret sensitive and every _wo attribute
// write-only, and nothing else.
func TestCLI_SchemaMarksSecrets(t *testing.T) {
	w := newCLIWorkspace(t)
	w.WriteConfig(t, requiredProviders)
	out := w.Terraform(t, "providers", "schema", "-json")
	var schema struct {
		ProviderSchemas map[string]struct {
			Provider struct {
				Block struct {
					Attributes map[string]struct{ Sensitive bool } `json:"attributes"`
				} `json:"block"`
			} `json:"provider"`
			ResourceSchemas map[string]struct {
				Block struct {
					Attributes map[string]struct {
						Type      json.RawMessage `json:"type"`
						Optional  bool            `json:"optional"`
						Sensitive bool            `json:"sensitive"`
						WriteOnly bool            `json:"write_only"`
					} `json:"attributes"`
				} `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &schema); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p, ok := schema.ProviderSchemas[providerAddress(cliUnderTest(t))]
	if !ok {
		t.Fatalf("no coc provider in %s", out)
	}
	for _, name := range []string{"secret_key", "security_token"} {
		if !p.Provider.Block.Attributes[name].Sensitive {
			t.Errorf("provider %s is not sensitive", name)
		}
	}
	for _, pc := range platformCases {
		attrs := p.ResourceSchemas[pc.typeName].Block.Attributes
		for _, s := range pc.platform.SecretNames() {
			for _, name := range []string{s, s + writeOnlySuffix, s + versionSuffix} {
				if a, ok := attrs[name]; !ok || !a.Optional {
					t.Errorf("%s: %s is missing or not optional", pc.typeName, name)
				}
			}
			if typ := string(attrs[s+versionSuffix].Type); typ != `"number"` {
				t.Errorf("%s: %s has type %s, want number", pc.typeName, s+versionSuffix, typ)
			}
		}
		// Exactly the secrets and their _wo forms are sensitive, and only the _wo forms are
		// write-only: a version must reach the state, since rotation compares it with the state.
		for name, a := range attrs {
			secret := slices.Contains(pc.platform.SecretNames(), strings.TrimSuffix(name, writeOnlySuffix))
			writeOnly := secret && strings.HasSuffix(name, writeOnlySuffix)
			if a.Sensitive != secret || a.WriteOnly != writeOnly {
				t.Errorf("%s: %s sensitive=%v write_only=%v, want %v and %v", pc.typeName, name, a.Sensitive, a.WriteOnly, secret, writeOnly)
			}
		}
	}
}

// With Terraform 1.16 a module that binds the apps can adopt the bindings made on the console
// itself, with import blocks of its own: the import ID reaches the provider from inside the
// module, and the first apply sets the configured secrets, as in the root module.
func TestCLI_ImportBlocksInAModuleAdoptTheBindings(t *testing.T) {
	requireCLI(t, compat.ImportBlocksInModules)
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	module := requiredProviders
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
		module += pc.resourceBlock("this", nil) + fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", pc.address("this"), pc.ids[0])
	}
	if err := os.MkdirAll(filepath.Join(w.Dir, "bindings"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "bindings", "main.tf"), []byte(module), 0o600); err != nil {
		t.Fatal(err)
	}
	w.WriteConfig(t, requiredProviders+env.providerBlock(0, "")+"module \"bindings\" {\n  source = \"./bindings\"\n}\n")
	w.Terraform(t, "init", "-input=false") // installs the module; dev_overrides serves the provider

	n := len(platformCases)
	if out := w.Terraform(t, "plan", "-input=false", "-no-color"); !strings.Contains(out, fmt.Sprintf("%d to import, 0 to add, %d to change, 0 to destroy", n, n)) {
		t.Fatalf("the plan does not import the %d bindings and set their secrets:\n%s", n, out)
	}
	w.Terraform(t, "apply", "-auto-approve", "-input=false")
	bindings := env.bindings(t, 0)
	for _, pc := range platformCases {
		b := bindings[pc.appType]
		if b.Identifier() != pc.ids[0] {
			t.Errorf("%s: COC holds %q, want the adopted %q", pc.typeName, b.Identifier(), pc.ids[0])
		}
		for name, value := range pc.secretValues("1") {
			if b.Fingerprints[name] != simulator.Fingerprint(value) {
				t.Errorf("%s: the apply did not set %s", pc.typeName, name)
			}
		}
	}
	if out := w.Terraform(t, "plan", "-input=false", "-no-color", "-detailed-exitcode"); !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan after the import is not empty:\n%s", out)
	}
}
