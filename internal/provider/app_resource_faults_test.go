package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Throttling (429 with Retry-After) on every kind of call is absorbed by retries: the user sees
// a normal apply, refresh and destroy.
func TestAccAppResource_Throttled(t *testing.T) {
	pc := platformCases[0]
	env := newSimEnv(t, 1)
	for _, method := range []string{"POST", "GET", "PUT", "DELETE"} {
		if err := env.sim.InjectFault(simulator.Fault{Method: method, Status: 429, RetryAfter: 1, Times: 2}); err != nil {
			t.Fatal(err)
		}
	}
	config := env.providerBlock(0, "") + pc.resourceBlock("this", nil)
	rotated := env.providerBlock(0, "") + pc.resourceBlock("this", map[string]string{"enterprise_key": `"rotated-while-throttled"`})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, f := range env.sim.Faults() {
				if f.Fired != f.Times {
					return fmt.Errorf("fault %+v fired %d times, want %d", f.Fault, f.Fired, f.Times)
				}
			}
			if len(env.bindings(t, 0)) != 0 {
				return fmt.Errorf("binding left after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config},
			{Config: rotated, Check: env.expectFingerprints(pc, map[string]string{"enterprise_key": "rotated-while-throttled"})},
		},
	})
}

// A DELETE whose answer is lost after COC committed it is retried, meets 404, and counts as
// done; so does a binding unbound on the console between refresh and delete.
func TestAccAppResource_DeleteOfUnboundAppSucceeds(t *testing.T) {
	pc := platformCases[1]
	env := newSimEnv(t, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if got := env.writes(); len(got) != 2 || got[0] != "DELETE /v1/mobile-apps/dingtalk 0" || got[1] != "DELETE /v1/mobile-apps/dingtalk 404" {
				return fmt.Errorf("writes during destroy = %q, want a dropped DELETE then a 404", got)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: env.providerBlock(0, "") + pc.resourceBlock("this", nil),
			Check: func(*terraform.State) error {
				env.sim.ClearRequests()
				return env.sim.InjectFault(simulator.Fault{Method: "DELETE", Drop: simulator.DropAfterCommit, Times: 1})
			},
		}},
	})
}
