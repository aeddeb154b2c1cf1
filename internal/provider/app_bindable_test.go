package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// The decision table of what a planned create meets at COC: what is bound, whether the plan
// replaces it, and whether the create's own key made it.
func TestBindabilityOf(t *testing.T) {
	bound := func(identifier, key string) *coc.Binding {
		return &coc.Binding{AppType: "lark", Fields: map[string]string{"app_id": identifier}, IdempotencyKey: key}
	}
	const mine, theirs, key = "cli_mine", "cli_theirs", "key-of-this-create"
	for _, c := range []struct {
		name                string
		bound               *coc.Binding
		replaces, createKey string
		want                bindability
	}{
		{"nothing bound", nil, "", key, bindable},
		{"nothing bound, the key unknown", nil, "", "", bindable},
		{"another app bound", bound(theirs, ""), "", key, boundElsewhere},
		{"another app bound, the key unknown", bound(theirs, ""), "", "", boundElsewhere},
		{"this app bound by hand", bound(mine, ""), "", key, boundElsewhere},
		{"this app bound by another create", bound(mine, "key-of-another-create"), "", key, boundElsewhere},
		{"this app bound by this create", bound(mine, key), "", key, resumesEarlierCreate},
		{"this app bound, the key unknown", bound(mine, ""), "", "", decidedAtApply},
		{"the app this plan replaces", bound(mine, ""), mine, key, unbindsFirst},
		{"the app this plan replaces, another identifier planned", bound(theirs, ""), theirs, key, unbindsFirst},
		{"another app than the one this plan replaces", bound(theirs, ""), mine, key, boundElsewhere},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := bindabilityOf(c.bound, mine, c.replaces, c.createKey); got != c.want {
				t.Fatalf("bindabilityOf = %d, want %d", got, c.want)
			}
		})
	}
}

// Two resources that declare the same binding through one provider configuration are one create
// to COC: the second fails, and one binding is left, managed by one resource.
func TestAccAppResource_DeclaredTwiceFails(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			config := env.providerBlock(0, "") + pc.resourceBlock("a", nil) + pc.resourceBlock("b", nil)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config,
					ExpectError: errorPattern(fmt.Sprintf("%s App Declared Twice", pc.platform.Name), "remove one of them"),
				}},
			})
			if w := env.writes(); len(w) != 2 || w[0] != "POST "+bindingPath(pc)+" 201" || w[1] != "DELETE "+bindingPath(pc)+" 204" {
				t.Fatalf("writes %v: want one create, then the destroy of the one resource that holds it", w)
			}
		})
	}
}
