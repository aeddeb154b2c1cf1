package provider

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Every operation makes the fewest calls the API allows: create = 1 POST, after the plan's one
// GET that asks whether the platform is free (terraform apply plans once more before it applies,
// and asks again), refresh = 1 GET, update = 1 PUT (after the plan's refresh), delete = 1 DELETE
// (likewise), the data source ⌈bindings/100⌉ GETs, and no read-after-write anywhere. Paging over more than one page is
// covered in internal/coc, since a tenant holds at most one binding per platform.
func TestAccAPICallsPerOperation(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			addr := pc.address("this")
			binding := "/v1/mobile-apps/" + string(pc.appType)
			resourceWith := func(fieldIndex int) string {
				attrs := map[string]string{}
				for f, v := range pc.fields {
					attrs[f] = strconv.Quote(v[fieldIndex])
				}
				return pc.resourceBlock("this", attrs)
			}
			// depends_on orders the data source's read after the refresh, so the calls come in
			// a fixed order.
			dataSource := fmt.Sprintf("data \"coc_mobile_apps\" \"all\" {\n  depends_on = [%s]\n}\n", addr)
			// The request log is cleared before each step, so the calls terraform-plugin-testing
			// makes after the previous one (its own refreshes and plans) are not counted.
			clearCalls := env.sim.ClearRequests

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					// Create: the plan asks whether the platform is free, the apply asks again as it
					// plans, then sends one POST whose answer is the state.
					{
						PreConfig: clearCalls,
						Config:    env.providerBlock(0, "") + resourceWith(0),
						Check:     env.expectCalls("GET "+binding+" 404", "GET "+binding+" 404", "POST "+binding+" 201"),
					},
					// Refresh: one GET.
					{
						PreConfig:    clearCalls,
						RefreshState: true,
						Check:        env.expectCalls("GET " + binding + " 200"),
					},
					// Update: the plan's refresh, then one PUT whose answer is the state.
					{
						PreConfig: clearCalls,
						Config:    env.providerBlock(0, "") + resourceWith(1),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
						Check: env.expectCalls("GET "+binding+" 200", "PUT "+binding+" 200"),
					},
					// Data source: the refresh, and one page of up to 100 bindings.
					{
						PreConfig: clearCalls,
						Config:    env.providerBlock(0, "") + resourceWith(1) + dataSource,
						Check:     env.expectCalls("GET "+binding+" 200", "GET "+coc.MobileAppsPath+" 200"),
					},
					// Delete: the plan's refresh, then one DELETE.
					{
						PreConfig: clearCalls,
						Config:    env.providerBlock(0, ""),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroy),
						}},
						Check: env.expectCalls("GET "+binding+" 200", "DELETE "+binding+" 204"),
					},
				},
			})
		})
	}
}
