package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/zclconf/go-cty/cty"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// Everything here needs terraform query (Terraform 1.14 and later; OpenTofu has none) and skips
// elsewhere; the same behaviour is tested through the plugin protocol in app_list_resource_test.go.

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
	requireCLI(t, compat.ListResources)
	env := newSimEnv(t, 1)
	var checks []querycheck.QueryResultCheck
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
		addr := pc.typeName + ".console"
		identity := map[string]knownvalue.Check{pc.platform.Identifier.Name: knownvalue.StringExact(pc.ids[0])}
		known := []querycheck.KnownValueCheck{{Path: tfjsonpath.New(pc.platform.Identifier.Name), KnownValue: knownvalue.StringExact(pc.ids[0])}}
		for f, v := range pc.fields {
			known = append(known, querycheck.KnownValueCheck{Path: tfjsonpath.New(f), KnownValue: knownvalue.StringExact(v[0])})
		}
		for _, s := range pc.platform.SecretNames() {
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
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The query reads the provider configuration from the main configuration, which manages nothing.
			{Config: env.providerBlock(0, "")},
			{Query: true, Config: queryBlocks(), QueryResultChecks: checks},
		},
	})
}

// The whole adoption workflow with the real CLI: terraform query -generate-config-out writes
// resources and identity import blocks for the console's bindings; with the secrets filled in
// (write-only, version 1) the plan imports them and sets the secrets, and then plans nothing.
func TestCLI_QueryGeneratedConfigImports(t *testing.T) {
	requireCLI(t, compat.ListResources)
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
	}
	w.WriteConfig(t, requiredProviders+env.providerBlock(0, ""))
	w.WriteFile(t, "discover.tfquery.hcl", queryBlocks())
	w.Terraform(t, "query", "-generate-config-out=generated.tf")
	generated := []byte(w.ReadFile(t, "generated.tf"))

	got := generatedBlocks(t, generated)
	want := map[string]map[string]string{}
	for _, pc := range platformCases {
		addr := pc.address("console_0")
		attrs := map[string]string{"provider": "coc", pc.platform.Identifier.Name: hclValue(cty.StringVal(pc.ids[0]))}
		for f, v := range pc.fields {
			attrs[f] = hclValue(cty.StringVal(v[0]))
		}
		for _, s := range pc.platform.SecretNames() {
			for _, name := range []string{s, s + writeOnlySuffix, s + versionSuffix} {
				attrs[name] = hclValue(cty.NullVal(cty.DynamicPseudoType))
			}
		}
		want["resource."+addr] = attrs
		want["import "+addr] = map[string]string{
			"to": addr, "provider": "coc",
			"identity": hclValue(cty.ObjectVal(map[string]cty.Value{pc.platform.Identifier.Name: cty.StringVal(pc.ids[0])})),
		}
	}
	keys := slices.Collect(maps.Keys(want))
	for key := range got {
		if _, ok := want[key]; !ok {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		if !maps.Equal(got[key], want[key]) {
			t.Errorf("generated %s: %v, want %v", key, got[key], want[key])
		}
	}
	if t.Failed() {
		t.Fatalf("the generated configuration:\n%s", generated)
	}

	w.WriteFile(t, "generated.tf", string(withWriteOnlySecrets(t, generated, "console_0", "1")))
	n := len(platformCases)
	if out := w.Terraform(t, "plan", "-input=false", "-out=adopt.tfplan"); !strings.Contains(out,
		fmt.Sprintf("%d to import, 0 to add, %d to change, 0 to destroy", n, n)) {
		t.Fatalf("the plan does not import and update every binding:\n%s", out)
	}
	w.Terraform(t, "apply", "-input=false", "adopt.tfplan")
	for _, pc := range platformCases {
		if err := env.expectFingerprints(pc, pc.secretValues("1"))(nil); err != nil {
			t.Fatal(err)
		}
	}
	if out := w.Terraform(t, "plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("the plan after adopting is not empty:\n%s", out)
	}
}

// generatedBlocks reads a configuration's resource and import blocks, keyed "resource.<address>"
// and "import <to>", as the meaning of each of their attributes: how terraform lays the file out
// (alignment, comments, order) is its own business.
func generatedBlocks(t *testing.T, src []byte) map[string]map[string]string {
	t.Helper()
	file, diags := hclsyntax.ParseConfig(src, "generated.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", diags.Error(), src)
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("unexpected body %T", file.Body)
	}
	blocks := map[string]map[string]string{}
	for _, b := range body.Blocks {
		attrs := map[string]string{}
		for name, a := range b.Body.Attributes {
			attrs[name] = hclMeaning(t, a.Expr)
		}
		key := b.Type + " " + attrs["to"]
		if b.Type == "resource" && len(b.Labels) == 2 {
			key = "resource." + b.Labels[0] + "." + b.Labels[1]
		}
		if _, dup := blocks[key]; dup {
			t.Fatalf("the generated configuration has two blocks %s:\n%s", key, src)
		}
		blocks[key] = attrs
	}
	return blocks
}

// hclMeaning is the address an expression names (coc, coc_lark_app.console_0) or else the
// constant it evaluates to, written as hclValue writes it.
func hclMeaning(t *testing.T, expr hclsyntax.Expression) string {
	t.Helper()
	if traversal, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() {
		parts := []string{traversal.RootName()}
		for _, step := range traversal[1:] {
			attr, ok := step.(hcl.TraverseAttr)
			if !ok {
				t.Fatalf("unexpected traversal step %T at %s", step, expr.Range())
			}
			parts = append(parts, attr.Name)
		}
		return strings.Join(parts, ".")
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%s: not a constant: %s", expr.Range(), diags.Error())
	}
	return hclValue(v)
}

// hclValue writes a constant on one line.
func hclValue(v cty.Value) string {
	return strings.Join(strings.Fields(string(hclwrite.TokensForValue(v).Bytes())), " ")
}

// withWriteOnlySecrets fills in the write-only secrets of each platform's resource called name
// with their values tagged tag, at version 1, and leaves the rest of the configuration as it is.
func withWriteOnlySecrets(t *testing.T, src []byte, name, tag string) []byte {
	t.Helper()
	file, diags := hclwrite.ParseConfig(src, "generated.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, pc := range platformCases {
		b := file.Body().FirstMatchingBlock("resource", []string{pc.typeName, name})
		if b == nil {
			t.Fatalf("no resource %s:\n%s", pc.address(name), src)
		}
		for _, s := range pc.platform.SecretNames() {
			b.Body().SetAttributeValue(s+writeOnlySuffix, cty.StringVal(pc.secret(s, tag)))
			b.Body().SetAttributeValue(s+versionSuffix, cty.NumberIntVal(1))
		}
	}
	return file.Bytes()
}
